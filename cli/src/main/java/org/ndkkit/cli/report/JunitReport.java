package org.ndkkit.cli.report;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ArrayList;
import org.ndkkit.cli.model.LabConditionUse;
import org.ndkkit.cli.model.ScenarioResult;
import org.ndkkit.cli.model.Verdict;

/**
 * JUnit XML with the kit's final verdicts (waivers applied, not-reached included), one
 * {@code <testsuite>} per feature file, one {@code <testcase>} per scenario: failed and timeout are
 * {@code <failure>}, not-reached and environment-error are {@code <error>}, unsupported and waived
 * are {@code <skipped>} with the reason. Each test case carries its verdict, clauses and waiver as
 * properties, and one property {@code labCondition} per lab condition it used
 * ({@code resource-exhaustion on LOCAL, injected: ...}).
 */
public final class JunitReport {
    private JunitReport() {
    }

    public static void write(RunRecord r, Path file) throws IOException {
        Map<String, List<ScenarioResult>> byFeature = new LinkedHashMap<>();
        r.results.forEach(s -> byFeature.computeIfAbsent(s.feature(), k -> new ArrayList<>()).add(s));
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            w.write("<testsuites name=\"" + x("ndk-conformance " + r.providerName + " " + r.profile.id()) + "\" tests=\""
                    + r.results.size() + "\" failures=\"" + count(r.results, Verdict.FAILED, Verdict.TIMEOUT) + "\" errors=\""
                    + count(r.results, Verdict.NOT_REACHED, Verdict.ENVIRONMENT_ERROR) + "\" skipped=\""
                    + count(r.results, Verdict.UNSUPPORTED, Verdict.WAIVED) + "\">\n");
            for (Map.Entry<String, List<ScenarioResult>> e : byFeature.entrySet()) {
                List<ScenarioResult> rs = e.getValue();
                long millis = rs.stream().mapToLong(ScenarioResult::durationMillis).sum();
                w.write("  <testsuite name=\"" + x(e.getKey()) + "\" tests=\"" + rs.size() + "\" failures=\""
                        + count(rs, Verdict.FAILED, Verdict.TIMEOUT) + "\" errors=\""
                        + count(rs, Verdict.NOT_REACHED, Verdict.ENVIRONMENT_ERROR) + "\" skipped=\""
                        + count(rs, Verdict.UNSUPPORTED, Verdict.WAIVED) + "\" time=\"" + secs(millis) + "\">\n");
                w.write("    <properties>\n");
                prop(w, "      ", "provider", r.providerName + " " + r.providerVersion);
                prop(w, "      ", "profile", r.profile.id());
                prop(w, "      ", "kit", r.kitVersion);
                w.write("    </properties>\n");
                for (ScenarioResult s : rs) {
                    w.write("    <testcase classname=\"" + x(s.feature().replace(".feature", "")) + "\" name=\""
                            + x(s.name() + " [" + s.id() + "]") + "\" time=\"" + secs(s.durationMillis()) + "\">\n");
                    w.write("      <properties>\n");
                    prop(w, "        ", "verdict", s.verdict().wire());
                    prop(w, "        ", "clauses", String.join(",", s.clauses()));
                    if (s.reasonCode() != null) {
                        prop(w, "        ", "reasonCode", s.reasonCode());
                    }
                    if (s.waiverId() != null) {
                        prop(w, "        ", "waiver", s.waiverId());
                    }
                    for (LabConditionUse c : s.conditions()) {
                        prop(w, "        ", "labCondition", c.describe());
                    }
                    w.write("      </properties>\n");
                    String msg = s.reason() == null ? s.verdict().wire() : s.verdict().wire() + ": " + firstLine(s.reason());
                    switch (s.verdict()) {
                        case FAILED, TIMEOUT -> w.write("      <failure type=\"" + s.verdict().wire() + "\" message=\"" + x(msg)
                                + "\">" + x(s.reason() == null ? "" : s.reason()) + "</failure>\n");
                        case NOT_REACHED, ENVIRONMENT_ERROR -> w.write("      <error type=\"" + s.verdict().wire()
                                + "\" message=\"" + x(msg) + "\"/>\n");
                        case UNSUPPORTED, WAIVED -> w.write("      <skipped message=\"" + x(msg) + "\"/>\n");
                        default -> {
                        }
                    }
                    w.write("    </testcase>\n");
                }
                w.write("  </testsuite>\n");
            }
            w.write("</testsuites>\n");
        }
    }

    private static void prop(Writer w, String indent, String k, String v) throws IOException {
        w.write(indent + "<property name=\"" + x(k) + "\" value=\"" + x(v == null ? "" : v) + "\"/>\n");
    }

    private static long count(List<ScenarioResult> rs, Verdict... vs) {
        return rs.stream().filter(s -> List.of(vs).contains(s.verdict())).count();
    }

    private static String secs(long millis) {
        return String.format(java.util.Locale.ROOT, "%.3f", millis / 1000.0);
    }

    private static String firstLine(String s) {
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }

    /** XML-escapes text, dropping characters XML 1.0 cannot carry. */
    static String x(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> {
                    if (c >= 0x20 || c == '\n' || c == '\t' || c == '\r') {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
