package org.ndkkit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.ndkkit.cli.compare.RunComparison;
import org.ndkkit.cli.compare.RunData;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ndk-cli compare RUN_A RUN_B}. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compares two runs call by call, from the SPI call trace of every scenario: where two providers "
            + "(or two versions of one) behaved differently, including where the spec lets both pass, e.g. a close that "
            + "completes inline in one and pends in the other, or a different failure status.",
            "",
            "Per scenario that ran in both (matched by feature file, name and which of that name it is), each call "
                + "(operation, object and arguments) is compared by its outcomes: inline STATUS_X, completion STATUS_X, "
                + "connect and disconnect events; as multisets, so the order of calls and callbacks, times, ports and "
                + "contexts do not count. It reports the kinds of difference (objects by kind: connector, incoming "
                + "connector, listener, shared endpoint, QP, CQ, PD), with how many scenarios show each and examples; the "
                + "scenarios whose verdicts differ; those one run could not run (unsupported, not reached, environment "
                + "error, no trace), which are listed, not compared call by call; those only one run has; and the "
                + "differing calls per scenario. Scenario ids are summary.json's (feature:line).",
            "",
            "RUN is the output folder of 'ndk-cli run' (DIR/cucumber/messages.ndjson, verdicts from DIR/summary.json "
                + "or DIR/raw/progress.ndjson), its bundle folder (DIR/bundle) or the bundle zip.",
            "",
            "Exit 0 when the runs were compared (differences are findings, not errors), 2 when an input cannot be "
                + "read or on a usage error."},
        footerHeading = "%nExamples:%n",
        footer = {"  ndk-cli compare results/ref results/acme --name-a ref --name-b acme",
            "  ndk-cli compare old/bundle/ndk-conformance-bundle.zip results/acme \\",
            "      --json diff.json"})
public final class CompareCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_A", description = "a run's output folder, bundle folder or bundle zip")
    Path runA;

    @Parameters(index = "1", paramLabel = "RUN_B", description = "the run to compare it with")
    Path runB;

    @Option(names = "--name-a", paramLabel = "X", description = "what to call RUN_A in the report (default: ${DEFAULT-VALUE})")
    String nameA = "A";

    @Option(names = "--name-b", paramLabel = "Y", description = "what to call RUN_B in the report (default: ${DEFAULT-VALUE})")
    String nameB = "B";

    @Option(names = "--json", paramLabel = "FILE", description = "also write the comparison as JSON to FILE")
    Path json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (nameA.isBlank() || nameB.isBlank() || nameA.equals(nameB)) {
            return fail(err, "--name-a and --name-b must be two different, non-empty names");
        }
        RunComparison c;
        try {
            c = RunComparison.of(RunData.load(runA), nameA, RunData.load(runB), nameB);
        } catch (RunData.BadInput e) {
            return fail(err, e.getMessage());
        }
        c.print(out);
        out.flush();
        if (json != null) {
            try {
                Path parent = json.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), c.json());
            } catch (IOException e) {
                return fail(err, "--json " + json + " cannot be written: " + e.getMessage());
            }
        }
        return ExitCodes.OK;
    }

    private static int fail(PrintWriter err, String message) {
        err.println("ndk-cli compare: " + message);
        err.flush();
        return ExitCodes.ENVIRONMENT_OR_USAGE;
    }
}
