package org.ndkkit.specsite;

import static org.ndkkit.specsite.Html.badge;
import static org.ndkkit.specsite.Html.esc;
import static org.ndkkit.specsite.Html.h;
import static org.ndkkit.specsite.Html.link;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ndkkit.kit.ClauseCatalogue.Clause;
import org.ndkkit.kit.KitVersion;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.specsite.ReadLimits.Check;
import org.ndkkit.specsite.ReadLimits.Worked;
import org.ndkkit.specsite.Register.Item;
import org.ndkkit.specsite.Results.Run;
import org.ndkkit.specsite.SiteData.AdapterPair;
import org.ndkkit.specsite.SiteData.Page;
import org.ndkkit.specsite.SpecModel.Feature;
import org.ndkkit.specsite.SpecModel.RuleBlock;
import org.ndkkit.specsite.SpecModel.Runnable;
import org.ndkkit.specsite.SpecModel.Scenario;
import org.ndkkit.specsite.StatusCodes.Row;

/**
 * The spec site: every page as HTML, from the spec, the module's own data and the runs' verdicts.
 * Each part is rendered by one method for both forms - the multi-page site and the single-page
 * print form spec.html - with {@link Links} deciding where a link points, so the two never differ
 * in content.
 */
final class Site {
    static final String TITLE = "NDK connection establishment: the conformance spec";
    private static final String LEVEL_MANDATORY = "every provider must meet it exactly";
    private static final String LEVEL_PROVIDER = "the pages leave part of it to the provider: the kit checks the fixed "
            + "part (for example \"an error, not success\") and records the rest";

    private final SpecModel spec;
    private final String version;
    private final Map<String, Page> pages;
    private final List<Item> register;
    private final List<AdapterPair> pairs;
    private final List<Worked> worked;
    private final List<Row> statusRows;
    private final List<Run> runs;
    private final Map<String, String> clauseSource = new LinkedHashMap<>();

    Site(SpecModel spec, String version, List<Run> runs) {
        this.spec = spec;
        this.version = version;
        this.runs = List.copyOf(runs);
        this.pages = SiteData.pages(SiteData.read("functions.yaml"), spec.catalogue().sources().keySet());
        this.register = Register.join(SiteData.entries(SiteData.read("ambiguities.yaml")), spec.catalogue());
        this.pairs = SiteData.pairs(SiteData.read("read-limits.yaml"));
        this.worked = ReadLimits.work(spec.runnables(), pairs);
        List<StatusCodes.Use> uses = StatusCodes.uses(spec.runnables());
        List<String> unchecked = StatusCodes.unchecked(uses, spec.catalogue());
        if (!unchecked.isEmpty()) {
            throw new IllegalStateException("status codes:\n  " + String.join("\n  ", unchecked));
        }
        Map<String, String> functionOfSource = new LinkedHashMap<>();
        pages.values().stream().filter(p -> p.kind().equals("function")).forEach(p -> functionOfSource.put(p.key(), p.title()));
        this.statusRows = StatusCodes.rows(uses, spec.catalogue(), functionOfSource);
        spec.catalogue().clauses().values().forEach(c -> clauseSource.put(c.id(), c.sourceKey()));
    }

    static Site of(SpecModel spec, List<Run> runs) {
        return new Site(spec, KitVersion.get(), runs);
    }

    // ------------------------------------------------------------------ writing

    /** Writes the whole site into {@code out}; {@code pdf} names spec.pdf when one was printed. */
    void write(Path out, boolean pdf) throws IOException {
        Files.createDirectories(out);
        Links l = Links.site(clauseSource);
        try (InputStream css = Site.class.getResourceAsStream("site.css")) {
            Files.write(out.resolve("style.css"), css.readAllBytes());
        }
        write(out, Links.INDEX, TITLE, index(l, pdf));
        for (Page p : pages.values()) {
            write(out, Links.pageFile(p.key()), p.title(), pageSection(p, l, 1, true));
        }
        for (Feature f : spec.features()) {
            write(out, Links.featureFile(f.file()), f.name(), featureSection(f, l, 1));
        }
        write(out, Links.STATUS, "Status codes", statusSection(l, 1));
        write(out, Links.LIMITS, "Read limits", limitsSection(l, 1));
        write(out, Links.AMBIGUITIES, "Ambiguity register", registerSection(l, 1));
        write(out, Links.TRACE, "Traceability", traceSection(l, 1));
        Files.writeString(out.resolve(Links.PRINT), printForm(), StandardCharsets.UTF_8);
    }

    private void write(Path out, String file, String title, String body) throws IOException {
        Files.writeString(out.resolve(file), document(title, nav(file) + body, false), StandardCharsets.UTF_8);
    }

    private String document(String title, String body, boolean print) {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + esc(title)
                + "</title>\n<meta name=\"generator\" content=\"ndk-spec-site " + esc(version) + "\">\n"
                + "<link rel=\"stylesheet\" href=\"style.css\">\n</head>\n<body class=\"" + (print ? "print" : "site") + "\">\n"
                + body + "<footer>NDK conformance kit " + esc(version) + " &middot; spec sha256 <code>" + esc(spec.specHash())
                + "</code> &middot; rendered from features/ by spec-site</footer>\n</body>\n</html>\n";
    }

    private String nav(String current) {
        StringBuilder b = new StringBuilder("<nav><span class=\"kit\">NDK conformance kit ").append(esc(version)).append("</span>");
        String[][] items = {{Links.INDEX, "Contents"}, {Links.STATUS, "Status codes"}, {Links.LIMITS, "Read limits"},
            {Links.AMBIGUITIES, "Ambiguities"}, {Links.TRACE, "Traceability"}, {Links.PRINT, "Print form"}};
        for (String[] i : items) {
            b.append(i[0].equals(current) ? " <b>" + esc(i[1]) + "</b>" : " " + link(i[0], i[1]));
        }
        return b.append("</nav>\n").toString();
    }

