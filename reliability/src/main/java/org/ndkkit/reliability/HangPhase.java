package org.ndkkit.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkProvider;
import org.ndkkit.spi.Providers;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.spi.TestbedUnavailableException;

/**
 * The hang demonstration: the seeded-defect provider {@code defective} (found by name) wraps the
 * provider under test with each defect of the catalogue that makes a call never return or a
 * completion never come, and the harness must catch each such hang with its own bounds (a counted
 * timeout with a thread dump) and go on. A hang that is not caught fails the run.
 */
final class HangPhase {
    /** A hang defect of {@code defects/.../Defects.java} and how a consumer runs into it. */
    enum Hang {
        /** NdkConnectWithSharedEndpoint waits for the peer's answer, which only comes after it returns. */
        CONNECT_BLOCKS("connect-blocks", "NdkConnectWithSharedEndpoint does not return"),
        /** NdkConnectWithSharedEndpoint returns PENDING; its completion is swallowed. */
        PENDING_NEVER_COMPLETES("pending-never-completes", "the connect's completion never comes"),
        /** NdkDisconnect blocks until interrupted. */
        DISCONNECT_NEVER_RETURNS("disconnect-never-returns", "NdkDisconnect does not return");

        final String defect;
        final String what;

        Hang(String defect, String what) {
            this.defect = defect;
            this.what = what;
        }
    }

    private HangPhase() {
    }

    /** @return how many seeded hangs the bounds caught */
    static int run(String providerName, Map<String, String> settings, Duration connectTimeout, Bounds bounds, Report report) {
        if (providerName.equals("defective")) {
            report.problem(Problem.Kind.UNCAUGHT_HANG, "hang demonstration", "", "the provider under test is 'defective' "
                    + "itself; the demonstration wraps the provider under test and cannot wrap 'defective'");
            return 0;
        }
        NdkProvider defective;
        try {
            defective = Providers.byName("defective");
        } catch (IllegalArgumentException e) {
            report.problem(Problem.Kind.UNCAUGHT_HANG, "hang demonstration", "", "cannot run: " + e.getMessage()
                    + " (put ndk-defects on the class path)");
            return 0;
        }
        int caught = 0;
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Hang h : Hang.values()) {
            Map<String, String> s = new HashMap<>(settings);
            s.put("inner", providerName);
            s.put("defect", h.defect);
            // The provider's own connect timer must not end the seeded hang before the harness's bound does.
            Duration ct = connectTimeout.compareTo(bounds.timeout().multipliedBy(3)) > 0 ? connectTimeout : bounds.timeout().multipliedBy(3);
            Rig rig;
            try {
                rig = Rig.open(defective, new TestbedOptions(ct, s), bounds, report);
            } catch (TestbedUnavailableException | RuntimeException e) {
                report.problem(Problem.Kind.UNCAUGHT_HANG, "defective/" + h.defect, "", "cannot open: " + e.getMessage());
                rows.add(Map.of("defect", h.defect, "caught", false, "why", "cannot open: " + e.getMessage()));
                continue;
            }
            int before = bounds.caught();
            long t0 = System.nanoTime();
            scenario(rig, h);
            long nanos = System.nanoTime() - t0;
            boolean got = bounds.caught() > before;
            rig.close();
            if (got) {
                caught++;
                report.say("defective/" + h.defect + ": caught (" + h.what + ") within " + StressPhase.secs(nanos));
            } else {
                report.problem(Problem.Kind.UNCAUGHT_HANG, "defective/" + h.defect, "", h.what
                        + ", yet none of the harness's bounds ran out");
            }
            rows.add(Map.of("defect", h.defect, "hang", h.what, "caught", got, "seconds", StressPhase.seconds(nanos)));
        }
        report.figure("hangs", rows);
        report.figure("caught", caught);
        return caught;
    }

    /** Runs into the hang the way a consumer would; the bounds report it and the clean-up goes on. */
    private static void scenario(Rig rig, Hang h) {
        Rig.Listening l = rig.listener(Host.PEER, "LH", rig.peerAddress(0), false);
        Rig.Endpoint se = rig.sharedEndpoint("SE-H", rig.localAddress(0), false);
        Link k = new Link(rig, "H");
        if (l != null && se != null) {
            switch (h) {
                // As the conformance steps do: connect, then answer on the peer once the connect returned.
                case CONNECT_BLOCKS -> {
                    if (k.create(false) && k.connect(se.endpoint(), l, null)) {
                        k.accept(l, null);
                    }
                }
                case PENDING_NEVER_COMPLETES -> {
                    if (k.create(false) && k.connect(se.endpoint(), l, null) && k.accept(l, null)) {
                        rig.awaitStatus(k.connect);
                    }
                }
                case DISCONNECT_NEVER_RETURNS -> {
                    if (k.establish(se, l)) {
                        k.disconnect(true);
                    }
                }
            }
        }
        k.close();
        if (l != null) {
            CyclePhase.closeLeftovers(rig, l);
        }
        List<Ledger.Obj> rest = new ArrayList<>();
        if (l != null) {
            rest.add(l.obj);
        }
        if (se != null) {
            rest.add(se.obj());
        }
        rig.closeAll("the demonstration's closes", rest);
    }
}
