/*
 * shared_client.c - one client used from several threads at once: calls are
 * serialised, so every one succeeds and the session stays in step; then a
 * delete from another thread aborts a call in progress cleanly.
 * Prints "N passed, M failed".
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "nx_api.h"
#include "nx_pop3_client.h"
#include "check.h"

#define THREADS 4
#define ROUNDS 100

static UCHAR pool_memory[8 * (1460 + sizeof(NX_PACKET) + 16)];
static ULONG ip_memory[256];
static NX_PACKET_POOL pool;
static NX_IP ip;
static NX_POP3_CLIENT client;
static int bad[THREADS];
static UINT blocked_status;

static void *hammer(void *arg)
{
    int id = (int)(long)arg, i;
    for (i = 0; i < ROUNDS; i++) {
        UINT items;
        ULONG total, size;
        if (nx_pop3_client_mail_items_get(&client, &items, &total) != NX_SUCCESS || items != 2)
            bad[id]++;
        if (nx_pop3_client_mail_item_size_get(&client, 1 + (UINT)(i % 2), &size) != NX_SUCCESS)
            bad[id]++;
        if (nx_pop3_client_noop(&client) != NX_SUCCESS)
            bad[id]++;
    }
    return NULL;
}

/* The server stops answering NOOP (FREEZE_NOOP), so this call blocks until
 * the main thread deletes the client. */
static void *blocked(void *arg)
{
    (void)arg;
    blocked_status = nx_pop3_client_noop(&client);
    return NULL;
}

int main(void)
{
    const char *server = getenv("POP3_SERVER");
    unsigned a, b, c, d, port;
    pthread_t t[THREADS], tb;
    int i;
    struct timespec pause = {0, 200 * 1000 * 1000};

    if (!server || sscanf(server, "%u.%u.%u.%u:%u", &a, &b, &c, &d, &port) != 5)
        return 2;
    nx_system_initialize();
    nx_packet_pool_create(&pool, "pool", 1460, pool_memory, sizeof pool_memory);
    nx_ip_create(&ip, "ip", IP_ADDRESS(127, 0, 0, 1), 0xFF000000UL, &pool, _nx_ram_network_driver, ip_memory, sizeof ip_memory, 1);
    nx_tcp_enable(&ip);
    if (nx_pop3_client_create(&client, NX_FALSE, &ip, &pool, IP_ADDRESS(a, b, c, d), port,
                              getenv("POP3_USER"), getenv("POP3_PASSWORD")) != NX_SUCCESS) {
        CHECK(!"create");
        return check_summary();
    }
    for (i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, hammer, (void *)(long)i);
    for (i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        CHECK_EQ(bad[i], 0);
    }
    pthread_create(&tb, NULL, blocked, NULL);
    nanosleep(&pause, NULL);
    CHECK_EQ(nx_pop3_client_delete(&client), NX_SUCCESS);
    pthread_join(tb, NULL);
    CHECK(blocked_status == NX_WAIT_ABORTED || blocked_status == NX_NOT_CONNECTED);
    CHECK_EQ(nx_pop3_client_noop(&client), NX_PTR_ERROR);
    return check_summary();
}
