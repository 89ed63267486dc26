package org.ndkkit.defects;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.CloseCompletion;
import org.ndkkit.spi.ConnectEventCallback;
import org.ndkkit.spi.CreateCompletion;
import org.ndkkit.spi.Created;
import org.ndkkit.spi.DisconnectEventCallback;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkListener;
import org.ndkkit.spi.NdkObject;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.RequestCompletion;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.UlongRef;

/**
 * The catalogue of seeded defects. Each breaks exactly one rule of the spec and names the
 * clause(s) of {@code features/clauses.yaml} it violates. {@code none} is the control: the
 * decorators with no defect, which must pass the whole suite.
 */
public final class Defects {
    private Defects() {
    }

    private static final Map<String, Supplier<Defect>> ALL = new LinkedHashMap<>();

    private static void add(Supplier<Defect> s) {
        String id = s.get().id();
        if (ALL.put(id, s) != null) {
            throw new IllegalStateException("two defects are named " + id);
        }
    }

    /** A fresh instance of the defect (defects keep per-testbed state). */
    public static Defect byId(String id) {
        if (id.equals("none")) {
            return new Defect("none", List.of(), "no defect: the decorators pass every call through") {
            };
        }
        Supplier<Defect> s = ALL.get(id);
        if (s == null) {
            throw new IllegalArgumentException("no defect named '" + id + "'; known: none, " + String.join(", ", ALL.keySet()));
        }
        return s.get();
    }

    /** Fresh instances of the defects in a comma-separated list of ids, in its order. */
    public static List<Defect> byIds(String ids) {
        return java.util.Arrays.stream(ids.split(",")).map(String::trim).filter(id -> !id.isEmpty()).map(Defects::byId).toList();
    }

    /** Every defect, in catalogue order (the control {@code none} excluded). */
    public static List<Defect> all() {
        List<Defect> l = new ArrayList<>();
        ALL.values().forEach(s -> l.add(s.get()));
        return l;
    }

    // ================================================================== helpers

    static String key(SockAddr a) {
        return a == null || !a.isWellFormed() ? String.valueOf(a) : a.ip().getHostAddress() + "/" + a.port();
    }

    static SockAddr address(java.util.function.BiFunction<byte[], UlongRef, NtStatus> getter) {
        byte[] b = new byte[128];
        UlongRef len = new UlongRef(b.length);
        NtStatus s = getter.apply(b, len);
        return s.equals(NtStatus.SUCCESS) ? SockAddr.fromBuffer(b, len.get()) : null;
    }

    /** Writes {@code a} through NDK's address-buffer protocol. */
    static NtStatus writeAddress(SockAddr a, byte[] out, UlongRef len) {
        byte[] bytes = a.bytes();
        if (Integer.toUnsignedLong(len.get()) < bytes.length) {
            len.set(bytes.length);
            return NtStatus.BUFFER_TOO_SMALL;
        }
        if (out == null || out.length < bytes.length) {
            return NtStatus.INVALID_PARAMETER;
        }
        System.arraycopy(bytes, 0, out, 0, bytes.length);
        len.set(bytes.length);
        return NtStatus.SUCCESS;
    }

