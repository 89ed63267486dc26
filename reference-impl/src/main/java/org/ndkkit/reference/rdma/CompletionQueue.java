package org.ndkkit.reference.rdma;

import com.sun.jna.Function;
import com.sun.jna.Pointer;

/**
 * A {@code struct ibv_cq *} from {@link Verbs#createCq}; freed by {@link Verbs#destroyCq}.
 *
 * <p>{@code ibv_poll_cq} and {@code ibv_req_notify_cq} are static inline in verbs.h: they call
 * {@code cq->context->ops.poll_cq} / {@code .req_notify_cq}. The two function pointers are read
 * once, when the CQ is created, and kept here.
 */
public final class CompletionQueue extends NativeHandle {
    private final DeviceContext context;
    private final int cqe;
    private final Function pollCq;
    private final Function reqNotifyCq;

    CompletionQueue(Pointer pointer, DeviceContext context, int cqe, Function pollCq,
            Function reqNotifyCq) {
        super("ibv_cq", pointer);
        this.context = context;
        this.cqe = cqe;
        this.pollCq = pollCq;
        this.reqNotifyCq = reqNotifyCq;
    }

    @Override
    void released() {
        context.removeDependant();
    }

    public DeviceContext context() {
        return context;
    }

    /** The number of entries the provider actually allocated ({@code cq->cqe}). */
    public int cqe() {
        return cqe;
    }

    Function pollCqFunction() {
        return pollCq;
    }

    Function reqNotifyCqFunction() {
        return reqNotifyCq;
    }

    @Override
    NativeHandle faultScope() {
        return context;
    }
}
