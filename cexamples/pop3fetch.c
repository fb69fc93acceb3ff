/*
 * pop3fetch.c - fetch one POP3 mailbox into a Maildir, safely.
 *
 * A small mpop/fetchmail for one mailbox, written against the NetX Duo POP3
 * Client API as served by nxpop3 (include/nx_pop3_client.h): TLS (pop3s or
 * STLS) with certificate checks, USER/APOP/PLAIN/LOGIN/CRAM-MD5/XOAUTH2,
 * "only new mail" by UIDL with a crash-safe state file, --keep or --delete,
 * --max-size, a progress line, and a pipelined download.
 *
 * Build (as the Makefile does):
 *   gcc -std=c99 -Wall -Wextra -Werror -O2 -Iinclude cexamples/pop3fetch.c \
 *       build/libnxpop3.a -lpthread -o build/bin/pop3fetch
 * Run `pop3fetch --help` for the options and examples (Gmail, Microsoft 365).
 *
 * Guarantees, and why they hold:
 *
 *  - A message counts as stored only once it is in MAILDIR/new/ and on disk:
 *    written to tmp/, fsync'd, renamed into new/, and new/ fsync'd. Nothing
 *    is ever deleted on the server (DELE) before that, and deletions take
 *    effect only when the server acknowledges QUIT. A run that dies at any
 *    point therefore never loses a message.
 *
 *  - With --only-new, no message is stored twice, even across SIGKILL or a
 *    power cut. Each stored file's name carries a tag derived from the
 *    account and the message's UIDL (",U=<account>-<uid>"); the state file
 *    lists the UIDLs already stored and is replaced atomically (temp file,
 *    fsync, rename, fsync of its directory), so it is always some complete
 *    earlier version. At start, a run takes the UIDLs in the state file and
 *    also those whose tag is found in new/ or cur/: a message stored after
 *    the state file was last written is recognised by its file name. The
 *    crash points:
 *      1. before the rename: the message is not in new/, nor in the state;
 *         the next run fetches it again (its stale tmp/ file is removed).
 *      2. after the rename, before the state file records it: the tag in
 *         new/ (or cur/, where a mail reader moves it, keeping the name)
 *         marks it as stored; not fetched again. (If the crash came before
 *         the fsync of new/, the rerun does that fsync before it relies on
 *         the file.)
 *      3. while the state file is rewritten: the rename is atomic, so the
 *         old or the new version is there, and (2) covers the difference.
 *      4. after DELE, before QUIT: the server deletes nothing; the message
 *         is known (state or tag), so the rerun does not fetch it, and with
 *         --delete it deletes it then.
 *    The one case left: a message stored in the last second before a crash
 *    (the state file is rewritten at most once a second, and always before
 *    QUIT) that a mail reader then moves out of new/ and cur/ (or deletes)
 *    before the rerun is fetched once more. Nothing is lost even then.
 *
 *  - The state file belongs to one account: its first line names it, and a
 *    run for another account refuses it (use --state for a second account).
 *    A lock (STATE.lock, fcntl) keeps two runs off the same state file.
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "nx_api.h"
#include "nx_pop3_client.h"

#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2

#define MAX_SECRET (64 * 1024)  /* OAuth tokens are long; the library's limit */
#define MAX_PATH 4096
#define STATE_HEADER "pop3fetch-state 1 "
#define STATE_SAVE_INTERVAL_MS 1000
#define TAG_HEX_MAX 40          /* longer UIDLs are hashed to keep names short */

/* Packets are released by the fetch callback as soon as they are written,
 * so a few suffice; a larger payload means fewer callbacks per message. */
#define PAYLOAD 8192
#define PACKETS 16
#define POOL_SIZE (PACKETS * (PAYLOAD + sizeof(NX_PACKET) + 32))

static const char *progname = "pop3fetch";

/* ------------------------------------------------------------------ */
/* Command line                                                        */
/* ------------------------------------------------------------------ */

struct config {
    char host[256];             /* server host: a name or an address literal */
    int host_is_name;
    NXD_ADDRESS addr;           /* the literal, when not a name */
    ULONG port;                 /* 0: 110, or 995 with --tls */
    const char *user, *maildir;
    const char *state_path;     /* NULL: MAILDIR/.pop3fetch-state */
    const char *secret_env, *secret_file;
    const char *ca_file, *server_name;
    UINT tls, auth, strict, insecure;
    int auth_given;
    unsigned long timeout;      /* seconds; 0: the library's defaults */
    int only_new, delete_msgs, quiet;
    unsigned long long max_size; /* 0: no limit */
};

static void usage_line(FILE *f)
{
    fprintf(f, "usage: %s --server HOST[:PORT] --user NAME [options] MAILDIR\n"
               "       (the secret from $POP3_PASSWORD, --password-env or --password-file)\n"
               "       %s --help\n", progname, progname);
}

