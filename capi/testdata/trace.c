/*
 * trace.c - nx_pop3_options_debug: the protocol trace reaches the callback
 * line by line, with its context, without line ends; a NULL callback
 * traces nothing; no line comes after nx_pop3_client_delete. Each line is
 * printed as "trace: LINE" for the Go side, which checks the dialogue and
 * that no secret shows.
 *
 * Usage: POP3_SERVER=a.b.c.d:port POP3_USER=.. POP3_PASSWORD=.. AUTH=n ./trace
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nx_api.h"
#include "nx_pop3_client.h"
#include "testenv.h"
#include "check.h"

static UCHAR pool_memory[16 * (1600 + sizeof(NX_PACKET) + 32)];
static ULONG ip_memory[256];
static NX_PACKET_POOL pool;
static NX_IP ip;
static NX_POP3_CLIENT client;
static int lines, bad_lines, after_delete, deleted;
static char context_tag[] = "ctx";

static VOID on_line(CHAR *line, VOID *context)
{
    lines++;
    if (context != context_tag || strchr(line, '\n') || strchr(line, '\r')) bad_lines++;
    if (deleted) after_delete++;
    printf("trace: %s\n", line);
}

static UINT create(NX_POP3_DEBUG_CALLBACK cb, NXD_ADDRESS *addr, ULONG port)
{
    NX_POP3_CLIENT_OPTIONS opt;

    nx_pop3_client_options_init(&opt);
    opt.nx_pop3_options_auth = (UINT)env_ulong("AUTH", NX_POP3_AUTH_USER);
    opt.nx_pop3_options_debug = cb;
    opt.nx_pop3_options_debug_context = context_tag;
    return nxd_pop3_client_create_ex(&client, &ip, &pool, addr, port, (CHAR *)env("POP3_USER", "demo"),
                                     (CHAR *)env("POP3_PASSWORD", "secret"), &opt);
}

int main(void)
{
    unsigned a, b, c, d, port;
    NXD_ADDRESS addr;
    UINT count;
    ULONG total;

    if (sscanf(env("POP3_SERVER", ""), "%u.%u.%u.%u:%u", &a, &b, &c, &d, &port) != 5) {
        printf("set POP3_SERVER\n");
        return 2;
    }
    memset(&addr, 0, sizeof addr);
    addr.nxd_ip_version = NX_IP_VERSION_V4;
    addr.nxd_ip_address.v4 = IP_ADDRESS(a, b, c, d);
    nx_system_initialize();
    nx_packet_pool_create(&pool, "trace", 1600, pool_memory, sizeof pool_memory);
    nx_ip_create(&ip, "trace", IP_ADDRESS(0, 0, 0, 0), 0, &pool, _nx_ram_network_driver, ip_memory, sizeof ip_memory, 1);
    nx_tcp_enable(&ip);

    /* No callback: a session like any other, and no trace. */
    CHECK_EQ(create(NX_NULL, &addr, port), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_mail_items_get(&client, &count, &total), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_quit(&client), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_delete(&client), NX_SUCCESS);
    CHECK_EQ(lines, 0);

    CHECK_EQ(create(on_line, &addr, port), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_mail_items_get(&client, &count, &total), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_noop(&client), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_quit(&client), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_delete(&client), NX_SUCCESS);
    deleted = 1;
    CHECK(lines >= 6);
    CHECK_EQ(bad_lines, 0);
    CHECK_EQ(after_delete, 0);
    return check_summary();
}
