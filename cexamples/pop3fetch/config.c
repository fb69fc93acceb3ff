/*
 * config.c - what to fetch: the command line, the config file with its
 * defaults and named accounts, and the password sources.
 *
 * The command line and the config file share one set of settings: a
 * config key is the long option's name with '_' for '-' ("ca_file" is
 * "--ca-file"), and a flag's key takes "on" or "off". With --server, the
 * command line describes the one account to fetch; without it, the config
 * file's accounts are fetched (those named on the command line, or all),
 * with the command line's settings over each.
 */
#include "pop3fetch.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

enum {
    OPT_SERVER = 256, OPT_HOST, OPT_PORT, OPT_USER, OPT_AUTH, OPT_APOP, OPT_STRICT, OPT_TLS, OPT_STARTTLS,
    OPT_CA_FILE, OPT_SERVER_NAME, OPT_INSECURE, OPT_TIMEOUT, OPT_PASSWORD_ENV, OPT_PASSWORD_FILE,
    OPT_PASSWORDEVAL, OPT_PASSWORD, OPT_ONLY_NEW, OPT_STATE, OPT_KEEP, OPT_DELETE, OPT_MAX_SIZE,
    OPT_KILL_SIZE, OPT_KEEP_CRLF, OPT_MAILDIR, OPT_MBOX, OPT_MDA, OPT_INSECURE_AUTH,
    OPT_TLS_CERT, OPT_TLS_KEY, OPT_TLS_FINGERPRINT, OPT_TLS_MIN_VERSION,
    /* The command line's own. */
    OPT_CONFIG, OPT_DEBUG, OPT_QUIET, OPT_VERSION, OPT_HELP
};

enum { ARG, FLAG, CLI_ARG, CLI_FLAG };

static const struct optdef {
    const char *name;
    int kind;
    int id;
} optdefs[] = {
    {"server", ARG, OPT_SERVER},          {"host", ARG, OPT_HOST},
    {"port", ARG, OPT_PORT},              {"user", ARG, OPT_USER},
    {"auth", ARG, OPT_AUTH},              {"apop", FLAG, OPT_APOP},
    {"strict", FLAG, OPT_STRICT},         {"tls", FLAG, OPT_TLS},
    {"starttls", FLAG, OPT_STARTTLS},     {"ca-file", ARG, OPT_CA_FILE},
    {"server-name", ARG, OPT_SERVER_NAME}, {"insecure", FLAG, OPT_INSECURE},
    {"timeout", ARG, OPT_TIMEOUT},        {"password-env", ARG, OPT_PASSWORD_ENV},
    {"token-env", ARG, OPT_PASSWORD_ENV}, {"password-file", ARG, OPT_PASSWORD_FILE},
    {"token-file", ARG, OPT_PASSWORD_FILE}, {"passwordeval", ARG, OPT_PASSWORDEVAL},
    {"password", ARG, OPT_PASSWORD},      {"token", ARG, OPT_PASSWORD},
    {"only-new", FLAG, OPT_ONLY_NEW},     {"state", ARG, OPT_STATE},
    {"keep", FLAG, OPT_KEEP},             {"delete", FLAG, OPT_DELETE},
    {"max-size", ARG, OPT_MAX_SIZE},      {"kill-size", ARG, OPT_KILL_SIZE},
    {"keep-crlf", FLAG, OPT_KEEP_CRLF},   {"maildir", ARG, OPT_MAILDIR},
    {"mbox", ARG, OPT_MBOX},              {"mda", ARG, OPT_MDA},
    {"insecure-auth", FLAG, OPT_INSECURE_AUTH},
    {"tls-cert", ARG, OPT_TLS_CERT},      {"tls-key", ARG, OPT_TLS_KEY},
    {"tls-fingerprint", ARG, OPT_TLS_FINGERPRINT}, {"tls-min-version", ARG, OPT_TLS_MIN_VERSION},
    {"config", CLI_ARG, OPT_CONFIG},      {"debug", CLI_FLAG, OPT_DEBUG},
    {"quiet", CLI_FLAG, OPT_QUIET},       {"version", CLI_FLAG, OPT_VERSION},
    {"help", CLI_FLAG, OPT_HELP},
};
#define N_OPTDEFS (sizeof optdefs / sizeof optdefs[0])

