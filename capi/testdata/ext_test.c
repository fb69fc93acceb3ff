/*
 * ext_test.c - drives nxpop3's extended services (nxd_pop3_client_create_ex
 * and its options, CAPA, UIDL, LIST, TOP, response codes, the pipelined
 * fetch) as an application would. ext_test.go and ext_dovecot_test.go start
 * the servers, run one scenario each and check what it prints against what
 * the server holds and saw.
 *
 * Usage: POP3_SERVER=a.b.c.d:port POP3_USER=.. POP3_PASSWORD=.. ./ext_test SCENARIO
 *
 * Scenarios: options, login, services, fetch, inuse, checks.
 * Settings (environment): TLS (none|starttls|implicit), AUTH (auto|user|apop|
 * plain|login|cram|xoauth2), STRICT, VERIFY, CA_FILE, SERVER_NAME, HOST
 * (a host name: the NXD_ADDRESS is then NULL), OPTS_NULL, OLD_SIZE (size
 * field of an older caller's options struct), WANT (expected create status,
 * hex), PAYLOAD, PACKETS, PACKET_TIMEOUT (ticks), FETCH_BYTES, ITEMS (comma list; unset:
 * NULL), COUNT (item_count with ITEMS unset; default: all), DELETE,
 * STOP_AT, STOP_ON (first|final), HOLD (callback keeps the packets),
 * REENTER (callback calls services of its own client), WANT_FETCH (hex),
 * TOP_LINES, CAPS (comma list of capabilities to ask, each printed),
 * HASH_FILE (fetch writes "msg ITEM LEN HASH" lines there instead of stdout).
 *
 * Prints one line per failed check, facts for the Go side ("msg 3 120
 * 0123abcd...", "uid 1 uid-1", ...), and "N passed, M failed" last; exits
 * non-zero if a check failed.
 */
#define _POSIX_C_SOURCE 200809L

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nx_api.h"
#include "nx_pop3_client.h"
#include "testenv.h"
#include "check.h"




/* FNV-1a, 64 bits: the Go side computes the same over the stored bytes. */
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static unsigned long long fnv(unsigned long long h, const UCHAR *p, ULONG n)
{
    ULONG i;

    for (i = 0; i < n; i++)
    {
        h ^= p[i];
        h *= FNV_PRIME;
    }
    return h;
}

static NX_PACKET_POOL pool;
static NX_IP ip;
static ULONG ip_memory[512];
static UCHAR *pool_memory;
static NXD_ADDRESS server;
static ULONG server_port;
static CHAR *user, *password;

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
    const char *addr = env("POP3_SERVER", "");

    if (sscanf(addr, "%u.%u.%u.%u:%u", &a, &b, &c, &d, &port) != 5)
    {
        printf("POP3_SERVER=a.b.c.d:port is required\n");
        exit(2);
    }
    server.nxd_ip_version = NX_IP_VERSION_V4;
    server.nxd_ip_address.v4 = IP_ADDRESS(a, b, c, d);
    server_port = port;
    user = (CHAR *)env("POP3_USER", "demo");
    password = (CHAR *)env("POP3_PASSWORD", "secret");

    nx_system_initialize();
    pool_memory = malloc(size);
    CHECK(pool_memory != NULL);
    CHECK_EQ(nx_packet_pool_create(&pool, "ext pool", payload, pool_memory, size), NX_SUCCESS);
    CHECK_EQ(nx_ip_create(&ip, "ext ip", IP_ADDRESS(192, 168, 0, 2), 0xFFFFFF00UL, &pool,
                          _nx_ram_network_driver, ip_memory, sizeof ip_memory, 1), NX_SUCCESS);
    CHECK_EQ(nx_tcp_enable(&ip), NX_SUCCESS);
}

static int finish(void)
{
    /* No packet may stay allocated, whatever the scenario did. */
    CHECK_EQ(free_packets(), pool.nx_packet_pool_total);
    CHECK_EQ(nx_ip_delete(&ip), NX_SUCCESS);
    CHECK_EQ(nx_packet_pool_delete(&pool), NX_SUCCESS);
    free(pool_memory);
    return check_summary();
}

static UINT tls_mode(void)
{
    const char *t = env("TLS", "none");

    if (strcmp(t, "starttls") == 0)
        return NX_POP3_TLS_STARTTLS;
    if (strcmp(t, "implicit") == 0)
        return NX_POP3_TLS_IMPLICIT;
    if (strcmp(t, "none") == 0)
        return NX_POP3_TLS_NONE;
    return (UINT)strtoul(t, NULL, 0); /* a number: an unknown mode on purpose */
}

static UINT auth_method(void)
{
    static const struct
    {
        const char *name;
        UINT value;
    } methods[] = {
        {"auto", NX_POP3_AUTH_AUTO},   {"user", NX_POP3_AUTH_USER},   {"apop", NX_POP3_AUTH_APOP},
        {"plain", NX_POP3_AUTH_PLAIN}, {"login", NX_POP3_AUTH_LOGIN}, {"cram", NX_POP3_AUTH_CRAM_MD5},
        {"xoauth2", NX_POP3_AUTH_XOAUTH2}, {"scram256", NX_POP3_AUTH_SCRAM_SHA_256},
        {"scram1", NX_POP3_AUTH_SCRAM_SHA_1}, {"oauthbearer", NX_POP3_AUTH_OAUTHBEARER},
    };
    const char *a = env("AUTH", "apop");
    size_t i;

    for (i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(a, methods[i].name) == 0)
            return methods[i].value;
    return (UINT)strtoul(a, NULL, 0);
}

