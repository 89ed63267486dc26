package org.ndkkit.specsite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole site from the real spec: every clause and scenario has its place, and verdicts come from the runs. */
class SiteTest {
    @TempDir
    static Path out;
    static SpecModel spec;
    static SpecModel.Runnable failing;

    @BeforeAll
    static void render() throws Exception {
        spec = SpecModel.load(Path.of("..", "features"));
        failing = spec.runnables().get(spec.runnables().size() / 2);
        Path summary = Files.createDirectories(out.resolve("runs/simulated-x")).resolve("summary.json");
        Files.writeString(summary, """
                {"schema": "ndk-conformance-summary/1", "provider": {"name": "simulated", "settings": {}},
                 "counts": {"failed": 1, "total": 1},
                 "scenarios": [{"id": "%s", "name": "%s", "verdict": "failed", "reason": "the reason"}]}
                """.formatted(failing.id(), failing.name().replace("\"", "\\\"")));
        List<Results.Run> runs = List.of(Results.read(summary, out), Results.read(out.resolve("absent/summary.json"), out));
        Site site = new Site(spec, "9.9.9-TEST", runs);
        site.write(out.resolve("site"), false);
    }

    private static String page(String file) throws Exception {
        return Files.readString(out.resolve("site").resolve(file));
    }

    @Test
    void everyClauseHasItsEntryOnThePageOfItsSourceAndTheIndexLinksToIt() throws Exception {
        String index = page(Links.INDEX);
        assertThat(Site.clauseLinksIn(index)).isEqualTo(spec.catalogue().clauses().keySet().stream().collect(java.util.stream.Collectors.toSet()));
        for (var c : spec.catalogue().clauses().values()) {
            assertThat(index).contains("href=\"fn-" + c.sourceKey() + ".html#clause-" + c.id() + "\"");
            assertThat(page(Links.pageFile(c.sourceKey()))).contains("<section class=\"clause\" id=\"clause-" + c.id() + "\">");
        }
    }

    @Test
    void everyScenarioOfTheSuiteHasItsAnchorOnItsFeaturesPageAndInThePrintForm() throws Exception {
        String print = page(Links.PRINT);
        for (SpecModel.Runnable r : spec.runnables()) {
            String anchor = "id=\"" + Links.scenarioAnchor(r.id()) + "\"";
            assertThat(page(Links.featureFile(r.feature()))).as(r.id()).contains(anchor);
            assertThat(print).as(r.id()).contains(anchor);
        }
    }

    @Test
    void thePrintFormHasNoDuplicateAnchorsAndEveryInternalLinkLands() throws Exception {
        String print = page(Links.PRINT);
        List<String> ids = all(print, "id=\"([^\"]+)\"");
        assertThat(ids).doesNotHaveDuplicates();
        Set<String> targets = new HashSet<>(ids);
        for (String href : all(print, "href=\"#([^\"]+)\"")) {
            assertThat(targets).as("#" + href).contains(href);
        }
    }

    @Test
    void everyLinkBetweenPagesLandsOnAnAnchorThatExists() throws Exception {
        List<Path> pages;
        try (Stream<Path> s = Files.list(out.resolve("site"))) {
            pages = s.filter(p -> p.toString().endsWith(".html")).toList();
        }
        List<String> broken = new ArrayList<>();
        for (Path p : pages) {
            for (String href : all(Files.readString(p), "href=\"([^\"#:]*\\.html)?#([^\"]+)\"", 1, 2)) {
                String[] parts = href.split("\u0000");
                Path target = parts[0].isEmpty() ? p : out.resolve("site").resolve(parts[0]);
                if (!Files.exists(target) || !Files.readString(target).contains("id=\"" + parts[1] + "\"")) {
                    broken.add(p.getFileName() + " -> " + parts[0] + "#" + parts[1]);
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    @Test
    void pagesLoadNothingFromElsewhere() throws Exception {
        try (Stream<Path> s = Files.list(out.resolve("site"))) {
            for (Path p : s.filter(x -> x.toString().endsWith(".html")).toList()) {
                String html = Files.readString(p);
                assertThat(html).doesNotContain("<script", "<img", "@import", "<iframe");
                assertThat(all(html, "<link[^>]*href=\"([^\"]+)\"")).containsOnly("style.css");
            }
        }
        assertThat(out.resolve("site/style.css")).isRegularFile();
    }

    @Test
    void theTraceabilityMatrixShowsTheRunsVerdictsAndNoRunElsewhere() throws Exception {
        String trace = page(Links.TRACE);
        String row = rowOf(trace, failing.id());
        assertThat(row).contains("<td class=\"v v-failed\" title=\"the reason\">failed</td>", "<td class=\"v v-no-run\">no run</td>");
        SpecModel.Runnable other = spec.runnables().get(0);
        assertThat(rowOf(trace, other.id())).doesNotContain("v-failed").contains("v-no-run");
        assertThat(trace).contains("absent", "no summary.json there");
        for (String clause : failing.clauses()) {
            assertThat(trace).containsPattern("id=\"trace-" + clause + "\">.*?<td class=\"v v-failed\"[^>]*>failed \\d+/\\d+</td>|id=\"trace-"
                    + clause + "\">.*?<td class=\"v v-failed\"[^>]*>failed</td>");
        }
    }

    @Test
    void theVersionAndTheHashesAreShown() throws Exception {
        String index = page(Links.INDEX);
        assertThat(index).contains("9.9.9-TEST", spec.specHash());
        spec.fileHashes().forEach((f, h) -> assertThat(index).contains("<th>" + f + "</th><td><code>" + h + "</code>"));
        assertThat(spec.fileHashes()).hasSize(spec.features().size() + 1);
    }

    @Test
    void theStatusTableListsEveryNamedCodeOfTheSpi() throws Exception {
        String status = page(Links.STATUS);
        for (var s : org.ndkkit.spi.NtStatus.knownCodes().values()) {
            assertThat(status).as(s.name()).contains("<code>" + s.name() + "</code></td><td><code>" + s.hex() + "</code>");
        }
    }

    private static String rowOf(String html, String scenarioId) {
        int at = html.indexOf(">" + scenarioId + "</a> <span class=\"muted\">");
        assertThat(at).as(scenarioId).isPositive();
        return html.substring(at, html.indexOf("</tr>", at));
    }

    private static List<String> all(String text, String regex) {
        return all(text, regex, 1);
    }

    /** Every match's groups, joined with NUL. */
    private static List<String> all(String text, String regex, int... groups) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) {
            StringBuilder b = new StringBuilder();
            for (int g : groups) {
                b.append(b.length() == 0 && g == groups[0] ? "" : "\u0000").append(m.group(g) == null ? "" : m.group(g));
            }
            out.add(b.toString());
        }
        return out;
    }
}
