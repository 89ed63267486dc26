package org.ndkkit.wire;

import com.google.protobuf.ByteString;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.ExhaustionMethod;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.LabCondition;
import org.ndkkit.spi.NdkObjectType;
import org.ndkkit.spi.ProviderCapability;
import org.ndkkit.spi.QpParameters;
import org.ndkkit.spi.RdmaTechnology;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.wire.v1.ObjectType;
import org.ndkkit.wire.v1.WireVersion;

/**
 * The one mapping between the Java SPI's values and ndk.wire.v1's messages, used by both ends (the
 * Java agent and the {@code remote} provider) so that they cannot drift apart. Values cross
 * unchanged: NTSTATUS and ULONG bit patterns, address bytes with their declared lengths.
 */
public final class WireValues {
    /** The wire version this code speaks. */
    public static final int MAJOR = 1;
    public static final int MINOR = 4;
    /**
     * The longest wait an {@code AwaitQuiescence} may ask for (v1.4): 10 minutes. A client never
     * asks more; an agent refuses more (INVALID_ARGUMENT) rather than hold a thread that long.
     */
    public static final long MAX_QUIESCENCE_WAIT_MS = 600_000;

    private WireValues() {
    }

    public static WireVersion version() {
        return WireVersion.newBuilder().setMajor(MAJOR).setMinor(MINOR).build();
    }

    public static String text(WireVersion v) {
        return "ndk.wire.v" + v.getMajor() + "." + v.getMinor();
    }

    // ------------------------------------------------------------------------- addresses

    public static org.ndkkit.wire.v1.SockAddr sockAddr(SockAddr a) {
        return org.ndkkit.wire.v1.SockAddr.newBuilder().setBytes(ByteString.copyFrom(a.bytes())).setLength(a.length()).build();
    }

    /** Null stays null: a NULL PSOCKADDR. */
    public static SockAddr sockAddr(org.ndkkit.wire.v1.SockAddr a, boolean present) {
        return present ? SockAddr.raw(a.getBytes().toByteArray(), a.getLength()) : null;
    }

    public static ByteString ip(InetAddress a) {
        return ByteString.copyFrom(a.getAddress());
    }