/* Options from the environment, over the defaults. */
static void options_from_env(NX_POP3_CLIENT_OPTIONS *opt)
{
    CHECK_EQ(nx_pop3_client_options_init(opt), NX_SUCCESS);
    opt->nx_pop3_options_tls = tls_mode();
    opt->nx_pop3_options_auth = auth_method();
    opt->nx_pop3_options_strict = (UINT)env_ulong("STRICT", NX_FALSE);
    opt->nx_pop3_options_verify = (UINT)env_ulong("VERIFY", NX_TRUE);
    opt->nx_pop3_options_ca_file = (CHAR *)getenv("CA_FILE");
    opt->nx_pop3_options_server_name = (CHAR *)getenv("SERVER_NAME");
    opt->nx_pop3_options_host = (CHAR *)getenv("HOST");
    opt->nx_pop3_options_packet_timeout = env_ulong("PACKET_TIMEOUT", NX_POP3_CLIENT_PACKET_TIMEOUT);
    opt->nx_pop3_options_fetch_bytes = env_ulong("FETCH_BYTES", 0);
    opt->nx_pop3_options_reply_timeout = env_ulong("REPLY_TIMEOUT", NX_POP3_SERVER_REPLY_TIMEOUT);
    opt->nx_pop3_options_insecure_auth = (UINT)env_ulong("INSECURE_AUTH", NX_FALSE);
    opt->nx_pop3_options_tls_cert_file = (CHAR *)getenv("TLS_CERT_FILE");
    opt->nx_pop3_options_tls_key_file = (CHAR *)getenv("TLS_KEY_FILE");
    opt->nx_pop3_options_tls_fingerprint = (CHAR *)getenv("TLS_FINGERPRINT");
    opt->nx_pop3_options_tls_min_version = (UINT)env_ulong("TLS_MIN_VERSION", 0);
}

static void print_error(NX_POP3_CLIENT *client)
{
    CHAR text[NX_POP3_ERROR_TEXT_SIZE];
    UINT code = 99;

    text[0] = '\0';
    nx_pop3_client_error_text(client, text, sizeof text);
    printf("error_text %s\n", text);
    CHECK_EQ(nx_pop3_client_response_code_get(client, &code), NX_SUCCESS);
    printf("resp_code %u\n", code);
}

/* OLD_SIZE names the first field an older caller's struct lacks. */
static ULONG old_size(const char *field)
{
    if (strcmp(field, "tls") == 0)
        return offsetof(NX_POP3_CLIENT_OPTIONS, nx_pop3_options_tls);
    if (strcmp(field, "host") == 0)
        return offsetof(NX_POP3_CLIENT_OPTIONS, nx_pop3_options_host);
    if (strcmp(field, "strict") == 0)
        return offsetof(NX_POP3_CLIENT_OPTIONS, nx_pop3_options_strict);
    if (strcmp(field, "reply_timeout") == 0)
        return offsetof(NX_POP3_CLIENT_OPTIONS, nx_pop3_options_reply_timeout);
    return strtoul(field, NULL, 0);
}

/* Creates the client the environment describes and checks the status
 * against WANT (default success). Returns the status. */
static UINT create_client(NX_POP3_CLIENT *client)
{
    NX_POP3_CLIENT_OPTIONS opt;
    NX_POP3_CLIENT_OPTIONS *optp = &opt;
    NXD_ADDRESS *addr = &server;
    UINT status;

    options_from_env(&opt);
    if (getenv("HOST") != NULL)
        addr = NX_NULL;
    if (env_ulong("OPTS_NULL", 0))
        optp = NX_NULL;
    if (getenv("OLD_SIZE") != NULL)
    {
        /* An older caller's struct ends early: what lies beyond its size
         * is not the caller's and must not be read. */
        ULONG old = old_size(getenv("OLD_SIZE"));
        memset((UCHAR *)&opt + old, 0xA5, sizeof opt - old);
        opt.nx_pop3_options_size = old;
    }
    status = nxd_pop3_client_create_ex(client, &ip, &pool, addr, server_port, user, password, optp);
    printf("create 0x%02X\n", status);
    CHECK_EQ(status, env_ulong("WANT", NX_SUCCESS));
    if (status != NX_SUCCESS)
        print_error(client);
    return status;
}

static UINT stat_items(NX_POP3_CLIENT *client)
{
    UINT count = 0;
    ULONG size = 0;

    CHECK_EQ(nx_pop3_client_mail_items_get(client, &count, &size), NX_SUCCESS);
    printf("count %u size %lu\n", count, size);
    return count;
}

static void end_client(NX_POP3_CLIENT *client)
{
    UINT status = nx_pop3_client_quit(client);

    printf("quit 0x%02X\n", status);
    CHECK_EQ(status, NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_delete(client), NX_SUCCESS);
}

/* ---- options ---------------------------------------------------------- */

