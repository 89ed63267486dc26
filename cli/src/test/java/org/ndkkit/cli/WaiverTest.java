package org.ndkkit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ndkkit.cli.model.ScenarioResult;
import org.ndkkit.cli.model.Verdict;
import org.ndkkit.cli.waiver.VersionRange;
import org.ndkkit.cli.waiver.Waiver;
import org.ndkkit.cli.waiver.WaiverEngine;
import org.ndkkit.cli.waiver.WaiverFile;

/** Waiver files, version ranges, and what applying waivers does to verdicts. */
class WaiverTest {
    static final LocalDate TODAY = LocalDate.of(2026, 11, 24);

    static List<Waiver> yaml(String text, String kind) throws IOException {
        return WaiverFile.parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "w.yaml", kind);
    }

    static ScenarioResult result(String id, Verdict v, String... clauses) {
        return new ScenarioResult(id, id.substring(0, id.indexOf(':')), 1, "name of " + id, List.of(clauses), v, v,
                v == Verdict.UNSUPPORTED ? "no-ipv6" : null, v == Verdict.PASSED ? null : "why " + id, 5, null,
                List.of());
    }

    @Test
    void versionRanges() {
        assertThat(VersionRange.parse("*").contains("0.0.1")).isTrue();
        assertThat(VersionRange.parse("[2.0,2.3)").contains("2.0")).isTrue();
        assertThat(VersionRange.parse("[2.0,2.3)").contains("2.2.9")).isTrue();
        assertThat(VersionRange.parse("[2.0,2.3)").contains("2.3")).isFalse();
        assertThat(VersionRange.parse("[2.0,2.3)").contains("2.3.0")).isFalse();
        assertThat(VersionRange.parse("(,1.10]").contains("1.9")).isTrue();
        assertThat(VersionRange.parse("(,1.10]").contains("1.11")).isFalse();
        assertThat(VersionRange.parse("[1.0,)").contains("10.0")).isTrue();
        assertThat(VersionRange.parse("2.1.0").contains("2.1")).isTrue();
        assertThat(VersionRange.compare("2.0-rc1", "2.0")).isNegative();
        assertThatThrownBy(() -> VersionRange.parse("[3,2]")).hasMessageContaining("empty");
        assertThatThrownBy(() -> VersionRange.parse("[1,2")).hasMessageContaining("end with");
    }

    @Test
    void readsYamlAndJsonAndRejectsBadEntries() throws IOException {
        List<Waiver> w = yaml("""
                waivers:
                  - id: ACME-1
                    clause: PD-CALLER-LIMIT
                    provider: acme
                    versions: "[2.0,3.0)"
                    reason: firmware truncates
                    issue: https://bugs.example.com/1
                    expires: 2027-01-31
                """, Waiver.VENDOR);
        assertThat(w).singleElement().satisfies(x -> {
            assertThat(x.id()).isEqualTo("ACME-1");
            assertThat(x.clause()).isEqualTo("PD-CALLER-LIMIT");
            assertThat(x.expires()).isEqualTo(LocalDate.of(2027, 1, 31));
        });
        List<Waiver> j = WaiverFile.parse(new ByteArrayInputStream("""
                [{"scenario": "private-data.feature:47", "provider": "*", "versions": "*", "reason": "r",
                  "issue": "http://x.example/2", "expires": "2020-01-01"}]""".getBytes(StandardCharsets.UTF_8)),
                "w.json", Waiver.VENDOR);
        assertThat(j.get(0).id()).isEqualTo("w.json#1");
        assertThatThrownBy(() -> yaml("- {clause: A-B, scenario: x.feature:1, provider: p, versions: '*', reason: r, "
                + "issue: 'https://x.example/1', expires: 2027-01-01}", Waiver.VENDOR)).hasMessageContaining("exactly one");
        assertThatThrownBy(() -> yaml("- {clause: A-B, provider: p, versions: '*', reason: r, issue: 'ftp://x/1', "
                + "expires: 2027-01-01}", Waiver.VENDOR)).hasMessageContaining("http(s) URL");
        assertThatThrownBy(() -> yaml("- {clause: A-B, provider: p, versions: '*', reason: r, issue: 'https://x.example/1', "
                + "expires: next week}", Waiver.VENDOR)).hasMessageContaining("YYYY-MM-DD");
        assertThatThrownBy(() -> yaml("- {clause: A-B, provider: p, versions: '*', issue: 'https://x.example/1', "
                + "expires: 2027-01-01}", Waiver.VENDOR)).hasMessageContaining("'reason' is required");
        assertThatThrownBy(() -> yaml("- {clause: A-B, provider: p, version: '*', reason: r, issue: 'https://x.example/1', "
                + "expires: 2027-01-01}", Waiver.VENDOR)).hasMessageContaining("unknown field 'version'");
    }

    @Test
    void aWaiverChangesOneVerdictAndItsExpiryChangesItBack() throws IOException {
        List<ScenarioResult> rs = List.of(result("a.feature:1", Verdict.FAILED, "PD-CALLER-LIMIT"),
                result("a.feature:2", Verdict.PASSED, "PD-CALLER-LIMIT"), result("a.feature:3", Verdict.FAILED, "OTHER"));
        String w = """
                - {id: W1, clause: PD-CALLER-LIMIT, provider: acme, versions: "[2.0,3.0)", reason: known,
                   issue: "https://bugs.example.com/1", expires: %s}
                """;
        WaiverEngine.Outcome live = WaiverEngine.apply(rs, List.of(), yaml(w.formatted("2026-11-24"), Waiver.VENDOR),
                "acme", "2.1", TODAY);
        assertThat(live.results()).extracting(ScenarioResult::verdict)
                .containsExactly(Verdict.WAIVED, Verdict.PASSED, Verdict.FAILED);
        assertThat(live.results().get(0).rawVerdict()).isEqualTo(Verdict.FAILED);
        assertThat(live.results().get(0).waiverId()).isEqualTo("W1");
        assertThat(live.applied()).singleElement().satisfies(u -> assertThat(u.scenarioId()).isEqualTo("a.feature:1"));

        WaiverEngine.Outcome expired = WaiverEngine.apply(rs, List.of(), yaml(w.formatted("2026-11-23"), Waiver.VENDOR),
                "acme", "2.1", TODAY);
        assertThat(expired.results()).extracting(ScenarioResult::verdict)
                .containsExactly(Verdict.FAILED, Verdict.PASSED, Verdict.FAILED);
        assertThat(expired.results().get(0).reason()).startsWith("waiver W1 expired on 2026-11-23");
        assertThat(expired.applied()).isEmpty();
        assertThat(expired.expired()).hasSize(1);

        WaiverEngine.Outcome otherVersion = WaiverEngine.apply(rs, List.of(), yaml(w.formatted("2027-01-01"), Waiver.VENDOR),
                "acme", "3.0", TODAY);
        assertThat(otherVersion.results().get(0).verdict()).isEqualTo(Verdict.FAILED);
        assertThat(otherVersion.unused()).hasSize(1);
    }

    @Test
    void kitDefectsComeFirstAndAreListedApart() throws IOException {
        List<ScenarioResult> rs = List.of(result("a.feature:1", Verdict.TIMEOUT, "X-Y"),
                result("a.feature:2", Verdict.NOT_REACHED, "X-Y"), result("a.feature:3", Verdict.UNSUPPORTED, "Z-Z"));
        List<Waiver> kit = yaml("- {id: KIT-1, scenario: 'a.feature:1', provider: '*', versions: '*', reason: kit bug, "
                + "issue: 'https://kit.example/1', expires: 2099-01-01}", Waiver.KIT_DEFECT);
        List<Waiver> vendor = yaml("""
                - {id: V-1, clause: X-Y, provider: acme, versions: '*', reason: r, issue: 'https://v.example/1', expires: 2099-01-01}
                - {id: V-2, scenario: 'name of a.feature:3', provider: acme, versions: '*', reason: r,
                   issue: 'https://v.example/2', expires: 2099-01-01}
                """, Waiver.VENDOR);
        WaiverEngine.Outcome o = WaiverEngine.apply(rs, kit, vendor, "acme", "1", TODAY);
        assertThat(o.results()).extracting(ScenarioResult::verdict)
                .containsExactly(Verdict.WAIVED, Verdict.NOT_REACHED, Verdict.WAIVED);
        assertThat(o.applied(Waiver.KIT_DEFECT)).extracting(u -> u.waiver().id()).containsExactly("KIT-1");
        assertThat(o.applied(Waiver.VENDOR)).extracting(u -> u.waiver().id()).containsExactly("V-2");
        assertThat(o.unused()).extracting(Waiver::id).containsExactly("V-1");
    }
}
