package org.ndkkit.cli.suite;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.ndkkit.cli.model.Finding;
import org.ndkkit.kit.Lab;
import org.ndkkit.kit.Lab.ConnectorRef;
import org.ndkkit.kit.Lab.ListenerRef;
import org.ndkkit.kit.Outcome;
import org.ndkkit.kit.Session;
import org.ndkkit.kit.SummaryPlugin;
import org.ndkkit.kit.TrackedCall;
import org.ndkkit.kit.Violation;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.ProviderCapability;
import org.ndkkit.spi.ProviderCrashedException;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.UlongRef;

/**
 * Declared versus observed: the kit probes what a provider declares (its NDK_ADAPTER_INFO and its
 * capabilities) and reports a difference as its own finding, apart from the scenarios' verdicts.
 *
 * <ul>
 *   <li>{@code adapter-info-stable}: NdkQueryAdapterInfo gives the same answer every time.</li>
 *   <li>{@code ndk-version}: NDKPI_2_1 is declared only by an adapter that reports version 2.1 or later.</li>
 *   <li>{@code max-caller-data}: a connect with exactly MaxCallerData bytes reaches the listener
 *       intact; one with MaxCallerData + 1 does not.</li>
 *   <li>{@code read-limit-maxima}: with both sides asking for 2^32-1, the effective read limits are
 *       exactly the declared maxima (min of this side's and the peer's).</li>
 *   <li>{@code ipv6}: the declared IPV6 capability against a connection over the testbed's IPv6 addresses.</li>
 * </ul>
 *
 * Severity: {@code error} when something declared is not delivered, {@code warning} when the
 * provider delivers more than it declares or a declaration could not be checked, {@code info} when
 * a probe could not run for a reason of its own, {@code ok} when declaration and observation agree.
 * A provider that crashes behind its transport during a probe ({@code ProviderCrashedException}) is
 * an {@code error} finding for that probe, and the probes after it are not run (its testbed is gone).
 */
public final class Probes {
    private final Session session;
    private final StringBuilder traces = new StringBuilder();

    public Probes(Session session) {
        this.session = session;
    }

    /** The probes' call traces, for the record. */
    public String traces() {
        return traces.toString();
    }

    public List<Finding> run() {
        List<Finding> out = new ArrayList<>();
        out.add(guard("adapter-info-stable", "NdkQueryAdapterInfo", null, this::adapterInfoStable));
        out.add(guard("ndk-version", "NDK version and NDKPI_2_1", null, this::ndkVersion));
        out.add(guard("max-caller-data", "MaxCallerData (local adapter)", "max-caller-data", this::maxCallerData));
        out.add(guard("read-limit-maxima", "MaxInboundReadLimit / MaxOutboundReadLimit", "read-limit-maxima",
                this::readLimits));
        out.add(guard("ipv6", "IPV6 capability", "ipv6", this::ipv6));
        return out;
    }

    private interface Probe {
        Finding run(Lab lab);
    }

    /** The provider crashed behind its transport during a probe: the testbed is gone for the rest. */
    private ProviderCrashedException crashed;