static int scenario_options(void)
{
    NX_POP3_CLIENT_OPTIONS opt;
    NX_POP3_CLIENT client;
    CHAR text[NX_POP3_ERROR_TEXT_SIZE];

    CHECK_EQ(nx_pop3_client_options_init(NX_NULL), NX_PTR_ERROR);
    memset(&opt, 0x5A, sizeof opt);
    CHECK_EQ(nx_pop3_client_options_init(&opt), NX_SUCCESS);
    CHECK_EQ(opt.nx_pop3_options_size, sizeof(NX_POP3_CLIENT_OPTIONS));
    CHECK_EQ(opt.nx_pop3_options_tls, NX_POP3_TLS_NONE);
    CHECK_EQ(opt.nx_pop3_options_verify, NX_TRUE);
    CHECK(opt.nx_pop3_options_ca_file == NX_NULL);
    CHECK(opt.nx_pop3_options_server_name == NX_NULL);
    CHECK(opt.nx_pop3_options_host == NX_NULL);
    CHECK_EQ(opt.nx_pop3_options_auth, NX_POP3_AUTH_APOP);
    CHECK_EQ(opt.nx_pop3_options_strict, NX_FALSE);
    CHECK_EQ(opt.nx_pop3_options_connect_timeout, NX_POP3_CLIENT_CONNECTION_TIMEOUT);
    CHECK_EQ(opt.nx_pop3_options_reply_timeout, NX_POP3_SERVER_REPLY_TIMEOUT);
    CHECK_EQ(opt.nx_pop3_options_packet_timeout, NX_POP3_CLIENT_PACKET_TIMEOUT);
    CHECK_EQ(opt.nx_pop3_options_fetch_bytes, 0);
    CHECK_EQ(opt.nx_pop3_options_insecure_auth, NX_FALSE);

    /* NULL pointers. */
    CHECK_EQ(nxd_pop3_client_create_ex(NX_NULL, &ip, &pool, &server, server_port, user, password, &opt), NX_PTR_ERROR);
    memset(&client, 0, sizeof client);
    CHECK_EQ(nxd_pop3_client_create_ex(&client, NX_NULL, &pool, &server, server_port, user, password, &opt), NX_PTR_ERROR);
    CHECK_EQ(nxd_pop3_client_create_ex(&client, &ip, NX_NULL, &server, server_port, user, password, &opt), NX_PTR_ERROR);
    CHECK_EQ(nxd_pop3_client_create_ex(&client, &ip, &pool, &server, server_port, NX_NULL, password, &opt), NX_PTR_ERROR);
    CHECK_EQ(nxd_pop3_client_create_ex(&client, &ip, &pool, &server, server_port, user, NX_NULL, &opt), NX_PTR_ERROR);
    /* Neither an address nor a host name. */
    CHECK_EQ(nxd_pop3_client_create_ex(&client, &ip, &pool, NX_NULL, server_port, user, password, &opt), NX_PTR_ERROR);

    /* A size no initialised struct has: never read further. */
    opt.nx_pop3_options_size = 0;
    CHECK_EQ(nxd_pop3_client_create_ex(&client, &ip, &pool, &server, server_port, user, password, &opt), NX_POP3_PARAM_ERROR);
    CHECK_EQ(nx_pop3_client_error_text(&client, text, sizeof text), NX_SUCCESS);
    CHECK(strstr(text, "options_init") != NULL);
    if (strstr(text, "options_init") == NULL)
        printf("error text: %s\n", text);
    opt.nx_pop3_options_size = 0xFFFFFFFFUL;
    CHECK_EQ(nxd_pop3_client_create_ex(&client, &ip, &pool, &server, server_port, user, password, &opt), NX_POP3_PARAM_ERROR);
    opt.nx_pop3_options_size = 2; /* not even the size field */
    CHECK_EQ(nxd_pop3_client_create_ex(&client, &ip, &pool, &server, server_port, user, password, &opt), NX_POP3_PARAM_ERROR);

    /* Unknown TLS mode and authentication method. */
    nx_pop3_client_options_init(&opt);
    opt.nx_pop3_options_tls = 3;
    CHECK_EQ(nxd_pop3_client_create_ex(&client, &ip, &pool, &server, server_port, user, password, &opt), NX_POP3_PARAM_ERROR);
    opt.nx_pop3_options_tls = 0xFFFFFFFFU;
    CHECK_EQ(nxd_pop3_client_create_ex(&client, &ip, &pool, &server, server_port, user, password, &opt), NX_POP3_PARAM_ERROR);
    nx_pop3_client_options_init(&opt);
    opt.nx_pop3_options_auth = 10; /* one past NX_POP3_AUTH_OAUTHBEARER */
    CHECK_EQ(nxd_pop3_client_create_ex(&client, &ip, &pool, &server, server_port, user, password, &opt), NX_POP3_PARAM_ERROR);
    CHECK_EQ(nx_pop3_client_error_text(&client, text, sizeof text), NX_SUCCESS);
    CHECK(strstr(text, "authentication") != NULL);
    /* An unreadable CA file. */
    nx_pop3_client_options_init(&opt);
    opt.nx_pop3_options_tls = NX_POP3_TLS_IMPLICIT;
    opt.nx_pop3_options_ca_file = "/nonexistent/ca.pem";
    CHECK_EQ(nxd_pop3_client_create_ex(&client, &ip, &pool, &server, server_port, user, password, &opt), NX_POP3_PARAM_ERROR);
    /* None of these touched the struct as a client. */
    CHECK_EQ(nx_pop3_client_quit(&client), NX_PTR_ERROR);
    return finish();
}

