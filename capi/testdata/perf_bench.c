/*
 * perf_bench.c - one way of fetching a whole maildrop, timed, for
 * perfbench_test.go. The NetX API ways are measured against two clients
 * written on plain sockets that do no more than POP3 needs: "bare" sends one
 * RETR at a time and reads its reply to the terminator (the bound for the
 * vendor's one-command-at-a-time pattern), "raw" sends every RETR at once
 * from a second thread and counts terminators (the bound for a pipelined
 * fetch: what the server and the path can deliver).
 *
 * Usage: POP3_SERVER=a.b.c.d:port POP3_USER=.. POP3_PASSWORD=.. \
 *        ./perf_bench MODE            MODE: bare|raw|vendor|fetch|rss
 * Prints "MODE SECONDS BYTES MESSAGES CSW VOL INVOL THREAD_VOL": time of
 * the fetch (login not included), bytes received (message data for the
 * NetX ways, the whole reply for the socket ways), messages, and context
 * switches during the fetch (getrusage): of the process, voluntary and
 * involuntary, then its voluntary ones alone, its involuntary ones alone,
 * and the voluntary ones of the thread that calls the API.
 * FETCH_BYTES sets nx_pop3_options_fetch_bytes (0: the default).
 * "rss" opens SESSIONS clients, each downloads message 1 and stays open,
 * and prints "rss BASE_KIB AFTER_KIB SESSIONS"; session i logs in as
 * POP3_USER followed by i (a maildrop is locked by its session).
 */
#define _GNU_SOURCE /* RUSAGE_THREAD */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nx_api.h"
#include "nx_pop3_client.h"
#include "testenv.h"

static NX_PACKET_POOL pool;
static NX_IP ip;
static ULONG ip_memory[512];
static unsigned a, b, c, d, port;

static void die(const char *what, long status)
{
    printf("FAIL: %s: %ld\n", what, status);
    exit(1);
}

/* Context switches: voluntary (the process waited) and involuntary (the
 * scheduler preempted it, which other load on the machine adds whatever
 * the design) of the whole process, and voluntary of the calling thread. */
struct csw
{
    long vol, invol, thread_vol;
};

static struct csw switches(void)
{
    struct rusage ru, th;
    struct csw c;

    getrusage(RUSAGE_SELF, &ru);
    getrusage(RUSAGE_THREAD, &th);
    c.vol = ru.ru_nvcsw;
    c.invol = ru.ru_nivcsw;
    c.thread_vol = th.ru_nvcsw;
    return c;
}

static struct csw switches_since(struct csw before)
{
    struct csw now = switches();

    now.vol -= before.vol;
    now.invol -= before.invol;
    now.thread_vol -= before.thread_vol;
    return now;
}