    private Finding guard(String id, String subject, String labName, Probe p) {
        if (crashed != null) {
            return new Finding(id, subject, Finding.INFO, null, "not probed",
                    "the provider crashed in an earlier probe; its testbed is gone");
        }
        Lab lab;
        try {
            lab = new Lab(session);
        } catch (RuntimeException e) {
            return failedToStart(id, subject, e);
        }
        Finding f;
        try {
            f = p.run(lab);
        } catch (RuntimeException | AssertionError e) {
            f = new Finding(id, subject, Finding.INFO, null, "probe did not complete",
                    "the probe could not complete: " + Preflight.firstLine(Preflight.message(e)));
            noteCrash(e);
        }
        if (crashed == null && session.providerCrash() != null) {
            crashed = session.providerCrash(); // a probe that caught it as its observation
        }
        List<String> violations = new ArrayList<>();
        try {
            for (Violation v : lab.closeEverythingAndCheck()) {
                violations.add(v.toString());
            }
        } catch (RuntimeException | AssertionError e) {
            violations.add("closing: " + Preflight.firstLine(Preflight.message(e)));
            noteCrash(e);
        }
        if (crashed != null) {
            // a product failure, as in a scenario: the provider crashed during this probe
            return withTrace(id, labName, lab, new Finding(id, subject, Finding.ERROR, f.declared(), "the provider crashed",
                    "the provider crashed during this probe: " + Preflight.firstLine(crashed.getMessage())));
        }
        withTrace(id, labName, lab, f);
        if (!violations.isEmpty()) {
            f = new Finding(f.id(), f.subject(), f.severity().equals(Finding.ERROR) ? Finding.ERROR : Finding.WARNING,
                    f.declared(), f.observed(), f.detail() + " The kit's rule checks also found: " + String.join("; ", violations));
        }
        return f;
    }

    private Finding withTrace(String id, String labName, Lab lab, Finding f) {
        if (labName != null) {
            traces.append("== probe ").append(id).append('\n').append(lab.trace().render()).append('\n');
        }
        return f;
    }

    /** Remembers the first crash of the provider behind its transport that a probe ran into. */
    private void noteCrash(Throwable e) {
        ProviderCrashedException c = SummaryPlugin.crashed(e);
        if (c != null && crashed == null) {
            crashed = c;
        }
    }

    /** A probe whose lab could not even start (its first call failed). */
    private Finding failedToStart(String id, String subject, RuntimeException e) {
        noteCrash(e);
        if (crashed != null) {
            return new Finding(id, subject, Finding.ERROR, null, "the provider crashed",
                    "the provider crashed as this probe began: " + Preflight.firstLine(crashed.getMessage()));
        }
        return new Finding(id, subject, Finding.INFO, null, "probe did not complete",
                "the probe could not begin: " + Preflight.firstLine(Preflight.message(e)));
    }

    private Finding adapterInfoStable(Lab lab) {
        List<String> diffs = new ArrayList<>();
        for (Host h : Host.values()) {
            AdapterInfo first = session.info(h);
            AdapterInfo again = session.testbed().adapter(h).queryAdapterInfo();
            if (!first.equals(again)) {
                diffs.add(h.name().toLowerCase() + ": first " + first + ", then " + again);
            }
        }
        return diffs.isEmpty()
                ? new Finding("adapter-info-stable", "NdkQueryAdapterInfo", Finding.OK, "constant", "constant",
                "both adapters answered the same twice")
                : new Finding("adapter-info-stable", "NdkQueryAdapterInfo", Finding.ERROR, "constant", "changed",
                "NdkQueryAdapterInfo gave different answers: " + String.join("; ", diffs));
    }

    private Finding ndkVersion(Lab lab) {
        AdapterInfo i = session.info(Host.LOCAL);
        boolean declared = session.provider().capabilities().contains(ProviderCapability.NDKPI_2_1);
        boolean is21 = i.versionMajor() > 2 || (i.versionMajor() == 2 && i.versionMinor() >= 1);
        String v = i.versionMajor() + "." + i.versionMinor();
        if (declared && !is21) {
            return new Finding("ndk-version", "NDK version and NDKPI_2_1", Finding.ERROR, "NDKPI_2_1", "version " + v,
                    "the provider declares NDKPI_2_1 but its adapter reports NDK version " + v);
        }
        if (!declared && is21) {
            return new Finding("ndk-version", "NDK version and NDKPI_2_1", Finding.INFO, "no NDKPI_2_1", "version " + v,
                    "the adapter reports NDK version " + v + " but the provider does not declare NDKPI_2_1");
        }
        return new Finding("ndk-version", "NDK version and NDKPI_2_1", Finding.OK, declared ? "NDKPI_2_1" : "no NDKPI_2_1",
                "version " + v, "declaration and adapter version agree");
    }

