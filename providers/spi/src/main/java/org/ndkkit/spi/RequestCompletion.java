package org.ndkkit.spi;

/**
 * {@code NDK_FN_REQUEST_COMPLETION}: how a provider finishes a request that returned
 * {@link NtStatus#PENDING}.
 *
 * <p>The provider calls it exactly once for a request whose call returned {@code PENDING}, and
 * never for a request whose call returned anything else (success or failure). It passes back the
 * caller's {@code RequestContext} unchanged. It may call it on any thread, including the calling
 * thread from inside the request function, in which case that function must still return
 * {@code PENDING}. Once it has started the callback it must not touch the object again: the
 * consumer may close it from inside the callback.
 */
@FunctionalInterface
public interface RequestCompletion {
    /**
     * @param context the request context the consumer passed with the request (may be null)
     * @param status  the final status of the request
     */
    void completed(Object context, NtStatus status);
}
