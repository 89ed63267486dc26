package org.ndkkit.kit;

import static org.assertj.core.api.Assertions.assertThat;

import io.cucumber.plugin.event.Result;
import io.cucumber.plugin.event.Status;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A scenario the provider could not run must never be reported as passed. */
class VerdictTest {
    private static String[] of(Status s, Throwable t) {
        return SummaryPlugin.verdict(new Result(s, Duration.ZERO, t));
    }

    @Test
    void eachOutcomeGetsItsVerdict() {
        assertThat(of(Status.PASSED, null)).containsExactly("passed", null);
        assertThat(of(Status.SKIPPED, new Unsupported("no-ipv6", "the testbed has no IPv6 address")))
                .containsExactly("unsupported", "no-ipv6: the testbed has no IPv6 address");
        assertThat(of(Status.FAILED, new KitTimeout("connect never completed"))[0]).isEqualTo("timeout");
        assertThat(of(Status.FAILED, new EnvironmentError("no provider", null))[0]).isEqualTo("environment-error");
        assertThat(of(Status.FAILED, new AssertionError("[CSE-SUCCESS] expected ..."))).containsExactly("failed",
                "[CSE-SUCCESS] expected ...");
        assertThat(of(Status.UNDEFINED, null)[0]).isEqualTo("failed");
        assertThat(of(Status.SKIPPED, null)[0]).isEqualTo("not-reached");
    }

    @Test
    void aLostOrSilentAgentIsNeverTheProvidersVerdict() {
        var gone = new org.ndkkit.spi.ProviderUnreachableException("the agent at 127.0.0.1:7400 went away", false, null);
        var silent = new org.ndkkit.spi.ProviderUnreachableException("the agent at 127.0.0.1:7400 stopped answering", true,
                null);
        assertThat(of(Status.FAILED, gone)).containsExactly("environment-error", "the agent at 127.0.0.1:7400 went away");
        assertThat(of(Status.FAILED, silent)).containsExactly("timeout", "the agent at 127.0.0.1:7400 stopped answering");
        // wrapped by a step, it is still the transport's failure
        assertThat(of(Status.FAILED, new IllegalStateException("step failed", gone))[0]).isEqualTo("environment-error");
    }

    @Test
    void aProviderThatCrashedBehindItsAgentIsAFailureOfItsOwnWithReasonCodeCrashed() {
        String words = "signal 11 (SIGSEGV) in call 30 (connect_with_shared_endpoint) of session 1";
        var crash = new org.ndkkit.spi.ProviderCrashedException(words + ", as the agent at 127.0.0.1:7400 reports", words,
                30, "connect_with_shared_endpoint", null);
        assertThat(of(Status.FAILED, crash)).containsExactly("failed", "the provider crashed: " + words
                + ", as the agent at 127.0.0.1:7400 reports");
        assertThat(SummaryPlugin.reasonCode(new Result(Status.FAILED, Duration.ZERO, crash))).isEqualTo("crashed");
        // wrapped by a step, it is still the crash (and not the transport's environment error)
        var wrapped = new IllegalStateException("step failed", crash);
        assertThat(of(Status.FAILED, wrapped)[0]).isEqualTo("failed");
        assertThat(SummaryPlugin.reasonCode(new Result(Status.FAILED, Duration.ZERO, wrapped))).isEqualTo("crashed");
        // any other outcome has no reason code from the kit
        var gone = new org.ndkkit.spi.ProviderUnreachableException("the agent at 127.0.0.1:7400 went away", false, null);
        assertThat(SummaryPlugin.reasonCode(new Result(Status.FAILED, Duration.ZERO, gone))).isNull();
        assertThat(SummaryPlugin.reasonCode(new Result(Status.FAILED, Duration.ZERO, new AssertionError("x")))).isNull();
        assertThat(SummaryPlugin.reasonCode(new Result(Status.PASSED, Duration.ZERO, null))).isNull();
        // a later scenario of the same process, whose testbed the crash took: an environment error, not a crash
        assertThat(of(Status.FAILED, new EnvironmentError("the provider crashed in an earlier scenario", null))[0])
                .isEqualTo("environment-error");
    }

    @Test
    void aClauseTakesItsWorstScenario() {
        SummaryPlugin.ScenarioResult pass = new SummaryPlugin.ScenarioResult("a", "a", "f", 1, java.util.List.of("X"), "passed", null, 0);
        SummaryPlugin.ScenarioResult unsup = new SummaryPlugin.ScenarioResult("b", "b", "f", 2, java.util.List.of("X"), "unsupported", "r", 0);
        SummaryPlugin.ScenarioResult fail = new SummaryPlugin.ScenarioResult("c", "c", "f", 3, java.util.List.of("X"), "failed", "r", 0);
        assertThat(SummaryPlugin.clauseVerdict(java.util.List.of(pass, unsup))).isEqualTo("unsupported");
        assertThat(SummaryPlugin.clauseVerdict(java.util.List.of(pass, unsup, fail))).isEqualTo("failed");
        assertThat(SummaryPlugin.clauseVerdict(java.util.List.of(pass))).isEqualTo("passed");
    }
}
