/*
 * stress_threads.c - N clients at once, one per thread, sharing one packet
 * pool: thread i logs in as user<i> (password pw<i>), downloads message 1
 * through message_get and hashes it (FNV-1a 64), deletes it and quits.
 * Prints one line per thread, then the pool:
 *
 *   thread <i> status 0x00 data <octets> fnv <16 hex digits>
 *   pool free X/Y
 *
 * status is the first failure of the thread's flow, 0x00 if none. Usage:
 * stress_threads port n. Built and run by stress_test.go.
 */
#define _DEFAULT_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "nx_api.h"
#include "nx_pop3_client.h"
#include "check.h"

#define MAX_THREADS 256

static UCHAR pool_memory[FLOW_POOL_SIZE(256)];
static NX_PACKET_POOL pool;
static NX_IP ip;
static ULONG port;

struct job {
    int index;
    pthread_t thread;
    NX_POP3_CLIENT client;
    UINT status;
    unsigned long long octets, fnv;
};

static struct job jobs[MAX_THREADS];

static UINT flow(struct job *j)
{
    CHAR user[32], password[32];
    UINT status, items, final = NX_FALSE;
    ULONG total, size;

    snprintf(user, sizeof user, "user%d", j->index);
    snprintf(password, sizeof password, "pw%d", j->index);
    status = nx_pop3_client_create(&j->client, NX_TRUE, &ip, &pool, IP_ADDRESS(127, 0, 0, 1), port, user, password);
    if (status != NX_SUCCESS)
        return status;
    if ((status = nx_pop3_client_mail_items_get(&j->client, &items, &total)) != NX_SUCCESS)
        goto out;
    if ((status = nx_pop3_client_mail_item_get(&j->client, 1, &size)) != NX_SUCCESS)
        goto out;
    while (!final) {
        NX_PACKET *packet;
        ULONG bytes, i;
        status = nx_pop3_client_mail_item_message_get(&j->client, &packet, &bytes, &final);
        if (status == NX_NO_PACKET)
            continue; /* the shared pool was empty for a moment: nothing lost */
        if (status != NX_SUCCESS)
            goto out;
        for (i = 0; i < bytes; i++) {
            j->fnv ^= packet->nx_packet_prepend_ptr[i];
            j->fnv *= 1099511628211ULL;
        }
        j->octets += bytes;
        nx_packet_release(packet);
    }
    if ((status = nx_pop3_client_mail_item_delete(&j->client, 1)) != NX_SUCCESS)
        goto out;
    status = nx_pop3_client_quit(&j->client);
out:
    nx_pop3_client_delete(&j->client);
    return status;
}

static void *run(void *arg)
{
    struct job *j = arg;
    j->fnv = 14695981039346656037ULL;
    j->status = flow(j);
    return NULL;
}

int main(int argc, char **argv)
{
    int n, i;

    if (argc != 3 || (n = atoi(argv[2])) < 1 || n > MAX_THREADS) {
        fprintf(stderr, "usage: %s port n (n <= %d)\n", argv[0], MAX_THREADS);
        return 2;
    }
    port = strtoul(argv[1], NULL, 10);
    loopback_start(&pool, "threads pool", pool_memory, sizeof pool_memory, &ip, "threads IP");

    for (i = 0; i < n; i++) {
        jobs[i].index = i;
        if (pthread_create(&jobs[i].thread, NULL, run, &jobs[i]) != 0) {
            perror("pthread_create");
            return 2;
        }
    }
    for (i = 0; i < n; i++)
        pthread_join(jobs[i].thread, NULL);
    for (i = 0; i < n; i++)
        printf("thread %d status 0x%02X data %llu fnv %016llx\n", i, jobs[i].status, jobs[i].octets, jobs[i].fnv);
    print_pool_free(&pool);
    return 0;
}