static char opt_err[512];

static void usage_line(FILE *f)
{
    fprintf(f, "usage: %s [options] [ACCOUNT...]          (the accounts of the config file)\n"
               "       %s --server HOST[:PORT] --user NAME [options] MAILDIR\n"
               "       %s --help | --version\n", progname, progname, progname);
}

static void help(void)
{
    usage_line(stdout);
    fputs(
"\n"
"Fetch POP3 mailboxes into a Maildir, an mbox file or a mail delivery agent.\n"
"\n"
"Accounts:\n"
"  --config FILE          read FILE (default $XDG_CONFIG_HOME/pop3fetch/config,\n"
"                         ~/.config/pop3fetch/config); it must not be readable by\n"
"                         others (chmod 600). Lines are \"KEY VALUE\": KEY is a long\n"
"                         option below with '_' for '-', flags take on/off;\n"
"                         \"defaults\" starts settings for the accounts that follow,\n"
"                         \"account NAME\" starts an account. Without --server, every\n"
"                         account is fetched, or the ACCOUNTs named; options on\n"
"                         the command line apply over each.\n"
"\n"
"Server and security:\n"
"  --server HOST[:PORT]   host name, IPv4 address or [IPv6] address; port 110,\n"
"                         or 995 with --tls (config: host, port)\n"
"  --tls                  implicit TLS (pop3s) from the first byte\n"
"  --starttls             clear text, then STLS; fails if the server lacks it\n"
"  --ca-file FILE         trust the CAs in this PEM file (default: the system's)\n"
"  --server-name NAME     name to verify in the certificate (default: HOST)\n"
"  --insecure             do not verify the certificate (warns; tests only)\n"
"  --tls-fingerprint PINS accept the server by the SHA-256 fingerprint of its\n"
"                         certificate or public key (hex, colons allowed, or\n"
"                         sha256//base64; comma-separated), instead of the CAs\n"
"                         (with --ca-file: as well as the CAs)\n"
"  --tls-cert FILE        present this PEM client certificate (and chain)\n"
"  --tls-key FILE         its PEM key (default: in the certificate file)\n"
"  --tls-min-version V    1.0, 1.1, 1.2 (default) or 1.3\n"
"  --timeout SECONDS      connect and reply timeout (default 30 s and 10 s)\n"
"\n"
"Login:\n"
"  --user NAME            the account (for Gmail and Microsoft 365 the address)\n"
"  --auth METHOD          auto, user, apop, plain, login, cram-md5, xoauth2,\n"
"                         scram-sha-256, scram-sha-1, oauthbearer;\n"
"                         default apop in clear text (USER/PASS if the server has\n"
"                         no APOP), auto with --tls or --starttls\n"
"  --strict               never send a password readable on the wire\n"
"  --insecure-auth        allow a readable password (USER/PASS, PLAIN, LOGIN,\n"
"                         XOAUTH2) to a server off this host without TLS;\n"
"                         refused by default (APOP and CRAM-MD5 always work)\n"
"  --password-env NAME    read the secret from $NAME (default POP3_PASSWORD, or\n"
"                         POP3_TOKEN with --auth xoauth2 or oauthbearer when set)\n"
"  --password-file FILE   read the secret from the first line of FILE (mode 0600)\n"
"  --passwordeval CMD     the first line CMD prints (e.g. \"pass show mail\")\n"
"  --token-env NAME, --token-file FILE   the same, for an OAuth 2.0 token\n"
"                         (xoauth2, oauthbearer)\n"
"  Otherwise, on a terminal, the password is asked for. A password is never\n"
"  taken from the command line, where ps(1) shows it.\n",
        stdout);
    fputs(
"\n"
"Delivery (one of):\n"
"  MAILDIR, --maildir DIR Maildir (created if missing); LF line ends\n"
"  --mbox FILE            append to an mbox file (mboxrd, fcntl-locked)\n"
"  --mda COMMAND          pipe each message to COMMAND (sh -c), e.g. procmail;\n"
"                         delivered only if it exits 0\n"
"  --keep-crlf            store the wire's CRLF line ends (Maildir, MDA)\n"
"\n"
"What to fetch and keep:\n"
"  --only-new             skip messages already fetched (by UIDL), remembered in\n"
"                         MAILDIR/.pop3fetch-state (mbox, MDA: in\n"
"                         $XDG_STATE_HOME/pop3fetch/); crash-safe\n"
"  --state FILE           keep that state in FILE (implies --only-new)\n"
"  --keep                 leave the messages on the server (default)\n"
"  --delete               delete each message on the server once it is stored\n"
"                         durably (with --only-new, also the ones stored by an\n"
"                         earlier run); effective only when QUIT succeeds\n"
"  --max-size N[K|M|G]    leave larger messages on the server\n"
"  --kill-size N[K|M|G]   delete larger messages on the server unread\n"
"  -q, --quiet            no progress line and no summary\n"
"  --debug                print the protocol dialogue on stderr (secrets masked)\n"
"  --version              print the versions of pop3fetch and the library\n"
"\n"
"A progress line (\"fetching 12/340 (1.2 MB)\") is drawn when stderr is a terminal.\n"
"Exit status (sysexits):\n"
"   0 done\n"
"  64 usage: a bad command line\n"
"  68 the server's host name is unknown\n"
"  69 TLS or certificate failure, or a readable password refused without TLS\n"
"  70 internal error\n"
"  74 local delivery or disk failure (Maildir, mbox, MDA, state file)\n"
"  75 temporary: connection refused, timed out or lost, mailbox busy; try later\n"
"  76 the server refused a command after login\n"
"  77 authentication refused\n"
"  78 bad configuration file, password source or state file\n"
"With several accounts, every one is fetched and the status is the first\n"
"failure's. If QUIT failed, nothing was deleted.\n",
        stdout);
    /* In pieces: C99 compilers need not take string literals over 4095. */
    fputs(
"\n"
"Examples:\n"
"  POP3_PASSWORD=... pop3fetch --server mail.example.com --starttls \\\n"
"      --user me --only-new --delete ~/Maildir\n"
"\n"
"  ~/.config/pop3fetch/config:\n"
"    defaults\n"
"    starttls on\n"
"    only_new on\n"
"    account work\n"
"    host mail.example.com\n"
"    user me\n"
"    passwordeval pass show mail/work\n"
"    maildir ~/Maildir\n"
"    account home\n"
"    host pop.example.net\n"
"    tls on\n"
"    user me@example.net\n"
"    password_file ~/.pop3-home\n"
"    mda procmail\n"
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

static void version(void)
{
    UINT major = 0, minor = 0, patch = 0;

    nx_pop3_client_version_get(&major, &minor, &patch);
    printf("%s %s (nxpop3 library %u.%u.%u)\n", progname, NXPOP3_VERSION_STRING, major, minor, patch);
}

const char *account_label(const struct account *a)
{
    static char label[160];

    if (a->name[0] == '\0') return "";
    snprintf(label, sizeof label, "%s: ", a->name);
    return label;
}

static int set_err(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(opt_err, sizeof opt_err, fmt, ap);
    va_end(ap);
    return -1;
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
static int parse_server(const char *s, struct account *c)
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
    c->host_is_name = 0;
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
        {"xoauth2", NX_POP3_AUTH_XOAUTH2}, {"scram-sha-256", NX_POP3_AUTH_SCRAM_SHA_256},
        {"scram-sha-1", NX_POP3_AUTH_SCRAM_SHA_1}, {"oauthbearer", NX_POP3_AUTH_OAUTHBEARER},
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

/* parse_flag reads a flag's value: none (the command line) is on. */
static int parse_flag(const char *s, int *on)
{
    if (s == NULL || !strcmp(s, "on") || !strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "1")) *on = 1;
    else if (!strcmp(s, "off") || !strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "0")) *on = 0;
    else return -1;
    return 0;
}

/* expand_path copies s with a leading "~/" made $HOME. */
static char *expand_path(const char *s)
{
    const char *home = getenv("HOME");
    char *p;

    if (s[0] == '~' && s[1] == '/' && home != NULL) {
        if ((p = malloc(strlen(home) + strlen(s))) == NULL) return NULL;
        sprintf(p, "%s%s", home, s + 1);
        return p;
    }
    return strdup(s);
}

static const struct optdef *find_opt(int id)
{
    size_t i;

    for (i = 0; i < N_OPTDEFS; i++)
        if (optdefs[i].id == id) return &optdefs[i];
    return NULL;
}

/* apply_option sets one setting of an account; -1 with opt_err set for a
 * bad value. */
static int apply_option(struct account *a, int id, const char *arg)
{
    const struct optdef *d = find_opt(id);
    unsigned long long n;
    int on = 1;

    if (d->kind == FLAG && parse_flag(arg, &on) != 0) return set_err("%s: %s is neither on nor off", d->name, arg);
    if (d->kind == ARG && (arg == NULL || arg[0] == '\0') && id != OPT_PASSWORD)
        return set_err("%s needs a value", d->name);
    switch (id) {
    case OPT_SERVER:
    case OPT_HOST:
        if (parse_server(arg, a) != 0) return set_err("bad %s %s", d->name, arg);
        a->have_server = 1;
        break;
    case OPT_PORT:
        if (parse_number(arg, 0, &n) != 0 || n == 0 || n > 65535) return set_err("bad port %s", arg);
        a->port = (ULONG)n;
        break;
    case OPT_USER: a->user = strdup(arg); break;
    case OPT_AUTH:
        if (parse_auth(arg, &a->auth) != 0) return set_err("unknown auth %s", arg);
        a->auth_given = 1;
        break;
    case OPT_APOP:
        if (on) a->auth = NX_POP3_AUTH_APOP, a->auth_given = 1;
        break;
    case OPT_STRICT: a->strict = on ? NX_TRUE : NX_FALSE; break;
    case OPT_TLS:
        if (arg && !strcmp(arg, "starttls")) a->tls = NX_POP3_TLS_STARTTLS;
        else a->tls = on ? NX_POP3_TLS_IMPLICIT : NX_POP3_TLS_NONE;
        break;
    case OPT_STARTTLS: a->tls = on ? NX_POP3_TLS_STARTTLS : NX_POP3_TLS_NONE; break;
    case OPT_CA_FILE: a->ca_file = expand_path(arg); break;
    case OPT_SERVER_NAME: a->server_name = strdup(arg); break;
    case OPT_INSECURE: a->insecure = on; break;
    case OPT_INSECURE_AUTH: a->insecure_auth = on ? NX_TRUE : NX_FALSE; break;
    case OPT_TLS_CERT: a->tls_cert = expand_path(arg); break;
    case OPT_TLS_KEY: a->tls_key = expand_path(arg); break;
    case OPT_TLS_FINGERPRINT: a->tls_fingerprint = strdup(arg); break;
    case OPT_TLS_MIN_VERSION:
        if (!strcmp(arg, "1.0")) a->tls_min_version = NX_POP3_TLS_VERSION_1_0;
        else if (!strcmp(arg, "1.1")) a->tls_min_version = NX_POP3_TLS_VERSION_1_1;
        else if (!strcmp(arg, "1.2")) a->tls_min_version = NX_POP3_TLS_VERSION_1_2;
        else if (!strcmp(arg, "1.3")) a->tls_min_version = NX_POP3_TLS_VERSION_1_3;
        else return set_err("bad tls-min-version %s (1.0, 1.1, 1.2 or 1.3)", arg);
        break;
    case OPT_TIMEOUT:
        if (parse_number(arg, 0, &n) != 0 || n == 0 || n > 86400) return set_err("bad timeout %s", arg);
        a->timeout = (unsigned long)n;
        break;
    case OPT_PASSWORD_ENV: a->password_env = strdup(arg); break;
    case OPT_PASSWORD_FILE: a->password_file = expand_path(arg); break;
    case OPT_PASSWORDEVAL: a->passwordeval = strdup(arg); break;
    case OPT_PASSWORD:
        /* Refused on purpose: every user of the machine can read argv. */
        return set_err("refusing a password or token on the command line or in the config file "
                       "(ps shows the one, backups the other): use POP3_PASSWORD, --password-env, "
                       "--password-file or --passwordeval");
    case OPT_ONLY_NEW: a->only_new = on; break;
    case OPT_STATE:
        a->state_path = expand_path(arg);
        a->only_new = 1;
        break;
    case OPT_KEEP: a->delete_msgs = !on; break;
    case OPT_DELETE: a->delete_msgs = on; break;
    case OPT_MAX_SIZE:
    case OPT_KILL_SIZE:
        if (parse_number(arg, 1, &n) != 0) return set_err("bad %s %s", d->name, arg);
        if (id == OPT_MAX_SIZE) a->max_size = n;
        else a->kill_size = n;
        break;
    case OPT_KEEP_CRLF: a->keep_crlf = on; break;
    case OPT_MAILDIR:
    case OPT_MBOX:
        a->delivery = id == OPT_MAILDIR ? DELIVER_MAILDIR : DELIVER_MBOX;
        a->dest = expand_path(arg);
        break;
    case OPT_MDA:
        a->delivery = DELIVER_MDA;
        a->dest = strdup(arg);
        break;
    }
    return 0;
}

static void vcomplain(const char *fmt, va_list ap)
{
    fprintf(stderr, "%s: ", progname);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

static int usage_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vcomplain(fmt, ap);
    va_end(ap);
    usage_line(stderr);
    return PF_EX_USAGE;
}

static int config_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vcomplain(fmt, ap);
    va_end(ap);
    return PF_EX_CONFIG;
}

