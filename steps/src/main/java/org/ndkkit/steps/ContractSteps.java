package org.ndkkit.steps;

import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.util.List;
import org.ndkkit.kit.Lab;
import org.ndkkit.kit.Outcome;
import org.ndkkit.kit.TrackedCall;
import org.ndkkit.kit.Violation;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.NdkCq;
import org.ndkkit.spi.NdkObjectType;
import org.ndkkit.spi.NdkPd;
import org.ndkkit.spi.QpParameters;
import org.ndkkit.spi.SockAddr;

/** Steps whose subject is NDK's asynchronous contract itself. */
public final class ContractSteps {
    private final ScenarioState state;

    public ContractSteps(ScenarioState state) {
        this.state = state;
    }

    private Lab lab() {
        return state.lab;
    }

    @Then("the {request} of {name} followed the completion rule")
    public void followedRule(String function, String owner) {
        TrackedCall t = lab().lastRequest(function, owner);
        Outcome o = t.await(lab().session().testbed().connectTimeout().plus(lab().timeout()));
        lab().settle();
        List<Violation> v = t.violations(true);
        if (!v.isEmpty()) {
            throw lab().failure(v.get(0));
        }
        lab().trace().note(t.label() + " finished " + o.path().describe() + "; " + t.completions().size()
                + " completion(s), context " + (t.completions().isEmpty() ? "n/a" : "returned unchanged"));
    }

    @Then("{name}'s connect event carried the context given to NdkCreateListener")
    public void connectEventContext(String listener) {
        if (lab().listener(listener).eventCount() == 0) {
            throw lab().failure(listener + " made no connect event");
        }
        for (Violation v : lab().pendingViolations()) {
            if (v.clause().equals("LISTEN-CONNECT-EVENT")) {
                throw lab().failure(v);
            }
        }
    }

    /** Objects whose type (NDK_OBJECT_HEADER.ObjectType) is not the one created. */
    private final List<String> wrongTypes = new java.util.ArrayList<>();

    @When("the consumer creates a PD, a CQ, a QP, a connector, a shared endpoint and a listener on the local adapter")
    public void createEach() {
        NdkAdapter a = lab().adapter(Host.LOCAL);
        Lab.CreateResult<NdkPd> pd = lab().tryCreate("NdkCreatePd(X)", "X-PD", t -> a.createPd(t.createCompletion(), t.context()));
        adopt("X-PD", pd);
        Lab.CreateResult<NdkCq> cq = lab().tryCreate("NdkCreateCq(X)", "X-CQ", t -> a.createCq(16, t.createCompletion(), t.context()));
        adopt("X-CQ", cq);
        if (pd.object() != null && cq.object() != null) {
            adopt("X-QP", lab().tryCreate("NdkCreateQp(X)", "X-QP", t -> pd.object().createQp(cq.object(), cq.object(),
                    QpParameters.small(), t.createCompletion(), t.context())));
        }
        adopt("X-C", lab().tryCreate("NdkCreateConnector(X)", "X-C", t -> a.createConnector(t.createCompletion(), t.context())));
        SockAddr any = SockAddr.of(TopologySteps.address(lab(), Host.LOCAL, 0), 0);
        adopt("X-SE", lab().tryCreate("NdkCreateSharedEndpoint(X)", "X-SE",
                t -> a.createSharedEndpoint(any, t.createCompletion(), t.context())));
        adopt("X-L", lab().tryCreate("NdkCreateListener(X)", "X-L",
                t -> a.createListener((ctx, c) -> { }, null, t.createCompletion(), t.context())));
    }

    private void adopt(String name, Lab.CreateResult<?> r) {
        state.createOutcomes.add(name + ": " + r.outcome());
        if (r.object() instanceof org.ndkkit.spi.NdkObject o) {
            NdkObjectType want = switch (name) {
                case "X-PD" -> NdkObjectType.PD;
                case "X-CQ" -> NdkObjectType.CQ;
                case "X-QP" -> NdkObjectType.QP;
                case "X-C" -> NdkObjectType.CONNECTOR;
                case "X-SE" -> NdkObjectType.SHARED_ENDPOINT;
                default -> NdkObjectType.LISTENER;
            };
            if (o.type() != want) {
                wrongTypes.add(name + " is of type " + o.type() + ", not " + want);
            }
            // QP before its PD/CQ in the close order: adopt keeps creation order, so close the QP first
            lab().adopt(name, o);
        } else {
            throw lab().failure(name + " was not created: " + r.outcome());
        }
    }

    @Then("every create returned STATUS_SUCCESS with the object or STATUS_PENDING and one completion carrying it")
    public void everyCreateFollowedPattern() {
        lab().settle();
        if (!wrongTypes.isEmpty()) {
            throw lab().failure("a create handed over an object of another type (the header's ObjectType): " + wrongTypes);
        }
        for (TrackedCall t : lab().calls(TrackedCall.Kind.CREATE)) {
            List<Violation> v = t.violations(true);
            if (!v.isEmpty()) {
                throw lab().failure(v.get(0));
            }
        }
        lab().trace().note("creates: " + state.createOutcomes);
    }
}
