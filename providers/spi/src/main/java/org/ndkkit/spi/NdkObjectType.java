package org.ndkkit.spi;

/** {@code NDK_OBJECT_TYPE}, as set in every object's header. */
public enum NdkObjectType {
    ADAPTER(1), QP(2), CQ(3), MR(4), MW(5), PD(6), SHARED_ENDPOINT(7), CONNECTOR(8), LISTENER(9), SRQ(10);

    private final int value;

    NdkObjectType(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }
}