    // ------------------------------------------------------------------ index and print form

    private String index(Links l, boolean pdf) {
        StringBuilder b = new StringBuilder(h(1, null, esc(TITLE)));
        b.append("<p class=\"lead\">The rules a provider of <code>NdkConnectWithSharedEndpoint</code> and the connection ")
                .append("life around it must follow, as the kit checks them. Every rule is a clause of ")
                .append("<code>features/clauses.yaml</code>; every scenario below is the Gherkin the suite runs, rendered ")
                .append("from the same files, so this document and the test cannot drift apart.</p>\n");
        b.append("<p>Print form: ").append(link(Links.PRINT, "spec.html")).append(" (one page; the browser's \"print to PDF\" ")
                .append("gives a paginated document)").append(pdf ? ", or " + link("spec.pdf", "spec.pdf") : "").append(".</p>\n");
        b.append(versionBlock(2));
        b.append(h(2, "functions", "NDKPI functions and pages"));
        b.append(pageList(l));
        b.append(h(2, "features", "Features"));
        b.append("<ul class=\"toc\">\n");
        for (Feature f : spec.features()) {
            long n = spec.runnables().stream().filter(r -> r.feature().equals(f.file())).count();
            b.append("<li>").append(link(l.feature(f.file()), f.name())).append(" <span class=\"muted\">").append(esc(f.file()))
                    .append(", ").append(n).append(" scenarios</span></li>\n");
        }
        b.append("</ul>\n");
        b.append(h(2, "appendices", "Tables"));
        b.append("<ul class=\"toc\">\n<li>").append(link(Links.STATUS, "Status codes")).append(": every NTSTATUS with the ")
                .append("functions that return it, the path, and the clause that requires it</li>\n<li>")
                .append(link(Links.LIMITS, "Read limits")).append(": the capping rules as formulas, worked through the ")
                .append("scenarios' examples</li>\n<li>").append(link(Links.AMBIGUITIES, "Ambiguity register"))
                .append(": where Microsoft's pages contradict themselves or are silent, and the kit's reading</li>\n<li>")
                .append(link(Links.TRACE, "Traceability")).append(": clause to scenarios to verdict per provider run</li>\n</ul>\n");
        b.append(h(2, "clauses", "All clauses (" + spec.catalogue().clauses().size() + ")"));
        b.append(clauseIndex(l));
        return b.toString();
    }

    private String pageList(Links l) {
        StringBuilder b = new StringBuilder();
        Map<String, String> kinds = new LinkedHashMap<>();
        kinds.put("function", "Functions");
        kinds.put("callback", "Callbacks the consumer implements");
        kinds.put("structure", "Structures");
        kinds.put("concept", "Requirement pages");
        Map<String, List<String>> clausesBySource = clausesBySource();
        kinds.forEach((kind, heading) -> {
            b.append("<p class=\"group\">").append(esc(heading)).append("</p>\n<ul class=\"toc\">\n");
            for (Page p : pages.values()) {
                if (kind.equals(p.kind())) {
                    int n = clausesBySource.getOrDefault(p.key(), List.of()).size();
                    b.append("<li>").append(link(l.page(p.key()), p.title())).append(" <span class=\"muted\">")
                            .append(n == 0 ? "no clause cites this page" : n + (n == 1 ? " clause" : " clauses")).append("</span></li>\n");
                }
            }
            b.append("</ul>\n");
        });
        return b.toString();
    }

