package org.ndkkit.spi;

/**
 * A {@code ULONG *} parameter: a 32-bit unsigned cell the caller owns and the provider may read
 * and write (for example {@code pPrivateDataLength} or {@code pAddressLength}).
 *
 * <p>The value is held as a Java {@code int} with unsigned meaning, so every bit pattern a C
 * caller could pass, 2^32-1 included, can be passed here too.
 */
public final class UlongRef {
    private int value;

    public UlongRef(int value) {
        this.value = value;
    }

    public static UlongRef of(long unsignedValue) {
        if (unsignedValue < 0 || unsignedValue > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("not a ULONG: " + unsignedValue);
        }
        return new UlongRef((int) unsignedValue);
    }

    /** The raw 32 bits. */
    public int get() {
        return value;
    }

    /** The value as an unsigned number. */
    public long unsigned() {
        return Integer.toUnsignedLong(value);
    }

    public void set(int value) {
        this.value = value;
    }

    @Override
    public String toString() {
        return Integer.toUnsignedString(value);
    }
}
