/*
 * nx_api.h - the part of the NetX Duo base API that POP3 applications use,
 * reproduced for a hosted (POSIX) system.
 *
 * Names, prototypes and values follow NetX Duo 6.x so that application code
 * recompiles unchanged. What differs is underneath: the host operating system
 * does the networking, so an IP instance only records its settings, and the
 * link driver is never called for traffic. Packet pools are real: they carve
 * packets out of the caller's memory exactly as NetX does, and are safe to use
 * from several threads.
 */
#ifndef NX_API_H
#define NX_API_H

#include <pthread.h>
/* As the vendor's nx_port.h does: code written for NetX (the vendor's own
 * samples among it) calls printf, memset, memcpy and malloc having included
 * only nx_api.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nx_host_types.h"

/* As the vendor's nx_api.h does: NetX applications call ThreadX services
 * (tx_thread_create, tx_thread_sleep, ...) having included only nx_api.h. */
#include "tx_api.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Basic constants. NX_NULL is a plain 0 rather than ((void *)0) so that it
 * converts to any pointer type in C++ as well. */
#define NX_TRUE                 1
#define NX_FALSE                0
#define NX_NULL                 0

#define NX_NO_WAIT              0
#define NX_WAIT_FOREVER         ((ULONG)0xFFFFFFFF)

/* Wait options are counted in ticks. The host library measures them at this
 * fixed rate, so it is not overridable as a ThreadX port's rate would be. */
#define NX_IP_PERIODIC_RATE     100

#define NX_PARAMETER_NOT_USED(p) ((void)(p))

#define NX_IP_VERSION_V4        0x4
#define NX_IP_VERSION_V6        0x6

/* a is the most significant byte: addresses are in host byte order. */
#define IP_ADDRESS(a, b, c, d) ((((ULONG)(a)) << 24) | (((ULONG)(b)) << 16) | \
                                (((ULONG)(c)) << 8) | ((ULONG)(d)))

/* Packet types: the room left in front of the data for protocol headers.
 * The values are the vendor's; the host stack builds no headers, so they only
 * decide where nx_packet_prepend_ptr starts in a newly allocated packet. */
#ifndef NX_PHYSICAL_HEADER
#define NX_PHYSICAL_HEADER      16
#endif
#ifndef NX_PHYSICAL_TRAILER
#define NX_PHYSICAL_TRAILER     4
#endif
#define NX_RECEIVE_PACKET       0
#define NX_IPv4_PACKET          (NX_PHYSICAL_HEADER + 20)
#define NX_IPv4_TCP_PACKET      (NX_IPv4_PACKET + 20)
#define NX_IPv4_UDP_PACKET      (NX_IPv4_PACKET + 8)
#define NX_IPv4_ICMP_PACKET     (NX_IPv4_PACKET)
#define NX_IPv6_PACKET          (NX_PHYSICAL_HEADER + 40)
#define NX_IPv6_TCP_PACKET      (NX_IPv6_PACKET + 20)
#define NX_IPv6_UDP_PACKET      (NX_IPv6_PACKET + 8)
/* The NetX (non-Duo) spellings, still common in older applications. */
#define NX_IP_PACKET            NX_IPv4_PACKET
#define NX_TCP_PACKET           NX_IPv4_TCP_PACKET
#define NX_UDP_PACKET           NX_IPv4_UDP_PACKET
#define NX_ICMP_PACKET          NX_IPv4_ICMP_PACKET

/* Object ids: a created object carries its id, a deleted one has it cleared. */
#define NX_PACKET_POOL_ID       ((ULONG)0x5041434B)
#define NX_IP_ID                ((ULONG)0x49502020)

