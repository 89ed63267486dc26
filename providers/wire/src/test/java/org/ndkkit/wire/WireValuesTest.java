package org.ndkkit.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.net.InetAddress;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.LabCondition;
import org.ndkkit.spi.NdkObjectType;
import org.ndkkit.spi.ProviderCapability;
import org.ndkkit.spi.QpParameters;
import org.ndkkit.spi.RdmaTechnology;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.wire.v1.ObjectType;

/**
 * The SPI values cross ndk.wire.v1 unchanged: every field in its place, unsigned bit patterns as
 * they are, address bytes with the declared length they came with (even when the two disagree),
 * and the enums' numbers as the .proto gives them. Each value also goes through protobuf's own
 * encoding, so what is checked is what travels.
 */
class WireValuesTest {

    /** Every field distinct, so that two swapped fields cannot go unnoticed. */
    private static AdapterInfo distinct() {
        return new AdapterInfo(1, 2, 3, 4, 5L, 6L, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                RdmaTechnology.ROCE_V2);
    }

    private static org.ndkkit.wire.v1.AdapterInfo overTheWire(org.ndkkit.wire.v1.AdapterInfo m)
            throws InvalidProtocolBufferException {
        return org.ndkkit.wire.v1.AdapterInfo.parseFrom(m.toByteArray());
    }

    @Test
    void adapterInfoKeepsEveryFieldInItsPlace() throws Exception {
        AdapterInfo in = distinct();
        org.ndkkit.wire.v1.AdapterInfo m = overTheWire(WireValues.adapterInfo(in));

        // field by field against the .proto's names, so a swap in either direction shows
        assertThat(List.of(m.getVersionMajor(), m.getVersionMinor(), m.getVendorId(), m.getDeviceId()))
                .containsExactly(1, 2, 3, 4);
        assertThat(m.getMaxRegistrationSize()).isEqualTo(5L);
        assertThat(m.getMaxWindowSize()).isEqualTo(6L);
        assertThat(List.of(m.getFrmrPageCount(), m.getMaxInitiatorRequestSge(), m.getMaxReceiveRequestSge(),
                m.getMaxReadRequestSge(), m.getMaxTransferLength(), m.getMaxInlineDataSize(), m.getMaxInboundReadLimit(),
                m.getMaxOutboundReadLimit(), m.getMaxReceiveQueueDepth(), m.getMaxInitiatorQueueDepth(),
                m.getMaxSrqDepth(), m.getMaxCqDepth(), m.getLargeRequestThreshold(), m.getMaxCallerData(),
                m.getMaxCalleeData(), m.getAdapterFlags()))
                .containsExactly(7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22);
        assertThat(m.getRdmaTechnology()).isEqualTo(org.ndkkit.wire.v1.RdmaTechnology.RDMA_TECHNOLOGY_ROCE_V2);
        // all 23 fields were set: none is left at its default
        assertThat(m.getAllFields()).hasSize(23);

        assertThat(WireValues.adapterInfo(m)).isEqualTo(in);
    }

    @Test
    void adapterInfoKeepsUnsignedExtremes() throws Exception {
        int ulongMax = 0xFFFF_FFFF;
        AdapterInfo max = new AdapterInfo(ulongMax, ulongMax, ulongMax, ulongMax, -1L, Long.MIN_VALUE, ulongMax,
                ulongMax, ulongMax, ulongMax, ulongMax, ulongMax, ulongMax, ulongMax, ulongMax, ulongMax, ulongMax,
                ulongMax, ulongMax, ulongMax, ulongMax, ulongMax, RdmaTechnology.IWARP);
        org.ndkkit.wire.v1.AdapterInfo m = overTheWire(WireValues.adapterInfo(max));
        assertThat(Integer.toUnsignedLong(m.getMaxCallerData())).isEqualTo(4_294_967_295L);
        assertThat(Integer.toUnsignedLong(m.getMaxInboundReadLimit())).isEqualTo(4_294_967_295L);
        assertThat(Long.toUnsignedString(m.getMaxRegistrationSize())).isEqualTo("18446744073709551615");
        assertThat(WireValues.adapterInfo(m)).isEqualTo(max);

        AdapterInfo zero = new AdapterInfo(0, 0, 0, 0, 0L, 0L, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                RdmaTechnology.UNDEFINED);
        assertThat(WireValues.adapterInfo(overTheWire(WireValues.adapterInfo(zero)))).isEqualTo(zero);
    }

