/*
 * nx_dns.c - the NetX Duo DNS Client on a POSIX host: the client and its
 * server list as NetX keeps them, names resolved by the host's resolver
 * (getaddrinfo). See nxd_dns.h for what differs from the target.
 */

/* For getaddrinfo under -std=c99. */
#define _POSIX_C_SOURCE 200809L

#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "../include/nxd_dns.h"
#include "nx_host_internal.h"
#include "tx_host_internal.h"

static pthread_mutex_t nxhost_dns_lock = PTHREAD_MUTEX_INITIALIZER;
static NX_DNS         *nxhost_dns_clients;

/* Lock held. */
static int nxhost_dns_registered(const NX_DNS *dns_ptr)
{
    const NX_DNS *d;

    for (d = nxhost_dns_clients; d != NX_NULL; d = d->nx_dns_created_next)
    {
        if (d == dns_ptr)
        {
            return d->nx_dns_id == NX_DNS_ID;
        }
    }
    return 0;
}

/* Takes the lock if dns_ptr is a created client; NX_SUCCESS or NX_PTR_ERROR
 * (the lock then not held). */
static UINT nxhost_dns_enter(const NX_DNS *dns_ptr)
{
    if (dns_ptr == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    pthread_mutex_lock(&nxhost_dns_lock);
    if (!nxhost_dns_registered(dns_ptr))
    {
        pthread_mutex_unlock(&nxhost_dns_lock);
        return NX_PTR_ERROR;
    }
    return NX_SUCCESS;
}

static int nxhost_dns_address_null(const NXD_ADDRESS *a)
{
    if (a->nxd_ip_version == NX_IP_VERSION_V4)
    {
        return a->nxd_ip_address.v4 == 0;
    }
    return a->nxd_ip_address.v6[0] == 0 && a->nxd_ip_address.v6[1] == 0 && a->nxd_ip_address.v6[2] == 0 &&
           a->nxd_ip_address.v6[3] == 0;
}

static int nxhost_dns_address_equal(const NXD_ADDRESS *a, const NXD_ADDRESS *b)
{
    if (a->nxd_ip_version != b->nxd_ip_version)
    {
        return 0;
    }
    if (a->nxd_ip_version == NX_IP_VERSION_V4)
    {
        return a->nxd_ip_address.v4 == b->nxd_ip_address.v4;
    }
    return memcmp(a->nxd_ip_address.v6, b->nxd_ip_address.v6, sizeof a->nxd_ip_address.v6) == 0;
}

UINT nx_dns_create(NX_DNS *dns_ptr, NX_IP *ip_ptr, UCHAR *domain_name)
{
    if (dns_ptr == NX_NULL || ip_ptr == NX_NULL || domain_name == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    if (!nxhost_ip_valid(ip_ptr))
    {
        return NX_PTR_ERROR;
    }
    if (txhost_nonthread())
    {
        return NX_CALLER_ERROR;
    }
    pthread_mutex_lock(&nxhost_dns_lock);
    if (nxhost_dns_registered(dns_ptr))
    {
        pthread_mutex_unlock(&nxhost_dns_lock);
        return NX_DNS_ERROR;
    }
    memset(dns_ptr, 0, sizeof(*dns_ptr));
    dns_ptr->nx_dns_domain = domain_name;
    dns_ptr->nx_dns_ip_ptr = ip_ptr;
    dns_ptr->nx_dns_packet_pool_ptr = ip_ptr->nx_ip_default_packet_pool;
    dns_ptr->nx_dns_id = NX_DNS_ID;
    dns_ptr->nx_dns_created_next = nxhost_dns_clients;
    nxhost_dns_clients = dns_ptr;
    pthread_mutex_unlock(&nxhost_dns_lock);
    return NX_SUCCESS;
}

UINT nx_dns_delete(NX_DNS *dns_ptr)
{
    NX_DNS **link;

    if (txhost_nonthread())
    {
        return dns_ptr == NX_NULL ? NX_PTR_ERROR : NX_CALLER_ERROR;
    }
    if (nxhost_dns_enter(dns_ptr) != NX_SUCCESS)
    {
        return NX_PTR_ERROR;
    }
    for (link = &nxhost_dns_clients; *link != dns_ptr; link = &(*link)->nx_dns_created_next)
    {
    }
    *link = dns_ptr->nx_dns_created_next;
    dns_ptr->nx_dns_created_next = NX_NULL;
    dns_ptr->nx_dns_id = 0;
    pthread_mutex_unlock(&nxhost_dns_lock);
    return NX_SUCCESS;
}

UINT nx_dns_packet_pool_set(NX_DNS *dns_ptr, NX_PACKET_POOL *packet_pool_ptr)
{
    if (packet_pool_ptr == NX_NULL || !nxhost_pool_valid(packet_pool_ptr))
    {
        return NX_PTR_ERROR;
    }
    if (nxhost_dns_enter(dns_ptr) != NX_SUCCESS)
    {
        return NX_PTR_ERROR;
    }
    dns_ptr->nx_dns_packet_pool_ptr = packet_pool_ptr;
    pthread_mutex_unlock(&nxhost_dns_lock);
    return NX_SUCCESS;
}

/* ---- the server list ---- */

/* The checks of adding or removing a server: on NX_SUCCESS the lock is
 * held. */
static UINT nxhost_dns_server_arg(const NX_DNS *dns_ptr, const NXD_ADDRESS *address)
{
    if (address == NX_NULL || nxhost_dns_enter(dns_ptr) != NX_SUCCESS)
    {
        return NX_PTR_ERROR;
    }
    if (address->nxd_ip_version != NX_IP_VERSION_V4 && address->nxd_ip_version != NX_IP_VERSION_V6)
    {
        pthread_mutex_unlock(&nxhost_dns_lock);
        return NX_DNS_INVALID_ADDRESS_TYPE;
    }
    if (nxhost_dns_address_null(address))
    {
        pthread_mutex_unlock(&nxhost_dns_lock);
        return NX_DNS_BAD_ADDRESS_ERROR;
    }
    return NX_SUCCESS;
}

UINT nxd_dns_server_add(NX_DNS *dns_ptr, NXD_ADDRESS *dns_server_address)
{
    UINT i, free_slot = NX_DNS_MAX_SERVERS, status;

    status = nxhost_dns_server_arg(dns_ptr, dns_server_address);
    if (status != NX_SUCCESS)
    {
        return status;
    }
    for (i = 0; i < NX_DNS_MAX_SERVERS; i++)
    {
        NXD_ADDRESS *s = &dns_ptr->nx_dns_server_ip_array[i];

        if (s->nxd_ip_version == 0)
        {
            if (free_slot == NX_DNS_MAX_SERVERS)
            {
                free_slot = i;
            }
            continue;
        }
        if (nxhost_dns_address_equal(s, dns_server_address))
        {
            pthread_mutex_unlock(&nxhost_dns_lock);
            return NX_DNS_DUPLICATE_ENTRY;
        }
    }
    if (free_slot == NX_DNS_MAX_SERVERS)
    {
        pthread_mutex_unlock(&nxhost_dns_lock);
        return NX_NO_MORE_ENTRIES;
    }
    dns_ptr->nx_dns_server_ip_array[free_slot] = *dns_server_address;
    pthread_mutex_unlock(&nxhost_dns_lock);
    return NX_SUCCESS;
}

UINT nx_dns_server_add(NX_DNS *dns_ptr, ULONG server_address)
{
    NXD_ADDRESS a;

    memset(&a, 0, sizeof a);
    a.nxd_ip_version = NX_IP_VERSION_V4;
    a.nxd_ip_address.v4 = server_address;
    return nxd_dns_server_add(dns_ptr, &a);
}

UINT nxd_dns_server_remove(NX_DNS *dns_ptr, NXD_ADDRESS *dns_server_address)
{
    UINT i, status;

    status = nxhost_dns_server_arg(dns_ptr, dns_server_address);
    if (status != NX_SUCCESS)
    {
        return status;
    }
    for (i = 0; i < NX_DNS_MAX_SERVERS; i++)
    {
        if (dns_ptr->nx_dns_server_ip_array[i].nxd_ip_version != 0 &&
            nxhost_dns_address_equal(&dns_ptr->nx_dns_server_ip_array[i], dns_server_address))
        {
            /* The servers after it move down one place. */
            memmove(&dns_ptr->nx_dns_server_ip_array[i], &dns_ptr->nx_dns_server_ip_array[i + 1],
                    (NX_DNS_MAX_SERVERS - i - 1) * sizeof(NXD_ADDRESS));
            memset(&dns_ptr->nx_dns_server_ip_array[NX_DNS_MAX_SERVERS - 1], 0, sizeof(NXD_ADDRESS));
            pthread_mutex_unlock(&nxhost_dns_lock);
            return NX_SUCCESS;
        }
    }
    pthread_mutex_unlock(&nxhost_dns_lock);
    return NX_DNS_SERVER_NOT_FOUND;
}

UINT nx_dns_server_remove(NX_DNS *dns_ptr, ULONG server_address)
{
    NXD_ADDRESS a;

    memset(&a, 0, sizeof a);
    a.nxd_ip_version = NX_IP_VERSION_V4;
    a.nxd_ip_address.v4 = server_address;
    return nxd_dns_server_remove(dns_ptr, &a);
}

UINT nx_dns_server_remove_all(NX_DNS *dns_ptr)
{
    if (nxhost_dns_enter(dns_ptr) != NX_SUCCESS)
    {
        return NX_PTR_ERROR;
    }
    memset(dns_ptr->nx_dns_server_ip_array, 0, sizeof dns_ptr->nx_dns_server_ip_array);
    pthread_mutex_unlock(&nxhost_dns_lock);
    return NX_SUCCESS;
}

UINT nxd_dns_server_get(NX_DNS *dns_ptr, UINT index, NXD_ADDRESS *dns_server_address)
{
    if (dns_server_address == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    if (nxhost_dns_enter(dns_ptr) != NX_SUCCESS)
    {
        return NX_PTR_ERROR;
    }
    if (index >= NX_DNS_MAX_SERVERS)
    {
        pthread_mutex_unlock(&nxhost_dns_lock);
        return NX_DNS_PARAM_ERROR;
    }
    if (dns_ptr->nx_dns_server_ip_array[index].nxd_ip_version == 0)
    {
        pthread_mutex_unlock(&nxhost_dns_lock);
        return NX_DNS_SERVER_NOT_FOUND;
    }
    *dns_server_address = dns_ptr->nx_dns_server_ip_array[index];
    pthread_mutex_unlock(&nxhost_dns_lock);
    return NX_SUCCESS;
}

UINT nx_dns_server_get(NX_DNS *dns_ptr, UINT index, ULONG *dns_server_address)
{
    NXD_ADDRESS a;
    UINT        status;

    if (dns_server_address == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    status = nxd_dns_server_get(dns_ptr, index, &a);
    if (status != NX_SUCCESS)
    {
        return status;
    }
    if (a.nxd_ip_version != NX_IP_VERSION_V4)
    {
        return NX_DNS_INVALID_ADDRESS_TYPE;
    }
    *dns_server_address = a.nxd_ip_address.v4;
    return NX_SUCCESS;
}

UINT nx_dns_get_serverlist_size(NX_DNS *dns_ptr, UINT *size)
{
    UINT i, n = 0;

    if (size == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    if (nxhost_dns_enter(dns_ptr) != NX_SUCCESS)
    {
        return NX_PTR_ERROR;
    }
    for (i = 0; i < NX_DNS_MAX_SERVERS; i++)
    {
        if (dns_ptr->nx_dns_server_ip_array[i].nxd_ip_version != 0)
        {
            n++;
        }
    }
    *size = n;
    pthread_mutex_unlock(&nxhost_dns_lock);
    return NX_SUCCESS;
}

/* ---- lookups ---- */

/* The checks every lookup makes, in NetX's order; NX_SUCCESS to go on. */
static UINT nxhost_dns_lookup_check(NX_DNS *dns_ptr, const UCHAR *host_name, const void *out)
{
    UINT i, servers = 0;

    if (host_name == NX_NULL || out == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    if (nxhost_dns_enter(dns_ptr) != NX_SUCCESS)
    {
        return NX_PTR_ERROR;
    }
    for (i = 0; i < NX_DNS_MAX_SERVERS; i++)
    {
        if (dns_ptr->nx_dns_server_ip_array[i].nxd_ip_version != 0)
        {
            servers++;
        }
    }
    pthread_mutex_unlock(&nxhost_dns_lock);
    if (host_name[0] == 0)
    {
        return NX_DNS_PARAM_ERROR;
    }
    if (txhost_nonthread())
    {
        return NX_CALLER_ERROR;
    }
    if (servers == 0)
    {
        return NX_DNS_NO_SERVER;
    }
    return NX_SUCCESS;
}

/* Resolves host_name to up to max addresses of one family (NX_IP_VERSION_V4
 * or _V6), in the resolver's order, without duplicates. NX_SUCCESS with at
 * least one, else NX_DNS_QUERY_FAILED. An IPv6 lookup returns only IPv6
 * addresses: an IPv4 address mapped into IPv6 is not an AAAA record. */
static UINT nxhost_dns_resolve_here(const UCHAR *host_name, UINT version, NXD_ADDRESS *out, UINT max, UINT *count)
{
    struct addrinfo  hints, *res = NX_NULL, *ai;
    UINT             n = 0, i;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = version == NX_IP_VERSION_V6 ? AF_INET6 : AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo((const char *)host_name, NX_NULL, &hints, &res) != 0)
    {
        *count = 0;
        return NX_DNS_QUERY_FAILED;
    }
    for (ai = res; ai != NX_NULL && n < max; ai = ai->ai_next)
    {
        NXD_ADDRESS a;
        int         dup = 0;

        memset(&a, 0, sizeof a);
        if (ai->ai_family == AF_INET && version == NX_IP_VERSION_V4)
        {
            const UCHAR *b = (const UCHAR *)&((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr;

            a.nxd_ip_version = NX_IP_VERSION_V4;
            a.nxd_ip_address.v4 = IP_ADDRESS(b[0], b[1], b[2], b[3]);
        }
        else if (ai->ai_family == AF_INET6 && version == NX_IP_VERSION_V6)
        {
            const UCHAR *b = ((const struct sockaddr_in6 *)(const void *)ai->ai_addr)->sin6_addr.s6_addr;
            UINT         w;

            a.nxd_ip_version = NX_IP_VERSION_V6;
            for (w = 0; w < 4; w++)
            {
                a.nxd_ip_address.v6[w] = IP_ADDRESS(b[4 * w], b[4 * w + 1], b[4 * w + 2], b[4 * w + 3]);
            }
        }
        else
        {
            continue;
        }
        for (i = 0; i < n; i++)
        {
            dup |= nxhost_dns_address_equal(&out[i], &a);
        }
        if (!dup)
        {
            out[n++] = a;
        }
    }
    freeaddrinfo(res);
    *count = n;
    return n > 0 ? NX_SUCCESS : NX_DNS_QUERY_FAILED;
}

/* One lookup, run on a thread of its own. */
typedef struct nxhost_dns_job
{
    const UCHAR *host_name;
    UINT         version;
    NXD_ADDRESS *out;
    UINT         max;
    UINT         count;
    UINT         status;
} nxhost_dns_job;

static void *nxhost_dns_job_run(void *arg)
{
    nxhost_dns_job *job = (nxhost_dns_job *)arg;

    job->status = nxhost_dns_resolve_here(job->host_name, job->version, job->out, job->max, &job->count);
    return NX_NULL;
}

/* The C library keeps resolver state per thread, freed when the thread
 * ends: a lookup on a short-lived thread that is joined leaves none behind
 * on the caller's, whose end a host program does not wait for. */
static UINT nxhost_dns_resolve(const UCHAR *host_name, UINT version, NXD_ADDRESS *out, UINT max, UINT *count)
{
    nxhost_dns_job job;
    pthread_t      tid;

    job.host_name = host_name;
    job.version = version;
    job.out = out;
    job.max = max;
    job.count = 0;
    job.status = NX_DNS_QUERY_FAILED;
    if (pthread_create(&tid, NX_NULL, nxhost_dns_job_run, &job) != 0)
    {
        return nxhost_dns_resolve_here(host_name, version, out, max, count);
    }
    pthread_join(tid, NX_NULL);
    *count = job.count;
    return job.status;
}

UINT nxd_dns_host_by_name_get(NX_DNS *dns_ptr, UCHAR *host_name, NXD_ADDRESS *host_address_ptr, ULONG wait_option,
                              UINT lookup_type)
{
    NXD_ADDRESS a;
    UINT        status, n;

    NX_PARAMETER_NOT_USED(wait_option);
    status = nxhost_dns_lookup_check(dns_ptr, host_name, host_address_ptr);
    if (status != NX_SUCCESS)
    {
        return status;
    }
    if (lookup_type != NX_IP_VERSION_V4 && lookup_type != NX_IP_VERSION_V6)
    {
        return NX_DNS_PARAM_ERROR;
    }
    status = nxhost_dns_resolve(host_name, lookup_type, &a, 1, &n);
    if (status == NX_SUCCESS)
    {
        *host_address_ptr = a;
    }
    return status;
}

UINT nx_dns_host_by_name_get(NX_DNS *dns_ptr, UCHAR *host_name, ULONG *host_address_ptr, ULONG wait_option)
{
    NXD_ADDRESS a;
    UINT        status;

    if (host_address_ptr == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    status = nxd_dns_host_by_name_get(dns_ptr, host_name, &a, wait_option, NX_IP_VERSION_V4);
    if (status == NX_SUCCESS)
    {
        *host_address_ptr = a.nxd_ip_address.v4;
    }
    return status;
}

/* The lookups into a record buffer: as many records of size each as fit. */
static UINT nxhost_dns_records(NX_DNS *dns_ptr, UCHAR *host_name, VOID *buffer, UINT buffer_size,
                               UINT *record_count, UINT version)
{
    NXD_ADDRESS addrs[16];
    UINT        status, n, i, fit;
    size_t      each = version == NX_IP_VERSION_V4 ? sizeof(ULONG) : sizeof(NX_DNS_IPV6_ADDRESS);

    if (record_count == NX_NULL)
    {
        return NX_PTR_ERROR;
    }
    status = nxhost_dns_lookup_check(dns_ptr, host_name, buffer);
    if (status != NX_SUCCESS)
    {
        return status;
    }
    if (buffer_size < each)
    {
        return NX_DNS_PARAM_ERROR;
    }
    *record_count = 0;
    status = nxhost_dns_resolve(host_name, version, addrs, (UINT)(sizeof addrs / sizeof addrs[0]), &n);
    if (status != NX_SUCCESS)
    {
        return status;
    }
    fit = (UINT)(buffer_size / each);
    for (i = 0; i < n && i < fit; i++)
    {
        if (version == NX_IP_VERSION_V4)
        {
            ((ULONG *)buffer)[i] = addrs[i].nxd_ip_address.v4;
        }
        else
        {
            memcpy(((NX_DNS_IPV6_ADDRESS *)buffer)[i].ipv6_address, addrs[i].nxd_ip_address.v6,
                   sizeof addrs[i].nxd_ip_address.v6);
        }
    }
    *record_count = i;
    return NX_SUCCESS;
}

UINT nx_dns_ipv4_address_by_name_get(NX_DNS *dns_ptr, UCHAR *host_name, VOID *buffer, UINT buffer_size,
                                     UINT *record_count, ULONG wait_option)
{
    NX_PARAMETER_NOT_USED(wait_option);
    return nxhost_dns_records(dns_ptr, host_name, buffer, buffer_size, record_count, NX_IP_VERSION_V4);
}

UINT nxd_dns_ipv6_address_by_name_get(NX_DNS *dns_ptr, UCHAR *host_name, VOID *buffer, UINT buffer_size,
                                      UINT *record_count, ULONG wait_option)
{
    NX_PARAMETER_NOT_USED(wait_option);
    return nxhost_dns_records(dns_ptr, host_name, buffer, buffer_size, record_count, NX_IP_VERSION_V6);
}
