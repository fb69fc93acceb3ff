/*
 * careless.c - C callers that do what the API allows but a careful caller
 * would not, and the hostile servers whose effect only C shows.
 * careless_test.go starts the servers, runs one scenario each and checks
 * what it prints.
 *
 * Usage: POP3_SERVER=a.b.c.d:port ./careless SCENARIO
 *
 * Scenarios:
 *   delete_race   LOOPS times: a thread blocks in mail_items_get on a
 *                 silent server while the main thread deletes the client;
 *                 the blocked call must return NX_WAIT_ABORTED.
 *   small_payload a pool whose payload does not hold a TCP packet's
 *                 headers: message_get returns
 *                 NX_POP3_INSUFFICIENT_PACKET_PAYLOAD.
 *   uninit_create create on a struct that was never written (malloc'd):
 *                 run under valgrind, nothing may depend on its garbage.
 *   early         a reply that arrives before its command is written:
 *                 the command fails with a protocol status.
 *   auth_delay    the reply to PASS comes after the reply timeout but
 *                 within the credential reply timeout: -ERR [AUTH].
 *   error_text    prints the error text of the create that failed
 *                 ("text ..."), read with a 1024-byte buffer.
 *
 * Prints one line per failed check, facts for the Go side, and
 * "N passed, M failed" last.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
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

static void setup(ULONG payload)
{
    ULONG packets = 8;
    ULONG size = packets * (payload + sizeof(NX_PACKET) + 16);
    unsigned a, b, c, d, port;

    if (sscanf(env("POP3_SERVER", ""), "%u.%u.%u.%u:%u", &a, &b, &c, &d, &port) != 5)
    {
        printf("POP3_SERVER=a.b.c.d:port is required\n");
        exit(2);
    }
    server_address = IP_ADDRESS(a, b, c, d);
    server_port = port;
    nx_system_initialize();
    pool_memory = malloc(size);
    CHECK(pool_memory != NULL);
    CHECK_EQ(nx_packet_pool_create(&pool, "careless pool", payload, pool_memory, size), NX_SUCCESS);
    CHECK_EQ(nx_ip_create(&ip, "careless ip", IP_ADDRESS(192, 168, 0, 2), 0xFFFFFF00UL, &pool,
                          _nx_ram_network_driver, ip_memory, sizeof ip_memory, 1), NX_SUCCESS);
    CHECK_EQ(nx_tcp_enable(&ip), NX_SUCCESS);
}

static int finish(void)
{
    ULONG total = 0, free_count = 0;

    CHECK_EQ(nx_packet_pool_info_get(&pool, &total, &free_count, NX_NULL, NX_NULL, NX_NULL), NX_SUCCESS);
    CHECK_EQ(free_count, total);
    CHECK_EQ(nx_ip_delete(&ip), NX_SUCCESS);
    CHECK_EQ(nx_packet_pool_delete(&pool), NX_SUCCESS);
    free(pool_memory);
    return check_summary();
}

static UINT create(NX_POP3_CLIENT *client)
{
    return nx_pop3_client_create(client, NX_FALSE, &ip, &pool, server_address, server_port, (CHAR *)"mrose",
                                 (CHAR *)"tanstaaf");
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

struct blocked
{
    NX_POP3_CLIENT *client;
    volatile int started;
    UINT status;
};

static void *items_get(void *arg)
{
    struct blocked *b = arg;
    UINT items = 0;
    ULONG total = 0;

    b->started = 1;
    b->status = nx_pop3_client_mail_items_get(b->client, &items, &total);
    return NULL;
}

static int scenario_delete_race(void)
{
    ULONG loops = env_ulong("LOOPS", 80), i;
    ULONG aborted = 0, not_connected = 0, other = 0;
    NX_POP3_CLIENT client;

    setup(1460);
    for (i = 0; i < loops; i++)
    {
        struct blocked b = {&client, 0, 0xFFFF};
        pthread_t t;

        if (create(&client) != NX_SUCCESS)
        {
            CHECK(0 && "create");
            break;
        }
        CHECK_EQ(pthread_create(&t, NULL, items_get, &b), 0);
        while (!b.started)
            sleep_ms(1);
        /* Give the call time to send STAT and block on the silent server. */
        sleep_ms((long)env_ulong("DELAY_MS", 100));
        CHECK_EQ(nx_pop3_client_delete(&client), NX_SUCCESS);
        CHECK_EQ(pthread_join(t, NULL), 0);
        if (b.status == NX_WAIT_ABORTED)
            aborted++;
        else if (b.status == NX_NOT_CONNECTED)
            not_connected++;
        else
        {
            other++;
            printf("loop %lu: status 0x%02X\n", i, b.status);
        }
    }
    printf("aborted %lu not_connected %lu other %lu\n", aborted, not_connected, other);
    CHECK_EQ(not_connected, 0);
    return finish();
}

