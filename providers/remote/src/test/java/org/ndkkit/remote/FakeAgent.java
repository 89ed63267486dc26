package org.ndkkit.remote;

import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.ndkkit.wire.v1.AdapterInfo;
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
import org.ndkkit.wire.v1.ObjectRef;
import org.ndkkit.wire.v1.ObjectType;
import org.ndkkit.wire.v1.ProviderIdentity;
import org.ndkkit.wire.v1.RdmaTechnology;
import org.ndkkit.wire.v1.SessionEndReply;
import org.ndkkit.wire.v1.SessionEndRequest;
import org.ndkkit.wire.v1.TestbedFacts;
import org.ndkkit.wire.v1.WireVersion;

/**
 * An agent in this JVM that speaks ndk.wire.v1 the way a test tells it to: it answers Hello with
 * plausible testbed facts and keeps the Callbacks stream open, and by default never replies to an
 * Invoke. Everything the client sends is recorded: the message that attaches a Callbacks stream in
 * {@link #attaches}, each later CallbackReturn on it in {@link #returns}.
 */
final class FakeAgent extends NdkAgentGrpc.NdkAgentImplBase implements AutoCloseable {
    static final long SESSION = 77;
    static final long LOCAL_ADAPTER = 1;
    static final long PEER_ADAPTER = 2;

    /** What Hello replies with its wire version. */
    volatile WireVersion version = WireVersion.newBuilder().setMajor(1).setMinor(0).build();
    /** Once a session is open, further Hellos (the client's liveness check) get no answer. */
    volatile boolean helloHangsAfterOpen;
    /** Every Hello gets no answer. */
    volatile boolean helloHangs;
    /** What Hello says about a supervisor (v1.3). */
    volatile boolean supervised;
    /** What SessionEnd answers (v1.3); null: UNIMPLEMENTED, as an agent before v1.3 answers. */
    volatile java.util.function.Function<SessionEndRequest, SessionEndReply> onSessionEnd;
    /** SessionEnd fails UNAVAILABLE this many times before it answers (a worker still starting). */
    final AtomicInteger sessionEndUnavailable = new AtomicInteger();
    /** Every SessionEnd asked, answered or not. */
    final BlockingQueue<SessionEndRequest> sessionEnds = new LinkedBlockingQueue<>();
    /** What to do with an Invoke; the default never replies. */
    volatile BiConsumer<Call, StreamObserver<CallReply>> onInvoke = (c, out) -> { };

    final BlockingQueue<Call> invokes = new LinkedBlockingQueue<>();
    /** Each Callbacks stream's first message (the attach: the session, seq 0), in order. */
    final List<CallbackReturn> attaches = new CopyOnWriteArrayList<>();
    /** Every later message on a Callbacks stream: the client's word that its handler for a callback returned. */
    final BlockingQueue<CallbackReturn> returns = new LinkedBlockingQueue<>();
    final AtomicInteger hellos = new AtomicInteger();
    final AtomicInteger goodbyes = new AtomicInteger();
    private volatile boolean open;
    private volatile StreamObserver<Callback> stream;
    private final Object streamLock = new Object();
    private final Server server;