    /** @throws IllegalArgumentException when the bytes are not 4 or 16 long */
    public static InetAddress ip(ByteString b) {
        if (b.size() != 4 && b.size() != 16) {
            throw new IllegalArgumentException("an IP address is 4 or 16 bytes, not " + b.size());
        }
        try {
            return InetAddress.getByAddress(b.toByteArray());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    public static List<InetAddress> ips(List<ByteString> bs) {
        return bs.stream().map(WireValues::ip).toList();
    }

    // ------------------------------------------------------------------------- enums

    public static ObjectType objectType(NdkObjectType t) {
        return t == null ? ObjectType.OBJECT_TYPE_UNSPECIFIED : ObjectType.forNumber(t.value());
    }

    /** Null for UNSPECIFIED or a value this side does not know. */
    public static NdkObjectType objectType(ObjectType t) {
        for (NdkObjectType x : NdkObjectType.values()) {
            if (t != ObjectType.UNRECOGNIZED && x.value() == t.getNumber()) {
                return x;
            }
        }
        return null;
    }

    /** Null goes out as HOST_UNSPECIFIED (which the far side refuses), never as a host it did not name. */
    public static org.ndkkit.wire.v1.Host host(Host h) {
        if (h == null) {
            return org.ndkkit.wire.v1.Host.HOST_UNSPECIFIED;
        }
        return h == Host.LOCAL ? org.ndkkit.wire.v1.Host.HOST_LOCAL : org.ndkkit.wire.v1.Host.HOST_PEER;
    }

    /** @throws IllegalArgumentException for UNSPECIFIED or an unknown value */
    public static Host host(org.ndkkit.wire.v1.Host h) {
        return switch (h) {
            case HOST_LOCAL -> Host.LOCAL;
            case HOST_PEER -> Host.PEER;
            default -> throw new IllegalArgumentException("host must be HOST_LOCAL or HOST_PEER, not " + h);
        };
    }

    public static org.ndkkit.wire.v1.LabCondition condition(LabCondition c) {
        return org.ndkkit.wire.v1.LabCondition.forNumber(c.ordinal() + 1);
    }

    /** @throws IllegalArgumentException for UNSPECIFIED or an unknown value */
    public static LabCondition condition(org.ndkkit.wire.v1.LabCondition c) {
        int n = c == org.ndkkit.wire.v1.LabCondition.UNRECOGNIZED ? -1 : c.getNumber();
        if (n < 1 || n > LabCondition.values().length) {
            throw new IllegalArgumentException("unknown lab condition " + c);
        }
        return LabCondition.values()[n - 1];
    }

    public static org.ndkkit.wire.v1.ExhaustionMethod method(ExhaustionMethod m) {
        return switch (m == null ? ExhaustionMethod.UNDECLARED : m) {
            case REAL_LIMIT -> org.ndkkit.wire.v1.ExhaustionMethod.EXHAUSTION_METHOD_REAL_LIMIT;
            case INJECTED -> org.ndkkit.wire.v1.ExhaustionMethod.EXHAUSTION_METHOD_INJECTED;
            case UNDECLARED -> org.ndkkit.wire.v1.ExhaustionMethod.EXHAUSTION_METHOD_UNSPECIFIED;
        };
    }

    /** UNSPECIFIED (a v1.1 agent) and values this side does not know read as undeclared. */
    public static ExhaustionMethod method(org.ndkkit.wire.v1.ExhaustionMethod m) {
        return switch (m) {
            case EXHAUSTION_METHOD_REAL_LIMIT -> ExhaustionMethod.REAL_LIMIT;
            case EXHAUSTION_METHOD_INJECTED -> ExhaustionMethod.INJECTED;
            default -> ExhaustionMethod.UNDECLARED;
        };
    }

    /** A provider's answer as it crosses (v1.4); null (a provider's bug) crosses as UNKNOWN. */
    public static org.ndkkit.wire.v1.Quiescence quiescence(org.ndkkit.spi.Quiescence q) {
        return switch (q == null ? org.ndkkit.spi.Quiescence.UNKNOWN : q) {
            case QUIET -> org.ndkkit.wire.v1.Quiescence.QUIESCENCE_QUIET;
            case BUSY -> org.ndkkit.wire.v1.Quiescence.QUIESCENCE_BUSY;
            case UNKNOWN -> org.ndkkit.wire.v1.Quiescence.QUIESCENCE_UNKNOWN;
        };
    }

    /**
     * UNSPECIFIED and values this side does not know read as UNKNOWN: only an explicit QUIET may
     * end a kit's window early.
     */
    public static org.ndkkit.spi.Quiescence quiescence(org.ndkkit.wire.v1.Quiescence q) {
        return switch (q) {
            case QUIESCENCE_QUIET -> org.ndkkit.spi.Quiescence.QUIET;
            case QUIESCENCE_BUSY -> org.ndkkit.spi.Quiescence.BUSY;
            default -> org.ndkkit.spi.Quiescence.UNKNOWN;
        };
    }

    public static org.ndkkit.wire.v1.ProviderCapability capability(ProviderCapability c) {
        return org.ndkkit.wire.v1.ProviderCapability.forNumber(c.ordinal() + 1);
    }

    /** Capabilities this side does not know are left out (a newer agent may declare more). */
    public static Set<ProviderCapability> capabilities(List<org.ndkkit.wire.v1.ProviderCapability> cs) {
        Set<ProviderCapability> out = EnumSet.noneOf(ProviderCapability.class);
        for (var c : cs) {
            int n = c == org.ndkkit.wire.v1.ProviderCapability.UNRECOGNIZED ? -1 : c.getNumber();
            if (n >= 1 && n <= ProviderCapability.values().length) {
                out.add(ProviderCapability.values()[n - 1]);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------------- structures

    public static org.ndkkit.wire.v1.AdapterInfo adapterInfo(AdapterInfo i) {
        return org.ndkkit.wire.v1.AdapterInfo.newBuilder()
                .setVersionMajor(i.versionMajor()).setVersionMinor(i.versionMinor())
                .setVendorId(i.vendorId()).setDeviceId(i.deviceId())
                .setMaxRegistrationSize(i.maxRegistrationSize()).setMaxWindowSize(i.maxWindowSize())
                .setFrmrPageCount(i.frmrPageCount())
                .setMaxInitiatorRequestSge(i.maxInitiatorRequestSge()).setMaxReceiveRequestSge(i.maxReceiveRequestSge())
                .setMaxReadRequestSge(i.maxReadRequestSge()).setMaxTransferLength(i.maxTransferLength())
                .setMaxInlineDataSize(i.maxInlineDataSize())
                .setMaxInboundReadLimit(i.maxInboundReadLimit()).setMaxOutboundReadLimit(i.maxOutboundReadLimit())
                .setMaxReceiveQueueDepth(i.maxReceiveQueueDepth()).setMaxInitiatorQueueDepth(i.maxInitiatorQueueDepth())
                .setMaxSrqDepth(i.maxSrqDepth()).setMaxCqDepth(i.maxCqDepth())
                .setLargeRequestThreshold(i.largeRequestThreshold())
                .setMaxCallerData(i.maxCallerData()).setMaxCalleeData(i.maxCalleeData())
                .setAdapterFlags(i.adapterFlags())
                .setRdmaTechnologyValue(i.rdmaTechnology() == null ? 0 : i.rdmaTechnology().value())
                .build();
    }

    public static AdapterInfo adapterInfo(org.ndkkit.wire.v1.AdapterInfo i) {
        RdmaTechnology tech = RdmaTechnology.UNDEFINED;
        for (RdmaTechnology t : RdmaTechnology.values()) {
            if (t.value() == i.getRdmaTechnologyValue()) {
                tech = t;
            }
        }
        return new AdapterInfo(i.getVersionMajor(), i.getVersionMinor(), i.getVendorId(), i.getDeviceId(),
                i.getMaxRegistrationSize(), i.getMaxWindowSize(), i.getFrmrPageCount(),
                i.getMaxInitiatorRequestSge(), i.getMaxReceiveRequestSge(), i.getMaxReadRequestSge(),
                i.getMaxTransferLength(), i.getMaxInlineDataSize(), i.getMaxInboundReadLimit(),
                i.getMaxOutboundReadLimit(), i.getMaxReceiveQueueDepth(), i.getMaxInitiatorQueueDepth(),
                i.getMaxSrqDepth(), i.getMaxCqDepth(), i.getLargeRequestThreshold(), i.getMaxCallerData(),
                i.getMaxCalleeData(), i.getAdapterFlags(), tech);
    }

    public static org.ndkkit.wire.v1.QpParameters qpParameters(QpParameters p) {
        return org.ndkkit.wire.v1.QpParameters.newBuilder()
                .setReceiveQueueDepth(p.receiveQueueDepth()).setInitiatorQueueDepth(p.initiatorQueueDepth())
                .setMaxReceiveRequestSge(p.maxReceiveRequestSge()).setMaxInitiatorRequestSge(p.maxInitiatorRequestSge())
                .setInlineDataSize(p.inlineDataSize()).build();
    }

    public static QpParameters qpParameters(org.ndkkit.wire.v1.QpParameters p) {
        return new QpParameters(p.getReceiveQueueDepth(), p.getInitiatorQueueDepth(), p.getMaxReceiveRequestSge(),
                p.getMaxInitiatorRequestSge(), p.getInlineDataSize());
    }
}
