package org.ndkkit.cli.compare;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Two runs compared call by call: per scenario that ran in both, each call whose outcomes differ
 * (as multisets: order, times, ports and contexts do not count); the kinds of difference across
 * scenarios (objects by their kind: {@code NdkCloseObject(connector)}); scenarios only one run has,
 * whose verdicts differ, or that one run could not run (unsupported, not reached, environment
 * error, no trace: listed, not compared call by call).
 */
public final class RunComparison {
    /** Examples named per kind of difference. */
    static final int EXAMPLES = 3;
    /** Raw verdicts with which a scenario did not run to its end for reasons that are not behaviour. */
    static final Set<String> NOT_RUN = Set.of("unsupported", "not-reached", "environment-error");

    public record Difference(String call, String kind, List<String> a, List<String> b) {
    }

    public record ScenarioRef(String key, String feature, String name, String idA, String idB) {
        /** The summary.json id, both when the runs differ in it. */
        public String ids() {
            if (idA == null || idB == null || idA.equals(idB)) {
                return idA != null ? idA : idB;
            }
            return idA + " / " + idB;
        }

        public String id() {
            return idA != null ? idA : idB;
        }
    }

    /**
     * A scenario's differences: the calls whose outcomes differ, on objects both traces have; and the
     * objects only one trace has (the runs took different paths, e.g. a connection retried in one), whose
     * calls are not listed one by one.
     */
    public record ScenarioDiff(ScenarioRef scenario, String verdictA, String verdictB, List<Difference> differences,
                               List<String> objectsOnlyA, List<String> objectsOnlyB) {
    }

    /**
     * A kind of difference: a call on a kind of object ({@code NdkCloseObject(connector)}) with these
     * outcomes in A and in B; or, when {@code oneSided} is A or B, objects only that run's traces have
     * ({@code a} or {@code b}: their kinds). The scenarios (ids) that show it.
     */
    public record Kind(String call, List<String> a, List<String> b, String oneSided, List<String> scenarios) {
    }

    record Differences(List<Difference> calls, List<String> onlyA, List<String> onlyB) {
        boolean isEmpty() {
            return calls.isEmpty() && onlyA.isEmpty() && onlyB.isEmpty();
        }
    }

    /** A scenario in both runs that differs in verdict or was not compared call by call (why: {@code reason}). */
    public record VerdictDiff(ScenarioRef scenario, String verdictA, String verdictB, boolean compared, String reason) {
    }

    public record Side(String name, String source, String provider, int scenarios) {
    }

    private final Side a;
    private final Side b;
    private final List<ScenarioDiff> differing = new ArrayList<>();
    private final List<Kind> kinds = new ArrayList<>();
    private final List<ScenarioRef> onlyA = new ArrayList<>();
    private final List<ScenarioRef> onlyB = new ArrayList<>();
    private final List<VerdictDiff> verdicts = new ArrayList<>();
    private final List<VerdictDiff> notCompared = new ArrayList<>();
    private int compared;

    private RunComparison(Side a, Side b) {
        this.a = a;
        this.b = b;
    }

