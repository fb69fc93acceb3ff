/*
 * threads.c - several POP3 clients at once, one per thread, each with its
 * own packet pool, each downloading the whole maildrop (nothing deleted).
 *
 * Build: gcc -std=c99 -Wall -Wextra -Werror -Iinclude cexamples/threads.c \
 *            build/libnxpop3.a -lpthread -o build/bin/threads
 * Usage: POP3_SERVER=a.b.c.d:port POP3_USER=name POP3_PASSWORD=... threads [-n N]
 *
 * A POP3 server locks a maildrop for one session at a time (RFC 1939), so
 * concurrent sessions need separate accounts holding the same mail: a "%d"
 * in POP3_USER is replaced by the thread number, 1 to N.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nx_api.h"
#include "nx_pop3_client.h"

#define PAYLOAD 1460
#define PACKETS 8
#define MAX_THREADS 64

struct worker {
    pthread_t thread;
    int number;
    CHAR user[128];
    ULONG pool_memory[PACKETS * (PAYLOAD + sizeof(NX_PACKET) + 16) / sizeof(ULONG)];
    NX_PACKET_POOL pool;
    NX_POP3_CLIENT client;
    unsigned long long bytes;
    UINT messages, status;
    CHAR error[NX_POP3_ERROR_TEXT_SIZE];
};

/* NetX wants a default pool for the IP instance; the workers' own pools
 * keep one thread's packets from starving another. */
static NX_PACKET_POOL ip_pool;
static ULONG ip_pool_memory[(2 * (256 + sizeof(NX_PACKET) + 16)) / sizeof(ULONG)];
static NX_IP ip;
static ULONG ip_memory[256];
static ULONG server, port;
static const char *password;

static UINT download_all(struct worker *w)
{
    UINT status, items, i, final;
    ULONG total, size;

    status = nx_pop3_client_create(&w->client, NX_TRUE, &ip, &w->pool, server, port, w->user, (CHAR *)password);
    if (status != NX_SUCCESS) return status;
    if ((status = nx_pop3_client_mail_items_get(&w->client, &items, &total)) != NX_SUCCESS) return status;
    for (i = 1; i <= items; i++, w->messages++) {
        if ((status = nx_pop3_client_mail_item_get(&w->client, i, &size)) != NX_SUCCESS) return status;
        for (final = NX_FALSE; !final;) {
            NX_PACKET *packet;
            ULONG bytes;
            status = nx_pop3_client_mail_item_message_get(&w->client, &packet, &bytes, &final);
            if (status != NX_SUCCESS) return status;
            w->bytes += bytes;
            nx_packet_release(packet);
        }
    }
    return nx_pop3_client_quit(&w->client);
}

static void *run(void *arg)
{
    struct worker *w = arg;

    w->status = nx_packet_pool_create(&w->pool, "worker", PAYLOAD, w->pool_memory, sizeof w->pool_memory);
    if (w->status == NX_SUCCESS)
        w->status = download_all(w);
    /* The text must be read before the delete clears it. */
    if (w->status != NX_SUCCESS)
        nx_pop3_client_error_text(&w->client, w->error, sizeof w->error);
    nx_pop3_client_delete(&w->client);
    nx_packet_pool_delete(&w->pool);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *addr = getenv("POP3_SERVER"), *user = getenv("POP3_USER"), *mark;
    unsigned a, b, c, d, p;
    int n = 4, i, bad = 0;
    struct worker *w;

    password = getenv("POP3_PASSWORD");
    if (argc == 3 && strcmp(argv[1], "-n") == 0) n = atoi(argv[2]);
    else if (argc != 1) n = 0;
    if (n < 1 || n > MAX_THREADS || !addr || !user || !password ||
        sscanf(addr, "%u.%u.%u.%u:%u", &a, &b, &c, &d, &p) != 5) {
        fprintf(stderr, "usage: POP3_SERVER=a.b.c.d:port POP3_USER=name POP3_PASSWORD=... threads [-n 1..%d]\n", MAX_THREADS);
        return 2;
    }
    server = IP_ADDRESS(a, b, c, d);
    port = p;
    nx_system_initialize();
    nx_packet_pool_create(&ip_pool, "ip", 256, ip_pool_memory, sizeof ip_pool_memory);
    nx_ip_create(&ip, "threads", IP_ADDRESS(0, 0, 0, 0), 0, &ip_pool, _nx_ram_network_driver, ip_memory, sizeof ip_memory, 1);
    nx_tcp_enable(&ip);

    w = calloc((size_t)n, sizeof *w);
    if (w == NULL) return 1;
    mark = strstr(user, "%d");
    for (i = 0; i < n; i++) {
        w[i].number = i + 1;
        if (mark) /* never a format string taken from the environment */
            snprintf(w[i].user, sizeof w[i].user, "%.*s%d%s", (int)(mark - user), user, i + 1, mark + 2);
        else
            snprintf(w[i].user, sizeof w[i].user, "%s", user);
        if (pthread_create(&w[i].thread, NULL, run, &w[i]) != 0) return 1;
    }
    for (i = 0; i < n; i++) {
        pthread_join(w[i].thread, NULL);
        if (w[i].status != NX_SUCCESS)
            printf("thread %d (%s): failed with status 0x%02X: %s\n", w[i].number, w[i].user, w[i].status, w[i].error);
        else
            printf("thread %d (%s): %u messages, %llu bytes\n", w[i].number, w[i].user, w[i].messages, w[i].bytes);
        bad |= w[i].status != NX_SUCCESS || w[i].bytes != w[0].bytes || w[i].messages != w[0].messages;
    }
    printf(bad ? "FAILED: a thread failed or the totals differ\n" : "all %d threads got the same mail\n", n);
    free(w);
    return bad ? 1 : 0;
}
