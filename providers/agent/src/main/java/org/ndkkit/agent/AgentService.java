package org.ndkkit.agent;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.NdkProvider;
import org.ndkkit.spi.ProviderCapability;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.spi.TestbedNotImplementedException;
import org.ndkkit.spi.TestbedUnavailableException;
import org.ndkkit.wire.WireValues;
import org.ndkkit.wire.v1.AgentIdentity;
import org.ndkkit.wire.v1.Call;
import org.ndkkit.wire.v1.CallReply;
import org.ndkkit.wire.v1.Callback;
import org.ndkkit.wire.v1.CallbackReturn;
import org.ndkkit.wire.v1.GoodbyeReply;
import org.ndkkit.wire.v1.GoodbyeRequest;
import org.ndkkit.wire.v1.HelloReply;
import org.ndkkit.wire.v1.HelloRequest;
import org.ndkkit.wire.v1.HostFacts;
import org.ndkkit.wire.v1.NdkAgentGrpc;
import org.ndkkit.wire.v1.ProviderIdentity;
import org.ndkkit.wire.v1.SessionEndReply;
import org.ndkkit.wire.v1.SessionEndRequest;
import org.ndkkit.wire.v1.SessionState;
import org.ndkkit.wire.v1.TestbedFacts;

/**
 * ndk.wire.v1 served for one provider: the handshake, one testbed session at a time, its calls and
 * its callback stream. A new session is refused while one is open, unless the open one's client is
 * gone (its callback stream broke, or it never opened one).
 */
final class AgentService extends NdkAgentGrpc.NdkAgentImplBase {
    /** How long an opened session may go without its callback stream before it counts as abandoned. */
    static final long ATTACH_GRACE_MS = 10_000;
    static final long DEFAULT_CALLBACK_TIMEOUT_MS = 60_000;
    /** Bound on closing a testbed whose client is gone. */
    static final long CLOSE_BOUND_MS = 30_000;

    private static final AtomicLong SESSIONS = new AtomicLong();
    /** How many ended sessions {@link #sessionEnd} remembers. */
    static final int ENDS_KEPT = 64;

