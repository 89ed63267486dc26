package org.ndkkit.reference;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Optional trace of what the provider saw from rdma_cm and what it reported (setting
 * {@code ndk.provider.event-log=FILE}). It is how the rows of MAPPING.md were verified on the lab.
 * Problems the provider cannot report through the SPI (a failed destroy, a callback that threw)
 * also go to standard error.
 */
final class EventLog {
    private final Path file;

    EventLog(Path file) {
        this.file = file;
    }

    static EventLog none() {
        return new EventLog(null);
    }

    boolean enabled() {
        return file != null;
    }

    void log(String line) {
        if (file == null) {
            return;
        }
        String s = Instant.now() + " [" + Thread.currentThread().getName() + "] " + line + "\n";
        synchronized (this) {
            try {
                Files.writeString(file, s, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                System.err.println("reference provider: cannot write the event log " + file + ": " + e);
            }
        }
    }

    /** Something the provider cannot report through the SPI: standard error and the log. */
    void problem(String line) {
        System.err.println("reference provider: " + line);
        log("PROBLEM " + line);
    }
}