static long rss_kib(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (f == NULL || fscanf(f, "%ld %ld", &pages, &resident) != 2)
        die("statm", 0);
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* ---- the socket clients ---- */

struct conn
{
    int fd;
    char buf[65536];
    size_t len, off;
};

static void sendall(int fd, const char *p, size_t n)
{
    while (n > 0)
    {
        ssize_t k = write(fd, p, n);

        if (k <= 0)
            die("write", (long)k);
        p += k;
        n -= (size_t)k;
    }
}

/* line reads a status line into out; exits on -ERR or EOF. */
static void line(struct conn *cn, char *out, size_t size)
{
    size_t n = 0;

    for (;;)
    {
        if (cn->off == cn->len)
        {
            ssize_t k = read(cn->fd, cn->buf, sizeof cn->buf);

            if (k <= 0)
                die("read", (long)k);
            cn->off = 0;
            cn->len = (size_t)k;
        }
        char ch = cn->buf[cn->off++];
        if (n + 1 < size)
            out[n++] = ch;
        if (ch == '\n')
            break;
    }
    out[n] = '\0';
    if (strncmp(out, "+OK", 3) != 0)
        die(out, 0);
}

static void sock_login(struct conn *cn)
{
    struct sockaddr_in sa;
    char cmd[600], reply[600];

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl((a << 24) | (b << 16) | (c << 8) | d);
    cn->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (cn->fd < 0 || connect(cn->fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        die("connect", 0);
    cn->len = cn->off = 0;
    line(cn, reply, sizeof reply);
    snprintf(cmd, sizeof cmd, "USER %s\r\n", getenv("POP3_USER"));
    sendall(cn->fd, cmd, strlen(cmd));
    line(cn, reply, sizeof reply);
    snprintf(cmd, sizeof cmd, "PASS %s\r\n", getenv("POP3_PASSWORD"));
    sendall(cn->fd, cmd, strlen(cmd));
    line(cn, reply, sizeof reply);
}

/*
 * replies reads until want terminators ("\r\n.\r\n") have arrived, counting
 * the bytes. A reply's data cannot hold the terminator (dot-stuffing), and a
 * +OK line never starts one, so counting them counts the replies.
 */
static unsigned long long replies(struct conn *cn, UINT want)
{
    static const char term[] = "\r\n.\r\n";
    unsigned long long bytes = 0;
    UINT got = 0;
    int match = 2; /* the start of the stream counts as after a line end */

    while (got < want)
    {
        ssize_t k;

        if (cn->off < cn->len)
        {
            k = (ssize_t)(cn->len - cn->off);
            memmove(cn->buf, cn->buf + cn->off, (size_t)k);
        }
        else
            k = read(cn->fd, cn->buf, sizeof cn->buf);
        cn->off = cn->len = 0;
        if (k <= 0)
            die("read", (long)k);
        for (ssize_t i = 0; i < k && got < want; i++)
        {
            char ch = cn->buf[i];

            bytes++;
            if (ch == term[match])
                match++;
            else
                match = ch == '\r' ? 1 : 0;
            if (match == 5)
            {
                got++;
                match = 2;
                if (got == want && i + 1 < k)
                {
                    cn->off = (size_t)i + 1;
                    cn->len = (size_t)k;
                }
            }
        }
    }
    return bytes;
}

struct sender
{
    int fd;
    UINT count;
};

static void *send_all(void *arg)
{
    struct sender *s = arg;
    char *cmds = malloc((size_t)s->count * 16 + 1), *p = cmds;

    for (UINT i = 1; i <= s->count; i++)
        p += sprintf(p, "RETR %u\r\n", i);
    sendall(s->fd, cmds, (size_t)(p - cmds));
    free(cmds);
    return NULL;
}

static int sock_count(struct conn *cn)
{
    char reply[600];
    unsigned n = 0;

    sendall(cn->fd, "STAT\r\n", 6);
    line(cn, reply, sizeof reply);
    if (sscanf(reply, "+OK %u", &n) != 1)
        die("STAT", 0);
    return (int)n;
}

/* ---- the NetX API ---- */

struct totals
{
    unsigned long long bytes;
    UINT messages;
};

static UINT on_packet(NX_POP3_CLIENT *client, UINT item, NX_PACKET *packet, UINT final, VOID *context)
{
    struct totals *t = context;

    (void)client, (void)item;
    t->bytes += packet->nx_packet_length;
    if (final)
        t->messages++;
    return nx_packet_release(packet);
}

static void nx_setup(ULONG packets)
{
    ULONG payload = 1460, size = packets * (payload + sizeof(NX_PACKET) + 16);
    UCHAR *memory = malloc(size);

    nx_system_initialize();
    if (memory == NULL || nx_packet_pool_create(&pool, "bench", payload, memory, size) != NX_SUCCESS ||
        nx_ip_create(&ip, "bench", IP_ADDRESS(192, 168, 0, 2), 0xFFFFFF00UL, &pool, _nx_ram_network_driver,
                     ip_memory, sizeof ip_memory, 1) != NX_SUCCESS ||
        nx_tcp_enable(&ip) != NX_SUCCESS)
        die("setup", 0);
}

static void nx_login(NX_POP3_CLIENT *client, const char *user, UINT *count)
{
    NXD_ADDRESS address;
    NX_POP3_CLIENT_OPTIONS opt;
    ULONG total = 0;
    UINT status;

    address.nxd_ip_version = NX_IP_VERSION_V4;
    address.nxd_ip_address.v4 = IP_ADDRESS(a, b, c, d);
    nx_pop3_client_options_init(&opt);
    opt.nx_pop3_options_auth = NX_POP3_AUTH_USER;
    opt.nx_pop3_options_fetch_bytes = env_ulong("FETCH_BYTES", 0);
    memset(client, 0, sizeof *client);
    status = nxd_pop3_client_create_ex(client, &ip, &pool, &address, port, (CHAR *)user, getenv("POP3_PASSWORD"), &opt);
    if (status != NX_SUCCESS)
        die("create", status);
    status = nx_pop3_client_mail_items_get(client, count, &total);
    if (status != NX_SUCCESS)
        die("mail_items_get", status);
}

static void vendor(NX_POP3_CLIENT *client, UINT count, struct totals *t)
{
    for (UINT item = 1; item <= count; item++)
    {
        ULONG size = 0;
        UINT final = NX_FALSE, status = nx_pop3_client_mail_item_get(client, item, &size);

        if (status != NX_SUCCESS)
            die("mail_item_get", status);
        while (!final)
        {
            NX_PACKET *packet = NX_NULL;
            ULONG bytes = 0;

            status = nx_pop3_client_mail_item_message_get(client, &packet, &bytes, &final);
            if (status != NX_SUCCESS)
                die("mail_item_message_get", status);
            t->bytes += bytes;
            nx_packet_release(packet);
        }
        t->messages++;
    }
}

static void rss(void)
{
    int sessions = (int)env_ulong("SESSIONS", 200);
    NX_POP3_CLIENT *clients = calloc((size_t)sessions, sizeof *clients);
    long base;

    nx_setup(64);
    base = rss_kib();
    for (int i = 0; i < sessions; i++)
    {
        UINT count = 0;
        struct totals t = {0, 0};
        char user[256];

        snprintf(user, sizeof user, "%s%d", getenv("POP3_USER"), i);
        nx_login(&clients[i], user, &count);
        vendor(&clients[i], 1, &t);
    }
    printf("rss %ld %ld %d\n", base, rss_kib(), sessions);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    const char *server = getenv("POP3_SERVER");
    unsigned long long bytes = 0;
    UINT count = 0, messages = 0;
    double t0;
    struct csw csw;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (server == NULL || sscanf(server, "%u.%u.%u.%u:%u", &a, &b, &c, &d, &port) != 5)
    {
        printf("usage: POP3_SERVER=a.b.c.d:port perf_bench bare|raw|vendor|fetch|rss\n");
        return 2;
    }
    if (strcmp(mode, "rss") == 0)
    {
        rss();
        return 0;
    }
    if (strcmp(mode, "bare") == 0 || strcmp(mode, "raw") == 0)
    {
        static struct conn cn;
        pthread_t th;
        struct sender s;

        sock_login(&cn);
        count = (UINT)sock_count(&cn);
        csw = switches();
        t0 = now_s();
        if (strcmp(mode, "bare") == 0)
        {
            for (UINT i = 1; i <= count; i++)
            {
                char cmd[32];

                snprintf(cmd, sizeof cmd, "RETR %u\r\n", i);
                sendall(cn.fd, cmd, strlen(cmd));
                bytes += replies(&cn, 1);
            }
        }
        else
        {
            s.fd = cn.fd;
            s.count = count;
            if (pthread_create(&th, NULL, send_all, &s) != 0)
                die("pthread_create", 0);
            bytes = replies(&cn, count);
            pthread_join(th, NULL);
        }
        messages = count;
        t0 = now_s() - t0;
        csw = switches_since(csw);
        sendall(cn.fd, "QUIT\r\n", 6);
        close(cn.fd);
    }
    else
    {
        NX_POP3_CLIENT client;
        struct totals t = {0, 0};
        UINT status = NX_SUCCESS;

        nx_setup(64);
        nx_login(&client, getenv("POP3_USER"), &count);
        csw = switches();
        t0 = now_s();
        if (strcmp(mode, "vendor") == 0)
            vendor(&client, count, &t);
        else if (strcmp(mode, "fetch") == 0)
            status = nx_pop3_client_mail_items_fetch(&client, NX_NULL, count, NX_FALSE, on_packet, &t);
        else
            die(mode, 0);
        t0 = now_s() - t0;
        csw = switches_since(csw);
        if (status != NX_SUCCESS)
            die("mail_items_fetch", status);
        bytes = t.bytes;
        messages = t.messages;
        nx_pop3_client_quit(&client);
        nx_pop3_client_delete(&client);
    }
    printf("%s %.6f %llu %u %ld %ld %ld %ld\n", mode, t0, bytes, messages, csw.vol + csw.invol, csw.vol, csw.invol,
           csw.thread_vol);
    return 0;
}
