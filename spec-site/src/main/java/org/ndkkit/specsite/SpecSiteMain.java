package org.ndkkit.specsite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.ndkkit.specsite.Results.Run;

/**
 * Renders the spec site. The build runs it in {@code package}; {@code spec-site/render} runs it
 * by hand after a lab run. Problems with the spec (a clause without a scenario, a status phrase
 * the table does not know, a read-limit formula that disagrees with a scenario) end it with an
 * exception, so the build fails rather than publish a document that is wrong.
 */
public final class SpecSiteMain {
    static final String USAGE = """
            usage: SpecSiteMain [--features DIR] [--out DIR] [--results PATH]... [--base DIR] [--pdf]
              --features DIR   the spec: *.feature and clauses.yaml (default: features)
              --out DIR        where the site goes (default: spec-site/target/spec-site)
              --results PATH   a run's summary.json (kept as "no run" when absent), or a folder searched for
                               summary.json (leaving out ndk-cli's raw/ copies and the kill matrix's runs/);
                               repeatable
              --base DIR       runs are named by their folder relative to this (default: the current folder)
              --pdf            also print spec.html to spec.pdf with headless Chromium, when it is installed
            """;

    private SpecSiteMain() {
    }

    public static void main(String[] args) throws Exception {
        Path features = Path.of("features");
        Path out = Path.of("spec-site", "target", "spec-site");
        Path base = Path.of("").toAbsolutePath();
        List<Path> results = new ArrayList<>();
        boolean pdf = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--features" -> features = Path.of(value(args, ++i));
                case "--out" -> out = Path.of(value(args, ++i));
                case "--results" -> results.add(Path.of(value(args, ++i)));
                case "--base" -> base = Path.of(value(args, ++i));
                case "--pdf" -> pdf = true;
                case "-h", "--help" -> {
                    System.out.print(USAGE);
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
            }
        }
        long start = System.nanoTime();
        List<Run> runs = new ArrayList<>();
        for (Path p : Results.discover(results)) {
            runs.add(Results.read(p, base));
        }
        SpecModel spec = SpecModel.load(features);
        Site site = Site.of(spec, runs);
        Path printed = pdf ? print(site, out) : null;
        site.write(out, printed != null);
        System.out.printf("spec-site: %d clauses, %d scenarios, %d runs (%d present) -> %s%s (%d ms)%n",
                spec.catalogue().clauses().size(), spec.runnables().size(), runs.size(),
                runs.stream().filter(Run::present).count(), out.resolve(Links.INDEX),
                printed != null ? " and " + printed : "", (System.nanoTime() - start) / 1_000_000);
    }

    /** spec.pdf from spec.html; optional, so a machine without Chromium only loses the PDF. */
    private static Path print(Site site, Path out) throws Exception {
        Optional<Path> chromium = Chromium.find();
        if (chromium.isEmpty()) {
            System.out.println("spec-site: no headless Chromium (cli/setup installs it), so no spec.pdf");
            return null;
        }
        Files.createDirectories(out);
        Path html = out.resolve(Links.PRINT);
        site.write(out, false);
        Path pdf = out.resolve("spec.pdf");
        try {
            new Chromium(chromium.get(), out.resolveSibling("chromium-profile")).printToPdf(html.toAbsolutePath(), pdf.toAbsolutePath());
            return pdf;
        } catch (java.io.IOException e) {
            System.out.println("spec-site: spec.pdf not printed: " + e.getMessage());
            return null;
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value\n" + USAGE);
        }
        return args[i];
    }
}
