package org.ndkkit.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An NTSTATUS value as an NDK provider returns it, inline or through a completion.
 *
 * <p>Every code that the NDKPI pages (and the sister NetworkDirect SPI) use for connection
 * establishment is a named constant. A code the kit does not know is kept as its number:
 * {@link #of(int)} never maps an unknown value to a generic error, so a report always shows
 * exactly what the provider said.
 *
 * <p>Instances are value objects: two statuses are equal when their codes are equal.
 */
public final class NtStatus {

    private static final Map<Integer, NtStatus> KNOWN = new LinkedHashMap<>();

    public static final NtStatus SUCCESS = known(0x00000000, "STATUS_SUCCESS");
    /** Success-severity "timed out"; not used by NDKPI, ND-UM uses it for a retryable connect. */
    public static final NtStatus TIMEOUT = known(0x00000102, "STATUS_TIMEOUT");
    public static final NtStatus PENDING = known(0x00000103, "STATUS_PENDING");
    public static final NtStatus BUFFER_OVERFLOW = known(0x80000005, "STATUS_BUFFER_OVERFLOW");
    public static final NtStatus UNSUCCESSFUL = known(0xC0000001, "STATUS_UNSUCCESSFUL");
    public static final NtStatus ACCESS_VIOLATION = known(0xC0000005, "STATUS_ACCESS_VIOLATION");
    public static final NtStatus INVALID_HANDLE = known(0xC0000008, "STATUS_INVALID_HANDLE");
    public static final NtStatus INVALID_PARAMETER = known(0xC000000D, "STATUS_INVALID_PARAMETER");
    public static final NtStatus BUFFER_TOO_SMALL = known(0xC0000023, "STATUS_BUFFER_TOO_SMALL");
    public static final NtStatus INVALID_PARAMETER_MIX = known(0xC0000030, "STATUS_INVALID_PARAMETER_MIX");
    public static final NtStatus SHARING_VIOLATION = known(0xC0000043, "STATUS_SHARING_VIOLATION");
    public static final NtStatus INSUFFICIENT_RESOURCES = known(0xC000009A, "STATUS_INSUFFICIENT_RESOURCES");
    public static final NtStatus IO_TIMEOUT = known(0xC00000B5, "STATUS_IO_TIMEOUT");
    public static final NtStatus NOT_SUPPORTED = known(0xC00000BB, "STATUS_NOT_SUPPORTED");
    public static final NtStatus BAD_NETWORK_NAME = known(0xC00000CC, "STATUS_BAD_NETWORK_NAME");
    public static final NtStatus INTERNAL_ERROR = known(0xC00000E5, "STATUS_INTERNAL_ERROR");
    public static final NtStatus CANCELLED = known(0xC0000120, "STATUS_CANCELLED");
    public static final NtStatus REMOTE_RESOURCES = known(0xC000013D, "STATUS_REMOTE_RESOURCES");
    public static final NtStatus INVALID_ADDRESS = known(0xC0000141, "STATUS_INVALID_ADDRESS");
    public static final NtStatus INVALID_DEVICE_STATE = known(0xC0000184, "STATUS_INVALID_DEVICE_STATE");
    public static final NtStatus INVALID_BUFFER_SIZE = known(0xC0000206, "STATUS_INVALID_BUFFER_SIZE");
    public static final NtStatus TOO_MANY_ADDRESSES = known(0xC0000209, "STATUS_TOO_MANY_ADDRESSES");
    public static final NtStatus ADDRESS_ALREADY_EXISTS = known(0xC000020A, "STATUS_ADDRESS_ALREADY_EXISTS");
    public static final NtStatus CONNECTION_DISCONNECTED = known(0xC000020C, "STATUS_CONNECTION_DISCONNECTED");
    public static final NtStatus CONNECTION_RESET = known(0xC000020D, "STATUS_CONNECTION_RESET");
    public static final NtStatus CONNECTION_REFUSED = known(0xC0000236, "STATUS_CONNECTION_REFUSED");
    public static final NtStatus GRACEFUL_DISCONNECT = known(0xC0000237, "STATUS_GRACEFUL_DISCONNECT");
    public static final NtStatus ADDRESS_ALREADY_ASSOCIATED = known(0xC0000238, "STATUS_ADDRESS_ALREADY_ASSOCIATED");
    public static final NtStatus CONNECTION_INVALID = known(0xC000023A, "STATUS_CONNECTION_INVALID");
    public static final NtStatus CONNECTION_ACTIVE = known(0xC000023B, "STATUS_CONNECTION_ACTIVE");
    public static final NtStatus NETWORK_UNREACHABLE = known(0xC000023C, "STATUS_NETWORK_UNREACHABLE");
    public static final NtStatus HOST_UNREACHABLE = known(0xC000023D, "STATUS_HOST_UNREACHABLE");
    public static final NtStatus CONNECTION_ABORTED = known(0xC0000241, "STATUS_CONNECTION_ABORTED");
    public static final NtStatus DEVICE_REMOVED = known(0xC00002B6, "STATUS_DEVICE_REMOVED");
    public static final NtStatus IMPLEMENTATION_LIMIT = known(0xC000042B, "STATUS_IMPLEMENTATION_LIMIT");

    private final int code;
    private final String name;

    private NtStatus(int code, String name) {
        this.code = code;
        this.name = name;
    }

    private static NtStatus known(int code, String name) {
        NtStatus s = new NtStatus(code, name);
        KNOWN.put(code, s);
        return s;
    }

    /** The status for a raw code: the named constant when the kit knows it, otherwise a nameless value. */
    public static NtStatus of(int code) {
        NtStatus s = KNOWN.get(code);
        return s != null ? s : new NtStatus(code, null);
    }

    /** The named status, e.g. {@code "STATUS_IO_TIMEOUT"} or {@code "IO_TIMEOUT"}. */
    public static NtStatus named(String name) {
        String wanted = name.startsWith("STATUS_") ? name : "STATUS_" + name;
        for (NtStatus s : KNOWN.values()) {
            if (s.name.equals(wanted)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no NTSTATUS named " + name);
    }

    /** Every code the kit knows by name, in ascending table order. */
    public static Map<Integer, NtStatus> knownCodes() {
        return Collections.unmodifiableMap(KNOWN);
    }

    public int code() {
        return code;
    }

    /** True when the kit knows this code by name. */
    public boolean isKnown() {
        return name != null;
    }

    /** NT_SUCCESS(): severity success or informational (the top bit clear). */
    public boolean isSuccess() {
        return code >= 0;
    }

    /** NT_ERROR(): severity error (the two top bits set). */
    public boolean isError() {
        return (code >>> 30) == 3;
    }

    public boolean isPending() {
        return code == PENDING.code;
    }

    /** The code as eight hex digits, e.g. {@code 0xC00000B5}. */
    public String hex() {
        return String.format("0x%08X", code);
    }

    /** The symbolic name, or {@code null} for a code the kit does not know. */
    public String name() {
        return name;
    }

    /** Name and hex, e.g. {@code STATUS_IO_TIMEOUT (0xC00000B5)}; unknown codes show as {@code NTSTATUS 0x...}. */
    @Override
    public String toString() {
        return (name != null ? name : "NTSTATUS") + " (" + hex() + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NtStatus other && other.code == code;
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(code);
    }
}
