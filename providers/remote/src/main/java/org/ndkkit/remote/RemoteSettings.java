package org.ndkkit.remote;

import java.util.HashMap;
import java.util.Map;

/**
 * The {@code remote} provider's own settings; every other setting goes through to the provider
 * behind the agent.
 *
 * @param local             the agent serving Host.LOCAL, HOST:PORT
 * @param peer              the agent serving Host.PEER, HOST:PORT (default: the same agent)
 * @param rpcTimeoutMs      bound on every call's reply (a call's in-call callbacks included)
 * @param helloTimeoutMs    bound on a handshake without a testbed, and on a liveness check
 * @param openTimeoutMs     bound on the handshake that opens the testbed (a provider may take long
 *                          to open its devices, more so under emulation)
 * @param callbackTimeoutMs how long an agent holds a provider callback for the kit's handler
 * @param crashCheckMs      after the connection to a supervised agent broke, how long to keep asking
 *                          it whether the provider crashed (while it starts a new worker)
 * @param linkControl       a command on the kit's machine that disturbs the link between the two
 *                          agents' machines (see {@link LinkControlCommand}), or null
 * @param passThrough       the settings for the provider behind the agent
 */
record RemoteSettings(String local, String peer, long rpcTimeoutMs, long helloTimeoutMs, long openTimeoutMs,
                      long callbackTimeoutMs, long crashCheckMs, String linkControl, Map<String, String> passThrough) {

    static final String LOCAL = "local";
    static final String PEER = "peer";
    static final String RPC_TIMEOUT = "rpc-timeout-ms";
    static final String HELLO_TIMEOUT = "hello-timeout-ms";
    static final String OPEN_TIMEOUT = "open-timeout-ms";
    static final String CALLBACK_TIMEOUT = "callback-timeout-ms";
    static final String CRASH_CHECK = "crash-check-ms";
    static final String LINK_CONTROL = "link-control";

    static RemoteSettings of(Map<String, String> all) {
        Map<String, String> rest = new HashMap<>(all);
        String local = rest.remove(LOCAL);
        if (local == null || local.isBlank()) {
            throw new IllegalArgumentException("the remote provider needs -s local=HOST:PORT (the agent serving the"
                    + " host under test; start one with providers/agent/ndk-agent --provider NAME --listen HOST:PORT)");
        }
        String peer = rest.remove(PEER);
        String linkControl = rest.remove(LINK_CONTROL);
        if (linkControl != null && (linkControl.isBlank() || !java.nio.file.Files.isExecutable(java.nio.file.Path.of(linkControl)))) {
            throw new IllegalArgumentException("-s " + LINK_CONTROL + "=" + linkControl + ": not an executable file");
        }
        return new RemoteSettings(check(local, LOCAL), peer == null || peer.isBlank() ? local : check(peer, PEER),
                millis(rest.remove(RPC_TIMEOUT), 30_000, RPC_TIMEOUT), millis(rest.remove(HELLO_TIMEOUT), 10_000, HELLO_TIMEOUT),
                millis(rest.remove(OPEN_TIMEOUT), 120_000, OPEN_TIMEOUT),
                millis(rest.remove(CALLBACK_TIMEOUT), 60_000, CALLBACK_TIMEOUT),
                millis(rest.remove(CRASH_CHECK), 5_000, CRASH_CHECK), linkControl, Map.copyOf(rest));
    }

    private static String check(String hostPort, String key) {
        int colon = hostPort.lastIndexOf(':');
        boolean ok = colon > 0;
        if (ok) {
            try {
                int port = Integer.parseInt(hostPort.substring(colon + 1));
                ok = port > 0 && port <= 65535;
            } catch (NumberFormatException e) {
                ok = false;
            }
        }
        if (!ok) {
            throw new IllegalArgumentException("-s " + key + "=" + hostPort + ": expected HOST:PORT");
        }
        return hostPort;
    }

    private static long millis(String v, long dflt, String key) {
        if (v == null) {
            return dflt;
        }
        try {
            long ms = Long.parseLong(v);
            if (ms <= 0) {
                throw new NumberFormatException();
            }
            return ms;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-s " + key + "=" + v + ": expected a positive number of milliseconds");
        }
    }

    boolean oneAgent() {
        return local.equals(peer);
    }
}
