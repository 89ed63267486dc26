package org.ndkkit.steps;

import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.net.InetAddress;
import org.ndkkit.kit.Lab;
import org.ndkkit.kit.Lab.CreateResult;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.LabCondition;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.UlongRef;

/** Shared-endpoint creation, listening attempts, and the addresses objects report. */
public final class AddressSteps {
    private final ScenarioState state;

    public AddressSteps(ScenarioState state) {
        this.state = state;
    }

    private Lab lab() {
        return state.lab;
    }

    /** The address a named shared endpoint or listener reported. */
    private SockAddr addressOf(String name) {
        try {
            return lab().endpoint(name).address();
        } catch (IllegalArgumentException notAnEndpoint) {
            return lab().listener(name).address();
        }
    }

    private void tryCreate(String name, SockAddr address) {
        CreateResult<NdkSharedEndpoint> r = lab().tryCreateSharedEndpoint(name, address);
        state.lastCreation = r.outcome();
        if (r.object() != null) {
            if (name.startsWith("?")) {
                lab().adopt(name, r.object());
            } else {
                lab().registerEndpoint(name, r.object());
            }
        }
    }

    private void create(String name, SockAddr address) {
        tryCreate(name, address);
        lab().expectStatus("NdkCreateSharedEndpoint(" + name + ", " + address + ")", NtStatus.SUCCESS, state.lastCreation);
    }

    @When("a shared endpoint {name} is created on the local host's {ordinal} address with port {int}")
    public void createNamed(String name, int ordinal, int port) {
        create(name, TopologySteps.local(lab(), ordinal, port));
    }

    @When("a shared endpoint is created on the local host's {ordinal} address with port {int}")
    public void createUnnamed(int ordinal, int port) {
        tryCreate("?unexpected-endpoint", TopologySteps.local(lab(), ordinal, port));
    }

    @When("a shared endpoint is created on the address of {name}")
    public void createOnAddressOf(String other) {
        tryCreate("?unexpected-endpoint", addressOf(other));
    }

    @When("a shared endpoint {name} is created on the address of {name}")
    public void createNamedOnAddressOf(String name, String other) {
        create(name, addressOf(other));
    }

    @When("a shared endpoint is created on an address that is not the local adapter's")
    public void createForeign() {
        tryCreate("?unexpected-endpoint", TopologySteps.condition(lab(), LabCondition.FOREIGN_LOCAL_ADDRESS));
    }

    @Then("the creation fails with {status}")
    public void creationFails(NtStatus status) {
        lab().expectStatus("NdkCreateSharedEndpoint", status, state.lastCreation);
    }

    @When("the local host tries to listen on the address of {name}")
    public void tryListen(String other) {
        tryListen(addressOf(other));
    }

    @When("the local host tries to listen on an address that is not the local adapter's")
    public void tryListenForeign() {
        tryListen(TopologySteps.condition(lab(), LabCondition.FOREIGN_LOCAL_ADDRESS));
    }

    @When("the local host tries to listen on its {ordinal} address with port {int}")
    public void tryListenOn(int ordinal, int port) {
        tryListen(TopologySteps.local(lab(), ordinal, port));
    }

    private void tryListen(SockAddr address) {
        Lab.CreateResult<org.ndkkit.spi.NdkListener> r = lab().tryCreate("NdkCreateListener(LX)", "LX",
                t -> lab().adapter(Host.LOCAL).createListener((ctx, c) -> lab().trace().callback("unexpected connect event on LX"),
                        "LX", t.createCompletion(), t.context()));
        if (r.object() == null) {
            throw lab().failure("NdkCreateListener failed: " + r.outcome());
        }
        lab().adopt("LX", r.object());
        state.lastListen = lab().request("NdkListen(LX, " + address + ")", "LX",
                t -> r.object().listen(address, t.requestCompletion(), t.context())).await(lab().timeout());
    }

    @Then("the listen fails with {status}")
    public void listenFails(NtStatus status) {
        lab().expectStatus("NdkListen", status, state.lastListen);
    }

    @Then("{name} reports the local host's {ordinal} address with a port between {int} and {int}")
    public void reportsEphemeral(String se, int ordinal, int low, int high) {
        SockAddr a = lab().endpoint(se).address();
        InetAddress ip = TopologySteps.address(lab(), Host.LOCAL, ordinal);
        if (!a.ip().equals(ip) || a.port() < low || a.port() > high) {
            throw lab().failure(se + " reports " + a + "; expected " + ip.getHostAddress() + " with a port in " + low + "-" + high);
        }
    }