static void init_account(struct account *a)
{
    memset(a, 0, sizeof *a);
}

/* finish_account checks an account is complete and fills in the defaults
 * that depend on other settings. It returns 0 or an exit code. */
static int finish_account(struct account *a)
{
    const char *who = a->name[0] ? a->name : NULL;
    int (*err)(const char *, ...) = who ? config_error : usage_error;

    if (!a->have_server) return who ? err("account %s: no host", who) : err("no --server given");
    if (a->user == NULL || a->user[0] == '\0') return who ? err("account %s: no user", who) : err("no --user given");
    if (a->delivery == DELIVER_NONE)
        return who ? err("account %s: no maildir, mbox or mda", who) : err("no MAILDIR given");
    if ((a->ca_file || a->server_name || a->insecure || a->tls_cert || a->tls_key || a->tls_fingerprint ||
         a->tls_min_version) && a->tls == NX_POP3_TLS_NONE)
        return who ? err("account %s: ca_file, server_name, insecure and tls_* need tls or starttls", who)
                   : err("--ca-file, --server-name, --insecure and --tls-* need --tls or --starttls");
    if (!a->auth_given) a->auth = a->tls == NX_POP3_TLS_NONE ? NX_POP3_AUTH_APOP : NX_POP3_AUTH_AUTO;
    if (a->port == 0) a->port = a->tls == NX_POP3_TLS_IMPLICIT ? 995 : 110;
    if (a->only_new && a->state_path == NULL) {
        char path[MAX_PATH];
        if (a->delivery == DELIVER_MAILDIR) {
            if (path_fmt(path, sizeof path, "%s/.pop3fetch-state%s%s", a->dest, who ? "." : "", who ? who : "") != 0)
                return err("state file name too long");
        } else {
            const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
            char base[MAX_PATH];
            if (xdg && xdg[0]) snprintf(base, sizeof base, "%s/pop3fetch", xdg);
            else snprintf(base, sizeof base, "%s/.local/state/pop3fetch", home ? home : ".");
            if (who ? path_fmt(path, sizeof path, "%s/%s.state", base, who)
                    : path_fmt(path, sizeof path, "%s/%s@%s.state", base, a->user, a->host))
                return err("state file name too long");
        }
        a->state_path = strdup(path);
    }
    return 0;
}