    @Test
    void adapterInfoTechnologyEdges() throws Exception {
        for (RdmaTechnology t : RdmaTechnology.values()) {
            AdapterInfo in = new AdapterInfo(1, 2, 3, 4, 5L, 6L, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                    21, 22, t);
            org.ndkkit.wire.v1.AdapterInfo m = overTheWire(WireValues.adapterInfo(in));
            assertThat(m.getRdmaTechnologyValue()).as("%s on the wire", t).isEqualTo(t.value());
            assertThat(WireValues.adapterInfo(m).rdmaTechnology()).isEqualTo(t);
        }
        // a null technology is sent as UNDEFINED
        AdapterInfo none = new AdapterInfo(1, 2, 3, 4, 5L, 6L, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                21, 22, null);
        assertThat(WireValues.adapterInfo(none).getRdmaTechnologyValue()).isZero();
        // a technology a newer agent knows and this side does not reads as UNDEFINED, the rest intact
        org.ndkkit.wire.v1.AdapterInfo newer = WireValues.adapterInfo(distinct()).toBuilder().setRdmaTechnologyValue(9)
                .build();
        AdapterInfo read = WireValues.adapterInfo(overTheWire(newer));
        assertThat(read.rdmaTechnology()).isEqualTo(RdmaTechnology.UNDEFINED);
        assertThat(read.maxCalleeData()).isEqualTo(21);
    }

    @Test
    void qpParametersRoundTrip() {
        QpParameters p = new QpParameters(1, 2, 3, 4, 0xFFFF_FFFF);
        org.ndkkit.wire.v1.QpParameters m = WireValues.qpParameters(p);
        assertThat(List.of(m.getReceiveQueueDepth(), m.getInitiatorQueueDepth(), m.getMaxReceiveRequestSge(),
                m.getMaxInitiatorRequestSge(), m.getInlineDataSize())).containsExactly(1, 2, 3, 4, -1);
        assertThat(WireValues.qpParameters(m)).isEqualTo(p);
    }

    // ------------------------------------------------------------------------- addresses

    @Test
    void sockAddrKeepsBytesAndADisagreeingLength() throws Exception {
        byte[] bytes = SockAddr.of("198.18.0.1", 7000).bytes();
        for (int declared : new int[] {16, 0, 8, 15, 17, 28, 1000, 0xFFFF_FFFF}) {
            SockAddr in = SockAddr.raw(bytes, declared);
            org.ndkkit.wire.v1.SockAddr m = org.ndkkit.wire.v1.SockAddr.parseFrom(WireValues.sockAddr(in).toByteArray());
            assertThat(m.getLength()).as("declared %s", Integer.toUnsignedString(declared)).isEqualTo(declared);
            assertThat(m.getBytes().toByteArray()).isEqualTo(bytes);
            SockAddr out = WireValues.sockAddr(m, true);
            assertThat(out).isEqualTo(in);
            assertThat(out.bytes()).isEqualTo(bytes);
            assertThat(out.length()).isEqualTo(declared);
        }
    }

    @Test
    void sockAddrOddBytes() {
        // an empty buffer with a length, a short buffer, an unknown family: all cross as given
        for (byte[] b : List.of(new byte[0], new byte[] {2}, new byte[] {(byte) 0xFF, (byte) 0xFF, 1, 2, 3})) {
            SockAddr in = SockAddr.raw(b, 16);
            SockAddr out = WireValues.sockAddr(WireValues.sockAddr(in), true);
            assertThat(out.bytes()).isEqualTo(b);
            assertThat(out.length()).isEqualTo(16);
        }
    }

