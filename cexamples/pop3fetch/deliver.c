/*
 * deliver.c - where the mail goes: a Maildir (LF line ends by default, the
 * wire's CRLF on request), an mbox file (mboxrd, fcntl-locked) or an MDA
 * command; and the batches that make delivery durable with few syncs.
 *
 * A message delivered to a Maildir or an mbox is first "written": in
 * tmp/, or appended to the locked mbox. Written messages gather in a batch;
 * deliver_flush makes the whole batch durable at once (each file fsync'd,
 * renamed into new/, and new/ fsync'd once; the mbox fsync'd once), and
 * only then reports each message as stored. On ext4 the first fsync commits
 * the journal for the whole batch, so the rest are cheap: far fewer costly
 * syncs than one file fsync plus one directory fsync per message. An MDA
 * delivers each message itself: it is stored when the command exits 0.
 */
#include "pop3fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A batch is made durable when it holds this many messages or bytes, or is
 * this old: large enough that syncs are rare, small enough that a slow
 * download still shows its mail (and state) every fraction of a second. */
#define BATCH_MESSAGES 256
#define BATCH_BYTES (16ULL << 20)
#define BATCH_MS 250

/* A Maildir batch holds each of its files open until it is durable (an
 * fsync on a descriptor opened later can miss an earlier write-back
 * error), so it also ends before it would take the descriptors kept free
 * here for the connection, the lock and the state file. */
#define FD_RESERVE 32

/* ------------------------------------------------------------------ */
/* Files                                                               */
/* ------------------------------------------------------------------ */

/* path_fmt formats a path and fails rather than truncate it. */
int path_fmt(char *buf, size_t size, const char *fmt, ...)
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

int write_all(int fd, const void *data, size_t len)
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

/* lowest_free_fd is the number the next open file gets: about how many
 * are open. */
static int lowest_free_fd(void)
{
    int fd = open("/dev/null", O_RDONLY);

    if (fd >= 0) close(fd);
    return fd;
}

/* batch_cap is how many files a Maildir batch may hold open: without a
 * cap, a limit on open files below the batch (ulimit -n, 256 by default on
 * some systems) failed every fetch of more messages than that. */
static size_t batch_cap(void)
{
    struct rlimit rl;
    int used = lowest_free_fd();

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return BATCH_MESSAGES;
    if (used < 0 || rl.rlim_cur <= (rlim_t)used + FD_RESERVE + 1) return 1;
    rl.rlim_cur -= (rlim_t)used + FD_RESERVE;
    return rl.rlim_cur < BATCH_MESSAGES ? (size_t)rl.rlim_cur : BATCH_MESSAGES;
}

/* deliver_reserve_fds grows the process's table of descriptors to hold a
 * full batch. It runs before the library starts its threads: Linux
 * grows the table of a process with several threads only after an RCU
 * grace period (6 to 20 ms measured here), which the batch's 256th file
 * waited for in the middle of every fetch. F_DUPFD takes a free number,
 * so no descriptor the process inherited is touched. */
void deliver_reserve_fds(void)
{
    struct rlimit rl;
    int fd = open("/dev/null", O_RDONLY), high;
    long want;

    if (fd < 0) return;
    want = (long)fd + BATCH_MESSAGES + FD_RESERVE;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (rlim_t)want >= rl.rlim_cur)
        want = (long)rl.rlim_cur - 1;
    if (want > fd && (high = fcntl(fd, F_DUPFD, (int)want)) >= 0) close(high);
    close(fd);
}

/* fsync_dir makes the entries of a directory (a rename into it) durable. */
int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY), rc, saved;

    if (fd < 0) return -1;
    rc = fsync(fd);
    saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

/* dir_of copies the directory part of path ("." if none). */
void dir_of(const char *path, char *buf, size_t size)
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

