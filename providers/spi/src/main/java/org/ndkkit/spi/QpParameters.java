package org.ndkkit.spi;

/**
 * The sizes given to {@code NdkCreateQp}; each must not exceed its {@link AdapterInfo} maximum,
 * otherwise the create fails with {@link NtStatus#INVALID_PARAMETER}.
 *
 * @param receiveQueueDepth      &lt;= MaxReceiveQueueDepth
 * @param initiatorQueueDepth    &lt;= MaxInitiatorQueueDepth
 * @param maxReceiveRequestSge   &lt;= MaxReceiveRequestSge
 * @param maxInitiatorRequestSge &lt;= MaxInitiatorRequestSge
 * @param inlineDataSize         &lt;= MaxInlineDataSize
 */
public record QpParameters(int receiveQueueDepth, int initiatorQueueDepth, int maxReceiveRequestSge,
                           int maxInitiatorRequestSge, int inlineDataSize) {

    /** Small sizes every adapter is expected to support: enough for connection tests. */
    public static QpParameters small() {
        return new QpParameters(16, 16, 1, 1, 0);
    }
}
