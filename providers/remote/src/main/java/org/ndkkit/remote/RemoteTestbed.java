package org.ndkkit.remote;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.ndkkit.spi.Availability;
import org.ndkkit.spi.ExhaustionMethod;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.LabCondition;
import org.ndkkit.spi.LinkFault;
import org.ndkkit.spi.LinkImpairment;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.LiftedCondition;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NetworkLink;
import org.ndkkit.spi.QpReadLimits;
import org.ndkkit.spi.Quiescence;
import org.ndkkit.spi.ResourceExhaustion;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedUnavailableException;
import org.ndkkit.wire.WireValues;
import org.ndkkit.wire.v1.Call;
import org.ndkkit.wire.v1.CallReply;
import org.ndkkit.wire.v1.ExhaustEphemeralPorts;
import org.ndkkit.wire.v1.ExhaustResources;
import org.ndkkit.wire.v1.ExhaustionAvailability;
import org.ndkkit.wire.v1.HostFacts;
import org.ndkkit.wire.v1.LabAddress;
import org.ndkkit.wire.v1.ListenerBacklog;
import org.ndkkit.wire.v1.LiftCondition;
import org.ndkkit.wire.v1.QpLimits;
import org.ndkkit.wire.v1.ReleaseExhaustion;
import org.ndkkit.wire.v1.ResourceCounts;
import org.ndkkit.wire.v1.Unavailable;

/**
 * The testbed behind one agent (both hosts) or two (the test machine's agent serves Host.LOCAL, the
 * support machine's Host.PEER). Destinations with lab conditions come from the local agent, which
 * sees the network from the side that connects; the listener backlog from the peer's.
 */
final class RemoteTestbed implements Testbed {
    /** Opens a new session with the peer's agent (after its process was killed and started again). */
    interface PeerReopener {
        AgentLink reopen() throws TestbedUnavailableException;
    }

    private final AgentLink local;
    private final NdkAdapter localAdapter;
    private final List<InetAddress> localAddresses;
    /** The peer's session; a new one after {@link NetworkLink#killPeerProvider()} heals. */
    private volatile PeerSide peerSide;
    private final Duration connectTimeout;
    private final Duration fourTupleReleaseDelay;
    private final NetworkLink link;
    private final PeerReopener reopener;

    private record PeerSide(AgentLink link, NdkAdapter adapter, List<InetAddress> addresses) {
        static PeerSide of(AgentLink l) {
            HostFacts pf = l.helloReply().getTestbed().getPeer();
            return new PeerSide(l, (NdkAdapter) l.proxy(pf.getAdapter()), WireValues.ips(pf.getAddressesList()));
        }
    }

    RemoteTestbed(AgentLink local, AgentLink peer, NetworkLink link, PeerReopener reopener) {
        this.local = local;
        this.link = link;
        this.reopener = reopener;
        HostFacts lf = local.helloReply().getTestbed().getLocal();
        this.localAdapter = (NdkAdapter) local.proxy(lf.getAdapter());
        this.localAddresses = WireValues.ips(lf.getAddressesList());
        this.peerSide = PeerSide.of(peer);
        this.connectTimeout = Duration.ofMillis(local.helloReply().getTestbed().getConnectTimeoutMs());
        // a v1.0 agent sends no delay: 0, the SPI's default, is what its provider meant
        this.fourTupleReleaseDelay = Duration.ofMillis(local.helloReply().getTestbed().getFourTupleReleaseDelayMs());
    }

    private AgentLink link(Host h) {
        return h == Host.LOCAL ? local : peerSide.link();
    }

    @Override
    public NdkAdapter adapter(Host host) {
        return host == Host.LOCAL ? localAdapter : peerSide.adapter();
    }

    @Override
    public List<InetAddress> addresses(Host host) {
        return host == Host.LOCAL ? localAddresses : peerSide.addresses();
    }

    @Override
    public Availability<SockAddr> address(LabCondition condition) {
        CallReply r = local.invoke(Call.newBuilder().setLabAddress(LabAddress.newBuilder()
                .setCondition(WireValues.condition(condition))));
        if (r.getResultCase() != CallReply.ResultCase.ADDRESS_AVAILABILITY) {
            throw RemoteObjects.protocol(local, r, "an address availability");
        }
        var a = r.getAddressAvailability();
        return a.hasAddress() ? Availability.of(WireValues.sockAddr(a.getAddress(), true)) : unavailable(a.getUnavailable());
    }

