package org.ndkkit.reference;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.ndkkit.spi.Availability;
import org.ndkkit.spi.LabCondition;
import org.ndkkit.spi.LiftedCondition;

/**
 * Lifts a lab condition the way a healed network would: the condition's address becomes an
 * address of the PEER host ({@code ip addr add} on the lab's netdev, then the PEER adapter owns
 * it), and goes away again when the handle is closed.
 *
 * <p>Only inside the lab's VM, which is ours to change ({@code lab.properties} says
 * {@code mode=vm}), or when the setting {@code lift-conditions=ip} asks for it; never on a host in
 * direct mode, whose networking the kit does not touch. The rxe device gets the GID of a new
 * address asynchronously, so the lift waits (bounded) until the GID is there.
 *
 * <p>In the two-host lab ({@code NDK_LAB_ROLE}) each machine does its half, and the kit asks both:
 * the support machine adds the address (as above); the test machine removes what made it
 * unreachable from its side: a route to it on the link for NETWORK_UNREACHABLE, the permanent
 * neighbour entry with a MAC nobody has for SILENT_HOST, any failed neighbour entry for
 * HOST_UNREACHABLE (whose ARP the support machine now answers). Closing puts it all back.
 */
final class AddressLift implements LiftedCondition {
    private static final long COMMAND_TIMEOUT_MS = 10_000;
    private static final long GID_WAIT_MS = 10_000;

    private final RefAdapter peer;
    private final InetAddress ip;
    private final String netdev;
    private boolean closed;

    private AddressLift(RefAdapter peer, InetAddress ip, String netdev) {
        this.peer = peer;
        this.ip = ip;
        this.netdev = netdev;
    }

    /** Why lifting is off here, or null when it is on. */
    static String whyNot(Map<String, String> settings, Map<String, String> env) {
        String mode = settings.getOrDefault("lift-conditions", "").trim();
        if (mode.equals("unavailable")) {
            return "ndk.provider.lift-conditions=unavailable";
        }
        if (!mode.isEmpty() && !mode.equals("ip")) {
            throw new IllegalArgumentException("ndk.provider.lift-conditions must be 'ip' or 'unavailable', was '" + mode + "'");
        }
        if (env.get("NDK_LAB_NETDEV") == null || env.get("NDK_LAB_NETDEV").isBlank()) {
            return "no lab netdev (NDK_LAB_NETDEV) to add the address to";
        }
        if (mode.isEmpty() && !"vm".equals(labMode(env))) {
            return "outside the lab's VM the kit does not change the host's addresses (set ndk.provider.lift-conditions=ip"
                    + " to allow it)";
        }
        return null;
    }

    private static String labMode(Map<String, String> env) {
        String out = env.get("NDK_LAB_OUT");
        if (out == null) {
            return null;
        }
        String role = env.get("NDK_LAB_ROLE");
        Properties p = new Properties();
        try (var in = Files.newInputStream(Path.of(out, role == null || role.isBlank() ? "lab.properties"
                : "lab-" + role + ".properties"))) {
            p.load(in);
        } catch (IOException e) {
            return null;
        }
        return p.getProperty("mode");
    }

    /**
     * Adds {@code ip} to the lab's netdev and lends it to {@code peer}; on the two-host lab's test
     * machine, removes instead what keeps {@code kind} of destination unreachable from there.
     */
    static Availability<LiftedCondition> lift(RefAdapter peer, InetAddress ip, String device, Map<String, String> env,
            LabCondition kind) {
        String netdev = env.get("NDK_LAB_NETDEV");
        if ("test".equals(env.get("NDK_LAB_ROLE"))) {
            return testMachineSide(ip, netdev, env, kind);
        }
        String problem = ip("addr", "add", prefix(ip), "dev", netdev);
        if (problem != null) {
            return Availability.unavailable("cannot-lift-condition", problem);
        }
        AddressLift lift = new AddressLift(peer, ip, netdev);
        if (!waitForGid(device, ip)) {
            lift.close();
            return Availability.unavailable("cannot-lift-condition", device + " has no GID for " + ip.getHostAddress()
                    + " " + GID_WAIT_MS + " ms after it was added to " + netdev);
        }
        peer.lend(ip);
        return Availability.of(lift);
    }