/* Service return values. */
#define NX_SUCCESS              0x00
#define NX_NO_PACKET            0x01
#define NX_UNDERFLOW            0x02
#define NX_OVERFLOW             0x03
#define NX_NO_MAPPING           0x04
#define NX_DELETED              0x05
#define NX_POOL_ERROR           0x06
#define NX_PTR_ERROR            0x07
#define NX_WAIT_ERROR           0x08
#define NX_SIZE_ERROR           0x09
#define NX_OPTION_ERROR         0x0A
#define NX_DELETE_ERROR         0x10
#define NX_CALLER_ERROR         0x11
#define NX_INVALID_PACKET       0x12
#define NX_INVALID_SOCKET       0x13
#define NX_NOT_ENABLED          0x14
#define NX_ALREADY_ENABLED      0x15
#define NX_ENTRY_NOT_FOUND      0x16
#define NX_NO_MORE_ENTRIES      0x17
#define NX_ARP_TIMER_ERROR      0x18
#define NX_RESERVED_CODE0       0x19
#define NX_WAIT_ABORTED         0x1A
#define NX_IP_INTERNAL_ERROR    0x20
#define NX_IP_ADDRESS_ERROR     0x21
#define NX_ALREADY_BOUND        0x22
#define NX_PORT_UNAVAILABLE     0x23
#define NX_NOT_BOUND            0x24
#define NX_RESERVED_CODE1       0x25
#define NX_SOCKET_UNBOUND       0x26
#define NX_NOT_CREATED          0x27
#define NX_SOCKETS_BOUND        0x28
#define NX_NO_RESPONSE          0x29
#define NX_POOL_DELETED         0x30
#define NX_ALREADY_RELEASED     0x31
#define NX_RESERVED_CODE2       0x32
#define NX_MAX_LISTEN           0x33
#define NX_DUPLICATE_LISTEN     0x34
#define NX_NOT_CLOSED           0x35
#define NX_NOT_LISTEN_STATE     0x36
#define NX_IN_PROGRESS          0x37
#define NX_NOT_CONNECTED        0x38
#define NX_WINDOW_OVERFLOW      0x39
#define NX_ALREADY_SUSPENDED    0x40
#define NX_DISCONNECT_FAILED    0x41
#define NX_STILL_BOUND          0x42
#define NX_NOT_SUCCESSFUL       0x43
#define NX_UNHANDLED_COMMAND    0x44
#define NX_NO_FREE_PORTS        0x45
#define NX_INVALID_PORT         0x46
#define NX_INVALID_RELISTEN     0x47
#define NX_CONNECTION_PENDING   0x48
#define NX_TX_QUEUE_DEPTH       0x49
#define NX_NOT_IMPLEMENTED      0x4A
#define NX_NOT_SUPPORTED        0x4B
#define NX_INVALID_INTERFACE    0x4C
#define NX_INVALID_PARAMETERS   0x4D
#define NX_NOT_FOUND            0x4E
#define NX_CANNOT_START         0x4F
#define NX_NO_INTERFACE_ADDRESS 0x50
#define NX_INVALID_MTU_DATA     0x51
#define NX_DUPLICATED_ENTRY     0x52
#define NX_PACKET_OFFSET_ERROR  0x53
#define NX_OPTION_HEADER_ERROR  0x54
#define NX_CONTINUE             0x55

/* Link driver commands, for applications that supply their own driver. */
#define NX_LINK_PACKET_SEND          0
#define NX_LINK_INITIALIZE           1
#define NX_LINK_ENABLE               2
#define NX_LINK_DISABLE              3
#define NX_LINK_PACKET_BROADCAST     4
#define NX_LINK_ARP_SEND             5
#define NX_LINK_ARP_RESPONSE_SEND    6
#define NX_LINK_RARP_SEND            7
#define NX_LINK_MULTICAST_JOIN       8
#define NX_LINK_MULTICAST_LEAVE      9
#define NX_LINK_GET_STATUS           10
#define NX_LINK_GET_SPEED            11
#define NX_LINK_GET_DUPLEX_TYPE      12
#define NX_LINK_GET_ERROR_COUNT      13
#define NX_LINK_GET_RX_COUNT         14
#define NX_LINK_GET_TX_COUNT         15
#define NX_LINK_GET_ALLOC_ERRORS     16
#define NX_LINK_UNINITIALIZE         17
#define NX_LINK_DEFERRED_PROCESSING  18
#define NX_LINK_INTERFACE_ATTACH     19
#define NX_LINK_SET_PHYSICAL_ADDRESS 20
#define NX_LINK_INTERFACE_DETACH     23
#define NX_LINK_USER_COMMAND         50

/* An IPv4 or IPv6 address, in host byte order; v6[0] holds the most
 * significant 32 bits. */
typedef struct NXD_ADDRESS_STRUCT
{
    ULONG nxd_ip_version;
    union
    {
        ULONG v4;
        ULONG v6[4];
    } nxd_ip_address;
} NXD_ADDRESS;

struct NX_PACKET_POOL_STRUCT;
struct NX_IP_STRUCT;
struct NX_INTERFACE_STRUCT;
struct NX_IP_DRIVER_STRUCT;