    @Override
    public Availability<ResourceExhaustion> exhaustResources(Host host) {
        AgentLink l = link(host);
        return exhaustion(l, l.invoke(Call.newBuilder().setExhaustResources(ExhaustResources.newBuilder()
                .setHost(WireValues.host(host)))));
    }

    @Override
    public Availability<ResourceExhaustion> exhaustEphemeralPorts(InetAddress localIp) {
        PeerSide p = peerSide;
        AgentLink l = local != p.link() && p.addresses().contains(localIp) && !localAddresses.contains(localIp) ? p.link() : local;
        return exhaustion(l, l.invoke(Call.newBuilder().setExhaustEphemeralPorts(ExhaustEphemeralPorts.newBuilder()
                .setLocalIp(WireValues.ip(localIp)))));
    }

    private static Availability<ResourceExhaustion> exhaustion(AgentLink l, CallReply r) {
        if (r.getResultCase() != CallReply.ResultCase.EXHAUSTION_AVAILABILITY) {
            throw RemoteObjects.protocol(l, r, "an exhaustion availability");
        }
        ExhaustionAvailability a = r.getExhaustionAvailability();
        if (!a.hasUnavailable()) {
            long h = a.getExhaustion();
            ExhaustionMethod method = WireValues.method(a.getMethod());
            String description = a.getDescription();
            return Availability.of(new ResourceExhaustion() {
                @Override
                public ExhaustionMethod method() {
                    return method;
                }

                @Override
                public String description() {
                    return description;
                }

                @Override
                public void close() {
                    CallReply done = l.invoke(Call.newBuilder().setReleaseExhaustion(ReleaseExhaustion.newBuilder()
                            .setExhaustion(h)));
                    if (done.getResultCase() != CallReply.ResultCase.DONE) {
                        throw RemoteObjects.protocol(l, done, "nothing");
                    }
                }
            });
        }
        return unavailable(a.getUnavailable());
    }

    /**
     * On the agent that gave the condition's address; with two agents on both, each doing its
     * host's half (the support machine makes the address its own, the test machine routes to it),
     * the peer's first and closed last. A v1.0 agent has no lift.
     */
    @Override
    public Availability<LiftedCondition> lift(LabCondition condition) {
        for (AgentLink l : links()) {
            if (beforeV11(l)) {
                return Availability.unavailable("cannot-lift-condition", v10(l) + " cannot lift lab conditions (v1.1 can)");
            }
        }
        if (local == peer()) {
            return liftOn(local, condition);
        }
        Availability<LiftedCondition> peerSide = liftOn(peer(), condition);
        if (!peerSide.isAvailable()) {
            return peerSide;
        }
        Availability<LiftedCondition> localSide = liftOn(local, condition);
        if (!localSide.isAvailable()) {
            peerSide.get().close();
            return localSide;
        }
        return Availability.of(() -> {
            try {
                localSide.get().close();
            } finally {
                peerSide.get().close();
            }
        });
    }

    private static Availability<LiftedCondition> liftOn(AgentLink l, LabCondition condition) {
        CallReply r = l.invoke(Call.newBuilder().setLiftCondition(LiftCondition.newBuilder()
                .setCondition(WireValues.condition(condition))));
        Availability<ResourceExhaustion> a = exhaustion(l, r);
        return a.isAvailable() ? Availability.of(a.get()::close) : Availability.unavailable(a.reasonCode(), a.detail());
    }

    private List<AgentLink> links() {
        AgentLink peer = peer();
        return local == peer ? List.of(local) : List.of(local, peer);
    }

    /**
     * The link-control command's, when the two hosts are two agents' machines; with one agent both
     * hosts are one machine and there is no link between them to disturb.
     */
    @Override
    public Availability<NetworkLink> link() {
        if (link == null) {
            return Availability.unavailable("no-link-control", "the remote provider was given no link-control command"
                    + " (-s link-control=PATH; the two-host lab's is lab/link-control)");
        }
        if (local == peer()) {
            return Availability.unavailable("no-link-control", "one agent serves both hosts: there is no link between them");
        }
        return Availability.of(new NetworkLink() {
            @Override
            public Availability<LinkFault> impair(LinkImpairment impairment) {
                return link.impair(impairment);
            }

            @Override
            public Availability<LinkFault> cut() {
                return link.cut();
            }

            @Override
            public Availability<LinkFault> pausePeer() {
                return link.pausePeer();
            }

            @Override
            public Availability<LinkFault> killPeerProvider() {
                return killPeer();
            }
        });
    }

