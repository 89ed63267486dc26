package org.ndkkit.steps;

import io.cucumber.java.ParameterType;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import org.ndkkit.kit.Lab;
import org.ndkkit.kit.Outcome;
import org.ndkkit.kit.TrackedCall;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.steps.StateDriver.ConnectorCall;
import org.ndkkit.steps.StateDriver.ConnectorState;
import org.ndkkit.steps.StateDriver.Result;

/**
 * The state table (features/states.feature): every call on a connector, a shared endpoint and a
 * listener in each of their states, and what it must return.
 *
 * <p>Expectations: a status by name (the final one: inline, or the completion's after PENDING);
 * {@code an error} (error severity, the code is provider-defined); {@code a pending request} (the
 * request returned PENDING and has not completed, because its outcome waits for someone);
 * {@code a new attempt or an error} (pending, or finished with an error, never success);
 * {@code STATUS_SUCCESS or an error} (the provider's choice; an address it writes must be the
 * right one). That nothing follows an object's close completion is checked, as in every scenario,
 * when the scenario's objects are closed.
 */
public final class StateSteps {
    private final StateDriver driver;
    private final ScenarioState state;
    /** What the scenario's call returned. */
    private Result last;

    public StateSteps(ScenarioState state, ConnectionSteps conn) {
        driver = new StateDriver(state, conn);
        this.state = state;
    }

    private Lab lab() {
        return state.lab;
    }

    @ParameterType(ConnectorState.REGEX)
    public ConnectorState connectorState(String s) {
        return StateDriver.named(ConnectorState.class, c -> c.words, s);
    }

    @ParameterType(ConnectorCall.REGEX)
    public ConnectorCall connectorCall(String s) {
        return StateDriver.named(ConnectorCall.class, c -> c.words, s);
    }

    @ParameterType("STATUS_SUCCESS or an error|a new attempt or an error|a pending request|an error|STATUS_[A-Z_]+")
    public String expectation(String s) {
        return s;
    }

    @When("the connector, {connectorState}, is asked to {connectorCall}")
    public void connector(ConnectorState s, ConnectorCall call) {
        last = driver.callConnector(driver.connectorIn(s), s, call);
    }

    @ParameterType("open|in use|closing")
    public String endpointState(String s) {
        return s;
    }

    @ParameterType("created|listening|paused|closing")
    public String listenerState(String s) {
        return s;
    }

    @When("the shared endpoint, {endpointState}, is asked to {}")
    public void endpoint(String s, String call) {
        driver.endpointIn(s);
        last = driver.callEndpoint(s, call);
    }

    @When("the listener, {listenerState}, is asked to {}")
    public void listener(String s, String call) {
        driver.listenerIn(s);
        last = driver.callListener(s, call);
    }

    @Then("it returns {expectation}")
    public void returns(String expected) {
        Result r = last;
        if (r.request() != null) {
            judgeRequest(r, expected);
        } else {
            NtStatus s = r.sync() != null ? r.sync() : r.created().status();
            judge(r.label(), expected, s, r.created() != null ? r.created().toString() : s.toString());
        }
        if (r.written() != null && r.expected() != null && !r.written().sameEndpoint(r.expected())) {
            throw lab().failure(r.label() + ": returned STATUS_SUCCESS (0x00000000) with the address " + r.written()
                    + ", expected " + r.expected());
        }
    }

    private void judgeRequest(Result r, String expected) {
        TrackedCall t = r.request();
        switch (expected) {
            case "a pending request" -> {
                lab().settle();
                if (t.isDone()) {
                    throw lab().failure(r.label() + ": expected STATUS_PENDING (0x00000103) with no outcome yet, but it finished: "
                            + t.await(lab().timeout()));
                }
                lab().trace().note(r.label() + ": pending, as expected");
            }
            case "a new attempt or an error", "STATUS_SUCCESS or an error" -> {
                lab().settle();
                if (t.isDone()) {
                    Outcome o = t.await(lab().timeout());
                    judge(r.label(), expected, o.status(), o.toString());
                } else {
                    lab().trace().note(r.label() + ": pending (a new attempt), which the row allows");
                }
            }
            default -> {
                Outcome o = driver.conn.outcome(t.label().replaceAll("\\(.*", ""), t.owner());
                judge(r.label(), expected, o.status(), o.toString());
            }
        }
    }

    private void judge(String label, String expected, NtStatus s, String seen) {
        boolean ok = switch (expected) {
            case "an error" -> s.isError();
            case "a new attempt or an error" -> s.isError();
            case "STATUS_SUCCESS or an error" -> s.equals(NtStatus.SUCCESS) || s.isError();
            case "a pending request" -> throw new IllegalArgumentException("a synchronous call cannot pend: " + label);
            default -> s.equals(NtStatus.named(expected));
        };
        if (!ok) {
            String want = expected.startsWith("STATUS_") && !expected.contains(" ") ? NtStatus.named(expected).toString()
                    : expected + " (an error has error severity, 0xC.......)";
            throw lab().failure(label + ": expected " + want + ", got " + seen);
        }
        lab().trace().note(label + ": " + seen + (expected.startsWith("STATUS_") && !expected.contains(" ")
                ? " as expected" : ", which the row allows (" + expected + ")"));
    }
}
