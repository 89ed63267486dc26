/*
 * buffers.h - NDK's output-buffer protocols (pure).
 *
 * Addresses (NdkGetLocalAddress, NdkGetPeerAddress, NdkGetSharedEndpointLocalAddress,
 * NdkGetListenerLocalAddress): *length in is the buffer's size; when it holds the address the
 * SOCKADDR is written, *length = its size, SUCCESS; otherwise nothing is written, *length = the size
 * required, BUFFER_TOO_SMALL. A NULL buffer is allowed only with a length too small to hold
 * anything worth writing (it then reports the size required).
 *
 * Connection data (NdkGetConnectionData): the required data size (RDS) is the private-data field
 * rdma_cm delivered (56 / 196 / 148 bytes, zero-padded beyond what the peer sent). No buffer and
 * length 0: SUCCESS and the RDS. A buffer: min(length, RDS) bytes copied, SUCCESS when the length
 * was at least the RDS, BUFFER_TOO_SMALL otherwise; the RDS is stored in both cases. The read-limit
 * outputs are optional.
 */
#ifndef RC_BUFFERS_H
#define RC_BUFFERS_H

#include <stdint.h>

#include "ndk_provider.h"
#include "sockaddr.h"

ndk_status buf_write_address(const nd_addr *a, uint8_t *out, uint32_t *length);

ndk_status buf_connection_data(const uint8_t *data, uint32_t rds, uint32_t inbound, uint32_t outbound,
                               uint32_t *p_inbound, uint32_t *p_outbound, void *buffer, uint32_t *length);

#endif