static void help(void)
{
    usage_line(stdout);
    fputs(
"\n"
"Fetch the mail of one POP3 mailbox into MAILDIR (created if missing).\n"
"\n"
"Server and security:\n"
"  --server HOST[:PORT]   host name, IPv4 address or [IPv6] address; port 110,\n"
"                         or 995 with --tls\n"
"  --tls                  implicit TLS (pop3s) from the first byte\n"
"  --starttls             clear text, then STLS; fails if the server lacks it\n"
"  --ca-file FILE         trust the CAs in this PEM file (default: the system's)\n"
"  --server-name NAME     name to verify in the certificate (default: HOST)\n"
"  --insecure             do not verify the certificate (warns; tests only)\n"
"  --timeout SECONDS      connect and reply timeout (default 30 s and 10 s)\n"
"\n"
"Login:\n"
"  --user NAME            the account (for Gmail and Microsoft 365 the address)\n"
"  --auth METHOD          auto, user, apop, plain, login, cram-md5, xoauth2;\n"
"                         default apop in clear text (USER/PASS if the server has\n"
"                         no APOP), auto with --tls or --starttls\n"
"  --strict               never send a password readable on the wire\n"
"  --password-env NAME    read the secret from $NAME (default POP3_PASSWORD, or\n"
"                         POP3_TOKEN with --auth xoauth2 when it is set)\n"
"  --password-file FILE   read the secret from the first line of FILE\n"
"  --token-env NAME, --token-file FILE   the same, for an OAuth 2.0 token\n"
"  A password is never taken from the command line, where ps(1) shows it.\n"
"\n"
"What to fetch and keep:\n"
"  --only-new             skip messages already fetched (by UIDL), remembered in\n"
"                         MAILDIR/.pop3fetch-state; crash-safe\n"
"  --state FILE           keep that state in FILE (implies --only-new); one file\n"
"                         per account\n"
"  --keep                 leave the messages on the server (default)\n"
"  --delete               delete each message on the server once it is safely in\n"
"                         MAILDIR (with --only-new, also the ones stored by an\n"
"                         earlier run); effective only when QUIT succeeds\n"
"  --max-size N[K|M|G]    leave larger messages on the server (LIST sizes) and\n"
"                         say so\n"
"  -q, --quiet            no progress line and no summary\n"
"\n"
"A progress line (\"fetching 12/340 (1.2 MB)\") is drawn when stderr is a terminal.\n"
"Exit status: 0 done; 1 failure (the NX status and the server's text are\n"
"printed; if QUIT failed, nothing was deleted); 2 usage.\n",
        stdout);
    /* In pieces: C99 compilers need not take string literals over 4095. */
    fputs(
"\n"
"Examples:\n"
"  POP3_PASSWORD=... pop3fetch --server mail.example.com --starttls \\\n"
"      --user me --only-new --delete ~/Maildir\n"
"\n"
"  Gmail (turn POP on in Gmail's settings first):\n"
"    pop3fetch --server pop.gmail.com:995 --tls --auth xoauth2 \\\n"
"        --user me@gmail.com --token-file ~/.gmail-token --only-new ~/Maildir\n"
"    The token is an OAuth 2.0 access token for the scope\n"
"    https://mail.google.com/, from a \"Desktop app\" OAuth client of your\n"
"    Google Cloud project, for instance with oauth2l:\n"
"      oauth2l fetch --credentials client_secret.json \\\n"
"          --scope https://mail.google.com/ > ~/.gmail-token\n"
"    It lasts an hour: get a fresh one (the refresh token does it without a\n"
"    browser) before each run. Without OAuth: an app password (needs 2-Step\n"
"    Verification), with --auth plain --password-file ~/.gmail-app-password\n"
"\n",
        stdout);
    fputs(
"  Microsoft 365 (Exchange Online has no basic authentication: XOAUTH2):\n"
"    pop3fetch --server outlook.office365.com:995 --tls --auth xoauth2 \\\n"
"        --user me@contoso.com --token-file ~/.m365-token --only-new ~/Maildir\n"
"    Register an app in Microsoft Entra ID with the delegated permission\n"
"    POP.AccessAsUser.All and public client flows allowed; then the device\n"
"    code flow (T is your tenant id, or \"organizations\"):\n"
"      S='https://outlook.office.com/POP.AccessAsUser.All offline_access'\n"
"      curl -d client_id=$APP --data-urlencode \"scope=$S\" \\\n"
"          https://login.microsoftonline.com/$T/oauth2/v2.0/devicecode\n"
"      # open the URL shown, enter the code, then:\n"
"      G=urn:ietf:params:oauth:grant-type:device_code\n"
"      curl -d client_id=$APP -d device_code=$CODE -d grant_type=$G \\\n"
"          https://login.microsoftonline.com/$T/oauth2/v2.0/token\n"
"    and put the answer's access_token in the token file (renew it with\n"
"    grant_type=refresh_token). Unattended: the client credentials flow,\n"
"    scope https://outlook.office365.com/.default, application permission\n"
"    POP.AccessAsApp, the app registered in Exchange as a service principal\n"
"    with access to the mailbox.\n",
        stdout);
}

/* parse_number reads a decimal number with an optional K, M or G suffix. */
static int parse_number(const char *s, int suffixes, unsigned long long *out)
{
    char *end;
    unsigned long long v;

    if (!isdigit((unsigned char)s[0])) return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0) return -1;
    if (suffixes && *end) {
        int shift = strchr("kK", *end) ? 10 : strchr("mM", *end) ? 20 : strchr("gG", *end) ? 30 : -1;
        if (shift < 0 || end[1] || v > (ULLONG_MAX >> shift)) return -1;
        v <<= shift;
        end++;
    }
    if (*end) return -1;
    *out = v;
    return 0;
}

/* parse_server accepts HOST, HOST:PORT, [V6], [V6]:PORT and a bare V6
 * literal. An address literal becomes an NXD_ADDRESS (host byte order,
 * v6[0] the most significant word); anything else is a host name that the
 * library resolves. */
