package org.ndkkit.simulated;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.ndkkit.spi.NdkObjectType;

/**
 * What every object of one testbed shares: the one lock that guards all simulator state, the event
 * thread, the network and the settings.
 *
 * <p>One lock for everything keeps the state machine simple and runs deterministic; it is never held
 * while a consumer callback runs.
 */
final class SimContext {
    final ReentrantLock lock = new ReentrantLock();
    final SimSettings settings;
    /**
     * Every callback queued or running for either adapter's objects, every pending or running
     * timer, and every consumer call in progress: zero means the testbed is quiescent (nothing more
     * happens until the consumer calls).
     */
    final CallbackTracker activity = new CallbackTracker();
    /** The testbed's randomness (setting {@code seed}): ephemeral ports and completion timing. */
    final SimRandom random;
    final EventQueue events;
    final SimNetwork network;
    final Completions completions;
    /** Live objects by kind, from construction until closed: what the kit's leak check reads. */
    final Map<NdkObjectType, LongAdder> live = new ConcurrentHashMap<>();

    SimContext(SimSettings settings) {
        this.settings = settings;
        this.random = settings.random();
        this.events = new EventQueue(activity, random);
        this.network = new SimNetwork(random);
        this.completions = new Completions(settings.completionPath(), events);
    }

    /**
     * A consumer's call: runs {@code body} under the lock, then, with the lock released, the
     * callbacks it owes on the calling thread. The call counts in {@link #activity} until it
     * returns: what it decides (a timer cancelled, a completion queued in its place) is never seen
     * half done, and nothing is quiescent while the consumer is still calling.
     */
    <T> T call(Function<InCall, T> body) {
        activity.enter();
        try {
            InCall inCall = new InCall();
            T result;
            lock.lock();
            try {
                result = body.apply(inCall);
            } finally {
                lock.unlock();
            }
            inCall.run();
            return result;
        } finally {
            activity.exit();
        }
    }

    /** Reads {@code read} under the lock. */
    <T> T locked(java.util.function.Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }

    void locked(Runnable body) {
        lock.lock();
        try {
            body.run();
        } finally {
            lock.unlock();
        }
    }
}
