package org.ndkkit.spi;

/** {@code NDK_CQ}: a completion queue; an antecedent of the QPs that use it. */
public interface NdkCq extends NdkObject {
}
