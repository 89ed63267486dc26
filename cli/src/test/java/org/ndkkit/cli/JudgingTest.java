package org.ndkkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.ndkkit.cli.eval.Certification;
import org.ndkkit.cli.eval.Regression;
import org.ndkkit.cli.model.Finding;
import org.ndkkit.cli.model.ScenarioResult;
import org.ndkkit.cli.model.Verdict;
import org.ndkkit.cli.spec.Spec;

/** The certification rules and the regression comparison, on hand-made verdicts. */
class JudgingTest {
    static final Spec SPEC = Spec.load(JudgingTest.class.getClassLoader());

    static List<ScenarioResult> allPassed() {
        List<ScenarioResult> out = new ArrayList<>();
        for (Spec.Scenario s : SPEC.scenarios()) {
            out.add(new ScenarioResult(s.id(), s.feature(), s.line(), s.name(), s.clauses(), Verdict.PASSED, Verdict.PASSED,
                    null, null, 1, null, List.of()));
        }
        return out;
    }

    static List<ScenarioResult> with(List<ScenarioResult> rs, int i, Verdict v, String code) {
        List<ScenarioResult> out = new ArrayList<>(rs);
        ScenarioResult r = out.get(i);
        out.set(i, new ScenarioResult(r.id(), r.feature(), r.line(), r.name(), r.clauses(), v, v, code, "because", 1, null,
                List.of()));
        return out;
    }

    static int indexOfClause(String clause) {
        for (int i = 0; i < SPEC.scenarios().size(); i++) {
            if (SPEC.scenarios().get(i).clauses().equals(List.of(clause))) {
                return i;
            }
        }
        throw new AssertionError(clause);
    }

    static String judge(List<ScenarioResult> rs, Set<String> caps, boolean complete, List<Finding> f) {
        return Certification.evaluate(rs, SPEC.catalogue(), caps, complete, true, f).status();
    }

    @Test
    void certificationRules() {
        Set<String> v4v6 = Set.of("IPV4", "IPV6");
        assertThat(judge(allPassed(), v4v6, true, List.of())).isEqualTo("certified");
        assertThat(judge(allPassed(), v4v6, false, List.of())).isEqualTo("incomplete");
        int mandatory = indexOfClause("CSE-REFUSED-NO-LISTENER");
        int providerDefined = indexOfClause("PD-CALLEE-OVER-LIMIT");
        assertThat(judge(with(allPassed(), mandatory, Verdict.FAILED, null), v4v6, true, List.of())).isEqualTo("not-certified");
        assertThat(judge(with(allPassed(), mandatory, Verdict.NOT_REACHED, "run-stopped"), v4v6, true, List.of()))
                .isEqualTo("not-certified");
        assertThat(judge(with(allPassed(), mandatory, Verdict.TIMEOUT, "hung"), v4v6, false, List.of())).isEqualTo("not-certified");
        // a certificate that rests on a waiver says so: never plain "certified"
        assertThat(judge(with(allPassed(), mandatory, Verdict.WAIVED, null), v4v6, true, List.of()))
                .isEqualTo("certified-with-waivers");
        assertThat(judge(with(allPassed(), mandatory, Verdict.WAIVED, null), v4v6, false, List.of())).isEqualTo("incomplete");
        // unsupported on a mandatory clause counts against, unless a capability the provider lacks excuses it
        assertThat(judge(with(allPassed(), mandatory, Verdict.UNSUPPORTED, "too-few-addresses"), v4v6, true, List.of()))
                .isEqualTo("not-certified");
        assertThat(judge(with(allPassed(), mandatory, Verdict.UNSUPPORTED, "no-ipv6"), v4v6, true, List.of()))
                .isEqualTo("not-certified");
        assertThat(judge(with(allPassed(), mandatory, Verdict.UNSUPPORTED, "no-ipv6"), Set.of("IPV4"), true, List.of()))
                .isEqualTo("certified");
        assertThat(judge(with(allPassed(), providerDefined, Verdict.UNSUPPORTED, "whatever"), v4v6, true, List.of()))
                .isEqualTo("certified");
        assertThat(judge(allPassed(), v4v6, true, List.of(new Finding("x", "x", Finding.ERROR, "1", "2", "d"))))
                .isEqualTo("not-certified");
        assertThat(judge(allPassed(), v4v6, true, List.of(new Finding("x", "x", Finding.WARNING, "1", "2", "d"))))
                .isEqualTo("certified");
        assertThat(judge(with(allPassed(), mandatory, Verdict.ENVIRONMENT_ERROR, "environment"), v4v6, true, List.of()))
                .isEqualTo("environment-error");
        Certification.Result r = Certification.evaluate(with(allPassed(), mandatory, Verdict.FAILED, null), SPEC.catalogue(),
                v4v6, true, true, List.of());
        assertThat(r.clauses().get("CSE-REFUSED-NO-LISTENER").ok()).isFalse();
        assertThat(r.clauses().get("CSE-SUCCESS").ok()).isTrue();
        assertThat(r.clauses()).hasSize(SPEC.catalogue().clauses().size());
    }

    @Test
    void regressionAgainstADoctoredBaseline() {
        List<ScenarioResult> now = with(allPassed(), 0, Verdict.FAILED, null);
        List<Regression.Entry> base = new ArrayList<>();
        for (ScenarioResult r : allPassed()) {
            base.add(new Regression.Entry(r.id(), r.feature(), r.name(), r.verdict()));
        }
        base.set(1, new Regression.Entry(base.get(1).id(), base.get(1).feature(), base.get(1).name(), Verdict.FAILED));
        base.set(2, new Regression.Entry(base.get(2).id(), base.get(2).feature(), base.get(2).name(), Verdict.TIMEOUT));
        now = with(now, 2, Verdict.FAILED, null);
        now = with(now, 3, Verdict.UNSUPPORTED, "too-few-addresses");
        base.remove(base.size() - 1);
        base.add(new Regression.Entry("gone.feature:1", "gone.feature", "a removed scenario", Verdict.PASSED));
        Regression.Result r = Regression.compare(new Regression.Baseline("b.json", "00", "simulated", "0.1.0", "k", "t", base), now);
        assertThat(r.status()).isEqualTo("regressions");
        assertThat(r.newFailures()).extracting(Regression.Change::id).containsExactly(now.get(0).id(), now.get(3).id());
        assertThat(r.newPasses()).extracting(Regression.Change::id).containsExactly(now.get(1).id());
        assertThat(r.changed()).extracting(Regression.Change::id).containsExactly(now.get(2).id());
        assertThat(r.added()).extracting(Regression.Change::id).containsExactly(now.get(now.size() - 1).id());
        assertThat(r.removed()).extracting(Regression.Change::id).containsExactly("gone.feature:1");
        assertThat(r.unchanged()).isEqualTo(now.size() - 5);
        List<ScenarioResult> fixed = with(allPassed(), 1, Verdict.PASSED, null);
        assertThat(Regression.compare(new Regression.Baseline("b.json", "00", "s", "v", "k", "t", base.subList(0, 3)),
                fixed.subList(0, 3)).status()).isEqualTo("no-regressions");
    }
}
