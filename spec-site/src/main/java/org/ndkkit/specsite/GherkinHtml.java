package org.ndkkit.specsite;

import static org.ndkkit.specsite.Html.esc;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ndkkit.specsite.SpecModel.ExamplesBlock;
import org.ndkkit.specsite.SpecModel.Row;
import org.ndkkit.specsite.SpecModel.Scenario;
import org.ndkkit.specsite.SpecModel.Step;

/** Gherkin as HTML: steps as a list with their keyword, data tables and examples as tables. */
final class GherkinHtml {
    private static final Pattern PLACEHOLDER = Pattern.compile("<([^<>]+)>");

    private final Links links;

    GherkinHtml(Links links) {
        this.links = links;
    }

    /** Steps as an ordered list; {@code muted} for a background repeated in front of a scenario. */
    String steps(List<Step> steps, boolean muted) {
        StringBuilder b = new StringBuilder("<ol class=\"steps" + (muted ? " background" : "") + "\">\n");
        for (Step s : steps) {
            b.append("<li><span class=\"kw\">").append(esc(s.keyword())).append("</span> ").append(stepText(s.text()));
            if (!s.table().isEmpty()) {
                b.append('\n').append(dataTable(s.table()));
            }
            if (s.docString() != null) {
                b.append("\n<pre class=\"docstring\">").append(esc(s.docString())).append("</pre>");
            }
            b.append("</li>\n");
        }
        return b.append("</ol>\n").toString();
    }

    /** Step text with an outline's {@code <placeholders>} marked, so a reader sees what the examples fill in. */
    static String stepText(String text) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder b = new StringBuilder();
        int at = 0;
        while (m.find()) {
            b.append(esc(text.substring(at, m.start()))).append("<var>&lt;").append(esc(m.group(1))).append("&gt;</var>");
            at = m.end();
        }
        return b.append(esc(text.substring(at))).toString();
    }

    /** A step's data table: the first row is its header, as Cucumber's own table conversions read it. */
    static String dataTable(List<List<String>> rows) {
        StringBuilder b = new StringBuilder("<table class=\"datatable\">\n");
        for (int i = 0; i < rows.size(); i++) {
            String cell = i == 0 ? "th" : "td";
            b.append(i == 0 ? "<thead><tr>" : "<tr>");
            rows.get(i).forEach(v -> b.append('<').append(cell).append('>').append(esc(v)).append("</").append(cell).append('>'));
            b.append(i == 0 ? "</tr></thead>\n" : "</tr>\n");
        }
        return b.append("</table>").toString();
    }

    /**
     * An outline's examples. Each row is a scenario of its own for the suite, so on the canonical
     * rendering ({@code anchored}) it carries the suite's id as its anchor.
     */
    String examples(ExamplesBlock ex, boolean anchored) {
        StringBuilder b = new StringBuilder("<div class=\"examples\"><p class=\"kwline\"><span class=\"kw\">")
                .append(esc(ex.keyword())).append(":</span> ").append(esc(ex.name()));
        ex.tags().forEach(t -> b.append(' ').append(tag(t)));
        b.append("</p>\n<table class=\"examples\">\n<thead><tr><th class=\"sid\">scenario</th>");
        ex.header().forEach(h -> b.append("<th>").append(esc(h)).append("</th>"));
        b.append("</tr></thead>\n<tbody>\n");
        for (Row r : ex.rows()) {
            b.append("<tr").append(anchored ? " id=\"" + esc(Links.scenarioAnchor(r.id())) + "\"" : "").append(">")
                    .append("<td class=\"sid\">").append(Html.link(links.scenario(r.id()), r.id())).append("</td>");
            r.cells().forEach(v -> b.append("<td>").append(esc(v)).append("</td>"));
            b.append("</tr>\n");
        }
        return b.append("</tbody>\n</table></div>\n").toString();
    }

    /** A tag; a clause tag links to its clause. */
    String tag(String tag) {
        if (tag.startsWith("@clause:")) {
            return "<a class=\"tag clause\" href=\"" + esc(links.clause(tag.substring("@clause:".length()))) + "\">"
                    + esc(tag) + "</a>";
        }
        return "<span class=\"tag\">" + esc(tag) + "</span>";
    }

    /**
     * One scenario or outline. {@code anchored}: this is its canonical place (the feature's page),
     * which carries the {@code scenario-...} anchors; {@code background}: steps to show, muted,
     * before its own (where the scenario is read away from its feature).
     */
    String scenario(Scenario s, boolean anchored, List<Step> background) {
        StringBuilder b = new StringBuilder("<article class=\"scenario\"")
                .append(anchored ? " id=\"" + esc(Links.scenarioAnchor(s.id())) + "\"" : "").append(">\n");
        b.append("<p class=\"tags\">");
        s.tags().forEach(t -> b.append(tag(t)).append(' '));
        b.append("</p>\n<p class=\"kwline\"><span class=\"kw\">").append(esc(s.keyword())).append(":</span> <span class=\"name\">")
                .append(esc(s.name())).append("</span> <span class=\"sid\">")
                .append(Html.link(links.scenario(s.id()), s.id())).append("</span></p>\n");
        if (s.rule() != null && !anchored) {
            b.append("<p class=\"rulectx\">Rule: ").append(esc(s.rule())).append("</p>\n");
        }
        if (!s.description().isEmpty()) {
            b.append(description(s.description()));
        }
        if (background != null && !background.isEmpty()) {
            b.append("<p class=\"bglabel\">Background (from ").append(Html.link(links.feature(s.feature()), s.feature()))
                    .append("):</p>\n").append(steps(background, true));
        }
        b.append(steps(s.steps(), false));
        s.examples().forEach(ex -> b.append(examples(ex, anchored)));
        return b.append("</article>\n").toString();
    }

    /**
     * A free-text description: blank lines separate paragraphs, lines indented further than the
     * text around them (the formulas in read-limits.feature) stay as they are, and Source lines
     * become links.
     */
    static String description(String text) {
        StringBuilder b = new StringBuilder("<div class=\"description\">\n");
        for (String para : text.split("\n\\s*\n")) {
            List<String> lines = para.lines().toList();
            if (lines.stream().allMatch(l -> l.startsWith(" "))) {
                b.append("<pre class=\"formula\">").append(esc(SpecModel.dedent(para))).append("</pre>\n");
            } else if (lines.stream().allMatch(l -> l.startsWith("Source:"))) {
                b.append("<p class=\"sources\">").append(String.join("<br>\n", lines.stream().map(Html::prose).toList()))
                        .append("</p>\n");
            } else {
                b.append("<p>").append(Html.prose(String.join("\n", lines))).append("</p>\n");
            }
        }
        return b.append("</div>\n").toString();
    }
}
