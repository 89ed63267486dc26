package org.ndkkit.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.ndkkit.kit.Draws;
import org.ndkkit.kit.Lab;
import org.ndkkit.kit.LimitExpression;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.SockAddr;

/**
 * Inputs drawn from their whole range ({@link Draws}): numbers the scenario names and uses later,
 * addresses and explicit ports, and how many connectors share an endpoint. Each draw comes from
 * the run seed and the scenario's id, and is recorded in the scenario's report.
 */
public final class DrawSteps {
    private static final String LIMIT = LimitExpression.REGEX;
    /** The scenario's state, its set-up steps and its connection steps (one of each per scenario). */
    private final ScenarioState state;
    private final TopologySteps topology;
    private final ConnectionSteps connection;
    /** The active connectors of the last many-connectors step, in the order they connected. */
    private final List<String> many = new ArrayList<>();

    public DrawSteps(ScenarioState state, TopologySteps topology, ConnectionSteps connection) {
        this.connection = connection;
        this.topology = topology;
        this.state = state;
    }

    private Lab lab() {
        return state.lab;
    }

    private Draws draws() {
        return lab().draws();
    }

    /**
     * "the private-data length N is an odd number drawn from 3 to MaxCallerData - 1", or a fixed
     * value ("the private-data length N is 0"): N then stands for the value in later steps.
     */
    @Given("^the ([a-z' -]+?) ([A-Z]{1,4}[0-9]?) is (?:an? (?:(odd|even) )?number drawn from (" + LIMIT + ") to (" + LIMIT
            + ")|(" + LIMIT + "))$")
    public void named(String what, String var, String parity, String low, String high, String fixed) {
        if (draws().value(var) != null) {
            throw new IllegalArgumentException("the scenario already named a value " + var);
        }
        if (fixed != null) {
            draws().fixed(var, topology.eval(fixed), what + " " + fixed);
        } else {
            draws().number(var, topology.eval(low), topology.eval(high), parity, what + " from " + low + " to " + high);
        }
        lab().trace().note("drawn: " + draws().lines().get(draws().lines().size() - 1));
    }

    private InetAddress ipv4(Host host, String name) {
        List<InetAddress> v4 = lab().session().testbed().addresses(host).stream()
                .filter(a -> a instanceof Inet4Address).toList();
        if (v4.isEmpty()) {
            throw new org.ndkkit.kit.Unsupported("too-few-addresses", "the testbed offers no IPv4 address on the "
                    + host.name().toLowerCase() + " host");
        }
        return draws().pick("address of " + name, v4, "any of the " + host.name().toLowerCase() + " host's IPv4 addresses");
    }

    private SockAddr drawn(Host host, String name, int low, int high) {
        InetAddress ip = ipv4(host, name);
        int port = draws().port("port of " + name, host, low, high);
        SockAddr a = SockAddr.of(ip, port);
        lab().trace().note("drawn: " + name + " on " + a);
        return a;
    }

    @Given("the peer listens on an address drawn from its IPv4 addresses, on a port drawn from {int} to {int}, as {name}")
    public void peerListensDrawn(int low, int high, String name) {
        lab().newListener(name, Host.PEER, drawn(Host.PEER, name, low, high));
    }

    @Given("a shared endpoint {name} on an address drawn from the local host's IPv4 addresses, on a port drawn from {int} to {int}")
    public void sharedEndpointDrawn(String name, int low, int high) {
        lab().newSharedEndpoint(name, drawn(Host.LOCAL, name, low, high));
    }

    // ------------------------------------------------------------------ many connectors on one endpoint

    @When("{limit} connectors connect through {name}, each to its own listener of the peer, the peer accepting each")
    public void manyConnect(String count, String se) {
        long n = topology.eval(count);
        for (int i = 1; i <= n; i++) {
            String c = "M" + i;
            String l = "ML" + i;
            String p = "MP" + i;
            lab().newListener(l, Host.PEER, SockAddr.of(TopologySteps.address(lab(), Host.PEER, 0), 0));
            lab().newConnector(c, Host.LOCAL);
            connection.connect(c, se, l);
            connection.accept(l, p);
            many.add(c);
        }
    }

    @Then("every one of those connections is established, each from the address of {name}")
    public void manyEstablished(String se) {
        if (many.isEmpty()) {
            throw new IllegalStateException("no earlier step connected many connectors");
        }
        SockAddr from = lab().endpoint(se).address();
        for (String c : many) {
            connection.succeeds("NdkConnectWithSharedEndpoint", c);
            connection.completeConnect(c);
            connection.succeeds("NdkCompleteConnect", c);
            connection.succeeds("NdkAccept", "MP" + c.substring(1));
            SockAddr local = lab().readAddress("NdkGetLocalAddress(" + c + ")", lab().connector(c).connector()::getLocalAddress);
            if (!local.sameEndpoint(from)) {
                throw lab().failure("NdkGetLocalAddress(" + c + ") = " + local + "; every connection through " + se
                        + " has its address " + from);
            }
        }
        lab().trace().note(many.size() + " connections established through " + se + " " + from);
    }

}