/*
 * A packet. Applications read and move the vendor's fields; the others belong
 * to the library.
 *
 * Unlike NetX, a packet's payload comes before its header in pool memory, and
 * nx_packet_host_terminator, the first member, lies right after
 * nx_packet_data_end. Its first byte is always 0, so data that fills the
 * payload completely is still followed by a NUL inside the pool, and
 * printf("%s", nx_packet_prepend_ptr) stays in bounds, at no cost in packets
 * per pool.
 */
typedef struct NX_PACKET_STRUCT
{
    ULONG                         nx_packet_host_terminator;

    struct NX_PACKET_POOL_STRUCT *nx_packet_pool_owner;
    struct NX_PACKET_STRUCT      *nx_packet_next;
    UCHAR                        *nx_packet_prepend_ptr;
    UCHAR                        *nx_packet_append_ptr;
    UCHAR                        *nx_packet_data_start;
    UCHAR                        *nx_packet_data_end;
    struct NX_PACKET_STRUCT      *nx_packet_last;
    struct NX_PACKET_STRUCT      *nx_packet_queue_next;
    ULONG                         nx_packet_length;
    UCHAR                         nx_packet_ip_version;
    UCHAR                         nx_packet_reserved[3];

    /* Free or allocated: a release is accepted only from "allocated", which
     * is what keeps a double release from corrupting the free list. */
    ULONG                         nx_packet_host_state;
} NX_PACKET;

/* A packet pool. The mutex and condition variable make it safe to share
 * between threads; a thread waiting for a packet sleeps on the condition. */
typedef struct NX_PACKET_POOL_STRUCT
{
    ULONG                         nx_packet_pool_id;
    CHAR                         *nx_packet_pool_name;
    ULONG                         nx_packet_pool_available;
    ULONG                         nx_packet_pool_total;
    ULONG                         nx_packet_pool_empty_requests;
    ULONG                         nx_packet_pool_empty_suspensions;
    ULONG                         nx_packet_pool_invalid_releases;
    NX_PACKET                    *nx_packet_pool_available_list;
    CHAR                         *nx_packet_pool_start;
    ULONG                         nx_packet_pool_size;
    ULONG                         nx_packet_pool_payload_size;
    ULONG                         nx_packet_pool_suspended_count;
    struct NX_PACKET_POOL_STRUCT *nx_packet_pool_created_next;

    /* Distance between two packets, and the first packet's header: together
     * they tell whether a pointer names a packet of this pool. */
    ULONG                         nx_packet_pool_host_stride;
    CHAR                         *nx_packet_pool_host_first;
    UINT                          nx_packet_pool_host_deleted;
    pthread_mutex_t               nx_packet_pool_host_mutex;
    pthread_cond_t                nx_packet_pool_host_cond;
} NX_PACKET_POOL;

/* An IP instance: what the application configured. */
typedef struct NX_IP_STRUCT
{
    ULONG                         nx_ip_id;
    CHAR                         *nx_ip_name;
    ULONG                         nx_ip_address;
    ULONG                         nx_ip_network_mask;
    NX_PACKET_POOL               *nx_ip_default_packet_pool;
    VOID                        (*nx_ip_link_driver_entry)(struct NX_IP_DRIVER_STRUCT *);
    VOID                         *nx_ip_memory_ptr;
    ULONG                         nx_ip_memory_size;
    UINT                          nx_ip_priority;
    VOID                         *nx_ip_arp_cache_memory;
    ULONG                         nx_ip_arp_cache_size;
    UINT                          nx_ip_arp_enabled;
    UINT                          nx_ip_icmp_enabled;
    UINT                          nx_ip_tcp_enabled;
    struct NX_IP_STRUCT          *nx_ip_created_next;
    UINT                          nx_ip_udp_enabled;
    UINT                          nx_ip_fragment_enabled;
} NX_IP;

/* A request to a link driver. */
typedef struct NX_IP_DRIVER_STRUCT
{
    UINT                          nx_ip_driver_command;
    UINT                          nx_ip_driver_status;
    ULONG                         nx_ip_driver_physical_address_msw;
    ULONG                         nx_ip_driver_physical_address_lsw;
    NX_PACKET                    *nx_ip_driver_packet;
    ULONG                        *nx_ip_driver_return_ptr;
    struct NX_IP_STRUCT          *nx_ip_driver_ptr;
    struct NX_INTERFACE_STRUCT   *nx_ip_driver_interface;
} NX_IP_DRIVER;

VOID nx_system_initialize(VOID);

