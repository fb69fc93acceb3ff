/*
 * pop3_client_test.c - drives the POP3 client services as an application
 * would, against a pop3test server that capi_test.go starts and configures
 * for each scenario.
 *
 * Build (capi_test.go does this):
 *   gcc -std=c99 -Wall -Wextra -Werror -I../include \
 *       testdata/pop3_client_test.c libnxpop3.a -lpthread -o pop3_client_test
 * Usage:
 *   POP3_SERVER=127.0.0.1:port POP3_USER=demo POP3_PASSWORD=secret \
 *       ./pop3_client_test SCENARIO
 *
 * Other settings come from the environment too: OUT_DIR (each message is
 * written to OUT_DIR/msg-N for the Go side to compare with what the server
 * stored), APOP, DELETE, PAYLOAD, PACKETS, REFUSED_PORT, ERR_TEXT.
 * Prints one line per failed check, "N passed, M failed" last, and exits
 * non-zero if any check failed.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nx_api.h"
#include "nx_pop3_client.h"
#include "testenv.h"
#include "check.h"




static NX_PACKET_POOL pool;
static NX_IP ip;
static ULONG ip_memory[512];
static UCHAR *pool_memory;
static ULONG server_address, server_port;
static CHAR *user, *password;

/* The packet type the library allocates with, and so the data room. */
static ULONG capacity(void)
{
    return pool.nx_packet_pool_payload_size - NX_IPv4_TCP_PACKET;
}

static ULONG free_packets(void)
{
    ULONG total = 0, free_count = 0;

    if (nx_packet_pool_info_get(&pool, &total, &free_count, NX_NULL, NX_NULL, NX_NULL) != NX_SUCCESS)
        return (ULONG)-1;
    return free_count;
}

static void setup(void)
{
    ULONG payload = env_ulong("PAYLOAD", 1460);
    ULONG packets = env_ulong("PACKETS", 16);
    ULONG size = packets * (payload + sizeof(NX_PACKET) + 16);
    unsigned a, b, c, d, port;
    const char *server = env("POP3_SERVER", "");

    if (sscanf(server, "%u.%u.%u.%u:%u", &a, &b, &c, &d, &port) != 5)
    {
        printf("POP3_SERVER=a.b.c.d:port is required\n");
        exit(2);
    }
    server_address = IP_ADDRESS(a, b, c, d);
    server_port = port;
    user = (CHAR *)env("POP3_USER", "demo");
    password = (CHAR *)env("POP3_PASSWORD", "secret");

    nx_system_initialize();
    pool_memory = malloc(size);
    CHECK(pool_memory != NULL);
    CHECK_EQ(nx_packet_pool_create(&pool, "test pool", payload, pool_memory, size), NX_SUCCESS);
    CHECK_EQ(nx_ip_create(&ip, "test ip", IP_ADDRESS(192, 168, 0, 2), 0xFFFFFF00UL, &pool,
                          _nx_ram_network_driver, ip_memory, sizeof ip_memory, 1), NX_SUCCESS);
    CHECK_EQ(nx_tcp_enable(&ip), NX_SUCCESS);
}

/* Every scenario ends here: no packet may stay allocated by the library. */
static int finish(void)
{
    CHECK_EQ(free_packets(), pool.nx_packet_pool_total);
    CHECK_EQ(nx_ip_delete(&ip), NX_SUCCESS);
    CHECK_EQ(nx_packet_pool_delete(&pool), NX_SUCCESS);
    free(pool_memory);
    return check_summary();
}

static UINT create(NX_POP3_CLIENT *client, UINT apop)
{
    return nx_pop3_client_create(client, apop, &ip, &pool, server_address, server_port, user, password);
}

static FILE *open_out(UINT item)
{
    char path[4096];
    const char *dir = getenv("OUT_DIR");
    FILE *f;

    if (dir == NULL)
        return NULL;
    snprintf(path, sizeof path, "%s/msg-%u", dir, item);
    f = fopen(path, "wb");
    CHECK(f != NULL);
    return f;
}

