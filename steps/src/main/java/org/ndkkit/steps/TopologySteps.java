package org.ndkkit.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.When;
import java.net.InetAddress;
import java.util.List;
import org.ndkkit.kit.Lab;
import org.ndkkit.kit.LabConditionRecord;
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

    /** The local host's address number {@code index} with {@code port}. */
    static SockAddr local(Lab lab, int index, int port) {
        return SockAddr.of(address(lab, Host.LOCAL, index), port);
    }

    static InetAddress address(Lab lab, Host host, int index) {
        List<InetAddress> all = lab.session().testbed().addresses(host);
        if (index >= all.size()) {
            throw new Unsupported("too-few-addresses", "the scenario needs " + (index + 1) + " addresses on the "
                    + host.name().toLowerCase() + " host; the testbed offers " + all.size());
        }
        return all.get(index);
    }

    /** The host's {@code index}-th IPv6 address; unsupported when the provider or its testbed has none. */
    static InetAddress ipv6Address(Lab lab, Host host, int index) {
        if (!lab.session().provider().capabilities().contains(org.ndkkit.spi.ProviderCapability.IPV6)) {
            throw new Unsupported("no-ipv6", "the provider does not declare the IPV6 capability");
        }
        List<InetAddress> v6 = lab.session().testbed().addresses(host).stream()
                .filter(a -> a instanceof java.net.Inet6Address).toList();
        if (index >= v6.size()) {
            // declared but not shown: not excused the way an undeclared capability is
            throw new Unsupported("no-ipv6-address", "the provider declares IPV6 but its testbed offers " + v6.size()
                    + " IPv6 address(es) on the " + host.name().toLowerCase() + " host; the scenario needs " + (index + 1));
        }
        return v6.get(index);
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

    @Given("the peer listens on its {ordinal} IPv6 address as {name}")
    public void peerListensV6(int ordinal, String name) {
        lab().newListener(name, Host.PEER, SockAddr.of(ipv6Address(lab(), Host.PEER, ordinal), 0));
    }

    @Given("a shared endpoint {name} on the local host's {ordinal} IPv6 address with port {int}")
    public void sharedEndpointV6(String name, int ordinal, int port) {
        lab().newSharedEndpoint(name, SockAddr.of(ipv6Address(lab(), Host.LOCAL, ordinal), port));
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

    @When("the network heals so that the destination is reachable")
    public void heal() {
        if (state.lastConditionCondition == null) {
            throw new IllegalStateException("no earlier step connected to a lab destination");
        }
        state.lifts.add(available(lab().session().testbed().lift(state.lastConditionCondition)));
        lab().trace().note("testbed: " + state.lastConditionCondition + " lifted; " + state.lastConditionDestination
                + " is now an address of the peer");
    }

    @When("the four-tuple release delay the testbed declares has passed")
    public void fourTupleReleaseDelay() {
        java.time.Duration d = lab().session().testbed().fourTupleReleaseDelay();
        java.time.Duration most = java.time.Duration.ofMinutes(5);
        if (d.isNegative() || d.compareTo(most) > 0) {
            throw new Unsupported("four-tuple-release-delay-too-long", "the testbed declares a four-tuple release delay of "
                    + d.toMillis() + " ms; the kit waits at most " + most.toMillis() + " ms");
        }
        lab().trace().note("waiting " + d.toMillis() + " ms, the four-tuple release delay the testbed declares");
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Given("a shared endpoint {name} on the local host's {ordinal} address with port {int}")
    public void sharedEndpoint(String name, int ordinal, int port) {
        lab().newSharedEndpoint(name, SockAddr.of(address(lab(), Host.LOCAL, ordinal), port));
    }

    @Given("a shared endpoint {name} of the peer's adapter on the peer's {ordinal} address with port {int}")
    public void peerSharedEndpoint(String name, int ordinal, int port) {
        lab().newSharedEndpoint(name, Host.PEER, SockAddr.of(address(lab(), Host.PEER, ordinal), port));
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
        try {
            return LimitExpression.evaluate(expr, lab().info(Host.LOCAL), lab().info(Host.PEER), lab().draws().values());
        } catch (LimitExpression.OutOfRange e) {
            // e.g. "MaxInboundReadLimit + 1" on an adapter whose maximum is already 4294967295
            throw new Unsupported("limit-outside-ulong", e.getMessage() + " with these adapters, so the scenario's value"
                    + " cannot be passed as a ULONG");
        }
    }

    @Given("the local adapter's resources are exhausted")
    public void exhaustResources() {
        ResourceExhaustion e = available(lab().session().testbed().exhaustResources(Host.LOCAL));
        state.exhaustions.add(e);
        LabConditionRecord r = LabConditionRecord.of("resource-exhaustion", Host.LOCAL.name(), null, e);
        state.conditions.add(r);
        lab().trace().note("testbed: " + r.line());
    }

    @Given("every ephemeral port of the local host's {ordinal} address is taken")
    public void exhaustPorts(int ordinal) {
        InetAddress ip = address(lab(), Host.LOCAL, ordinal);
        ResourceExhaustion e = available(lab().session().testbed().exhaustEphemeralPorts(ip));
        state.exhaustions.add(e);
        LabConditionRecord r = LabConditionRecord.of("ephemeral-ports-exhausted", null, ip.getHostAddress(), e);
        state.conditions.add(r);
        lab().trace().note("testbed: every ephemeral port taken: " + r.line());
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
