package org.ndkkit.specsite;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/** A spec made in the test: a catalogue with two clauses and the features given. */
final class TinySpec {
    static final String CLAUSES = """
            sources:
              connect-with-shared-endpoint: https://learn.microsoft.com/x/connect
              reject: https://learn.microsoft.com/x/reject
            clauses:
              ONE-CLAUSE:
                rule: A connect to nowhere fails with STATUS_CONNECTION_REFUSED.
                source: connect-with-shared-endpoint
                level: mandatory
                reading: The kit reads it so.
                ambiguity: D1
              TWO-CLAUSE:
                rule: The reject returns STATUS_SUCCESS.
                source: reject
                level: provider-defined
            """;

    private TinySpec() {
    }

    /** Name/content pairs: "a.feature", "Feature: ...". */
    static SpecModel of(String... nameAndContent) {
        return with(CLAUSES, nameAndContent);
    }

    static SpecModel with(String clauses, String... nameAndContent) {
        Map<String, byte[]> files = new TreeMap<>();
        files.put("clauses.yaml", clauses.getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < nameAndContent.length; i += 2) {
            files.put(nameAndContent[i], nameAndContent[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return SpecModel.fromFiles(files);
    }
}
