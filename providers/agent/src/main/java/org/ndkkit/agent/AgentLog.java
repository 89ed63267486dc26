package org.ndkkit.agent;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** The agent's log: one line per event on standard error; calls and callbacks only at debug level. */
final class AgentLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    private final PrintStream out;
    private final boolean debug;

    AgentLog(PrintStream out, boolean debug) {
        this.out = out;
        this.debug = debug;
    }

    boolean debugEnabled() {
        return debug;
    }

    void info(String message) {
        out.println(TIME.format(LocalTime.now()) + " ndk-agent: " + message);
    }

    void debug(String message) {
        if (debug) {
            info(message);
        }
    }
}
