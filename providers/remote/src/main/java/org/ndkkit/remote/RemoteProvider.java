package org.ndkkit.remote;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.ndkkit.spi.NdkProvider;
import org.ndkkit.spi.ProviderCapability;
import org.ndkkit.spi.ProviderIdentity;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.spi.TestbedUnavailableException;
import org.ndkkit.wire.WireValues;
import org.ndkkit.wire.v1.HelloReply;
import org.ndkkit.wire.v1.OpenTestbed;

/**
 * {@code remote}: the kit's side of ndk.wire.v1. It drives the provider an agent serves on the
 * machine under test, as if it were in this JVM. Settings: {@code local=HOST:PORT} (the agent for
 * the host under test), {@code peer=HOST:PORT} (the agent for its peer; default the same agent),
 * {@code rpc-timeout-ms}, {@code hello-timeout-ms}, {@code open-timeout-ms}, {@code callback-timeout-ms},
 * {@code crash-check-ms}; every other setting goes to the provider behind the agent.
 *
 * <p>A call that finds the connection to an agent broken asks the agent how the session ended
 * (wire v1.3): when it says the provider crashed its worker, the call throws
 * {@link org.ndkkit.spi.ProviderCrashedException}, else {@link org.ndkkit.spi.ProviderUnreachableException}.
 *
 * <p>{@code Testbed.awaitQuiescence} is the agents' (wire v1.4): an agent before v1.4 is not asked
 * and the answer is UNKNOWN, as it is for any failure; with two agents both are asked at once.
 *
 * <p>Once a testbed is open, {@link #identity()} and {@link #capabilities()} are the served
 * provider's, and the description says what was reached and how ("remote → reference 0.1.0 ..."),
 * so a report names what was really tested.
 */
public final class RemoteProvider implements NdkProvider {
    public static final String NAME = "remote";
    static final String CLIENT = "ndk-kit remote provider, " + WireValues.text(WireValues.version());

    private volatile ProviderIdentity served;
    private volatile Set<ProviderCapability> servedCapabilities;

    @Override
    public ProviderIdentity identity() {
        ProviderIdentity s = served;
        return s != null ? s : new ProviderIdentity(NAME, WireValues.text(WireValues.version()), "ndkkit",
                "a provider served by an agent over " + WireValues.text(WireValues.version())
                        + " (settings local=HOST:PORT, peer=HOST:PORT)");
    }

    @Override
    public Set<ProviderCapability> capabilities() {
        Set<ProviderCapability> c = servedCapabilities;
        return c != null ? c : EnumSet.noneOf(ProviderCapability.class);
    }

    @Override
    public Testbed openTestbed(TestbedOptions options) throws TestbedUnavailableException {
        RemoteSettings s;
        try {
            s = RemoteSettings.of(options.settings());
        } catch (IllegalArgumentException e) {
            throw new TestbedUnavailableException(e.getMessage(), e);
        }
        OpenTestbed open = OpenTestbed.newBuilder().setConnectTimeoutMs(options.connectTimeout().toMillis())
                .putAllSettings(s.passThrough()).setCallbackTimeoutMs(s.callbackTimeoutMs()).build();
        AgentLink local = new AgentLink(s.local(), s);
        AgentLink peer = null;
        try {
            local.open(open);
            peer = s.oneAgent() ? local : new AgentLink(s.peer(), s);
            if (peer != local) {
                peer.open(open);
            }
            RemoteTestbed tb = new RemoteTestbed(local, peer, s.linkControl() == null ? null
                    : new LinkControlCommand(s.linkControl(), Math.max(s.rpcTimeoutMs(), 120_000)),
                    peer == local ? null : () -> reopen(s, open));
            describe(local, peer);
            return tb;
        } catch (TestbedUnavailableException | RuntimeException e) {
            local.close();
            if (peer != null && peer != local) {
                peer.close();
            }
            throw e;
        }
    }

    /**
     * A new session with the peer's agent after its process was killed and started again. The old
     * session may still be ending on an agent that outlived the kill: "agent busy" is tried again
     * for up to 10 s.
     */
    private static AgentLink reopen(RemoteSettings s, OpenTestbed open) throws TestbedUnavailableException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            AgentLink fresh = new AgentLink(s.peer(), s);
            try {
                fresh.open(open);
                return fresh;
            } catch (TestbedUnavailableException | RuntimeException e) {
                fresh.close();
                if (!String.valueOf(e.getMessage()).contains("agent busy") || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TestbedUnavailableException("interrupted while opening a new session with the peer's agent");
            }
        }
    }

    private void describe(AgentLink local, AgentLink peer) {
        HelloReply h = local.helloReply();
        var p = h.getProvider();
        String via = via(local) + (peer != local ? "; peer " + p(peer.helloReply()) + " " + via(peer) : "");
        served = new ProviderIdentity(NAME, p.getVersion(), p.getVendor(),
                NAME + " \u2192 " + p(h) + " " + via + ", " + WireValues.text(h.getWireVersion()));
        servedCapabilities = WireValues.capabilities(h.getCapabilitiesList());
        if (peer != local) {
            servedCapabilities.retainAll(WireValues.capabilities(peer.helloReply().getCapabilitiesList()));
        }
    }

    private static String p(HelloReply h) {
        return h.getProvider().getName() + " " + h.getProvider().getVersion();
    }

    private static String via(AgentLink l) {
        var a = l.helloReply().getAgent();
        return "(" + l.helloReply().getProvider().getVendor() + ") via " + a.getName() + " " + a.getVersion() + " ("
                + a.getRuntime() + ") on " + a.getHost() + " at " + l.target;
    }

}
