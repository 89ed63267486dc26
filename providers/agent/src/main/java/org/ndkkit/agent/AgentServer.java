package org.ndkkit.agent;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.ndkkit.spi.NdkProvider;
import org.ndkkit.wire.v1.AgentIdentity;

/** An agent: one provider served over ndk.wire.v1 on one TCP address. */
public final class AgentServer implements AutoCloseable {
    /** The agent's own version, reported at hello. */
    public static final String VERSION = "0.1.0";

    private final Server server;
    private final AgentService service;
    private final AgentLog log;

    private AgentServer(Server server, AgentService service, AgentLog log) {
        this.server = server;
        this.service = service;
        this.log = log;
    }

    /**
     * Starts serving {@code provider} on {@code address} (port 0: any free port).
     *
     * @param defaults provider settings every session starts from; the client's settings override them
     * @param debug    one log line per call and callback
     */
    public static AgentServer start(NdkProvider provider, Map<String, String> defaults, InetSocketAddress address,
                                    boolean debug) throws IOException {
        AgentLog log = new AgentLog(System.err, debug);
        AgentIdentity id = AgentIdentity.newBuilder().setName("ndk-agent").setVersion(VERSION)
                .setRuntime("java " + System.getProperty("java.version"))
                .setHost(hostName()).build();
        AgentService service = new AgentService(provider, defaults, log, id);
        Server server = NettyServerBuilder.forAddress(address).addService(service)
                // a hostile peer cannot make the agent buffer without bound
                .maxInboundMessageSize(4 << 20)
                .build().start();
        log.info("serving " + provider.identity().name() + " " + provider.identity().version() + " on "
                + address.getHostString() + ":" + server.getPort());
        return new AgentServer(server, service, log);
    }

    public int port() {
        return server.getPort();
    }

    /**
     * The testbed of the open session, or null: lets a runner in the same JVM read what the
     * provider counted (the kill matrix reads its defect's firings).
     */
    public org.ndkkit.spi.Testbed currentTestbed() {
        AgentSession s = service.current();
        return s == null ? null : s.testbed;
    }

    /** Ends the session (closing its testbed), then stops serving; bounded. */
    @Override
    public void close() {
        server.shutdown();
        service.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        }
        log.info("stopped");
    }

    /** Blocks until the server stops. */
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