    private AgentLink peer() {
        return peerSide.link();
    }

    /**
     * The link control kills the peer's agent; healing starts it again and opens a new session with
     * it, whose adapter {@link #adapter(Host) adapter(PEER)} returns from then on. The objects of the
     * old session are gone with its process: calls on them fail as the provider unreachable.
     */
    private Availability<LinkFault> killPeer() {
        if (reopener == null) {
            return Availability.unavailable("cannot-kill-peer", "this remote testbed cannot open a new session with"
                    + " the peer's agent after it restarts");
        }
        Availability<LinkFault> killed = link.killPeerProvider();
        if (!killed.isAvailable()) {
            return killed;
        }
        AgentLink old = peer();
        old.kill("the peer's agent at " + old.target + " was killed by the link control");
        LinkFault fault = killed.get();
        AtomicBoolean healed = new AtomicBoolean();
        return Availability.of(new LinkFault() {
            @Override
            public void close() {
                if (!healed.compareAndSet(false, true)) {
                    return;
                }
                fault.close();
                old.close();
                try {
                    peerSide = PeerSide.of(reopener.reopen());
                } catch (TestbedUnavailableException e) {
                    throw new IllegalStateException("the peer's agent at " + old.target + " restarted, but a new session"
                            + " with it failed: " + e.getMessage(), e);
                }
            }

            @Override
            public String toString() {
                return fault.toString();
            }
        });
    }

    /** On the agent that handed the QP out; a v1.0 agent cannot read it. */
    @Override
    public Availability<QpReadLimits> qpReadLimits(NdkQp qp) {
        AgentLink l = qp instanceof RemoteHandle h ? h.link() : local;
        if (beforeV11(l)) {
            return Availability.unavailable("no-qp-attributes", v10(l) + " cannot read a QP's read limits (v1.1 can)");
        }
        CallReply r = l.invoke(Call.newBuilder().setQpLimits(QpLimits.newBuilder().setQp(l.arg(qp))));
        if (r.getResultCase() != CallReply.ResultCase.QP_LIMITS_AVAILABILITY) {
            throw RemoteObjects.protocol(l, r, "a QP limits availability");
        }
        var a = r.getQpLimitsAvailability();
        return a.hasUnavailable() ? unavailable(a.getUnavailable()) : Availability.of(new QpReadLimits(
                Integer.toUnsignedLong(a.getLimits().getInbound()), Integer.toUnsignedLong(a.getLimits().getOutbound())));
    }

    /** The calls of ndk.wire.v1.1 are never sent to an agent that said an older minor at Hello. */
    /**
     * The agents' testbed facts (Testbed.identity on the machine under test, v1.2) and who the
     * agents are. With one agent its facts stand as they are. With two, each machine's facts keep
     * only its own host's: the test machine's {@code local.*}, the support machine's {@code peer.*},
     * and each machine-wide fact (kernel, driver, the agent) under its host's prefix.
     */
    @Override
    public Map<String, String> identity() {
        AgentLink peer = peer();
        if (local == peer) {
            Map<String, String> out = new TreeMap<>(local.helloReply().getTestbed().getIdentityMap());
            out.putAll(agentFacts(local));
            return out;
        }
        Map<String, String> out = new TreeMap<>();
        ownHost(out, local, "local.", "peer.");
        ownHost(out, peer, "peer.", "local.");
        return out;
    }

    private static void ownHost(Map<String, String> out, AgentLink l, String own, String other) {
        Map<String, String> facts = new TreeMap<>(l.helloReply().getTestbed().getIdentityMap());
        facts.putAll(agentFacts(l));
        facts.forEach((k, v) -> {
            if (k.startsWith(own)) {
                out.put(k, v);
            } else if (!k.startsWith(other)) {
                out.put(own + k, v);
            }
        });
    }

    private static Map<String, String> agentFacts(AgentLink l) {
        var a = l.helloReply().getAgent();
        Map<String, String> out = new TreeMap<>();
        out.put("agent.name", a.getName());
        out.put("agent.version", a.getVersion());
        out.put("agent.runtime", a.getRuntime());
        out.put("agent.host", a.getHost());
        out.put("agent.wire", WireValues.text(l.helloReply().getWireVersion()));
        return out;
    }

    private static boolean beforeV11(AgentLink l) {
        return l.helloReply().getWireVersion().getMinor() < 1;
    }

    private static String v10(AgentLink l) {
        return "the agent speaks ndk.wire.v1." + l.helloReply().getWireVersion().getMinor() + ", which";
    }