    @Then("{name} reports the local host's {ordinal} IPv6 address with a port between {int} and {int}")
    public void reportsEphemeralV6(String se, int ordinal, int low, int high) {
        SockAddr a = lab().endpoint(se).address();
        InetAddress ip = TopologySteps.ipv6Address(lab(), Host.LOCAL, ordinal);
        if (a.family() != SockAddr.AF_INET6 || a.length() != SockAddr.SOCKADDR_IN6_SIZE || !a.ip().equals(ip)
                || a.port() < low || a.port() > high) {
            throw lab().failure(se + " reports " + a + " (family " + a.family() + ", length " + a.length() + "); expected a "
                    + SockAddr.SOCKADDR_IN6_SIZE + "-byte SOCKADDR_IN6 of " + ip.getHostAddress() + " with a port in "
                    + low + "-" + high);
        }
    }

    @Then("{name} reports the local host's {ordinal} address with port {int}")
    public void reportsPort(String se, int ordinal, int port) {
        SockAddr a = lab().endpoint(se).address();
        SockAddr want = TopologySteps.local(lab(), ordinal, port);
        if (!a.sameEndpoint(want)) {
            throw lab().failure(se + " reports " + a + "; expected " + want);
        }
    }

    @Then("{name} reports the address of {name}")
    public void reportsAddressOf(String se, String other) {
        SockAddr a = lab().endpoint(se).address();
        SockAddr want = addressOf(other);
        if (!a.sameEndpoint(want)) {
            throw lab().failure(se + " reports " + a + "; expected " + want);
        }
    }

    @Then("the local address of {name} is the address of {name}")
    public void localAddress(String c, String of) {
        SockAddr a = lab().readAddress("NdkGetLocalAddress(" + c + ")", lab().connector(c).connector()::getLocalAddress);
        SockAddr want = addressOf(of);
        if (!a.sameEndpoint(want)) {
            throw lab().failure("NdkGetLocalAddress(" + c + ") = " + a + "; expected the address of " + of + ", " + want);
        }
    }

    @Then("the peer address of {name} is the address of {name}")
    public void peerAddress(String c, String of) {
        SockAddr a = lab().readAddress("NdkGetPeerAddress(" + c + ")", lab().connector(c).connector()::getPeerAddress);
        SockAddr want = addressOf(of);
        if (!a.sameEndpoint(want)) {
            throw lab().failure("NdkGetPeerAddress(" + c + ") = " + a + "; expected the address of " + of + ", " + want);
        }
    }

    private long addrSize(String name, String size) {
        int full = addressOf(name).family() == SockAddr.AF_INET6 ? SockAddr.SOCKADDR_IN6_SIZE : SockAddr.SOCKADDR_IN_SIZE;
        return switch (size) {
            case "the size of the address" -> full;
            case "the size of the address minus 1" -> full - 1;
            default -> Long.parseLong(size);
        };
    }

    @When("the consumer reads the local address of {name} into a buffer of {addrsize} bytes")
    public void readInto(String se, String size) {
        long n = addrSize(se, size);
        byte[] buf = n == 0 ? null : new byte[(int) n];
        UlongRef len = UlongRef.of(n);
        NdkSharedEndpoint e = lab().endpoint(se).endpoint();
        state.lastReadStatus = lab().sync("NdkGetSharedEndpointLocalAddress(" + se + ", buffer " + n + ")",
                () -> e.getLocalAddress(buf, len));
        state.lastReadLength = len.unsigned();
        state.lastReadBuffer = buf;
        state.lastReadObject = se;
    }

    @Then("the read returns {status} and reports {addrsize}")
    public void readReports(NtStatus status, String size) {
        lab().expectStatus("the read", status, state.lastReadStatus);
        String se = state.lastReadObject;
        long want = addrSize(se, size);
        if (state.lastReadLength != want) {
            throw lab().failure("the read reported a length of " + state.lastReadLength + "; expected " + want + " (" + size + ")");
        }
        if (status.equals(NtStatus.SUCCESS)) {
            SockAddr got = SockAddr.fromBuffer(state.lastReadBuffer, (int) state.lastReadLength);
            if (!got.sameEndpoint(addressOf(se))) {
                throw lab().failure("the read wrote " + got + "; expected " + addressOf(se));
            }
        }
    }
}