    /** The test machine's half: a route, or its neighbour entry; undone in reverse on close. */
    private static Availability<LiftedCondition> testMachineSide(InetAddress ip, String netdev, Map<String, String> env,
            LabCondition kind) {
        String a = prefix(ip);
        String[] lift;
        String[] undo;
        switch (kind) {
            case NETWORK_UNREACHABLE -> {
                lift = new String[] {"route", "replace", a, "dev", netdev};
                undo = new String[] {"route", "del", a, "dev", netdev};
            }
            case SILENT_HOST -> {
                String mac = env.get("NDK_LAB_SILENT_MAC");
                if (mac == null || mac.isBlank()) {
                    return Availability.unavailable("cannot-lift-condition", "no NDK_LAB_SILENT_MAC to put the silent host back with");
                }
                lift = new String[] {"neigh", "del", ip.getHostAddress(), "dev", netdev};
                undo = new String[] {"neigh", "replace", ip.getHostAddress(), "lladdr", mac, "dev", netdev, "nud", "permanent"};
            }
            default -> { // HOST_UNREACHABLE: forget the failed ARP, so the next connect asks again
                lift = new String[] {"neigh", "flush", "to", ip.getHostAddress(), "dev", netdev};
                undo = new String[] {"neigh", "flush", "to", ip.getHostAddress(), "dev", netdev};
            }
        }
        String problem = ip(lift);
        if (problem != null) {
            return Availability.unavailable("cannot-lift-condition", problem);
        }
        return Availability.of(new LiftedCondition() {
            private boolean closed;

            @Override
            public synchronized void close() {
                if (closed) {
                    return;
                }
                closed = true;
                String p = ip(undo);
                if (p != null) {
                    throw new IllegalStateException("cannot put the lab condition back: " + p);
                }
            }
        });
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        peer.takeBack(ip);
        String problem = ip("addr", "del", prefix(ip), "dev", netdev);
        if (problem != null) {
            throw new IllegalStateException("cannot put the lab condition back: " + problem);
        }
    }

    private static String prefix(InetAddress ip) {
        return ip.getHostAddress() + (ip instanceof Inet4Address ? "/32" : "/128");
    }

    /** Runs {@code ip ARGS} (bounded); null on success, else what went wrong. */
    private static String ip(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "ip";
        System.arraycopy(args, 0, cmd, 1, args.length);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (!p.waitFor(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return String.join(" ", cmd) + " did not finish in " + COMMAND_TIMEOUT_MS + " ms";
            }
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.exitValue() == 0 ? null : String.join(" ", cmd) + " exited " + p.exitValue() + ": " + said;
        } catch (IOException e) {
            return "cannot run " + String.join(" ", cmd) + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while running " + String.join(" ", cmd);
        }
    }

    /** Polls the device's GID table (sysfs) until a GID holds {@code ip}. */
    private static boolean waitForGid(String device, InetAddress ip) {
        String want = gid(ip);
        Path gids = Path.of("/sys/class/infiniband", device, "ports", "1", "gids");
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GID_WAIT_MS);
        while (System.nanoTime() < deadline) {
            try (var files = Files.list(gids)) {
                if (files.anyMatch(f -> {
                    try {
                        return Files.readString(f).trim().equalsIgnoreCase(want);
                    } catch (IOException e) {
                        return false; // an unused GID slot reads as an error
                    }
                })) {
                    return true;
                }
            } catch (IOException e) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** The GID sysfs shows for an IP: IPv4 mapped into IPv6, as eight groups of four hex digits. */
    static String gid(InetAddress ip) {
        byte[] a = ip.getAddress();
        byte[] g = new byte[16];
        if (a.length == 4) {
            g[10] = (byte) 0xFF;
            g[11] = (byte) 0xFF;
            System.arraycopy(a, 0, g, 12, 4);
        } else {
            g = a;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 16; i += 2) {
            if (i > 0) {
                b.append(':');
            }
            b.append(String.format("%02x%02x", g[i], g[i + 1]));
        }
        return b.toString();
    }
}
