package org.ndkkit.simulated;

import java.lang.System.Logger.Level;

/** Runs a consumer callback so that whatever it throws stays out of the simulator's bookkeeping. */
final class Callbacks {
    private static final System.Logger LOG = System.getLogger(Callbacks.class.getName());

    private Callbacks() {
    }

    static void invoke(String what, Runnable callback) {
        try {
            callback.run();
        } catch (Throwable t) {
            LOG.log(Level.WARNING, "consumer " + what + " threw; the simulator carries on", t);
        }
    }
}