static int parse_server(const char *s, struct config *c)
{
    const char *port = NULL, *h = s;
    size_t n;
    unsigned char b[16];
    int bracketed = s[0] == '[';

    if (bracketed) {
        const char *end = strchr(s, ']');
        if (end == NULL || (end[1] != '\0' && end[1] != ':')) return -1;
        h = s + 1;
        n = (size_t)(end - h);
        if (end[1] == ':') port = end + 2;
    } else {
        const char *colon = strchr(s, ':');
        if (colon != NULL && strchr(colon + 1, ':') != NULL) {
            n = strlen(s); /* a bare IPv6 literal: no port */
        } else {
            n = colon ? (size_t)(colon - s) : strlen(s);
            if (colon) port = colon + 1;
        }
    }
    if (n == 0 || n >= sizeof c->host) return -1;
    memcpy(c->host, h, n);
    c->host[n] = '\0';
    if (port) {
        unsigned long long p;
        if (parse_number(port, 0, &p) != 0 || p == 0 || p > 65535) return -1;
        c->port = (ULONG)p;
    }
    if (!bracketed && inet_pton(AF_INET, c->host, b) == 1) {
        c->addr.nxd_ip_version = NX_IP_VERSION_V4;
        c->addr.nxd_ip_address.v4 = IP_ADDRESS(b[0], b[1], b[2], b[3]);
        return 0;
    }
    if (inet_pton(AF_INET6, c->host, b) == 1) {
        int i;
        c->addr.nxd_ip_version = NX_IP_VERSION_V6;
        for (i = 0; i < 4; i++)
            c->addr.nxd_ip_address.v6[i] = IP_ADDRESS(b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]);
        return 0;
    }
    if (bracketed) return -1;
    /* Lower case: the name is part of the account in the state file. */
    for (n = 0; c->host[n]; n++) {
        if (!isalnum((unsigned char)c->host[n]) && !strchr("-._", c->host[n])) return -1;
        c->host[n] = (char)tolower((unsigned char)c->host[n]);
    }
    c->host_is_name = 1;
    return 0;
}

static int parse_auth(const char *s, UINT *auth)
{
    static const struct { const char *name; UINT value; } methods[] = {
        {"auto", NX_POP3_AUTH_AUTO},   {"user", NX_POP3_AUTH_USER},   {"apop", NX_POP3_AUTH_APOP},
        {"plain", NX_POP3_AUTH_PLAIN}, {"login", NX_POP3_AUTH_LOGIN}, {"cram-md5", NX_POP3_AUTH_CRAM_MD5},
        {"xoauth2", NX_POP3_AUTH_XOAUTH2},
    };
    size_t i;

    for (i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        if (strcmp(s, methods[i].name) == 0) {
            *auth = methods[i].value;
            return 0;
        }
    }
    return -1;
}

static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", progname);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    usage_line(stderr);
    return -1;
}

enum {
    OPT_SERVER = 256, OPT_USER, OPT_AUTH, OPT_APOP, OPT_STRICT, OPT_TLS, OPT_STARTTLS, OPT_CA_FILE,
    OPT_SERVER_NAME, OPT_INSECURE, OPT_TIMEOUT, OPT_PASSWORD_ENV, OPT_PASSWORD_FILE, OPT_PASSWORD,
    OPT_ONLY_NEW, OPT_STATE, OPT_KEEP, OPT_DELETE, OPT_MAX_SIZE, OPT_HELP
};

/* parse_args fills c; it returns 0, 1 for --help, or -1 after a usage
 * message. */
