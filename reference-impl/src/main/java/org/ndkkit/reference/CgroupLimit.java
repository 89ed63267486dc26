package org.ndkkit.reference;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.ndkkit.spi.ExhaustionMethod;
import org.ndkkit.spi.ResourceExhaustion;

/**
 * A real resource limit from the cgroup v2 rdma controller: the JVM moves into a child of the
 * lab's cgroup whose {@code rdma.max} allows the device no more {@code hca_handle} and
 * {@code hca_object} than that child currently holds (none: the rdma controller charges an object
 * to the cgroup the process was in when it was created, and uncharges it there), so every new
 * verbs object (PD, CQ, QP, MR) fails with EAGAIN, which the provider reports as
 * STATUS_INSUFFICIENT_RESOURCES. Closing moves the JVM back and removes the child.
 *
 * <p>What it cannot do: rdma_cm ids are not charged (the lab measured three rdma_create_id calls
 * succeeding under such a limit), and the reference provider allocates no verbs object for a
 * connect or a shared endpoint, so neither fails under it.
 */
final class CgroupLimit implements ResourceExhaustion {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private final Path child;
    private final Path originalProcs;
    private final String pid;
    private boolean closed;

    private CgroupLimit(Path child, Path originalProcs, String pid) {
        this.child = child;
        this.originalProcs = originalProcs;
        this.pid = pid;
    }

    /** @throws IOException with the reason when the cgroup cannot be set up */
    static CgroupLimit take(Path labCgroup, String device) throws IOException {
        String pid = Long.toString(ProcessHandle.current().pid());
        Path original = currentCgroup();
        Path child = labCgroup.resolve("ndk-exhaust-" + pid + "-" + SEQ.incrementAndGet());
        Files.createDirectories(child);
        try {
            String current = Files.readString(child.resolve("rdma.current"), StandardCharsets.US_ASCII);
            int handles = 0;
            int objects = 0;
            for (String line : current.split("\n")) {
                if (line.startsWith(device + " ")) {
                    handles = valueOf(line, "hca_handle");
                    objects = valueOf(line, "hca_object");
                }
            }
            Files.writeString(child.resolve("rdma.max"), device + " hca_handle=" + handles + " hca_object=" + objects + "\n",
                    StandardCharsets.US_ASCII);
            Files.writeString(child.resolve("cgroup.procs"), pid + "\n", StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(child);
            } catch (IOException ignored) {
                // best effort
            }
            throw e instanceof IOException io ? io : new IOException(e);
        }
        return new CgroupLimit(child, original.resolve("cgroup.procs"), pid);
    }

    private static int valueOf(String line, String key) {
        for (String kv : line.split(" ")) {
            if (kv.startsWith(key + "=")) {
                String v = kv.substring(key.length() + 1);
                return v.equals("max") ? Integer.MAX_VALUE : Integer.parseInt(v);
            }
        }
        return 0;
    }

    /** The cgroup v2 directory of this process ("0::/path" in /proc/self/cgroup). */
    static Path currentCgroup() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"), StandardCharsets.US_ASCII)) {
            if (line.startsWith("0::")) {
                String rel = line.substring(3);
                return Path.of("/sys/fs/cgroup" + (rel.equals("/") ? "" : rel));
            }
        }
        throw new IOException("no cgroup v2 entry in /proc/self/cgroup");
    }

    @Override
    public ExhaustionMethod method() {
        return ExhaustionMethod.REAL_LIMIT;
    }

    @Override
    public String description() {
        return "the rdma cgroup " + child.getFileName() + " allows no more hca_handle or hca_object: new verbs objects fail with EAGAIN";
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Files.writeString(originalProcs, pid + "\n", StandardCharsets.US_ASCII);
            Files.deleteIfExists(child);
        } catch (IOException e) {
            System.err.println("reference provider: could not undo the rdma cgroup limit " + child + ": " + e);
        }
    }
}