    public static RunComparison of(RunData ra, String nameA, RunData rb, String nameB) {
        RunComparison c = new RunComparison(new Side(nameA, ra.source(), ra.provider(), ra.scenarios().size()),
                new Side(nameB, rb.source(), rb.provider(), rb.scenarios().size()));
        Map<String, Kind> kinds = new LinkedHashMap<>();
        for (RunData.Scenario sa : ra.scenarios().values()) {
            RunData.Scenario sb = rb.scenarios().get(sa.key());
            if (sb == null) {
                c.onlyA.add(ref(sa, null));
                continue;
            }
            ScenarioRef ref = ref(sa, sb);
            String why = whyNotCompared(sa, nameA, sb, nameB);
            boolean verdictsDiffer = !Objects.equals(sa.verdict(), sb.verdict()) && sa.verdict() != null && sb.verdict() != null;
            if (why != null) {
                VerdictDiff d = new VerdictDiff(ref, verdict(sa), verdict(sb), false, why);
                (verdictsDiffer ? c.verdicts : c.notCompared).add(d);
                continue;
            }
            c.compared++;
            if (verdictsDiffer) {
                c.verdicts.add(new VerdictDiff(ref, verdict(sa), verdict(sb), true, null));
            }
            Differences ds = differences(sa.trace(), sb.trace());
            if (!ds.isEmpty()) {
                c.differing.add(new ScenarioDiff(ref, verdict(sa), verdict(sb), ds.calls(), ds.onlyA(), ds.onlyB()));
                Set<String> once = new LinkedHashSet<>();
                for (Difference d : ds.calls()) {
                    String k = d.kind() + "\n" + d.a() + "\n" + d.b();
                    if (once.add(k)) {
                        kinds.computeIfAbsent(k, x -> new Kind(d.kind(), d.a(), d.b(), null, new ArrayList<>()))
                                .scenarios().add(ref.id());
                    }
                }
                if (!ds.onlyA().isEmpty()) {
                    kinds.computeIfAbsent("\nA", x -> new Kind("objects only " + nameA + "'s trace has", new ArrayList<>(),
                            List.of(), "A", new ArrayList<>())).scenarios().add(ref.id());
                    addKinds(kinds.get("\nA").a(), ds.onlyA(), sa.trace());
                }
                if (!ds.onlyB().isEmpty()) {
                    kinds.computeIfAbsent("\nB", x -> new Kind("objects only " + nameB + "'s trace has", List.of(),
                            new ArrayList<>(), "B", new ArrayList<>())).scenarios().add(ref.id());
                    addKinds(kinds.get("\nB").b(), ds.onlyB(), sb.trace());
                }
            }
        }
        for (RunData.Scenario sb : rb.scenarios().values()) {
            if (!ra.scenarios().containsKey(sb.key())) {
                c.onlyB.add(ref(null, sb));
            }
        }
        c.kinds.addAll(kinds.values());
        c.kinds.sort(Comparator.comparingInt((Kind k) -> -k.scenarios().size()).thenComparing(Kind::call));
        return c;
    }

    private static ScenarioRef ref(RunData.Scenario sa, RunData.Scenario sb) {
        RunData.Scenario s = sa != null ? sa : sb;
        return new ScenarioRef(s.key(), s.feature(), s.name(), sa == null ? null : sa.id(), sb == null ? null : sb.id());
    }

    private static String verdict(RunData.Scenario s) {
        if (s.verdict() == null) {
            return "no verdict recorded";
        }
        String v = s.verdict();
        if (s.rawVerdict() != null && !s.rawVerdict().equals(v)) {
            v += " (raw " + s.rawVerdict() + ")";
        }
        return s.reasonCode() != null ? v + " [" + s.reasonCode() + "]" : v;
    }

    private static String whyNotCompared(RunData.Scenario sa, String na, RunData.Scenario sb, String nb) {
        List<String> why = new ArrayList<>();
        for (Object[] x : new Object[][] {{sa, na}, {sb, nb}}) {
            RunData.Scenario s = (RunData.Scenario) x[0];
            String raw = s.rawVerdict() != null ? s.rawVerdict() : s.verdict();
            if (raw != null && NOT_RUN.contains(raw)) {
                why.add(raw + " in " + x[1]);
            } else if (s.trace() == null) {
                why.add("no trace in " + x[1]);
            }
        }
        return why.isEmpty() ? null : String.join(", ", why);
    }

    static Differences differences(CallOutcomes ta, CallOutcomes tb) {
        Set<CallOutcomes.Call> calls = new TreeSet<>(CallOutcomes.Call.ORDER);
        calls.addAll(ta.outcomes().keySet());
        calls.addAll(tb.outcomes().keySet());
        Set<String> objectsA = objects(ta);
        Set<String> objectsB = objects(tb);
        List<Difference> ds = new ArrayList<>();
        Set<String> onlyA = new TreeSet<>(CallOutcomes.NAME_ORDER);
        Set<String> onlyB = new TreeSet<>(CallOutcomes.NAME_ORDER);
        for (CallOutcomes.Call call : calls) {
            List<String> oa = CallOutcomes.canonical(ta.outcomes().get(call));
            List<String> ob = CallOutcomes.canonical(tb.outcomes().get(call));
            if (oa.equals(ob)) {
                continue;
            }
            String o = call.object();
            if (!o.isEmpty() && !objectsB.contains(o)) {
                onlyA.add(o);
            } else if (!o.isEmpty() && !objectsA.contains(o)) {
                onlyB.add(o);
            } else {
                ds.add(new Difference(call.display(), CallOutcomes.kindLabel(call, ta, tb), oa, ob));
            }
        }
        return new Differences(ds, new ArrayList<>(onlyA), new ArrayList<>(onlyB));
    }