    @Override
    public Duration fourTupleReleaseDelay() {
        return fourTupleReleaseDelay;
    }

    /**
     * The agents' answer (wire v1.4, {@code AwaitQuiescence}). With one agent, its answer. With two,
     * both are asked at once within the one {@code max}: QUIET only if both say QUIET, BUSY if
     * either says BUSY, otherwise UNKNOWN. An agent before v1.4 (the C++ agent, an older Java agent)
     * is not asked and makes the answer UNKNOWN at once, without asking the other either (only QUIET
     * changes what the kit does). Never throws: any failure is UNKNOWN ({@link AgentLink#awaitQuiescence}).
     */
    @Override
    public Quiescence awaitQuiescence(Duration max) {
        try {
            long ms = max == null || max.isNegative() ? 0
                    : max.compareTo(Duration.ofMillis(WireValues.MAX_QUIESCENCE_WAIT_MS)) > 0 ? WireValues.MAX_QUIESCENCE_WAIT_MS
                    : max.toMillis();
            AgentLink peer = peer();
            if (!local.hasQuiescence() || !peer.hasQuiescence()) {
                return Quiescence.UNKNOWN;
            }
            if (peer == local) {
                return local.awaitQuiescence(ms);
            }
            CompletableFuture<Quiescence> peerSays = new CompletableFuture<>();
            Thread asker = new Thread(() -> peerSays.complete(peer.awaitQuiescence(ms)), "ndk-remote-quiescence-peer");
            asker.setDaemon(true);
            asker.start();
            Quiescence localSays = local.awaitQuiescence(ms);
            Quiescence p;
            try {
                // the peer's own bound is the same as the local one's: this wait ends with it
                p = peerSays.get(ms + AgentLink.QUIESCENCE_REPLY_SLACK_MS + 500, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                asker.interrupt();
                Thread.currentThread().interrupt();
                return Quiescence.UNKNOWN;
            } catch (ExecutionException | TimeoutException e) {
                asker.interrupt();
                return Quiescence.UNKNOWN;
            }
            return combine(localSays, p);
        } catch (RuntimeException e) {
            return Quiescence.UNKNOWN;
        }
    }

    /** Two agents' answers: QUIET only if both are, BUSY if either is, otherwise UNKNOWN. */
    static Quiescence combine(Quiescence a, Quiescence b) {
        if (a == Quiescence.QUIET && b == Quiescence.QUIET) {
            return Quiescence.QUIET;
        }
        return a == Quiescence.BUSY || b == Quiescence.BUSY ? Quiescence.BUSY : Quiescence.UNKNOWN;
    }

    @Override
    public Availability<Integer> listenerBacklog() {
        AgentLink peer = peer();
        CallReply r = peer.invoke(Call.newBuilder().setListenerBacklog(ListenerBacklog.getDefaultInstance()));
        if (r.getResultCase() != CallReply.ResultCase.COUNT_AVAILABILITY) {
            throw RemoteObjects.protocol(peer, r, "a count availability");
        }
        var a = r.getCountAvailability();
        return a.hasUnavailable() ? unavailable(a.getUnavailable()) : Availability.of(a.getCount());
    }

    @Override
    public Duration connectTimeout() {
        return connectTimeout;
    }

    @Override
    public Availability<Map<String, Long>> resourceCounts() {
        Map<String, Long> sum = new TreeMap<>();
        for (AgentLink l : links()) {
            CallReply r = l.invoke(Call.newBuilder().setResourceCounts(ResourceCounts.getDefaultInstance()));
            if (r.getResultCase() != CallReply.ResultCase.COUNTS_AVAILABILITY) {
                throw RemoteObjects.protocol(l, r, "a counts availability");
            }
            var a = r.getCountsAvailability();
            if (a.hasUnavailable()) {
                return unavailable(a.getUnavailable());
            }
            a.getCounts().getCountsMap().forEach((k, v) -> sum.merge(k, v, Long::sum));
        }
        return Availability.of(sum);
    }

    private static <T> Availability<T> unavailable(Unavailable u) {
        String code = u.getReasonCode().matches("[a-z0-9]+(-[a-z0-9]+)*") ? u.getReasonCode() : "agent-bad-reason-code";
        return Availability.unavailable(code, u.getDetail().isEmpty() ? "(no detail)" : u.getDetail());
    }

    @Override
    public void close() {
        local.close();
        AgentLink peer = peer();
        if (peer != local) {
            peer.close();
        }
    }
}
