package org.ndkkit.reference;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.ndkkit.spi.TestbedOptions;

/**
 * The testbed's addresses and settings. Addresses come from the lab's environment variables
 * (NDK_LAB_LOCAL, NDK_LAB_PEER, NDK_LAB_SILENT_HOST, NDK_LAB_HOST_UNREACHABLE,
 * NDK_LAB_NETWORK_UNREACHABLE, NDK_LAB_FOREIGN, NDK_LAB_DEVICE, NDK_LAB_CGROUP), each overridable
 * by a provider setting ({@code ndk.provider.local=...}: keys local, peer, silent-host,
 * host-unreachable, network-unreachable, foreign, device, cgroup). Addresses are IPv4 or IPv6
 * literals, never names.
 *
 * @param local              the LOCAL host's addresses (its adapter owns exactly these): IPv4
 *                           ones first, then IPv6, each in the order given
 * @param peer               the PEER host's addresses, ordered the same way
 * @param silentHost         an on-link address that never answers, if any
 * @param hostUnreachable    an address whose route is 'unreachable', if any
 * @param networkUnreachable an address with no route, if any
 * @param foreign            an address configured nowhere, if any
 * @param device             the RDMA device name, if given
 * @param cgroup             a cgroup v2 directory with the rdma controller enabled for children
 * @param backlog            the listener backlog (unanswered connect requests per listener)
 * @param exhaustResources   how {@code exhaustResources} works: "injected" (default),
 *                           "injected-async", "cgroup" or "unavailable"
 * @param eventLog           a file to append every rdma_cm event and its NTSTATUS to, if any
 * @param acceptTimeoutMs    how long an accept waits for the active side's CompleteConnect
 * @param disconnectTimeoutMs how long a disconnect waits for the peer's answer
 * @param closeDisconnectWaitMs how long closing a connected connector waits for the peer's
 *                           answer to its disconnect before destroying the id anyway
 */
record LabPlan(List<InetAddress> local, List<InetAddress> peer, Optional<InetAddress> silentHost,
               Optional<InetAddress> hostUnreachable, Optional<InetAddress> networkUnreachable,
               Optional<InetAddress> foreign, Optional<String> device, Optional<String> cgroup, int backlog,
               String exhaustResources, Optional<String> eventLog, long acceptTimeoutMs,
               long disconnectTimeoutMs, long closeDisconnectWaitMs) {

    static final int DEFAULT_BACKLOG = 4;

    /** From the options' settings over the process environment. */
    static LabPlan from(TestbedOptions options) {
        return from(options.settings(), System::getenv);
    }

    /**
     * @throws IllegalArgumentException naming the setting or variable that is malformed
     */
    static LabPlan from(Map<String, String> settings, Function<String, String> env) {
        Function<String[], String> pick = keys -> {
            String v = settings.get(keys[0]);
            if (v == null || v.isBlank()) {
                v = env.apply(keys[1]);
            }
            return v == null || v.isBlank() ? null : v.trim();
        };
        List<InetAddress> local = list(pick.apply(new String[] {"local", "NDK_LAB_LOCAL"}), "local / NDK_LAB_LOCAL");
        List<InetAddress> peer = list(pick.apply(new String[] {"peer", "NDK_LAB_PEER"}), "peer / NDK_LAB_PEER");
        int backlog = intSetting(settings, "backlog", DEFAULT_BACKLOG, 1);
        String exhaust = settings.getOrDefault("exhaust-resources", "injected").trim();
        if (!List.of("injected", "injected-async", "cgroup", "unavailable").contains(exhaust)) {
            throw new IllegalArgumentException("ndk.provider.exhaust-resources must be 'injected', 'injected-async', "
                    + "'cgroup' or 'unavailable', was '" + exhaust + "'");
        }
        return new LabPlan(local, peer,
                one(pick.apply(new String[] {"silent-host", "NDK_LAB_SILENT_HOST"}), "silent-host / NDK_LAB_SILENT_HOST"),
                one(pick.apply(new String[] {"host-unreachable", "NDK_LAB_HOST_UNREACHABLE"}),
                        "host-unreachable / NDK_LAB_HOST_UNREACHABLE"),
                one(pick.apply(new String[] {"network-unreachable", "NDK_LAB_NETWORK_UNREACHABLE"}),
                        "network-unreachable / NDK_LAB_NETWORK_UNREACHABLE"),
                one(pick.apply(new String[] {"foreign", "NDK_LAB_FOREIGN"}), "foreign / NDK_LAB_FOREIGN"),
                Optional.ofNullable(pick.apply(new String[] {"device", "NDK_LAB_DEVICE"})),
                Optional.ofNullable(pick.apply(new String[] {"cgroup", "NDK_LAB_CGROUP"})),
                backlog, exhaust, Optional.ofNullable(settings.get("event-log")).filter(s -> !s.isBlank()),
                intSetting(settings, "accept-timeout-ms", 30_000, 1),
                intSetting(settings, "disconnect-timeout-ms", 10_000, 1),
                intSetting(settings, "close-disconnect-wait-ms", 1_000, 0));
    }

    private static int intSetting(Map<String, String> settings, String key, int dflt, int min) {
        String v = settings.get(key);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ndk.provider." + key + " must be an integer >= " + min + ", was '" + v + "'");
        }
    }

    /**
     * A comma-separated list of IP literals; empty when not set. IPv4 addresses come first (in
     * their order), then IPv6: scenarios name a host's first, second ... address by position and
     * mean IPv4, so an IPv6 address in the middle would move them.
     */
    static List<InetAddress> list(String csv, String what) {
        List<InetAddress> v4 = new ArrayList<>();
        List<InetAddress> v6 = new ArrayList<>();
        if (csv == null) {
            return List.of();
        }
        for (String s : csv.split(",")) {
            if (!s.isBlank()) {
                InetAddress a = ip(s.trim(), what);
                (a instanceof Inet4Address ? v4 : v6).add(a);
            }
        }
        v4.addAll(v6);
        return List.copyOf(v4);
    }

    private static Optional<InetAddress> one(String s, String what) {
        return s == null ? Optional.empty() : Optional.of(ip(s, what));
    }

    /** An IPv4 or IPv6 literal, without any name lookup. */
    static InetAddress ip(String s, String what) {
        return s.indexOf(':') >= 0 ? ipv6(s, what) : ipv4(s, what);
    }

    /**
     * Parses an IPv6 literal without any name lookup: hex digits and colons only (no zone, no
     * dotted tail), and not IPv4-mapped (Java would hand that back as an IPv4 address).
     */
    static InetAddress ipv6(String s, String what) {
        // with a colon and only these characters getByName parses a literal and never resolves
        if (!s.matches("[0-9a-fA-F:]+")) {
            throw new IllegalArgumentException(what + ": not an IPv6 literal: '" + s + "'");
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(what + ": not an IPv6 literal: '" + s + "'");
        }
        if (!(a instanceof Inet6Address)) {
            throw new IllegalArgumentException(what + ": an IPv4-mapped IPv6 address, not an IPv6 literal: '" + s + "'");
        }
        return a;
    }

    /** Parses an IPv4 literal without any name lookup. */
    static InetAddress ipv4(String s, String what) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException(what + ": not an IPv4 literal: '" + s + "'");
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (!parts[i].matches("\\d{1,3}") || Integer.parseInt(parts[i]) > 255) {
                throw new IllegalArgumentException(what + ": not an IPv4 literal: '" + s + "'");
            }
            b[i] = (byte) Integer.parseInt(parts[i]);
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
