/*
 * hostile_flow.c - a POP3 client flow against one server, printing the
 * status of every call so that hostile_test.go can check it. Two flows:
 *
 * vendor: the vendor's calls only, as a NetX application makes them
 * (nx_pop3_client_create with APOP, so NetX's fixed timeouts):
 *
 *   create 0x00
 *   items 0x00 1 44
 *   size 0x00 44
 *   item_get 0x00 44
 *   message_get 0x00 packets 1
 *   data 44
 *   dele 0x00
 *   quit 0x00
 *
 * ext: nxd_pop3_client_create_ex with options from the environment, then
 * the Go core's hostile flow (pop3/hostile_test.go) call for call:
 *
 *   create 0x00                      login (STLS, AUTH per the options)
 *   items 0x00 1 44                  STAT
 *   list 0x00 1                      LIST (mail_items_size_list)
 *   size 0x00 44                     LIST 1
 *   uidl 0x00 1                      UIDL (mail_items_uid_list)
 *   item_get 0x00 44                 RETR 1 ...
 *   message_get 0x00 packets 1       ... its data, to the data file
 *   top 0x00                         TOP 1 0 ...
 *   top_data 0x00 packets 1          ... its data, to data-file.top
 *   dele 0x00                        DELE 1
 *   quit 0x00                        QUIT
 *
 * or, with FLOW=fetch, create, items, then
 *
 *   fetch 0x00 packets 2 messages 2  items 1 and 2, deleted, pipelined
 *
 * and quit. Both flows then print
 *
 *   client_delete 0x00
 *   pool free 16/16
 *
 * Every call's line is followed by "time CALL MS", its wall time, and a
 * failing call's by "code N" (nx_pop3_client_response_code_get) and
 * "error TEXT". The flow stops at the first call that fails (the client is
 * then deleted without QUIT, as an application would).
 *
 * Environment of the ext flow: FLOW (standard, fetch), TLS (none,
 * starttls, implicit), AUTH (apop, user, plain, login, cram-md5, xoauth2), VERIFY (0: no
 * certificate check), CA_FILE, SERVER_NAME, REPLY_TIMEOUT and
 * CONNECT_TIMEOUT (ticks of 10 ms).
 *
 * Usage: hostile_flow vendor|ext port data-file
 * Build (hostile_test.go does this):
 *   gcc -std=c99 -Wall -Wextra -Werror -I../include testdata/hostile_flow.c \
 *       -Wl,--whole-archive libnxpop3.a -Wl,--no-whole-archive -lpthread
 *
 * Exits 0 whatever the statuses; only a crash or a bad argument is a
 * non-zero exit.
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

static UCHAR pool_memory[FLOW_POOL_SIZE(16)];
static NX_PACKET_POOL pool;
static NX_IP ip;
static NX_POP3_CLIENT client;
static struct timespec started;

static void clock_start(void)
{
    clock_gettime(CLOCK_MONOTONIC, &started);
}

/* report prints the "time" line of the call begun at clock_start and,
 * when it failed, its response code and error text. It returns status. */
static UINT report(const char *call, UINT status)
{
    struct timespec now;
    UINT code = 0;
    CHAR text[NX_POP3_ERROR_TEXT_SIZE];

    clock_gettime(CLOCK_MONOTONIC, &now);
    printf("time %s %ld\n", call,
           (long)((now.tv_sec - started.tv_sec) * 1000 + (now.tv_nsec - started.tv_nsec) / 1000000));
    if (status == NX_SUCCESS)
        return status;
    if (nx_pop3_client_response_code_get(&client, &code) == NX_SUCCESS)
        printf("code %u\n", code);
    if (nx_pop3_client_error_text(&client, text, sizeof text) != NX_PTR_ERROR) {
        CHAR *c;
        for (c = text; *c != '\0'; c++)
            if ((unsigned char)*c < 0x20 || (unsigned char)*c == 0x7F)
                *c = '?'; /* one line, whatever the server sent */
        printf("error %s\n", text);
    }
    return status;
}

/* stage prints the "CALL 0xNN" line of a call that returns only a status,
 * then reports it. */
static UINT stage(const char *call, UINT status)
{
    printf("%s 0x%02X\n", call, status);
    return report(call, status);
}

static void write_out(FILE *out, NX_PACKET *packet, ULONG bytes)
{
    if (packet->nx_packet_length != bytes)
        printf("packet length %lu, bytes %lu\n", packet->nx_packet_length, bytes);
    if (bytes > 0 && fwrite(packet->nx_packet_prepend_ptr, 1, bytes, out) != bytes) {
        perror("fwrite");
        exit(2);
    }
}