/* check_private refuses a file that others may read or write: it holds a
 * password or says where one is (mpop refuses them too). */
static int check_private(int fd, const char *path)
{
    struct stat st;

    if (fstat(fd, &st) != 0) return config_error("%s: %s", path, strerror(errno));
    if (st.st_mode & 077)
        return config_error("%s may be read by others (mode %04o): chmod 600 %s", path,
                            (unsigned)(st.st_mode & 07777), path);
    return 0;
}

/* strip trims white space at both ends, and one pair of double quotes. */
static char *strip(char *s)
{
    char *e;

    while (isspace((unsigned char)*s)) s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
    if (e - s >= 2 && s[0] == '"' && e[-1] == '"') {
        e[-1] = '\0';
        s++;
    }
    return s;
}

/* read_config reads the config file's accounts. */
static int read_config(const char *path, int explicit_path, struct account **accts, size_t *n)
{
    FILE *f;
    struct account defaults, *cur = &defaults;
    char *line = NULL;
    size_t cap = 0, i, lineno = 0;
    ssize_t len;
    int rc = 0;

    init_account(&defaults);
    if ((f = fopen(path, "r")) == NULL) {
        if (errno == ENOENT && !explicit_path)
            return usage_error("no --server given, and no config file %s", path);
        return config_error("%s: %s", path, strerror(errno));
    }
    if ((rc = check_private(fileno(f), path)) != 0) {
        fclose(f);
        return rc;
    }
    while (rc == 0 && (len = getline(&line, &cap, f)) >= 0) {
        char *key, *val, name[64];
        const struct optdef *d = NULL;
        lineno++;
        key = strip(line);
        if (key[0] == '\0' || key[0] == '#') continue;
        val = key + strcspn(key, " \t");
        if (*val) *val++ = '\0';
        val = strip(val);
        if (strcmp(key, "defaults") == 0) {
            cur = &defaults;
            continue;
        }
        if (strcmp(key, "account") == 0) {
            struct account *grown;
            if (val[0] == '\0' || strlen(val) >= sizeof cur->name || strchr(val, '/') || strchr(val, ':')) {
                rc = config_error("%s:%zu: bad account name \"%s\"", path, lineno, val);
                break;
            }
            for (i = 0; i < *n; i++) {
                if (strcmp((*accts)[i].name, val) == 0) {
                    rc = config_error("%s:%zu: account %s defined twice", path, lineno, val);
                    break;
                }
            }
            if (rc) break;
            if ((grown = realloc(*accts, (*n + 1) * sizeof **accts)) == NULL) {
                rc = config_error("%s", strerror(errno));
                break;
            }
            *accts = grown;
            cur = &(*accts)[(*n)++];
            *cur = defaults;
            strcpy(cur->name, val);
            continue;
        }
        snprintf(name, sizeof name, "%s", key);
        for (i = 0; name[i]; i++)
            if (name[i] == '_') name[i] = '-';
        for (i = 0; i < N_OPTDEFS; i++)
            if (strcmp(optdefs[i].name, name) == 0 && (optdefs[i].kind == ARG || optdefs[i].kind == FLAG)) d = &optdefs[i];
        if (d == NULL) {
            rc = config_error("%s:%zu: unknown key %s", path, lineno, key);
            break;
        }
        if (apply_option(cur, d->id, d->kind == FLAG && val[0] == '\0' ? NULL : val) != 0)
            rc = config_error("%s:%zu: %s", path, lineno, opt_err);
    }
    free(line);
    fclose(f);
    if (rc == 0 && *n == 0) rc = config_error("%s: no account", path);
    return rc;
}

