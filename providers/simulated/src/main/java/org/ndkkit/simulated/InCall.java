package org.ndkkit.simulated;

import java.util.ArrayList;
import java.util.List;

/**
 * Callbacks a call owes on the calling thread (completion path {@code pending-in-call}). They are
 * collected while the simulator's lock is held and run after it is released, because the consumer
 * may call back into the provider, or close the object, from inside them.
 */
final class InCall {
    private final List<Runnable> work = new ArrayList<>(2);

    void add(CallbackTracker owner, Runnable callback) {
        owner.enter();
        work.add(() -> {
            try {
                callback.run();
            } finally {
                owner.exit();
            }
        });
    }

    void run() {
        for (Runnable r : work) {
            r.run();
        }
    }
}