    @Test
    void sockAddrWellFormedIpv4AndIpv6() {
        for (SockAddr in : List.of(SockAddr.of("198.18.0.1", 0), SockAddr.of("198.18.1.77", 65535),
                SockAddr.of("2001:2::1:1", 7000), SockAddr.of("::", 1))) {
            SockAddr out = WireValues.sockAddr(WireValues.sockAddr(in), true);
            assertThat(out).isEqualTo(in);
            assertThat(out.isWellFormed()).isTrue();
            assertThat(out.sameEndpoint(in)).isTrue();
            assertThat(out.family()).isEqualTo(in.family());
        }
    }

    @Test
    void absentSockAddrIsNull() {
        assertThat(WireValues.sockAddr(org.ndkkit.wire.v1.SockAddr.getDefaultInstance(), false)).isNull();
        // present but empty is not NULL: zero bytes with length 0
        SockAddr empty = WireValues.sockAddr(org.ndkkit.wire.v1.SockAddr.getDefaultInstance(), true);
        assertThat(empty).isNotNull();
        assertThat(empty.bytes()).isEmpty();
        assertThat(empty.length()).isZero();
    }

    @Test
    void ipAddressesOfBothFamilies() throws Exception {
        for (String ip : List.of("198.18.0.1", "0.0.0.0", "255.255.255.255", "2001:2::1", "::1", "fe80::1")) {
            InetAddress a = InetAddress.getByName(ip);
            ByteString b = WireValues.ip(a);
            assertThat(b.size()).isEqualTo(a.getAddress().length);
            assertThat(WireValues.ip(b)).isEqualTo(a);
        }
        assertThat(WireValues.ips(List.of(WireValues.ip(InetAddress.getByName("198.18.1.1")),
                WireValues.ip(InetAddress.getByName("2001:2::1:1")))))
                .containsExactly(InetAddress.getByName("198.18.1.1"), InetAddress.getByName("2001:2::1:1"));
    }