long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* mkdir_parents creates the directories above path (mode 0700). */
int mkdir_parents(const char *path)
{
    char buf[MAX_PATH];
    size_t i;

    if (path_fmt(buf, sizeof buf, "%s", path) != 0) return -1;
    for (i = 1; buf[i]; i++) {
        if (buf[i] != '/') continue;
        buf[i] = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST) return -1;
        buf[i] = '/';
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* The delivery                                                        */
/* ------------------------------------------------------------------ */

struct pending {
    UINT item;
    int fd;              /* Maildir: the file in tmp/, open until flushed */
    int renamed;
    char name[256];
};

struct delivery {
    const struct account *a;
    char *err;           /* the first failure, for the caller to print once */
    size_t errsize;
    char host[64];       /* for Maildir names */
    unsigned seq;

    /* The message being written. */
    int active;
    UINT item;
    int fd;              /* Maildir: its file in tmp/; MDA: the pipe */
    char name[256];
    pid_t pid;

    /* Line ends and mboxrd quoting, across packet boundaries. */
    int to_lf, mboxrd;
    int cr_pending, at_bol, last;
    unsigned gt, from_idx;
    char out[65536];
    size_t out_len;
    int out_fd;

    /* Written, not yet durable. */
    struct pending batch[BATCH_MESSAGES];
    size_t n_batch, batch_max;
    unsigned long long batch_bytes;
    long long batch_start_ms;

    int mbox_fd, mbox_locked;
    off_t mbox_start;    /* where the batch began */
    off_t msg_start;     /* where the message being written began */
};

static int fail(struct delivery *d, const char *what)
{
    int e = errno ? errno : EIO;

    if (d->err[0] == '\0') snprintf(d->err, d->errsize, "%s: %s", what, strerror(e));
    errno = e;
    return -1;
}

struct delivery *deliver_new(const struct account *a, char *errbuf, size_t errsize)
{
    struct delivery *d = calloc(1, sizeof *d);
    size_t i;

    if (d == NULL) return NULL;
    d->a = a;
    d->err = errbuf;
    d->errsize = errsize;
    d->fd = d->mbox_fd = -1;
    d->batch_max = BATCH_MESSAGES;
    d->mboxrd = a->delivery == DELIVER_MBOX;
    d->to_lf = !a->keep_crlf || d->mboxrd;
    /* The host part of Maildir names: '/' and ':' are not allowed there,
     * ',' would start a field of ours. */
    if (gethostname(d->host, sizeof d->host - 1) != 0 || d->host[0] == '\0') strcpy(d->host, "localhost");
    d->host[32] = '\0';
    for (i = 0; d->host[i]; i++)
        if (strchr("/:,", d->host[i])) d->host[i] = '_';
    return d;
}

void deliver_free(struct delivery *d)
{
    if (d == NULL) return;
    deliver_abort(d);
    if (d->mbox_fd >= 0) close(d->mbox_fd);
    free(d);
}

int deliver_is_immediate(const struct delivery *d)
{
    return d->a->delivery == DELIVER_MDA;
}

/* make_maildir creates MAILDIR and its tmp/, new/ and cur/ as needed. */
static int make_maildir(struct delivery *d)
{
    static const char *sub[] = {"", "/tmp", "/new", "/cur"};
    char path[MAX_PATH];
    int k, created = 0;

    for (k = 0; k < 4; k++) {
        if (path_fmt(path, sizeof path, "%s%s", d->a->dest, sub[k]) != 0) return fail(d, d->a->dest);
        if (mkdir(path, 0700) == 0) created = 1;
        else if (errno != EEXIST) return fail(d, path);
    }
    /* A directory just made must survive a crash as well as the mail. */
    if (created && fsync_dir(d->a->dest) != 0) return fail(d, d->a->dest);
    return 0;
}

/* deliver_prepare readies the destination: the Maildir is created, the
 * mbox opened (created if missing). Called once the server has let us in,
 * so that an unreachable server leaves nothing behind. */
int deliver_prepare(struct delivery *d)
{
    switch (d->a->delivery) {
    case DELIVER_MAILDIR:
        /* By now the connection and the lock hold their descriptors. */
        d->batch_max = batch_cap();
        return make_maildir(d);
    case DELIVER_MBOX:
        d->mbox_fd = open(d->a->dest, O_WRONLY | O_APPEND | O_CREAT, 0600);
        return d->mbox_fd < 0 ? fail(d, d->a->dest) : 0;
    default:
        /* An MDA that exits early must fail its delivery, not kill us. */
        signal(SIGPIPE, SIG_IGN);
        return 0;
    }
}

/* mbox_lock takes the mbox's fcntl write lock, as mail readers and MTAs
 * using fcntl locking expect, waiting for a reader to let go. */
static int mbox_lock(struct delivery *d, int type)
{
    struct flock fl;

    memset(&fl, 0, sizeof fl);
    fl.l_type = (short)type;
    fl.l_whence = SEEK_SET;
    while (fcntl(d->mbox_fd, F_SETLKW, &fl) != 0) {
        if (errno != EINTR) return fail(d, d->a->dest);
    }
    d->mbox_locked = type == F_WRLCK;
    return 0;
}

static int flush_out(struct delivery *d)
{
    if (d->out_len && write_all(d->out_fd, d->out, d->out_len) != 0) {
        d->out_len = 0;
        return -1;
    }
    d->out_len = 0;
    return 0;
}

static int emit(struct delivery *d, char c)
{
    d->out[d->out_len++] = c;
    d->last = (unsigned char)c;
    return d->out_len == sizeof d->out ? flush_out(d) : 0;
}

static int emit_str(struct delivery *d, const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (emit(d, s[i]) != 0) return -1;
    return 0;
}

/* emit_run writes n bytes of one line (none of them a CR, a line end
 * only as the last) as emit would one by one. */
static int emit_run(struct delivery *d, const char *p, size_t n)
{
    d->last = (unsigned char)p[n - 1];
    d->at_bol = p[n - 1] == '\n';
    while (n > 0) {
        size_t k = sizeof d->out - d->out_len;
        if (k > n) k = n;
        memcpy(d->out + d->out_len, p, k);
        d->out_len += k;
        p += k;
        n -= k;
        if (d->out_len == sizeof d->out && flush_out(d) != 0) return -1;
    }
    return 0;
}

/* plain_run is how many bytes from p go out unchanged: up to the first
 * CR, and in an mbox up to and including the first line end. */
static size_t plain_run(const struct delivery *d, const char *p, size_t len)
{
    const char *cr = memchr(p, '\r', len);
    size_t n = cr ? (size_t)(cr - p) : len;
    const char *lf = d->mboxrd ? memchr(p, '\n', n) : NULL;

    return lf ? (size_t)(lf - p) + 1 : n;
}

/* release_prefix writes a line start held back as a possible ">*From ". */
static int release_prefix(struct delivery *d)
{
    unsigned i;

    for (i = 0; i < d->gt; i++)
        if (emit(d, '>') != 0) return -1;
    if (emit_str(d, "From ", d->from_idx) != 0) return -1;
    d->gt = d->from_idx = 0;
    return 0;
}

/* put_line_char writes one character of the message as stored: in an
 * mbox, a line that matches ">*From " gets one more '>' (mboxrd), so that a
 * reader can undo the quoting exactly. */
static int put_line_char(struct delivery *d, char c)
{
    if (d->mboxrd && d->at_bol) {
        if (d->from_idx == 0 && c == '>') {
            d->gt++;
            return 0;
        }
        if (c == "From "[d->from_idx]) {
            if (++d->from_idx < 5) return 0;
            d->gt++;
            return release_prefix(d) == 0 ? (d->at_bol = 0) : -1;
        }
        if (release_prefix(d) != 0) return -1;
    }
    d->at_bol = c == '\n';
    return emit(d, c);
}

/* put_char turns CRLF into LF unless the wire form is kept; a lone CR is
 * kept as it is. A CR at the end of a packet waits for the next one. */
static int put_char(struct delivery *d, char c)
{
    if (d->cr_pending) {
        d->cr_pending = 0;
        if (c == '\n') return put_line_char(d, '\n');
        if (put_line_char(d, '\r') != 0) return -1;
    }
    if (c == '\r') {
        d->cr_pending = 1;
        return 0;
    }
    return put_line_char(d, c);
}

static int maildir_open(struct delivery *d, const char *tag)
{
    struct timespec ts;
    char tmp[MAX_PATH];
    int tries;

    for (tries = 0; tries < 100; tries++) {
        clock_gettime(CLOCK_REALTIME, &ts);
        if (path_fmt(d->name, sizeof d->name, "%lld.M%06ldP%ldQ%u.%s%s%s", (long long)ts.tv_sec,
                     ts.tv_nsec / 1000, (long)getpid(), ++d->seq, d->host, tag ? ",U=" : "", tag ? tag : "") != 0 ||
            path_fmt(tmp, sizeof tmp, "%s/tmp/%s", d->a->dest, d->name) != 0) break;
        d->fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (d->fd >= 0) return 0;
        if (errno != EEXIST) break;
    }
    return fail(d, tmp);
}

static int mda_start(struct delivery *d)
{
    int p[2];

    fflush(NULL);
    if (pipe(p) != 0) return fail(d, "pipe for the MDA");
    d->pid = fork();
    if (d->pid < 0) {
        close(p[0]);
        close(p[1]);
        return fail(d, "fork for the MDA");
    }
    if (d->pid == 0) {
        dup2(p[0], STDIN_FILENO);
        close(p[0]);
        close(p[1]);
        signal(SIGPIPE, SIG_DFL);
        execl("/bin/sh", "sh", "-c", d->a->dest, (char *)NULL);
        _exit(127);
    }
    close(p[0]);
    fcntl(p[1], F_SETFD, FD_CLOEXEC);
    d->fd = p[1];
    return 0;
}

/* deliver_begin starts message item; tag, when not NULL, goes into a
 * Maildir name to recognise the message after a crash. */
int deliver_begin(struct delivery *d, UINT item, const char *tag)
{
    d->active = 1;
    d->item = item;
    d->cr_pending = d->gt = d->from_idx = 0;
    d->at_bol = 1;
    d->out_len = 0;
    d->last = '\n';
    switch (d->a->delivery) {
    case DELIVER_MAILDIR:
        if (maildir_open(d, tag) != 0) return -1;
        d->out_fd = d->fd;
        return 0;
    case DELIVER_MBOX: {
        char line[128];
        time_t now = time(NULL);
        struct tm tm;
        if (!d->mbox_locked) {
            if (mbox_lock(d, F_WRLCK) != 0) return -1;
            if ((d->mbox_start = lseek(d->mbox_fd, 0, SEEK_END)) < 0) return fail(d, d->a->dest);
        }
        d->out_fd = d->mbox_fd;
        if ((d->msg_start = lseek(d->mbox_fd, 0, SEEK_END)) < 0) return fail(d, d->a->dest);
        gmtime_r(&now, &tm);
        strftime(line, sizeof line, "From MAILER-DAEMON %a %b %e %H:%M:%S %Y\n", &tm);
        return emit_str(d, line, strlen(line)) != 0 ? fail(d, d->a->dest) : 0;
    }
    default:
        if (mda_start(d) != 0) return -1;
        d->out_fd = d->fd;
        return 0;
    }
}

static const char *out_name(struct delivery *d, char *buf, size_t size)
{
    if (d->a->delivery == DELIVER_MAILDIR) {
        snprintf(buf, size, "%s/tmp/%s", d->a->dest, d->name);
        return buf;
    }
    return d->a->delivery == DELIVER_MBOX ? d->a->dest : "the MDA's input";
}

int deliver_write(struct delivery *d, const void *data, size_t len)
{
    const char *p = data;
    char buf[MAX_PATH];
    size_t i;

    d->batch_bytes += len;
    if (!d->to_lf) {
        if (flush_out(d) == 0 && write_all(d->out_fd, p, len) == 0) return 0;
        return fail(d, out_name(d, buf, sizeof buf));
    }
    for (i = 0; i < len;) {
        size_t n = 0;
        /* Inside a line with no CR waiting, the bytes up to the next CR
         * (and, in an mbox, up to the next line start, where quoting may
         * apply) are stored as they are: copied as a run, not a character
         * at a time, which cost most of a run's CPU on small messages. */
        if (!d->cr_pending && !(d->mboxrd && d->at_bol)) n = plain_run(d, p + i, len - i);
        if (n > 0) {
            if (emit_run(d, p + i, n) != 0) return fail(d, out_name(d, buf, sizeof buf));
            i += n;
        } else if (put_char(d, p[i++]) != 0) {
            return fail(d, out_name(d, buf, sizeof buf));
        }
    }
    return 0;
}

static int mda_finish(struct delivery *d)
{
    int status;
    pid_t pid = d->pid;

    close(d->fd);
    d->fd = -1;
    d->pid = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return fail(d, "waiting for the MDA");
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    if (d->err[0] == '\0') {
        if (WIFEXITED(status))
            snprintf(d->err, d->errsize, "MDA \"%s\" exited with status %d: message %u not delivered", d->a->dest,
                     WEXITSTATUS(status), d->item);
        else
            snprintf(d->err, d->errsize, "MDA \"%s\" killed by signal %d: message %u not delivered", d->a->dest,
                     WTERMSIG(status), d->item);
    }
    return -1;
}

/* deliver_end finishes the message: an MDA has then delivered it (or
 * failed); a Maildir or mbox message joins the batch. */
int deliver_end(struct delivery *d)
{
    char buf[MAX_PATH];
    int rc = 0;

    if (d->cr_pending) {
        d->cr_pending = 0;
        rc = put_line_char(d, '\r');
    }
    if (rc == 0 && d->from_idx + d->gt) rc = release_prefix(d);
    /* mbox: the message ends with a line end, then an empty line that
     * separates it from the next From_ line. */
    if (rc == 0 && d->mboxrd && d->last != '\n') rc = emit(d, '\n');
    if (rc == 0 && d->mboxrd) rc = emit(d, '\n');
    if (rc == 0) rc = flush_out(d);
    if (rc != 0) return fail(d, out_name(d, buf, sizeof buf));
    d->active = 0;
    switch (d->a->delivery) {
    case DELIVER_MAILDIR: {
        struct pending *p = &d->batch[d->n_batch];
        p->item = d->item;
        p->fd = d->fd;
        p->renamed = 0;
        memcpy(p->name, d->name, sizeof p->name);
        d->fd = -1;
        break;
    }
    case DELIVER_MBOX:
        d->batch[d->n_batch].item = d->item;
        d->batch[d->n_batch].fd = -1;
        break;
    default:
        return mda_finish(d);
    }
    if (d->n_batch++ == 0) d->batch_start_ms = now_ms();
    return 0;
}

/* deliver_batch_full tells when the batch should be made durable. */
int deliver_batch_full(const struct delivery *d)
{
    return d->n_batch > 0 && (d->n_batch >= d->batch_max || d->batch_bytes >= BATCH_BYTES ||
                              now_ms() - d->batch_start_ms >= BATCH_MS);
}

/* deliver_flush makes the batch durable and then calls stored for each of
 * its messages; on a failure it calls it for none, and the batch is
 * undone as far as it can be (deliver_abort). */
int deliver_flush(struct delivery *d, void (*stored)(UINT item, void *ctx), void *ctx)
{
    char src[MAX_PATH], dst[MAX_PATH];
    size_t i;

    if (d->n_batch == 0) return 0;
    if (d->a->delivery == DELIVER_MAILDIR) {
        for (i = 0; i < d->n_batch; i++) {
            struct pending *p = &d->batch[i];
            int rc = fsync(p->fd);
            if (rc == 0) rc = close(p->fd);
            else close(p->fd);
            p->fd = -1;
            if (rc != 0) {
                path_fmt(src, sizeof src, "%s/tmp/%s", d->a->dest, p->name);
                fail(d, src);
                deliver_abort(d);
                return -1;
            }
        }
        for (i = 0; i < d->n_batch; i++) {
            struct pending *p = &d->batch[i];
            if (path_fmt(src, sizeof src, "%s/tmp/%s", d->a->dest, p->name) != 0 ||
                path_fmt(dst, sizeof dst, "%s/new/%s", d->a->dest, p->name) != 0 || rename(src, dst) != 0) {
                fail(d, dst);
                deliver_abort(d);
                return -1;
            }
            p->renamed = 1;
        }
        if (path_fmt(dst, sizeof dst, "%s/new", d->a->dest) != 0 || fsync_dir(dst) != 0) {
            /* Renamed but perhaps not durable: not stored. With only-new,
             * the next run finds them by their tags (and fsyncs new/
             * first); nothing is deleted for them now. */
            fail(d, dst);
            d->n_batch = 0;
            return -1;
        }
    } else if (d->a->delivery == DELIVER_MBOX) {
        if (fsync(d->mbox_fd) != 0) {
            fail(d, d->a->dest);
            deliver_abort(d);
            return -1;
        }
        mbox_lock(d, F_UNLCK);
    }
    for (i = 0; i < d->n_batch; i++) stored(d->batch[i].item, ctx);
    d->n_batch = 0;
    d->batch_bytes = 0;
    return 0;
}

/* deliver_cancel drops the message being written, when the server stopped
 * sending it, and keeps the batch: its file in tmp/ is removed, the mbox
 * cut back to where it began, an MDA still reading it stopped. */
void deliver_cancel(struct delivery *d)
{
    char path[MAX_PATH];

    if (!d->active) return;
    d->out_len = 0;
    if (d->a->delivery == DELIVER_MAILDIR && d->fd >= 0) {
        close(d->fd);
        if (path_fmt(path, sizeof path, "%s/tmp/%s", d->a->dest, d->name) == 0) unlink(path);
    } else if (d->a->delivery == DELIVER_MBOX) {
        if (ftruncate(d->mbox_fd, d->msg_start) != 0) fail(d, d->a->dest);
    } else if (d->pid > 0) {
        int status;
        close(d->fd);
        kill(d->pid, SIGTERM);
        waitpid(d->pid, &status, 0);
        d->pid = 0;
    }
    d->fd = -1;
    d->active = 0;
}

/* deliver_abort drops the message being written and the batch that is
 * not durable: their files in tmp/ are removed, the mbox is cut back to
 * where the batch began, an MDA still reading is stopped. */
void deliver_abort(struct delivery *d)
{
    char path[MAX_PATH];
    size_t i;
    int saved = errno;

    deliver_cancel(d);
    for (i = 0; i < d->n_batch && d->a->delivery == DELIVER_MAILDIR; i++) {
        struct pending *p = &d->batch[i];
        if (p->fd >= 0) close(p->fd);
        p->fd = -1;
        if (!p->renamed && path_fmt(path, sizeof path, "%s/tmp/%s", d->a->dest, p->name) == 0) unlink(path);
    }
    if (d->mbox_locked) {
        if (ftruncate(d->mbox_fd, d->mbox_start) == 0) fsync(d->mbox_fd);
        mbox_lock(d, F_UNLCK);
    }
    d->n_batch = 0;
    d->batch_bytes = 0;
    d->out_len = 0;
    errno = saved;
}
