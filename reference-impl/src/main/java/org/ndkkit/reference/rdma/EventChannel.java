package org.ndkkit.reference.rdma;

import com.sun.jna.Pointer;

/**
 * A {@code struct rdma_event_channel *} from {@code rdma_create_event_channel}. Owned by whoever
 * created it; freed by {@link RdmaCm#destroyEventChannel}, which is refused while ids still use
 * the channel. {@link RdmaCm#createEventChannel()} puts the fd in non-blocking mode, and events
 * are waited for with {@code poll()} ({@link RdmaCm#getCmEvent}).
 */
public final class EventChannel extends NativeHandle {
    private final int fd;

    EventChannel(Pointer pointer, int fd) {
        super("rdma_event_channel", pointer);
        this.fd = fd;
    }

    /** The channel's file descriptor ({@code channel->fd}). */
    public int fd() {
        return fd;
    }
}
