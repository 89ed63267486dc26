package org.ndkkit.spi;

import java.util.Objects;

/**
 * What an {@code NdkCreateXxx} call returns inline: its status and, only when that status is
 * {@link NtStatus#SUCCESS}, the object (the C function's {@code *ppNdkObject} output).
 *
 * <p>When the status is {@link NtStatus#PENDING} the object arrives later through the
 * {@link CreateCompletion}; for any other status there is no object and no completion.
 *
 * @param status inline status of the create call
 * @param object the created object when status is SUCCESS, otherwise null
 * @param <T>    type of the object
 */
public record Created<T extends NdkObject>(NtStatus status, T object) {

    public Created {
        Objects.requireNonNull(status, "status");
    }

    public static <T extends NdkObject> Created<T> inline(T object) {
        return new Created<>(NtStatus.SUCCESS, Objects.requireNonNull(object, "object"));
    }

    public static <T extends NdkObject> Created<T> pending() {
        return new Created<>(NtStatus.PENDING, null);
    }

    public static <T extends NdkObject> Created<T> failed(NtStatus status) {
        return new Created<>(status, null);
    }
}