static char *default_config_path(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    char path[MAX_PATH];

    if (xdg && xdg[0]) snprintf(path, sizeof path, "%s/pop3fetch/config", xdg);
    else snprintf(path, sizeof path, "%s/.config/pop3fetch/config", home ? home : ".");
    return strdup(path);
}

/* load_accounts reads the command line and, without --server, the config
 * file: the accounts to fetch, in order. It returns 0, -1 after --help or
 * --version (exit 0), or an exit code. */
int load_accounts(int argc, char **argv, struct account **accts, size_t *n, struct globals *g)
{
    static struct option longopts[N_OPTDEFS + 2];
    struct { int id; char *arg; } *ops;
    size_t n_ops = 0, i, k;
    int ch, have_server = 0, explicit_config, rc;
    char *config = NULL;
    struct account scratch;

    for (i = 0; i < N_OPTDEFS; i++) {
        longopts[i].name = optdefs[i].name;
        longopts[i].has_arg = optdefs[i].kind == ARG || optdefs[i].kind == CLI_ARG ? required_argument : no_argument;
        longopts[i].val = optdefs[i].id;
    }
    longopts[N_OPTDEFS].name = "quiet"; /* also -q */
    longopts[N_OPTDEFS].val = 'q';
    if ((ops = calloc((size_t)argc + 1, sizeof *ops)) == NULL) return PF_EX_SOFTWARE;
    init_account(&scratch);
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h': case OPT_HELP: help(); return -1;
        case OPT_VERSION: version(); return -1;
        case 'q': case OPT_QUIET: g->quiet = 1; break;
        case OPT_DEBUG: g->debug = 1; break;
        case OPT_CONFIG: config = optarg; break;
        case '?': case ':':
            return usage_error("unknown option or missing argument: %s", argv[optind - 1]);
        default:
            /* Checked now, on a scratch account, so that a bad option is a
             * usage error before any config file is read. */
            if (apply_option(&scratch, ch, optarg) != 0) return usage_error("%s", opt_err);
            if (ch == OPT_SERVER) have_server = 1;
            ops[n_ops].id = ch;
            ops[n_ops++].arg = optarg;
        }
    }
    explicit_config = config != NULL;
    if (have_server) {
        /* The command line's one account. */
        if ((*accts = calloc(1, sizeof **accts)) == NULL) return PF_EX_SOFTWARE;
        **accts = scratch;
        *n = 1;
        if (optind < argc) {
            if (scratch.delivery != DELIVER_NONE || optind < argc - 1) return usage_error("one MAILDIR only");
            apply_option(*accts, OPT_MAILDIR, argv[optind]);
        }
        return finish_account(*accts);
    }
    if ((rc = read_config(config ? config : (config = default_config_path()), explicit_config, accts, n)) != 0)
        return rc;
    if (optind < argc) {
        /* Only the accounts named, in the order named. */
        struct account *sel = calloc((size_t)(argc - optind), sizeof *sel);
        size_t m = 0;
        if (sel == NULL) return PF_EX_SOFTWARE;
        for (; optind < argc; optind++) {
            for (i = 0; i < *n && strcmp((*accts)[i].name, argv[optind]) != 0; i++) {}
            if (i == *n) return usage_error("no account %s in %s", argv[optind], config);
            sel[m++] = (*accts)[i];
        }
        *accts = sel;
        *n = m;
    }
    for (k = 0; k < *n; k++) {
        for (i = 0; i < n_ops; i++) apply_option(&(*accts)[k], ops[i].id, ops[i].arg);
        if ((rc = finish_account(&(*accts)[k])) != 0) return rc;
    }
    return 0;
}

