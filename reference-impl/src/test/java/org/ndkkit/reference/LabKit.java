package org.ndkkit.reference;

import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.ndkkit.spi.Created;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkCq;
import org.ndkkit.spi.NdkListener;
import org.ndkkit.spi.NdkObject;
import org.ndkkit.spi.NdkPd;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.QpParameters;
import org.ndkkit.spi.RequestCompletion;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.UlongRef;

/** Small synchronous helpers over the SPI for the lab programs (LabChecks, Interop). */
final class LabKit {
    static final long WAIT_MS = 20_000;

    private LabKit() {
    }

    /** A request completion that can be waited for. */
    static final class Req implements RequestCompletion {
        final CompletableFuture<NtStatus> done = new CompletableFuture<>();

        @Override
        public void completed(Object context, NtStatus status) {
            done.complete(status);
        }

        /** The final status of a request that returned {@code inline}. */
        NtStatus await(NtStatus inline) {
            if (!inline.isPending()) {
                return inline;
            }
            try {
                return done.get(WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                return null;
            }
        }
    }

    static NtStatus closeAndWait(NdkObject o) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        NtStatus s = o.close(ctx -> f.complete(ctx), "close");
        if (s.isPending()) {
            try {
                f.get(WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                return null;
            }
        }
        return NtStatus.SUCCESS;
    }

    static <T extends NdkObject> T get(Created<T> c) {
        if (!c.status().equals(NtStatus.SUCCESS) || c.object() == null) {
            throw new IllegalStateException("create returned " + c.status());
        }
        return c.object();
    }

    /** PD, CQ and QPs of one host. */
    static final class Host1 {
        final NdkAdapter adapter;
        final NdkPd pd;
        final NdkCq cq;

        Host1(Testbed tb, Host h) {
            adapter = tb.adapter(h);
            pd = get(adapter.createPd(null, null));
            cq = get(adapter.createCq(64, null, null));
        }

        NdkQp qp() {
            return get(pd.createQp(cq, cq, QpParameters.small(), null, null));
        }

        NdkConnector connector() {
            return get(adapter.createConnector(null, null));
        }

        NdkSharedEndpoint endpoint(InetAddress ip, int port) {
            return get(adapter.createSharedEndpoint(SockAddr.of(ip, port), null, null));
        }
    }

    /** A listening listener whose connect events queue up. */
    static final class Listening {
        final NdkListener listener;
        final LinkedBlockingQueue<NdkConnector> requests = new LinkedBlockingQueue<>();
        final SockAddr address;

        Listening(NdkAdapter adapter, InetAddress ip, int port) {
            listener = get(adapter.createListener((ctx, c) -> requests.add(c), "L", null, null));
            NtStatus s = listener.listen(SockAddr.of(ip, port), new Req(), null);
            if (!s.equals(NtStatus.SUCCESS)) {
                throw new IllegalStateException("listen returned " + s);
            }
            byte[] buf = new byte[SockAddr.SOCKADDR_IN6_SIZE]; // room for either family
            UlongRef len = new UlongRef(buf.length);
            listener.getLocalAddress(buf, len);
            address = SockAddr.fromBuffer(buf, len.get());
        }

        NdkConnector next() {
            try {
                return requests.poll(WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /** ::ffff:a.b.c.d as the bytes of a SOCKADDR_IN6 (SockAddr.of would make it a SOCKADDR_IN). */
    static SockAddr mapped(InetAddress ip4, int port) {
        byte[] b = new byte[SockAddr.SOCKADDR_IN6_SIZE];
        b[0] = (byte) SockAddr.AF_INET6;
        b[2] = (byte) (port >>> 8);
        b[3] = (byte) port;
        b[18] = (byte) 0xFF;
        b[19] = (byte) 0xFF;
        System.arraycopy(ip4.getAddress(), 0, b, 20, 4);
        return SockAddr.raw(b, b.length);
    }

    static SockAddr localAddressOf(NdkConnector c) {
        byte[] buf = new byte[SockAddr.SOCKADDR_IN6_SIZE];
        UlongRef len = new UlongRef(buf.length);
        NtStatus s = c.getLocalAddress(buf, len);
        return s.equals(NtStatus.SUCCESS) ? SockAddr.fromBuffer(buf, len.get()) : null;
    }
}
