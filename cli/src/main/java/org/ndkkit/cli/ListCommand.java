package org.ndkkit.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.ndkkit.cli.eval.Profile;
import org.ndkkit.cli.spec.Spec;
import org.ndkkit.kit.ClauseCatalogue;
import org.ndkkit.spi.NdkProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ndk-cli list providers|profiles|clauses|scenarios}. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"Lists what the kit knows: the providers on its class path (plus --provider-path), the "
            + "judging profiles, the spec's clauses, or the scenarios a tag expression selects."},
        footerHeading = "%nExamples:%n",
        footer = {"  ndk-cli list providers --provider-path acme-ndk.jar",
            "  ndk-cli list clauses --verbose",
            "  ndk-cli list scenarios --tags '@function:NdkReject'"})
public final class ListCommand implements Callable<Integer> {
    enum What { providers, profiles, clauses, scenarios }

    @Parameters(index = "0", paramLabel = "WHAT", description = "providers, profiles, clauses or scenarios")
    What what;

    @Option(names = "--provider-path", paramLabel = "JAR|DIR", description = "more jars or class folders holding providers")
    List<Path> providerPath = new ArrayList<>();

    @Option(names = "--tags", paramLabel = "EXPR", description = "for scenarios: a Cucumber tag expression")
    String tags;

    @Option(names = {"-v", "--verbose"}, description = "for clauses: the rule, the reading and the source page")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        switch (what) {
            case providers -> {
                List<NdkProvider> ps = new ProviderPath(providerPath).providers();
                ps.sort(Comparator.comparing(p -> p.identity().name()));
                out.printf("%-20s %-12s %-14s %-22s %s%n", "NAME", "VERSION", "VENDOR", "CAPABILITIES", "DESCRIPTION");
                for (NdkProvider p : ps) {
                    out.printf("%-20s %-12s %-14s %-22s %s%n", p.identity().name(), p.identity().version(),
                            p.identity().vendor(), p.capabilities().stream().map(Enum::name).sorted()
                                    .collect(Collectors.joining(",")), p.identity().description());
                }
            }
            case profiles -> {
                for (Profile p : Profile.values()) {
                    out.println(p.id());
                    for (String line : wrap(p.description(), 96)) {
                        out.println("    " + line);
                    }
                }
            }
            case clauses -> {
                Spec s = Spec.load(getClass().getClassLoader());
                Map<String, List<Spec.Scenario>> by = new java.util.TreeMap<>();
                s.scenarios().forEach(x -> x.clauses().forEach(c -> by.computeIfAbsent(c, k -> new ArrayList<>()).add(x)));
                out.printf("%-34s %-17s %-9s %s%n", "CLAUSE", "LEVEL", "SCENARIOS", "SOURCE");
                for (ClauseCatalogue.Clause c : s.catalogue().clauses().values()) {
                    out.printf("%-34s %-17s %-9d %s%n", c.id(), c.level(), by.getOrDefault(c.id(), List.of()).size(), c.sourceKey());
                    if (verbose) {
                        wrap(c.rule(), 96).forEach(l -> out.println("    " + l));
                        if (c.reading() != null) {
                            wrap("Reading: " + c.reading(), 96).forEach(l -> out.println("    " + l));
                        }
                        out.println("    " + c.sourceUrl());
                    }
                }
            }
            case scenarios -> {
                Spec s = Spec.load(getClass().getClassLoader());
                List<Spec.Scenario> sel;
                try {
                    sel = s.select(tags);
                } catch (IllegalArgumentException e) {
                    throw new NdkCli.UsageException(e.getMessage(), e);
                }
                for (Spec.Scenario x : sel) {
                    out.printf("%-42s %-40s %s%n", x.id(), String.join(",", x.clauses()), x.name());
                }
                out.println(sel.size() + " of " + s.scenarios().size() + " scenarios");
            }
            default -> throw new IllegalStateException();
        }
        out.flush();
        return ExitCodes.OK;
    }

    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder b = new StringBuilder();
        for (String w : text.split("\\s+")) {
            if (b.length() + w.length() + 1 > width && b.length() > 0) {
                lines.add(b.toString());
                b.setLength(0);
            }
            b.append(b.length() == 0 ? "" : " ").append(w);
        }
        if (b.length() > 0) {
            lines.add(b.toString());
        }
        return lines;
    }
}
