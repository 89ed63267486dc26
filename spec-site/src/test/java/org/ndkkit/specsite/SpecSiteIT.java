package org.ndkkit.specsite;

import static org.assertj.core.api.Assertions.assertThat;

import io.cucumber.gherkin.GherkinParser;
import io.cucumber.messages.types.Envelope;
import io.cucumber.messages.types.FeatureChild;
import io.cucumber.messages.types.RuleChild;
import io.cucumber.messages.types.Scenario;
import io.cucumber.messages.types.Step;
import io.cucumber.messages.types.Tag;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.ndkkit.kit.ClauseCatalogue;

/**
 * The site as a person reads it: the pages the build rendered, opened from disk in headless
 * Chromium. What the test expects comes from the feature files and clauses.yaml themselves, read
 * here with Cucumber's parser, not from the renderer, so a page that loses a clause or a step fails.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpecSiteIT {
    static final Path SITE = Path.of(System.getProperty("ndk.spec-site.dir", "target/spec-site"));
    static final Path FEATURES = Path.of(System.getProperty("ndk.spec-site.features", "../features"));
    static final Path EVIDENCE = Path.of(System.getProperty("ndk.spec-site.evidence", "target/failsafe-reports"));
    static final Path WORK = Path.of(System.getProperty("ndk.spec-site.work", "target/it"));

    /** A scenario as written: its name and its steps' text, and the clauses it is tagged with. */
    record Written(String name, List<String> steps, Set<String> clauses) {
    }

    static Chromium chromium;
    static ClauseCatalogue catalogue;
    static List<Written> scenarios = new ArrayList<>();
    static Map<String, String> clauseLinks = new LinkedHashMap<>();

    /** Why every test skips, or null. */
    static String missing;

    @org.junit.jupiter.api.BeforeEach
    void chromiumPresent() {
        if (missing != null) {
            org.junit.jupiter.api.Assumptions.abort(missing);
        }
    }

    @BeforeAll
    static void setUp() throws Exception {
        if (Chromium.find().isEmpty() && !Boolean.getBoolean("ndk.require-chromium")) {
            // skipped test by test, not in here: a class aborted before its tests leaves no trace in
            // the build's test reports, and the skip must be listed where Chromium is missing
            missing = "needs headless Chromium (cli/setup installs it as root on Debian)";
            return;
        }
        Path exe = Chromium.find().orElseThrow(() -> new AssertionError(
                "headless Chromium is missing: run cli/setup (the build runs it unless tests are skipped)"));
        Files.createDirectories(EVIDENCE);
        chromium = new Chromium(exe, Files.createDirectories(WORK).resolve("chromium-profile"));
        try (InputStream in = new FileInputStream(FEATURES.resolve("clauses.yaml").toFile())) {
            catalogue = ClauseCatalogue.parse(in);
        }
        GherkinParser parser = GherkinParser.builder().includeSource(false).includePickles(false).build();
        try (Stream<Path> files = Files.list(FEATURES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".feature")).sorted().toList()) {
                for (Envelope e : parser.parse(f).toList()) {
                    e.getGherkinDocument().flatMap(d -> d.getFeature()).ifPresent(feature -> {
                        for (FeatureChild c : feature.getChildren()) {
                            c.getScenario().ifPresent(SpecSiteIT::add);
                            c.getRule().ifPresent(r -> r.getChildren().forEach(rc -> rc.getScenario().ifPresent(SpecSiteIT::add)));
                        }
                    });
                }
            }
        }
    }

    private static void add(Scenario s) {
        Set<String> clauses = new LinkedHashSet<>();
        List<Tag> tags = new ArrayList<>(s.getTags());
        s.getExamples().forEach(e -> tags.addAll(e.getTags())); // an outline's clauses may sit on its Examples
        for (Tag t : tags) {
            if (t.getName().startsWith("@clause:")) {
                clauses.add(t.getName().substring("@clause:".length()));
            }
        }
        scenarios.add(new Written(s.getName(), s.getSteps().stream().map(Step::getText).toList(), clauses));
    }

    static String dom(String url, String name) throws Exception {
        Path out = WORK.resolve(name + ".dom.html");
        chromium.run(List.of("--dump-dom", url), out);
        String dom = Files.readString(out);
        assertThat(dom).as("DOM of " + url).contains("</body>");
        return dom;
    }

    /** Text as the DOM serialises it. */
    static String html(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Test
    @Order(1)
    void theIndexLinksEveryClauseOfTheCatalogue() throws Exception {
        String index = dom(SITE.resolve("index.html").toUri().toString(), "index");
        Matcher m = Pattern.compile("<a href=\"(fn-[a-z-]+\\.html#clause-([A-Z0-9-]+))\">").matcher(index);
        while (m.find()) {
            clauseLinks.putIfAbsent(m.group(2), m.group(1));
        }
        assertThat(clauseLinks.keySet()).containsExactlyInAnyOrderElementsOf(catalogue.clauses().keySet());
        assertThat(index).contains(catalogue.clauses().size() + ")");
    }

    @Test
    @Order(2)
    void followingEachClauseLinkLeadsToTheClauseWithItsScenariosSteps() throws Exception {
        assertThat(clauseLinks).isNotEmpty();
        Map<String, String> pages = new LinkedHashMap<>();
        for (Map.Entry<String, String> link : clauseLinks.entrySet()) {
            String file = link.getValue().substring(0, link.getValue().indexOf('#'));
            if (!pages.containsKey(file)) {
                // load the page the way the link does: URL and anchor
                pages.put(file, dom(SITE.resolve(file).toUri() + link.getValue().substring(file.length()), file));
            }
            String dom = pages.get(file);
            String clause = link.getKey();
            int at = dom.indexOf("id=\"clause-" + clause + "\"");
            assertThat(at).as(clause + " on " + file).isPositive();
            // the clause's section as text: what a reader sees, markup aside
            String section = dom.substring(at, dom.indexOf("</section>", at)).replaceAll("<[^>]+>", "");
            assertThat(section).as(clause).contains(html(catalogue.get(clause).rule()), catalogue.get(clause).sourceUrl(),
                    catalogue.get(clause).level());
            List<Written> checking = scenarios.stream().filter(s -> s.clauses().contains(clause)).toList();
            assertThat(checking).as(clause).isNotEmpty();
            for (Written s : checking) {
                assertThat(section).as(clause + ": " + s.name()).contains(html(s.name()));
                for (String step : s.steps()) {
                    assertThat(section).as(clause + ": " + step).contains(html(step));
                }
            }
        }
    }

    @Test
    @Order(3)
    void aScenarioLinkUnderAClauseLandsOnThatScenarioInItsFeature() throws Exception {
        String file = Links.pageFile("connect-with-shared-endpoint");
        String page = dom(SITE.resolve(file).toUri() + "#clause-CSE-SUCCESS", "clause-page");
        int at = page.indexOf("id=\"clause-CSE-SUCCESS\"");
        Matcher m = Pattern.compile("<a href=\"(feature-[a-z-]+\\.html)#(scenario-([a-z-]+\\.feature)-(\\d+))\">")
                .matcher(page.substring(at));
        assertThat(m.find()).isTrue();
        String feature = dom(SITE.resolve(m.group(1)).toUri() + "#" + m.group(2), "feature-page");
        assertThat(feature).contains("id=\"" + m.group(2) + "\"");
        List<String> lines = Files.readAllLines(FEATURES.resolve(m.group(3)));
        String scenarioLine = lines.get(Integer.parseInt(m.group(4)) - 1).trim();
        assertThat(scenarioLine).startsWith("Scenario:");
        assertThat(feature).contains(html(scenarioLine.substring("Scenario:".length()).trim()));

        // Headless Chromium paints nothing when a screenshot scrolls far to an anchor, so the clause
        // page is taken whole, in a window tall enough to reach the clause and its first scenario.
        for (String[] shot : new String[][] {{"spec-site-index.png", SITE.resolve("index.html").toUri().toString(), "1000"},
            {"spec-site-clause.png", SITE.resolve(file).toUri().toString(), "2600"}}) {
            Path png = EVIDENCE.resolve(shot[0]);
            Files.deleteIfExists(png);
            chromium.run(List.of("--window-size=1280," + shot[2], "--screenshot=" + png.toAbsolutePath(), shot[1]),
                    WORK.resolve("screenshot.log"));
            assertThat(png).isRegularFile();
            assertThat(Files.size(png)).isGreaterThan(10_000);
            assertThat(Arrays.copyOf(Files.readAllBytes(png), 4)).containsExactly(0x89, 'P', 'N', 'G');
            System.out.println("screenshot of the spec site: " + png.toAbsolutePath());
        }
    }

    @Test
    @Order(4)
    void theMatrixShowsWhatARunSaidAndNoRunWhereThereIsNone() throws Exception {
        // A site of our own, made the way spec-site/render makes it, from a run we wrote: one failed
        // scenario, and one run whose summary.json does not exist.
        Written any = scenarios.stream().filter(s -> !s.steps().isEmpty()).findFirst().orElseThrow();
        SpecModel spec = SpecModel.load(FEATURES);
        SpecModel.Runnable target = spec.runnables().stream().filter(r -> r.name().equals(any.name())).findFirst().orElseThrow();
        Path run = Files.createDirectories(WORK.resolve("runs/lying")).resolve("summary.json");
        Files.writeString(run, """
                {"schema": "ndk-conformance-summary/1", "provider": {"name": "lying", "settings": {}},
                 "counts": {"failed": 1, "total": 1},
                 "scenarios": [{"id": "%s", "name": "%s", "verdict": "failed", "reason": "expected STATUS_X"}]}
                """.formatted(target.id(), target.name().replace("\"", "\\\"")));
        Path site = WORK.resolve("site");
        SpecSiteMain.main(new String[] {"--features", FEATURES.toString(), "--out", site.toString(), "--base", WORK.toString(),
            "--results", run.toString(), "--results", WORK.resolve("runs/none/summary.json").toString()});
        String trace = dom(site.resolve(Links.TRACE).toUri().toString(), "trace");
        int at = trace.indexOf(">" + target.id() + "</a>");
        assertThat(at).isPositive();
        String row = trace.substring(at, trace.indexOf("</tr>", at));
        assertThat(row).contains(">failed</td>", ">no run</td>");
        assertThat(trace).contains("runs/lying", "runs/none", "no summary.json there");
        long failedCells = Pattern.compile(">failed(?: \\d+/\\d+)?</td>").matcher(trace).results().count();
        // the scenario stands under each clause it checks, and each of those clauses' lines shows the failure
        assertThat(failedCells).as("failed cells").isEqualTo(2L * target.clauses().size());
    }

    @Test
    @Order(5)
    void thePrintFormHoldsEveryClauseAndPrintsToPdf() throws Exception {
        String print = dom(SITE.resolve(Links.PRINT).toUri().toString(), "print");
        for (String clause : catalogue.clauses().keySet()) {
            assertThat(print).contains("id=\"clause-" + clause + "\"");
        }
        Path pdf = WORK.resolve("spec.pdf");
        chromium.printToPdf(SITE.resolve(Links.PRINT).toAbsolutePath(), pdf.toAbsolutePath());
        byte[] bytes = Files.readAllBytes(pdf);
        assertThat(new String(Arrays.copyOf(bytes, 5), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
        long pages = Pattern.compile("/Type\\s*/Page[^s]").matcher(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1))
                .results().count();
        assertThat(pages).as("pages of spec.pdf").isGreaterThan(20);
    }
}