static int parse_args(int argc, char **argv, struct config *c)
{
    static const struct option longopts[] = {
        {"server", required_argument, NULL, OPT_SERVER},
        {"user", required_argument, NULL, OPT_USER},
        {"auth", required_argument, NULL, OPT_AUTH},
        {"apop", no_argument, NULL, OPT_APOP}, /* older spelling of --auth apop */
        {"strict", no_argument, NULL, OPT_STRICT},
        {"tls", no_argument, NULL, OPT_TLS},
        {"starttls", no_argument, NULL, OPT_STARTTLS},
        {"ca-file", required_argument, NULL, OPT_CA_FILE},
        {"server-name", required_argument, NULL, OPT_SERVER_NAME},
        {"insecure", no_argument, NULL, OPT_INSECURE},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"password-env", required_argument, NULL, OPT_PASSWORD_ENV},
        {"token-env", required_argument, NULL, OPT_PASSWORD_ENV},
        {"password-file", required_argument, NULL, OPT_PASSWORD_FILE},
        {"token-file", required_argument, NULL, OPT_PASSWORD_FILE},
        {"password", required_argument, NULL, OPT_PASSWORD},
        {"token", required_argument, NULL, OPT_PASSWORD},
        {"only-new", no_argument, NULL, OPT_ONLY_NEW},
        {"state", required_argument, NULL, OPT_STATE},
        {"keep", no_argument, NULL, OPT_KEEP},
        {"delete", no_argument, NULL, OPT_DELETE},
        {"max-size", required_argument, NULL, OPT_MAX_SIZE},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    int ch, have_server = 0;
    unsigned long long n;

    opterr = 0;
    while ((ch = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        switch (ch) {
        case OPT_SERVER:
            if (parse_server(optarg, c) != 0) return usage_error("bad --server %s", optarg);
            have_server = 1;
            break;
        case OPT_USER: c->user = optarg; break;
        case OPT_AUTH:
            if (parse_auth(optarg, &c->auth) != 0) return usage_error("unknown --auth %s", optarg);
            c->auth_given = 1;
            break;
        case OPT_APOP: c->auth = NX_POP3_AUTH_APOP; c->auth_given = 1; break;
        case OPT_STRICT: c->strict = NX_TRUE; break;
        case OPT_TLS: c->tls = NX_POP3_TLS_IMPLICIT; break;
        case OPT_STARTTLS: c->tls = NX_POP3_TLS_STARTTLS; break;
        case OPT_CA_FILE: c->ca_file = optarg; break;
        case OPT_SERVER_NAME: c->server_name = optarg; break;
        case OPT_INSECURE: c->insecure = 1; break;
        case OPT_TIMEOUT:
            if (parse_number(optarg, 0, &n) != 0 || n == 0 || n > 86400) return usage_error("bad --timeout %s", optarg);
            c->timeout = (unsigned long)n;
            break;
        case OPT_PASSWORD_ENV: c->secret_env = optarg; break;
        case OPT_PASSWORD_FILE: c->secret_file = optarg; break;
        case OPT_PASSWORD:
            /* Refused on purpose: every user of the machine can read argv. */
            return usage_error("refusing a password or token on the command line (ps shows it): "
                               "use POP3_PASSWORD, --password-env or --password-file");
        case OPT_ONLY_NEW: c->only_new = 1; break;
        case OPT_STATE: c->state_path = optarg; c->only_new = 1; break;
        case OPT_KEEP: c->delete_msgs = 0; break;
        case OPT_DELETE: c->delete_msgs = 1; break;
        case OPT_MAX_SIZE:
            if (parse_number(optarg, 1, &n) != 0 || n == 0) return usage_error("bad --max-size %s", optarg);
            c->max_size = n;
            break;
        case 'q': c->quiet = 1; break;
        case 'h': case OPT_HELP: return 1;
        default:
            return usage_error("unknown option or missing argument: %s", argv[optind - 1]);
        }
    }
    if (optind == argc - 1) c->maildir = argv[optind];
    else return usage_error(optind < argc ? "one MAILDIR only" : "no MAILDIR given");
    if (!have_server) return usage_error("no --server given");
    if (c->user == NULL || c->user[0] == '\0') return usage_error("no --user given");
    if ((c->ca_file || c->server_name || c->insecure) && c->tls == NX_POP3_TLS_NONE)
        return usage_error("--ca-file, --server-name and --insecure need --tls or --starttls");
    if (!c->auth_given) c->auth = c->tls == NX_POP3_TLS_NONE ? NX_POP3_AUTH_APOP : NX_POP3_AUTH_AUTO;
    if (c->port == 0) c->port = c->tls == NX_POP3_TLS_IMPLICIT ? 995 : 110;
    return 0;
}

/* ------------------------------------------------------------------ */
/* The secret: environment or file, never argv                         */
/* ------------------------------------------------------------------ */

/* read_secret_file reads the first line of path into buf. */
static int read_secret_file(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    size_t n;

    if (f == NULL) return -1;
    n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

/* load_secret fills buf with the password or token; the caller wipes it
 * once the client has it. It returns 0, -1 for a usage error, -2 for a file
 * it cannot read. */
static int load_secret(const struct config *c, char *buf, size_t size)
{
    const char *name = c->secret_env, *value;

    if (c->secret_file) {
        if (read_secret_file(c->secret_file, buf, size) != 0) {
            fprintf(stderr, "%s: %s: %s\n", progname, c->secret_file, strerror(errno));
            return -2;
        }
        if (buf[0] == '\0') return usage_error("%s holds no password on its first line", c->secret_file);
        return 0;
    }
    if (name == NULL) {
        name = "POP3_PASSWORD";
        if (c->auth == NX_POP3_AUTH_XOAUTH2 && getenv("POP3_TOKEN") && getenv("POP3_TOKEN")[0]) name = "POP3_TOKEN";
    }
    value = getenv(name);
    if (value == NULL || value[0] == '\0')
        return usage_error("no password: set $%s, or use --password-env or --password-file", name);
    if (strlen(value) >= size) return usage_error("$%s is too long", name);
    strcpy(buf, value);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Files: paths, fsync, directories                                    */
/* ------------------------------------------------------------------ */

/* path_fmt formats a path and fails rather than truncate it. */
static int path_fmt(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* fsync_dir makes the entries of a directory (a rename into it) durable. */
static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY), rc;

    if (fd < 0) return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

static int fsync_dir_sub(const char *maildir, const char *sub)
{
    char path[MAX_PATH];

    return path_fmt(path, sizeof path, "%s/%s", maildir, sub) != 0 ? -1 : fsync_dir(path);
}

/* dir_of copies the directory part of path ("." if none). */
static void dir_of(const char *path, char *buf, size_t size)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash == NULL ? 0 : slash == path ? 1 : (size_t)(slash - path);

    if (n == 0) {
        snprintf(buf, size, ".");
        return;
    }
    if (n >= size) n = size - 1;
    memcpy(buf, path, n);
    buf[n] = '\0';
}

/* make_maildir creates MAILDIR and its tmp/, new/ and cur/ as needed. */
static int make_maildir(const char *maildir)
{
    static const char *sub[] = {"", "/tmp", "/new", "/cur"};
    char path[MAX_PATH];
    int k, created = 0;

    for (k = 0; k < 4; k++) {
        if (path_fmt(path, sizeof path, "%s%s", maildir, sub[k]) != 0) return -1;
        if (mkdir(path, 0700) == 0) created = 1;
        else if (errno != EEXIST) {
            fprintf(stderr, "%s: %s: %s\n", progname, path, strerror(errno));
            return -1;
        }
    }
    /* A directory just made must survive a crash as well as the mail. */
    if (created) fsync_dir(maildir);
    return 0;
}

/* ------------------------------------------------------------------ */
/* A sorted set of strings (UIDLs, tags)                               */
/* ------------------------------------------------------------------ */

struct strset {
    char **v;
    size_t n, cap;
};

static int strset_add(struct strset *s, const char *str)
{
    char *dup;

    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        char **v = realloc(s->v, cap * sizeof *v);
        if (v == NULL) return -1;
        s->v = v;
        s->cap = cap;
    }
    if ((dup = strdup(str)) == NULL) return -1;
    s->v[s->n++] = dup;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void strset_sort(struct strset *s)
{
    if (s->n) qsort(s->v, s->n, sizeof *s->v, cmp_str);
}

static int strset_has(const struct strset *s, const char *str)
{
    return s->n && bsearch(&str, s->v, s->n, sizeof *s->v, cmp_str) != NULL;
}

static void strset_free(struct strset *s)
{
    size_t i;

    for (i = 0; i < s->n; i++) free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------------ */
/* Maildir tags: which UIDL a stored file holds                        */
/* ------------------------------------------------------------------ */

static uint64_t fnv1a64(const char *s, uint64_t h)
{
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

/* account_key names the account in tags: 8 hex digits of user@host. */
static void account_key(const struct config *c, char out[9])
{
    char acct[512];
    size_t i;

    snprintf(acct, sizeof acct, "%s@%s", c->user, c->host);
    for (i = 0; acct[i]; i++) acct[i] = (char)tolower((unsigned char)acct[i]);
    snprintf(out, 9, "%08x", (unsigned)(fnv1a64(acct, 0xcbf29ce484222325ULL) & 0xffffffffu));
}

/* make_tag builds "<account>-<uid in hex>", or "<account>-h<128-bit hash>"
 * for a UIDL too long for a file name. Hex keeps the name free of '/', ':'
 * and ',' whatever the server sends. */
static void make_tag(const char *acct, const char *uid, char *out, size_t size)
{
    size_t n = strlen(uid), i, o;

    o = (size_t)snprintf(out, size, "%s-", acct);
    if (n <= TAG_HEX_MAX) {
        for (i = 0; i < n && o + 3 <= size; i++, o += 2)
            snprintf(out + o, 3, "%02x", (unsigned char)uid[i]);
        out[o] = '\0';
    } else {
        snprintf(out + o, size - o, "h%016llx%016llx",
                 (unsigned long long)fnv1a64(uid, 0xcbf29ce484222325ULL),
                 (unsigned long long)fnv1a64(uid, 0x84222325cbf29ce4ULL));
    }
}

/* tag_of finds our tag in a Maildir file name: ",U=" up to ',', ':' or the
 * end. It returns the length, 0 if there is none. */
static size_t tag_of(const char *name, const char **tag)
{
    const char *p = strstr(name, ",U=");

    if (p == NULL) return 0;
    *tag = p + 3;
    return strcspn(*tag, ",:");
}

/* scan_tags adds the tags of this account found in MAILDIR/sub to tags; in
 * tmp/ it removes them instead: those are deliveries a crashed run left
 * unfinished (we hold the lock, so no run of ours is writing them). */
static int scan_tags(const char *maildir, const char *sub, const char *acct, struct strset *tags)
{
    char dir[MAX_PATH], path[MAX_PATH], tag[128];
    DIR *d;
    struct dirent *e;
    size_t alen = strlen(acct);

    if (path_fmt(dir, sizeof dir, "%s/%s", maildir, sub) != 0 || (d = opendir(dir)) == NULL) return -1;
    while ((e = readdir(d)) != NULL) {
        const char *t;
        size_t n = tag_of(e->d_name, &t);
        if (n <= alen || n >= sizeof tag || strncmp(t, acct, alen) != 0 || t[alen] != '-') continue;
        if (tags == NULL) {
            if (path_fmt(path, sizeof path, "%s/%s", dir, e->d_name) == 0) unlink(path);
            continue;
        }
        memcpy(tag, t, n);
        tag[n] = '\0';
        if (strset_add(tags, tag) != 0) {
            closedir(d);
            return -1;
        }
    }
    closedir(d);
    return 0;
}

/* ------------------------------------------------------------------ */
/* The state file                                                      */
/* ------------------------------------------------------------------ */

/* state_lock keeps a second run off this state file until we exit (also
 * by a crash: the kernel drops fcntl locks with the process). */
static int state_lock(const char *state_path)
{
    char path[MAX_PATH];
    struct flock fl;
    int fd;

    if (path_fmt(path, sizeof path, "%s.lock", state_path) != 0 || (fd = open(path, O_RDWR | O_CREAT, 0600)) < 0) {
        fprintf(stderr, "%s: %s.lock: %s\n", progname, state_path, strerror(errno));
        return -1;
    }
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(fd, F_SETLK, &fl) != 0) {
        fprintf(stderr, "%s: %s is in use by another pop3fetch\n", progname, path);
        close(fd);
        return -1;
    }
    return fd; /* left open: the lock lasts until exit */
}

/* state_load reads the UIDLs stored by earlier runs. A missing file is an
 * empty state; a file of another account is refused. */
static int state_load(const char *path, const char *account, struct strset *uids)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int first = 1, rc = 0;

    if (f == NULL) {
        if (errno == ENOENT) return 0;
        fprintf(stderr, "%s: %s: %s\n", progname, path, strerror(errno));
        return -1;
    }
    while (rc == 0 && (n = getline(&line, &cap, f)) >= 0) {
        if (n > 0 && line[n - 1] == '\n') line[--n] = '\0';
        if (first) {
            first = 0;
            if (strncmp(line, STATE_HEADER, strlen(STATE_HEADER)) != 0 ||
                strcmp(line + strlen(STATE_HEADER), account) != 0) {
                fprintf(stderr, "%s: %s is not the state of %s (first line: %.80s); "
                        "use --state FILE for each account\n", progname, path, account, line);
                rc = -1;
            }
        } else if (n > 0) {
            rc = strset_add(uids, line);
        }
    }
    if (ferror(f)) rc = -1;
    free(line);
    fclose(f);
    return rc;
}

/* ------------------------------------------------------------------ */
/* One run                                                             */
/* ------------------------------------------------------------------ */

struct item {
    char *uid;          /* NULL unless --only-new */
    ULONG size;         /* from LIST */
    unsigned char known, too_big, fetch, stored;
};

struct run {
    const struct config *cfg;
    char account[512];  /* user@host, in the state file's first line */
    char acct_key[9];
    char state_path[MAX_PATH];
    char host[64];      /* for Maildir names */
    UINT count;
    struct item *items; /* 1-based */

    /* The message being written. */
    int fd;
    char tmp[MAX_PATH], name[256];
    unsigned seq;
    int io_errno;
    char io_what[MAX_PATH];

    /* Progress and totals. */
    int progress;
    UINT todo, started;
    unsigned long long bytes;
    long long last_draw_ms, last_save_ms;
    UINT n_stored, n_known, n_too_big;
    UINT n_deleted;     /* DELE sent: stored and accepted, or known */
};

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void io_fail(struct run *r, const char *what)
{
    if (r->io_errno) return; /* keep the first cause */
    r->io_errno = errno ? errno : EIO;
    snprintf(r->io_what, sizeof r->io_what, "%s", what);
}

/* state_save replaces the state file with the UIDLs stored so far that
 * the server still has: written to STATE.tmp, fsync'd, renamed over STATE,
 * and STATE's directory fsync'd, so that a crash leaves either the old or
 * the new file, complete. UIDLs gone from the server are dropped: RFC 1939
 * never reuses them, and the file stays small. */
static int state_save(struct run *r)
{
    char tmp[MAX_PATH], dir[MAX_PATH];
    FILE *f;
    UINT i;
    int ok;

    if (path_fmt(tmp, sizeof tmp, "%s.tmp", r->state_path) != 0 || (f = fopen(tmp, "w")) == NULL) {
        io_fail(r, r->state_path);
        return -1;
    }
    ok = fprintf(f, "%s%s\n", STATE_HEADER, r->account) > 0;
    for (i = 1; ok && i <= r->count; i++)
        if (r->items[i].uid && (r->items[i].known || r->items[i].stored)) ok = fprintf(f, "%s\n", r->items[i].uid) > 0;
    ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    dir_of(r->state_path, dir, sizeof dir);
    ok = ok && rename(tmp, r->state_path) == 0 && fsync_dir(dir) == 0;
    if (!ok) {
        io_fail(r, r->state_path);
        unlink(tmp);
        return -1;
    }
    r->last_save_ms = now_ms();
    return 0;
}

/* progress draws "fetching 12/340 (1.2 MB)" over itself, at most ten times
 * a second, and only when stderr is a terminal. */
static void progress(struct run *r, int force)
{
    long long now;

    if (!r->progress) return;
    now = now_ms();
    if (!force && now - r->last_draw_ms < 100) return;
    r->last_draw_ms = now;
    fprintf(stderr, "\rfetching %u/%u (%.1f MB)   ", r->started, r->todo, (double)r->bytes / 1e6);
    fflush(stderr);
}

static void progress_end(struct run *r)
{
    if (!r->progress) return;
    fprintf(stderr, "\r%60s\r", "");
    fflush(stderr);
}

/* store_open starts a delivery into tmp/. The name is unique by time, pid,
 * a counter and the host (the Maildir convention), O_EXCL makes sure, and
 * with --only-new it carries the tag that identifies the message after a
 * crash. */
static int store_open(struct run *r, UINT item)
{
    struct timespec ts;
    char tag[128] = "";
    int tries;

    if (r->items[item].uid) {
        tag[0] = ',', tag[1] = 'U', tag[2] = '=';
        make_tag(r->acct_key, r->items[item].uid, tag + 3, sizeof tag - 3);
    }
    for (tries = 0; tries < 100; tries++) {
        clock_gettime(CLOCK_REALTIME, &ts);
        if (path_fmt(r->name, sizeof r->name, "%lld.M%06ldP%ldQ%u.%s%s", (long long)ts.tv_sec,
                     ts.tv_nsec / 1000, (long)getpid(), ++r->seq, r->host, tag) != 0 ||
            path_fmt(r->tmp, sizeof r->tmp, "%s/tmp/%s", r->cfg->maildir, r->name) != 0) break;
        r->fd = open(r->tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (r->fd >= 0) return 0;
        if (errno != EEXIST) break;
    }
    io_fail(r, r->tmp);
    return -1;
}

/* store_commit makes the message durable and visible: fsync the file, then
 * rename it into new/ and fsync new/. Only then is it "stored". */
static int store_commit(struct run *r)
{
    char dst[MAX_PATH], dir[MAX_PATH];
    int fd = r->fd;

    r->fd = -1;
    if (fsync(fd) != 0) {
        io_fail(r, r->tmp);
        close(fd);
        return -1;
    }
    if (close(fd) != 0) {
        io_fail(r, r->tmp);
        return -1;
    }
    if (path_fmt(dst, sizeof dst, "%s/new/%s", r->cfg->maildir, r->name) != 0 ||
        path_fmt(dir, sizeof dir, "%s/new", r->cfg->maildir) != 0 || rename(r->tmp, dst) != 0) {
        io_fail(r, dst);
        return -1;
    }
    if (fsync_dir(dir) != 0) {
        io_fail(r, dir);
        return -1;
    }
    r->tmp[0] = '\0';
    return 0;
}

/* store_abort removes an unfinished delivery. */
static void store_abort(struct run *r)
{
    if (r->fd >= 0) close(r->fd);
    r->fd = -1;
    if (r->tmp[0]) unlink(r->tmp);
    r->tmp[0] = '\0';
}

/* on_packet is the fetch callback: it writes each packet of a message to
 * tmp/ and, at the final one, stores it. Returning anything but NX_SUCCESS
 * stops the fetch before this message is deleted. */
static UINT on_packet(NX_POP3_CLIENT *client, UINT item, NX_PACKET *packet, UINT final, VOID *context)
{
    struct run *r = context;
    ULONG len = packet->nx_packet_length;
    int ok = 1;

    (void)client;
    if (item > r->count) {
        nx_packet_release(packet);
        return NX_NOT_SUCCESSFUL;
    }
    if (r->fd < 0) {
        r->started++;
        ok = store_open(r, item) == 0;
    }
    if (ok && write_all(r->fd, packet->nx_packet_prepend_ptr, len) != 0) {
        io_fail(r, r->tmp);
        ok = 0;
    }
    nx_packet_release(packet);
    if (!ok) {
        store_abort(r);
        return NX_NOT_SUCCESSFUL;
    }
    r->bytes += len;
    progress(r, final && r->started == r->todo); /* always show the end */
    if (!final) return NX_SUCCESS;
    if (store_commit(r) != 0) {
        store_abort(r);
        return NX_NOT_SUCCESSFUL;
    }
    r->items[item].stored = 1;
    r->n_stored++;
    /* The tag in the name already protects this message from a second
     * download; the state file is caught up now and then, and at the end. */
    if (r->items[item].uid && now_ms() - r->last_save_ms >= STATE_SAVE_INTERVAL_MS && state_save(r) != 0)
        return NX_NOT_SUCCESSFUL;
    /* Accepted: with --delete, the library now sends DELE for it. */
    if (r->cfg->delete_msgs) r->n_deleted++;
    return NX_SUCCESS;
}

static void on_uid(NX_POP3_CLIENT *client, UINT item, CHAR *uid, VOID *context)
{
    struct run *r = context;

    (void)client;
    if (item >= 1 && item <= r->count && r->items[item].uid == NULL) r->items[item].uid = strdup(uid);
}

static void on_size(NX_POP3_CLIENT *client, UINT item, ULONG size, VOID *context)
{
    struct run *r = context;

    (void)client;
    if (item >= 1 && item <= r->count) r->items[item].size = size;
}

/* ------------------------------------------------------------------ */
/* The session                                                         */
/* ------------------------------------------------------------------ */

static UCHAR pool_memory[POOL_SIZE];
static ULONG ip_memory[256];
static NX_PACKET_POOL pool;
static NX_IP ip;
static NX_POP3_CLIENT client;

static int fail(const char *what, UINT status)
{
    CHAR text[NX_POP3_ERROR_TEXT_SIZE] = "";

    nx_pop3_client_error_text(&client, text, sizeof text);
    fprintf(stderr, "%s: %s: status 0x%02X: %s\n", progname, what, status, text);
    return EXIT_FAIL;
}

/* connect_and_login creates the client: TLS, authentication and timeouts
 * from the command line. The secret is wiped as soon as the library has
 * its own copy. */
static UINT connect_and_login(const struct config *c, char *secret)
{
    NX_POP3_CLIENT_OPTIONS opt;
    UINT status;

    nx_system_initialize();
    nx_packet_pool_create(&pool, "pop3fetch", PAYLOAD, pool_memory, sizeof pool_memory);
    nx_ip_create(&ip, "pop3fetch", IP_ADDRESS(0, 0, 0, 0), 0, &pool, _nx_ram_network_driver, ip_memory,
                 sizeof ip_memory, 1);
    nx_tcp_enable(&ip);

    nx_pop3_client_options_init(&opt);
    opt.nx_pop3_options_tls = c->tls;
    opt.nx_pop3_options_verify = c->insecure ? NX_FALSE : NX_TRUE;
    opt.nx_pop3_options_ca_file = (CHAR *)c->ca_file;
    opt.nx_pop3_options_server_name = (CHAR *)c->server_name;
    opt.nx_pop3_options_host = c->host_is_name ? (CHAR *)c->host : NX_NULL;
    opt.nx_pop3_options_auth = c->auth;
    opt.nx_pop3_options_strict = c->strict;
    if (c->timeout) {
        opt.nx_pop3_options_connect_timeout = c->timeout * NX_IP_PERIODIC_RATE;
        opt.nx_pop3_options_reply_timeout = c->timeout * NX_IP_PERIODIC_RATE;
    }
    status = nxd_pop3_client_create_ex(&client, &ip, &pool, c->host_is_name ? NX_NULL : (NXD_ADDRESS *)&c->addr,
                                       c->port, (CHAR *)c->user, secret, &opt);
    memset(secret, 0, MAX_SECRET);
    return status;
}

/* plan reads what the server holds (STAT, LIST, and UIDL for --only-new)
 * and decides, per message, whether to fetch it, skip it as already stored,
 * or leave it as too large. */
static UINT plan(struct run *r, const struct strset *known_uids, const struct strset *tags)
{
    const struct config *c = r->cfg;
    ULONG total;
    UINT status, i;
    char tag[128];

    if ((status = nx_pop3_client_mail_items_get(&client, &r->count, &total)) != NX_SUCCESS) return status;
    if ((r->items = calloc((size_t)r->count + 1, sizeof *r->items)) == NULL) return NX_NOT_SUCCESSFUL;
    if ((status = nx_pop3_client_mail_items_size_list(&client, on_size, r)) != NX_SUCCESS) return status;
    if (c->only_new && (status = nx_pop3_client_mail_items_uid_list(&client, on_uid, r)) != NX_SUCCESS) return status;
    for (i = 1; i <= r->count; i++) {
        struct item *it = &r->items[i];
        if (c->only_new) {
            if (it->uid == NULL) {
                fprintf(stderr, "%s: UIDL did not list message %u\n", progname, i);
                return NX_POP3_SERVER_ERROR_STATUS;
            }
            make_tag(r->acct_key, it->uid, tag, sizeof tag);
            it->known = strset_has(known_uids, it->uid) || strset_has(tags, tag);
        }
        if (it->known) {
            r->n_known++;
        } else if (c->max_size && it->size > c->max_size) {
            it->too_big = 1;
            r->n_too_big++;
            fprintf(stderr, "%s: message %u%s%s is %lu bytes, over --max-size %llu: left on the server\n", progname,
                    i, it->uid ? " uid " : "", it->uid ? it->uid : "", (unsigned long)it->size, c->max_size);
        } else {
            it->fetch = 1;
            r->todo++;
        }
    }
    return NX_SUCCESS;
}

/* fetch_new downloads the planned messages in one pipelined call; with
 * --delete each is marked for deletion only after on_packet stored it. */
static UINT fetch_new(struct run *r)
{
    UINT *list, n = 0, i, status;

    if (r->todo == 0) return NX_SUCCESS;
    if ((list = malloc((size_t)r->todo * sizeof *list)) == NULL) return NX_NOT_SUCCESSFUL;
    for (i = 1; i <= r->count; i++)
        if (r->items[i].fetch) list[n++] = i;
    progress(r, 1);
    status = nx_pop3_client_mail_items_fetch(&client, list, n, r->cfg->delete_msgs ? NX_TRUE : NX_FALSE, on_packet, r);
    store_abort(r); /* a message cut short by a failure */
    progress_end(r);
    free(list);
    return status;
}

/* delete_known marks for deletion the messages an earlier run stored (by
 * the state file or a tag in the Maildir): with --delete they must not stay
 * on the server because a run died between storing and QUIT. */
static UINT delete_known(struct run *r)
{
    UINT i, status;

    for (i = 1; i <= r->count; i++) {
        if (!r->items[i].known) continue;
        if ((status = nx_pop3_client_mail_item_delete(&client, i)) != NX_SUCCESS) return status;
        r->n_deleted++;
    }
    return NX_SUCCESS;
}

static void summary(const struct run *r, int quit_ok)
{
    if (r->cfg->quiet) return;
    printf("%u stored (%llu bytes)", r->n_stored, r->bytes);
    if (r->cfg->only_new) printf(", %u already fetched", r->n_known);
    if (r->n_too_big) printf(", %u over --max-size", r->n_too_big);
    if (r->cfg->delete_msgs) printf(", %u deleted on the server", quit_ok ? r->n_deleted : 0);
    printf(" (%u on the server)\n", r->count);
}

/* prepare_state takes the lock, reads the state file and the tags in the
 * Maildir, and removes deliveries a crashed run left in tmp/. */
static int prepare_state(struct run *r, struct strset *uids, struct strset *tags)
{
    const struct config *c = r->cfg;

    if (c->state_path) snprintf(r->state_path, sizeof r->state_path, "%s", c->state_path);
    else if (path_fmt(r->state_path, sizeof r->state_path, "%s/.pop3fetch-state", c->maildir) != 0) return -1;
    if (state_lock(r->state_path) < 0) return -1;
    if (state_load(r->state_path, r->account, uids) != 0) return -1;
    if (scan_tags(c->maildir, "new", r->acct_key, tags) != 0 || scan_tags(c->maildir, "cur", r->acct_key, tags) != 0 ||
        scan_tags(c->maildir, "tmp", r->acct_key, NULL) != 0) {
        fprintf(stderr, "%s: reading %s: %s\n", progname, c->maildir, strerror(errno));
        return -1;
    }
    /* A run killed between its rename and its fsync of new/ left a file
     * that is visible but perhaps not yet durable; it counts as stored from
     * now on (state file, --delete), so make its directory entry durable
     * first. */
    if (fsync_dir_sub(c->maildir, "new") != 0 || fsync_dir_sub(c->maildir, "cur") != 0) {
        fprintf(stderr, "%s: fsync %s: %s\n", progname, c->maildir, strerror(errno));
        return -1;
    }
    strset_sort(uids);
    strset_sort(tags);
    return 0;
}

static void init_run(struct run *r, const struct config *c)
{
    size_t i;

    memset(r, 0, sizeof *r);
    r->cfg = c;
    r->fd = -1;
    r->progress = !c->quiet && isatty(STDERR_FILENO);
    snprintf(r->account, sizeof r->account, "%s@%s", c->user, c->host);
    account_key(c, r->acct_key);
    /* The host part of Maildir names: '/' and ':' are not allowed there,
     * ',' would start a field of ours. */
    if (gethostname(r->host, sizeof r->host - 1) != 0 || r->host[0] == '\0') strcpy(r->host, "localhost");
    r->host[32] = '\0';
    for (i = 0; r->host[i]; i++)
        if (strchr("/:,", r->host[i])) r->host[i] = '_';
}

int main(int argc, char **argv)
{
    static struct config cfg;
    static char secret[MAX_SECRET];
    struct strset uids = {0}, tags = {0};
    struct run r;
    UINT status, quit_status;
    int rc, exit_code = EXIT_OK;

    if ((rc = parse_args(argc, argv, &cfg)) != 0) {
        if (rc > 0) help();
        return rc > 0 ? EXIT_OK : EXIT_USAGE;
    }
    if ((rc = load_secret(&cfg, secret, sizeof secret)) != 0) return rc == -2 ? EXIT_FAIL : EXIT_USAGE;
    if (cfg.insecure)
        fprintf(stderr, "%s: warning: --insecure: the server's certificate is not checked; "
                        "anyone on the path can read the password and the mail\n", progname);
    if (make_maildir(cfg.maildir) != 0) return EXIT_FAIL;
    init_run(&r, &cfg);
    if (cfg.only_new && prepare_state(&r, &uids, &tags) != 0) return EXIT_FAIL;

    if ((status = connect_and_login(&cfg, secret)) != NX_SUCCESS) return fail("login", status);
    if ((status = plan(&r, &uids, &tags)) != NX_SUCCESS) {
        nx_pop3_client_delete(&client);
        return fail(cfg.only_new ? "STAT/LIST/UIDL" : "STAT/LIST", status);
    }
    strset_free(&uids);
    strset_free(&tags);

    status = fetch_new(&r);
    if (status != NX_SUCCESS) {
        if (r.io_errno) fprintf(stderr, "%s: %s: %s\n", progname, r.io_what, strerror(r.io_errno));
        else fail("fetch", status);
        exit_code = EXIT_FAIL;
    } else if (cfg.delete_msgs && cfg.only_new && (status = delete_known(&r)) != NX_SUCCESS) {
        exit_code = fail("DELE", status);
    }
    /* Before QUIT: whatever QUIT does, the state must list what is stored. */
    if (cfg.only_new && state_save(&r) != 0) {
        fprintf(stderr, "%s: %s: %s\n", progname, r.io_what, strerror(r.io_errno));
        exit_code = EXIT_FAIL;
    }
    /* Deletions take effect only once the server acknowledges QUIT; it is
     * sent even after a failure, so that what was stored is deleted. */
    quit_status = nx_pop3_client_quit(&client);
    if (quit_status != NX_SUCCESS && exit_code == EXIT_OK) {
        exit_code = fail("QUIT", quit_status);
        if (cfg.delete_msgs) fprintf(stderr, "%s: nothing was deleted on the server\n", progname);
    }
    nx_pop3_client_delete(&client);
    summary(&r, quit_status == NX_SUCCESS);
    return exit_code;
}
