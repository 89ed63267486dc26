package org.ndkkit.agent;

import java.lang.reflect.Proxy;
import org.ndkkit.spi.NdkObject;
import org.ndkkit.spi.NdkObjectType;
import org.ndkkit.spi.NtStatus;

/**
 * What the provider gets where the consumer passed an object the agent never handed out: an object
 * of the expected interface that the provider has never seen, as an in-process consumer passing
 * another provider's object would give it. Its {@code type()} is the expected type; any other
 * call on it returns STATUS_INVALID_HANDLE (or nothing).
 */
final class Foreign {
    private Foreign() {
    }

    static <T> T of(Class<T> type) {
        NdkObjectType objectType = typeOf(type);
        Object p = Proxy.newProxyInstance(Foreign.class.getClassLoader(), new Class<?>[] {type}, (proxy, m, args) -> {
            switch (m.getName()) {
                case "type":
                    return objectType;
                case "toString":
                    return "foreign " + type.getSimpleName();
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "equals":
                    return proxy == args[0];
                default:
                    return m.getReturnType() == NtStatus.class ? NtStatus.INVALID_HANDLE : null;
            }
        });
        return type.cast(p);
    }

    private static final java.util.Map<Class<?>, NdkObjectType> TYPES = java.util.Map.of(
            org.ndkkit.spi.NdkQp.class, NdkObjectType.QP, org.ndkkit.spi.NdkCq.class, NdkObjectType.CQ,
            org.ndkkit.spi.NdkPd.class, NdkObjectType.PD, org.ndkkit.spi.NdkSharedEndpoint.class,
            NdkObjectType.SHARED_ENDPOINT, org.ndkkit.spi.NdkConnector.class, NdkObjectType.CONNECTOR,
            org.ndkkit.spi.NdkListener.class, NdkObjectType.LISTENER);

    private static NdkObjectType typeOf(Class<?> type) {
        return NdkObject.class.isAssignableFrom(type) ? TYPES.get(type) : NdkObjectType.ADAPTER;
    }
}
