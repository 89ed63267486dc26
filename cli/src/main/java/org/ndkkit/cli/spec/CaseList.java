package org.ndkkit.cli.spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A case list ({@code ndk-cli run --scenarios FILE}): the scenarios to run, by id, as a CTS case
 * list file names its tests. Each line that is not blank and does not start with {@code #} starts
 * with an id, {@code file.feature:line} (the ids {@code ndk-cli list scenarios} and summary.json
 * give); the rest of the line is ignored. An id the spec does not hold is an error, not a silent
 * skip: a case list that names nothing it meant would certify less than it says.
 */
public final class CaseList {
    private static final Pattern ID = Pattern.compile("^([\\w.-]+\\.feature:\\d+)(?:\\s.*)?$");

    private CaseList() {
    }

    /** The ids the file names, in its order, each checked against {@code spec}. */
    public static Set<String> read(Path file, Spec spec) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("--scenarios " + file + ": cannot read it: " + e.getMessage(), e);
        }
        Set<String> known = new LinkedHashSet<>();
        spec.scenarios().forEach(s -> known.add(s.id()));
        Set<String> ids = new LinkedHashSet<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = ID.matcher(line);
            if (!m.matches()) {
                problems.add("line " + (i + 1) + " does not start with a scenario id (file.feature:line): " + abbreviate(line));
            } else if (!known.contains(m.group(1))) {
                problems.add("line " + (i + 1) + ": no scenario " + m.group(1) + " in this kit's spec");
            } else {
                ids.add(m.group(1));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("--scenarios " + file + ": " + String.join("; ", problems.subList(0,
                    Math.min(5, problems.size()))) + (problems.size() > 5 ? "; and " + (problems.size() - 5) + " more" : ""));
        }
        if (ids.isEmpty()) {
            throw new IllegalArgumentException("--scenarios " + file + " names no scenario");
        }
        return ids;
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? "'" + s + "'" : "'" + s.substring(0, 57) + "...'";
    }
}
