package org.ndkkit.simulated;

import java.util.concurrent.atomic.LongAdder;
import org.ndkkit.spi.CloseCompletion;
import org.ndkkit.spi.NdkObject;
import org.ndkkit.spi.NdkObjectType;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.RequestCompletion;

/**
 * The close protocol every simulated NDK object shares (NDK's L13-L23).
 *
 * <p>A close returns SUCCESS when nothing is outstanding; otherwise PENDING, and the close
 * completion follows on the event thread once (a) every request that returned PENDING has had its
 * completion return, (b) every event callback running on the object has returned, and (c) every
 * successor (a connector on its QP or shared endpoint, a QP on its CQ) is fully closed. From the
 * moment the close is issued no new event callback starts. Addresses are given back just before the
 * close completion is called; antecedents are released only after it returned (L17).
 *
 * <p>All fields are guarded by the testbed lock.
 */
abstract class SimObject implements NdkObject {
    final SimContext ctx;
    final SimAdapter adapter;
    private final NdkObjectType type;

    private boolean closeIssued;
    private boolean closed;
    private CloseCompletion closeCompletion;
    private Object closeContext;
    private int pendingRequests;
    private int runningEvents;
    private int successors;

    SimObject(SimContext ctx, SimAdapter adapter, NdkObjectType type) {
        this.ctx = ctx;
        this.adapter = adapter;
        this.type = type;
        ctx.live.computeIfAbsent(type, t -> new LongAdder()).increment();
    }

    @Override
    public final NdkObjectType type() {
        return type;
    }

    /**
     * {@code NdkCloseObject}. A second close, or a close without a completion to call, is bad input:
     * it returns INVALID_DEVICE_STATE or INVALID_PARAMETER and changes nothing.
     */
    @Override
    public final NtStatus close(CloseCompletion completion, Object context) {
        return ctx.call(inCall -> {
            if (closeIssued) {
                return NtStatus.INVALID_DEVICE_STATE;
            }
            if (completion == null) {
                return NtStatus.INVALID_PARAMETER;
            }
            closeIssued = true;
            closeCompletion = completion;
            closeContext = context;
            onCloseIssued();
            if (quiescent() && !holdsClosingAntecedent()) {
                closed = true;
                ctx.live.get(type).decrement();
                closeCompletion = null;
                releaseResources();
                releaseAntecedents();
                return NtStatus.SUCCESS;
            }
            // With an antecedent waiting for this object, the close pends even when idle: its
            // completion then runs on the event thread before the antecedent's, so the antecedent's
            // close completion can never overtake this close as the consumer sees it.
            finishCloseIfDue();
            return NtStatus.PENDING;
        });
    }

    /** Under the lock: the consumer will not use the object again; cancel and tell peers now. */
    void onCloseIssued() {
    }

    /**
     * Under the lock: the object is closed; give back addresses and four-tuples. Runs before the close
     * completion is called, so a consumer that reuses the address as soon as it sees the completion
     * finds it free.
     */
    void releaseResources() {
    }

    /**
     * Under the lock: release the antecedents. Runs only after the close completion returned, so an
     * antecedent's close completion never overtakes this object's (L17).
     */
    void releaseAntecedents() {
    }

    /** Under the lock: true when an antecedent this object holds has its own close pending. */
    boolean holdsClosingAntecedent() {
        return false;
    }

    final boolean isCloseIssued() {
        return closeIssued;
    }

    /** Under the lock: a request returned (or will return) PENDING; its completion is owed. */
    final void requestStarted() {
        pendingRequests++;
    }

    /** Not under the lock: calls a request completion, then lets a waiting close finish. */
    final void deliver(RequestCompletion completion, Object context, NtStatus status) {
        Callbacks.invoke("request completion", () -> completion.completed(context, status));
        ctx.locked(() -> {
            pendingRequests--;
            finishCloseIfDue();
        });
    }

    /** Under the lock: starts an event callback unless the close was issued. */
    final boolean beginEvent() {
        if (closeIssued) {
            return false;
        }
        runningEvents++;
        return true;
    }

    /** Under the lock: the event callback started with {@link #beginEvent} returned. */
    final void endEvent() {
        runningEvents--;
        finishCloseIfDue();
    }

    /** Under the lock: a successor now depends on this object. */
    final void retainSuccessor() {
        successors++;
    }

    /** Under the lock: a successor is fully closed (or no longer depends on this object). */
    final void releaseSuccessor() {
        successors--;
        finishCloseIfDue();
    }

    private boolean quiescent() {
        return pendingRequests == 0 && runningEvents == 0 && successors == 0;
    }

    private void finishCloseIfDue() {
        if (!closeIssued || closed || !quiescent()) {
            return;
        }
        closed = true;
        ctx.live.get(type).decrement();
        CloseCompletion completion = closeCompletion;
        Object context = closeContext;
        closeCompletion = null;
        releaseResources();
        ctx.events.post(adapter.tracker, () -> {
            Callbacks.invoke("close completion", () -> completion.closed(context));
            ctx.locked(this::releaseAntecedents);
        });
    }
}