    private InetAddress first(Host h, boolean v6) {
        return session.testbed().addresses(h).stream().filter(a -> (a instanceof Inet6Address) == v6).findFirst().orElse(null);
    }

    private Duration connectBound(Lab lab) {
        return session.testbed().connectTimeout().plus(lab.timeout());
    }

    /** One connect with {@code n} bytes of private data; returns what the listener saw. */
    private String callerDataAttempt(Lab lab, ListenerRef l, InetAddress localIp, String tag, int n) {
        lab.newSharedEndpoint("SE" + tag, SockAddr.of(localIp, 0));
        ConnectorRef c = lab.newConnector("C" + tag, Host.LOCAL);
        byte[] data = new byte[n];
        for (int i = 0; i < n; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        AdapterInfo li = session.info(Host.LOCAL);
        int before = l.eventCount();
        TrackedCall t = lab.request("NdkConnectWithSharedEndpoint(C" + tag + ", " + n + " bytes)", "C" + tag,
                x -> c.connector().connectWithSharedEndpoint(c.qp(), lab.endpoint("SE" + tag).endpoint(), l.address(),
                        li.maxInboundReadLimit(), li.maxOutboundReadLimit(), data, n, x.requestCompletion(), x.context()));
        lab.eventually(connectBound(lab), () -> t.isDone() || l.eventCount() > before);
        NdkConnector p = l.nextRequest(Duration.ZERO, "P" + tag);
        if (p == null) {
            Outcome o = t.await(connectBound(lab));
            return o.status().isSuccess() ? "connect succeeded without a connect event" : "refused: " + o.status();
        }
        lab.registerPassive("P" + tag, p);
        UlongRef len = UlongRef.of(0);
        NtStatus s = lab.sync("NdkGetConnectionData(P" + tag + ", no buffer)", () -> p.getConnectionData(null, null, null, len));
        byte[] got = new byte[(int) Math.min(len.unsigned(), 1 << 20)];
        UlongRef len2 = UlongRef.of(got.length);
        NtStatus s2 = lab.sync("NdkGetConnectionData(P" + tag + ", buffer " + got.length + ")",
                () -> p.getConnectionData(null, null, got, len2));
        lab.sync("NdkReject(P" + tag + ")", () -> p.reject(null, 0));
        try {
            t.await(connectBound(lab));
        } catch (AssertionError ignored) {
            // the verdict of this probe is what the listener saw
        }
        boolean intact = s.isSuccess() && s2.isSuccess() && len2.unsigned() >= n
                && Arrays.equals(Arrays.copyOf(got, n), data);
        return intact ? "delivered" : "delivered " + len2.unsigned() + " byte(s)" + (intact ? "" : ", not intact");
    }

    private Finding maxCallerData(Lab lab) {
        long declared = Integer.toUnsignedLong(session.info(Host.LOCAL).maxCallerData());
        String id = "max-caller-data";
        String subject = "MaxCallerData (local adapter)";
        if (declared > (1 << 20)) {
            return new Finding(id, subject, Finding.WARNING, Long.toString(declared), "not probed",
                    "the declared MaxCallerData " + declared + " is implausibly large; not probed");
        }
        InetAddress localIp = first(Host.LOCAL, false);
        InetAddress peerIp = first(Host.PEER, false);
        if (localIp == null || peerIp == null) {
            return new Finding(id, subject, Finding.INFO, Long.toString(declared), "not probed", "no IPv4 addresses");
        }
        ListenerRef l = lab.newListener("L", Host.PEER, SockAddr.of(peerIp, 0));
        String at = callerDataAttempt(lab, l, localIp, "1", (int) declared);
        String over = callerDataAttempt(lab, l, localIp, "2", (int) declared + 1);
        String observed = declared + " bytes: " + at + "; " + (declared + 1) + " bytes: " + over;
        if (!at.equals("delivered")) {
            return new Finding(id, subject, Finding.ERROR, Long.toString(declared), observed,
                    "the adapter declares MaxCallerData " + declared + ", but a connect with " + declared
                            + " bytes of private data was not delivered intact (" + at + ")");
        }
        if (over.startsWith("delivered")) {
            return new Finding(id, subject, Finding.WARNING, Long.toString(declared), observed,
                    "a connect with MaxCallerData + 1 = " + (declared + 1)
                            + " bytes reached the listener: the declared limit is not the limit the provider applies");
        }
        return new Finding(id, subject, Finding.OK, Long.toString(declared), observed,
                "exactly MaxCallerData bytes are delivered; one more is refused");
    }

    private Finding readLimits(Lab lab) {
        String id = "read-limit-maxima";
        String subject = "MaxInboundReadLimit / MaxOutboundReadLimit";
        AdapterInfo li = session.info(Host.LOCAL);
        AdapterInfo pi = session.info(Host.PEER);
        long lin = Integer.toUnsignedLong(li.maxInboundReadLimit());
        long lout = Integer.toUnsignedLong(li.maxOutboundReadLimit());
        long pin = Integer.toUnsignedLong(pi.maxInboundReadLimit());
        long pout = Integer.toUnsignedLong(pi.maxOutboundReadLimit());
        InetAddress localIp = first(Host.LOCAL, false);
        InetAddress peerIp = first(Host.PEER, false);
        if (localIp == null || peerIp == null) {
            return new Finding(id, subject, Finding.INFO, null, "not probed", "no IPv4 addresses");
        }
        long[] active = new long[2];
        long[] passive = new long[2];
        establish(lab, "R", localIp, peerIp, -1, -1, active, passive);
        long[] expectActive = {Math.min(lin, pout), Math.min(lout, pin)};
        long[] expectPassive = {Math.min(pin, lout), Math.min(pout, lin)};
        String declared = "local in " + lin + "/out " + lout + ", peer in " + pin + "/out " + pout;
        String observed = "active in " + active[0] + "/out " + active[1] + ", passive in " + passive[0] + "/out " + passive[1];
        List<String> off = new ArrayList<>();
        String[] names = {"inbound", "outbound"};
        for (int i = 0; i < 2; i++) {
            if (active[i] != expectActive[i]) {
                off.add("active " + names[i] + " " + active[i] + " (declared maxima give " + expectActive[i] + ")");
            }
            if (passive[i] != expectPassive[i]) {
                off.add("passive " + names[i] + " " + passive[i] + " (declared maxima give " + expectPassive[i] + ")");
            }
        }
        if (off.isEmpty()) {
            return new Finding(id, subject, Finding.OK, declared, observed,
                    "asking for 2^32-1 on both sides gives exactly the declared maxima");
        }
        return new Finding(id, subject, Finding.ERROR, declared, observed,
                "asking for 2^32-1 on both sides does not give the declared maxima: " + String.join("; ", off));
    }

    /**
     * Connects, accepts and completes one connection with the given read limits (-1: 2^32-1) and
     * reads both sides' effective limits.
     */
    private void establish(Lab lab, String tag, InetAddress localIp, InetAddress peerIp, int ird, int ord,
                           long[] active, long[] passive) {
        ListenerRef l = lab.newListener("L" + tag, Host.PEER, SockAddr.of(peerIp, 0));
        lab.newSharedEndpoint("SE" + tag, SockAddr.of(localIp, 0));
        ConnectorRef c = lab.newConnector("C" + tag, Host.LOCAL);
        TrackedCall connect = lab.request("NdkConnectWithSharedEndpoint(C" + tag + " -> " + l.address() + ")", "C" + tag,
                x -> c.connector().connectWithSharedEndpoint(c.qp(), lab.endpoint("SE" + tag).endpoint(), l.address(),
                        ird, ord, null, 0, x.requestCompletion(), x.context()));
        NdkConnector p = l.nextRequest(connectBound(lab), "P" + tag);
        if (p == null) {
            Outcome o = connect.isDone() ? connect.await(Duration.ZERO) : null;
            throw new AssertionError("no connect event" + (o == null ? "" : "; the connect finished with " + o));
        }
        ConnectorRef pr = lab.registerPassive("P" + tag, p);
        TrackedCall accept = lab.request("NdkAccept(P" + tag + ")", "P" + tag, x -> p.accept(lab.qpFor(pr), ird, ord,
                null, 0, null, null, x.requestCompletion(), x.context()));
        Outcome co = connect.await(connectBound(lab));
        if (!co.status().equals(NtStatus.SUCCESS)) {
            throw new AssertionError("the connect finished with " + co);
        }
        UlongRef in = UlongRef.of(0);
        UlongRef out = UlongRef.of(0);
        UlongRef len = UlongRef.of(0);
        NtStatus s = lab.sync("NdkGetConnectionData(C" + tag + ")", () -> c.connector().getConnectionData(in, out, null, len));
        if (!s.isSuccess()) {
            throw new AssertionError("NdkGetConnectionData on the active side returned " + s);
        }
        active[0] = in.unsigned();
        active[1] = out.unsigned();
        TrackedCall cc = lab.request("NdkCompleteConnect(C" + tag + ")", "C" + tag,
                x -> c.connector().completeConnect(null, null, x.requestCompletion(), x.context()));
        Outcome cco = cc.await(lab.timeout());
        Outcome ao = accept.await(lab.timeout());
        if (!cco.status().isSuccess() || !ao.status().isSuccess()) {
            throw new AssertionError("complete-connect " + cco + ", accept " + ao);
        }
        UlongRef pin = UlongRef.of(0);
        UlongRef pout = UlongRef.of(0);
        UlongRef plen = UlongRef.of(0);
        NtStatus ps = lab.sync("NdkGetConnectionData(P" + tag + ")", () -> p.getConnectionData(pin, pout, null, plen));
        if (!ps.isSuccess()) {
            throw new AssertionError("NdkGetConnectionData on the passive side returned " + ps);
        }
        passive[0] = pin.unsigned();
        passive[1] = pout.unsigned();
    }

    private Finding ipv6(Lab lab) {
        String id = "ipv6";
        String subject = "IPV6 capability";
        Set<ProviderCapability> caps = session.provider().capabilities();
        boolean declared = caps.contains(ProviderCapability.IPV6);
        InetAddress local = first(Host.LOCAL, true);
        InetAddress peer = first(Host.PEER, true);
        String d = declared ? "IPV6" : "no IPV6";
        if (local == null || peer == null) {
            return declared
                    ? new Finding(id, subject, Finding.WARNING, d, "not checked (no-ipv6)",
                    "the provider declares IPV6 but its testbed offers no IPv6 address on "
                            + (local == null ? "the local host" : "the peer") + ", so the kit could not check it")
                    : new Finding(id, subject, Finding.OK, d, "not checked (no-ipv6)",
                    "IPv6 is neither declared nor offered by the testbed");
        }
        String observed;
        boolean works;
        try {
            establish(lab, "6", local, peer, 1, 1, new long[2], new long[2]);
            works = true;
            observed = "connected " + local.getHostAddress() + " -> " + peer.getHostAddress();
        } catch (RuntimeException | AssertionError e) {
            works = false;
            observed = "failed: " + Preflight.firstLine(Preflight.message(e));
        }
        if (declared && !works) {
            return new Finding(id, subject, Finding.ERROR, d, observed,
                    "the provider declares IPV6 but a connection over IPv6 failed");
        }
        if (!declared && works) {
            return new Finding(id, subject, Finding.WARNING, d, observed,
                    "a connection over IPv6 works although the provider does not declare IPV6");
        }
        return new Finding(id, subject, Finding.OK, d, observed, declared ? "IPv6 connections work as declared"
                : "IPv6 is not declared and does not work");
    }
}
