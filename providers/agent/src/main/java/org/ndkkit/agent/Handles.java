package org.ndkkit.agent;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The handles an agent hands out: one number per provider object, unique for the agent's lifetime
 * (so a handle of an ended session is recognised as such, not mistaken for another object). The
 * same object always gets the same handle, so the client sees the provider's object identities.
 * Handles live as long as their session: a consumer may still call an object after closing it, and
 * the provider, not the agent, decides what that gets.
 */
final class Handles {
    private static final AtomicLong NEXT = new AtomicLong();
    /** Every handle ever issued by this JVM's agents, with its session. */
    private static final Map<Long, Long> SESSION_OF = new ConcurrentHashMap<>();

    private final long session;
    private final Map<Object, Long> ids = new IdentityHashMap<>();
    private final Map<Long, Object> objects = new ConcurrentHashMap<>();

    Handles(long session) {
        this.session = session;
    }

    /** The object's handle, issued on first sight; 0 for null. */
    synchronized long handle(Object o) {
        if (o == null) {
            return 0;
        }
        Long h = ids.get(o);
        if (h == null) {
            h = NEXT.incrementAndGet();
            ids.put(o, h);
            objects.put(h, o);
            SESSION_OF.put(h, session);
        }
        return h;
    }

    /**
     * The object behind a handle, checked against the expected type.
     *
     * @throws WireError naming the handle when it is unknown, of another session or of another type
     */
    <T> T object(long handle, Class<T> expected, String what) {
        Object o = objects.get(handle);
        if (o == null) {
            Long owner = SESSION_OF.get(handle);
            if (owner != null) {
                throw WireError.invalid(what + ": handle " + handle + " belongs to session " + owner + ", not session "
                        + session);
            }
            throw WireError.invalid(what + ": unknown handle " + handle);
        }
        if (!expected.isInstance(o)) {
            throw WireError.invalid(what + ": handle " + handle + " is a " + kind(o) + ", not a "
                    + expected.getSimpleName());
        }
        return expected.cast(o);
    }

    int size() {
        return objects.size();
    }

    private static final java.util.List<Class<?>> KINDS = java.util.List.of(org.ndkkit.spi.NdkConnector.class,
            org.ndkkit.spi.NdkSharedEndpoint.class, org.ndkkit.spi.NdkListener.class, org.ndkkit.spi.NdkQp.class,
            org.ndkkit.spi.NdkCq.class, org.ndkkit.spi.NdkPd.class, org.ndkkit.spi.NdkAdapter.class,
            org.ndkkit.spi.ResourceExhaustion.class);

    private static String kind(Object o) {
        return KINDS.stream().filter(k -> k.isInstance(o)).map(Class::getSimpleName).findFirst()
                .orElse(o.getClass().getSimpleName());
    }
}
