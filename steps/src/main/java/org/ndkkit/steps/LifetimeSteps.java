package org.ndkkit.steps;

import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.util.List;
import org.ndkkit.kit.Lab;
import org.ndkkit.kit.Outcome;
import org.ndkkit.kit.TrackedCall;
import org.ndkkit.kit.Unsupported;
import org.ndkkit.kit.Violation;
import org.ndkkit.spi.NdkObject;
import org.ndkkit.spi.NtStatus;

/** Closing objects, and the order in which closes and other callbacks complete. */
public final class LifetimeSteps {
    private final ScenarioState state;

    public LifetimeSteps(ScenarioState state) {
        this.state = state;
    }

    private Lab lab() {
        return state.lab;
    }

    private NdkObject object(String name) {
        return lab().objectNamed(name);
    }

    private TrackedCall closeOf(String name) {
        TrackedCall connect = lab().lastRequestOrNull("NdkConnectWithSharedEndpoint", name);
        if (lab().closeOf(name) == null && connect != null && connect.inline() != null && !connect.inline().isPending()) {
            // the scenario closes inside the completion, and an inline status has none
            throw new Unsupported("completed-inline", "the provider reported the connect of " + name + " inline ("
                    + connect.inline() + "), so there was no completion to close it from");
        }
        // A close issued inside a completion may still be on its way on the provider's thread.
        if (!lab().eventually(lab().timeout(), () -> lab().closeOf(name) != null)) {
            throw lab().failure("no close of " + name + " was issued within " + lab().timeout().toMillis() + " ms");
        }
        return lab().closeOf(name);
    }

    @When("the consumer closes {closable}")
    @When("the peer closes {closable}")
    public void close(String name) {
        lab().close(name, object(name));
    }

    @When("the consumer closes {closable} with a close completion that takes {int} ms")
    @When("the peer closes {closable} with a close completion that takes {int} ms")
    public void closeSlowly(String name, int ms) {
        lab().close(name, object(name), java.time.Duration.ofMillis(ms));
        closeCompletes(name);
    }

    @When("the consumer closes {closable} and the close completes")
    @When("the peer closes {closable} and the close completes")
    public void closeAndWait(String name) {
        close(name);
        closeCompletes(name);
    }

    @Then("the close of {closable} returns {status}")
    public void closeReturns(String name, NtStatus status) {
        lab().expectStatus("NdkCloseObject(" + name + ")", status, closeOf(name).inline());
    }

    @Then("the close of {closable} has not completed")
    public void closeNotCompleted(String name) {
        TrackedCall t = closeOf(name);
        lab().settle();
        if (t.isDone()) {
            throw lab().failure("NdkCloseObject(" + name + ") must still be pending while its successors are open, but it "
                    + (t.inline().isPending() ? "completed" : "returned " + t.inline() + " inline"));
        }
    }

    @Then("the close of {closable} completes")
    public void closeCompletes(String name) {
        Outcome o = closeOf(name).await(lab().timeout());
        lab().trace().note("NdkCloseObject(" + name + ") finished " + o.path().describe());
    }

    @Then("the close of {closable} completes after the close of {closable}")
    public void closeCompletesAfter(String later, String earlier) {
        closeCompletes(earlier);
        closeCompletes(later);
        TrackedCall a = closeOf(earlier);
        TrackedCall b = closeOf(later);
        if (b.doneNanos() < a.doneNanos()) {
            throw lab().failure("NdkCloseObject(" + later + ") completed before NdkCloseObject(" + earlier
                    + ") had completed; an antecedent's close completes only after its successors'");
        }
    }

    @Then("the close of {closable} completes only after the close completion of {closable} has returned")
    public void closeCompletesAfterCallbackReturned(String antecedent, String successor) {
        closeCompletes(successor);
        closeCompletes(antecedent);
        TrackedCall s = closeOf(successor);
        TrackedCall a = closeOf(antecedent);
        // A successor closed inline (STATUS_SUCCESS) ran no callback: the antecedent may then
        // complete even inside that close call, but not before it was made.
        boolean viaCallback = s.inline().isPending();
        long mustFollow = viaCallback ? s.awaitCallbackReturned(lab().timeout()) : s.beganNanos();
        if (a.doneNanos() < mustFollow) {
            throw lab().failure("NdkCloseObject(" + antecedent + ") completed "
                    + (mustFollow - a.doneNanos()) / 1_000_000.0 + " ms before "
                    + (viaCallback ? "the close completion of " + successor + " had returned to the provider"
                            : "NdkCloseObject(" + successor + ") was called")
                    + "; an antecedent's close completes only after its successors' close completions have returned");
        }
    }

    @Then("the {request} of {name} completes before the close of {name}")
    public void requestBeforeClose(String function, String c, String closed) {
        TrackedCall close = closeOf(closed);
        close.await(lab().timeout());
        TrackedCall request = lab().lastRequest(function, c);
        if (!request.isDone()) {
            throw lab().failure("NdkCloseObject(" + closed + ") completed while the " + function + " of " + c
                    + " was still pending; a close completes pending requests first");
        }
        if (request.doneNanos() > close.doneNanos()) {
            throw lab().failure("the " + function + " of " + c + " completed after NdkCloseObject(" + closed
                    + ") had completed");
        }
        lab().trace().note(function + " of " + c + " finished before the close: " + request.await(lab().timeout()));
    }

    @Then("no callback for {name} follows the close of {name}")
    public void noCallbackAfterClose(String owner, String closed) {
        closeOf(closed).await(lab().timeout());
        lab().settle();
        List<Violation> v = lab().callbacksAfterClose(owner);
        if (!v.isEmpty()) {
            throw lab().failure(v.get(0));
        }
    }

    @When("the consumer closes every object of the scenario")
    public void closeEverything() {
        state.closeViolations = lab().closeEverythingAndCheck();
    }

    @Then("every close returned STATUS_SUCCESS or STATUS_PENDING")
    public void everyCloseReturned() {
        for (TrackedCall t : lab().closes()) {
            NtStatus s = t.inline();
            if (!(s.equals(NtStatus.SUCCESS) || s.isPending())) {
                throw lab().failure(new Violation("CLOSE-NEVER-FAILS", t.label() + " returned " + s));
            }
        }
        if (lab().closes().isEmpty()) {
            throw new IllegalStateException("the scenario closed nothing");
        }
    }

    @Then("every close that returned STATUS_PENDING completed exactly once")
    public void everyPendingCloseCompleted() {
        for (Violation v : state.closeViolations) {
            if (!v.clause().equals(LEAK)) {
                throw lab().failure(v);
            }
        }
    }

    @Then("the provider holds nothing more than before the scenario")
    public void nothingLeaked() {
        if (!lab().countsBefore().isAvailable()) {
            throw new Unsupported(lab().countsBefore().reasonCode(), lab().countsBefore().detail());
        }
        for (Violation v : state.closeViolations) {
            if (v.clause().equals(LEAK)) {
                throw lab().failure(v);
            }
        }
        lab().trace().note("resource counts after the closes: " + lab().resourceCounts().get());
    }

    private static final String LEAK = "LIFE-CLOSE-RELEASES";
}
