package org.ndkkit.reference;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.ndkkit.reference.rdma.DeviceContext;
import org.ndkkit.reference.rdma.RdmaResult;
import org.ndkkit.reference.rdma.Verbs;
import org.ndkkit.reference.rdma.VerbsStructs.IbvDeviceAttr;

/**
 * What the reference provider runs on, as {@code Testbed.identity()} facts: per adapter the device,
 * its firmware and IDs (ibv_query_device), and for the machine the kernel driver and the
 * librdmacm/libibverbs files actually mapped into this process. A fact that cannot be read is left
 * out rather than guessed.
 */
final class DeviceIdentity {
    private DeviceIdentity() {
    }

    /** The facts of one adapter, keys without the host prefix. */
    static Map<String, String> adapter(String deviceName, DeviceContext dev) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("device", deviceName);
        RdmaResult<IbvDeviceAttr> d = Verbs.queryDevice(dev);
        if (d.ok()) {
            IbvDeviceAttr a = d.value();
            String fw = new String(a.fw_ver, StandardCharsets.US_ASCII);
            int nul = fw.indexOf('\0');
            fw = (nul >= 0 ? fw.substring(0, nul) : fw).trim();
            out.put("firmware", fw.isEmpty() ? "(none reported)" : fw);
            out.put("node-guid", guid(a.node_guid));
            out.put("vendor-id", String.format("0x%04x", a.vendor_id));
            out.put("vendor-part-id", String.format("0x%04x", a.vendor_part_id));
            out.put("hardware-version", "0x" + Integer.toHexString(a.hw_ver));
        }
        sysfs("/sys/class/infiniband/" + deviceName + "/parent").ifPresent(p -> out.put("netdev", p));
        return out;
    }

    /** The facts of the machine: kernel, driver and user-space libraries. */
    static Map<String, String> machine(String deviceName) {
        Map<String, String> out = new TreeMap<>();
        sysfs("/proc/sys/kernel/osrelease").ifPresent(k -> out.put("kernel", k));
        String driver = driver(deviceName);
        if (driver != null) {
            out.put("driver", driver);
            sysfs("/sys/module/" + driver + "/version").or(() -> sysfs("/sys/module/" + driver + "/srcversion")
                    .map(s -> "srcversion " + s)).ifPresent(v -> out.put("driver-version", v));
        }
        mapped("librdmacm.so").ifPresent(f -> out.put("librdmacm", f));
        mapped("libibverbs.so").ifPresent(f -> out.put("libibverbs", f));
        return out;
    }

    /** The kernel module behind the device: its PCI driver, or rdma_rxe for a soft-RoCE device. */
    private static String driver(String deviceName) {
        Path link = Path.of("/sys/class/infiniband", deviceName, "device", "driver");
        try {
            if (Files.isSymbolicLink(link)) {
                return Files.readSymbolicLink(link).getFileName().toString();
            }
        } catch (IOException | RuntimeException e) {
            // fall through to the software drivers
        }
        if (Files.isDirectory(Path.of("/sys/module/rdma_rxe")) && Files.exists(Path.of("/sys/class/infiniband", deviceName, "parent"))) {
            return "rdma_rxe";
        }
        return null;
    }

    /** The file a library of this name is mapped from in this process (its versioned name). */
    private static Optional<String> mapped(String library) {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.map(l -> l.substring(l.lastIndexOf(' ') + 1)).filter(p -> p.contains("/" + library))
                    .findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> sysfs(String file) {
        try {
            String s = Files.readString(Path.of(file)).trim();
            return s.isEmpty() ? Optional.empty() : Optional.of(s);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** ibv_query_device's node_guid is big-endian in memory: printed as ibv_devinfo does. */
    static String guid(long raw) {
        String h = String.format("%016x", Long.reverseBytes(raw));
        return h.substring(0, 4) + ":" + h.substring(4, 8) + ":" + h.substring(8, 12) + ":" + h.substring(12);
    }
}
