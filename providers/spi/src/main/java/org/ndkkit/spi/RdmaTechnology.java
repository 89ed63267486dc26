package org.ndkkit.spi;

/**
 * {@code NDK_RDMA_TECHNOLOGY} (ndkinfo.h). The NDK_ADAPTER_INFO page leaves the field undescribed;
 * the kit reads it as the one transport the adapter's INF declares.
 */
public enum RdmaTechnology {
    UNDEFINED(0), IWARP(1), INFINIBAND(2), ROCE(3), ROCE_V2(4);

    private final int value;

    RdmaTechnology(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }
}