    FakeAgent() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(this).build().start();
    }

    int port() {
        return server.getPort();
    }

    String target() {
        return "127.0.0.1:" + port();
    }

    static AdapterInfo adapterInfo() {
        return AdapterInfo.newBuilder().setVersionMajor(1).setVersionMinor(2).setVendorId(0x1AB).setDeviceId(1)
                .setMaxRegistrationSize(1 << 30).setMaxWindowSize(1 << 30).setFrmrPageCount(16)
                .setMaxInitiatorRequestSge(4).setMaxReceiveRequestSge(4).setMaxReadRequestSge(4)
                .setMaxTransferLength(1 << 20).setMaxInlineDataSize(64).setMaxInboundReadLimit(16)
                .setMaxOutboundReadLimit(8).setMaxReceiveQueueDepth(1024).setMaxInitiatorQueueDepth(1024)
                .setMaxCqDepth(4096).setLargeRequestThreshold(4096).setMaxCallerData(56).setMaxCalleeData(148)
                .setRdmaTechnology(RdmaTechnology.RDMA_TECHNOLOGY_ROCE_V2).build();
    }

    private static HostFacts host(long adapter, int lastOctet) {
        return HostFacts.newBuilder()
                .setAdapter(ObjectRef.newBuilder().setHandle(adapter).setType(ObjectType.OBJECT_TYPE_ADAPTER))
                .setAdapterInfo(adapterInfo())
                .addAddresses(ByteString.copyFrom(new byte[] {(byte) 198, 18, (byte) (adapter - 1), (byte) lastOctet}))
                .build();
    }

    /** When set, an open is answered with testbed_not_implemented and this text. */
    volatile String notImplemented;

    @Override
    public void hello(HelloRequest req, StreamObserver<HelloReply> out) {
        hellos.incrementAndGet();
        if (helloHangs || (helloHangsAfterOpen && open)) {
            return; // never answered; the server's shutdown cancels it
        }
        HelloReply.Builder r = HelloReply.newBuilder().setWireVersion(version)
                .setAgent(AgentIdentity.newBuilder().setName("fake-agent").setVersion("0").setRuntime("test")
                        .setHost("loopback"))
                .setProvider(ProviderIdentity.newBuilder().setName("fake").setVersion("0.0.1").setVendor("tests"))
                .setSupervised(supervised);
        if (req.hasOpen() && notImplemented != null) {
            r.setTestbedNotImplemented(notImplemented);
        } else if (req.hasOpen()) {
            r.setTestbed(TestbedFacts.newBuilder().setSession(SESSION).setLocal(host(LOCAL_ADAPTER, 1))
                    .setPeer(host(PEER_ADAPTER, 1)).setConnectTimeoutMs(req.getOpen().getConnectTimeoutMs()));
            open = true;
        }
        out.onNext(r.build());
        out.onCompleted();
    }

    @Override
    public void sessionEnd(SessionEndRequest req, StreamObserver<SessionEndReply> out) {
        sessionEnds.add(req);
        var answer = onSessionEnd;
        if (answer == null) {
            out.onError(io.grpc.Status.UNIMPLEMENTED.withDescription("Method not found: SessionEnd").asRuntimeException());
        } else if (sessionEndUnavailable.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            out.onError(io.grpc.Status.UNAVAILABLE.withDescription("the worker is starting").asRuntimeException());
        } else {
            out.onNext(answer.apply(req));
            out.onCompleted();
        }
    }

    /** Breaks the session's stream as a worker that died breaks it (UNAVAILABLE); the server goes on. */
    void breakStream() {
        synchronized (streamLock) {
            if (stream != null) {
                stream.onError(io.grpc.Status.UNAVAILABLE.withDescription("Network closed for unknown reason")
                        .asRuntimeException());
                stream = null;
            }
        }
        open = false;
    }

    @Override
    public void invoke(Call call, StreamObserver<CallReply> out) {
        invokes.add(call);
        onInvoke.accept(call, out);
    }

    /**
     * The bidirectional Callbacks stream: the client's first message attaches it (recorded in
     * {@link #attaches}; from then on {@link #send} uses it), each later one goes to {@link #returns}.
     * A client that half-closes gets the stream completed; one that cancels just leaves.
     */
    @Override
    public StreamObserver<CallbackReturn> callbacks(StreamObserver<Callback> out) {
        return new StreamObserver<>() {
            private boolean attached;

            @Override
            public void onNext(CallbackReturn m) {
                if (!attached) {
                    attached = true;
                    attaches.add(m);
                    synchronized (streamLock) {
                        stream = out; // left open until Goodbye, the client ends it, or the server stops
                    }
                } else {
                    returns.add(m);
                }
            }

            @Override
            public void onError(Throwable t) {
                synchronized (streamLock) {
                    if (stream == out) {
                        stream = null;
                    }
                }
            }

            @Override
            public void onCompleted() {
                synchronized (streamLock) {
                    if (stream == out) {
                        stream = null;
                        out.onCompleted();
                    } else if (!attached) {
                        out.onCompleted();
                    }
                }
            }
        };
    }

    /** Sends a callback on the session's stream (waits up to 5 s for the client to open it). */
    void send(Callback cb) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (stream == null && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        synchronized (streamLock) {
            if (stream == null) {
                throw new IllegalStateException("the client never opened its callback stream");
            }
            stream.onNext(cb);
        }
    }

    /** Waits (up to 5 s) until the client has opened the session's callback stream. */
    boolean awaitStream() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (stream == null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return stream != null;
    }

    /** Ends the session's stream as an agent that ended the session on its own would. */
    void endStream() {
        synchronized (streamLock) {
            if (stream != null) {
                stream.onCompleted();
                stream = null;
            }
        }
    }

    @Override
    public void goodbye(GoodbyeRequest req, StreamObserver<GoodbyeReply> out) {
        goodbyes.incrementAndGet();
        synchronized (streamLock) {
            if (stream != null) {
                stream.onCompleted();
                stream = null;
            }
        }
        open = false;
        out.onNext(GoodbyeReply.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }
}