    private Map<String, List<String>> clausesBySource() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        spec.catalogue().clauses().values().forEach(c -> m.computeIfAbsent(c.sourceKey(), k -> new ArrayList<>()).add(c.id()));
        return m;
    }

    /** Every clause with a link to its entry: the reader's index, and what the IT follows. */
    private String clauseIndex(Links l) {
        StringBuilder b = new StringBuilder("<table class=\"clauses\">\n<thead><tr><th>clause</th><th>level</th><th>page</th>"
                + "<th>rule</th><th>scenarios</th></tr></thead>\n<tbody>\n");
        Map<String, List<Runnable>> by = spec.runnablesByClause();
        for (Clause c : spec.catalogue().clauses().values()) {
            b.append("<tr><td class=\"cid\">").append(link(l.clause(c.id()), c.id())).append("</td><td>")
                    .append(badge(c.level(), c.level())).append("</td><td>").append(link(l.page(c.sourceKey()), pages.get(c.sourceKey()).title()))
                    .append("</td><td>").append(Html.prose(c.rule())).append("</td><td class=\"num\">").append(by.get(c.id()).size())
                    .append("</td></tr>\n");
        }
        return b.append("</tbody>\n</table>\n").toString();
    }

    /** The kit version and the hashes that identify this spec. */
    private String versionBlock(int level) {
        StringBuilder b = new StringBuilder(h(level, "version", "Version"));
        b.append("<table class=\"version\">\n<tr><th>kit version</th><td><code>").append(esc(version)).append("</code></td></tr>\n")
                .append("<tr><th>spec (all files)</th><td><code>").append(esc(spec.specHash()))
                .append("</code> <span class=\"muted\">SHA-256 of the lines &lt;sha256&gt;&nbsp;&nbsp;&lt;file&gt;, as ")
                .append("ndk-cli records it in summary.json (kit.spec.sha256)</span></td></tr>\n");
        spec.fileHashes().forEach((f, hash) -> b.append("<tr><th>").append(esc(f)).append("</th><td><code>").append(esc(hash))
                .append("</code></td></tr>\n"));
        return b.append("</table>\n").toString();
    }

    /** spec.html: every part in one document, for reading in order and printing. */
    String printForm() {
        Links l = Links.single();
        StringBuilder b = new StringBuilder(h(1, null, esc(TITLE)));
        b.append("<p class=\"lead\">Kit ").append(esc(version)).append(". Rendered from <code>features/*.feature</code> and ")
                .append("<code>features/clauses.yaml</code>; the scenarios are the tests the suite runs.</p>\n");
        String[][] parts = {{"reading", "How to read this spec"}, {"functions", "NDKPI functions and pages"},
            {"features", "Features"}, {Links.partAnchor(Links.STATUS), "Status codes"},
            {Links.partAnchor(Links.LIMITS), "Read limits"}, {Links.partAnchor(Links.AMBIGUITIES), "Ambiguity register"},
            {Links.partAnchor(Links.TRACE), "Traceability"}};
        b.append("<nav class=\"contents\"><p class=\"group\">Contents</p><ol>\n");
        for (String[] p : parts) {
            b.append("<li>").append(link("#" + p[0], p[1])).append("</li>\n");
        }
        b.append("</ol></nav>\n").append(versionBlock(2));
        b.append("<section class=\"part\">").append(h(2, "reading", "How to read this spec"))
                .append("<p>Each rule is a <b>clause</b> with a stable id (<code>CSE-SUCCESS</code>) and a level: <b>mandatory</b> - ")
                .append(esc(LEVEL_MANDATORY)).append("; <b>provider-defined</b> - ").append(esc(LEVEL_PROVIDER)).append(". ")
                .append("A clause is checked by the scenarios tagged <code>@clause:ID</code>; a scenario's id is ")
                .append("<code>&lt;feature file&gt;:&lt;line&gt;</code>, the id the suite reports it under (an outline's ")
                .append("example row has its own line). Where the NDKPI pages are silent or contradict themselves the clause ")
                .append("states the kit's <b>reading</b>.</p></section>\n");
        b.append("<section class=\"part\">").append(h(2, "functions", "NDKPI functions and pages"));
        for (Page p : pages.values()) {
            b.append("<section class=\"page\" id=\"").append(esc(Links.pageAnchor(p.key()))).append("\">")
                    .append(pageSection(p, l, 3, false)).append("</section>\n");
        }
        b.append("</section>\n<section class=\"part\">").append(h(2, "features", "Features"));
        for (Feature f : spec.features()) {
            b.append("<section class=\"feature\" id=\"").append(esc(Links.featureAnchor(f.file()))).append("\">")
                    .append(featureSection(f, l, 3)).append("</section>\n");
        }
        b.append("</section>\n");
        String[][] tail = {{Links.STATUS, statusSection(l, 2)}, {Links.LIMITS, limitsSection(l, 2)},
            {Links.AMBIGUITIES, registerSection(l, 2)}, {Links.TRACE, traceSection(l, 2)}};
        for (String[] t : tail) {
            b.append("<section class=\"part\" id=\"").append(esc(Links.partAnchor(t[0]))).append("\">").append(t[1]).append("</section>\n");
        }
        return document(TITLE + " (print form)", b.toString(), true);
    }

    // ------------------------------------------------------------------ one NDKPI page

    /**
     * A source page: what the function is, its parameters, the codes its page documents, and its
     * clauses. {@code fullScenarios}: show each clause's scenarios in full (the site) or as links
     * to their one full rendering (the print form, which has the features as a part of their own).
     */
    String pageSection(Page p, Links l, int level, boolean fullScenarios) {
        StringBuilder b = new StringBuilder(h(level, null, esc(p.title())));
        b.append("<p class=\"typedef\">").append(p.typedef() == null ? "" : "<code>" + esc(p.typedef()) + "</code> &middot; ")
                .append(esc(p.kind())).append(" &middot; ").append(link(spec.catalogue().sources().get(p.key()),
                        "Microsoft's page on learn.microsoft.com")).append("</p>\n");
        b.append("<p>").append(Html.prose(p.summary())).append("</p>\n");
        if (p.calling() != null) {
            b.append("<p><b>Calling:</b> ").append(Html.prose(p.calling())).append("</p>\n");
        }
        if (!p.parameters().isEmpty()) {
            b.append(h(level + 1, null, p.kind().equals("structure") ? "Fields" : "Parameters"));
            b.append("<table class=\"params\">\n<thead><tr><th>").append(p.kind().equals("structure") ? "field" : "parameter")
                    .append("</th><th>type</th><th>direction</th><th>meaning</th></tr></thead>\n<tbody>\n");
            for (List<String> r : p.parameters()) {
                b.append("<tr><td><code>").append(esc(r.get(0))).append("</code></td><td><code>").append(esc(r.get(1)))
                        .append("</code></td><td>").append(esc(r.get(2))).append("</td><td>").append(Html.prose(r.get(3)))
                        .append("</td></tr>\n");
            }
            b.append("</tbody>\n</table>\n");
        }
        if (!p.returns().isEmpty()) {
            b.append(h(level + 1, null, "Documented return codes"));
            b.append("<table class=\"returns\">\n<thead><tr><th>status</th><th>hex</th><th>the page says</th><th>required by</th>"
                    + "</tr></thead>\n<tbody>\n");
            for (List<String> r : p.returns()) {
                Set<String> by = new TreeSet<>();
                statusRows.stream().filter(row -> row.status() != null && row.status().name().equals(r.get(0))
                        && row.function().contains(p.title())).forEach(row -> by.addAll(row.requiredBy()));
                Set<String> naming = new TreeSet<>();
                spec.catalogue().clauses().values().stream().filter(c -> c.sourceKey().equals(p.key()) && c.rule().contains(r.get(0)))
                        .forEach(c -> naming.add(c.id()));
                String none = naming.isEmpty() ? "<span class=\"muted\">not checked</span>"
                        : "<span class=\"muted\">no step asserts it; the rule of</span> " + clauseLinks(naming, l)
                                + " <span class=\"muted\">names it</span>";
                b.append("<tr><td><code>").append(esc(r.get(0))).append("</code></td><td><code>")
                        .append(esc(NtStatus.named(r.get(0)).hex())).append("</code></td><td>").append(Html.prose(r.get(1)))
                        .append("</td><td>").append(by.isEmpty() ? none : clauseLinks(by, l)).append("</td></tr>\n");
            }
            b.append("</tbody>\n</table>\n");
        }
        List<String> clauses = clausesBySource().getOrDefault(p.key(), List.of());
        b.append(h(level + 1, null, "Clauses (" + clauses.size() + ")"));
        if (clauses.isEmpty()) {
            b.append("<p class=\"muted\">No clause cites this page directly.</p>\n");
        }
        for (String id : clauses) {
            b.append(clauseSection(spec.catalogue().get(id), l, level + 2, fullScenarios));
        }
        List<Feature> features = spec.features().stream().filter(f -> f.functions().contains(p.title())).toList();
        if (!features.isEmpty()) {
            b.append("<p class=\"muted\">Features about ").append(esc(p.title())).append(": ");
            b.append(String.join(", ", features.stream().map(f -> link(l.feature(f.file()), f.name())).toList())).append("</p>\n");
        }
        return b.toString();
    }

    private String clauseSection(Clause c, Links l, int level, boolean fullScenarios) {
        String anchor = Links.clauseAnchor(c.id());
        StringBuilder b = new StringBuilder("<section class=\"clause\" id=\"" + esc(anchor) + "\">\n");
        b.append(h(level, null, "<a class=\"self\" href=\"#" + esc(anchor) + "\">" + esc(c.id()) + "</a> "
                + badge(c.level(), c.level())));
        b.append("<p class=\"rule\">").append(Html.prose(c.rule())).append("</p>\n<dl class=\"meta\">\n");
        b.append("<dt>Source</dt><dd>").append(link(c.sourceUrl(), pages.get(c.sourceKey()).title())).append(" <span class=\"muted\">")
                .append(esc(c.sourceUrl())).append("</span></dd>\n");
        b.append("<dt>Level</dt><dd>").append(esc(c.level())).append(": ")
                .append(esc(c.level().equals("mandatory") ? LEVEL_MANDATORY : LEVEL_PROVIDER)).append("</dd>\n");
        if (c.reading() != null) {
            b.append("<dt>Reading</dt><dd>").append(Html.prose(c.reading())).append("</dd>\n");
        }
        if (c.ambiguity() != null) {
            String entry = Register.entryOf(register, c.id());
            Item item = register.stream().filter(i -> i.entry().id().equals(entry)).findFirst().orElseThrow();
            b.append("<dt>Ambiguity</dt><dd>").append(link(l.ambiguity(entry), entry)).append(": ")
                    .append(esc(item.entry().title())).append("</dd>\n");
        }
        List<Runnable> rs = spec.runnablesByClause().get(c.id());
        b.append("<dt>Checked by</dt><dd>").append(rs.size()).append(rs.size() == 1 ? " scenario: " : " scenarios: ")
                .append(String.join(", ", rs.stream().map(r -> link(l.scenario(r.id()), r.id())).toList())).append("</dd>\n</dl>\n");
        GherkinHtml g = new GherkinHtml(l);
        for (Scenario s : spec.scenariosByClause().get(c.id())) {
            if (fullScenarios) {
                b.append(g.scenario(s, false, background(s)));
            } else {
                b.append("<p class=\"scenario-ref\">").append(esc(s.keyword())).append(": ")
                        .append(link(l.scenario(s.id()), s.name())).append(" <span class=\"muted\">").append(esc(s.id()))
                        .append("</span></p>\n");
            }
        }
        return b.append("</section>\n").toString();
    }

    private List<SpecModel.Step> background(Scenario s) {
        return spec.features().stream().filter(f -> f.file().equals(s.feature())).findFirst().map(Feature::background)
                .orElse(List.of());
    }

    private String clauseLinks(Set<String> clauses, Links l) {
        return String.join(", ", clauses.stream().map(c -> "<a class=\"cid\" href=\"" + esc(l.clause(c)) + "\">" + esc(c) + "</a>").toList());
    }

    // ------------------------------------------------------------------ one feature

    /** A feature as written: its description, background, rules and scenarios, each scenario anchored by its suite id. */
    String featureSection(Feature f, Links l, int level) {
        GherkinHtml g = new GherkinHtml(l);
        StringBuilder b = new StringBuilder(h(level, null, "<span class=\"kw\">" + esc(f.keyword()) + ":</span> " + esc(f.name())));
        b.append("<p class=\"tags\">");
        for (String t : f.tags()) {
            String fn = t.startsWith("@function:") ? t.substring("@function:".length()) : null;
            Page p = fn == null ? null : pages.values().stream().filter(x -> x.title().equals(fn)).findFirst().orElse(null);
            b.append(p == null ? g.tag(t) : "<a class=\"tag\" href=\"" + esc(l.page(p.key())) + "\">" + esc(t) + "</a>").append(' ');
        }
        b.append("</p>\n<p class=\"muted\">").append(esc(f.file())).append(" &middot; sha256 <code>")
                .append(esc(spec.fileHashes().get(f.file()))).append("</code></p>\n");
        b.append(GherkinHtml.description(f.description()));
        if (!f.background().isEmpty()) {
            b.append("<div class=\"bg\"><p class=\"kwline\"><span class=\"kw\">Background:</span></p>\n")
                    .append(g.steps(f.background(), false)).append("</div>\n");
        }
        for (RuleBlock rb : f.blocks()) {
            if (rb.name() != null) {
                b.append(h(level + 1, null, "<span class=\"kw\">" + esc(rb.keyword()) + ":</span> " + esc(rb.name())));
                if (!rb.description().isEmpty()) {
                    b.append(GherkinHtml.description(rb.description()));
                }
            }
            rb.scenarios().forEach(s -> b.append(g.scenario(s, true, null)));
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ status codes

    String statusSection(Links l, int level) {
        StringBuilder b = new StringBuilder(h(level, null, "Status codes"));
        b.append("""
                <p>Every status a scenario requires, read from the scenarios' own steps ("the connect of C1 fails with
                STATUS_CONNECTION_REFUSED", "the reject returns STATUS_SUCCESS"). <b>Path</b> is where the kit accepts
                it: <i>inline</i> - the call's return value; <i>through the completion</i> - the call returned
                STATUS_PENDING and the completion carried it; the kit's completion rules hold on either path.
                <b>Required by</b> are the clauses whose rule names the status for that function (where none does, the
                clauses of the function's own page, or else every clause of the scenarios that check it); <b>also
                checked in</b> are the other clauses of those scenarios.</p>
                """);
        b.append("<table class=\"status\">\n<thead><tr><th>status</th><th>hex</th><th>function</th><th>path</th>")
                .append("<th>required by</th><th>also checked in</th><th>scenarios</th><th>on the function's page</th></tr></thead>\n<tbody>\n");
        for (Row r : statusRows) {
            List<String> paths = r.paths().stream().map(p -> p.text).toList();
            b.append("<tr id=\"status-").append(esc(r.status() == null ? "provider-defined" : r.status().name())).append("-")
                    .append(esc(r.function().replaceAll("[^A-Za-z]", ""))).append("\"><td><code>").append(esc(r.name()))
                    .append("</code></td><td><code>").append(esc(r.hex())).append("</code></td><td>").append(functionLinks(r.function(), l))
                    .append("</td><td>").append(esc(String.join("; ", paths))).append("</td><td>").append(clauseLinks(r.requiredBy(), l))
                    .append("</td><td>").append(clauseLinks(r.alsoIn(), l)).append("</td><td>").append(scenarioList(r.scenarios(), l))
                    .append("</td><td>").append(documented(r)).append("</td></tr>\n");
        }
        b.append("</tbody>\n</table>\n");
        Set<String> used = new TreeSet<>();
        statusRows.stream().filter(r -> r.status() != null).forEach(r -> used.add(r.status().name()));
        b.append(h(level + 1, null, "Other codes the kit knows"));
        b.append("<p>Codes of the provider SPI's <code>NtStatus</code> that no scenario requires. The kit names them in ")
                .append("reports so a provider's answer reads as a name, not a number.</p>\n");
        b.append("<table class=\"status\">\n<thead><tr><th>status</th><th>hex</th><th>mentioned in</th><th>documented on</th>")
                .append("</tr></thead>\n<tbody>\n");
        for (NtStatus s : NtStatus.knownCodes().values()) {
            if (used.contains(s.name())) {
                continue;
            }
            Set<String> mentioned = new TreeSet<>();
            spec.catalogue().clauses().values().stream()
                    .filter(c -> (c.rule() + " " + (c.reading() == null ? "" : c.reading())).contains(s.name()))
                    .forEach(c -> mentioned.add(c.id()));
            List<String> on = pages.values().stream().filter(p -> p.documents(s.name())).map(p -> link(l.page(p.key()), p.title())).toList();
            b.append("<tr><td><code>").append(esc(s.name())).append("</code></td><td><code>").append(esc(s.hex()))
                    .append("</code></td><td>").append(mentioned.isEmpty() ? "<span class=\"muted\">no clause</span>" : clauseLinks(mentioned, l))
                    .append("</td><td>").append(on.isEmpty() ? "<span class=\"muted\">no page the kit cites</span>" : String.join(", ", on))
                    .append("</td></tr>\n");
        }
        return b.append("</tbody>\n</table>\n").toString();
    }

    /** Scenario ids grouped by feature file: "read-limits.feature :31 :38". */
    private static String scenarioList(List<String> ids, Links l) {
        Map<String, List<String>> byFeature = new LinkedHashMap<>();
        ids.forEach(id -> byFeature.computeIfAbsent(id.substring(0, id.lastIndexOf(':')), k -> new ArrayList<>()).add(id));
        StringBuilder b = new StringBuilder();
        byFeature.forEach((f, list) -> {
            b.append("<span class=\"sfile\">").append(esc(f)).append("</span>");
            list.forEach(id -> b.append(' ').append(link(l.scenario(id), id.substring(id.lastIndexOf(':')))));
            b.append("<br>");
        });
        return b.toString();
    }

    private String functionLinks(String functions, Links l) {
        List<String> out = new ArrayList<>();
        for (String f : functions.split(", ")) {
            Page p = pages.values().stream().filter(x -> x.title().equals(f)).findFirst().orElse(null);
            out.add(p == null ? "<code>" + esc(f) + "</code>" : "<a href=\"" + esc(l.page(p.key())) + "\"><code>" + esc(f) + "</code></a>");
        }
        return String.join(", ", out);
    }

    /** Whether the function's page lists the code: a check the docs and the kit agree. */
    private String documented(Row r) {
        if (r.status() == null) {
            return "no code named (see the ambiguity register)";
        }
        List<String> fs = List.of(r.function().split(", "));
        List<Page> ps = pages.values().stream().filter(p -> fs.contains(p.title())).toList();
        if (ps.isEmpty()) {
            return "<span class=\"muted\">not a page the kit cites</span>";
        }
        return ps.stream().allMatch(p -> p.documents(r.status().name())) ? "listed" : "<b>not listed</b>";
    }

    // ------------------------------------------------------------------ read limits

    String limitsSection(Links l, int level) {
        StringBuilder b = new StringBuilder(h(level, null, "Read limits"));
        b.append("""
                <p>A consumer asks for read limits with its connect (or accept); the provider caps each to its adapter's
                maximum - never refusing a value - and then lowers it to the peer's opposite value when that is lower.
                The peer's value is itself capped by the peer's adapter first. The consumer reads the result with
                <code>NdkGetConnectionData</code>. Values are 32-bit unsigned.</p>
                """);
        b.append("<table class=\"formulas\">\n<thead><tr><th>value</th><th>formula</th><th>clauses</th></tr></thead>\n<tbody>\n");
        String[][] formulas = {
            {"capped limit", "cap(v, max) = min(v, max)", "LIM-INBOUND-CAP LIM-OUTBOUND-CAP LIM-ZERO"},
            {"effective inbound (active side)", "min(own InboundReadLimit, MaxInboundReadLimit, min(peer's OutboundReadLimit, peer's MaxOutboundReadLimit))",
                "LIM-INBOUND-PEER LIM-PEER-CAPPED-FIRST"},
            {"effective outbound (active side)", "min(own OutboundReadLimit, MaxOutboundReadLimit, min(peer's InboundReadLimit, peer's MaxInboundReadLimit))",
                "LIM-OUTBOUND-PEER LIM-PEER-CAPPED-FIRST"},
            {"inbound the passive side reads before its accept", "min(peer's MaxInboundReadLimit, min(active OutboundReadLimit, MaxOutboundReadLimit))",
                "LIM-PASSIVE-VIEW"},
            {"outbound the passive side reads before its accept", "min(peer's MaxOutboundReadLimit, min(active InboundReadLimit, MaxInboundReadLimit))",
                "LIM-PASSIVE-VIEW"}};
        for (String[] f : formulas) {
            b.append("<tr><td>").append(esc(f[0])).append("</td><td><code class=\"formula\">").append(esc(f[1])).append("</code></td><td>")
                    .append(clauseLinks(new java.util.LinkedHashSet<>(List.of(f[2].split(" "))), l)).append("</td></tr>\n");
        }
        b.append("</tbody>\n</table>\n<p class=\"muted\">MaxInboundReadLimit and MaxOutboundReadLimit without \"peer's\" are the ")
                .append("local (active) adapter's. A limit of 0 stays 0: min() of anything with 0 is 0.</p>\n");
        b.append(h(level + 1, null, "Worked examples"));
        b.append("""
                <p>Each row below is a scenario of the suite (an outline's example row is one), worked with an example adapter
                pair. The requested and expected values are read from the scenario's own steps and examples table when
                this page is built; the formulas above compute the effective value independently, and the build fails
                if the two disagree. A pair is used only where it meets the scenario's own preconditions.</p>
                """);
        b.append("<table class=\"pairs\">\n<thead><tr><th>pair</th><th>local MaxInboundReadLimit</th><th>local MaxOutboundReadLimit</th>")
                .append("<th>peer's MaxInboundReadLimit</th><th>peer's MaxOutboundReadLimit</th><th></th></tr></thead>\n<tbody>\n");
        for (AdapterPair p : pairs) {
            b.append("<tr><td>").append(esc(p.name())).append("</td><td class=\"num\">").append(p.local().inbound())
                    .append("</td><td class=\"num\">").append(p.local().outbound()).append("</td><td class=\"num\">").append(p.peer().inbound())
                    .append("</td><td class=\"num\">").append(p.peer().outbound()).append("</td><td>").append(esc(p.description()))
                    .append("</td></tr>\n");
        }
        b.append("</tbody>\n</table>\n");
        Map<String, List<Worked>> byClause = new LinkedHashMap<>();
        for (Worked w : worked) {
            byClause.computeIfAbsent(String.join(" ", w.scenario().clauses()), k -> new ArrayList<>()).add(w);
        }
        byClause.forEach((clauses, ws) -> {
            Scenario s = ws.get(0).scenario().scenario();
            b.append(h(level + 2, null, GherkinHtml.stepText(s.name()) + " " + clauseLinks(new TreeSet<>(List.of(clauses.split(" "))), l)));
            b.append(workedTable(ws, l));
        });
        return b.toString();
    }

    private String workedTable(List<Worked> ws, Links l) {
        Scenario s = ws.get(0).scenario().scenario();
        List<String> header = s.examples().isEmpty() ? List.of() : s.examples().get(0).header();
        StringBuilder b = new StringBuilder("<table class=\"worked\">\n<thead><tr><th>scenario</th>");
        if (!header.isEmpty()) {
            b.append("<th>example row: ").append(esc(String.join(" | ", header))).append("</th>");
        }
        b.append("<th>pair</th><th>consumer asks<br>in / out</th><th>peer accepts<br>in / out</th><th>reads</th>")
                .append("<th>scenario expects</th><th>formula gives</th><th></th></tr></thead>\n<tbody>\n");
        for (Worked w : ws) {
            String cells = String.join(" | ", rowCells(w.scenario()));
            for (Check c : w.checks()) {
                b.append("<tr><td class=\"sid\">").append(link(l.scenario(w.scenario().id()), w.scenario().id())).append("</td>");
                if (!header.isEmpty()) {
                    b.append("<td>").append(esc(cells)).append("</td>");
                }
                b.append("<td>").append(esc(w.pair().name())).append("</td><td>").append(number(w.ownIn())).append(" / ")
                        .append(number(w.ownOut())).append("</td><td>")
                        .append(w.peerIn() == null ? "<span class=\"muted\">not yet</span>" : number(w.peerIn()) + " / " + number(w.peerOut()))
                        .append("</td><td>").append(esc(c.reader() + (c.active() ? " (active) " : " (passive) ") + c.direction()))
                        .append("</td><td>").append(esc(c.expected().text())).append(c.expected().text().matches("\\d+") ? "" : " = "
                                + c.expected().value())
                        .append(c.alternative() == null ? "" : "<br>or, as sent: " + esc(c.alternative().text())
                                + (c.alternative().text().matches("\\d+") ? "" : " = " + c.alternative().value()))
                        .append("</td><td><code>").append(esc(c.work())).append("</code></td><td>")
                        .append(c.agrees() ? "&#10003;" : "<b>disagrees</b>").append("</td></tr>\n");
            }
        }
        return b.append("</tbody>\n</table>\n").toString();
    }

    private List<String> rowCells(Runnable r) {
        for (SpecModel.ExamplesBlock ex : r.scenario().examples()) {
            for (SpecModel.Row row : ex.rows()) {
                if (row.id().equals(r.id())) {
                    return row.cells();
                }
            }
        }
        return List.of();
    }

    /** A value as a number, with the text the scenario wrote as its tooltip. */
    private static String number(ReadLimits.Value v) {
        return "<span title=\"" + esc(v.text()) + "\">" + v.value() + "</span>";
    }

    // ------------------------------------------------------------------ ambiguity register

    String registerSection(Links l, int level) {
        StringBuilder b = new StringBuilder(h(level, null, "Ambiguity register"));
        b.append("""
                <p>Where Microsoft's NDKPI pages contradict themselves (D1-D14) or say nothing (NF-*), the reading the kit
                takes - the <i>reading</i> of the clauses that cover the entry - and how strictly it is checked: the
                clause's level and the scenarios tagged with it. Entries no clause covers are not checked, and say why.</p>
                """);
        b.append("<table class=\"register\">\n<thead><tr><th>entry</th><th>what the pages say</th><th>the kit's reading</th>")
                .append("<th>checked</th></tr></thead>\n<tbody>\n");
        Map<String, List<Runnable>> by = spec.runnablesByClause();
        for (Item i : register) {
            SiteData.Entry e = i.entry();
            b.append("<tr id=\"").append(esc(Links.ambiguityAnchor(e.id()))).append("\"><td class=\"cid\"><b>").append(esc(e.id()))
                    .append("</b></td><td><p><b>").append(esc(e.title())).append("</b></p><p>").append(Html.prose(e.detail())).append("</p>");
            if (!e.pages().isEmpty()) {
                b.append("<p class=\"muted\">Pages: ").append(String.join(", ", e.pages().stream()
                        .map(k -> link(l.page(k), pages.get(k).title())).toList())).append("</p>");
            }
            b.append("</td><td>");
            if (i.covering().isEmpty()) {
                b.append("<span class=\"muted\">none: not checked</span>");
            }
            for (Clause c : i.covering()) {
                b.append("<p><a class=\"cid\" href=\"").append(esc(l.clause(c.id()))).append("\">").append(esc(c.id())).append("</a>: ")
                        .append(c.reading() == null ? "<span class=\"muted\">(no reading of its own; the rule)</span> " + Html.prose(c.rule())
                                : Html.prose(c.reading())).append("</p>");
            }
            if (!e.related().isEmpty()) {
                b.append("<p class=\"muted\">Related: ").append(clauseLinks(new java.util.LinkedHashSet<>(e.related()), l)).append("</p>");
            }
            b.append("</td><td>");
            if (i.covering().isEmpty()) {
                b.append(badge("not-checked", "not checked")).append("<p>").append(Html.prose(e.notChecked())).append("</p>");
            }
            for (Clause c : i.covering()) {
                List<Runnable> rs = by.get(c.id());
                b.append("<p>").append(badge(c.level(), c.level())).append(' ').append(esc(c.id())).append(": ")
                        .append(String.join(", ", rs.stream().map(r -> link(l.scenario(r.id()), r.id())).toList())).append("</p>");
            }
            b.append("</td></tr>\n");
        }
        b.append("</tbody>\n</table>\n");
        b.append(h(level + 1, null, "Other readings"));
        b.append("<p>Clauses that state a reading where the pages are only implicit, without a register entry of their own.</p>\n");
        b.append("<table class=\"register\">\n<thead><tr><th>clause</th><th>the kit's reading</th><th>checked</th></tr></thead>\n<tbody>\n");
        for (Clause c : spec.catalogue().clauses().values()) {
            if (c.reading() != null && c.ambiguity() == null) {
                b.append("<tr><td class=\"cid\">").append(link(l.clause(c.id()), c.id())).append("</td><td>").append(Html.prose(c.reading()))
                        .append("</td><td>").append(badge(c.level(), c.level())).append(' ')
                        .append(String.join(", ", by.get(c.id()).stream().map(r -> link(l.scenario(r.id()), r.id())).toList()))
                        .append("</td></tr>\n");
            }
        }
        return b.append("</tbody>\n</table>\n").toString();
    }

    // ------------------------------------------------------------------ traceability

    String traceSection(Links l, int level) {
        StringBuilder b = new StringBuilder(h(level, null, "Traceability"));
        b.append("""
                <p>Clause to scenarios to verdict, per run. A run's verdict counts for a scenario only when the run
                reported that scenario id under the same name; anything else reads <i>no run</i>. A clause's line shows
                the worst verdict of its scenarios (failed, timeout, environment-error, not-reached, unsupported,
                waived, passed), with how many of them ran when not all did.</p>
                """);
        if (runs.isEmpty()) {
            b.append("<p><b>No summary.json was given</b>: every verdict below is <i>no run</i>.</p>\n");
        }
        b.append("<table class=\"runs\">\n<thead><tr><th>run</th><th>folder</th><th>provider</th><th>settings</th><th>finished</th>")
                .append("<th>counts</th><th>spec</th></tr></thead>\n<tbody>\n");
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            b.append("<tr id=\"run-").append(i + 1).append("\"><td><b>R").append(i + 1).append("</b></td><td><code>").append(esc(r.label()))
                    .append("</code></td>");
            if (!r.present()) {
                b.append("<td colspan=\"5\">").append(badge("no-run", Results.NO_RUN)).append(" no summary.json there</td></tr>\n");
                continue;
            }
            StringBuilder counts = new StringBuilder();
            r.counts().forEach((k, v) -> {
                if (v != 0 || k.equals("total")) {
                    counts.append(counts.length() == 0 ? "" : ", ").append(k).append(' ').append(v);
                }
            });
            b.append("<td>").append(esc(r.provider())).append(r.providerVersion() == null ? "" : " " + esc(r.providerVersion()))
                    .append("</td><td>").append(esc(r.settings())).append("</td><td>").append(esc(readableTime(r.when())))
                    .append(r.state() != null && !r.state().equals("complete") ? " (" + esc(r.state()) + ")" : "").append("</td><td>")
                    .append(esc(counts.toString())).append("</td><td>").append(specOf(r)).append("</td></tr>\n");
        }
        b.append("</tbody>\n</table>\n");
        b.append("<table class=\"matrix\">\n<thead><tr><th>clause</th><th>scenario</th>");
        for (int i = 0; i < runs.size(); i++) {
            b.append("<th class=\"run\" title=\"").append(esc(runs.get(i).label())).append("\">R").append(i + 1).append("<br><small>")
                    .append(esc(runs.get(i).present() ? runs.get(i).provider() : "absent")).append("</small></th>");
        }
        b.append("</tr></thead>\n<tbody>\n");
        for (Map.Entry<String, List<Runnable>> e : spec.runnablesByClause().entrySet()) {
            Clause c = spec.catalogue().get(e.getKey());
            b.append("<tr class=\"clause-row\" id=\"trace-").append(esc(c.id())).append("\"><td><a class=\"cid\" href=\"")
                    .append(esc(l.clause(c.id()))).append("\">").append(esc(c.id())).append("</a> ").append(badge(c.level(), c.level()))
                    .append("</td><td>").append(e.getValue().size()).append(e.getValue().size() == 1 ? " scenario" : " scenarios").append("</td>");
            for (Run r : runs) {
                List<String> vs = e.getValue().stream().map(x -> r.verdictOf(x.id(), x.name())).toList();
                long ran = vs.stream().filter(v -> !v.equals(Results.NO_RUN)).count();
                String worst = Results.worst(vs);
                b.append(ran == 0 || ran == vs.size() ? cell(worst, null)
                        : cell(worst, ran + " of " + vs.size() + " scenarios ran").replace("</td>", " " + ran + "/" + vs.size() + "</td>"));
            }
            b.append("</tr>\n");
            for (Runnable x : e.getValue()) {
                b.append("<tr><td></td><td>").append(link(l.scenario(x.id()), x.id())).append(" <span class=\"muted\">")
                        .append(esc(x.name())).append("</span></td>");
                for (Run r : runs) {
                    b.append(cell(r.verdictOf(x.id(), x.name()), r.reasonOf(x.id(), x.name())));
                }
                b.append("</tr>\n");
            }
        }
        return b.append("</tbody>\n</table>\n").toString();
    }

    /** An ISO instant as "2026-11-25 00:57 UTC"; anything else as it is. */
    static String readableTime(String iso) {
        try {
            return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(java.time.ZoneOffset.UTC)
                    .format(java.time.Instant.parse(iso));
        } catch (RuntimeException e) {
            return iso == null ? "" : iso;
        }
    }

    private String specOf(Run r) {
        if (r.specHash() == null) {
            return "<span class=\"muted\">not recorded</span>";
        }
        return r.specHash().equals(spec.specHash()) ? "this spec"
                : "<b>another spec</b> <code>" + esc(r.specHash().substring(0, Math.min(12, r.specHash().length()))) + "</code>";
    }

    private static String cell(String verdict, String reason) {
        return "<td class=\"v v-" + esc(verdict.replace(' ', '-')) + "\"" + (reason == null ? "" : " title=\"" + esc(reason) + "\"")
                + ">" + esc(verdict) + "</td>";
    }

    /** The clause ids a fragment of HTML links to, for the tests. */
    static Set<String> clauseLinksIn(String html) {
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("href=\"[^\"]*#clause-([A-Z0-9-]+)\"").matcher(html);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