UINT nx_ip_create(NX_IP *ip_ptr, CHAR *name, ULONG ip_address, ULONG network_mask, NX_PACKET_POOL *default_pool, VOID (*ip_link_driver)(struct NX_IP_DRIVER_STRUCT *), VOID *memory_ptr, ULONG memory_size, UINT priority);
UINT nx_ip_delete(NX_IP *ip_ptr);
UINT nx_arp_enable(NX_IP *ip_ptr, VOID *arp_cache_memory, ULONG arp_cache_size);
UINT nx_icmp_enable(NX_IP *ip_ptr);
UINT nx_tcp_enable(NX_IP *ip_ptr);
UINT nx_udp_enable(NX_IP *ip_ptr);

/* IP status bits of nx_ip_status_check. On a host the link is whatever the
 * host has, so an IP instance is initialized, resolved and linked from its
 * creation; the ARP, UDP and TCP bits follow their enable calls. IGMP and
 * RARP are never set. */
#define NX_IP_INITIALIZE_DONE        0x0001
#define NX_IP_ADDRESS_RESOLVED       0x0002
#define NX_IP_LINK_ENABLED           0x0004
#define NX_IP_ARP_ENABLED            0x0008
#define NX_IP_UDP_ENABLED            0x0010
#define NX_IP_TCP_ENABLED            0x0020
#define NX_IP_IGMP_ENABLED           0x0040
#define NX_IP_RARP_COMPLETE          0x0080
#define NX_IP_INTERFACE_LINK_ENABLED 0x0100

/* Waits up to wait_option ticks for every bit of needed_status; the bits
 * asked for that are set go to *actual_status. NX_NOT_SUCCESSFUL when they
 * do not all come up in time, NX_OPTION_ERROR for no or unknown bits. */
UINT nx_ip_status_check(NX_IP *ip_ptr, ULONG needed_status, ULONG *actual_status, ULONG wait_option);
/* The address and mask are recorded: the host's own addresses do the
 * networking. */
UINT nx_ip_address_get(NX_IP *ip_ptr, ULONG *ip_address, ULONG *network_mask);
UINT nx_ip_address_set(NX_IP *ip_ptr, ULONG ip_address, ULONG network_mask);
/* Fragmentation is the host's; the setting is recorded. */
UINT nx_ip_fragment_enable(NX_IP *ip_ptr);
UINT nx_ip_fragment_disable(NX_IP *ip_ptr);

UINT nx_packet_pool_create(NX_PACKET_POOL *pool_ptr, CHAR *name, ULONG payload_size, VOID *memory_ptr, ULONG memory_size);
UINT nx_packet_pool_delete(NX_PACKET_POOL *pool_ptr);
UINT nx_packet_pool_info_get(NX_PACKET_POOL *pool_ptr, ULONG *total_packets, ULONG *free_packets, ULONG *empty_pool_requests, ULONG *empty_pool_suspensions, ULONG *invalid_packet_releases);
UINT nx_packet_allocate(NX_PACKET_POOL *pool_ptr, NX_PACKET **packet_ptr, ULONG packet_type, ULONG wait_option);
UINT nx_packet_release(NX_PACKET *packet_ptr);
UINT nx_packet_data_retrieve(NX_PACKET *packet_ptr, VOID *buffer_start, ULONG *bytes_copied);
UINT nx_packet_data_extract_offset(NX_PACKET *packet_ptr, ULONG offset, VOID *buffer_start, ULONG buffer_length, ULONG *bytes_copied);
UINT nx_packet_length_get(NX_PACKET *packet_ptr, ULONG *length);
/* Appends data after the last packet of the chain, chaining packets from
 * pool_ptr when it does not fit; nothing changes unless all of it fits. */
UINT nx_packet_data_append(NX_PACKET *packet_ptr, VOID *data_start, ULONG data_size, NX_PACKET_POOL *pool_ptr, ULONG wait_option);
/* Copies a packet (every packet of its chain) into new packets from
 * pool_ptr, keeping the data's offset in the first one. */
UINT nx_packet_copy(NX_PACKET *packet_ptr, NX_PACKET **new_packet_ptr, NX_PACKET_POOL *pool_ptr, ULONG wait_option);

/* A link driver that does nothing: the host's own network stack carries the
 * traffic. Pass it to nx_ip_create. */
VOID _nx_ram_network_driver(struct NX_IP_DRIVER_STRUCT *driver_req);

#ifdef __cplusplus
}
#endif

#endif /* NX_API_H */