/* read_secret_fd reads the first line of fd into buf. */
static int read_secret_fd(int fd, char *buf, size_t size)
{
    size_t n = 0;
    ssize_t r;

    while (n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) != 0) {
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        n += (size_t)r;
    }
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

static int secret_from_command(const struct account *a, char *buf, size_t size)
{
    FILE *p;
    int status;

    fflush(NULL);
    if ((p = popen(a->passwordeval, "r")) == NULL)
        return config_error("%spasswordeval: %s", account_label(a), strerror(errno));
    read_secret_fd(fileno(p), buf, size);
    status = pclose(p);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        memset(buf, 0, size);
        return config_error("%spasswordeval command failed (status %d)", account_label(a),
                            status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    if (buf[0] == '\0') return config_error("%spasswordeval printed no password", account_label(a));
    return 0;
}

static int secret_from_tty(const struct account *a, char *buf, size_t size)
{
    struct termios old, quiet;
    int echo_off;

    /* Echo off before the prompt, as getpass does: what is typed once
     * the prompt shows is neither echoed nor flushed away. */
    echo_off = tcgetattr(STDIN_FILENO, &old) == 0;
    if (echo_off) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    fprintf(stderr, "%s: %spassword for %s@%s: ", progname, account_label(a), a->user, a->host);
    fflush(stderr);
    if (fgets(buf, (int)size, stdin) == NULL) buf[0] = '\0';
    if (echo_off) tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fputc('\n', stderr);
    buf[strcspn(buf, "\r\n")] = '\0';
    return buf[0] ? 0 : config_error("%sno password given", account_label(a));
}

/* load_secret fills buf with the password or token, from the first of:
 * the file, the command, the named variable, POP3_PASSWORD (POP3_TOKEN),
 * a prompt on a terminal. The caller wipes it once the client has it. It
 * returns 0 or an exit code, after saying why. */
int load_secret(const struct account *a, char *buf, size_t size)
{
    const char *name = a->password_env, *value;
    int (*err)(const char *, ...) = a->name[0] ? config_error : usage_error;

    if (a->password_file) {
        int fd = open(a->password_file, O_RDONLY), rc;
        if (fd < 0) return config_error("%s%s: %s", account_label(a), a->password_file, strerror(errno));
        if ((rc = check_private(fd, a->password_file)) == 0 && read_secret_fd(fd, buf, size) != 0)
            rc = config_error("%s%s: %s", account_label(a), a->password_file, strerror(errno));
        close(fd);
        if (rc) return rc;
        if (buf[0] == '\0') return config_error("%s%s holds no password on its first line", account_label(a), a->password_file);
        return 0;
    }
    if (a->passwordeval) return secret_from_command(a, buf, size);
    if (name == NULL) {
        name = "POP3_PASSWORD";
        if ((a->auth == NX_POP3_AUTH_XOAUTH2 || a->auth == NX_POP3_AUTH_OAUTHBEARER) && getenv("POP3_TOKEN") && getenv("POP3_TOKEN")[0]) name = "POP3_TOKEN";
    }
    value = getenv(name);
    if (value != NULL && value[0] != '\0') {
        if (strlen(value) >= size) return err("%s$%s is too long", account_label(a), name);
        strcpy(buf, value);
        return 0;
    }
    if (a->password_env == NULL && isatty(STDIN_FILENO)) return secret_from_tty(a, buf, size);
    return err("%sno password: set $%s, or use --password-env, --password-file or --passwordeval",
               account_label(a), name);
}
