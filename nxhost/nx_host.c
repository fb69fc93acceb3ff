/*
 * nx_host.c - the NetX Duo base services that POP3 applications call, on a
 * POSIX host.
 *
 * Locking: one registry mutex guards the lists of created pools and IP
 * instances, and every check that an object is still created happens under
 * it, so a delete cannot slip between the check and the use. Each pool also
 * has its own mutex and condition variable for its free list, so a thread
 * waiting for a packet holds only its pool's mutex. Lock order: registry,
 * then pool.
 */

/* For clock_gettime and pthread_condattr_setclock under -std=c99. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "nx_host_internal.h"
#include "tx_host_internal.h"

/* Packet states, chosen to be unlikely in memory that never held a packet. */
#define NXHOST_PACKET_FREE      ((ULONG)0x46524545)
#define NXHOST_PACKET_ALLOCATED ((ULONG)0x414C4C43)

/* Headers and payloads start on this boundary: pointers in NX_PACKET need it,
 * and NetX aligns payloads at least to a ULONG. */
#define NXHOST_ALIGN (sizeof(void *) > sizeof(ULONG) ? sizeof(void *) : sizeof(ULONG))

/* NetX requires a packet type to be a multiple of its 32-bit ULONG. Ours is
 * 64 bits wide, and a multiple of 8 would refuse NX_IPv4_PACKET and
 * NX_IPv6_TCP_PACKET, so the rule is kept at 4 bytes. */
#define NXHOST_PACKET_TYPE_ALIGN 4

/* nx_ip_create's limits come from ThreadX, where the memory is the IP
 * thread's stack. The host runs no IP thread but keeps the checks so that an
 * application which fails on the target also fails here. */
#define NXHOST_MINIMUM_STACK  200
#define NXHOST_MAX_PRIORITIES 32

#define NXHOST_TICK_NS (1000000000L / NX_IP_PERIODIC_RATE)

static pthread_mutex_t  nxhost_registry = PTHREAD_MUTEX_INITIALIZER;
static NX_PACKET_POOL  *nxhost_pools;
static NX_IP           *nxhost_ips;

static uintptr_t nxhost_align_up(uintptr_t v)
{
    return (v + NXHOST_ALIGN - 1) / NXHOST_ALIGN * NXHOST_ALIGN;
}

/* Whether [a, a+alen) and [b, b+blen) share a byte. */
static int nxhost_overlap(const void *a, ULONG alen, const void *b, ULONG blen)
{
    uintptr_t as = (uintptr_t)a, bs = (uintptr_t)b;

    return as < bs + blen && bs < as + alen;
}

/* Registry held. Membership, not the id alone, decides: memory that was
 * never a pool may hold the id by chance. */
static int nxhost_pool_registered(const NX_PACKET_POOL *pool_ptr)
{
    const NX_PACKET_POOL *p;

    for (p = nxhost_pools; p != NX_NULL; p = p->nx_packet_pool_created_next)
    {
        if (p == pool_ptr)
        {
            return p->nx_packet_pool_id == NX_PACKET_POOL_ID;
        }
    }
    return 0;
}

static int nxhost_ip_registered(const NX_IP *ip_ptr)
{
    const NX_IP *p;

    for (p = nxhost_ips; p != NX_NULL; p = p->nx_ip_created_next)
    {
        if (p == ip_ptr)
        {
            return p->nx_ip_id == NX_IP_ID;
        }
    }
    return 0;
}

/* Registry held. The pool that owns packet_ptr if it is really one of that
 * pool's packet headers, else NULL; this keeps a stray pointer from being
 * linked into a free list. */
static NX_PACKET_POOL *nxhost_packet_pool(const NX_PACKET *packet_ptr)
{
    NX_PACKET_POOL *pool_ptr;
    uintptr_t       first, addr;

    if (packet_ptr == NX_NULL)
    {
        return NX_NULL;
    }
    pool_ptr = packet_ptr->nx_packet_pool_owner;
    if (pool_ptr == NX_NULL || !nxhost_pool_registered(pool_ptr))
    {
        return NX_NULL;
    }
    first = (uintptr_t)pool_ptr->nx_packet_pool_host_first;
    addr = (uintptr_t)packet_ptr;
    if (addr < first || (addr - first) % pool_ptr->nx_packet_pool_host_stride != 0 ||
        (addr - first) / pool_ptr->nx_packet_pool_host_stride >= pool_ptr->nx_packet_pool_total)
    {
        return NX_NULL;
    }
    return pool_ptr;
}

/* A chain that loops back on itself would make every walk endless; Floyd's
 * two pointers find the loop without knowing the chain's length. */
static int nxhost_chain_loops(const NX_PACKET *head)
{
    const NX_PACKET *slow = head, *fast = head;

    while (fast != NX_NULL && fast->nx_packet_next != NX_NULL)
    {
        slow = slow->nx_packet_next;
        fast = fast->nx_packet_next->nx_packet_next;
        if (slow == fast)
        {
            return 1;
        }
    }
    return 0;
}

/* A chain the data services can walk: finite, and no fragment ending before
 * it starts. */
static UINT nxhost_chain_check(const NX_PACKET *head)
{
    const NX_PACKET *pkt;

    if (nxhost_chain_loops(head))
    {
        return NX_INVALID_PACKET;
    }
    for (pkt = head; pkt != NX_NULL; pkt = pkt->nx_packet_next)
    {
        if (pkt->nx_packet_append_ptr < pkt->nx_packet_prepend_ptr)
        {
            return NX_INVALID_PACKET;
        }
    }
    return NX_SUCCESS;
}