static int scenario_small_payload(void)
{
    NX_POP3_CLIENT client;
    NX_PACKET *packet = NX_NULL;
    ULONG size = 0, bytes = 0;
    UINT items = 0, final = 0;
    ULONG total = 0;

    /* 40 bytes of payload: less than NX_IPv4_TCP_PACKET's 56 of headers. */
    setup(40);
    CHECK_EQ(create(&client), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_mail_items_get(&client, &items, &total), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_mail_item_get(&client, 1, &size), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_mail_item_message_get(&client, &packet, &bytes, &final), NX_POP3_INSUFFICIENT_PACKET_PAYLOAD);
    CHECK(packet == NX_NULL);
    CHECK_EQ(nx_pop3_client_delete(&client), NX_SUCCESS);
    return finish();
}

static int scenario_uninit_create(void)
{
    /* malloc'd, never written: valgrind tracks every byte as undefined. */
    NX_POP3_CLIENT *client = malloc(sizeof *client);
    UINT items = 0;
    ULONG total = 0;

    setup(1460);
    CHECK(client != NULL);
    CHECK_EQ(create(client), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_mail_items_get(client, &items, &total), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_quit(client), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_delete(client), NX_SUCCESS);
    free(client);
    return finish();
}

static int scenario_early(void)
{
    NX_POP3_CLIENT client;
    UINT items = 0;
    ULONG total = 0;

    setup(1460);
    CHECK_EQ(create(&client), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_mail_items_get(&client, &items, &total), NX_SUCCESS);
    /* The server sends a stray +OK after STAT's reply: let it arrive. */
    sleep_ms((long)env_ulong("DELAY_MS", 500));
    CHECK_EQ(nx_pop3_client_mail_item_delete(&client, 1), NX_POP3_SERVER_ERROR_STATUS);
    CHECK_EQ(nx_pop3_client_quit(&client), NX_NOT_CONNECTED);
    CHECK_EQ(nx_pop3_client_delete(&client), NX_SUCCESS);
    return finish();
}

static int scenario_auth_delay(void)
{
    NX_POP3_CLIENT client;
    NX_POP3_CLIENT_OPTIONS options;
    NXD_ADDRESS server;
    UINT code = 0;

    setup(1460);
    CHECK_EQ(nx_pop3_client_options_init(&options), NX_SUCCESS);
    CHECK_EQ(options.nx_pop3_options_auth_reply_timeout, NX_POP3_AUTH_REPLY_TIMEOUT);
    CHECK_EQ(NX_POP3_AUTH_REPLY_TIMEOUT, 60 * NX_IP_PERIODIC_RATE);
    options.nx_pop3_options_auth = NX_POP3_AUTH_USER;
    options.nx_pop3_options_reply_timeout = 10; /* 100 ms */
    memset(&server, 0, sizeof server);
    server.nxd_ip_version = NX_IP_VERSION_V4;
    server.nxd_ip_address.v4 = server_address;
    CHECK_EQ(nxd_pop3_client_create_ex(&client, &ip, &pool, &server, server_port, (CHAR *)"mrose", (CHAR *)"tanstaaf",
                                       &options),
             NX_POP3_SERVER_ERROR_STATUS);
    CHECK_EQ(nx_pop3_client_response_code_get(&client, &code), NX_SUCCESS);
    CHECK_EQ(code, NX_POP3_RESP_AUTH);
    nx_pop3_client_delete(&client);
    return finish();
}

static int scenario_error_text(void)
{
    NX_POP3_CLIENT client;
    CHAR text[1024], small[100];
    UINT status;

    setup(1460);
    status = create(&client);
    printf("create 0x%02X\n", status);
    CHECK(status != NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_error_text(&client, text, sizeof text), NX_SUCCESS);
    printf("text %s\n", text);
    printf("field %lu\n", (unsigned long)strlen(client.nx_pop3_client_error_text));
    if (strlen(text) >= sizeof small)
    {
        CHECK_EQ(nx_pop3_client_error_text(&client, small, sizeof small), NX_SIZE_ERROR);
        CHECK_EQ(strlen(small), sizeof small - 1);
        CHECK(strncmp(small, text, sizeof small - 1) == 0);
    }
    nx_pop3_client_delete(&client);
    return finish();
}

int main(int argc, char **argv)
{
    const char *scenario = argc > 1 ? argv[1] : "";

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (strcmp(scenario, "delete_race") == 0)
        return scenario_delete_race();
    if (strcmp(scenario, "small_payload") == 0)
        return scenario_small_payload();
    if (strcmp(scenario, "uninit_create") == 0)
        return scenario_uninit_create();
    if (strcmp(scenario, "early") == 0)
        return scenario_early();
    if (strcmp(scenario, "auth_delay") == 0)
        return scenario_auth_delay();
    if (strcmp(scenario, "error_text") == 0)
        return scenario_error_text();
    printf("unknown scenario %s\n", scenario);
    return 2;
}
