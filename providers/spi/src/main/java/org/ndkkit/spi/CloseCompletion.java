package org.ndkkit.spi;

/**
 * {@code NDK_FN_CLOSE_COMPLETION}: how a provider finishes a close that returned
 * {@link NtStatus#PENDING}.
 *
 * <p>It is the last callback the provider makes for the object: before calling it the provider
 * has completed every outstanding request on the object, every event callback on it has returned,
 * and no further callback for the object will follow. It is never called for a close that
 * returned {@link NtStatus#SUCCESS}.
 */
@FunctionalInterface
public interface CloseCompletion {
    /** @param context the request context given to the close call */
    void closed(Object context);
}
