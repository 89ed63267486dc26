/* buffers.c - see buffers.h. */
#include "buffers.h"

#include <string.h>

ndk_status buf_write_address(const nd_addr *a, uint8_t *out, uint32_t *length)
{
    if (length == NULL)
        return NDK_STATUS_INVALID_PARAMETER;
    uint32_t need = nd_sockaddr_size(a);
    if (need == 0)
        return NDK_STATUS_INVALID_DEVICE_STATE;
    if (*length < need) {
        *length = need;
        return NDK_STATUS_BUFFER_TOO_SMALL;
    }
    if (out == NULL)
        return NDK_STATUS_INVALID_PARAMETER;
    *length = nd_format_sockaddr(a, out);
    return NDK_STATUS_SUCCESS;
}

ndk_status buf_connection_data(const uint8_t *data, uint32_t rds, uint32_t inbound, uint32_t outbound,
                               uint32_t *p_inbound, uint32_t *p_outbound, void *buffer, uint32_t *length)
{
    if (length == NULL || (buffer == NULL && *length != 0))
        return NDK_STATUS_INVALID_PARAMETER;
    if (p_inbound != NULL)
        *p_inbound = inbound;
    if (p_outbound != NULL)
        *p_outbound = outbound;
    uint32_t room = *length;
    *length = rds;
    if (buffer == NULL)
        return NDK_STATUS_SUCCESS;
    uint32_t n = room < rds ? room : rds;
    if (n > 0)
        memcpy(buffer, data, n);
    return room >= rds ? NDK_STATUS_SUCCESS : NDK_STATUS_BUFFER_TOO_SMALL;
}
