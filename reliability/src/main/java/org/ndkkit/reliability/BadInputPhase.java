package org.ndkkit.reliability;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.EngineFilter;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Phase (d): generated bad input on every SPI function of the NDK objects, through the jqwik
 * property {@link BadInputProperties}, each case tried by a {@link BadInputRunner}.
 */
final class BadInputPhase {
    private BadInputPhase() {
    }

    /**
     * @param opener opens a fresh rig when a case left the provider unusable
     * @return the runner, for its counts and its (possibly reopened) rig
     */
    static BadInputRunner run(Rig rig, Supplier<Rig> opener, int tries, Path out) {
        Report report = rig.report;
        BadInputRunner runner = new BadInputRunner(rig, opener);
        long t0 = System.nanoTime();
        BadInputProperties.runner = runner;
        try {
            java.nio.file.Files.createDirectories(out);
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(DiscoverySelectors.selectClass(BadInputProperties.class))
                    .filters(EngineFilter.includeEngines("jqwik"))
                    .configurationParameter("jqwik.tries.default", Integer.toString(tries))
                    .configurationParameter("jqwik.reporting.onlyfailures", "true")
                    .configurationParameter("jqwik.failures.runfirst", "false")
                    .configurationParameter("jqwik.failures.after.default", "RANDOM_SEED")
                    .configurationParameter("jqwik.database", out.resolve("jqwik-database").toString())
                    .build();
            SummaryGeneratingListener summary = new SummaryGeneratingListener();
            LauncherFactory.create().execute(request, summary);
            TestExecutionSummary s = summary.getSummary();
            for (TestExecutionSummary.Failure f : s.getFailures()) {
                // The property itself never fails; this is the harness breaking, not the provider.
                report.problem(Problem.Kind.FAILED, "the bad-input property", "", "jqwik: " + f.getException());
            }
            if (s.getTestsFoundCount() == 0) {
                report.problem(Problem.Kind.FAILED, "the bad-input property", "", "the jqwik engine found no property to run");
            }
        } catch (java.io.IOException e) {
            report.problem(Problem.Kind.FAILED, "the bad-input property", "", "cannot create " + out + ": " + e.getMessage());
        } finally {
            BadInputProperties.runner = null;
        }
        runner.finish();
        long nanos = System.nanoTime() - t0;
        Map<Problem.Kind, Integer> byKind = new EnumMap<>(Problem.Kind.class);
        for (Problem p : report.problems()) {
            if (p.phase().equals(report.phase())) {
                byKind.merge(p.kind(), 1, Integer::sum);
            }
        }
        long statuses = report.statusFindings().stream().filter(p -> p.phase().equals(report.phase())).count();
        report.say(runner.cases() + " bad inputs in " + StressPhase.secs(nanos) + " (" + StressPhase.rate(runner.cases(), nanos)
                + "/s), each followed by a normal cycle; " + runner.casesWithFindings() + " with findings " + byKind
                + "; " + statuses + " statuses the SPI rules out"
                + (runner.reopened() > 0 ? "; the provider was reopened " + runner.reopened() + " time(s)" : ""));
        report.figure("badInputs", runner.cases());
        report.figure("casesWithFindings", runner.casesWithFindings());
        report.figure("findingsByKind", byKind);
        report.figure("statusFindings", statuses);
        report.figure("reopened", runner.reopened());
        report.figure("seconds", StressPhase.seconds(nanos));
        return runner;
    }
}
