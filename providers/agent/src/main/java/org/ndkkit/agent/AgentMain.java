package org.ndkkit.agent;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.ndkkit.spi.NdkProvider;
import org.ndkkit.spi.Providers;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ndk-agent}: serves one provider on this machine to the kit over ndk.wire.v1. */
@Command(name = "ndk-agent", mixinStandardHelpOptions = true, version = "ndk-agent " + AgentServer.VERSION,
        description = {"Serves an NDK provider (any on the class path) to the conformance kit over ndk.wire.v1.",
            "The kit connects with: ndk run --provider remote -s local=HOST:PORT [-s peer=HOST:PORT]",
            "Exit codes: 0 stopped (SIGTERM), 2 usage error or the address cannot be bound."})
public final class AgentMain implements Callable<Integer> {
    @Option(names = {"-p", "--provider"}, required = true, paramLabel = "NAME",
            description = "the provider to serve (reference, simulated, or a provider jar's on the class path)")
    String provider;

    @Option(names = {"-s", "--setting"}, paramLabel = "KEY=VALUE",
            description = "a provider setting every session starts with; the kit's own settings override it")
    Map<String, String> settings = new LinkedHashMap<>();

    @Option(names = "--listen", paramLabel = "ADDR:PORT", defaultValue = "127.0.0.1:7400",
            description = "where to serve (default ${DEFAULT-VALUE}; port 0: any free port, printed at start)")
    String listen;

    @Option(names = "--debug", description = "one log line per call and callback")
    boolean debug;

    @Override
    public Integer call() throws Exception {
        NdkProvider p;
        try {
            p = Providers.byName(provider);
        } catch (IllegalArgumentException e) {
            System.err.println("ndk-agent: " + e.getMessage());
            return 2;
        }
        InetSocketAddress address;
        try {
            address = parse(listen);
        } catch (IllegalArgumentException e) {
            System.err.println("ndk-agent: --listen " + listen + ": " + e.getMessage());
            return 2;
        }
        AgentServer server;
        try {
            server = AgentServer.start(p, settings, address, debug);
        } catch (java.io.IOException e) {
            System.err.println("ndk-agent: cannot serve on " + listen + ": " + e.getMessage());
            return 2;
        }
        // The port on a line of its own, for scripts that asked for port 0.
        System.out.println("ndk-agent listening on " + address.getHostString() + ":" + server.port());
        System.out.flush();
        Thread stopper = new Thread(server::close, "ndk-agent-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        server.awaitTermination();
        return 0;
    }

    static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("expected HOST:PORT");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the port is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range");
        }
        return new InetSocketAddress(host, port);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new AgentMain()).execute(args));
    }
}
