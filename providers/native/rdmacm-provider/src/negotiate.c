/* negotiate.c - see negotiate.h. */
#include "negotiate.h"

static uint32_t min2(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

uint32_t rl_adapter_max(uint32_t device_max)
{
    return min2(device_max, RC_READ_LIMIT_CEILING);
}

uint32_t rl_cap(uint32_t requested, uint32_t adapter_max)
{
    return min2(requested, adapter_max);
}

uint32_t rl_effective(uint32_t own, uint32_t adapter_max, uint32_t peer_opposite)
{
    return min2(rl_cap(own, adapter_max), peer_opposite);
}

void rl_passive_view(uint32_t active_inbound, uint32_t active_outbound, uint32_t max_inbound,
                     uint32_t max_outbound, uint32_t *inbound, uint32_t *outbound)
{
    *inbound = rl_cap(active_outbound, max_inbound);
    *outbound = rl_cap(active_inbound, max_outbound);
}

ndk_status pd_check(const void *data, uint32_t length, uint32_t limit)
{
    if (length > 0 && data == NULL)
        return NDK_STATUS_INVALID_PARAMETER;
    if (length > limit)
        return NDK_STATUS_INVALID_BUFFER_SIZE;
    return NDK_STATUS_SUCCESS;
}
