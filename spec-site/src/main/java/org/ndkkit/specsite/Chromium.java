package org.ndkkit.specsite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Headless Chromium (Debian's package; cli/setup installs it): prints spec.html to PDF here, and
 * lets the IT read the site as a browser shows it. The flags make it run as root in a container
 * with no network, GPU or first-run dialogs, and with a profile of its own.
 */
final class Chromium {
    private final Path executable;
    private final Path profile;

    Chromium(Path executable, Path profile) {
        this.executable = executable;
        this.profile = profile;
    }

    /** The installed Chromium, if any. */
    static Optional<Path> find() {
        return Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser").map(Path::of).filter(Files::isExecutable).findFirst();
    }

    /** Runs Chromium on {@code what} (e.g. {@code --dump-dom URL}), its standard output into {@code output}. */
    void run(List<String> what, Path output) throws IOException, InterruptedException {
        Files.createDirectories(profile);
        List<String> cmd = new ArrayList<>(List.of(executable.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=1280,1000"));
        cmd.addAll(what);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectOutput(output.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IOException("chromium did not finish within 60 s: " + what);
        }
        if (p.exitValue() != 0) {
            throw new IOException("chromium exited with " + p.exitValue() + ": " + what);
        }
    }

    /** Prints a page to PDF the way "print to PDF" in the browser would, without header and footer. */
    void printToPdf(Path html, Path pdf) throws IOException, InterruptedException {
        Files.deleteIfExists(pdf);
        run(List.of("--no-pdf-header-footer", "--print-to-pdf=" + pdf, html.toUri().toString()),
                pdf.resolveSibling(pdf.getFileName() + ".log"));
        if (!Files.isRegularFile(pdf) || Files.size(pdf) < 1000) {
            throw new IOException("chromium wrote no PDF at " + pdf);
        }
        Files.deleteIfExists(pdf.resolveSibling(pdf.getFileName() + ".log"));
    }
}