    private final NdkProvider provider;
    private final Map<String, String> defaults;
    private final AgentLog log;
    private final AgentIdentity identity;
    private AgentSession session;
    /** A Hello is opening a testbed: the one session slot is taken until it has finished. */
    private boolean opening;
    /** How the last {@link #ENDS_KEPT} sessions ended, by id (guarded by this). */
    private final Map<Long, String> ended = new java.util.LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, String> eldest) {
            return size() > ENDS_KEPT;
        }
    };

    AgentService(NdkProvider provider, Map<String, String> defaults, AgentLog log, AgentIdentity identity) {
        this.provider = provider;
        this.defaults = Map.copyOf(defaults);
        this.log = log;
        this.identity = identity;
    }

    /** The open session, if any (for tests and for the kill matrix, which reads its defect's firings). */
    synchronized AgentSession current() {
        return session;
    }

    @Override
    public void hello(HelloRequest req, StreamObserver<HelloReply> out) {
        if (req.getWireVersion().getMajor() != WireValues.MAJOR) {
            out.onError(WireError.precondition("wire version mismatch: the client speaks "
                    + WireValues.text(req.getWireVersion()) + ", this agent " + WireValues.text(WireValues.version())
                    + " (only additions within one major version; anything else is a new major version)").toGrpc());
            return;
        }
        var p = provider.identity();
        HelloReply.Builder reply = HelloReply.newBuilder().setWireVersion(WireValues.version()).setAgent(identity)
                .setProvider(ProviderIdentity.newBuilder().setName(p.name()).setVersion(p.version())
                        .setVendor(nz(p.vendor())).setDescription(nz(p.description())));
        for (ProviderCapability c : provider.capabilities()) {
            reply.addCapabilities(WireValues.capability(c));
        }
        if (req.hasOpen()) {
            try {
                open(req, reply);
            } catch (WireError e) {
                out.onError(e.toGrpc());
                return;
            }
        }
        out.onNext(reply.build());
        out.onCompleted();
    }

    private void open(HelloRequest req, HelloReply.Builder reply) {
        synchronized (this) {
            if (opening) {
                throw WireError.precondition("agent busy: another client's testbed is being opened"
                        + " (one testbed session at a time)");
            }
            AgentSession old = session;
            if (old != null && !old.abandoned(ATTACH_GRACE_MS)) {
                throw WireError.precondition("agent busy: session " + old.id + " of " + old.client
                        + " is open (one testbed session at a time)");
            }
            opening = true;
        }
        try {
            openReserved(req, reply);
        } finally {
            synchronized (this) {
                opening = false;
            }
        }
    }

    /** Opens the testbed; the caller holds the session slot ({@link #opening}). */
    private void openReserved(HelloRequest req, HelloReply.Builder reply) {
        AgentSession old;
        synchronized (this) {
            old = session;
            session = null;
        }
        if (old != null) {
            old.lose("superseded by a new session from " + req.getClient());
            closeBounded(old, "superseded by a new session from " + req.getClient());
        }
        var o = req.getOpen();
        Map<String, String> settings = new HashMap<>(defaults);
        settings.putAll(o.getSettingsMap());
        Testbed tb;
        try {
            tb = provider.openTestbed(new TestbedOptions(Duration.ofMillis(o.getConnectTimeoutMs()), settings));
        } catch (TestbedNotImplementedException e) {
            log.info("testbed not implemented (for " + req.getClient() + "): " + e.getMessage());
            reply.setTestbedNotImplemented(String.valueOf(e.getMessage()));
            return;
        } catch (TestbedUnavailableException e) {
            log.info("testbed unavailable for " + req.getClient() + ": " + e.getMessage());
            reply.setTestbedUnavailable(String.valueOf(e.getMessage()));
            return;
        } catch (RuntimeException | LinkageError e) {
            log.info("opening the testbed for " + req.getClient() + " threw " + e);
            reply.setOpenThrew(AgentSession.error(e));
            return;
        }
        long id = SESSIONS.incrementAndGet();
        long cbTimeout = o.getCallbackTimeoutMs() == 0 ? DEFAULT_CALLBACK_TIMEOUT_MS : o.getCallbackTimeoutMs();
        AgentSession s = new AgentSession(id, req.getClient(), tb, log, cbTimeout);
        try {
            TestbedFacts facts = TestbedFacts.newBuilder().setSession(id)
                    .setLocal(facts(s, Host.LOCAL)).setPeer(facts(s, Host.PEER))
                    .setConnectTimeoutMs(tb.connectTimeout().toMillis())
                    .setFourTupleReleaseDelayMs(tb.fourTupleReleaseDelay().toMillis())
                    .putAllIdentity(identity(tb)).build();
            reply.setTestbed(facts);
        } catch (RuntimeException e) {
            log.info("the testbed's facts threw " + e);
            reply.setOpenThrew(AgentSession.error(e));
            closeBounded(s, "its testbed's facts threw " + e);
            return;
        }
        if (io.grpc.Context.current().isCancelled()) {
            // The client gave up waiting (its deadline): nobody will use or close this testbed.
            log.info("session " + id + ": the client gave up before the testbed opened; closing it");
            closeBounded(s, "the client gave up before the testbed opened");
            return;
        }
        synchronized (this) {
            session = s;
        }
        log.info("session " + id + " opened for " + req.getClient() + " (" + provider.identity().name() + ", settings "
                + settings + ")");
    }

    private static HostFacts facts(AgentSession s, Host h) {
        NdkAdapter a = s.testbed.adapter(h);
        HostFacts.Builder b = HostFacts.newBuilder().setAdapter(s.ref(a))
                .setAdapterInfo(WireValues.adapterInfo(a.queryAdapterInfo()));
        for (InetAddress ip : s.testbed.addresses(h)) {
            b.addAddresses(WireValues.ip(ip));
        }
        return b.build();
    }

    private AgentSession session(long id) {
        AgentSession s;
        synchronized (this) {
            s = session;
        }
        if (s == null || s.id != id) {
            throw WireError.notFound("no open session " + id + (s == null ? " (none is open)" : " (session " + s.id
                    + " is open)"));
        }
        return s;
    }

    @Override
    public void invoke(Call call, StreamObserver<CallReply> out) {
        AgentSession s;
        try {
            s = session(call.getSession());
        } catch (WireError e) {
            out.onError(e.toGrpc());
            return;
        }
        s.invoke(call, (ServerCallStreamObserver<CallReply>) out);
    }

    /**
     * The callback stream: the client's first message attaches it to its session; each later one
     * lets a held callback return. A seq never sent ends the stream (INVALID_ARGUMENT) and with it
     * the session; a late or repeated one is logged and ignored (the callback had timed out, or a
     * client said it twice).
     */
    @Override
    public StreamObserver<CallbackReturn> callbacks(StreamObserver<Callback> out) {
        ServerCallStreamObserver<Callback> stream = (ServerCallStreamObserver<Callback>) out;
        java.util.concurrent.atomic.AtomicReference<AgentSession> attached = new java.util.concurrent.atomic.AtomicReference<>();
        stream.setOnCancelHandler(() -> {
            AgentSession s = attached.get();
            if (s != null) {
                s.lose("the client cancelled the callback stream");
                endLost(s);
            }
        });
        return new StreamObserver<>() {
            @Override
            public void onNext(CallbackReturn m) {
                AgentSession s = attached.get();
                try {
                    if (s == null) {
                        if (m.getSeq() != 0) {
                            throw WireError.invalid("the first message on Callbacks attaches it to a session (seq 0), not "
                                    + "callback " + m.getSeq());
                        }
                        AgentSession found = session(m.getSession());
                        found.attach(stream);
                        attached.set(found);
                        return;
                    }
                    if (m.getSession() != s.id) {
                        throw WireError.invalid("this callback stream is session " + s.id + "'s, not session "
                                + m.getSession() + "'s");
                    }
                    s.returned(m.getSeq());
                } catch (WireError e) {
                    if (e.toGrpc().getStatus().getCode() == io.grpc.Status.Code.FAILED_PRECONDITION && s != null) {
                        log.info("session " + s.id + ": " + e.getMessage() + "; ignored");
                        return;
                    }
                    if (s == null) {
                        stream.onError(e.toGrpc()); // not attached: nothing else writes to it
                        return;
                    }
                    s.lose("its callback stream carried a bad message: " + e.getMessage());
                    s.endStream(e.toGrpc());
                    endLost(s);
                }
            }

            @Override
            public void onError(Throwable t) {
                AgentSession s = attached.get();
                if (s != null) {
                    s.lose("the callback stream broke: " + io.grpc.Status.fromThrowable(t));
                    endLost(s);
                }
            }

            @Override
            public void onCompleted() {
                // The client says no more: its handlers will not return anything after this.
                AgentSession s = attached.get();
                if (s == null) {
                    stream.onCompleted();
                    return;
                }
                s.lose("the client closed its side of the callback stream");
                s.endStream(null);
                endLost(s);
            }
        };
    }

    /** The client went away: close its testbed in the background so the next client can open one. */
    private void endLost(AgentSession s) {
        synchronized (this) {
            if (session != s) {
                return;
            }
            session = null;
            ended.put(s.id, "closed: its client went away"); // already, while its testbed closes
        }
        Thread t = new Thread(() -> closeBounded(s, "its client went away"), "ndk-agent-close-" + s.id);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void goodbye(GoodbyeRequest req, StreamObserver<GoodbyeReply> out) {
        AgentSession s;
        try {
            s = session(req.getSession());
        } catch (WireError e) {
            out.onError(e.toGrpc());
            return;
        }
        synchronized (this) {
            session = null;
            ended.put(s.id, "closed: goodbye");
        }
        closeBounded(s, "goodbye");
        out.onNext(GoodbyeReply.getDefaultInstance());
        out.onCompleted();
    }

    /** Ends every session (the agent is stopping). */
    void shutdown() {
        AgentSession s;
        synchronized (this) {
            s = session;
            session = null;
        }
        if (s != null) {
            closeBounded(s, "the agent stopped");
        }
    }

    /**
     * How a session ended (since v1.3), without opening one: RUNNING while it is open, CLOSED with
     * how once it ended, UNKNOWN for a session this agent never opened or no longer remembers. A
     * Java agent has no worker to lose: a provider that crashes the JVM ends the agent, which then
     * cannot answer at all, so it never says CRASHED.
     */
    @Override
    public void sessionEnd(SessionEndRequest req, StreamObserver<SessionEndReply> out) {
        SessionEndReply.Builder r = SessionEndReply.newBuilder();
        synchronized (this) {
            String how = ended.get(req.getSession());
            if (session != null && session.id == req.getSession()) {
                r.setState(SessionState.SESSION_STATE_RUNNING).setDetail("open for " + session.client);
            } else if (how != null) {
                r.setState(SessionState.SESSION_STATE_CLOSED).setDetail(how);
            } else {
                r.setState(SessionState.SESSION_STATE_UNKNOWN).setDetail("this agent has no record of session "
                        + req.getSession() + " (never opened here, or one of more than " + ENDS_KEPT + " sessions ago)");
            }
        }
        out.onNext(r.build());
        out.onCompleted();
    }

    /**
     * Closes the testbed with a bound, then ends the stream; a testbed whose close hangs is left
     * behind, logged. {@code why} is how the session ended, for {@link #sessionEnd}.
     */
    private void closeBounded(AgentSession s, String why) {
        synchronized (this) {
            ended.put(s.id, "closed: " + why);
        }
        Thread t = new Thread(() -> {
            try {
                s.testbed.close();
            } catch (RuntimeException e) {
                log.info("session " + s.id + ": closing the testbed threw " + e);
            }
        }, "ndk-agent-testbed-close-" + s.id);
        t.setDaemon(true);
        t.start();
        try {
            t.join(CLOSE_BOUND_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            log.info("session " + s.id + ": the testbed's close had not returned after " + CLOSE_BOUND_MS + " ms; going on");
        }
        s.completeStream();
        log.info("session " + s.id + " ended (" + s.handles.size() + " handles)");
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /**
     * The testbed's identity facts plus the agent's own: the file the provider was loaded from and
     * its SHA-256, which only the agent's machine can see. A throwing identity() is reported as a
     * fact rather than failing the session.
     */
    private Map<String, String> identity(Testbed tb) {
        Map<String, String> out = new TreeMap<>();
        try {
            Map<String, String> facts = tb.identity();
            if (facts != null) {
                facts.forEach((k, v) -> {
                    if (k != null && v != null) {
                        out.put(k, v);
                    }
                });
            }
        } catch (RuntimeException | AbstractMethodError e) {
            out.put("agent.identity-error", "Testbed.identity() threw " + e);
        }
        out.putAll(ProviderFile.facts(provider.getClass()));
        return out;
    }

}