    /** Blocks until interrupted (the kit's bounded wait interrupts a call that does not return). */
    static void blockUntilInterrupted() {
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A defect that changes one final status of NdkConnectWithSharedEndpoint, inline or through the completion. */
    static final class ConnectStatus extends Defect {
        private final NtStatus from;
        private final NtStatus to;

        ConnectStatus(String id, List<String> clauses, NtStatus from, NtStatus to) {
            super(id, clauses, "NdkConnectWithSharedEndpoint reports " + to.name() + " where the rule says " + from.name());
            this.from = from;
            this.to = to;
        }

        @Override
        public NtStatus connectWithSharedEndpoint(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, NdkSharedEndpoint se,
                                                  SockAddr dst, int in, int out, byte[] pd, int len, RequestCompletion cb,
                                                  Object ctx) {
            return map(inner.connectWithSharedEndpoint(qp, se, dst, in, out, pd, len, mapped(cb, from, to), ctx), from, to);
        }
    }

    /** A defect that changes one final status of NdkCreateSharedEndpoint. */
    static final class CreateSeStatus extends Defect {
        private final NtStatus from;
        private final NtStatus to;

        CreateSeStatus(String id, List<String> clauses, NtStatus from, NtStatus to) {
            super(id, clauses, "NdkCreateSharedEndpoint reports " + to.name() + " where the rule says " + from.name());
            this.from = from;
            this.to = to;
        }

        @Override
        public Created<NdkSharedEndpoint> createSharedEndpoint(Wrappers.WAdapter a, NdkAdapter inner, SockAddr address,
                                                               CreateCompletion<NdkSharedEndpoint> cb, Object ctx) {
            Created<NdkSharedEndpoint> c = inner.createSharedEndpoint(address,
                    (x, s, o) -> cb.created(x, map(s, from, to), o), ctx);
            return new Created<>(map(c.status(), from, to), c.object());
        }
    }

    /** A defect in which a close completes at once while the inner close still pends (successors open). */
    static final class CloseCompletesEarly extends Defect {
        private final Class<?> type;

        CloseCompletesEarly(String id, List<String> clauses, Class<?> type, String what) {
            super(id, clauses, "closing " + what + " with open successors completes at once instead of pending");
            this.type = type;
        }

        @Override
        public NtStatus close(NdkObject wrapper, NdkObject inner, CloseCompletion cb, Object ctx) {
            if (!type.isInstance(wrapper)) {
                return inner.close(cb, ctx);
            }
            NtStatus s = inner.close((x) -> { }, ctx);
            if (s.isPending() && cb != null) {
                fired();
                cb.closed(ctx);
            }
            return s;
        }
    }

    // ================================================================== the catalogue

    static {
        // ---------------------------------------------------------- a wrong status for each documented code
        add(() -> new ConnectStatus("cse-insufficient-resources-wrong-status", List.of("CSE-INSUFFICIENT-RESOURCES"),
                NtStatus.INSUFFICIENT_RESOURCES, NtStatus.UNSUCCESSFUL));
        add(() -> new ConnectStatus("cse-network-unreachable-wrong-status", List.of("CSE-NETWORK-UNREACHABLE"),
                NtStatus.NETWORK_UNREACHABLE, NtStatus.HOST_UNREACHABLE));
        add(() -> new ConnectStatus("cse-host-unreachable-wrong-status", List.of("CSE-HOST-UNREACHABLE"),
                NtStatus.HOST_UNREACHABLE, NtStatus.NETWORK_UNREACHABLE));
        add(() -> new ConnectStatus("cse-io-timeout-wrong-status", List.of("CSE-IO-TIMEOUT"),
                NtStatus.IO_TIMEOUT, NtStatus.TIMEOUT));
        add(() -> new ConnectStatus("cse-duplicate-wrong-status", List.of("CSE-ADDRESS-ALREADY-EXISTS"),
                NtStatus.ADDRESS_ALREADY_EXISTS, NtStatus.SHARING_VIOLATION));
        add(() -> new ConnectStatus("cse-refused-wrong-status", List.of("CSE-REFUSED-NO-LISTENER", "CSE-REFUSED-REJECTED",
                "CSE-REFUSED-BACKLOG", "CSE-REFUSED-PAUSED", "CSE-REFUSED-LISTENER-CLOSING"),
                NtStatus.CONNECTION_REFUSED, NtStatus.CONNECTION_RESET));
        add(() -> new CreateSeStatus("se-sharing-violation-wrong-status", List.of("SE-SHARING-VIOLATION"),
                NtStatus.SHARING_VIOLATION, NtStatus.ADDRESS_ALREADY_EXISTS));
        add(() -> new CreateSeStatus("se-invalid-address-wrong-status", List.of("SE-INVALID-ADDRESS"),
                NtStatus.INVALID_ADDRESS, NtStatus.INVALID_PARAMETER));
        add(() -> new CreateSeStatus("se-too-many-addresses-wrong-status", List.of("SE-TOO-MANY-ADDRESSES"),
                NtStatus.TOO_MANY_ADDRESSES, NtStatus.INSUFFICIENT_RESOURCES));
        add(() -> new CreateSeStatus("se-insufficient-resources-wrong-status", List.of("SE-INSUFFICIENT-RESOURCES"),
                NtStatus.INSUFFICIENT_RESOURCES, NtStatus.UNSUCCESSFUL));
        add(() -> new Defect("complete-connect-invalid-wrong-status", List.of("SEQ-COMPLETE-CONNECT-INVALID"),
                "NdkCompleteConnect on a connector that is not connecting reports INVALID_DEVICE_STATE, not CONNECTION_INVALID") {
            @Override
            public NtStatus completeConnect(Wrappers.WConnector c, NdkConnector inner, DisconnectEventCallback ev, Object evCtx,
                                            RequestCompletion cb, Object ctx) {
                NtStatus from = NtStatus.CONNECTION_INVALID;
                NtStatus to = NtStatus.INVALID_DEVICE_STATE;
                return map(inner.completeConnect(ev, evCtx, mapped(cb, from, to), ctx), from, to);
            }
        });
        add(() -> new Defect("active-reject-accept-succeeds", List.of("SEQ-ACTIVE-REJECT"),
                "after an active-side reject the passive accept reports SUCCESS, not CONNECTION_ABORTED or CONNECTION_REFUSED") {
            @Override
            public NtStatus accept(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, int in, int out, byte[] pd, int len,
                                   DisconnectEventCallback ev, Object evCtx, RequestCompletion cb, Object ctx) {
                NtStatus from = NtStatus.CONNECTION_ABORTED;
                NtStatus to = NtStatus.SUCCESS;
                return map(inner.accept(qp, in, out, pd, len, ev, evCtx, mapped(cb, from, to), ctx), from, to);
            }
        });

        // ---------------------------------------------------------- the completion contract
        add(() -> new Defect("completion-after-inline-failure", List.of("ASYNC-NO-COMPLETION-AFTER-INLINE"),
                "a connect that fails inline also calls its completion") {
            @Override
            public Map<String, String> innerSettings() {
                return Map.of("completion-path", "inline");
            }

            @Override
            public NtStatus connectWithSharedEndpoint(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, NdkSharedEndpoint se,
                                                      SockAddr dst, int in, int out, byte[] pd, int len, RequestCompletion cb,
                                                      Object ctx) {
                NtStatus s = inner.connectWithSharedEndpoint(qp, se, dst, in, out, pd, len, cb, ctx);
                if (!s.isPending() && !s.isSuccess() && cb != null) {
                    fired();
                    cb.completed(ctx, s);
                }
                return s;
            }
        });
        add(() -> new Defect("completion-twice", List.of("ASYNC-PENDING-COMPLETES-ONCE"),
                "a pending connect calls its completion twice") {
            @Override
            public NtStatus connectWithSharedEndpoint(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, NdkSharedEndpoint se,
                                                      SockAddr dst, int in, int out, byte[] pd, int len, RequestCompletion cb,
                                                      Object ctx) {
                return inner.connectWithSharedEndpoint(qp, se, dst, in, out, pd, len, (x, s) -> {
                    cb.completed(x, s);
                    fired();
                    cb.completed(x, s);
                }, ctx);
            }
        });
        add(() -> new Defect("completion-context-lost", List.of("ASYNC-CONTEXT-RETURNED"),
                "a pending connect's completion gets a null RequestContext instead of the caller's") {
            @Override
            public NtStatus connectWithSharedEndpoint(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, NdkSharedEndpoint se,
                                                      SockAddr dst, int in, int out, byte[] pd, int len, RequestCompletion cb,
                                                      Object ctx) {
                return inner.connectWithSharedEndpoint(qp, se, dst, in, out, pd, len, (x, s) -> {
                    if (x != null) {
                        fired();
                    }
                    cb.completed(null, s);
                }, ctx);
            }
        });
        add(() -> new Defect("pending-never-completes", List.of("ASYNC-PENDING-COMPLETES-ONCE", "CSE-PENDING"),
                "a connect returns PENDING and its completion is never called") {
            @Override
            public NtStatus connectWithSharedEndpoint(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, NdkSharedEndpoint se,
                                                      SockAddr dst, int in, int out, byte[] pd, int len, RequestCompletion cb,
                                                      Object ctx) {
                return inner.connectWithSharedEndpoint(qp, se, dst, in, out, pd, len, (x, s) -> fired(), ctx);
            }
        });
        add(() -> new Defect("completion-in-call-without-pending", List.of("ASYNC-COMPLETION-IN-CALL"),
                "a connect whose completion ran inside the call returns the final status instead of PENDING") {
            @Override
            public Map<String, String> innerSettings() {
                return Map.of("completion-path", "pending-in-call");
            }

            @Override
            public NtStatus connectWithSharedEndpoint(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, NdkSharedEndpoint se,
                                                      SockAddr dst, int in, int out, byte[] pd, int len, RequestCompletion cb,
                                                      Object ctx) {
                Thread caller = Thread.currentThread();
                AtomicReference<NtStatus> inCall = new AtomicReference<>();
                NtStatus s = inner.connectWithSharedEndpoint(qp, se, dst, in, out, pd, len, (x, st) -> {
                    if (Thread.currentThread() == caller) {
                        inCall.set(st);
                    }
                    cb.completed(x, st);
                }, ctx);
                if (s.isPending() && inCall.get() != null) {
                    fired();
                    return inCall.get();
                }
                return s;
            }
        });
        add(() -> new Defect("create-completion-context-lost", List.of("CREATE-COMPLETION-PATTERN"),
                "a pending NdkCreateConnector's create completion gets a null context") {
            @Override
            public Map<String, String> innerSettings() {
                return Map.of("completion-path", "pending");
            }

            @Override
            public Created<NdkConnector> createConnector(NdkAdapter inner, CreateCompletion<NdkConnector> cb, Object ctx) {
                return inner.createConnector((x, s, o) -> {
                    if (x != null) {
                        fired();
                    }
                    cb.created(null, s, o);
                }, ctx);
            }
        });

        // ---------------------------------------------------------- close and lifetime
        add(() -> new Defect("close-fails", List.of("CLOSE-NEVER-FAILS"),
                "closing an idle connector returns STATUS_UNSUCCESSFUL (the object is closed all the same)") {
            @Override
            public NtStatus close(NdkObject wrapper, NdkObject inner, CloseCompletion cb, Object ctx) {
                NtStatus s = inner.close(cb, ctx);
                if (wrapper instanceof NdkConnector && s.equals(NtStatus.SUCCESS)) {
                    fired();
                    return NtStatus.UNSUCCESSFUL;
                }
                return s;
            }
        });
        add(() -> new Defect("se-close-leaks", List.of("LIFE-CLOSE-RELEASES"),
                "closing a shared endpoint returns STATUS_SUCCESS, but the provider keeps the endpoint and its address") {
            @Override
            public NtStatus close(NdkObject wrapper, NdkObject inner, CloseCompletion cb, Object ctx) {
                if (wrapper instanceof NdkSharedEndpoint) {
                    fired();
                    return NtStatus.SUCCESS;
                }
                return inner.close(cb, ctx);
            }
        });
        add(() -> new Defect("close-completion-twice", List.of("CLOSE-COMPLETION-PATTERN"),
                "a pending close calls its close completion twice") {
            @Override
            public NtStatus close(NdkObject wrapper, NdkObject inner, CloseCompletion cb, Object ctx) {
                return inner.close(cb == null ? null : x -> {
                    cb.closed(x);
                    fired();
                    cb.closed(x);
                }, ctx);
            }
        });
        add(() -> new CloseCompletesEarly("se-close-completes-early", List.of("LT-SE-CLOSE-PENDS"),
                NdkSharedEndpoint.class, "a shared endpoint"));
        add(() -> new CloseCompletesEarly("listener-close-completes-early", List.of("LT-LISTENER-CLOSE-PENDS"),
                NdkListener.class, "a listener"));
        add(() -> new CloseCompletesEarly("qp-close-completes-early", List.of("LT-QP-CLOSE-PENDS"),
                NdkQp.class, "a QP"));
        add(() -> new Defect("callback-after-close", List.of("LT-NO-CALLBACK-AFTER-CLOSE", "LT-CLOSE-COMPLETES-PENDING"),
                "a connect cancelled by the connector's close completes after the close completion") {
            @Override
            public NtStatus connectWithSharedEndpoint(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, NdkSharedEndpoint se,
                                                      SockAddr dst, int in, int out, byte[] pd, int len, RequestCompletion cb,
                                                      Object ctx) {
                return inner.connectWithSharedEndpoint(qp, se, dst, in, out, pd, len, (x, s) -> {
                    @SuppressWarnings("unchecked")
                    List<Runnable> held = (List<Runnable>) c.notes.get("held");
                    if (held != null) {
                        synchronized (held) {
                            if (c.notes.get("closed") == null) {
                                fired();
                                held.add(() -> cb.completed(x, s));
                                return;
                            }
                        }
                    }
                    cb.completed(x, s);
                }, ctx);
            }

            @Override
            public NtStatus close(NdkObject wrapper, NdkObject inner, CloseCompletion cb, Object ctx) {
                if (!(wrapper instanceof Wrappers.WConnector c)) {
                    return inner.close(cb, ctx);
                }
                List<Runnable> held = new ArrayList<>();
                c.notes.put("held", held);
                Runnable release = () -> {
                    List<Runnable> run;
                    synchronized (held) {
                        c.notes.put("closed", Boolean.TRUE);
                        run = new ArrayList<>(held);
                    }
                    run.forEach(Runnable::run);
                };
                NtStatus s = inner.close(x -> {
                    cb.closed(x);
                    release.run();
                }, ctx);
                if (!s.isPending()) {
                    release.run();
                }
                return s;
            }
        });

        // ---------------------------------------------------------- read limits
        add(() -> new Defect("no-inbound-cap", List.of("LIM-INBOUND-CAP"),
                "the inbound read limit is not capped to the MaxInboundReadLimit the adapter reports") {
            @Override
            public AdapterInfo info(Host host, AdapterInfo r) {
                int reported = Math.max(2, r.maxInboundReadLimit() / 4);
                if (host != Host.LOCAL || reported == r.maxInboundReadLimit()) {
                    return r;
                }
                fired();
                return withLimits(r, reported, r.maxOutboundReadLimit());
            }
        });
        add(() -> new Defect("no-outbound-cap", List.of("LIM-OUTBOUND-CAP"),
                "the outbound read limit is not capped to the MaxOutboundReadLimit the adapter reports") {
            @Override
            public AdapterInfo info(Host host, AdapterInfo r) {
                int reported = Math.max(2, r.maxOutboundReadLimit() / 2);
                if (host != Host.LOCAL || reported == r.maxOutboundReadLimit()) {
                    return r;
                }
                fired();
                return withLimits(r, r.maxInboundReadLimit(), reported);
            }
        });
        add(() -> new Defect("inbound-cap-ignores-peer", List.of("LIM-INBOUND-PEER"),
                "the effective inbound limit is the consumer's capped value, ignoring the peer's lower outbound limit") {
            @Override
            public NtStatus getConnectionData(Wrappers.WConnector c, NdkConnector inner, UlongRef in, UlongRef out, byte[] pd,
                                              UlongRef len) {
                NtStatus s = inner.getConnectionData(in, out, pd, len);
                if (c.sharedEndpoint != null && in != null && s.isSuccess()) {
                    int capped = (int) Math.min(Integer.toUnsignedLong(c.requestedInbound),
                            Integer.toUnsignedLong(c.adapter().realInfo().maxInboundReadLimit()));
                    if (capped != in.get()) {
                        fired();
                        in.set(capped);
                    }
                }
                return s;
            }
        });
        add(() -> new Defect("outbound-cap-ignores-peer", List.of("LIM-OUTBOUND-PEER"),
                "the effective outbound limit is the consumer's capped value, ignoring the peer's lower inbound limit") {
            @Override
            public NtStatus getConnectionData(Wrappers.WConnector c, NdkConnector inner, UlongRef in, UlongRef out, byte[] pd,
                                              UlongRef len) {
                NtStatus s = inner.getConnectionData(in, out, pd, len);
                if (c.sharedEndpoint != null && out != null && s.isSuccess()) {
                    int capped = (int) Math.min(Integer.toUnsignedLong(c.requestedOutbound),
                            Integer.toUnsignedLong(c.adapter().realInfo().maxOutboundReadLimit()));
                    if (capped != out.get()) {
                        fired();
                        out.set(capped);
                    }
                }
                return s;
            }
        });
        add(() -> new Defect("read-limits-swapped", List.of("LIM-INBOUND-CAP", "LIM-OUTBOUND-CAP", "LIM-INBOUND-PEER",
                "LIM-OUTBOUND-PEER", "LIM-PEER-CAPPED-FIRST", "LIM-PASSIVE-VIEW"),
                "NdkConnectWithSharedEndpoint passes the inbound limit as the outbound one and vice versa") {
            @Override
            public NtStatus connectWithSharedEndpoint(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, NdkSharedEndpoint se,
                                                      SockAddr dst, int in, int out, byte[] pd, int len, RequestCompletion cb,
                                                      Object ctx) {
                if (in != out) {
                    fired();
                }
                return inner.connectWithSharedEndpoint(qp, se, dst, out, in, pd, len, cb, ctx);
            }
        });
        add(() -> new Defect("zero-limit-means-maximum", List.of("LIM-ZERO"),
                "a read limit of 0 is taken as \"the adapter maximum\" instead of staying 0") {
            @Override
            public NtStatus connectWithSharedEndpoint(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, NdkSharedEndpoint se,
                                                      SockAddr dst, int in, int out, byte[] pd, int len, RequestCompletion cb,
                                                      Object ctx) {
                if (in == 0 || out == 0) {
                    fired();
                }
                return inner.connectWithSharedEndpoint(qp, se, dst, in == 0 ? -1 : in, out == 0 ? -1 : out, pd, len, cb, ctx);
            }
        });

        // ---------------------------------------------------------- shared endpoint and four-tuple
        add(() -> new ConnectStatus("four-tuple-check-missing", List.of("CSE-ADDRESS-ALREADY-EXISTS"),
                NtStatus.ADDRESS_ALREADY_EXISTS, NtStatus.SUCCESS));
        add(() -> new Defect("four-tuple-never-released", List.of("CSE-FOUR-TUPLE-RELEASED"),
                "a connection's four-tuple stays taken after its connector is closed") {
            private final Set<String> closedTuples = ConcurrentHashMap.newKeySet();

            private String tuple(Wrappers.WConnector c) {
                if (c.sharedEndpoint == null) {
                    return null;
                }
                SockAddr local = address(c.sharedEndpoint.inner()::getLocalAddress);
                return key(local) + "->" + key(c.destination);
            }

            @Override
            public NtStatus connectWithSharedEndpoint(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, NdkSharedEndpoint se,
                                                      SockAddr dst, int in, int out, byte[] pd, int len, RequestCompletion cb,
                                                      Object ctx) {
                String t = tuple(c);
                if (t != null && closedTuples.contains(t)) {
                    fired();
                    return NtStatus.ADDRESS_ALREADY_EXISTS;
                }
                return inner.connectWithSharedEndpoint(qp, se, dst, in, out, pd, len, (x, s) -> {
                    if (s.equals(NtStatus.SUCCESS)) {
                        c.notes.put("connected", Boolean.TRUE);
                    }
                    cb.completed(x, s);
                }, ctx);
            }

            @Override
            public NtStatus close(NdkObject wrapper, NdkObject inner, CloseCompletion cb, Object ctx) {
                if (wrapper instanceof Wrappers.WConnector c && c.notes.containsKey("connected")) {
                    String t = tuple(c);
                    if (t != null) {
                        closedTuples.add(t);
                    }
                }
                return inner.close(cb, ctx);
            }
        });
        add(() -> new Defect("se-address-released-early", List.of("LT-SE-ADDRESS-HELD"),
                "a closed shared endpoint's address is given out again while its connectors are still open") {
            private final Set<String> closing = ConcurrentHashMap.newKeySet();

            @Override
            public Map<String, String> innerSettings() {
                return Map.of("completion-path", "inline");
            }

            @Override
            public NtStatus close(NdkObject wrapper, NdkObject inner, CloseCompletion cb, Object ctx) {
                if (wrapper instanceof NdkSharedEndpoint se) {
                    SockAddr a = address(se::getLocalAddress);
                    if (a != null) {
                        closing.add(key(a));
                    }
                }
                return inner.close(cb, ctx);
            }

            @Override
            public Created<NdkSharedEndpoint> createSharedEndpoint(Wrappers.WAdapter a, NdkAdapter inner, SockAddr address,
                                                                   CreateCompletion<NdkSharedEndpoint> cb, Object ctx) {
                Created<NdkSharedEndpoint> c = inner.createSharedEndpoint(address, cb, ctx);
                if (c.status().equals(NtStatus.SHARING_VIOLATION) && closing.contains(key(address))) {
                    fired();
                    return inner.createSharedEndpoint(address.withPort(0), cb, ctx);
                }
                return c;
            }

            @Override
            public NtStatus listen(NdkListener inner, SockAddr address, RequestCompletion cb, Object ctx) {
                if (address != null && address.isWellFormed() && closing.contains(key(address))) {
                    fired();
                    return inner.listen(address.withPort(0), cb, ctx);
                }
                return inner.listen(address, cb, ctx);
            }
        });
        add(() -> new Defect("port-zero-not-ephemeral", List.of("SE-PORT-ZERO"),
                "a shared endpoint created with port 0 gets a port below the ephemeral range") {
            private final AtomicInteger next = new AtomicInteger(40000);

            @Override
            public Created<NdkSharedEndpoint> createSharedEndpoint(Wrappers.WAdapter a, NdkAdapter inner, SockAddr address,
                                                                   CreateCompletion<NdkSharedEndpoint> cb, Object ctx) {
                if (address != null && address.isWellFormed() && address.port() == 0) {
                    fired();
                    return inner.createSharedEndpoint(address.withPort(next.getAndIncrement()), cb, ctx);
                }
                return inner.createSharedEndpoint(address, cb, ctx);
            }
        });
        add(() -> new Defect("connector-local-address-is-peer", List.of("SE-CONNECTOR-LOCAL-ADDRESS"),
                "NdkGetLocalAddress on a connector reports the peer's address") {
            @Override
            public NtStatus getLocalAddress(Wrappers.WConnector c, NdkConnector inner, byte[] address, UlongRef len) {
                fired(); // never asks the inner provider for the local address at all
                return inner.getPeerAddress(address, len);
            }
        });
        add(() -> new Defect("se-single-destination", List.of("SE-MANY-DESTINATIONS"),
                "a shared endpoint carries only one open connection: a second connect through it is refused as a duplicate") {
            private final Map<Object, Set<Wrappers.WConnector>> users = new ConcurrentHashMap<>();

            @Override
            public NtStatus connectWithSharedEndpoint(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, NdkSharedEndpoint se,
                                                      SockAddr dst, int in, int out, byte[] pd, int len, RequestCompletion cb,
                                                      Object ctx) {
                Set<Wrappers.WConnector> u = users.computeIfAbsent(se, k -> ConcurrentHashMap.newKeySet());
                if (u.stream().anyMatch(o -> o != c)) {
                    fired();
                    return NtStatus.ADDRESS_ALREADY_EXISTS;
                }
                u.add(c);
                return inner.connectWithSharedEndpoint(qp, se, dst, in, out, pd, len, cb, ctx);
            }

            @Override
            public NtStatus close(NdkObject wrapper, NdkObject inner, CloseCompletion cb, Object ctx) {
                users.values().forEach(u -> u.remove(wrapper));
                return inner.close(cb, ctx);
            }
        });
        add(() -> new Defect("se-address-buffer-truncated", List.of("SE-LOCAL-ADDRESS-BUFFER"),
                "NdkGetSharedEndpointLocalAddress with a short buffer copies what fits and returns STATUS_SUCCESS") {
            @Override
            public NtStatus getSharedEndpointLocalAddress(NdkSharedEndpoint inner, byte[] address, UlongRef len) {
                SockAddr a = address(inner::getLocalAddress);
                if (a == null) {
                    return inner.getLocalAddress(address, len);
                }
                byte[] b = a.bytes();
                int n = (int) Math.min(Math.min(Integer.toUnsignedLong(len.get()), b.length), address == null ? 0 : address.length);
                if (n < b.length) { // the inner provider would have refused this buffer
                    fired();
                }
                if (n > 0) {
                    System.arraycopy(b, 0, address, 0, n);
                }
                len.set(n);
                return NtStatus.SUCCESS;
            }
        });

        // ---------------------------------------------------------- private data
        add(() -> new Defect("connect-private-data-truncated", List.of("PD-CONNECT-DELIVERED", "PD-CALLER-LIMIT"),
                "the connect's private data loses its last byte") {
            @Override
            public NtStatus connectWithSharedEndpoint(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, NdkSharedEndpoint se,
                                                      SockAddr dst, int in, int out, byte[] pd, int len, RequestCompletion cb,
                                                      Object ctx) {
                if (len > 0) {
                    fired();
                    return inner.connectWithSharedEndpoint(qp, se, dst, in, out, pd, len - 1, cb, ctx);
                }
                return inner.connectWithSharedEndpoint(qp, se, dst, in, out, pd, len, cb, ctx);
            }
        });
        add(() -> new Defect("accept-private-data-padded-in-front", List.of("PD-ACCEPT-DELIVERED", "PD-CALLEE-LIMIT"),
                "the accept's private data is sent right-aligned behind 4 zero bytes of padding") {
            @Override
            public NtStatus accept(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, int in, int out, byte[] pd, int len,
                                   DisconnectEventCallback ev, Object evCtx, RequestCompletion cb, Object ctx) {
                if (pd != null && len > 0 && len <= pd.length) {
                    int max = c.adapter().realInfo().maxCalleeData();
                    int padded = Math.min(len + 4, Math.max(max, len));
                    byte[] p = new byte[padded];
                    System.arraycopy(pd, 0, p, padded - len, len);
                    if (padded != len) { // at MaxCalleeData already there is no room to pad
                        fired();
                    }
                    return inner.accept(qp, in, out, p, padded, ev, evCtx, cb, ctx);
                }
                return inner.accept(qp, in, out, pd, len, ev, evCtx, cb, ctx);
            }
        });
        add(() -> new Defect("caller-data-over-limit-accepted", List.of("PD-CALLER-OVER-LIMIT"),
                "a connect with more than MaxCallerData bytes is accepted (the data silently cut to the limit)") {
            @Override
            public NtStatus connectWithSharedEndpoint(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, NdkSharedEndpoint se,
                                                      SockAddr dst, int in, int out, byte[] pd, int len, RequestCompletion cb,
                                                      Object ctx) {
                int max = c.adapter().realInfo().maxCallerData();
                if (Integer.compareUnsigned(len, max) > 0) {
                    fired();
                    len = max;
                }
                return inner.connectWithSharedEndpoint(qp, se, dst, in, out, pd, len, cb, ctx);
            }
        });
        add(() -> new Defect("callee-data-over-limit-accepted", List.of("PD-CALLEE-OVER-LIMIT"),
                "an accept or reject with more than MaxCalleeData bytes is accepted (the data silently cut to the limit)") {
            @Override
            public NtStatus accept(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, int in, int out, byte[] pd, int len,
                                   DisconnectEventCallback ev, Object evCtx, RequestCompletion cb, Object ctx) {
                return inner.accept(qp, in, out, pd, cut(c, len), ev, evCtx, cb, ctx);
            }

            @Override
            public NtStatus reject(Wrappers.WConnector c, NdkConnector inner, byte[] pd, int len) {
                return inner.reject(pd, cut(c, len));
            }

            private int cut(Wrappers.WConnector c, int len) {
                int max = c.adapter().realInfo().maxCalleeData();
                if (Integer.compareUnsigned(len, max) > 0) {
                    fired();
                    return max;
                }
                return len;
            }
        });
        add(() -> new Defect("reject-private-data-dropped", List.of("PD-REJECT-DELIVERED"),
                "the private data of a reject never reaches the active side") {
            @Override
            public NtStatus reject(Wrappers.WConnector c, NdkConnector inner, byte[] pd, int len) {
                if (len != 0) {
                    fired();
                }
                return inner.reject(null, 0);
            }
        });

        // ---------------------------------------------------------- NdkGetConnectionData's buffer rules
        add(() -> new Defect("gcd-null-buffer-too-small", List.of("GCD-NULL-BUFFER"),
                "a size query (no buffer, length 0) returns BUFFER_TOO_SMALL instead of SUCCESS") {
            @Override
            public NtStatus getConnectionData(Wrappers.WConnector c, NdkConnector inner, UlongRef in, UlongRef out, byte[] pd,
                                              UlongRef len) {
                boolean query = pd == null && len != null && len.get() == 0;
                NtStatus s = inner.getConnectionData(in, out, pd, len);
                if (query && s.equals(NtStatus.SUCCESS) && len.get() != 0) {
                    fired();
                    return NtStatus.BUFFER_TOO_SMALL;
                }
                return s;
            }
        });
        add(() -> new Defect("gcd-short-buffer-success", List.of("GCD-SHORT-BUFFER"),
                "a buffer shorter than the required size gets STATUS_SUCCESS (truncated data) instead of BUFFER_TOO_SMALL") {
            @Override
            public NtStatus getConnectionData(Wrappers.WConnector c, NdkConnector inner, UlongRef in, UlongRef out, byte[] pd,
                                              UlongRef len) {
                return map(inner.getConnectionData(in, out, pd, len), NtStatus.BUFFER_TOO_SMALL, NtStatus.SUCCESS);
            }
        });
        add(() -> new Defect("gcd-required-size-not-stored", List.of("GCD-LARGE-BUFFER"),
                "with a large enough buffer the length is left at the buffer size instead of the required size") {
            @Override
            public NtStatus getConnectionData(Wrappers.WConnector c, NdkConnector inner, UlongRef in, UlongRef out, byte[] pd,
                                              UlongRef len) {
                int given = len == null ? 0 : len.get();
                NtStatus s = inner.getConnectionData(in, out, pd, len);
                if (pd != null && s.equals(NtStatus.SUCCESS) && len.get() != given) {
                    fired();
                    len.set(given);
                }
                return s;
            }
        });
        add(() -> new Defect("gcd-limits-mandatory", List.of("GCD-OPTIONAL-LIMITS"),
                "NdkGetConnectionData without read-limit outputs fails with INVALID_PARAMETER") {
            @Override
            public NtStatus getConnectionData(Wrappers.WConnector c, NdkConnector inner, UlongRef in, UlongRef out, byte[] pd,
                                              UlongRef len) {
                if (in == null || out == null) {
                    fired();
                    return NtStatus.INVALID_PARAMETER;
                }
                return inner.getConnectionData(in, out, pd, len);
            }
        });

        // ---------------------------------------------------------- listener, connect events, sequence
        add(() -> new Defect("connect-event-context-lost", List.of("LISTEN-CONNECT-EVENT"),
                "the connect event passes a null ConnectEventContext") {
            @Override
            public ConnectEventCallback connectEvent(ConnectEventCallback toConsumer) {
                return (ctx, connector) -> {
                    if (ctx != null) {
                        fired();
                    }
                    toConsumer.connectRequest(null, connector);
                };
            }
        });
        add(() -> new Defect("pause-ignored", List.of("CSE-REFUSED-PAUSED"),
                "NdkControlConnectEvents(pause) is ignored: a paused listener still takes requests") {
            @Override
            public void controlConnectEvents(NdkListener inner, boolean pause) {
                if (pause) {
                    fired();
                } else {
                    inner.controlConnectEvents(false);
                }
            }
        });
        add(() -> new Defect("resume-ignored", List.of("CSE-REFUSED-PAUSED"),
                "NdkControlConnectEvents(resume) is ignored: a paused listener stays unreachable") {
            @Override
            public void controlConnectEvents(NdkListener inner, boolean pause) {
                if (pause) {
                    inner.controlConnectEvents(true);
                } else {
                    fired();
                }
            }
        });
        add(() -> new Defect("accept-completes-before-complete-connect", List.of("SEQ-ACCEPT-AFTER-COMPLETE"),
                "NdkAccept returns STATUS_SUCCESS at once instead of completing after the peer's NdkCompleteConnect") {
            @Override
            public NtStatus accept(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, int in, int out, byte[] pd, int len,
                                   DisconnectEventCallback ev, Object evCtx, RequestCompletion cb, Object ctx) {
                NtStatus s = inner.accept(qp, in, out, pd, len, ev, evCtx, (x, st) -> { }, ctx);
                if (s.isPending()) {
                    fired();
                    return NtStatus.SUCCESS;
                }
                return s;
            }
        });
        add(() -> new Defect("disconnect-event-twice", List.of("DISC-EVENT-ONCE-ON-PEER"),
                "the peer's disconnect event fires twice") {
            @Override
            public DisconnectEventCallback disconnectEvent(Wrappers.WConnector c, DisconnectEventCallback toConsumer) {
                return ctx -> {
                    toConsumer.peerDisconnected(ctx);
                    fired();
                    toConsumer.peerDisconnected(ctx);
                };
            }
        });
        add(() -> new Defect("disconnect-event-on-disconnecting-side", List.of("DISC-EVENT-ONCE-ON-PEER"),
                "NdkDisconnect also fires the disconnecting side's own disconnect event") {
            @Override
            public NtStatus disconnect(Wrappers.WConnector c, NdkConnector inner, RequestCompletion cb, Object ctx) {
                NtStatus s = inner.disconnect(cb, ctx);
                DisconnectEventCallback own = c.disconnectEvent;
                if (own != null && (s.isPending() || s.equals(NtStatus.SUCCESS))) {
                    fired();
                    own.peerDisconnected(c.disconnectEventContext);
                }
                return s;
            }
        });

        // ---------------------------------------------------------- calls that block or never return
        add(() -> new Defect("connect-blocks", List.of("ASYNC-NO-BLOCKING"),
                "NdkConnectWithSharedEndpoint waits for the peer's answer and returns the final status instead of PENDING") {
            @Override
            public NtStatus connectWithSharedEndpoint(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, NdkSharedEndpoint se,
                                                      SockAddr dst, int in, int out, byte[] pd, int len, RequestCompletion cb,
                                                      Object ctx) {
                CountDownLatch done = new CountDownLatch(1);
                AtomicReference<NtStatus> fin = new AtomicReference<>();
                AtomicBoolean gaveUp = new AtomicBoolean();
                NtStatus s = inner.connectWithSharedEndpoint(qp, se, dst, in, out, pd, len, (x, st) -> {
                    fin.set(st);
                    done.countDown();
                }, ctx);
                if (!s.isPending()) {
                    return s;
                }
                fired();
                try {
                    done.await();
                } catch (InterruptedException e) {
                    gaveUp.set(true);
                    Thread.currentThread().interrupt();
                    return NtStatus.IO_TIMEOUT;
                }
                return fin.get();
            }
        });
        add(() -> new Defect("disconnect-never-returns", List.of("ASYNC-NO-BLOCKING"),
                "NdkDisconnect never returns") {
            @Override
            public String tags() {
                return "@clause:DISC-ACTIVE or @clause:DISC-PASSIVE";
            }

            @Override
            public NtStatus disconnect(Wrappers.WConnector c, NdkConnector inner, RequestCompletion cb, Object ctx) {
                fired();
                blockUntilInterrupted();
                return NtStatus.UNSUCCESSFUL;
            }
        });

        // ---------------------------------------------------------- what the source page says beyond the codes
        add(() -> new Defect("ipv6-destination-refused", List.of("CSE-IPV6"),
                "the provider declares IPV6 but refuses every AF_INET6 destination as INVALID_ADDRESS, as an IPv4-only one would") {
            @Override
            public NtStatus connectWithSharedEndpoint(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, NdkSharedEndpoint se,
                                                      SockAddr dst, int in, int out, byte[] pd, int len, RequestCompletion cb,
                                                      Object ctx) {
                if (dst != null && dst.family() == SockAddr.AF_INET6 && dst.isWellFormed()) {
                    fired();
                    return NtStatus.INVALID_ADDRESS;
                }
                return inner.connectWithSharedEndpoint(qp, se, dst, in, out, pd, len, cb, ctx);
            }
        });
        add(() -> new Defect("null-context-rejected", List.of("CSE-CONTEXT-OPTIONAL"),
                "a connect with a NULL RequestContext is refused with INVALID_PARAMETER") {
            @Override
            public NtStatus connectWithSharedEndpoint(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, NdkSharedEndpoint se,
                                                      SockAddr dst, int in, int out, byte[] pd, int len, RequestCompletion cb,
                                                      Object ctx) {
                if (ctx == null) {
                    fired();
                    return NtStatus.INVALID_PARAMETER;
                }
                return inner.connectWithSharedEndpoint(qp, se, dst, in, out, pd, len, cb, ctx);
            }
        });
        add(() -> new Defect("unreachable-remembered", List.of("CSE-RETRY-AFTER-UNREACHABLE"),
                "a destination that was unreachable or silent once keeps failing with the same status, even after the network healed") {
            private final Map<String, NtStatus> remembered = new ConcurrentHashMap<>();

            @Override
            public NtStatus connectWithSharedEndpoint(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, NdkSharedEndpoint se,
                                                      SockAddr dst, int in, int out, byte[] pd, int len, RequestCompletion cb,
                                                      Object ctx) {
                String k = key(dst);
                NtStatus before = remembered.get(k);
                if (before != null) {
                    fired();
                    return before;
                }
                NtStatus s = inner.connectWithSharedEndpoint(qp, se, dst, in, out, pd, len, (x, st) -> {
                    remember(k, st);
                    cb.completed(x, st);
                }, ctx);
                remember(k, s);
                return s;
            }

            private void remember(String k, NtStatus s) {
                if (s.equals(NtStatus.NETWORK_UNREACHABLE) || s.equals(NtStatus.HOST_UNREACHABLE) || s.equals(NtStatus.IO_TIMEOUT)) {
                    remembered.put(k, s);
                }
            }
        });
        add(() -> new Defect("failed-connect-holds-four-tuple", List.of("CSE-FAILED-CONNECT-HOLDS-NOTHING"),
                "a connect that failed keeps its four-tuple until its connector is closed, refusing the retry as ADDRESS_ALREADY_EXISTS") {
            private final Map<String, Wrappers.WConnector> held = new ConcurrentHashMap<>();

            private String tuple(NdkSharedEndpoint se, SockAddr dst) {
                return key(address(se::getLocalAddress)) + "->" + key(dst);
            }

            @Override
            public NtStatus connectWithSharedEndpoint(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, NdkSharedEndpoint se,
                                                      SockAddr dst, int in, int out, byte[] pd, int len, RequestCompletion cb,
                                                      Object ctx) {
                String t = tuple(se, dst);
                Wrappers.WConnector holder = held.get(t);
                if (holder != null && holder != c) {
                    fired();
                    return NtStatus.ADDRESS_ALREADY_EXISTS;
                }
                NtStatus s = inner.connectWithSharedEndpoint(qp, se, dst, in, out, pd, len, (x, st) -> {
                    if (!st.isSuccess()) {
                        held.put(t, c);
                    }
                    cb.completed(x, st);
                }, ctx);
                if (!s.isPending() && !s.isSuccess()) {
                    held.put(t, c);
                }
                return s;
            }

            @Override
            public NtStatus close(NdkObject wrapper, NdkObject inner, CloseCompletion cb, Object ctx) {
                held.values().removeIf(h -> h == wrapper);
                return inner.close(cb, ctx);
            }
        });
        add(() -> new Defect("malformed-destination-truncated", List.of("CSE-MALFORMED-DESTINATION"),
                "a destination whose length disagrees with SOCKADDR_IN is read as a SOCKADDR_IN anyway") {
            @Override
            public NtStatus connectWithSharedEndpoint(Wrappers.WConnector c, NdkConnector inner, NdkQp qp, NdkSharedEndpoint se,
                                                      SockAddr dst, int in, int out, byte[] pd, int len, RequestCompletion cb,
                                                      Object ctx) {
                byte[] b = dst == null ? null : dst.bytes();
                if (b != null && !dst.isWellFormed() && b.length >= SockAddr.SOCKADDR_IN_SIZE && b[0] == SockAddr.AF_INET
                        && b[1] == 0) {
                    fired();
                    dst = SockAddr.raw(java.util.Arrays.copyOf(b, SockAddr.SOCKADDR_IN_SIZE), SockAddr.SOCKADDR_IN_SIZE);
                }
                return inner.connectWithSharedEndpoint(qp, se, dst, in, out, pd, len, cb, ctx);
            }
        });
        add(() -> new Defect("qp-read-limits-swapped", List.of("LIM-QP-USES-EFFECTIVE"),
                "the QP is set up with the two read limits the wrong way round (max_rd_atomic and max_dest_rd_atomic "
                        + "confused), though NdkGetConnectionData reports them right") {
            @Override
            public org.ndkkit.spi.Availability<org.ndkkit.spi.QpReadLimits> qpReadLimits(org.ndkkit.spi.Testbed inner, NdkQp qp) {
                var real = inner.qpReadLimits(qp);
                if (!real.isAvailable() || real.get().inbound() == real.get().outbound()) {
                    return real;
                }
                fired();
                return org.ndkkit.spi.Availability.of(new org.ndkkit.spi.QpReadLimits(real.get().outbound(), real.get().inbound()));
            }
        });
        add(() -> new Defect("successor-close-callback-not-awaited", List.of("LT-ANTECEDENT-AFTER-CALLBACKS"),
                "a connector's close completion is run on a thread of its own and the provider goes on at once, so an "
                        + "antecedent's close can complete while that callback still runs") {
            @Override
            public Map<String, String> innerSettings() {
                return Map.of("completion-path", "pending");
            }

            @Override
            public NtStatus close(NdkObject wrapper, NdkObject inner, CloseCompletion cb, Object ctx) {
                if (!(wrapper instanceof Wrappers.WConnector) || cb == null) {
                    return inner.close(cb, ctx);
                }
                return inner.close(x -> {
                    fired();
                    Thread t = new Thread(() -> cb.closed(x), "detached-close-completion");
                    t.setDaemon(true);
                    t.start();
                }, ctx);
            }
        });
    }

    static AdapterInfo withLimits(AdapterInfo r, int maxIn, int maxOut) {
        return new AdapterInfo(r.versionMajor(), r.versionMinor(), r.vendorId(), r.deviceId(), r.maxRegistrationSize(),
                r.maxWindowSize(), r.frmrPageCount(), r.maxInitiatorRequestSge(), r.maxReceiveRequestSge(),
                r.maxReadRequestSge(), r.maxTransferLength(), r.maxInlineDataSize(), maxIn, maxOut,
                r.maxReceiveQueueDepth(), r.maxInitiatorQueueDepth(), r.maxSrqDepth(), r.maxCqDepth(),
                r.largeRequestThreshold(), r.maxCallerData(), r.maxCalleeData(), r.adapterFlags(), r.rdmaTechnology());
    }

}
