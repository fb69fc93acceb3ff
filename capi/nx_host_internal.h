/*
 * nx_host_internal.h - services of the host NetX shim that the Go side of
 * capi calls through cgo. Not part of the public API: applications never see
 * these names.
 *
 * Each takes the registry lock, so a pool or IP instance deleted by another
 * thread is reported as invalid rather than read after its deletion.
 */
#ifndef NX_HOST_INTERNAL_H
#define NX_HOST_INTERNAL_H

/* Relative to this file, so that cgo needs no include flags to find it. */
#include "../include/nx_api.h"

#ifdef __cplusplus
extern "C" {
#endif

/* NX_TRUE if pool_ptr is a created, not yet deleted, packet pool. */
UINT nxhost_pool_valid(NX_PACKET_POOL *pool_ptr);

/* NX_TRUE if ip_ptr is a created, not yet deleted, IP instance. */
UINT nxhost_ip_valid(NX_IP *ip_ptr);

/* NX_TRUE if ip_ptr is valid and nx_tcp_enable has been called on it. */
UINT nxhost_ip_tcp_enabled(NX_IP *ip_ptr);

/* The payload size the pool was created with, or 0 if it is not valid. */
ULONG nxhost_pool_payload_size(NX_PACKET_POOL *pool_ptr);

/* NX_TRUE if packet_ptr is an allocated packet of a valid pool. */
UINT nxhost_packet_valid(NX_PACKET *packet_ptr);

/* How many bytes nxhost_packet_fill can place in the packet: the room from
 * nx_packet_prepend_ptr to nx_packet_data_end. 0 if the packet is not valid. */
ULONG nxhost_packet_capacity(NX_PACKET *packet_ptr);

/*
 * Replaces the packet's data with length bytes from data, placed at
 * nx_packet_prepend_ptr; sets nx_packet_append_ptr and nx_packet_length and
 * writes a NUL after the data (inside the pool even when the data fills the
 * payload). data may be NULL only when length is 0, and may be
 * nx_packet_prepend_ptr itself, for data already written in place.
 *
 * NX_PTR_ERROR: not an allocated packet of a valid pool, or data NULL.
 * NX_INVALID_PACKET: the packet heads a chain.
 * NX_SIZE_ERROR: length exceeds nxhost_packet_capacity; nothing is copied.
 */
UINT nxhost_packet_fill(NX_PACKET *packet_ptr, const void *data, ULONG length);

#ifdef __cplusplus
}
#endif

#endif /* NX_HOST_INTERNAL_H */