    private static Set<String> objects(CallOutcomes t) {
        Set<String> s = new java.util.HashSet<>();
        t.outcomes().keySet().forEach(c -> s.add(c.object()));
        return s;
    }

    private static void addKinds(List<String> into, List<String> objects, CallOutcomes trace) {
        for (String o : objects) {
            String k = CallOutcomes.kindOf(new CallOutcomes.Call("NdkCloseObject", o, o), trace);
            if (!into.contains(k)) {
                into.add(k);
                into.sort(Comparator.naturalOrder());
            }
        }
    }

    public List<ScenarioDiff> differing() {
        return differing;
    }

    public List<Kind> kinds() {
        return kinds;
    }

    public List<ScenarioRef> onlyA() {
        return onlyA;
    }

    public List<ScenarioRef> onlyB() {
        return onlyB;
    }

    public List<VerdictDiff> verdicts() {
        return verdicts;
    }

    public List<VerdictDiff> notCompared() {
        return notCompared;
    }

    public int compared() {
        return compared;
    }

    public boolean identical() {
        return differing.isEmpty() && onlyA.isEmpty() && onlyB.isEmpty() && verdicts.isEmpty() && notCompared.isEmpty();
    }

    // ------------------------------------------------------------------ text and JSON

    public void print(PrintWriter out) {
        for (Side s : List.of(a, b)) {
            out.println(s.name() + ": " + s.source() + (s.provider() != null ? "  (" + s.provider() + ")" : ""));
        }
        out.printf("%d scenarios in %s, %d in %s; %d compared call by call, %d of them differ; %d only in %s, %d only in %s;"
                        + " %d verdicts differ; %d more not compared%n",
                a.scenarios(), a.name(), b.scenarios(), b.name(), compared, differing.size(), onlyA.size(), a.name(),
                onlyB.size(), b.name(), verdicts.size(), notCompared.size());
        if (identical()) {
            out.println("No differences.");
            return;
        }
        if (!kinds.isEmpty()) {
            out.println();
            out.println("Kinds of difference (scenarios, examples):");
            for (Kind k : kinds) {
                if (k.oneSided() != null) {
                    out.printf("%4d  %s: %s (the runs took different paths)%n", k.scenarios().size(), k.call(),
                            String.join(", ", k.oneSided().equals("A") ? k.a() : k.b()));
                } else {
                    out.printf("%4d  %s: %s %s | %s %s%n", k.scenarios().size(), k.call(), a.name(), CallOutcomes.show(k.a()),
                            b.name(), CallOutcomes.show(k.b()));
                }
                List<String> ex = k.scenarios().subList(0, Math.min(EXAMPLES, k.scenarios().size()));
                out.println("        e.g. " + String.join(", ", ex) + (k.scenarios().size() > EXAMPLES ? ", ..." : ""));
            }
        }
        if (!verdicts.isEmpty()) {
            out.println();
            out.println("Verdicts differ (" + verdicts.size() + "):");
            for (VerdictDiff v : verdicts) {
                out.printf("  %s  %s: %s %s | %s %s%s%n", v.scenario().ids(), v.scenario().name(), a.name(), v.verdictA(),
                        b.name(), v.verdictB(), v.compared() ? "" : "; not compared call by call (" + v.reason() + ")");
            }
        }
        if (!notCompared.isEmpty()) {
            out.println();
            out.println("Not compared call by call (" + notCompared.size() + "):");
            for (VerdictDiff v : notCompared) {
                out.printf("  %s  %s: %s%n", v.scenario().ids(), v.scenario().name(), v.reason());
            }
        }
        for (Object[] only : new Object[][] {{onlyA, a.name()}, {onlyB, b.name()}}) {
            @SuppressWarnings("unchecked")
            List<ScenarioRef> l = (List<ScenarioRef>) only[0];
            if (!l.isEmpty()) {
                out.println();
                out.println("Only in " + only[1] + " (" + l.size() + "):");
                l.forEach(r -> out.printf("  %s  %s%n", r.ids(), r.name()));
            }
        }
        if (!differing.isEmpty()) {
            out.println();
            out.println("Differences per scenario (" + differing.size() + "):");
            for (ScenarioDiff d : differing) {
                out.printf("%s  %s%s%n", d.scenario().ids(), d.scenario().name(),
                        d.verdictA().equals(d.verdictB()) ? "" : "  (" + a.name() + " " + d.verdictA() + ", " + b.name()
                                + " " + d.verdictB() + ")");
                for (Difference x : d.differences()) {
                    out.printf("    %s: %s %s | %s %s%n", x.call(), a.name(), CallOutcomes.show(x.a()), b.name(),
                            CallOutcomes.show(x.b()));
                }
                if (!d.objectsOnlyA().isEmpty()) {
                    out.printf("    objects only %s's trace has: %s%n", a.name(), String.join(", ", d.objectsOnlyA()));
                }
                if (!d.objectsOnlyB().isEmpty()) {
                    out.printf("    objects only %s's trace has: %s%n", b.name(), String.join(", ", d.objectsOnlyB()));
                }
            }
        }
    }

