package org.ndkkit.cli.exec;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.Locale;

/**
 * What the user sees while the suite runs. {@code line}: one live status line, rewritten for every
 * scenario, with non-passing scenarios kept above it (for a terminal). {@code log}: one plain line
 * per scenario (for a pipe or a log file). {@code quiet}: nothing until the end (CI). {@code auto}
 * picks line on a terminal, and quiet when the environment variable CI is set or output is not a
 * terminal.
 */
public final class ProgressView {
    public enum Mode { AUTO, LINE, LOG, QUIET }

    private final Mode mode;
    private final PrintStream out;
    private final int total;
    private final boolean color;
    private int done;
    private int bad;
    private String current = "";
    private boolean lineOpen;

    public ProgressView(Mode requested, PrintStream out, int total) {
        this.out = out;
        this.total = total;
        this.mode = resolve(requested);
        this.color = mode == Mode.LINE && System.getenv("NO_COLOR") == null;
    }

    public static Mode resolve(Mode requested) {
        if (requested != Mode.AUTO) {
            return requested;
        }
        String ci = System.getenv("CI");
        if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
            return Mode.QUIET;
        }
        return System.console() != null ? Mode.LINE : Mode.QUIET;
    }

    public Mode mode() {
        return mode;
    }

    /** A phase message (preflight, probes, report); shown in line and log modes. */
    public synchronized void phase(String text) {
        if (mode == Mode.QUIET) {
            return;
        }
        clear();
        if (mode == Mode.LINE) {
            out.print("\r" + dim(text));
            lineOpen = true;
        } else {
            out.println(text);
        }
        out.flush();
    }

    public synchronized void event(JsonNode e) {
        String type = e.path("event").asText();
        switch (type) {
            case "preflight" -> phase("preflight: " + e.path("status").asText());
            case "scenario-started" -> {
                current = e.path("name").asText();
                if (mode == Mode.LINE) {
                    status(null);
                }
            }
            case "scenario-finished" -> {
                done++;
                String v = e.path("verdict").asText();
                if (!v.equals("passed")) {
                    bad++;
                }
                String line = String.format(Locale.ROOT, "[%3d/%d] %-12s %s  %s", done, total, v, e.path("id").asText(),
                        e.path("name").asText());
                if (mode == Mode.LOG) {
                    out.println(line);
                } else if (mode == Mode.LINE) {
                    if (!v.equals("passed")) {
                        clear();
                        String reason = e.path("reason").asText("");
                        int nl = reason.indexOf('\n');
                        out.println(paint(v, line) + (reason.isEmpty() ? "" : "\n          " + dim(nl < 0 ? reason : reason.substring(0, nl))));
                    }
                    status(v);
                }
            }
            case "probes-started" -> phase("probing declared versus observed (MaxCallerData, read limits, IPv6) ...");
            default -> {
            }
        }
        out.flush();
    }

    private void status(String lastVerdict) {
        int width = 100;
        String s = String.format(Locale.ROOT, "[%3d/%d] %d not passed | %s", done, total, bad, current);
        if (s.length() > width) {
            s = s.substring(0, width - 1) + "…";
        }
        out.print("\r\033[K" + s);
        lineOpen = true;
    }

    public synchronized void end() {
        clear();
        out.flush();
    }

    private void clear() {
        if (lineOpen) {
            out.print("\r\033[K");
            lineOpen = false;
        }
    }

    private String paint(String verdict, String s) {
        if (!color) {
            return s;
        }
        String c = switch (verdict) {
            case "passed" -> "32";
            case "unsupported", "waived" -> "33";
            default -> "31";
        };
        return "\033[" + c + "m" + s + "\033[0m";
    }

    private String dim(String s) {
        return color ? "\033[2m" + s + "\033[0m" : s;
    }
}
