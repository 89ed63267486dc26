package org.ndkkit.simulated;

import java.util.SplittableRandom;

/**
 * The testbed's own randomness, all from one seed (setting {@code seed}), so that the same seed
 * and the same calls give the same ephemeral ports and the same completion schedule, and another
 * seed another one: which ephemeral port a port-0 bind takes, and how long the event thread waits
 * before it runs a callback (within NDK's rules: a completion may come at any time after the call
 * began, and callbacks of the event thread keep their order).
 *
 * <p>Thread-safe: draws happen under the testbed lock as a rule, and are synchronized anyway.
 */
final class SimRandom {
    /** How port-0 binds choose (setting {@code ephemeral-ports}). */
    enum PortChoice { RANDOM, LOWEST }

    private final long seed;
    private final SplittableRandom random;
    private final PortChoice portChoice;
    private final long jitterNanos;

    SimRandom(long seed, PortChoice portChoice, long jitterMicros) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.portChoice = portChoice;
        this.jitterNanos = jitterMicros * 1000;
    }

    long seed() {
        return seed;
    }

    /** Where the search for a free ephemeral port starts: a random port of the range, or its first. */
    synchronized int ephemeralStart(int first, int last) {
        return portChoice == PortChoice.LOWEST ? first : first + random.nextInt(last - first + 1);
    }

    /** How long the event thread waits before the next callback: none half of the time, else up to the jitter. */
    synchronized long callbackDelayNanos() {
        if (jitterNanos == 0 || random.nextBoolean()) {
            return 0;
        }
        return random.nextLong(jitterNanos + 1);
    }
}
