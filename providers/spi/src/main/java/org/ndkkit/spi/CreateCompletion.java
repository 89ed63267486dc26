package org.ndkkit.spi;

/**
 * {@code NDK_FN_CREATE_COMPLETION}: how a provider finishes a create call that returned
 * {@link NtStatus#PENDING}.
 *
 * <p>Called exactly once iff the create call returned {@code PENDING}. On success it carries the
 * new object (the create call's own result then carries none); on failure the object is null.
 *
 * @param <T> the type of object being created
 */
@FunctionalInterface
public interface CreateCompletion<T extends NdkObject> {
    /**
     * @param context the request context given to the create call
     * @param status  final status of the create
     * @param object  the created object when {@code status} is success, otherwise null
     */
    void created(Object context, NtStatus status, T object);
}
