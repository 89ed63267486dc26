package org.ndkkit.specsite;

/** Escaping and the few element shapes every page repeats. */
final class Html {
    private Html() {
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    static String link(String href, String text) {
        return "<a href=\"" + esc(href) + "\">" + esc(text) + "</a>";
    }

    /** A link whose text is already HTML. */
    static String linkHtml(String href, String html) {
        return "<a href=\"" + esc(href) + "\">" + html + "</a>";
    }

    static String h(int level, String id, String html) {
        int l = Math.max(1, Math.min(6, level));
        return "<h" + l + (id == null ? "" : " id=\"" + esc(id) + "\"") + ">" + html + "</h" + l + ">\n";
    }

    /** A verdict or level as a small coloured label; the class carries the colour. */
    static String badge(String kind, String text) {
        return "<span class=\"badge " + esc(kind) + "\">" + esc(text) + "</span>";
    }

    /**
     * Free text from the spec: HTML-escaped, with web addresses made links and status names kept
     * as code, so a rule reads as it is written in clauses.yaml.
     */
    static String prose(String text) {
        String e = esc(text);
        e = e.replaceAll("(https://[^\\s<)]+)", "<a href=\"$1\">$1</a>");
        return e.replaceAll("\\b(STATUS_[A-Z_]+)\\b", "<code>$1</code>");
    }
}
