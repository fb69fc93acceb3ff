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

#ifdef __cplusplus
}
#endif

#endif /* NX_HOST_INTERNAL_H */
