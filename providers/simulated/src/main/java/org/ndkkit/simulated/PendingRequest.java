package org.ndkkit.simulated;

import org.ndkkit.spi.RequestCompletion;

/** A request that returned PENDING and whose outcome is not decided yet. */
record PendingRequest(RequestCompletion completion, Object context) {
}
