/*
 * nxd_dns.h - the NetX Duo DNS Client API, reproduced for a hosted (POSIX)
 * system. nx_dns.h, the name NetX gave it, includes this.
 *
 * Names, prototypes and status values follow NetX Duo 6.x so that an
 * application recompiles unchanged. Underneath, names are resolved by the
 * host's resolver (getaddrinfo: /etc/hosts, then the DNS servers the host
 * is configured with), so a board's address plan needs no DNS server on the
 * development machine. The server list is kept as NetX keeps it and a
 * lookup with an empty list fails with NX_DNS_NO_SERVER, as on the target,
 * but the servers in it are not the ones asked. The wait option is not a
 * bound on the lookup: the host resolver's own timeouts apply (resolv.conf).
 *
 * Addresses are in host byte order, as everywhere in NetX: the IPv4 address
 * of 127.0.0.1 is IP_ADDRESS(127, 0, 0, 1), and an IPv6 address is four
 * ULONGs, the most significant 32 bits first.
 */
#ifndef NXD_DNS_H
#define NXD_DNS_H

#include "nx_api.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Status values, NetX Duo's. */
#define NX_DNS_ERROR                    0xA0
#define NX_DNS_NO_SERVER                0xA1
#define NX_DNS_TIMEOUT                  0xA2
#define NX_DNS_QUERY_FAILED             0xA3
#define NX_DNS_BAD_ADDRESS_ERROR        0xA4
#define NX_DNS_SIZE_ERROR               0xA5
#define NX_DNS_MALFORMED_PACKET         0xA6
#define NX_DNS_BAD_ID_ERROR             0xA7
#define NX_DNS_PARAM_ERROR              0xA8
#define NX_DNS_SERVER_NOT_FOUND         0xA9
#define NX_DNS_PACKET_CREATE_ERROR      0xAA
#define NX_DNS_EMPTY_DNS_SERVER_LIST    0xAB
#define NX_DNS_SERVER_AUTH_ERROR        0xAC
#define NX_DNS_ZERO_GATEWAY_IP_ADDRESS  0xAD
#define NX_DNS_MISMATCHED_RESPONSE      0xAE
#define NX_DNS_DUPLICATE_ENTRY          0xAF
#define NX_DNS_RETRY_A_QUERY            0xB0
#define NX_DNS_IPV6_DISABLED_ERROR      0xB1
#define NX_DNS_INVALID_ADDRESS_TYPE     0xB2
#define NX_DNS_IPV6_NOT_SUPPORTED       0xB3
#define NX_DNS_NEED_MORE_RECORD_BUFFER  0xB4
#define NX_DNS_FEATURE_NOT_SUPPORTED    0xB5
#define NX_DNS_NAME_MISMATCH            0xB6
#define NX_DNS_CACHE_ERROR              0xB7

#define NX_DNS_ID                       ((ULONG)0x444E5320UL)

/* How many servers the client list holds. */
#ifndef NX_DNS_MAX_SERVERS
#define NX_DNS_MAX_SERVERS              5
#endif

/* The payload NetX sizes the client's packets for; kept for applications
 * that size a pool with it (the host sends no DNS packets). */
#ifndef NX_DNS_PACKET_PAYLOAD
#define NX_DNS_PACKET_PAYLOAD           (NX_UDP_PACKET + 512)
#endif
#ifndef NX_DNS_PACKET_POOL_SIZE
#define NX_DNS_PACKET_POOL_SIZE         (6 * (NX_DNS_PACKET_PAYLOAD + sizeof(NX_PACKET)))
#endif

/* A DNS client. */
typedef struct NX_DNS_STRUCT
{
    ULONG                   nx_dns_id;
    UCHAR                  *nx_dns_domain;
    NX_IP                  *nx_dns_ip_ptr;
    NXD_ADDRESS             nx_dns_server_ip_array[NX_DNS_MAX_SERVERS];
    NX_PACKET_POOL         *nx_dns_packet_pool_ptr;
    struct NX_DNS_STRUCT   *nx_dns_created_next;
} NX_DNS;

/* The records nxd_dns_ipv6_address_by_name_get stores. */
typedef struct NX_DNS_IPV6_ADDRESS_STRUCT
{
    ULONG                   ipv6_address[4];
} NX_DNS_IPV6_ADDRESS;

UINT nx_dns_create(NX_DNS *dns_ptr, NX_IP *ip_ptr, UCHAR *domain_name);
UINT nx_dns_delete(NX_DNS *dns_ptr);
UINT nx_dns_packet_pool_set(NX_DNS *dns_ptr, NX_PACKET_POOL *packet_pool_ptr);

UINT nx_dns_server_add(NX_DNS *dns_ptr, ULONG server_address);
UINT nxd_dns_server_add(NX_DNS *dns_ptr, NXD_ADDRESS *dns_server_address);
UINT nx_dns_server_remove(NX_DNS *dns_ptr, ULONG server_address);
UINT nxd_dns_server_remove(NX_DNS *dns_ptr, NXD_ADDRESS *dns_server_address);
UINT nx_dns_server_remove_all(NX_DNS *dns_ptr);
UINT nx_dns_server_get(NX_DNS *dns_ptr, UINT index, ULONG *dns_server_address);
UINT nxd_dns_server_get(NX_DNS *dns_ptr, UINT index, NXD_ADDRESS *dns_server_address);
UINT nx_dns_get_serverlist_size(NX_DNS *dns_ptr, UINT *size);

/* The first address of host_name: IPv4 (nx_), or of the lookup_type
 * NX_IP_VERSION_V4 or NX_IP_VERSION_V6 (nxd_). */
UINT nx_dns_host_by_name_get(NX_DNS *dns_ptr, UCHAR *host_name, ULONG *host_address_ptr, ULONG wait_option);
UINT nxd_dns_host_by_name_get(NX_DNS *dns_ptr, UCHAR *host_name, NXD_ADDRESS *host_address_ptr, ULONG wait_option,
                              UINT lookup_type);
/* Every address of host_name, as many as fit in buffer: ULONGs (IPv4) or
 * NX_DNS_IPV6_ADDRESS records; *record_count says how many. */
UINT nx_dns_ipv4_address_by_name_get(NX_DNS *dns_ptr, UCHAR *host_name, VOID *buffer, UINT buffer_size,
                                     UINT *record_count, ULONG wait_option);
UINT nxd_dns_ipv6_address_by_name_get(NX_DNS *dns_ptr, UCHAR *host_name, VOID *buffer, UINT buffer_size,
                                      UINT *record_count, ULONG wait_option);

#ifdef __cplusplus
}
#endif

#endif /* NXD_DNS_H */