/* Checks one packet as the vendor API defines it, and appends its data. */
static void take_packet(NX_PACKET *packet, ULONG bytes, UINT final, FILE *out)
{
    CHECK(packet != NX_NULL);
    if (packet == NX_NULL)
        return;
    CHECK(packet->nx_packet_pool_owner == &pool);
    CHECK_EQ(packet->nx_packet_length, bytes);
    CHECK_EQ((ULONG)(packet->nx_packet_append_ptr - packet->nx_packet_prepend_ptr), bytes);
    CHECK(packet->nx_packet_next == NX_NULL);
    /* Only the packet that ends the message may be short. */
    if (!final)
        CHECK_EQ(bytes, capacity());
    if (out != NULL && bytes > 0)
        CHECK_EQ(fwrite(packet->nx_packet_prepend_ptr, 1, bytes, out), bytes);
    CHECK_EQ(nx_packet_release(packet), NX_SUCCESS);
}

/* Downloads the message that mail_item_get started. */
static UINT download(NX_POP3_CLIENT *client, UINT item, ULONG *length, UINT *packets)
{
    FILE *out = open_out(item);
    UINT final = NX_FALSE, status = NX_SUCCESS;

    *length = 0;
    *packets = 0;
    while (!final)
    {
        NX_PACKET *packet = NX_NULL;
        ULONG bytes = 0;

        status = nx_pop3_client_mail_item_message_get(client, &packet, &bytes, &final);
        if (status != NX_SUCCESS)
            break;
        /* An empty packet is the whole of an empty message, never a tail. */
        if (bytes == 0)
            CHECK(final && *packets == 0);
        take_packet(packet, bytes, final, out);
        *length += bytes;
        (*packets)++;
    }
    if (out != NULL)
        fclose(out);
    return status;
}

/* The vendor's demo flow; the Go side compares the files and the wire. */
static void scenario_flow(void)
{
    NX_POP3_CLIENT client;
    UINT apop = (UINT)env_ulong("APOP", 1), del = (UINT)env_ulong("DELETE", 0);
    UINT items = 0, i;
    ULONG total = 0;

    CHECK_EQ(create(&client, apop), NX_SUCCESS);
    CHECK_EQ(client.nx_pop3_client_enable_APOP_authentication, apop);
    CHECK(strcmp(client.nx_pop3_client_name, user) == 0);
    CHECK_EQ(nx_pop3_client_mail_items_get(&client, &items, &total), NX_SUCCESS);
    CHECK_EQ(client.nx_pop3_client_maildrop_items, items);
    CHECK_EQ(client.nx_pop3_client_total_message_size, total);
    printf("items %u total %lu\n", items, total);
    for (i = 1; i <= items; i++)
    {
        ULONG size = 0, length = 0;
        UINT packets = 0;

        CHECK_EQ(nx_pop3_client_mail_item_get(&client, i, &size), NX_SUCCESS);
        CHECK_EQ(client.nx_pop3_client_ready_to_download, NX_TRUE);
        CHECK_EQ(client.nx_pop3_client_maildrop_index, i);
        CHECK_EQ(download(&client, i, &length, &packets), NX_SUCCESS);
        CHECK_EQ(length, size);
        CHECK_EQ(client.nx_pop3_client_ready_to_download, NX_FALSE);
        printf("msg %u length %lu packets %u\n", i, length, packets);
        if (del)
            CHECK_EQ(nx_pop3_client_mail_item_delete(&client, i), NX_SUCCESS);
    }
    CHECK_EQ(free_packets(), pool.nx_packet_pool_total);
    CHECK_EQ(nx_pop3_client_quit(&client), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_delete(&client), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_delete(&client), NX_PTR_ERROR);
}

