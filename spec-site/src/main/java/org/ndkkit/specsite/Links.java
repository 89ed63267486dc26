package org.ndkkit.specsite;

import java.util.Map;

/**
 * Where a clause, a scenario, a source page or a register entry is shown. The anchors are the same
 * in the site and in the single-page print form; only the file part differs, so a link into either
 * keeps working for as long as the clause or scenario exists.
 */
final class Links {
    static final String INDEX = "index.html";
    static final String STATUS = "status-codes.html";
    static final String LIMITS = "read-limits.html";
    static final String AMBIGUITIES = "ambiguities.html";
    static final String TRACE = "traceability.html";
    static final String PRINT = "spec.html";

    private final boolean single;
    private final Map<String, String> clauseSource;

    private Links(boolean single, Map<String, String> clauseSource) {
        this.single = single;
        this.clauseSource = clauseSource;
    }

    /** The multi-page site; a clause lives on the page of its source. */
    static Links site(Map<String, String> clauseSource) {
        return new Links(false, clauseSource);
    }

    /** spec.html: every target is an anchor of the one page. */
    static Links single() {
        return new Links(true, Map.of());
    }

    /** {@code clause-CSE-SUCCESS}. */
    static String clauseAnchor(String clause) {
        return "clause-" + clause;
    }

    /** {@code scenario-connect-with-shared-endpoint.feature-24} for the suite's id {@code connect-with-shared-endpoint.feature:24}. */
    static String scenarioAnchor(String scenarioId) {
        int colon = scenarioId.lastIndexOf(':');
        return "scenario-" + scenarioId.substring(0, colon) + "-" + scenarioId.substring(colon + 1);
    }

    static String ambiguityAnchor(String entry) {
        return "ambiguity-" + entry;
    }

    static String pageAnchor(String sourceKey) {
        return "page-" + sourceKey;
    }

    static String featureAnchor(String featureFile) {
        return "feature-" + stem(featureFile);
    }

    static String partAnchor(String pageFile) {
        return "part-" + pageFile.replaceFirst("\\.html$", "");
    }

    static String pageFile(String sourceKey) {
        return "fn-" + sourceKey + ".html";
    }

    static String featureFile(String featureFile) {
        return "feature-" + stem(featureFile) + ".html";
    }

    private static String stem(String featureFile) {
        return featureFile.replaceFirst("\\.feature$", "");
    }

    String clause(String clause) {
        String source = clauseSource.get(clause);
        return (single || source == null ? "" : pageFile(source)) + "#" + clauseAnchor(clause);
    }

    String scenario(String scenarioId) {
        return (single ? "" : featureFile(scenarioId.substring(0, scenarioId.lastIndexOf(':')))) + "#"
                + scenarioAnchor(scenarioId);
    }

    String page(String sourceKey) {
        return single ? "#" + pageAnchor(sourceKey) : pageFile(sourceKey);
    }

    String feature(String featureFile) {
        return single ? "#" + featureAnchor(featureFile) : featureFile(featureFile);
    }

    String ambiguity(String entry) {
        return (single ? "" : AMBIGUITIES) + "#" + ambiguityAnchor(entry);
    }

    /** One of the site's own pages (status codes, read limits, ...), or its part of spec.html. */
    String part(String pageFile) {
        return single ? "#" + partAnchor(pageFile) : pageFile;
    }
}
