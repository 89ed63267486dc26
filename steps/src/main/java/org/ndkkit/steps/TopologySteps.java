package org.ndkkit.steps;

import io.cucumber.java.en.Given;
import java.net.InetAddress;
import java.util.List;
import org.ndkkit.kit.Lab;
import org.ndkkit.kit.LimitExpression;
import org.ndkkit.kit.Unsupported;
import org.ndkkit.spi.Availability;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.LabCondition;
import org.ndkkit.spi.ResourceExhaustion;
import org.ndkkit.spi.SockAddr;

/** The scenario's set-up: listeners, shared endpoints, connectors, and the lab's conditions. */
public final class TopologySteps {
    private final ScenarioState state;

    public TopologySteps(ScenarioState state) {
        this.state = state;
    }

    private Lab lab() {
        return state.lab;
    }

    static InetAddress address(Lab lab, Host host, int index) {
        List<InetAddress> all = lab.session().testbed().addresses(host);
        if (index >= all.size()) {
            throw new Unsupported("too-few-addresses", "the scenario needs " + (index + 1) + " addresses on the "
                    + host.name().toLowerCase() + " host; the testbed offers " + all.size());
        }
        return all.get(index);
    }

    static <T> T available(Availability<T> a) {
        if (!a.isAvailable()) {
            throw new Unsupported(a.reasonCode(), a.detail());
        }
        return a.get();
    }

    static SockAddr condition(Lab lab, LabCondition c) {
        return available(lab.session().testbed().address(c));
    }

    @Given("the peer listens on its {ordinal} address as {name}")
    public void peerListens(int ordinal, String name) {
        lab().newListener(name, Host.PEER, SockAddr.of(address(lab(), Host.PEER, ordinal), 0));
    }

    @Given("the local host listens on its {ordinal} address as {name}")
    public void localListens(int ordinal, String name) {
        lab().newListener(name, Host.LOCAL, SockAddr.of(address(lab(), Host.LOCAL, ordinal), 0));
    }

    @Given("the peer listens on that destination as {name}")
    public void peerListensOnLastDestination(String name) {
        if (state.lastConditionDestination == null) {
            throw new IllegalStateException("no earlier step connected to a lab destination");
        }
        lab().newListener(name, Host.PEER, state.lastConditionDestination);
    }

    @Given("a shared endpoint {name} on the local host's {ordinal} address with port {int}")
    public void sharedEndpoint(String name, int ordinal, int port) {
        lab().newSharedEndpoint(name, SockAddr.of(address(lab(), Host.LOCAL, ordinal), port));
    }

    @Given("connectors {names} on the local host, each with its own QP")
    public void connectors(List<String> names) {
        for (String n : names) {
            lab().newConnector(n, Host.LOCAL);
        }
    }

    @Given("the local host has at least {int} addresses")
    public void localAddresses(int n) {
        address(lab(), Host.LOCAL, n - 1);
    }

    @Given("{limit} is at least {limit}")
    public void atLeast(String a, String b) {
        long x = eval(a);
        long y = eval(b);
        if (x < y) {
            throw new Unsupported("adapter-limits-too-small", a + " (" + x + ") is less than " + b + " (" + y
                    + "): the adapters cannot show this rule");
        }
    }

    @Given("{limit} is less than {limit}")
    public void lessThan(String a, String b) {
        long x = eval(a);
        long y = eval(b);
        if (x >= y) {
            throw new Unsupported("adapter-limits-not-distinct", a + " (" + x + ") is not less than " + b + " (" + y
                    + "): the adapters cannot show this rule");
        }
    }

    long eval(String expr) {
        return LimitExpression.evaluate(expr, lab().info(Host.LOCAL), lab().info(Host.PEER));
    }

    @Given("the local adapter's resources are exhausted")
    public void exhaustResources() {
        ResourceExhaustion e = available(lab().session().testbed().exhaustResources(Host.LOCAL));
        state.exhaustions.add(e);
        lab().trace().note("testbed: local adapter resources exhausted");
    }

    @Given("every ephemeral port of the local host's {ordinal} address is taken")
    public void exhaustPorts(int ordinal) {
        InetAddress ip = address(lab(), Host.LOCAL, ordinal);
        state.exhaustions.add(available(lab().session().testbed().exhaustEphemeralPorts(ip)));
        lab().trace().note("testbed: every ephemeral port of " + ip.getHostAddress() + " taken");
    }

    @Given("the peer pauses connect events on {name}")
    public void pause(String listener) {
        lab().listener(listener).listener().controlConnectEvents(true);
        lab().trace().call("NdkControlConnectEvents(" + listener + ", pause)");
    }

    @Given("the peer resumes connect events on {name}")
    public void resume(String listener) {
        lab().listener(listener).listener().controlConnectEvents(false);
        lab().trace().call("NdkControlConnectEvents(" + listener + ", resume)");
    }
}
