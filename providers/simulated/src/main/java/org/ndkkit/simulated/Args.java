package org.ndkkit.simulated;

import java.util.Arrays;
import org.ndkkit.spi.NtStatus;

/**
 * Argument checks shared by the connector, listener and adapter calls. ULONG values are Java ints
 * with unsigned meaning, so every comparison here is unsigned: 0xFFFFFFFF is 4294967295, not -1.
 */
final class Args {
    private Args() {
    }

    /**
     * {@code object} as one of this testbed's objects of {@code type}, made by {@code adapter}, whose
     * close was not issued; otherwise null (a foreign class, the other adapter's object, a closing one).
     */
    static <T extends SimObject> T live(Object object, Class<T> type, SimAdapter adapter) {
        if (!type.isInstance(object)) {
            return null;
        }
        T t = type.cast(object);
        return t.adapter == adapter && !t.isCloseIssued() ? t : null;
    }

    /**
     * Private data given with a connect, accept or reject: INVALID_PARAMETER when the declared length
     * disagrees with the buffer (null with a length, or a length beyond the array), INVALID_BUFFER_SIZE
     * when it exceeds {@code max} (MaxCallerData or MaxCalleeData, as the NetworkDirect SPI does),
     * otherwise null.
     */
    static NtStatus privateData(byte[] data, int length, int max) {
        if (data == null ? length != 0 : Integer.toUnsignedLong(length) > data.length) {
            return NtStatus.INVALID_PARAMETER;
        }
        return exceeds(length, max) ? NtStatus.INVALID_BUFFER_SIZE : null;
    }

    /** The first {@code length} bytes of a buffer that {@link #privateData} accepted. */
    static byte[] copy(byte[] data, int length) {
        return data == null ? new byte[0] : Arrays.copyOf(data, length);
    }

    static boolean exceeds(int value, int max) {
        return Integer.compareUnsigned(value, max) > 0;
    }

    /** The unsigned minimum: a requested limit capped to a maximum, or the lower of two limits. */
    static int min(int a, int b) {
        return Integer.compareUnsigned(a, b) <= 0 ? a : b;
    }
}
