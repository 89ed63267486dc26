package org.ndkkit.reference.rdma;

import static org.ndkkit.reference.rdma.NetlinkConstants.AF_NETLINK;
import static org.ndkkit.reference.rdma.NetlinkConstants.NETLINK_RDMA;
import static org.ndkkit.reference.rdma.NetlinkConstants.NLA_F_NESTED;
import static org.ndkkit.reference.rdma.NetlinkConstants.NLA_F_NET_BYTEORDER;
import static org.ndkkit.reference.rdma.NetlinkConstants.NLMSG_DONE;
import static org.ndkkit.reference.rdma.NetlinkConstants.NLMSG_ERROR;
import static org.ndkkit.reference.rdma.NetlinkConstants.NLM_F_DUMP;
import static org.ndkkit.reference.rdma.NetlinkConstants.NLM_F_REQUEST;
import static org.ndkkit.reference.rdma.NetlinkConstants.RDMA_NLDEV_ATTR_RES_SUMMARY;
import static org.ndkkit.reference.rdma.NetlinkConstants.RDMA_NLDEV_ATTR_RES_SUMMARY_ENTRY;
import static org.ndkkit.reference.rdma.NetlinkConstants.RDMA_NLDEV_ATTR_RES_SUMMARY_ENTRY_CURR;
import static org.ndkkit.reference.rdma.NetlinkConstants.RDMA_NLDEV_ATTR_RES_SUMMARY_ENTRY_NAME;
import static org.ndkkit.reference.rdma.NetlinkConstants.RDMA_NLDEV_CMD_RES_GET;
import static org.ndkkit.reference.rdma.NetlinkConstants.RDMA_NL_NLDEV;
import static org.ndkkit.reference.rdma.NetlinkConstants.SOCK_CLOEXEC;
import static org.ndkkit.reference.rdma.NetlinkConstants.SOCK_RAW;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The kernel's count of RDMA resources per kind ({@code pd}, {@code cq}, {@code qp}, {@code cm_id},
 * {@code mr}, ...), summed over devices: the resource summary that {@code rdma resource show}
 * prints, read with one RDMA netlink dump ({@code RDMA_NLDEV_CMD_RES_GET}) from this process.
 *
 * <p>Why not run {@code rdma}: the leak check reads these counts before and after every scenario,
 * and starting the tool costs tens of milliseconds per run in the lab's emulated VM (more from a
 * JVM), the largest fixed cost of a scenario there. Reading it here is a send and a few receives.
 */
public final class RdmaNetlink {
    private static final int NLMSG_HDRLEN = 16;
    private static final int NLA_HDRLEN = 4;
    private static final int SOCKADDR_NL_SIZE = 12;
    private static final int BUFFER = 64 * 1024;
    private static final int RES_GET = (RDMA_NL_NLDEV << 10) + RDMA_NLDEV_CMD_RES_GET;

    private RdmaNetlink() {
    }

