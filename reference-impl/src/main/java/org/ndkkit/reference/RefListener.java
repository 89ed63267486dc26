package org.ndkkit.reference;

import java.net.InetSocketAddress;
import java.util.Optional;
import org.ndkkit.reference.rdma.CmEvent;
import org.ndkkit.reference.rdma.CmId;
import org.ndkkit.reference.rdma.RdmaCm;
import org.ndkkit.reference.rdma.RdmaResult;
import org.ndkkit.spi.CloseCompletion;
import org.ndkkit.spi.ConnectEventCallback;
import org.ndkkit.spi.NdkListener;
import org.ndkkit.spi.NdkObjectType;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.RequestCompletion;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.UlongRef;

/**
 * NDK_LISTENER on a listening rdma_cm id. Each CONNECT_REQUEST becomes a passive connector handed
 * to the consumer's connect event, unless the provider refuses the request itself with
 * {@code rdma_reject} (the active side then sees REJECTED and reports CONNECTION_REFUSED, and no
 * connect event is made): while connect events are paused, once the listener's close was issued,
 * and when the backlog is full.
 *
 * <p>The backlog is the provider's own rule: rdma_listen's backlog only limits requests not yet
 * read from the event channel (and on overflow the kernel drops the REQ silently, which the
 * active side would see as a timeout after minutes). NDK's backlog counts requests the consumer
 * has not yet accepted or rejected; beyond {@code backlog} of them the provider rejects.
 */
final class RefListener implements NdkListener, CmHandler, RefAdapter.Owned {
    final RefAdapter adapter;
    final Lifetime lifetime = new Lifetime();
    private final ConnectEventCallback callback;
    private final Object callbackContext;
    private final Object lock = new Object();
    private CmId id;
    private AddressTable.Reservation reservation;
    private boolean paused;
    private boolean closeIssued;
    private boolean listenIssued;
    private int unanswered;
    private int inCallback;
    private CloseCompletion closeCompletion;
    private Object closeContext;
    private boolean destroyed;

    RefListener(RefAdapter adapter, ConnectEventCallback callback, Object callbackContext) {
        this.adapter = adapter;
        this.callback = callback;
        this.callbackContext = callbackContext;
    }

    @Override
    public NdkObjectType type() {
        return NdkObjectType.LISTENER;
    }

    @Override
    public NtStatus listen(SockAddr address, RequestCompletion completion, Object context) {
        synchronized (lock) {
            if (closeIssued || listenIssued) {
                return NtStatus.INVALID_DEVICE_STATE;
            }
            RefAdapter.Bound b = adapter.bindLocal(address, AddressTable.Kind.LISTENER, false, true, this);
            if (!b.ok()) {
                adapter.log().log(adapter.host() + " NdkListen(" + address + ") -> " + b.status());
                return b.status();
            }
            listenIssued = true;
            id = b.id();
            reservation = b.reservation();
            adapter.log().log(adapter.host() + " listening on " + reservation.endpoint());
            return NtStatus.SUCCESS;
        }
    }

    Endpoint endpoint() {
        synchronized (lock) {
            return reservation == null ? null : reservation.endpoint();
        }
    }

    @Override
    public NtStatus getLocalAddress(byte[] address, UlongRef addressLength) {
        Endpoint e = endpoint();
        if (e == null) {
            return NtStatus.INVALID_DEVICE_STATE;
        }
        return Buffers.writeAddress(e, address, addressLength);
    }

    @Override
    public void controlConnectEvents(boolean pause) {
        synchronized (lock) {
            paused = pause;
        }
        adapter.log().log(adapter.host() + " listener " + endpoint() + (pause ? " paused" : " resumed"));
    }

    /** A CONNECT_REQUEST on this listener's id (event thread). */
    void onConnectRequest(CmEvent ev) {
        CmId nid = ev.id();
        if (nid == null) {
            return;
        }
        RefConnector c = null;
        String refusal = null;
        synchronized (lock) {
            if (closeIssued || id == null) {
                refusal = "the listener is closing";
            } else if (paused) {
                refusal = "connect events are paused";
            } else if (unanswered >= adapter.plan().backlog()) {
                refusal = "the backlog of " + adapter.plan().backlog() + " unanswered requests is full";
            } else if (!lifetime.acquire()) {
                refusal = "the listener is closing";
            } else {
                unanswered++;
                inCallback++;
                Endpoint local = read(nid.localAddress()).orElse(reservation.endpoint());
                Endpoint remote = read(nid.peerAddress()).orElse(null);
                c = RefConnector.passive(adapter, this, nid, ev, local, remote);
                adapter.register(nid, c);
                adapter.adopt(c);
            }
        }
        if (refusal != null) {
            // NDK's rule, not rdma_cm's: refuse with a consumer reject (REJ reason 28); the active
            // side reports CONNECTION_REFUSED. The new id was never handed out: destroy it.
            RdmaResult<Void> r = RdmaCm.reject(nid, null);
            adapter.log().log(adapter.host() + " request on " + endpoint() + " refused (" + refusal + "): " + r);
            adapter.destroyId(nid);
            return;
        }
        try {
            callback.connectRequest(callbackContext, c);
        } finally {
            synchronized (lock) {
                inCallback--;
                lock.notifyAll();
            }
        }
    }

    private static Optional<Endpoint> read(RdmaResult<Optional<InetSocketAddress>> r) {
        return r.ok() ? r.value().map(Endpoint::of) : Optional.empty();
    }

    /** A connector this listener delivered was accepted, rejected or closed: one backlog slot frees. */
    void answered() {
        synchronized (lock) {
            unanswered--;
        }
    }

    @Override
    public void onCmEvent(CmEvent event) {
        // A listening id gets only CONNECT_REQUESTs (dispatched to onConnectRequest).
        adapter.log().log(adapter.host() + " listener " + endpoint() + " ignores " + event.type());
    }

    @Override
    public NtStatus close(CloseCompletion completion, Object context) {
        if (completion == null) {
            return NtStatus.INVALID_PARAMETER; // this close always pends: it needs a completion to call
        }
        synchronized (lock) {
            if (closeIssued) {
                return NtStatus.INVALID_DEVICE_STATE; // the object is closing or closed already
            }
            closeIssued = true;
            closeCompletion = completion;
            closeContext = context;
            // From now on no connect event starts; wait for one in progress on the event thread
            // (unless this close comes from inside it), so none is made after the close.
            if (!adapter.loop().inLoop()) {
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (inCallback > 0 && System.nanoTime() < deadline) {
                    try {
                        lock.wait(10);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        }
        adapter.loop().post(() -> {
            if (lifetime.closeNowOrDefer(this::finishClose)) {
                finishClose();
            } else {
                adapter.log().log(adapter.host() + " NdkCloseObject(listener " + endpoint() + ") pends for "
                        + lifetime.holders() + " connector(s)");
            }
        });
        return NtStatus.PENDING;
    }

    /** On the event thread (the posted close, or the last delivered connector's close). */
    private void finishClose() {
        destroy();
        CloseCompletion cc;
        Object ctx;
        synchronized (lock) {
            cc = closeCompletion;
            ctx = closeContext;
        }
        cc.closed(ctx);
    }

    @Override
    public void destroy() {
        CmId dead;
        AddressTable.Reservation res;
        synchronized (lock) {
            if (destroyed) {
                return;
            }
            destroyed = true;
            dead = id;
            id = null;
            res = reservation;
        }
        if (dead != null) {
            adapter.destroyId(dead);
        }
        if (res != null) {
            res.release();
        }
        adapter.forget(this);
    }

    @Override
    public int rank() {
        return 0;
    }
}