    @Test
    void ipOfTheWrongLengthIsRefused() {
        for (int n : new int[] {0, 1, 3, 5, 15, 17, 28}) {
            assertThatThrownBy(() -> WireValues.ip(ByteString.copyFrom(new byte[n])))
                    .as("%d bytes", n)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("4 or 16").hasMessageContaining(String.valueOf(n));
        }
        assertThatThrownBy(() -> WireValues.ips(List.of(ByteString.copyFrom(new byte[4]), ByteString.copyFrom(new byte[3]))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------------- enums

    @Test
    void objectTypesBothWays() {
        for (NdkObjectType t : NdkObjectType.values()) {
            ObjectType w = WireValues.objectType(t);
            assertThat(w.getNumber()).as("%s", t).isEqualTo(t.value());
            assertThat(w.name()).isEqualTo("OBJECT_TYPE_" + t.name());
            assertThat(WireValues.objectType(w)).isEqualTo(t);
        }
        assertThat(WireValues.objectType((NdkObjectType) null)).isEqualTo(ObjectType.OBJECT_TYPE_UNSPECIFIED);
        assertThat(WireValues.objectType(ObjectType.OBJECT_TYPE_UNSPECIFIED)).isNull();
        assertThat(WireValues.objectType(ObjectType.UNRECOGNIZED)).isNull();
        // every wire value but UNSPECIFIED has an SPI counterpart
        for (ObjectType w : ObjectType.values()) {
            if (w != ObjectType.UNRECOGNIZED && w != ObjectType.OBJECT_TYPE_UNSPECIFIED) {
                assertThat(WireValues.objectType(w)).as("%s", w).isNotNull();
            }
        }
    }

    @Test
    void hostsBothWays() {
        assertThat(WireValues.host(Host.LOCAL)).isEqualTo(org.ndkkit.wire.v1.Host.HOST_LOCAL);
        assertThat(WireValues.host(Host.PEER)).isEqualTo(org.ndkkit.wire.v1.Host.HOST_PEER);
        for (Host h : Host.values()) {
            assertThat(WireValues.host(WireValues.host(h))).isEqualTo(h);
        }
        assertThatThrownBy(() -> WireValues.host(org.ndkkit.wire.v1.Host.HOST_UNSPECIFIED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HOST_UNSPECIFIED");
        assertThatThrownBy(() -> WireValues.host(org.ndkkit.wire.v1.Host.UNRECOGNIZED))
                .isInstanceOf(IllegalArgumentException.class);
        // a null host is not silently the peer: it goes out as UNSPECIFIED, which the far side refuses
        assertThat(WireValues.host((Host) null)).isEqualTo(org.ndkkit.wire.v1.Host.HOST_UNSPECIFIED);
    }

    @Test
    void labConditionsBothWays() {
        for (LabCondition c : LabCondition.values()) {
            org.ndkkit.wire.v1.LabCondition w = WireValues.condition(c);
            assertThat(w.name()).isEqualTo("LAB_CONDITION_" + c.name());
            assertThat(WireValues.condition(w)).isEqualTo(c);
        }
        assertThatThrownBy(() -> WireValues.condition(org.ndkkit.wire.v1.LabCondition.LAB_CONDITION_UNSPECIFIED))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WireValues.condition(org.ndkkit.wire.v1.LabCondition.UNRECOGNIZED))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(org.ndkkit.wire.v1.LabCondition.values().length - 2)
                .as("every wire condition has an SPI counterpart").isEqualTo(LabCondition.values().length);
    }

    @Test
    void capabilitiesBothWays() {
        for (ProviderCapability c : ProviderCapability.values()) {
            org.ndkkit.wire.v1.ProviderCapability w = WireValues.capability(c);
            assertThat(w.name()).isEqualTo("PROVIDER_CAPABILITY_" + c.name());
            assertThat(WireValues.capabilities(List.of(w))).containsExactly(c);
        }
        // a capability this side does not know (a newer agent's), and UNSPECIFIED, are left out
        assertThat(WireValues.capabilities(List.of(org.ndkkit.wire.v1.ProviderCapability.PROVIDER_CAPABILITY_IPV6,
                org.ndkkit.wire.v1.ProviderCapability.UNRECOGNIZED,
                org.ndkkit.wire.v1.ProviderCapability.PROVIDER_CAPABILITY_UNSPECIFIED)))
                .isEqualTo(EnumSet.of(ProviderCapability.IPV6));
        assertThat(WireValues.capabilities(List.of())).isEmpty();
    }

    @Test
    void versionText() {
        assertThat(WireValues.text(WireValues.version())).isEqualTo("ndk.wire.v1.4");
        assertThat(WireValues.version().getMajor()).isEqualTo(WireValues.MAJOR);
    }

    @Test
    void quiescenceRoundTripsAndOnlyAnExplicitQuietReadsAsQuiet() {
        for (org.ndkkit.spi.Quiescence q : org.ndkkit.spi.Quiescence.values()) {
            assertThat(WireValues.quiescence(WireValues.quiescence(q))).isEqualTo(q);
        }
        assertThat(WireValues.quiescence((org.ndkkit.spi.Quiescence) null))
                .isEqualTo(org.ndkkit.wire.v1.Quiescence.QUIESCENCE_UNKNOWN);
        // UNSPECIFIED (a reply that left it out) and a value this side does not know are UNKNOWN, never QUIET
        assertThat(WireValues.quiescence(org.ndkkit.wire.v1.Quiescence.QUIESCENCE_UNSPECIFIED))
                .isEqualTo(org.ndkkit.spi.Quiescence.UNKNOWN);
        assertThat(WireValues.quiescence(org.ndkkit.wire.v1.Quiescence.UNRECOGNIZED))
                .isEqualTo(org.ndkkit.spi.Quiescence.UNKNOWN);
    }

    @Test
    void exhaustionMethodsRoundTripAndAnOlderAgentsReadsAsUndeclared() {
        for (org.ndkkit.spi.ExhaustionMethod m : org.ndkkit.spi.ExhaustionMethod.values()) {
            assertThat(WireValues.method(WireValues.method(m))).isEqualTo(m);
        }
        assertThat(WireValues.method(org.ndkkit.wire.v1.ExhaustionMethod.EXHAUSTION_METHOD_UNSPECIFIED))
                .isEqualTo(org.ndkkit.spi.ExhaustionMethod.UNDECLARED);
        assertThat(WireValues.method(org.ndkkit.wire.v1.ExhaustionMethod.UNRECOGNIZED))
                .isEqualTo(org.ndkkit.spi.ExhaustionMethod.UNDECLARED);
    }

}
