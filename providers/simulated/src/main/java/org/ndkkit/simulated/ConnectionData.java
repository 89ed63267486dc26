package org.ndkkit.simulated;

import java.util.Arrays;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.UlongRef;

/**
 * What NdkGetConnectionData reports on one connector: the effective read limits and the peer's
 * private data.
 *
 * <p>The required data size (RDS) is the adapter maximum for the direction the data travelled
 * (MaxCallerData for a connect's data, MaxCalleeData for an accept's or reject's), with zeros after
 * the bytes actually sent, the way rdma_cm pads. A consumer therefore cannot take the RDS for the
 * number of bytes sent, which NDK warns against.
 */
final class ConnectionData {
    private final int inboundReadLimit;
    private final int outboundReadLimit;
    private final byte[] padded;

    /**
     * @param sent                the bytes the peer sent (at most {@code requiredSize})
     * @param requiredSize        the RDS
     */
    ConnectionData(int inboundReadLimit, int outboundReadLimit, byte[] sent, int requiredSize) {
        this.inboundReadLimit = inboundReadLimit;
        this.outboundReadLimit = outboundReadLimit;
        this.padded = Arrays.copyOf(sent, Math.max(requiredSize, 0));
    }

    int inboundReadLimit() {
        return inboundReadLimit;
    }

    int outboundReadLimit() {
        return outboundReadLimit;
    }

    ConnectionData withLimits(int inbound, int outbound) {
        return new ConnectionData(inbound, outbound, padded, padded.length);
    }

    /**
     * NDK's rules: a null buffer with {@code *length == 0} asks for the RDS (SUCCESS); a null buffer
     * with a length is INVALID_PARAMETER; with a buffer, min(*length, RDS) bytes are copied and the
     * result is SUCCESS when *length >= RDS, else BUFFER_TOO_SMALL; {@code *length} = RDS in both
     * cases. A {@code *length} that claims more room than the array has is INVALID_PARAMETER (never
     * an exception), and nothing is written then (the SPI's output-buffer rule).
     */
    NtStatus read(UlongRef inbound, UlongRef outbound, byte[] buffer, UlongRef length) {
        long asked = length.unsigned();
        int rds = padded.length;
        if (buffer == null) {
            if (asked != 0) {
                return NtStatus.INVALID_PARAMETER;
            }
        } else {
            if (asked > buffer.length) {
                return NtStatus.INVALID_PARAMETER;
            }
            System.arraycopy(padded, 0, buffer, 0, (int) Math.min(asked, rds));
        }
        if (inbound != null) {
            inbound.set(inboundReadLimit);
        }
        if (outbound != null) {
            outbound.set(outboundReadLimit);
        }
        length.set(rds);
        return buffer == null || asked >= rds ? NtStatus.SUCCESS : NtStatus.BUFFER_TOO_SMALL;
    }
}