    /**
     * Counts keyed by the kernel's resource names, summed over every RDMA device; each receive
     * waits at most {@code timeoutMs}. Fails (never throws) when RDMA netlink is not there (a
     * kernel without RDMA: EPROTONOSUPPORT), on a netlink error, or when an answer is late or
     * malformed.
     */
    public static RdmaResult<Map<String, Long>> resourceSummary(int timeoutMs) {
        String op = "RDMA_NLDEV_CMD_RES_GET";
        int fd = LibC.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_RDMA);
        if (fd < 0) {
            return RdmaResult.nativeError(op, Native.getLastError(), "socket(AF_NETLINK, NETLINK_RDMA)");
        }
        try (Scratch s = Scratch.open()) {
            var request = s.zeroed(NLMSG_HDRLEN);
            request.setInt(0, NLMSG_HDRLEN);
            request.setShort(4, (short) RES_GET);
            request.setShort(6, (short) (NLM_F_REQUEST | NLM_F_DUMP));
            request.setInt(8, 1); // sequence number
            var kernel = s.zeroed(SOCKADDR_NL_SIZE); // nl_pid 0: the kernel
            kernel.setShort(0, (short) AF_NETLINK);
            if (LibC.sendto(fd, request, NLMSG_HDRLEN, 0, kernel, SOCKADDR_NL_SIZE) != NLMSG_HDRLEN) {
                return RdmaResult.nativeError(op, Native.getLastError(), "sendto");
            }
            var pollFd = s.zeroed(8);
            pollFd.setInt(0, fd);
            pollFd.setShort(4, (short) PosixConstants.POLLIN);
            Memory buffer = new Memory(BUFFER);
            Map<String, Long> counts = new TreeMap<>();
            long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
            while (true) {
                int left = (int) Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
                int ready = LibC.poll(pollFd, 1, left);
                if (ready == 0) {
                    return RdmaResult.nativeError(op, Errno.ETIMEDOUT, "no complete answer within " + timeoutMs + " ms");
                }
                if (ready < 0) {
                    return RdmaResult.nativeError(op, Native.getLastError(), "poll");
                }
                long n = LibC.recv(fd, buffer, BUFFER, 0);
                if (n <= 0) {
                    return RdmaResult.nativeError(op, n < 0 ? Native.getLastError() : Errno.EIO, "recv");
                }
                ByteBuffer bytes = buffer.getByteBuffer(0, n).order(ByteOrder.nativeOrder());
                Answer a = parse(bytes, counts);
                if (a.errno() != 0) {
                    return RdmaResult.nativeError(op, a.errno(), "the kernel answered with an error");
                }
                if (a.done()) {
                    return RdmaResult.success(op, counts);
                }
            }
        } catch (IllegalArgumentException e) {
            return RdmaResult.nativeError(op, Errno.EIO, "malformed answer: " + e.getMessage());
        } finally {
            LibC.close(fd);
        }
    }

    /** What one receive held: the dump ended ({@code done}), or the kernel's errno (else 0). */
    record Answer(boolean done, int errno) {
    }

    /**
     * Adds the resource summaries of the netlink messages in {@code bytes} (one receive) to
     * {@code counts}. Throws IllegalArgumentException on a length that does not fit.
     */
    static Answer parse(ByteBuffer bytes, Map<String, Long> counts) {
        int at = 0;
        while (at + NLMSG_HDRLEN <= bytes.limit()) {
            int len = bytes.getInt(at);
            int type = bytes.getShort(at + 4) & 0xFFFF;
            if (len < NLMSG_HDRLEN || at + len > bytes.limit()) {
                throw new IllegalArgumentException("message length " + len + " at " + at + " of " + bytes.limit());
            }
            if (type == NLMSG_DONE) {
                return new Answer(true, 0);
            }
            if (type == NLMSG_ERROR) {
                int error = len >= NLMSG_HDRLEN + 4 ? bytes.getInt(at + NLMSG_HDRLEN) : -Errno.EIO;
                return new Answer(error == 0, -error);
            }
            if (type == RES_GET) {
                forEachAttribute(bytes, at + NLMSG_HDRLEN, at + len, (t, from, to) -> {
                    if (t == RDMA_NLDEV_ATTR_RES_SUMMARY) {
                        forEachAttribute(bytes, from, to, (e, eFrom, eTo) -> {
                            if (e == RDMA_NLDEV_ATTR_RES_SUMMARY_ENTRY) {
                                summaryEntry(bytes, eFrom, eTo, counts);
                            }
                        });
                    }
                });
            }
            at += align(len);
        }
        return new Answer(false, 0);
    }

    private static void summaryEntry(ByteBuffer bytes, int from, int to, Map<String, Long> counts) {
        String[] name = {null};
        long[] current = {-1};
        forEachAttribute(bytes, from, to, (t, vFrom, vTo) -> {
            if (t == RDMA_NLDEV_ATTR_RES_SUMMARY_ENTRY_NAME) {
                int end = vFrom;
                while (end < vTo && bytes.get(end) != 0) {
                    end++;
                }
                byte[] b = new byte[end - vFrom];
                bytes.get(vFrom, b);
                name[0] = new String(b, StandardCharsets.US_ASCII);
            } else if (t == RDMA_NLDEV_ATTR_RES_SUMMARY_ENTRY_CURR && vTo - vFrom == 8) {
                current[0] = bytes.getLong(vFrom);
            }
        });
        if (name[0] != null && current[0] >= 0) {
            counts.merge(name[0], current[0], Long::sum);
        }
    }

    private interface AttributeVisitor {
        void visit(int type, int valueFrom, int valueTo);
    }

    private static void forEachAttribute(ByteBuffer bytes, int from, int to, AttributeVisitor visitor) {
        int at = from;
        while (at + NLA_HDRLEN <= to) {
            int len = bytes.getShort(at) & 0xFFFF;
            int type = bytes.getShort(at + 2) & 0xFFFF & ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER);
            if (len < NLA_HDRLEN || at + len > to) {
                throw new IllegalArgumentException("attribute length " + len + " at " + at + " (ends at " + to + ")");
            }
            visitor.visit(type, at + NLA_HDRLEN, at + len);
            at += align(len);
        }
    }

    private static int align(int len) {
        return (len + 3) & ~3;
    }
}