/* download reads the message that item_get or top_get started to its end,
 * into out, and prints "call 0xNN packets N" and "data N". */
static UINT download(const char *call, FILE *out)
{
    UINT status = NX_SUCCESS, final = NX_FALSE, packets = 0;
    ULONG data = 0;

    clock_start();
    while (!final) {
        NX_PACKET *packet = NX_NULL;
        ULONG bytes = 0;
        status = nx_pop3_client_mail_item_message_get(&client, &packet, &bytes, &final);
        if (status != NX_SUCCESS)
            break;
        packets++;
        write_out(out, packet, bytes);
        data += bytes;
        nx_packet_release(packet);
    }
    printf("%s 0x%02X packets %u\n", call, status, packets);
    printf("data %lu\n", data);
    return report(call, status);
}

/* vendor_flow runs the vendor's calls and returns at the first failure. */
static void vendor_flow(ULONG port, FILE *out)
{
    UINT status, items = 0;
    ULONG total = 0, size = 0;

    clock_start();
    status = nx_pop3_client_create(&client, NX_TRUE, &ip, &pool, IP_ADDRESS(127, 0, 0, 1), port,
                                   (CHAR *)"mrose", (CHAR *)"tanstaaf");
    if (stage("create", status) != NX_SUCCESS)
        return;
    clock_start();
    status = nx_pop3_client_mail_items_get(&client, &items, &total);
    printf("items 0x%02X %u %lu\n", status, items, total);
    if (report("items", status) != NX_SUCCESS)
        return;
    clock_start();
    status = nx_pop3_client_mail_item_size_get(&client, 1, &size);
    printf("size 0x%02X %lu\n", status, size);
    if (report("size", status) != NX_SUCCESS)
        return;
    clock_start();
    status = nx_pop3_client_mail_item_get(&client, 1, &size);
    printf("item_get 0x%02X %lu\n", status, size);
    if (report("item_get", status) != NX_SUCCESS)
        return;
    if (download("message_get", out) != NX_SUCCESS)
        return;
    clock_start();
    status = nx_pop3_client_mail_item_delete(&client, 1);
    if (stage("dele", status) != NX_SUCCESS)
        return;
    clock_start();
    status = nx_pop3_client_quit(&client);
    stage("quit", status);
}


static int env_is(const char *name, const char *value, const char *def)
{
    const char *v = getenv(name);
    if (v == NULL || *v == '\0')
        v = def;
    return strcmp(v, value) == 0;
}

static void list_item(NX_POP3_CLIENT *client_ptr, UINT mail_item, ULONG size, VOID *context)
{
    (void)client_ptr;
    (void)context;
    printf("list_item %u %lu\n", mail_item, size);
}

static void uid_item(NX_POP3_CLIENT *client_ptr, UINT mail_item, CHAR *uid, VOID *context)
{
    (void)client_ptr;
    (void)context;
    printf("uid_item %u %.80s\n", mail_item, uid);
}

/* What the fetch callback saw. */
static UINT fetch_packets, fetch_messages;

static UINT fetched(NX_POP3_CLIENT *client_ptr, UINT mail_item, NX_PACKET *packet, UINT final, VOID *context)
{
    (void)client_ptr;
    write_out((FILE *)context, packet, packet->nx_packet_length);
    fetch_packets++;
    if (final) {
        fetch_messages++;
        printf("fetched %u\n", mail_item);
    }
    nx_packet_release(packet);
    return NX_SUCCESS;
}

