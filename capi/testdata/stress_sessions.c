/*
 * stress_sessions.c - N sessions in a row (create with APOP, mail_items_get,
 * quit, delete), counting the process's open file descriptors
 * (/proc/self/fd) before and after, and prints:
 *
 *   sessions <ok>/<n> failed <count> first 0x<status>
 *   fd before <n> after <n>
 *   maxrss_kb <kB>
 *   pool free X/Y
 *
 * Usage: stress_sessions port n. Built and run by stress_test.go.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "nx_api.h"
#include "nx_pop3_client.h"
#include "check.h"


static UCHAR pool_memory[FLOW_POOL_SIZE(16)];
static NX_PACKET_POOL pool;
static NX_IP ip;

static int open_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n - 3; /* ".", ".." and the directory's own descriptor */
}

static UINT session(ULONG port)
{
    NX_POP3_CLIENT client;
    UINT status, items;
    ULONG total;

    status = nx_pop3_client_create(&client, NX_TRUE, &ip, &pool, IP_ADDRESS(127, 0, 0, 1), port,
                                   (CHAR *)"mrose", (CHAR *)"tanstaaf");
    if (status != NX_SUCCESS)
        return status;
    status = nx_pop3_client_mail_items_get(&client, &items, &total);
    if (status == NX_SUCCESS)
        status = nx_pop3_client_quit(&client);
    if (nx_pop3_client_delete(&client) != NX_SUCCESS && status == NX_SUCCESS)
        status = NX_NOT_SUCCESSFUL;
    return status;
}

int main(int argc, char **argv)
{
    ULONG port;
    int n, i, ok = 0, failed = 0, before, after, tries;
    UINT first = NX_SUCCESS, status;
    struct rusage ru;

    if (argc != 3) {
        fprintf(stderr, "usage: %s port n\n", argv[0]);
        return 2;
    }
    port = strtoul(argv[1], NULL, 10);
    n = atoi(argv[2]);
    setvbuf(stdout, NULL, _IOLBF, 0);
    loopback_start(&pool, "sessions pool", pool_memory, sizeof pool_memory, &ip, "sessions IP");

    /* A first session starts what the Go runtime starts lazily (netpoll). */
    session(port);
    before = open_fds();
    for (i = 0; i < n; i++) {
        status = session(port);
        if (status == NX_SUCCESS) {
            ok++;
        } else {
            if (!failed)
                first = status;
            failed++;
        }
    }
    /* Closing is immediate, but give the runtime a moment to settle. */
    for (tries = 0, after = open_fds(); after > before && tries < 50; tries++) {
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
        after = open_fds();
    }
    printf("sessions %d/%d failed %d first 0x%02X\n", ok, n, failed, first);
    printf("fd before %d after %d\n", before, after);
    getrusage(RUSAGE_SELF, &ru);
    printf("maxrss_kb %ld\n", ru.ru_maxrss);
    print_pool_free(&pool);
    return 0;
}
