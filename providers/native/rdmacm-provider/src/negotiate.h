/*
 * negotiate.h - NDK's read-limit arithmetic and private-data rules, as pure functions.
 *
 * Read limits (nc-ndkpi-ndk_fn_connect_with_shared_endpoint, clauses LIM-*):
 *   effective inbound  = min(own InboundReadLimit,  MaxInboundReadLimit,  peer's outbound)
 *   effective outbound = min(own OutboundReadLimit, MaxOutboundReadLimit, peer's inbound)
 * where the peer's value is what the peer's provider already capped. Values above a maximum are
 * capped, never refused; 0 is legal and stays 0.
 *
 * On rdma_cm the values travel as responder_resources (inbound) and initiator_depth (outbound),
 * 8-bit fields, mirrored by the kernel into the receiver's perspective. 0xFF means "the device
 * maximum" to librdmacm, so an adapter maximum is kept at 254 or below.
 */
#ifndef RC_NEGOTIATE_H
#define RC_NEGOTIATE_H

#include <stdint.h>

#include "ndk_provider.h"

#define RC_MAX_CALLER_DATA 56u    /* a REQ's 92 bytes less rdma_cm's 36-byte header */
#define RC_MAX_CALLEE_DATA 148u   /* the smaller of REP (196) and REJ (148): the callee may answer with either */
#define RC_READ_LIMIT_CEILING 254u

/* The adapter maximum NDK reports for a device maximum (max_qp_rd_atom / max_qp_init_rd_atom). */
uint32_t rl_adapter_max(uint32_t device_max);

/* A requested limit capped to the adapter maximum. */
uint32_t rl_cap(uint32_t requested, uint32_t adapter_max);

/* The effective limit: min(own, own adapter maximum, the peer's opposite value). */
uint32_t rl_effective(uint32_t own, uint32_t adapter_max, uint32_t peer_opposite);

/*
 * What the passive side reads before it accepts (LIM-PASSIVE-VIEW): the active side's offer
 * mirrored (its outbound becomes our inbound) and capped by our own adapter.
 */
void rl_passive_view(uint32_t active_inbound, uint32_t active_outbound, uint32_t max_inbound,
                     uint32_t max_outbound, uint32_t *inbound, uint32_t *outbound);

/* Private data to send: NULL with a length is INVALID_PARAMETER, over 'limit' INVALID_BUFFER_SIZE. */
ndk_status pd_check(const void *data, uint32_t length, uint32_t limit);

#endif
