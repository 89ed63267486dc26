package org.ndkkit.reference;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.ndkkit.reference.rdma.Errno;
import org.ndkkit.reference.rdma.NativeFaults;
import org.ndkkit.reference.rdma.NativeHandle;
import org.ndkkit.spi.ExhaustionMethod;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.ResourceExhaustion;

/**
 * Resource exhaustion injected where the provider meets the libraries, as Driver Verifier's
 * low-resources simulation does for a Windows driver: while open, every call that allocates for a
 * new connection or a new object fails with ENOMEM on one adapter's objects (its event channel and
 * its opened device), and the provider's own code above that layer runs as it would if the
 * library had really run out. The other adapter is untouched, and so are calls that allocate
 * nothing new (bind, listen, accept, disconnect, destroys).
 *
 * <p>Two modes, so that both ways NDK lets a provider report it are exercised:
 * <ul>
 *   <li>{@link Mode#INLINE} ({@code exhaust-resources=injected}, the default): address resolution
 *       fails too, so a connect fails inside the call.</li>
 *   <li>{@link Mode#ASYNC} ({@code injected-async}): address resolution still starts, so the
 *       connect returns PENDING and fails through its completion at route resolution.</li>
 * </ul>
 */
final class InjectedExhaustion implements ResourceExhaustion {
    enum Mode {
        INLINE("injected", Set.of("rdma_create_id", "rdma_resolve_addr", "rdma_resolve_route", "rdma_connect",
                "ibv_alloc_pd", "ibv_create_cq", "ibv_create_qp", "ibv_reg_mr")),
        ASYNC("injected-async", Set.of("rdma_create_id", "rdma_resolve_route", "rdma_connect",
                "ibv_alloc_pd", "ibv_create_cq", "ibv_create_qp", "ibv_reg_mr"));

        final String setting;
        final Set<String> functions;

        Mode(String setting, Set<String> functions) {
            this.setting = setting;
            this.functions = functions;
        }

        static Mode ofSetting(String s) {
            for (Mode m : values()) {
                if (m.setting.equals(s)) {
                    return m;
                }
            }
            return null;
        }
    }

    private final List<NativeFaults.Hold> holds;
    private final String description;

    private InjectedExhaustion(List<NativeFaults.Hold> holds, String description) {
        this.holds = holds;
        this.description = description;
    }

    /** Holds {@code mode}'s functions failing on each of the adapter's scopes (its channel, its device). */
    static InjectedExhaustion take(Host host, Mode mode, NativeHandle... scopes) {
        List<NativeFaults.Hold> holds = new ArrayList<>();
        for (NativeHandle scope : scopes) {
            holds.add(NativeFaults.hold(mode.functions, scope, Errno.ENOMEM));
        }
        return new InjectedExhaustion(List.copyOf(holds), String.join(", ", new TreeSet<>(mode.functions))
                + " fail with ENOMEM on the " + host + " adapter's objects (" + mode.setting + ": "
                + (mode == Mode.INLINE ? "a connect fails inline" : "a connect fails through its completion") + ")");
    }

    @Override
    public ExhaustionMethod method() {
        return ExhaustionMethod.INJECTED;
    }

    @Override
    public String description() {
        return description;
    }

    /** How many native calls it failed so far. */
    int injected() {
        return holds.stream().mapToInt(NativeFaults.Hold::injected).sum();
    }

    @Override
    public void close() {
        holds.forEach(NativeFaults.Hold::close);
    }
}