static int contains(const void *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle), i;

    for (i = 0; k > 0 && i + k <= n; i++)
        if (memcmp((const char *)hay + i, needle, k) == 0)
            return 1;
    return 0;
}

static void null_pointers(NX_POP3_CLIENT *live)
{
    NXD_ADDRESS v4 = {NX_IP_VERSION_V4, {0}};
    NX_POP3_CLIENT spare;
    NX_PACKET *packet;
    UINT n, final;
    ULONG size, bytes;
    CHAR text[64];

    v4.nxd_ip_address.v4 = server_address;
    memset(&spare, 0, sizeof spare);
    CHECK_EQ(nx_pop3_client_create(NX_NULL, NX_TRUE, &ip, &pool, server_address, server_port, user, password), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_create(&spare, NX_TRUE, NX_NULL, &pool, server_address, server_port, user, password), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_create(&spare, NX_TRUE, &ip, NX_NULL, server_address, server_port, user, password), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_create(&spare, NX_TRUE, &ip, &pool, server_address, server_port, NX_NULL, password), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_create(&spare, NX_TRUE, &ip, &pool, server_address, server_port, user, NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nxd_pop3_client_create(NX_NULL, NX_TRUE, &ip, &pool, &v4, server_port, user, password), NX_PTR_ERROR);
    CHECK_EQ(nxd_pop3_client_create(&spare, NX_TRUE, NX_NULL, &pool, &v4, server_port, user, password), NX_PTR_ERROR);
    CHECK_EQ(nxd_pop3_client_create(&spare, NX_TRUE, &ip, NX_NULL, &v4, server_port, user, password), NX_PTR_ERROR);
    CHECK_EQ(nxd_pop3_client_create(&spare, NX_TRUE, &ip, &pool, NX_NULL, server_port, user, password), NX_PTR_ERROR);
    CHECK_EQ(nxd_pop3_client_create(&spare, NX_TRUE, &ip, &pool, &v4, server_port, NX_NULL, password), NX_PTR_ERROR);
    CHECK_EQ(nxd_pop3_client_create(&spare, NX_TRUE, &ip, &pool, &v4, server_port, user, NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_items_get(NX_NULL, &n, &size), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_items_get(live, NX_NULL, &size), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_items_get(live, &n, NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_item_size_get(NX_NULL, 1, &size), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_item_size_get(live, 1, NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_item_get(NX_NULL, 1, &size), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_item_get(live, 1, NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_item_message_get(NX_NULL, &packet, &bytes, &final), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_item_message_get(live, NX_NULL, &bytes, &final), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_item_message_get(live, &packet, NX_NULL, &final), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_item_message_get(live, &packet, &bytes, NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_item_delete(NX_NULL, 1), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_noop(NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_reset(NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_quit(NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_delete(NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_error_text(NX_NULL, text, sizeof text), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_error_text(live, NX_NULL, sizeof text), NX_PTR_ERROR);
}

/* A struct that is not a live client is refused by every service. Only
 * the error text of a failed create stays readable, until its delete. */
static void not_a_client(NX_POP3_CLIENT *p, const char *what, int failed_create)
{
    NX_PACKET *packet = NX_NULL;
    UINT n, final;
    ULONG size, bytes;
    CHAR text[64];
    int before = failed;

    CHECK_EQ(nx_pop3_client_mail_items_get(p, &n, &size), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_item_size_get(p, 1, &size), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_item_get(p, 1, &size), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_item_message_get(p, &packet, &bytes, &final), NX_PTR_ERROR);
    CHECK(packet == NX_NULL);
    CHECK_EQ(nx_pop3_client_mail_item_delete(p, 1), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_noop(p), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_reset(p), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_quit(p), NX_PTR_ERROR);
    if (!failed_create)
        CHECK_EQ(nx_pop3_client_error_text(p, text, sizeof text), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_delete(p), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_error_text(p, text, sizeof text), NX_PTR_ERROR);
    if (failed != before)
        printf("  (the struct above: %s)\n", what);
}

/* A create that must fail before connecting, with the error text kept. */
static void create_fails(UINT want, ULONG address, ULONG port, NX_IP *ip_ptr, NX_PACKET_POOL *pool_ptr,
                         const char *name, const char *pass, const char *what)
{
    NX_POP3_CLIENT c;
    CHAR text[NX_POP3_ERROR_TEXT_SIZE];
    UINT status;

    memset(&c, 0, sizeof c);
    status = nx_pop3_client_create(&c, NX_FALSE, ip_ptr, pool_ptr, address, port, (CHAR *)name, (CHAR *)pass);
    check_eq(status, want, what, __LINE__);
    if (status == NX_SUCCESS)
    {
        nx_pop3_client_delete(&c);
        return;
    }
    CHECK_EQ(nx_pop3_client_error_text(&c, text, sizeof text), NX_SUCCESS);
    check(text[0] != '\0', what, __LINE__);
    not_a_client(&c, what, 1);
}

static void error_text_rules(NX_POP3_CLIENT *client)
{
    CHAR text[NX_POP3_ERROR_TEXT_SIZE], small[5];

    CHECK_EQ(nx_pop3_client_error_text(client, text, sizeof text), NX_SUCCESS);
    CHECK(strlen(text) > sizeof small);
    memset(small, 'x', sizeof small);
    CHECK_EQ(nx_pop3_client_error_text(client, small, sizeof small), NX_SIZE_ERROR);
    CHECK_EQ(small[sizeof small - 1], '\0');
    CHECK(memcmp(small, text, sizeof small - 1) == 0);
    small[0] = 'x';
    CHECK_EQ(nx_pop3_client_error_text(client, small, 0), NX_SIZE_ERROR);
    CHECK_EQ(small[0], 'x');
}

/* Every status a caller can provoke without a misbehaving server. */
static void scenario_status(void)
{
    NX_POP3_CLIENT client, copy, garbage, never, wrong;
    NX_IP no_tcp, not_created;
    NX_PACKET_POOL no_pool;
    NX_PACKET *packet = NX_NULL;
    NXD_ADDRESS addr;
    ULONG no_tcp_memory[256], size = 0, total = 0, bytes = 0;
    UINT items = 0, final = NX_FALSE;
    CHAR text[NX_POP3_ERROR_TEXT_SIZE];
    const char *err_text = env("ERR_TEXT", "invalid credentials");
    ULONG refused = env_ulong("REFUSED_PORT", 0);

    memset(&never, 0, sizeof never);
    not_a_client(&never, "never created", 0);
    memset(&garbage, 0xA5, sizeof garbage);
    not_a_client(&garbage, "garbage", 0);
    garbage.nx_pop3_client_id = NX_POP3_CLIENT_ID;
    not_a_client(&garbage, "garbage with a client id", 0);

    CHECK_EQ(create(&client, NX_TRUE), NX_SUCCESS);
    /* The password may not be kept in the application's memory. */
    CHECK(!contains(&client, sizeof client, password));
    null_pointers(&client);
    memcpy(&copy, &client, sizeof copy);
    not_a_client(&copy, "copy of a live client", 0);
    CHECK_EQ(create(&client, NX_TRUE), NX_POP3_CLIENT_INVALID_STATE);
    CHECK_EQ(nx_pop3_client_noop(&client), NX_SUCCESS);

    /* Before any STAT no item number is known to be valid. */
    CHECK_EQ(nx_pop3_client_mail_item_get(&client, 1, &size), NX_POP3_INVALID_MAIL_ITEM);
    CHECK_EQ(nx_pop3_client_mail_items_get(&client, &items, &total), NX_SUCCESS);
    CHECK(items >= 1);
    CHECK_EQ(nx_pop3_client_mail_item_size_get(&client, 0, &size), NX_POP3_CLIENT_INVALID_INDEX);
    CHECK_EQ(nx_pop3_client_mail_item_get(&client, 0, &size), NX_POP3_CLIENT_INVALID_INDEX);
    CHECK_EQ(nx_pop3_client_mail_item_delete(&client, 0), NX_POP3_CLIENT_INVALID_INDEX);
    CHECK_EQ(nx_pop3_client_mail_item_size_get(&client, items + 1, &size), NX_POP3_INVALID_MAIL_ITEM);
    CHECK_EQ(nx_pop3_client_mail_item_get(&client, items + 1, &size), NX_POP3_INVALID_MAIL_ITEM);
    CHECK_EQ(nx_pop3_client_mail_item_delete(&client, items + 1), NX_POP3_INVALID_MAIL_ITEM);
    error_text_rules(&client);
    CHECK_EQ(nx_pop3_client_mail_item_size_get(&client, items, &size), NX_SUCCESS);
    CHECK(size > 0);
    CHECK_EQ(nx_pop3_client_mail_item_message_get(&client, &packet, &bytes, &final), NX_POP3_CLIENT_INVALID_STATE);
    CHECK(packet == NX_NULL);
    CHECK_EQ(nx_pop3_client_mail_item_get(&client, 1, &size), NX_SUCCESS);
    /* A message abandoned halfway is skipped by the next command. */
    CHECK_EQ(nx_pop3_client_noop(&client), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_mail_item_message_get(&client, &packet, &bytes, &final), NX_POP3_CLIENT_INVALID_STATE);
    CHECK_EQ(nx_pop3_client_mail_item_delete(&client, 1), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_reset(&client), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_quit(&client), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_quit(&client), NX_NOT_CONNECTED);
    CHECK_EQ(nx_pop3_client_mail_items_get(&client, &items, &total), NX_NOT_CONNECTED);
    CHECK_EQ(nx_pop3_client_error_text(&client, text, sizeof text), NX_SUCCESS);
    CHECK(!contains(text, strlen(text), password));
    CHECK_EQ(nx_pop3_client_delete(&client), NX_SUCCESS);
    not_a_client(&client, "deleted", 0);

    /* Parameters refused before any connection is made. */
    create_fails(NX_POP3_PARAM_ERROR, 0, server_port, &ip, &pool, user, password, "address 0");
    create_fails(NX_POP3_PARAM_ERROR, server_address, 0, &ip, &pool, user, password, "port 0");
    create_fails(NX_POP3_PARAM_ERROR, server_address, 70000, &ip, &pool, user, password, "port 70000");
    create_fails(NX_POP3_PARAM_ERROR, server_address, server_port, &ip, &pool, "", password, "empty name");
    create_fails(NX_POP3_PARAM_ERROR, server_address, server_port, &ip, &pool, "demo\r\nSTAT", password, "CR LF in name");
    create_fails(NX_POP3_PARAM_ERROR, server_address, server_port, &ip, &pool, user, "pw\r\nQUIT", "CR LF in password");
    create_fails(NX_POP3_PARAM_ERROR, server_address, server_port, &ip, &pool, user, "pw\n", "LF in password");
    memset(&not_created, 0, sizeof not_created);
    create_fails(NX_POP3_PARAM_ERROR, server_address, server_port, &not_created, &pool, user, password, "IP not created");
    memset(&no_pool, 0, sizeof no_pool);
    create_fails(NX_PTR_ERROR, server_address, server_port, &ip, &no_pool, user, password, "pool not created");
    CHECK_EQ(nx_ip_create(&no_tcp, "no tcp", IP_ADDRESS(192, 168, 0, 3), 0xFFFFFF00UL, &pool,
                          _nx_ram_network_driver, no_tcp_memory, sizeof no_tcp_memory, 1), NX_SUCCESS);
    create_fails(NX_NOT_ENABLED, server_address, server_port, &no_tcp, &pool, user, password, "TCP not enabled");
    CHECK_EQ(nx_ip_delete(&no_tcp), NX_SUCCESS);
    if (refused != 0)
        create_fails(NX_NOT_CONNECTED, server_address, refused, &ip, &pool, user, password, "connection refused");

    memset(&addr, 0, sizeof addr);
    addr.nxd_ip_version = 5;
    addr.nxd_ip_address.v4 = server_address;
    CHECK_EQ(nxd_pop3_client_create(&client, NX_FALSE, &ip, &pool, &addr, server_port, user, password), NX_POP3_PARAM_ERROR);
    addr.nxd_ip_version = NX_IP_VERSION_V6;
    memset(&addr.nxd_ip_address, 0, sizeof addr.nxd_ip_address);
    CHECK_EQ(nxd_pop3_client_create(&client, NX_FALSE, &ip, &pool, &addr, server_port, user, password), NX_POP3_PARAM_ERROR);
    addr.nxd_ip_version = NX_IP_VERSION_V4;
    addr.nxd_ip_address.v4 = server_address;
    CHECK_EQ(nxd_pop3_client_create(&client, NX_FALSE, &ip, &pool, &addr, server_port, user, password), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_delete(&client), NX_SUCCESS);

    /* A wrong password: the server's text, never the password. */
    memset(&wrong, 0, sizeof wrong);
    CHECK_EQ(nx_pop3_client_create(&wrong, NX_FALSE, &ip, &pool, server_address, server_port, user, "wrong-pw-1234"),
             NX_POP3_SERVER_ERROR_STATUS);
    CHECK_EQ(nx_pop3_client_error_text(&wrong, text, sizeof text), NX_SUCCESS);
    printf("wrong password: %s\n", text);
    CHECK(strstr(text, err_text) != NULL);
    CHECK(strstr(text, "wrong-pw-1234") == NULL);
    CHECK(!contains(&wrong, sizeof wrong, "wrong-pw-1234"));
    not_a_client(&wrong, "failed create", 1);
    CHECK_EQ(nx_pop3_client_create(&wrong, NX_TRUE, &ip, &pool, server_address, server_port, user, "wrong-pw-1234"),
             NX_POP3_SERVER_ERROR_STATUS);
    CHECK_EQ(nx_pop3_client_error_text(&wrong, text, sizeof text), NX_SUCCESS);
    CHECK(strstr(text, "wrong-pw-1234") == NULL);
}

/* The server answers -ERR (or garbage) where the Go side injects it. */
static void scenario_server_error(void)
{
    NX_POP3_CLIENT client;
    NX_PACKET *packet = NX_NULL;
    ULONG size = 0, total = 0, bytes = 0, length = 0;
    UINT items = 0, final = NX_FALSE, packets = 0;
    CHAR text[NX_POP3_ERROR_TEXT_SIZE];
    const char *err_text = env("ERR_TEXT", "injected failure");

    CHECK_EQ(create(&client, NX_TRUE), NX_SUCCESS);
    /* The first STAT gets a reply without numbers. */
    CHECK_EQ(nx_pop3_client_mail_items_get(&client, &items, &total), NX_POP3_SERVER_ERROR_STATUS);
    CHECK_EQ(nx_pop3_client_mail_items_get(&client, &items, &total), NX_SUCCESS);
    CHECK(items >= 2);
    CHECK_EQ(nx_pop3_client_mail_item_get(&client, 1, &size), NX_POP3_SERVER_ERROR_STATUS);
    CHECK_EQ(nx_pop3_client_error_text(&client, text, sizeof text), NX_SUCCESS);
    printf("RETR 1: %s\n", text);
    CHECK(strstr(text, err_text) != NULL && strstr(text, "RETR 1") != NULL);
    CHECK_EQ(nx_pop3_client_mail_item_message_get(&client, &packet, &bytes, &final), NX_POP3_CLIENT_INVALID_STATE);
    CHECK_EQ(nx_pop3_client_mail_item_size_get(&client, 1, &size), NX_POP3_SERVER_ERROR_STATUS);
    CHECK_EQ(nx_pop3_client_mail_item_delete(&client, 1), NX_POP3_SERVER_ERROR_STATUS);
    CHECK_EQ(nx_pop3_client_error_text(&client, text, sizeof text), NX_SUCCESS);
    CHECK(strstr(text, err_text) != NULL && strstr(text, "DELE 1") != NULL);
    CHECK(!contains(text, strlen(text), password));
    /* The session survives a refused command. */
    CHECK_EQ(nx_pop3_client_mail_item_get(&client, 2, &size), NX_SUCCESS);
    CHECK_EQ(download(&client, 2, &length, &packets), NX_SUCCESS);
    CHECK_EQ(length, size);
    CHECK_EQ(nx_pop3_client_quit(&client), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_delete(&client), NX_SUCCESS);
}

/* The server hangs up inside message 1. */
static void scenario_mid_close(void)
{
    NX_POP3_CLIENT client;
    NX_PACKET *packet = NX_NULL;
    ULONG size = 0, total = 0, length = 0, bytes = 0;
    UINT items = 0, packets = 0, final = NX_FALSE;

    CHECK_EQ(create(&client, NX_TRUE), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_mail_items_get(&client, &items, &total), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_mail_item_get(&client, 1, &size), NX_SUCCESS);
    CHECK_EQ(download(&client, 1, &length, &packets), NX_NOT_CONNECTED);
    CHECK(length < size);
    CHECK_EQ(client.nx_pop3_client_ready_to_download, NX_FALSE);
    CHECK_EQ(nx_pop3_client_mail_item_message_get(&client, &packet, &bytes, &final), NX_POP3_CLIENT_INVALID_STATE);
    CHECK_EQ(nx_pop3_client_mail_item_get(&client, 1, &size), NX_NOT_CONNECTED);
    CHECK_EQ(nx_pop3_client_quit(&client), NX_NOT_CONNECTED);
    CHECK_EQ(free_packets(), pool.nx_packet_pool_total);
    CHECK_EQ(nx_pop3_client_delete(&client), NX_SUCCESS);
}

/* The server stays silent after STAT: the library's 10 s reply timeout. */
static void scenario_timeout(void)
{
    NX_POP3_CLIENT client;
    ULONG total = 0;
    UINT items = 0;
    double start, waited;

    CHECK_EQ(create(&client, NX_TRUE), NX_SUCCESS);
    start = now_s();
    CHECK_EQ(nx_pop3_client_mail_items_get(&client, &items, &total), NX_NO_RESPONSE);
    waited = now_s() - start;
    printf("waited %.1f s\n", waited);
    CHECK(waited > 9.0 && waited < 20.0);
    CHECK_EQ(nx_pop3_client_delete(&client), NX_SUCCESS);
}

/* Every packet held by the application: message_get waits about 1 s, says
 * NX_NO_PACKET, and nothing of the message is lost. */
static void scenario_pool(void)
{
    NX_POP3_CLIENT client;
    NX_PACKET *held[64], *packet = NX_NULL, *first = NX_NULL;
    ULONG size = 0, total = 0, bytes = 0, first_bytes = 0, length = 0;
    UINT items = 0, final = NX_FALSE, nheld = 0, i;
    CHAR text[NX_POP3_ERROR_TEXT_SIZE];
    FILE *out;
    double start, waited;

    CHECK_EQ(create(&client, NX_TRUE), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_mail_items_get(&client, &items, &total), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_mail_item_get(&client, 1, &size), NX_SUCCESS);
    CHECK(size > 3 * capacity());
    CHECK_EQ(nx_pop3_client_mail_item_message_get(&client, &first, &first_bytes, &final), NX_SUCCESS);
    CHECK(!final);
    while (nheld < 64 && nx_packet_allocate(&pool, &held[nheld], NX_IPv4_TCP_PACKET, NX_NO_WAIT) == NX_SUCCESS)
        nheld++;
    CHECK_EQ(free_packets(), 0);
    start = now_s();
    CHECK_EQ(nx_pop3_client_mail_item_message_get(&client, &packet, &bytes, &final), NX_NO_PACKET);
    waited = now_s() - start;
    printf("NX_NO_PACKET after %.2f s\n", waited);
    CHECK(waited > 0.8 && waited < 5.0);
    CHECK(packet == NX_NULL);
    CHECK_EQ(client.nx_pop3_client_ready_to_download, NX_TRUE);
    CHECK_EQ(nx_pop3_client_error_text(&client, text, sizeof text), NX_SUCCESS);
    CHECK(strstr(text, "packet") != NULL);
    for (i = 0; i < nheld; i++)
        CHECK_EQ(nx_packet_release(held[i]), NX_SUCCESS);

    out = open_out(1);
    take_packet(first, first_bytes, NX_FALSE, out);
    if (out != NULL)
        fclose(out);
    out = NULL;
    {
        /* Append the rest to the same file. */
        char path[4096];
        const char *dir = getenv("OUT_DIR");
        if (dir != NULL)
        {
            snprintf(path, sizeof path, "%s/msg-1", dir);
            out = fopen(path, "ab");
            CHECK(out != NULL);
        }
    }
    length = first_bytes;
    final = NX_FALSE;
    while (!final)
    {
        CHECK_EQ(nx_pop3_client_mail_item_message_get(&client, &packet, &bytes, &final), NX_SUCCESS);
        if (failed)
            break;
        take_packet(packet, bytes, final, out);
        length += bytes;
    }
    if (out != NULL)
        fclose(out);
    CHECK_EQ(length, size);
    CHECK_EQ(nx_pop3_client_quit(&client), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_delete(&client), NX_SUCCESS);
}

/* Clients come and go: each delete must release its handle exactly once.
 * Each client logs in as POP3_USER<i>: a delete hangs up without QUIT, and
 * the server may not have unlocked that maildrop when the next login
 * arrives. */
static void scenario_churn(void)
{
    NX_POP3_CLIENT client;
    ULONG total = 0;
    UINT items = 0;
    int i, bad = 0;
    CHAR name[64];

    for (i = 0; i < 200 && bad == 0; i++)
    {
        UINT apop = (UINT)(i & 1);
        int before = failed;

        snprintf(name, sizeof name, "%s%d", user, i);
        CHECK_EQ(nx_pop3_client_create(&client, apop, &ip, &pool, server_address, server_port, name, password),
                 NX_SUCCESS);
        if (i % 50 == 0)
            CHECK_EQ(nx_pop3_client_mail_items_get(&client, &items, &total), NX_SUCCESS);
        CHECK_EQ(nx_pop3_client_delete(&client), NX_SUCCESS);
        CHECK_EQ(nx_pop3_client_delete(&client), NX_PTR_ERROR);
        CHECK_EQ(nx_pop3_client_noop(&client), NX_PTR_ERROR);
        bad = failed != before;
    }
    CHECK_EQ(i, 200);
}

int main(int argc, char **argv)
{
    const char *s = argc > 1 ? argv[1] : "";

    setup();
    if (strcmp(s, "flow") == 0)
        scenario_flow();
    else if (strcmp(s, "status") == 0)
        scenario_status();
    else if (strcmp(s, "server-error") == 0)
        scenario_server_error();
    else if (strcmp(s, "mid-close") == 0)
        scenario_mid_close();
    else if (strcmp(s, "timeout") == 0)
        scenario_timeout();
    else if (strcmp(s, "pool") == 0)
        scenario_pool();
    else if (strcmp(s, "churn") == 0)
        scenario_churn();
    else
    {
        printf("unknown scenario \"%s\"\n", s);
        return 2;
    }
    return finish();
}
