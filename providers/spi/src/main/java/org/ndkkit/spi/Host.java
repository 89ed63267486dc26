package org.ndkkit.spi;

/** The two ends of a testbed: the host under test, which connects out, and its peer, which listens. */
public enum Host {
    /** The active side: creates shared endpoints and connects. */
    LOCAL,
    /** The passive side: listens and accepts or rejects. */
    PEER
}