static void nxhost_deadline(ULONG ticks, struct timespec *ts)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += (time_t)(ticks / NX_IP_PERIODIC_RATE);
    ts->tv_nsec += (long)(ticks % NX_IP_PERIODIC_RATE) * NXHOST_TICK_NS;
    if (ts->tv_nsec >= 1000000000L)
    {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

VOID nx_system_initialize(VOID)
{
    /* Everything it would set up is statically initialized; NetX
     * applications call it first, and calling it again is harmless. */
}

UINT nx_packet_pool_create(NX_PACKET_POOL *pool_ptr, CHAR *name, ULONG payload_size, VOID *memory_ptr, ULONG memory_size)
{
    uintptr_t           start, header, slot_payload, stride, usable, skew;
    ULONG               count, i;
    NX_PACKET_POOL     *p;
    NX_PACKET          *prev = NX_NULL;
    pthread_condattr_t  attr;

    if (pool_ptr == NX_NULL || memory_ptr == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    if (payload_size == 0 || memory_size <= NXHOST_ALIGN ||
        memory_size > UINTPTR_MAX - (uintptr_t)memory_ptr)
    {
        return NX_SIZE_ERROR;
    }

    start = nxhost_align_up((uintptr_t)memory_ptr);
    skew = start - (uintptr_t)memory_ptr;
    if (memory_size <= skew)
    {
        return NX_SIZE_ERROR;
    }
    usable = (memory_size - skew) / NXHOST_ALIGN * NXHOST_ALIGN;
    header = nxhost_align_up(sizeof(NX_PACKET));
    if (payload_size > usable)
    {
        return NX_SIZE_ERROR;
    }
    /* Payload first, header after: the header's first member then follows
     * the payload, and its zero first byte terminates any string in it. */
    slot_payload = nxhost_align_up(payload_size);
    stride = slot_payload + header;
    if (stride > usable)
    {
        return NX_SIZE_ERROR;
    }
    count = (ULONG)(usable / stride);

    pthread_mutex_lock(&nxhost_registry);
    for (p = nxhost_pools; p != NX_NULL; p = p->nx_packet_pool_created_next)
    {
        if (p == pool_ptr ||
            nxhost_overlap(memory_ptr, memory_size, p->nx_packet_pool_start, p->nx_packet_pool_size) ||
            nxhost_overlap(pool_ptr, sizeof(*pool_ptr), p->nx_packet_pool_start, p->nx_packet_pool_size))
        {
            pthread_mutex_unlock(&nxhost_registry);
            return NX_PTR_ERROR;
        }
    }
    if (nxhost_overlap(pool_ptr, sizeof(*pool_ptr), memory_ptr, memory_size))
    {
        pthread_mutex_unlock(&nxhost_registry);
        return NX_PTR_ERROR;
    }

    memset(pool_ptr, 0, sizeof(*pool_ptr));
    if (pthread_mutex_init(&pool_ptr->nx_packet_pool_host_mutex, NX_NULL) != 0)
    {
        pthread_mutex_unlock(&nxhost_registry);
        return NX_POOL_ERROR;
    }
    /* Timeouts are relative, so measure them on a clock that does not jump
     * when the wall clock is set. */
    if (pthread_condattr_init(&attr) != 0)
    {
        pthread_mutex_destroy(&pool_ptr->nx_packet_pool_host_mutex);
        pthread_mutex_unlock(&nxhost_registry);
        return NX_POOL_ERROR;
    }
    if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 ||
        pthread_cond_init(&pool_ptr->nx_packet_pool_host_cond, &attr) != 0)
    {
        pthread_condattr_destroy(&attr);
        pthread_mutex_destroy(&pool_ptr->nx_packet_pool_host_mutex);
        pthread_mutex_unlock(&nxhost_registry);
        return NX_POOL_ERROR;
    }
    pthread_condattr_destroy(&attr);

    /* Build the free list in address order, so packets come out first to
     * last as they do in NetX. */
    for (i = 0; i < count; i++)
    {
        UCHAR     *base = (UCHAR *)(start + i * stride);
        NX_PACKET *pkt = (NX_PACKET *)(void *)(base + slot_payload);

        memset(pkt, 0, sizeof(*pkt));
        /* The padding after an unaligned payload holds its terminator. */
        memset(base + payload_size, 0, (size_t)(slot_payload - payload_size));
        pkt->nx_packet_pool_owner = pool_ptr;
        pkt->nx_packet_data_start = base;
        pkt->nx_packet_data_end = base + payload_size;
        pkt->nx_packet_prepend_ptr = base;
        pkt->nx_packet_append_ptr = base;
        pkt->nx_packet_host_state = NXHOST_PACKET_FREE;
        if (prev == NX_NULL)
        {
            pool_ptr->nx_packet_pool_available_list = pkt;
        }
        else
        {
            prev->nx_packet_queue_next = pkt;
        }
        prev = pkt;
    }

    pool_ptr->nx_packet_pool_name = name;
    pool_ptr->nx_packet_pool_available = count;
    pool_ptr->nx_packet_pool_total = count;
    pool_ptr->nx_packet_pool_start = (CHAR *)start;
    pool_ptr->nx_packet_pool_size = (ULONG)usable;
    pool_ptr->nx_packet_pool_payload_size = payload_size;
    pool_ptr->nx_packet_pool_host_stride = (ULONG)stride;
    pool_ptr->nx_packet_pool_host_first = (CHAR *)(start + slot_payload);
    pool_ptr->nx_packet_pool_id = NX_PACKET_POOL_ID;
    pool_ptr->nx_packet_pool_created_next = nxhost_pools;
    nxhost_pools = pool_ptr;
    pthread_mutex_unlock(&nxhost_registry);
    return NX_SUCCESS;
}

UINT nx_packet_pool_delete(NX_PACKET_POOL *pool_ptr)
{
    NX_PACKET_POOL **link;

    if (pool_ptr == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    pthread_mutex_lock(&nxhost_registry);
    if (!nxhost_pool_registered(pool_ptr))
    {
        pthread_mutex_unlock(&nxhost_registry);
        return NX_PTR_ERROR;
    }
    for (link = &nxhost_pools; *link != pool_ptr; link = &(*link)->nx_packet_pool_created_next)
    {
    }
    *link = pool_ptr->nx_packet_pool_created_next;
    pool_ptr->nx_packet_pool_created_next = NX_NULL;
    pool_ptr->nx_packet_pool_id = 0;

    /* Threads waiting for a packet return NX_POOL_DELETED, as in NetX. The
     * mutex and condition may be destroyed only once the last one has left:
     * the caller may reuse the pool's memory as soon as this returns. */
    pthread_mutex_lock(&pool_ptr->nx_packet_pool_host_mutex);
    pool_ptr->nx_packet_pool_host_deleted = NX_TRUE;
    pthread_cond_broadcast(&pool_ptr->nx_packet_pool_host_cond);
    while (pool_ptr->nx_packet_pool_suspended_count > 0)
    {
        pthread_cond_wait(&pool_ptr->nx_packet_pool_host_cond, &pool_ptr->nx_packet_pool_host_mutex);
    }
    pthread_mutex_unlock(&pool_ptr->nx_packet_pool_host_mutex);
    pthread_cond_destroy(&pool_ptr->nx_packet_pool_host_cond);
    pthread_mutex_destroy(&pool_ptr->nx_packet_pool_host_mutex);
    pthread_mutex_unlock(&nxhost_registry);
    return NX_SUCCESS;
}

UINT nx_packet_pool_info_get(NX_PACKET_POOL *pool_ptr, ULONG *total_packets, ULONG *free_packets, ULONG *empty_pool_requests, ULONG *empty_pool_suspensions, ULONG *invalid_packet_releases)
{
    pthread_mutex_lock(&nxhost_registry);
    if (pool_ptr == NX_NULL || !nxhost_pool_registered(pool_ptr))
    {
        pthread_mutex_unlock(&nxhost_registry);
        return NX_PTR_ERROR;
    }
    pthread_mutex_lock(&pool_ptr->nx_packet_pool_host_mutex);
    pthread_mutex_unlock(&nxhost_registry);
    if (total_packets != NX_NULL)
    {
        *total_packets = pool_ptr->nx_packet_pool_total;
    }
    if (free_packets != NX_NULL)
    {
        *free_packets = pool_ptr->nx_packet_pool_available;
    }
    if (empty_pool_requests != NX_NULL)
    {
        *empty_pool_requests = pool_ptr->nx_packet_pool_empty_requests;
    }
    if (empty_pool_suspensions != NX_NULL)
    {
        *empty_pool_suspensions = pool_ptr->nx_packet_pool_empty_suspensions;
    }
    if (invalid_packet_releases != NX_NULL)
    {
        *invalid_packet_releases = pool_ptr->nx_packet_pool_invalid_releases;
    }
    pthread_mutex_unlock(&pool_ptr->nx_packet_pool_host_mutex);
    return NX_SUCCESS;
}

UINT nx_packet_allocate(NX_PACKET_POOL *pool_ptr, NX_PACKET **packet_ptr, ULONG packet_type, ULONG wait_option)
{
    NX_PACKET       *pkt;
    struct timespec  deadline;
    int              rc = 0;

    if (pool_ptr == NX_NULL || packet_ptr == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    pthread_mutex_lock(&nxhost_registry);
    if (!nxhost_pool_registered(pool_ptr))
    {
        pthread_mutex_unlock(&nxhost_registry);
        return NX_PTR_ERROR;
    }
    if (packet_type % NXHOST_PACKET_TYPE_ALIGN != 0)
    {
        pthread_mutex_unlock(&nxhost_registry);
        return NX_OPTION_ERROR;
    }
    if (packet_type > pool_ptr->nx_packet_pool_payload_size)
    {
        pthread_mutex_unlock(&nxhost_registry);
        return NX_INVALID_PARAMETERS;
    }
    pthread_mutex_lock(&pool_ptr->nx_packet_pool_host_mutex);
    pthread_mutex_unlock(&nxhost_registry);

    *packet_ptr = NX_NULL;
    if (pool_ptr->nx_packet_pool_available == 0)
    {
        pool_ptr->nx_packet_pool_empty_requests++;
        if (wait_option == NX_NO_WAIT)
        {
            pthread_mutex_unlock(&pool_ptr->nx_packet_pool_host_mutex);
            return NX_NO_PACKET;
        }
        pool_ptr->nx_packet_pool_empty_suspensions++;
        pool_ptr->nx_packet_pool_suspended_count++;
        if (wait_option != NX_WAIT_FOREVER)
        {
            nxhost_deadline(wait_option, &deadline);
        }
        while (pool_ptr->nx_packet_pool_available == 0 && !pool_ptr->nx_packet_pool_host_deleted && rc != ETIMEDOUT)
        {
            if (wait_option == NX_WAIT_FOREVER)
            {
                rc = pthread_cond_wait(&pool_ptr->nx_packet_pool_host_cond, &pool_ptr->nx_packet_pool_host_mutex);
            }
            else
            {
                rc = pthread_cond_timedwait(&pool_ptr->nx_packet_pool_host_cond, &pool_ptr->nx_packet_pool_host_mutex, &deadline);
            }
        }
        pool_ptr->nx_packet_pool_suspended_count--;
        if (pool_ptr->nx_packet_pool_host_deleted)
        {
            /* The deleting thread waits for the last waiter to leave. */
            pthread_cond_broadcast(&pool_ptr->nx_packet_pool_host_cond);
            pthread_mutex_unlock(&pool_ptr->nx_packet_pool_host_mutex);
            return NX_POOL_DELETED;
        }
        if (pool_ptr->nx_packet_pool_available == 0)
        {
            pthread_mutex_unlock(&pool_ptr->nx_packet_pool_host_mutex);
            return NX_NO_PACKET;
        }
    }

    pkt = pool_ptr->nx_packet_pool_available_list;
    pool_ptr->nx_packet_pool_available_list = pkt->nx_packet_queue_next;
    pool_ptr->nx_packet_pool_available--;

    pkt->nx_packet_queue_next = NX_NULL;
    pkt->nx_packet_next = NX_NULL;
    pkt->nx_packet_last = NX_NULL;
    pkt->nx_packet_length = 0;
    pkt->nx_packet_prepend_ptr = pkt->nx_packet_data_start + packet_type;
    pkt->nx_packet_append_ptr = pkt->nx_packet_prepend_ptr;
    pkt->nx_packet_ip_version = NX_IP_VERSION_V4;
    pkt->nx_packet_host_terminator = 0;
    /* An empty packet reads as an empty string. */
    *pkt->nx_packet_prepend_ptr = 0;
    pkt->nx_packet_host_state = NXHOST_PACKET_ALLOCATED;
    *packet_ptr = pkt;
    pthread_mutex_unlock(&pool_ptr->nx_packet_pool_host_mutex);
    return NX_SUCCESS;
}

UINT nx_packet_release(NX_PACKET *packet_ptr)
{
    NX_PACKET      *pkt, *next;
    NX_PACKET_POOL *pool_ptr;
    ULONG           state;
    UINT            status = NX_SUCCESS;

    if (packet_ptr == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    pthread_mutex_lock(&nxhost_registry);

    /* Check the whole chain before freeing any of it, so an error leaves
     * every packet as it was. The registry lock keeps other releases out
     * until the chain is back in its pools. */
    if (nxhost_chain_loops(packet_ptr))
    {
        status = NX_PTR_ERROR;
    }
    for (pkt = packet_ptr; pkt != NX_NULL && status == NX_SUCCESS; pkt = pkt->nx_packet_next)
    {
        pool_ptr = nxhost_packet_pool(pkt);
        if (pool_ptr == NX_NULL)
        {
            status = NX_PTR_ERROR;
            break;
        }
        pthread_mutex_lock(&pool_ptr->nx_packet_pool_host_mutex);
        state = pkt->nx_packet_host_state;
        if (state != NXHOST_PACKET_ALLOCATED)
        {
            /* Released twice, most likely: count it, as NetX does. */
            pool_ptr->nx_packet_pool_invalid_releases++;
            status = NX_PTR_ERROR;
        }
        else if (pkt->nx_packet_prepend_ptr < pkt->nx_packet_data_start)
        {
            status = NX_UNDERFLOW;
        }
        else if (pkt->nx_packet_append_ptr > pkt->nx_packet_data_end)
        {
            status = NX_OVERFLOW;
        }
        pthread_mutex_unlock(&pool_ptr->nx_packet_pool_host_mutex);
    }
    if (status != NX_SUCCESS)
    {
        pthread_mutex_unlock(&nxhost_registry);
        return status;
    }

    for (pkt = packet_ptr; pkt != NX_NULL; pkt = next)
    {
        next = pkt->nx_packet_next;
        pool_ptr = pkt->nx_packet_pool_owner;
        pthread_mutex_lock(&pool_ptr->nx_packet_pool_host_mutex);
        pkt->nx_packet_host_state = NXHOST_PACKET_FREE;
        pkt->nx_packet_next = NX_NULL;
        pkt->nx_packet_last = NX_NULL;
        pkt->nx_packet_queue_next = pool_ptr->nx_packet_pool_available_list;
        pool_ptr->nx_packet_pool_available_list = pkt;
        pool_ptr->nx_packet_pool_available++;
        pthread_cond_signal(&pool_ptr->nx_packet_pool_host_cond);
        pthread_mutex_unlock(&pool_ptr->nx_packet_pool_host_mutex);
    }
    pthread_mutex_unlock(&nxhost_registry);
    return NX_SUCCESS;
}

UINT nx_packet_data_retrieve(NX_PACKET *packet_ptr, VOID *buffer_start, ULONG *bytes_copied)
{
    const NX_PACKET *pkt;
    UCHAR           *dst = (UCHAR *)buffer_start;
    ULONG            remaining, n;
    UINT             status;
    int              excess = 0;

    if (packet_ptr == NX_NULL || buffer_start == NX_NULL || bytes_copied == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    status = nxhost_chain_check(packet_ptr);
    if (status != NX_SUCCESS)
    {
        *bytes_copied = 0;
        return status;
    }
    /* The caller sized the buffer from nx_packet_length: never copy more,
     * even if the fragments hold more. */
    remaining = packet_ptr->nx_packet_length;
    for (pkt = packet_ptr; pkt != NX_NULL; pkt = pkt->nx_packet_next)
    {
        n = (ULONG)(pkt->nx_packet_append_ptr - pkt->nx_packet_prepend_ptr);
        if (n > remaining)
        {
            n = remaining;
            excess = 1;
        }
        memcpy(dst, pkt->nx_packet_prepend_ptr, n);
        dst += n;
        remaining -= n;
    }
    *bytes_copied = packet_ptr->nx_packet_length - remaining;
    if (remaining > 0 || excess)
    {
        /* The fragments and nx_packet_length disagree. */
        return NX_INVALID_PACKET;
    }
    return NX_SUCCESS;
}

UINT nx_packet_data_extract_offset(NX_PACKET *packet_ptr, ULONG offset, VOID *buffer_start, ULONG buffer_length, ULONG *bytes_copied)
{
    const NX_PACKET *pkt;
    const UCHAR     *src = NX_NULL;
    UCHAR           *dst = (UCHAR *)buffer_start;
    ULONG            skip = offset, frag, remaining, n;
    UINT             status;

    if (packet_ptr == NX_NULL || buffer_start == NX_NULL || bytes_copied == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    if (offset >= packet_ptr->nx_packet_length)
    {
        /* NetX treats offset 0 of an empty packet as an empty copy. */
        if (offset == 0)
        {
            *bytes_copied = 0;
            return NX_SUCCESS;
        }
        return NX_PACKET_OFFSET_ERROR;
    }
    status = nxhost_chain_check(packet_ptr);
    if (status != NX_SUCCESS)
    {
        return status;
    }
    for (pkt = packet_ptr; pkt != NX_NULL; pkt = pkt->nx_packet_next)
    {
        frag = (ULONG)(pkt->nx_packet_append_ptr - pkt->nx_packet_prepend_ptr);
        if (frag > skip)
        {
            src = pkt->nx_packet_prepend_ptr + skip;
            break;
        }
        skip -= frag;
    }
    if (src == NX_NULL)
    {
        return NX_PACKET_OFFSET_ERROR;
    }

    remaining = packet_ptr->nx_packet_length - offset;
    if (remaining > buffer_length)
    {
        remaining = buffer_length;
    }
    *bytes_copied = 0;
    while (pkt != NX_NULL && remaining > 0)
    {
        n = (ULONG)(pkt->nx_packet_append_ptr - src);
        if (n > remaining)
        {
            n = remaining;
        }
        memcpy(dst, src, n);
        dst += n;
        remaining -= n;
        *bytes_copied += n;
        pkt = pkt->nx_packet_next;
        if (pkt != NX_NULL)
        {
            src = pkt->nx_packet_prepend_ptr;
        }
    }
    return NX_SUCCESS;
}

UINT nx_packet_length_get(NX_PACKET *packet_ptr, ULONG *length)
{
    if (packet_ptr == NX_NULL || length == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    *length = packet_ptr->nx_packet_length;
    return NX_SUCCESS;
}

UINT nx_ip_create(NX_IP *ip_ptr, CHAR *name, ULONG ip_address, ULONG network_mask, NX_PACKET_POOL *default_pool, VOID (*ip_link_driver)(struct NX_IP_DRIVER_STRUCT *), VOID *memory_ptr, ULONG memory_size, UINT priority)
{
    NX_IP *p;

    if (ip_ptr == NX_NULL || default_pool == NX_NULL || ip_link_driver == NX_NULL || memory_ptr == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    pthread_mutex_lock(&nxhost_registry);
    if (!nxhost_pool_registered(default_pool))
    {
        pthread_mutex_unlock(&nxhost_registry);
        return NX_PTR_ERROR;
    }
    if (memory_size < NXHOST_MINIMUM_STACK)
    {
        pthread_mutex_unlock(&nxhost_registry);
        return NX_SIZE_ERROR;
    }
    if (priority >= NXHOST_MAX_PRIORITIES)
    {
        pthread_mutex_unlock(&nxhost_registry);
        return NX_OPTION_ERROR;
    }
    for (p = nxhost_ips; p != NX_NULL; p = p->nx_ip_created_next)
    {
        if (p == ip_ptr || nxhost_overlap(memory_ptr, memory_size, p->nx_ip_memory_ptr, p->nx_ip_memory_size))
        {
            pthread_mutex_unlock(&nxhost_registry);
            return NX_PTR_ERROR;
        }
    }
    /* Class A, B or C, or 0 for an address DHCP will assign later: NetX
     * refuses multicast and reserved addresses here. */
    if (ip_address != 0 &&
        (ip_address & 0x80000000UL) != 0 &&
        (ip_address & 0xC0000000UL) != 0x80000000UL &&
        (ip_address & 0xE0000000UL) != 0xC0000000UL)
    {
        pthread_mutex_unlock(&nxhost_registry);
        return NX_IP_ADDRESS_ERROR;
    }

    memset(ip_ptr, 0, sizeof(*ip_ptr));
    ip_ptr->nx_ip_name = name;
    ip_ptr->nx_ip_address = ip_address;
    ip_ptr->nx_ip_network_mask = network_mask;
    ip_ptr->nx_ip_default_packet_pool = default_pool;
    ip_ptr->nx_ip_link_driver_entry = ip_link_driver;
    ip_ptr->nx_ip_memory_ptr = memory_ptr;
    ip_ptr->nx_ip_memory_size = memory_size;
    ip_ptr->nx_ip_priority = priority;
    ip_ptr->nx_ip_id = NX_IP_ID;
    ip_ptr->nx_ip_created_next = nxhost_ips;
    nxhost_ips = ip_ptr;
    pthread_mutex_unlock(&nxhost_registry);
    return NX_SUCCESS;
}

UINT nx_ip_delete(NX_IP *ip_ptr)
{
    NX_IP **link;

    if (ip_ptr == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    pthread_mutex_lock(&nxhost_registry);
    if (!nxhost_ip_registered(ip_ptr))
    {
        pthread_mutex_unlock(&nxhost_registry);
        return NX_PTR_ERROR;
    }
    for (link = &nxhost_ips; *link != ip_ptr; link = &(*link)->nx_ip_created_next)
    {
    }
    *link = ip_ptr->nx_ip_created_next;
    ip_ptr->nx_ip_created_next = NX_NULL;
    ip_ptr->nx_ip_id = 0;
    pthread_mutex_unlock(&nxhost_registry);
    return NX_SUCCESS;
}

UINT nx_arp_enable(NX_IP *ip_ptr, VOID *arp_cache_memory, ULONG arp_cache_size)
{
    UINT status = NX_SUCCESS;

    if (ip_ptr == NX_NULL || arp_cache_memory == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    pthread_mutex_lock(&nxhost_registry);
    if (!nxhost_ip_registered(ip_ptr))
    {
        status = NX_PTR_ERROR;
    }
    else if (ip_ptr->nx_ip_arp_enabled)
    {
        status = NX_ALREADY_ENABLED;
    }
    else if (arp_cache_size == 0)
    {
        /* The host resolves addresses itself and never touches the cache;
         * only a cache that could hold nothing is refused. */
        status = NX_SIZE_ERROR;
    }
    else
    {
        ip_ptr->nx_ip_arp_cache_memory = arp_cache_memory;
        ip_ptr->nx_ip_arp_cache_size = arp_cache_size;
        ip_ptr->nx_ip_arp_enabled = NX_TRUE;
    }
    pthread_mutex_unlock(&nxhost_registry);
    return status;
}

static UINT nxhost_enable(NX_IP *ip_ptr, size_t flag_offset)
{
    UINT  status = NX_SUCCESS;
    UINT *flag;

    if (ip_ptr == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    pthread_mutex_lock(&nxhost_registry);
    flag = (UINT *)(void *)((UCHAR *)ip_ptr + flag_offset);
    if (!nxhost_ip_registered(ip_ptr))
    {
        status = NX_PTR_ERROR;
    }
    else if (*flag)
    {
        status = NX_ALREADY_ENABLED;
    }
    else
    {
        *flag = NX_TRUE;
    }
    pthread_mutex_unlock(&nxhost_registry);
    return status;
}

UINT nx_icmp_enable(NX_IP *ip_ptr)
{
    return nxhost_enable(ip_ptr, offsetof(NX_IP, nx_ip_icmp_enabled));
}

UINT nx_tcp_enable(NX_IP *ip_ptr)
{
    return nxhost_enable(ip_ptr, offsetof(NX_IP, nx_ip_tcp_enabled));
}

VOID _nx_ram_network_driver(struct NX_IP_DRIVER_STRUCT *driver_req)
{
    if (driver_req == NX_NULL)
    {
        return;
    }
    switch (driver_req->nx_ip_driver_command)
    {
    case NX_LINK_PACKET_SEND:
    case NX_LINK_PACKET_BROADCAST:
    case NX_LINK_ARP_SEND:
    case NX_LINK_ARP_RESPONSE_SEND:
    case NX_LINK_RARP_SEND:
        /* A driver owns the packets it is given to send; there is no wire,
         * so it is done with them at once. */
        if (driver_req->nx_ip_driver_packet != NX_NULL)
        {
            nx_packet_release(driver_req->nx_ip_driver_packet);
            driver_req->nx_ip_driver_packet = NX_NULL;
        }
        driver_req->nx_ip_driver_status = NX_SUCCESS;
        break;
    case NX_LINK_GET_STATUS:
        /* The link is whatever the host has: report it up. */
        if (driver_req->nx_ip_driver_return_ptr != NX_NULL)
        {
            *driver_req->nx_ip_driver_return_ptr = NX_TRUE;
        }
        driver_req->nx_ip_driver_status = NX_SUCCESS;
        break;
    case NX_LINK_GET_SPEED:
    case NX_LINK_GET_DUPLEX_TYPE:
    case NX_LINK_GET_ERROR_COUNT:
    case NX_LINK_GET_RX_COUNT:
    case NX_LINK_GET_TX_COUNT:
    case NX_LINK_GET_ALLOC_ERRORS:
        if (driver_req->nx_ip_driver_return_ptr != NX_NULL)
        {
            *driver_req->nx_ip_driver_return_ptr = 0;
        }
        driver_req->nx_ip_driver_status = NX_SUCCESS;
        break;
    case NX_LINK_INITIALIZE:
    case NX_LINK_ENABLE:
    case NX_LINK_DISABLE:
    case NX_LINK_UNINITIALIZE:
    case NX_LINK_MULTICAST_JOIN:
    case NX_LINK_MULTICAST_LEAVE:
    case NX_LINK_DEFERRED_PROCESSING:
    case NX_LINK_INTERFACE_ATTACH:
    case NX_LINK_INTERFACE_DETACH:
    case NX_LINK_SET_PHYSICAL_ADDRESS:
        driver_req->nx_ip_driver_status = NX_SUCCESS;
        break;
    default:
        driver_req->nx_ip_driver_status = NX_UNHANDLED_COMMAND;
        break;
    }
}

UINT nx_udp_enable(NX_IP *ip_ptr)
{
    return nxhost_enable(ip_ptr, offsetof(NX_IP, nx_ip_udp_enabled));
}

/* ---- IP status, address, fragmentation ---- */

#define NXHOST_IP_STATUS_ALL                                                                             \
    (NX_IP_INITIALIZE_DONE | NX_IP_ADDRESS_RESOLVED | NX_IP_LINK_ENABLED | NX_IP_ARP_ENABLED |         \
     NX_IP_UDP_ENABLED | NX_IP_TCP_ENABLED | NX_IP_IGMP_ENABLED | NX_IP_RARP_COMPLETE |                \
     NX_IP_INTERFACE_LINK_ENABLED)

/* Registry held. The status bits that hold now. */
static ULONG nxhost_ip_status(const NX_IP *ip_ptr)
{
    ULONG st = NX_IP_INITIALIZE_DONE | NX_IP_LINK_ENABLED | NX_IP_INTERFACE_LINK_ENABLED;

    if (ip_ptr->nx_ip_address != 0)
    {
        st |= NX_IP_ADDRESS_RESOLVED;
    }
    if (ip_ptr->nx_ip_arp_enabled)
    {
        st |= NX_IP_ARP_ENABLED;
    }
    if (ip_ptr->nx_ip_udp_enabled)
    {
        st |= NX_IP_UDP_ENABLED;
    }
    if (ip_ptr->nx_ip_tcp_enabled)
    {
        st |= NX_IP_TCP_ENABLED;
    }
    return st;
}

UINT nx_ip_status_check(NX_IP *ip_ptr, ULONG needed_status, ULONG *actual_status, ULONG wait_option)
{
    struct timespec deadline, now, tick = {0, NXHOST_TICK_NS};
    ULONG           st;

    if (ip_ptr == NX_NULL || actual_status == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    if (needed_status == 0 || (needed_status & ~(ULONG)NXHOST_IP_STATUS_ALL) != 0)
    {
        return NX_OPTION_ERROR;
    }
    if (wait_option != NX_NO_WAIT && txhost_nonthread())
    {
        return NX_CALLER_ERROR;
    }
    if (wait_option != NX_NO_WAIT && wait_option != NX_WAIT_FOREVER)
    {
        nxhost_deadline(wait_option, &deadline);
    }
    for (;;)
    {
        pthread_mutex_lock(&nxhost_registry);
        if (!nxhost_ip_registered(ip_ptr))
        {
            pthread_mutex_unlock(&nxhost_registry);
            return NX_PTR_ERROR;
        }
        st = nxhost_ip_status(ip_ptr) & needed_status;
        pthread_mutex_unlock(&nxhost_registry);
        *actual_status = st;
        if (st == needed_status)
        {
            return NX_SUCCESS;
        }
        if (wait_option == NX_NO_WAIT)
        {
            return NX_NOT_SUCCESSFUL;
        }
        if (wait_option != NX_WAIT_FOREVER)
        {
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (now.tv_sec > deadline.tv_sec || (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec))
            {
                return NX_NOT_SUCCESSFUL;
            }
        }
        /* Status changes come from enable calls in other threads: a tick
         * is NetX's own granularity. */
        nanosleep(&tick, NX_NULL);
    }
}

UINT nx_ip_address_get(NX_IP *ip_ptr, ULONG *ip_address, ULONG *network_mask)
{
    if (ip_ptr == NX_NULL || ip_address == NX_NULL || network_mask == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    pthread_mutex_lock(&nxhost_registry);
    if (!nxhost_ip_registered(ip_ptr))
    {
        pthread_mutex_unlock(&nxhost_registry);
        return NX_PTR_ERROR;
    }
    *ip_address = ip_ptr->nx_ip_address;
    *network_mask = ip_ptr->nx_ip_network_mask;
    pthread_mutex_unlock(&nxhost_registry);
    return NX_SUCCESS;
}

UINT nx_ip_address_set(NX_IP *ip_ptr, ULONG ip_address, ULONG network_mask)
{
    if (ip_ptr == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    pthread_mutex_lock(&nxhost_registry);
    if (!nxhost_ip_registered(ip_ptr))
    {
        pthread_mutex_unlock(&nxhost_registry);
        return NX_PTR_ERROR;
    }
    ip_ptr->nx_ip_address = ip_address & 0xFFFFFFFFUL;
    ip_ptr->nx_ip_network_mask = network_mask & 0xFFFFFFFFUL;
    pthread_mutex_unlock(&nxhost_registry);
    return NX_SUCCESS;
}

static UINT nxhost_fragment_set(NX_IP *ip_ptr, UINT on)
{
    if (ip_ptr == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    pthread_mutex_lock(&nxhost_registry);
    if (!nxhost_ip_registered(ip_ptr))
    {
        pthread_mutex_unlock(&nxhost_registry);
        return NX_PTR_ERROR;
    }
    ip_ptr->nx_ip_fragment_enabled = on;
    pthread_mutex_unlock(&nxhost_registry);
    return NX_SUCCESS;
}

UINT nx_ip_fragment_enable(NX_IP *ip_ptr)
{
    return nxhost_fragment_set(ip_ptr, NX_TRUE);
}

UINT nx_ip_fragment_disable(NX_IP *ip_ptr)
{
    return nxhost_fragment_set(ip_ptr, NX_FALSE);
}

/* ---- packet append and copy ---- */

/* Whether a packet of a valid chain has its pointers inside its payload:
 * NX_SUCCESS, NX_UNDERFLOW or NX_OVERFLOW, as NetX checks them. */
static UINT nxhost_packet_bounds(const NX_PACKET *head)
{
    const NX_PACKET *pkt;

    for (pkt = head; pkt != NX_NULL; pkt = pkt->nx_packet_next)
    {
        if (pkt->nx_packet_prepend_ptr < pkt->nx_packet_data_start)
        {
            return NX_UNDERFLOW;
        }
        if (pkt->nx_packet_append_ptr > pkt->nx_packet_data_end)
        {
            return NX_OVERFLOW;
        }
    }
    return NX_SUCCESS;
}

/* The checks an append or copy makes before it writes: the pool, the
 * caller, and a chain with its pointers inside its packets. */
static UINT nxhost_packet_write_check(const NX_PACKET *packet_ptr, NX_PACKET_POOL *pool_ptr, ULONG wait_option)
{
    UINT status;

    if (!nxhost_pool_valid(pool_ptr))
    {
        return NX_PTR_ERROR;
    }
    if (wait_option != NX_NO_WAIT && txhost_nonthread())
    {
        return NX_CALLER_ERROR;
    }
    status = nxhost_chain_check(packet_ptr);
    if (status == NX_SUCCESS)
    {
        status = nxhost_packet_bounds(packet_ptr);
    }
    return status;
}

UINT nx_packet_data_append(NX_PACKET *packet_ptr, VOID *data_start, ULONG data_size, NX_PACKET_POOL *pool_ptr,
                           ULONG wait_option)
{
    NX_PACKET   *last, *first_new = NX_NULL, *tail = NX_NULL, *pkt;
    const UCHAR *src = (const UCHAR *)data_start;
    ULONG        room, payload, left, n;
    UINT         status;

    if (packet_ptr == NX_NULL || data_start == NX_NULL || pool_ptr == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    status = nxhost_packet_write_check(packet_ptr, pool_ptr, wait_option);
    if (status != NX_SUCCESS)
    {
        return status;
    }
    if (data_size == 0)
    {
        return NX_SIZE_ERROR;
    }
    for (last = packet_ptr; last->nx_packet_next != NX_NULL; last = last->nx_packet_next)
    {
    }
    room = (ULONG)(last->nx_packet_data_end - last->nx_packet_append_ptr);

    /* Every packet the data needs first, so that a pool running dry
     * leaves the chain as it was. */
    payload = pool_ptr->nx_packet_pool_payload_size;
    for (left = data_size > room ? data_size - room : 0; left > 0; left -= n)
    {
        status = nx_packet_allocate(pool_ptr, &pkt, NX_RECEIVE_PACKET, wait_option);
        if (status != NX_SUCCESS)
        {
            if (first_new != NX_NULL)
            {
                nx_packet_release(first_new);
            }
            return status;
        }
        if (first_new == NX_NULL)
        {
            first_new = pkt;
        }
        else
        {
            tail->nx_packet_next = pkt;
        }
        tail = pkt;
        n = left < payload ? left : payload;
    }

    n = data_size < room ? data_size : room;
    memcpy(last->nx_packet_append_ptr, src, n);
    last->nx_packet_append_ptr += n;
    if (last->nx_packet_append_ptr < last->nx_packet_data_end)
    {
        /* The NUL kept after the data (the header's terminator follows a
         * full payload). */
        *last->nx_packet_append_ptr = 0;
    }
    src += n;
    left = data_size - n;
    for (pkt = first_new; pkt != NX_NULL; pkt = pkt->nx_packet_next)
    {
        n = left < payload ? left : payload;
        memcpy(pkt->nx_packet_append_ptr, src, n);
        pkt->nx_packet_append_ptr += n;
        if (pkt->nx_packet_append_ptr < pkt->nx_packet_data_end)
        {
            *pkt->nx_packet_append_ptr = 0;
        }
        src += n;
        left -= n;
    }
    if (first_new != NX_NULL)
    {
        last->nx_packet_next = first_new;
        packet_ptr->nx_packet_last = tail;
    }
    packet_ptr->nx_packet_length += data_size;
    return NX_SUCCESS;
}

UINT nx_packet_copy(NX_PACKET *packet_ptr, NX_PACKET **new_packet_ptr, NX_PACKET_POOL *pool_ptr, ULONG wait_option)
{
    const NX_PACKET *pkt;
    NX_PACKET       *copy;
    ULONG            offset, n;
    UINT             status;

    if (packet_ptr == NX_NULL || new_packet_ptr == NX_NULL || pool_ptr == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    status = nxhost_packet_write_check(packet_ptr, pool_ptr, wait_option);
    if (status != NX_SUCCESS)
    {
        return status;
    }
    if (packet_ptr->nx_packet_length == 0)
    {
        return NX_INVALID_PACKET;
    }
    /* The copy keeps the room in front of the data (for headers), when the
     * pool's packets have it. */
    offset = (ULONG)(packet_ptr->nx_packet_prepend_ptr - packet_ptr->nx_packet_data_start);
    offset -= offset % NXHOST_PACKET_TYPE_ALIGN;
    if (offset > pool_ptr->nx_packet_pool_payload_size)
    {
        offset = 0;
    }
    status = nx_packet_allocate(pool_ptr, &copy, offset, wait_option);
    if (status != NX_SUCCESS)
    {
        return status;
    }
    copy->nx_packet_ip_version = packet_ptr->nx_packet_ip_version;
    n = 0;
    for (pkt = packet_ptr; pkt != NX_NULL && n < packet_ptr->nx_packet_length; pkt = pkt->nx_packet_next)
    {
        ULONG frag = (ULONG)(pkt->nx_packet_append_ptr - pkt->nx_packet_prepend_ptr);

        if (frag > packet_ptr->nx_packet_length - n)
        {
            frag = packet_ptr->nx_packet_length - n;
        }
        if (frag == 0)
        {
            continue;
        }
        status = nx_packet_data_append(copy, pkt->nx_packet_prepend_ptr, frag, pool_ptr, wait_option);
        if (status != NX_SUCCESS)
        {
            nx_packet_release(copy);
            return status;
        }
        n += frag;
    }
    if (n != packet_ptr->nx_packet_length)
    {
        /* The fragments hold less than the length says. */
        nx_packet_release(copy);
        return NX_INVALID_PACKET;
    }
    *new_packet_ptr = copy;
    return NX_SUCCESS;
}

UINT nxhost_pool_valid(NX_PACKET_POOL *pool_ptr)
{
    UINT valid;

    pthread_mutex_lock(&nxhost_registry);
    valid = pool_ptr != NX_NULL && nxhost_pool_registered(pool_ptr) ? NX_TRUE : NX_FALSE;
    pthread_mutex_unlock(&nxhost_registry);
    return valid;
}

UINT nxhost_ip_valid(NX_IP *ip_ptr)
{
    UINT valid;

    pthread_mutex_lock(&nxhost_registry);
    valid = ip_ptr != NX_NULL && nxhost_ip_registered(ip_ptr) ? NX_TRUE : NX_FALSE;
    pthread_mutex_unlock(&nxhost_registry);
    return valid;
}

UINT nxhost_ip_tcp_enabled(NX_IP *ip_ptr)
{
    UINT enabled;

    pthread_mutex_lock(&nxhost_registry);
    enabled = ip_ptr != NX_NULL && nxhost_ip_registered(ip_ptr) && ip_ptr->nx_ip_tcp_enabled ? NX_TRUE : NX_FALSE;
    pthread_mutex_unlock(&nxhost_registry);
    return enabled;
}
