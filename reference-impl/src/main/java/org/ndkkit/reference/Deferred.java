package org.ndkkit.reference;

import java.util.ArrayList;
import java.util.List;

/**
 * Consumer callbacks (and work that may lead to them) collected while a lock is held and run
 * after it is released: the provider never calls the consumer under one of its locks.
 */
final class Deferred {
    private final List<Runnable> actions = new ArrayList<>();

    void add(Runnable r) {
        actions.add(r);
    }

    /** Runs every action in order; an exception from one does not stop the others. */
    void run() {
        RuntimeException first = null;
        for (Runnable r : actions) {
            try {
                r.run();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        actions.clear();
        if (first != null) {
            throw first;
        }
    }
}
