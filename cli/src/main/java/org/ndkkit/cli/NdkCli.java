package org.ndkkit.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ndk-cli}: certification and regression runs of the NDK conformance kit. */
@Command(name = "ndk-cli",
        mixinStandardHelpOptions = true,
        versionProvider = CliInfo.class,
        subcommands = {RunCommand.class, ListCommand.class, VerifyCommand.class, CountersignCommand.class, CompareCommand.class,
            CommandLine.HelpCommand.class},
        synopsisSubcommandLabel = "COMMAND",
        description = {
            "Runs the NDK connection-establishment conformance spec (NdkConnectWithSharedEndpoint and the "
                + "connection life around it) against an NDK provider, judges it by a profile (certification or "
                + "regression), and writes reports and a certification bundle that others can verify.",
            ""},
        commandListHeading = "%nCommands:%n",
        footerHeading = "%nExamples:%n",
        footer = {
            "  ndk-cli list providers",
            "  ndk-cli run --provider simulated --out results/sim",
            "  ndk-cli run --provider acme --provider-path acme-ndk.jar \\",
            "      --waivers acme-waivers.yaml --sign-key vendor.key.pem --out results/acme",
            "  ndk-cli run --provider acme --profile regression \\",
            "      --baseline last-week/summary.json",
            "  ndk-cli run --provider simulated --tags '@clause:CSE-SUCCESS'",
            "  ndk-cli verify results/acme/bundle --public-key acme.pub.pem",
            "  ndk-cli compare results/reference results/acme --name-a ref --name-b acme",
            "",
            "Exit codes:",
            "  0  certified (no waiver used), no new failures, bundle intact",
            "  1  not certified, new failures, bundle rejected",
            "  2  environment error (provider, testbed or lab unusable; never a",
            "     product failure) or usage error",
            "  3  certified with waivers (certification profile)",
            "  4  incomplete: a --tags run without failures (certification profile)",
            "  compare: 0 compared (differences are findings), 2 unreadable input",
            "",
            "Output of 'run --out DIR':",
            "  DIR/summary.json            the result (schema: cli/SUMMARY-SCHEMA.md)",
            "  DIR/summary.md              the same for people",
            "  DIR/junit/                  JUnit XML with the kit's verdicts",
            "  DIR/allure-report/index.html  the Allure report (one file, offline)",
            "  DIR/bundle/                 ndk-conformance-bundle.zip, its .sha256,",
            "                              and .sig + .pub.pem when signed",
            "  DIR/cucumber/               Cucumber messages, JUnit XML and HTML",
            "  DIR/allure-results/, DIR/raw/   raw results and evidence",
            "More: cli/README.md"})
public final class NdkCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new NdkCli());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setUsageHelpAutoWidth(true);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            if (ex instanceof UsageException) {
                err.println("ndk-cli: " + ex.getMessage());
                err.println("Try 'ndk-cli " + cmd.getCommandName() + " --help'.");
            } else {
                err.println("ndk-cli: internal error: " + ex);
                ex.printStackTrace(err);
            }
            err.flush();
            return ExitCodes.ENVIRONMENT_OR_USAGE;
        });
        return cl;
    }

    /** A problem with the command line or an input file: exit 2. */
    public static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }

        public UsageException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
