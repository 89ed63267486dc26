package org.ndkkit.reference;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ndkkit.reference.rdma.RdmaNetlink;
import org.ndkkit.reference.rdma.RdmaResult;

/**
 * The kernel's own count of RDMA resources, summed over devices: the leak check's independent
 * witness that a closed object's cm_id, QP, CQ, PD and MR are really gone, not only forgotten by the
 * provider's Java side. Read over RDMA netlink ({@link RdmaNetlink}), the same summary that
 * {@code rdma resource show} (iproute2) prints; the tool itself is the fallback.
 */
final class KernelResources {
    // Not ctx: librdmacm opens a device's verbs context the first time an id uses the device and
    // keeps it for the life of the process, so the count rises once without anything leaking.
    private static final Set<String> KINDS = Set.of("pd", "cq", "qp", "cm_id", "mr", "srq");
    private static final Pattern COUNT = Pattern.compile("\"(" + String.join("|", KINDS) + ")\":(\\d+)");

    private KernelResources() {
    }

    /** Counts keyed {@code rdma:KIND}; empty when neither netlink nor the tool answers in time. */
    static Optional<Map<String, Long>> read() {
        RdmaResult<Map<String, Long>> r = RdmaNetlink.resourceSummary(2000);
        if (r.ok()) {
            return Optional.of(kinds(r.value()));
        }
        return readWithTool();
    }

    static Map<String, Long> kinds(Map<String, Long> summary) {
        Map<String, Long> counts = new TreeMap<>();
        summary.forEach((kind, n) -> {
            if (KINDS.contains(kind)) {
                counts.put("rdma:" + kind, n);
            }
        });
        return counts;
    }

    /** {@code rdma -j resource show}: counts keyed {@code rdma:KIND}; empty when the tool is missing, slow or fails. */
    static Optional<Map<String, Long>> readWithTool() {
        Process p = null;
        try {
            p = new ProcessBuilder("rdma", "-j", "resource", "show").redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readNBytes(64 * 1024);
            if (!p.waitFor(2, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return Optional.empty();
            }
            return Optional.of(parse(new String(out, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }

    static Map<String, Long> parse(String json) {
        Map<String, Long> counts = new TreeMap<>();
        Matcher m = COUNT.matcher(json);
        while (m.find()) {
            counts.merge("rdma:" + m.group(1), Long.parseLong(m.group(2)), Long::sum);
        }
        return counts;
    }
}
