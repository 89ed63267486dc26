package org.ndkkit.kit;

import java.util.HexFormat;

/** Private-data payloads: a recognisable byte pattern per sender, so a mix-up is visible. */
public final class Bytes {
    private Bytes() {
    }

    /** {@code n} bytes {@code seed, seed+1, ...} (mod 256), never all zero. */
    public static byte[] pattern(int seed, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + 1 + i);
        }
        return b;
    }

    /** Hex of at most the first 24 bytes. */
    public static String preview(byte[] b, int n) {
        int shown = Math.min(Math.min(n, b.length), 24);
        return HexFormat.of().formatHex(b, 0, shown) + (n > shown ? "..." : "");
    }
}
