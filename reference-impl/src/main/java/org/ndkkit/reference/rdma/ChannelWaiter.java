package org.ndkkit.reference.rdma;

import com.sun.jna.Memory;
import org.ndkkit.reference.rdma.SocketStructs.PollFd;

/**
 * Blocks an event thread until its rdma_cm event channel has an event, another thread
 * {@linkplain #wake() wakes} it, or a timeout passes: {@code poll(2)} on the channel's fd and on
 * an {@code eventfd}. With it the thread sleeps until its next timer instead of polling the
 * channel every few milliseconds, and work posted to it runs at once.
 *
 * <p>{@link #wake()} is safe from any thread, also after {@link #close()} (then it does nothing:
 * the eventfd's number is never written once closed, so a reused fd number is never touched).
 * {@link #await} belongs to the one waiting thread. The channel's fd is only polled, never
 * closed or read here; the channel must outlive the waiting thread's use of this object.
 * These calls do not go through the safety layer's fault injection (like the event thread's own
 * rdma_get_cm_event polling, they are not a request's error path).
 */
public final class ChannelWaiter {
    /** EFD_NONBLOCK and EFD_CLOEXEC are O_NONBLOCK and O_CLOEXEC on Linux (sys/eventfd.h). */
    private static final int EFD_NONBLOCK = 04000;
    private static final int EFD_CLOEXEC = 02000000;
    private static final PollFd LAYOUT = new PollFd();
    private static final int SIZE = LAYOUT.size();
    private static final int FD = LAYOUT.offsetOf("fd");
    private static final int EVENTS = LAYOUT.offsetOf("events");
    private static final int REVENTS = LAYOUT.offsetOf("revents");

    private final int channelFd;
    private final int eventFd;
    private final Memory fds = new Memory(2L * SIZE);
    private final Memory one = new Memory(8);
    private final Memory sink = new Memory(8);
    private boolean closed;

    private ChannelWaiter(int channelFd, int eventFd) {
        this.channelFd = channelFd;
        this.eventFd = eventFd;
        one.setLong(0, 1);
    }

    /** A waiter on {@code channel}'s fd with a new eventfd. */
    public static RdmaResult<ChannelWaiter> open(EventChannel channel) {
        String op = "eventfd";
        if (channel == null) {
            return RdmaResult.rejected(op, Errno.EINVAL, "channel must not be null");
        }
        int efd = LibC.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (efd < 0) {
            return RdmaResult.nativeError(op, RdmaCm.lastErrno(), "returned " + efd);
        }
        return RdmaResult.success(op, new ChannelWaiter(channel.fd(), efd));
    }

    /** Makes the waiting thread's current or next {@link #await} return at once. Any thread. */
    public synchronized void wake() {
        if (!closed) {
            // Adds 1 to the eventfd's counter; fails (EAGAIN) only at a counter of 2^64-2.
            LibC.write(eventFd, one, 8);
        }
    }

    /**
     * Waits until the channel's fd is readable, {@link #wake()} was called (since the last
     * await), or {@code timeoutMs} passed ({@code -1}: no limit). Success: true when the channel
     * is readable. A failed poll, or an error or hang-up on the channel's fd, is a native error.
     */
    public RdmaResult<Boolean> await(long timeoutMs) {
        String op = "poll";
        fds.setInt(FD, channelFd);
        fds.setShort(EVENTS, (short) PosixConstants.POLLIN);
        fds.setShort(REVENTS, (short) 0);
        fds.setInt(SIZE + FD, eventFd);
        fds.setShort(SIZE + EVENTS, (short) PosixConstants.POLLIN);
        fds.setShort(SIZE + REVENTS, (short) 0);
        int rc = LibC.poll(fds, 2, (int) Math.max(-1, Math.min(timeoutMs, Integer.MAX_VALUE)));
        if (rc < 0) {
            int err = RdmaCm.lastErrno();
            return err == Errno.EINTR ? RdmaResult.success(op, false)
                    : RdmaResult.nativeError(op, err, "waiting on the channel fd and the eventfd");
        }
        int channelEvents = fds.getShort(REVENTS);
        if ((fds.getShort(SIZE + REVENTS) & PosixConstants.POLLIN) != 0) {
            LibC.read(eventFd, sink, 8); // resets the counter: every wake so far is consumed
        }
        if ((channelEvents & (PosixConstants.POLLERR | PosixConstants.POLLHUP | PosixConstants.POLLNVAL)) != 0) {
            return RdmaResult.nativeError(op, Errno.EIO, "channel fd reported revents=0x"
                    + Integer.toHexString(channelEvents & 0xFFFF));
        }
        return RdmaResult.success(op, (channelEvents & PosixConstants.POLLIN) != 0);
    }

    /** Closes the eventfd; later {@link #wake()} calls do nothing. */
    public synchronized void close() {
        if (!closed) {
            closed = true;
            LibC.close(eventFd);
        }
    }
}