/* ---- login ------------------------------------------------------------ */

static int scenario_login(void)
{
    NX_POP3_CLIENT client;

    memset(&client, 0, sizeof client);
    if (create_client(&client) == NX_SUCCESS)
    {
        UINT code = 99;

        CHECK_EQ(client.nx_pop3_client_id, NX_POP3_CLIENT_ID);
        CHECK_EQ(nx_pop3_client_response_code_get(&client, &code), NX_SUCCESS);
        CHECK_EQ(code, NX_POP3_RESP_NONE);
        stat_items(&client);
        end_client(&client);
    }
    else
    {
        /* A failed create leaves no client behind. */
        CHECK_EQ(nx_pop3_client_quit(&client), NX_PTR_ERROR);
        CHECK_EQ(nx_pop3_client_delete(&client), NX_PTR_ERROR);
    }
    return finish();
}

/* ---- services --------------------------------------------------------- */

struct listing
{
    UINT calls;
    UINT last_item;
    UINT in_order;
    UINT reenter_status;
    NX_POP3_CLIENT *client;
};

static VOID on_uid(NX_POP3_CLIENT *client, UINT item, CHAR *uid, VOID *context)
{
    struct listing *l = context;

    CHECK(client == l->client);
    CHECK(uid != NX_NULL);
    if (item != l->last_item + 1)
        l->in_order = NX_FALSE;
    l->last_item = item;
    l->calls++;
    printf("uidl %u %s\n", item, uid);
    if (l->calls == 1)
    {
        UINT n = 0;
        ULONG s = 0;
        l->reenter_status = nx_pop3_client_mail_items_get(client, &n, &s);
    }
}

static VOID on_size(NX_POP3_CLIENT *client, UINT item, ULONG size, VOID *context)
{
    struct listing *l = context;

    CHECK(client == l->client);
    if (item != l->last_item + 1)
        l->in_order = NX_FALSE;
    l->last_item = item;
    l->calls++;
    printf("list %u %lu\n", item, size);
    if (l->calls == 1)
        l->reenter_status = nx_pop3_client_noop(client);
}

/* Reads the message started by mail_item_get or top_get; returns its
 * length and hash through the pointers, the status as the result. */
static UINT read_message(NX_POP3_CLIENT *client, ULONG *length, unsigned long long *hash)
{
    UINT final = NX_FALSE, status = NX_SUCCESS;

    *length = 0;
    *hash = FNV_OFFSET;
    while (!final)
    {
        NX_PACKET *packet = NX_NULL;
        ULONG bytes = 0;

        status = nx_pop3_client_mail_item_message_get(client, &packet, &bytes, &final);
        if (status != NX_SUCCESS)
            break;
        CHECK_EQ(packet->nx_packet_length, bytes);
        *hash = fnv(*hash, packet->nx_packet_prepend_ptr, bytes);
        *length += bytes;
        CHECK_EQ(nx_packet_release(packet), NX_SUCCESS);
    }
    return status;
}