    /** The same as {@link #print}, as a tree for JSON. */
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", side(a));
        m.put("b", side(b));
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("compared", compared);
        counts.put("differing", differing.size());
        counts.put("onlyInA", onlyA.size());
        counts.put("onlyInB", onlyB.size());
        counts.put("verdictsDiffer", verdicts.size());
        counts.put("notCompared", notCompared.size());
        m.put("counts", counts);
        List<Object> ks = new ArrayList<>();
        for (Kind k : kinds) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("call", k.call());
            if (k.oneSided() != null) {
                x.put("objectsOnlyIn", k.oneSided());
                x.put("objectKinds", k.oneSided().equals("A") ? k.a() : k.b());
            } else {
                x.put("a", k.a());
                x.put("b", k.b());
            }
            x.put("count", k.scenarios().size());
            x.put("examples", k.scenarios().subList(0, Math.min(EXAMPLES, k.scenarios().size())));
            x.put("scenarios", k.scenarios());
            ks.add(x);
        }
        m.put("kinds", ks);
        m.put("verdictsDiffer", verdicts.stream().map(RunComparison::verdictJson).toList());
        m.put("notCompared", notCompared.stream().map(RunComparison::verdictJson).toList());
        m.put("onlyInA", onlyA.stream().map(RunComparison::refJson).toList());
        m.put("onlyInB", onlyB.stream().map(RunComparison::refJson).toList());
        List<Object> ss = new ArrayList<>();
        for (ScenarioDiff d : differing) {
            Map<String, Object> x = refJson(d.scenario());
            x.put("verdictA", d.verdictA());
            x.put("verdictB", d.verdictB());
            x.put("differences", d.differences().stream().map(y -> {
                Map<String, Object> z = new LinkedHashMap<>();
                z.put("call", y.call());
                z.put("kind", y.kind());
                z.put("a", y.a());
                z.put("b", y.b());
                return z;
            }).toList());
            x.put("objectsOnlyInA", d.objectsOnlyA());
            x.put("objectsOnlyInB", d.objectsOnlyB());
            ss.add(x);
        }
        m.put("scenarios", ss);
        return m;
    }

    private static Map<String, Object> side(Side s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("source", s.source());
        m.put("provider", s.provider());
        m.put("scenarios", s.scenarios());
        return m;
    }

    private static Map<String, Object> refJson(ScenarioRef r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("idA", r.idA());
        m.put("idB", r.idB());
        m.put("feature", r.feature());
        m.put("name", r.name());
        return m;
    }

    private static Map<String, Object> verdictJson(VerdictDiff v) {
        Map<String, Object> m = refJson(v.scenario());
        m.put("verdictA", v.verdictA());
        m.put("verdictB", v.verdictB());
        m.put("comparedCallByCall", v.compared());
        if (v.reason() != null) {
            m.put("notComparedBecause", v.reason());
        }
        return m;
    }
}