/* ext_flow runs the extended API's flow and returns at the first failure. */
static void ext_flow(ULONG port, FILE *out, FILE *top_out)
{
    NX_POP3_CLIENT_OPTIONS options;
    NXD_ADDRESS server;
    UINT status, items = 0;
    ULONG total = 0, size = 0;

    nx_pop3_client_options_init(&options);
    options.nx_pop3_options_tls = env_is("TLS", "starttls", "none")   ? NX_POP3_TLS_STARTTLS
                                  : env_is("TLS", "implicit", "none") ? NX_POP3_TLS_IMPLICIT
                                                                      : NX_POP3_TLS_NONE;
    options.nx_pop3_options_verify = env_is("VERIFY", "0", "1") ? NX_FALSE : NX_TRUE;
    options.nx_pop3_options_ca_file = getenv("CA_FILE");
    options.nx_pop3_options_server_name = getenv("SERVER_NAME");
    options.nx_pop3_options_auth = env_is("AUTH", "cram-md5", "apop") ? NX_POP3_AUTH_CRAM_MD5
                                   : env_is("AUTH", "plain", "apop")    ? NX_POP3_AUTH_PLAIN
                                   : env_is("AUTH", "login", "apop")    ? NX_POP3_AUTH_LOGIN
                                   : env_is("AUTH", "xoauth2", "apop")  ? NX_POP3_AUTH_XOAUTH2
                                   : env_is("AUTH", "user", "apop")     ? NX_POP3_AUTH_USER
                                                                        : NX_POP3_AUTH_APOP;
    options.nx_pop3_options_reply_timeout = env_ulong("REPLY_TIMEOUT", 30);
    options.nx_pop3_options_connect_timeout = env_ulong("CONNECT_TIMEOUT", 200);

    memset(&server, 0, sizeof server);
    server.nxd_ip_version = NX_IP_VERSION_V4;
    server.nxd_ip_address.v4 = IP_ADDRESS(127, 0, 0, 1);

    clock_start();
    status = nxd_pop3_client_create_ex(&client, &ip, &pool, &server, port, (CHAR *)"mrose", (CHAR *)"tanstaaf",
                                       &options);
    if (stage("create", status) != NX_SUCCESS)
        return;
    clock_start();
    status = nx_pop3_client_mail_items_get(&client, &items, &total);
    printf("items 0x%02X %u %lu\n", status, items, total);
    if (report("items", status) != NX_SUCCESS)
        return;

    if (env_is("FLOW", "fetch", "standard")) {
        clock_start();
        status = nx_pop3_client_mail_items_fetch(&client, NX_NULL, items, NX_TRUE, fetched, out);
        printf("fetch 0x%02X packets %u messages %u\n", status, fetch_packets, fetch_messages);
        if (report("fetch", status) != NX_SUCCESS)
            return;
    } else {
        clock_start();
        status = nx_pop3_client_mail_items_size_list(&client, list_item, NX_NULL);
        if (stage("list", status) != NX_SUCCESS)
            return;
        clock_start();
        status = nx_pop3_client_mail_item_size_get(&client, 1, &size);
        printf("size 0x%02X %lu\n", status, size);
        if (report("size", status) != NX_SUCCESS)
            return;
        clock_start();
        status = nx_pop3_client_mail_items_uid_list(&client, uid_item, NX_NULL);
        if (stage("uidl", status) != NX_SUCCESS)
            return;
        clock_start();
        status = nx_pop3_client_mail_item_get(&client, 1, &size);
        printf("item_get 0x%02X %lu\n", status, size);
        if (report("item_get", status) != NX_SUCCESS)
            return;
        if (download("message_get", out) != NX_SUCCESS)
            return;
        clock_start();
        status = nx_pop3_client_mail_item_top_get(&client, 1, 0);
        if (stage("top", status) != NX_SUCCESS)
            return;
        if (download("top_data", top_out) != NX_SUCCESS)
            return;
        clock_start();
        status = nx_pop3_client_mail_item_delete(&client, 1);
        if (stage("dele", status) != NX_SUCCESS)
            return;
    }
    clock_start();
    status = nx_pop3_client_quit(&client);
    stage("quit", status);
}

static FILE *open_out(const char *name, const char *suffix)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof path, "%s%s", name, suffix);
    f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    return f;
}

int main(int argc, char **argv)
{
    FILE *out, *top_out;
    ULONG port;

    if (argc != 4 || (strcmp(argv[1], "vendor") != 0 && strcmp(argv[1], "ext") != 0)) {
        fprintf(stderr, "usage: %s vendor|ext port data-file\n", argv[0]);
        return 2;
    }
    port = strtoul(argv[2], NULL, 10);
    out = open_out(argv[3], "");
    top_out = open_out(argv[3], ".top");
    setvbuf(stdout, NULL, _IOLBF, 0);
    loopback_start(&pool, "hostile pool", pool_memory, sizeof pool_memory, &ip, "hostile IP");

    if (strcmp(argv[1], "vendor") == 0)
        vendor_flow(port, out);
    else
        ext_flow(port, out, top_out);
    fclose(out);
    fclose(top_out);

    printf("client_delete 0x%02X\n", nx_pop3_client_delete(&client));
    print_pool_free(&pool);
    return 0;
}