static int scenario_services(void)
{
    NX_POP3_CLIENT client;
    UINT count, i, supported;
    CHAR caps[4096], small[8];
    CHAR uid[NX_POP3_MAX_UID + 1];
    struct listing l;
    const char *names;
    ULONG top_lines = env_ulong("TOP_LINES", 2);

    memset(&client, 0, sizeof client);
    if (create_client(&client) != NX_SUCCESS)
        return finish();

    /* Before STAT, no item number is valid. */
    CHECK_EQ(nx_pop3_client_mail_item_uid_get(&client, 1, uid, sizeof uid), NX_POP3_INVALID_MAIL_ITEM);
    CHECK_EQ(nx_pop3_client_mail_item_top_get(&client, 1, 0), NX_POP3_INVALID_MAIL_ITEM);

    /* Capabilities: each name asked is printed with the answer. */
    names = env("CAPS", "UIDL,PIPELINING,SASL CRAM-MD5,X-ABSENT");
    {
        char *copy = strdup(names), *save = NULL, *name;

        for (name = strtok_r(copy, ",", &save); name != NULL; name = strtok_r(NULL, ",", &save))
        {
            supported = 99;
            CHECK_EQ(nx_pop3_client_capability_get(&client, name, &supported), NX_SUCCESS);
            CHECK(supported == NX_TRUE || supported == NX_FALSE);
            printf("capa %s=%u\n", name, supported);
        }
        free(copy);
    }
    memset(caps, 0x7F, sizeof caps);
    CHECK_EQ(nx_pop3_client_capabilities_get(&client, caps, sizeof caps), NX_SUCCESS);
    CHECK(memchr(caps, '\0', sizeof caps) != NULL);
    {
        char *save = NULL, *line;

        for (line = strtok_r(caps, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
            printf("capline %s\n", line);
    }
    memset(small, 0x7F, sizeof small);
    CHECK_EQ(nx_pop3_client_capabilities_get(&client, small, sizeof small), NX_SIZE_ERROR);
    CHECK_EQ(small[sizeof small - 1], '\0');
    CHECK_EQ(strlen(small), sizeof small - 1);
    CHECK_EQ(nx_pop3_client_capabilities_get(&client, small, 0), NX_SIZE_ERROR);

    count = stat_items(&client);

    /* UIDL n for each item, then index checks. */
    for (i = 1; i <= count; i++)
    {
        memset(uid, 0x7F, sizeof uid);
        CHECK_EQ(nx_pop3_client_mail_item_uid_get(&client, i, uid, sizeof uid), NX_SUCCESS);
        printf("uid %u %s\n", i, uid);
    }
    if (count > 0)
    {
        memset(small, 0x7F, sizeof small);
        CHECK_EQ(nx_pop3_client_mail_item_uid_get(&client, 1, small, 3), NX_SIZE_ERROR);
        CHECK_EQ(small[2], '\0');
        CHECK_EQ(small[3], 0x7F); /* nothing written beyond the size given */
        printf("uidcut %s\n", small);
        CHECK_EQ(nx_pop3_client_mail_item_uid_get(&client, 1, uid, 0), NX_SIZE_ERROR);
    }
    CHECK_EQ(nx_pop3_client_mail_item_uid_get(&client, 0, uid, sizeof uid), NX_POP3_CLIENT_INVALID_INDEX);
    CHECK_EQ(nx_pop3_client_mail_item_uid_get(&client, count + 1, uid, sizeof uid), NX_POP3_INVALID_MAIL_ITEM);

    /* UIDL and LIST of every message. */
    memset(&l, 0, sizeof l);
    l.client = &client;
    l.in_order = NX_TRUE;
    CHECK_EQ(nx_pop3_client_mail_items_uid_list(&client, on_uid, &l), NX_SUCCESS);
    CHECK_EQ(l.calls, count);
    CHECK(l.in_order);
    if (count > 0)
        CHECK_EQ(l.reenter_status, NX_CALLER_ERROR);
    memset(&l, 0, sizeof l);
    l.client = &client;
    l.in_order = NX_TRUE;
    CHECK_EQ(nx_pop3_client_mail_items_size_list(&client, on_size, &l), NX_SUCCESS);
    CHECK_EQ(l.calls, count);
    CHECK(l.in_order);
    if (count > 0)
        CHECK_EQ(l.reenter_status, NX_CALLER_ERROR);

    /* TOP n lines of each message, read with the message_get loop. */
    for (i = 1; i <= count; i++)
    {
        ULONG length = 0;
        unsigned long long hash = 0;

        CHECK_EQ(nx_pop3_client_mail_item_top_get(&client, i, (UINT)top_lines), NX_SUCCESS);
        CHECK_EQ(client.nx_pop3_client_ready_to_download, NX_TRUE);
        CHECK_EQ(read_message(&client, &length, &hash), NX_SUCCESS);
        printf("top %u %lu %016llx\n", i, length, hash);
    }
    /* A TOP left half read does not disturb the next command. */
    if (count > 0)
    {
        NX_PACKET *packet = NX_NULL;
        ULONG bytes = 0;
        UINT final = NX_FALSE;

        CHECK_EQ(nx_pop3_client_mail_item_top_get(&client, 1, 1000000), NX_SUCCESS);
        CHECK_EQ(nx_pop3_client_mail_item_message_get(&client, &packet, &bytes, &final), NX_SUCCESS);
        if (packet != NX_NULL)
            nx_packet_release(packet);
        memset(uid, 0, sizeof uid);
        CHECK_EQ(nx_pop3_client_mail_item_uid_get(&client, 1, uid, sizeof uid), NX_SUCCESS);
        printf("uidafter %s\n", uid);
        CHECK_EQ(nx_pop3_client_mail_item_message_get(&client, &packet, &bytes, &final), NX_POP3_CLIENT_INVALID_STATE);
    }
    CHECK_EQ(nx_pop3_client_mail_item_top_get(&client, 0, 1), NX_POP3_CLIENT_INVALID_INDEX);
    CHECK_EQ(nx_pop3_client_mail_item_top_get(&client, count + 1, 1), NX_POP3_INVALID_MAIL_ITEM);

    end_client(&client);
    return finish();
}

/* ---- fetch ------------------------------------------------------------ */

struct fetch_state
{
    NX_POP3_CLIENT *client;
    FILE *out;
    UINT stop_at;      /* item whose packet stops the fetch (0: never) */
    UINT stop_final;   /* stop on its final packet rather than its first */
    UINT hold;         /* keep the packets instead of releasing them */
    UINT reenter;      /* call services of this client from the callback */
    UINT stopped;      /* the callback returned the stop status */
    UINT after_stop;   /* calls after the stop: must stay 0 */
    UINT current;      /* item being received, 0 between messages */
    UINT packets;      /* of the current item */
    ULONG length;      /* of the current item */
    unsigned long long hash;
    UINT messages;     /* complete messages */
    UINT reenter_status[7];
    NX_PACKET *held[4096];
    UINT nheld;
};

#define STOP_STATUS 0x43 /* NX_NOT_SUCCESSFUL: what the fetch must return */

static UINT on_packet(NX_POP3_CLIENT *client, UINT item, NX_PACKET *packet, UINT final, VOID *context)
{
    struct fetch_state *s = context;

    CHECK(client == s->client);
    CHECK(packet != NX_NULL);
    if (packet == NX_NULL)
        return NX_PTR_ERROR;
    if (s->stopped)
        s->after_stop++;
    CHECK(packet->nx_packet_pool_owner == &pool);
    CHECK(final == NX_TRUE || final == NX_FALSE);
    if (s->current == 0)
    {
        s->current = item;
        s->packets = 0;
        s->length = 0;
        s->hash = FNV_OFFSET;
    }
    CHECK_EQ(item, s->current); /* packets of one message are not interleaved */
    s->packets++;
    s->length += packet->nx_packet_length;
    s->hash = fnv(s->hash, packet->nx_packet_prepend_ptr, packet->nx_packet_length);
    /* Only an empty message has an empty packet. */
    if (packet->nx_packet_length == 0)
        CHECK(final && s->packets == 1);

    if (s->reenter && s->messages == 0 && s->packets == 1)
    {
        UINT n = 0;
        ULONG size = 0;
        NX_PACKET *p = NX_NULL;
        ULONG bytes = 0;
        UINT fin = 0;
        CHAR uid[NX_POP3_MAX_UID + 1];

        s->reenter_status[0] = nx_pop3_client_noop(client);
        s->reenter_status[1] = nx_pop3_client_mail_items_get(client, &n, &size);
        s->reenter_status[2] = nx_pop3_client_mail_item_message_get(client, &p, &bytes, &fin);
        s->reenter_status[3] = nx_pop3_client_mail_item_uid_get(client, 1, uid, sizeof uid);
        s->reenter_status[4] = nx_pop3_client_capability_get(client, "UIDL", &fin);
        s->reenter_status[5] = nx_pop3_client_mail_items_fetch(client, NX_NULL, 1, NX_FALSE, on_packet, context);
        /* Deleting the client from its own callback would pull the session
         * from under the fetch. */
        s->reenter_status[6] = nx_pop3_client_delete(client);
    }

    if (s->hold && s->nheld < sizeof s->held / sizeof s->held[0])
        s->held[s->nheld++] = packet;
    else
        CHECK_EQ(nx_packet_release(packet), NX_SUCCESS);

    if (s->stop_at == item && !s->stopped && (final || !s->stop_final))
    {
        s->stopped = NX_TRUE;
        s->current = 0;
        return STOP_STATUS;
    }
    if (final)
    {
        fprintf(s->out != NULL ? s->out : stdout, "msg %u %lu %016llx %u\n", item, s->length, s->hash, s->packets);
        s->messages++;
        s->current = 0;
    }
    return NX_SUCCESS;
}

static UINT parse_items(UINT *items, UINT max)
{
    const char *v = getenv("ITEMS");
    UINT n = 0;
    char *end;

    while (v != NULL && *v != '\0' && n < max)
    {
        items[n++] = (UINT)strtoul(v, &end, 10);
        v = *end == ',' ? end + 1 : end;
        if (end == v && *end != ',')
            break;
    }
    return n;
}

static int scenario_fetch(void)
{
    NX_POP3_CLIENT client;
    static UINT items[4096];
    static struct fetch_state s;
    UINT count, n, status, i;
    UINT *list = NX_NULL;
    const char *hash_file = getenv("HASH_FILE");
    double t0;

    memset(&client, 0, sizeof client);
    if (create_client(&client) != NX_SUCCESS)
        return finish();
    count = stat_items(&client);

    memset(&s, 0, sizeof s);
    s.client = &client;
    s.stop_at = (UINT)env_ulong("STOP_AT", 0);
    s.stop_final = strcmp(env("STOP_ON", "first"), "final") == 0;
    s.hold = (UINT)env_ulong("HOLD", 0);
    s.reenter = (UINT)env_ulong("REENTER", 0);
    if (hash_file != NULL)
    {
        s.out = fopen(hash_file, "w");
        CHECK(s.out != NULL);
    }
    if (getenv("ITEMS") != NULL)
    {
        n = parse_items(items, sizeof items / sizeof items[0]);
        list = items;
    }
    else
        n = (UINT)env_ulong("COUNT", count);

    t0 = now_s();
    status = nx_pop3_client_mail_items_fetch(&client, list, n, (UINT)env_ulong("DELETE", 0), on_packet, &s);
    printf("fetch 0x%02X messages %u\n", status, s.messages);
    printf("fetch_seconds %.3f\n", now_s() - t0);
    CHECK_EQ(status, env_ulong("WANT_FETCH", NX_SUCCESS));
    CHECK_EQ(s.after_stop, 0);
    if (s.out != NULL)
        fclose(s.out);
    if (s.reenter)
    {
        for (i = 0; i < sizeof s.reenter_status / sizeof s.reenter_status[0]; i++)
        {
            if (s.reenter_status[i] != NX_CALLER_ERROR)
                printf("reentrant call %u\n", i);
            CHECK_EQ(s.reenter_status[i], NX_CALLER_ERROR);
        }
    }
    if (s.hold)
    {
        printf("held %u\n", s.nheld);
        /* The pool ran dry while the callback held every packet. */
        CHECK_EQ(free_packets(), 0);
        for (i = 0; i < s.nheld; i++)
            CHECK_EQ(nx_packet_release(s.held[i]), NX_SUCCESS);
    }
    CHECK_EQ(free_packets(), pool.nx_packet_pool_total);
    /* Nothing is left half-read: message_get has no message. */
    {
        NX_PACKET *p = NX_NULL;
        ULONG bytes = 0;
        UINT fin = 0;
        CHECK_EQ(nx_pop3_client_mail_item_message_get(&client, &p, &bytes, &fin), NX_POP3_CLIENT_INVALID_STATE);
    }
    /* The session goes on after the fetch, whatever stopped it. */
    CHECK_EQ(nx_pop3_client_noop(&client), NX_SUCCESS);
    if (env_ulong("NO_QUIT", 0))
        CHECK_EQ(nx_pop3_client_delete(&client), NX_SUCCESS);
    else
        end_client(&client);
    return finish();
}

/* ---- inuse: response codes --------------------------------------------- */

static int scenario_inuse(void)
{
    NX_POP3_CLIENT first, second;
    NX_POP3_CLIENT_OPTIONS opt;
    UINT code = 99, status;
    CHAR *good = password;

    nx_pop3_client_options_init(&opt);
    opt.nx_pop3_options_auth = NX_POP3_AUTH_USER;
    memset(&first, 0, sizeof first);
    memset(&second, 0, sizeof second);
    CHECK_EQ(nxd_pop3_client_create_ex(&first, &ip, &pool, &server, server_port, user, password, &opt), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_response_code_get(&first, &code), NX_SUCCESS);
    CHECK_EQ(code, NX_POP3_RESP_NONE);

    /* The mailbox is locked by the first session. */
    status = nxd_pop3_client_create_ex(&second, &ip, &pool, &server, server_port, user, password, &opt);
    CHECK_EQ(status, NX_POP3_SERVER_ERROR_STATUS);
    code = 99;
    CHECK_EQ(nx_pop3_client_response_code_get(&second, &code), NX_SUCCESS);
    CHECK_EQ(code, NX_POP3_RESP_IN_USE);
    print_error(&second);
    /* Same with the default options (APOP, then USER/PASS). */
    status = nxd_pop3_client_create_ex(&second, &ip, &pool, &server, server_port, user, password, NX_NULL);
    CHECK_EQ(status, NX_POP3_SERVER_ERROR_STATUS);
    code = 99;
    CHECK_EQ(nx_pop3_client_response_code_get(&second, &code), NX_SUCCESS);
    CHECK_EQ(code, NX_POP3_RESP_IN_USE);

    /* A wrong password is another matter. */
    status = nxd_pop3_client_create_ex(&second, &ip, &pool, &server, server_port, user, "wrong password", &opt);
    CHECK_EQ(status, NX_POP3_SERVER_ERROR_STATUS);
    code = 99;
    CHECK_EQ(nx_pop3_client_response_code_get(&second, &code), NX_SUCCESS);
    CHECK_EQ(code, NX_POP3_RESP_AUTH);

    /* A -ERR without a code in the session: NONE. */
    stat_items(&first);
    CHECK_EQ(nx_pop3_client_mail_item_delete(&first, 1), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_mail_item_delete(&first, 1), NX_POP3_SERVER_ERROR_STATUS);
    code = 99;
    CHECK_EQ(nx_pop3_client_response_code_get(&first, &code), NX_SUCCESS);
    CHECK_EQ(code, NX_POP3_RESP_NONE);
    CHECK_EQ(nx_pop3_client_reset(&first), NX_SUCCESS);

    /* Once the first session ends, the same struct logs in. */
    end_client(&first);
    (void)good;
    CHECK_EQ(nxd_pop3_client_create_ex(&second, &ip, &pool, &server, server_port, user, password, &opt), NX_SUCCESS);
    code = 99;
    CHECK_EQ(nx_pop3_client_response_code_get(&second, &code), NX_SUCCESS);
    CHECK_EQ(code, NX_POP3_RESP_NONE);
    end_client(&second);
    return finish();
}

/* ---- checks: NULL pointers, deleted clients, item numbers --------------- */

static VOID uid_nop(NX_POP3_CLIENT *c, UINT item, CHAR *uid, VOID *ctx)
{
    (void)c, (void)item, (void)uid, (void)ctx;
    CHECK(0); /* never called in these checks */
}

static VOID size_nop(NX_POP3_CLIENT *c, UINT item, ULONG size, VOID *ctx)
{
    (void)c, (void)item, (void)size, (void)ctx;
    CHECK(0);
}

static UINT fetch_nop(NX_POP3_CLIENT *c, UINT item, NX_PACKET *p, UINT final, VOID *ctx)
{
    (void)c, (void)item, (void)final, (void)ctx;
    CHECK(0);
    nx_packet_release(p);
    return NX_SUCCESS;
}

static UINT fetch_count(NX_POP3_CLIENT *c, UINT item, NX_PACKET *p, UINT final, VOID *ctx)
{
    (void)c, (void)item;
    if (final)
        (*(UINT *)ctx)++;
    nx_packet_release(p);
    return NX_SUCCESS;
}

/* Every new service refuses these the same way. */
static void check_dead(NX_POP3_CLIENT *c, const char *what)
{
    UINT s = 0, code = 0, item = 1;
    CHAR buf[64];

    printf("# dead client: %s\n", what);
    CHECK_EQ(nx_pop3_client_capability_get(c, "UIDL", &s), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_capabilities_get(c, buf, sizeof buf), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_item_uid_get(c, 1, buf, sizeof buf), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_items_uid_list(c, uid_nop, NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_items_size_list(c, size_nop, NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_item_top_get(c, 1, 0), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_items_fetch(c, &item, 1, NX_FALSE, fetch_nop, NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_items_fetch(c, NX_NULL, 1, NX_TRUE, fetch_nop, NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_response_code_get(c, &code), NX_PTR_ERROR);
}

static int scenario_checks(void)
{
    NX_POP3_CLIENT client, copy, garbage;
    UINT s = 0, code = 0, count, n = 0;
    UINT items[3];
    CHAR buf[64];

    memset(&client, 0, sizeof client);
    if (create_client(&client) != NX_SUCCESS)
        return finish();

    /* NULL pointers on a live client. */
    CHECK_EQ(nx_pop3_client_capability_get(&client, NX_NULL, &s), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_capability_get(&client, "UIDL", NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_capabilities_get(&client, NX_NULL, 10), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_item_uid_get(&client, 1, NX_NULL, 10), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_items_uid_list(&client, NX_NULL, NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_items_size_list(&client, NX_NULL, NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_mail_items_fetch(&client, NX_NULL, 1, NX_FALSE, NX_NULL, NX_NULL), NX_PTR_ERROR);
    CHECK_EQ(nx_pop3_client_response_code_get(&client, NX_NULL), NX_PTR_ERROR);
    check_dead(NX_NULL, "NULL");

    /* Item numbers: before STAT nothing is valid. */
    items[0] = 1;
    CHECK_EQ(nx_pop3_client_mail_items_fetch(&client, items, 1, NX_FALSE, fetch_nop, NX_NULL), NX_POP3_INVALID_MAIL_ITEM);
    count = stat_items(&client);
    CHECK(count >= 2);
    CHECK_EQ(nx_pop3_client_mail_item_uid_get(&client, 0, buf, sizeof buf), NX_POP3_CLIENT_INVALID_INDEX);
    CHECK_EQ(nx_pop3_client_mail_item_uid_get(&client, count + 1, buf, sizeof buf), NX_POP3_INVALID_MAIL_ITEM);
    CHECK_EQ(nx_pop3_client_mail_item_top_get(&client, 0, 0), NX_POP3_CLIENT_INVALID_INDEX);
    CHECK_EQ(nx_pop3_client_mail_item_top_get(&client, count + 1, 0), NX_POP3_INVALID_MAIL_ITEM);
    CHECK_EQ(nx_pop3_client_mail_items_fetch(&client, NX_NULL, count + 1, NX_TRUE, fetch_nop, NX_NULL), NX_POP3_INVALID_MAIL_ITEM);
    items[0] = 1, items[1] = 0, items[2] = 2;
    CHECK_EQ(nx_pop3_client_mail_items_fetch(&client, items, 3, NX_TRUE, fetch_nop, NX_NULL), NX_POP3_CLIENT_INVALID_INDEX);
    items[1] = count + 1;
    CHECK_EQ(nx_pop3_client_mail_items_fetch(&client, items, 3, NX_TRUE, fetch_nop, NX_NULL), NX_POP3_INVALID_MAIL_ITEM);
    /* A huge count with items NULL is refused like any count above STAT's,
     * without trying to make room for it. */
    CHECK_EQ(nx_pop3_client_mail_items_fetch(&client, NX_NULL, (UINT)env_ulong("HUGE_COUNT", 100000), NX_TRUE, fetch_nop, NX_NULL),
             NX_POP3_INVALID_MAIL_ITEM);
    /* Nothing was sent for the refused calls: the session is in step, and
     * an empty fetch is a success that calls nothing. */
    CHECK_EQ(nx_pop3_client_mail_items_fetch(&client, NX_NULL, 0, NX_TRUE, fetch_nop, NX_NULL), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_mail_items_fetch(&client, items, 0, NX_TRUE, fetch_nop, NX_NULL), NX_SUCCESS);
    CHECK_EQ(nx_pop3_client_mail_items_fetch(&client, NX_NULL, 1, NX_FALSE, fetch_count, &n), NX_SUCCESS);
    CHECK_EQ(n, 1);
    CHECK_EQ(nx_pop3_client_response_code_get(&client, &code), NX_SUCCESS);

    /* A copy of a live client and garbage are not clients. */
    memcpy(&copy, &client, sizeof copy);
    check_dead(&copy, "copy");
    memset(&garbage, 0xA5, sizeof garbage);
    check_dead(&garbage, "garbage");

    end_client(&client);
    check_dead(&client, "deleted");
    return finish();
}

int main(int argc, char **argv)
{
    const char *scenario = argc > 1 ? argv[1] : "";

    setvbuf(stdout, NULL, _IOLBF, 0);
    setup();
    if (strcmp(scenario, "options") == 0)
        return scenario_options();
    if (strcmp(scenario, "login") == 0)
        return scenario_login();
    if (strcmp(scenario, "services") == 0)
        return scenario_services();
    if (strcmp(scenario, "fetch") == 0)
        return scenario_fetch();
    if (strcmp(scenario, "inuse") == 0)
        return scenario_inuse();
    if (strcmp(scenario, "checks") == 0)
        return scenario_checks();
    printf("unknown scenario %s\n", scenario);
    return 2;
}
