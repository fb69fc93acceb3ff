/*
 * tx_host.c - the ThreadX services that NetX Duo applications call, on a
 * POSIX host: kernel entry, threads, byte pools, mutexes, time.
 *
 * Every ThreadX thread is a pthread. One lock guards all ThreadX objects and
 * one condition variable (on the monotonic clock) carries every change of
 * state; each waiter re-checks what it waits for. Objects are few and changes
 * rare, so simplicity wins over throughput here.
 *
 * A thread's host side lives in a heap block (txhost_thread), not in the
 * application's TX_THREAD: a thread terminated from outside stops only at its
 * next ThreadX call, and the application may delete and reuse its TX_THREAD
 * before that. The block goes when both the host thread has ended and the
 * TX_THREAD was deleted.
 *
 * Validation follows ThreadX's error-checking layer (txe_*.c): same checks,
 * same order, same status values. "Initialization" is the thread that runs
 * tx_application_define; there is no interrupt context on a host.
 */

/* For clock_gettime and pthread_condattr_setclock under -std=c99. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../include/tx_api.h"

/* Supplied by the application. Weak, so that the library (and Go's test
 * binary of this package) links without one; tx_kernel_enter reports its
 * absence. */
#pragma weak tx_application_define

#define TXHOST_TICK_NS (1000000000L / (long)TX_TIMER_TICKS_PER_SECOND)

/* Byte pool blocks: two pointer-sized words in front of each block, as in
 * ThreadX; sizes and blocks are kept on a 16-byte boundary so an allocation
 * suits any type, as malloc's does. */
#define TXHOST_BYTE_ALIGN ((uintptr_t)16)
#define TXHOST_BYTE_FREE  ((uintptr_t)0xFFFFEEEEUL)

typedef struct txhost_block
{
    UCHAR     *next;  /* the next block; NULL for the pool's end marker */
    uintptr_t  owner; /* TXHOST_BYTE_FREE, or the owning pool */
} txhost_block;

#define TXHOST_BYTE_HEADER ((ULONG)((sizeof(txhost_block) + TXHOST_BYTE_ALIGN - 1) / TXHOST_BYTE_ALIGN * TXHOST_BYTE_ALIGN))

typedef struct txhost_thread
{
    TX_THREAD            *thread;          /* NULL once deleted */
    struct txhost_thread *next;
    VOID                (*entry)(ULONG);
    ULONG                 input;
    UINT                  state;           /* authoritative; mirrored into thread */
    UINT                  delayed_suspend; /* suspend when the current wait ends */
    int                   started;         /* the entry function was called */
    int                   parked;          /* the host thread waits while suspended */
    int                   terminate;       /* stop at the next ThreadX call */
    int                   wait_abort;      /* tx_thread_wait_abort was called */
    int                   running;         /* the host thread has not ended */
} txhost_thread;

static pthread_mutex_t  txhost_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t   txhost_cond;
static pthread_once_t   txhost_once = PTHREAD_ONCE_INIT;
static txhost_thread   *txhost_threads;
static TX_BYTE_POOL    *txhost_byte_pools;
static TX_MUTEX        *txhost_mutexes;

/* tx_application_define is running: threads created meanwhile wait. */
static int              txhost_initializing;

static UCHAR           *txhost_region;
static ULONG            txhost_region_size;

static int              txhost_time_started;
static struct timespec  txhost_time_base;
static ULONG            txhost_time_offset;

/* The calling thread's block, if it is a ThreadX thread. */
static __thread txhost_thread *txhost_self;
/* The calling thread runs tx_application_define. */
static __thread int            txhost_in_init;
/* Its address identifies a host thread that is not a ThreadX thread as a
 * mutex owner. */
static __thread char           txhost_marker;

static void txhost_init_once(void)
{
    pthread_condattr_t attr;

    /* Timeouts are relative: measure them on a clock that does not jump. */
    if (pthread_condattr_init(&attr) == 0)
    {
        if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
            pthread_cond_init(&txhost_cond, &attr) == 0)
        {
            pthread_condattr_destroy(&attr);
            return;
        }
        pthread_condattr_destroy(&attr);
    }
    fprintf(stderr, "tx_api: cannot create a condition variable\n");
    abort();
}

static void txhost_enter(void)
{
    pthread_once(&txhost_once, txhost_init_once);
    pthread_mutex_lock(&txhost_lock);
}

static void txhost_leave(void)
{
    pthread_mutex_unlock(&txhost_lock);
}

static void txhost_changed(void)
{
    pthread_cond_broadcast(&txhost_cond);
}

static void txhost_deadline(ULONG ticks, struct timespec *ts)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += (time_t)(ticks / TX_TIMER_TICKS_PER_SECOND);
    ts->tv_nsec += (long)(ticks % TX_TIMER_TICKS_PER_SECOND) * TXHOST_TICK_NS;
    if (ts->tv_nsec >= 1000000000L)
    {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Lock held. Waits for a change; ETIMEDOUT once the deadline has passed
 * (deadline NULL: no deadline). */
static int txhost_wait(const struct timespec *deadline)
{
    if (deadline == NULL)
    {
        return pthread_cond_wait(&txhost_cond, &txhost_lock);
    }
    return pthread_cond_timedwait(&txhost_cond, &txhost_lock, deadline);
}

static void txhost_time_start(void)
{
    if (!txhost_time_started)
    {
        clock_gettime(CLOCK_MONOTONIC, &txhost_time_base);
        txhost_time_started = 1;
    }
}

static void txhost_set_state(txhost_thread *b, UINT state)
{
    b->state = state;
    if (b->thread != NULL)
    {
        /* Atomic, so that an application polling tx_thread_state without
         * a lock of its own reads a whole value. */
        __atomic_store_n(&b->thread->tx_thread_state, state, __ATOMIC_SEQ_CST);
    }
}

static void txhost_set_delayed(txhost_thread *b, UINT delayed)
{
    b->delayed_suspend = delayed;
    if (b->thread != NULL)
    {
        __atomic_store_n(&b->thread->tx_thread_delayed_suspend, delayed, __ATOMIC_SEQ_CST);
    }
}

/* Lock held. The block of a created, not deleted, thread; membership
 * decides, so a stray pointer is refused rather than followed. */
static txhost_thread *txhost_find(const TX_THREAD *thread_ptr)
{
    txhost_thread *b;

    if (thread_ptr == NULL)
    {
        return NULL;
    }
    for (b = txhost_threads; b != NULL; b = b->next)
    {
        if (b->thread == thread_ptr)
        {
            return thread_ptr->tx_thread_id == TX_THREAD_ID ? b : NULL;
        }
    }
    return NULL;
}

static void txhost_unlink(txhost_thread *b)
{
    txhost_thread **link;

    for (link = &txhost_threads; *link != NULL; link = &(*link)->next)
    {
        if (*link == b)
        {
            *link = b->next;
            return;
        }
    }
}

/* The identity a mutex records as its owner. */
static void *txhost_token(void)
{
    return txhost_self != NULL ? (void *)txhost_self : (void *)&txhost_marker;
}

/* Lock held. A thread that ends or is terminated gives up its mutexes, so
 * that nobody waits for them forever. */
static void txhost_release_owned(txhost_thread *b)
{
    TX_MUTEX *m;

    for (m = txhost_mutexes; m != NULL; m = m->tx_mutex_created_next)
    {
        if (m->tx_mutex_host_owner == (void *)b && m->tx_mutex_ownership_count != 0)
        {
            m->tx_mutex_ownership_count = 0;
            m->tx_mutex_owner = NULL;
            m->tx_mutex_host_owner = NULL;
        }
    }
    if (b->thread != NULL)
    {
        b->thread->tx_thread_owned_mutex_count = 0;
    }
    txhost_changed();
}

/* Lock held. The host thread of b is ending. */
static void txhost_finish(txhost_thread *b)
{
    txhost_release_owned(b);
    b->running = 0;
    if (b->thread == NULL)
    {
        txhost_unlink(b);
        free(b);
    }
    txhost_self = NULL;
    txhost_changed();
}

/* Lock held; never returns. */
static void txhost_exit_self(txhost_thread *b)
{
    txhost_finish(b);
    txhost_leave();
    pthread_exit(NULL);
}

/* Lock held. Where a thread stops when it was suspended or terminated by
 * another thread: waits while suspended, ends the thread if terminated. */
static void txhost_checkpoint(txhost_thread *b)
{
    if (b == NULL)
    {
        return;
    }
    if (b->delayed_suspend && b->state == TX_READY)
    {
        txhost_set_delayed(b, TX_FALSE);
        txhost_set_state(b, TX_SUSPENDED);
    }
    while (b->state == TX_SUSPENDED && !b->terminate)
    {
        if (!b->parked)
        {
            b->parked = 1;
            txhost_changed();
        }
        txhost_wait(NULL);
    }
    b->parked = 0;
    if (b->terminate)
    {
        txhost_exit_self(b);
    }
}

/* Lock held. Threads that may still run: tx_kernel_enter returns when there
 * are none. */
static int txhost_active_threads(void)
{
    txhost_thread *b;
    int            n = 0;

    for (b = txhost_threads; b != NULL; b = b->next)
    {
        if (b->thread == NULL || b->state == TX_COMPLETED || b->state == TX_TERMINATED)
        {
            continue;
        }
        if (b->state == TX_SUSPENDED && (b->parked || !b->started))
        {
            continue;
        }
        n++;
    }
    return n;
}

static void *txhost_thread_main(void *arg)
{
    txhost_thread *b = (txhost_thread *)arg;
    VOID         (*entry)(ULONG);
    ULONG          input;

    txhost_self = b;
    txhost_enter();
    while (!b->terminate && (txhost_initializing || b->state == TX_SUSPENDED))
    {
        txhost_wait(NULL);
    }
    if (b->terminate)
    {
        txhost_exit_self(b);
    }
    b->started = 1;
    if (b->thread != NULL)
    {
        b->thread->tx_thread_run_count++;
    }
    entry = b->entry;
    input = b->input;
    txhost_leave();

    entry(input);

    txhost_enter();
    if (!b->terminate)
    {
        txhost_set_state(b, TX_COMPLETED);
    }
    txhost_finish(b);
    txhost_leave();
    return NULL;
}

/* The region size: NXPOP3_TX_MEMORY (bytes, or with a K or M suffix) or the
 * default. */
static ULONG txhost_region_wanted(void)
{
    const char    *env = getenv("NXPOP3_TX_MEMORY");
    char          *end;
    unsigned long  v;

    if (env == NULL || *env == '\0')
    {
        return TX_HOST_FIRST_UNUSED_MEMORY_SIZE;
    }
    errno = 0;
    v = strtoul(env, &end, 10);
    if (errno == 0 && end != env && v > 0)
    {
        if ((*end == 'K' || *end == 'k') && end[1] == '\0' && v <= ULONG_MAX / 1024UL)
        {
            return v * 1024UL;
        }
        if ((*end == 'M' || *end == 'm') && end[1] == '\0' && v <= ULONG_MAX / (1024UL * 1024UL))
        {
            return v * 1024UL * 1024UL;
        }
        if (*end == '\0')
        {
            return v;
        }
    }
    fprintf(stderr, "tx_api: NXPOP3_TX_MEMORY=%s is not a size (e.g. 4M, 512K, 65536); using %lu bytes\n",
            env, (unsigned long)TX_HOST_FIRST_UNUSED_MEMORY_SIZE);
    return TX_HOST_FIRST_UNUSED_MEMORY_SIZE;
}

ULONG tx_host_first_unused_memory_size(VOID)
{
    ULONG size;

    txhost_enter();
    size = txhost_region != NULL ? txhost_region_size : txhost_region_wanted();
    txhost_leave();
    return size;
}

VOID tx_kernel_enter(VOID)
{
    txhost_enter();
    /* From tx_application_define or a ThreadX thread, waiting for the
     * threads to end would wait for the caller itself. */
    if (txhost_initializing || txhost_self != NULL)
    {
        txhost_leave();
        return;
    }
    if (txhost_region == NULL)
    {
        ULONG size = txhost_region_wanted();

        txhost_region = (UCHAR *)calloc(1, (size_t)size);
        if (txhost_region == NULL)
        {
            txhost_leave();
            fprintf(stderr, "tx_kernel_enter: cannot allocate %lu bytes for first_unused_memory (NXPOP3_TX_MEMORY)\n",
                    (unsigned long)size);
            return;
        }
        txhost_region_size = size;
    }
    txhost_time_start();
    txhost_initializing = 1;
    txhost_in_init = 1;
    txhost_leave();

    if (tx_application_define != NULL)
    {
        tx_application_define(txhost_region);
    }
    else
    {
        fprintf(stderr, "tx_kernel_enter: the application defines no tx_application_define\n");
    }

    txhost_enter();
    txhost_in_init = 0;
    txhost_initializing = 0;
    txhost_changed();
    while (txhost_active_threads() > 0)
    {
        txhost_wait(NULL);
    }
    txhost_leave();
}

UINT tx_thread_create(TX_THREAD *thread_ptr, CHAR *name_ptr,
                      VOID (*entry_function)(ULONG entry_input), ULONG entry_input,
                      VOID *stack_start, ULONG stack_size,
                      UINT priority, UINT preempt_threshold,
                      ULONG time_slice, UINT auto_start)
{
    txhost_thread  *b;
    pthread_attr_t  attr;
    size_t          host_stack = 0;
    uintptr_t       s, e;
    int             rc;

    if (thread_ptr == NULL)
    {
        return TX_THREAD_ERROR;
    }
    txhost_enter();
    txhost_time_start();
    if (txhost_find(thread_ptr) != NULL)
    {
        txhost_leave();
        return TX_THREAD_ERROR;
    }
    /* A stack that overlaps another thread's is refused as a bad pointer. */
    if (stack_start != NULL && stack_size > 0)
    {
        s = (uintptr_t)stack_start;
        e = s + (stack_size - 1);
        for (b = txhost_threads; b != NULL; b = b->next)
        {
            uintptr_t os, oe;

            if (b->thread == NULL)
            {
                continue;
            }
            os = (uintptr_t)b->thread->tx_thread_stack_start;
            oe = (uintptr_t)b->thread->tx_thread_stack_end;
            if ((s >= os && s < oe) || (e >= os && e < oe))
            {
                stack_start = NULL;
                break;
            }
        }
    }
    if (stack_start == NULL || entry_function == NULL)
    {
        txhost_leave();
        return TX_PTR_ERROR;
    }
    if (stack_size < (ULONG)TX_MINIMUM_STACK)
    {
        txhost_leave();
        return TX_SIZE_ERROR;
    }
    if (priority >= (UINT)TX_MAX_PRIORITIES)
    {
        txhost_leave();
        return TX_PRIORITY_ERROR;
    }
    if (preempt_threshold > priority)
    {
        txhost_leave();
        return TX_THRESH_ERROR;
    }
    if (auto_start > TX_AUTO_START)
    {
        txhost_leave();
        return TX_START_ERROR;
    }

    b = (txhost_thread *)calloc(1, sizeof(*b));
    if (b == NULL)
    {
        txhost_leave();
        return TX_NO_MEMORY;
    }
    memset(thread_ptr, 0, sizeof(*thread_ptr));
    thread_ptr->tx_thread_name = name_ptr;
    thread_ptr->tx_thread_entry = entry_function;
    thread_ptr->tx_thread_entry_parameter = entry_input;
    thread_ptr->tx_thread_stack_start = stack_start;
    thread_ptr->tx_thread_stack_size = stack_size;
    thread_ptr->tx_thread_stack_end = (VOID *)((UCHAR *)stack_start + (stack_size - 1));
    thread_ptr->tx_thread_stack_ptr = thread_ptr->tx_thread_stack_end;
    thread_ptr->tx_thread_priority = priority;
    thread_ptr->tx_thread_user_priority = priority;
    thread_ptr->tx_thread_preempt_threshold = preempt_threshold;
    thread_ptr->tx_thread_user_preempt_threshold = preempt_threshold;
    thread_ptr->tx_thread_time_slice = time_slice;
    thread_ptr->tx_thread_new_time_slice = time_slice;
    thread_ptr->tx_thread_host = b;
    b->thread = thread_ptr;
    b->entry = entry_function;
    b->input = entry_input;
    b->running = 1;
    txhost_set_state(b, auto_start == TX_AUTO_START ? TX_READY : TX_SUSPENDED);

    /* The host stack: the system default, or the requested size if larger. */
    rc = pthread_attr_init(&attr);
    if (rc == 0)
    {
        if (pthread_attr_getstacksize(&attr, &host_stack) == 0 && stack_size > host_stack)
        {
            pthread_attr_setstacksize(&attr, ((size_t)stack_size + 65535u) / 65536u * 65536u);
        }
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        {
            pthread_t tid;

            rc = pthread_create(&tid, &attr, txhost_thread_main, b);
        }
        pthread_attr_destroy(&attr);
    }
    if (rc != 0)
    {
        memset(thread_ptr, 0, sizeof(*thread_ptr));
        free(b);
        txhost_leave();
        return TX_NO_MEMORY;
    }
    thread_ptr->tx_thread_id = TX_THREAD_ID;
    b->next = txhost_threads;
    txhost_threads = b;
    txhost_changed();
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_thread_delete(TX_THREAD *thread_ptr)
{
    txhost_thread *b;

    txhost_enter();
    b = txhost_find(thread_ptr);
    if (b == NULL)
    {
        txhost_leave();
        return TX_THREAD_ERROR;
    }
    if (txhost_in_init)
    {
        txhost_leave();
        return TX_CALLER_ERROR;
    }
    if (b->state != TX_COMPLETED && b->state != TX_TERMINATED)
    {
        txhost_leave();
        return TX_DELETE_ERROR;
    }
    thread_ptr->tx_thread_id = TX_CLEAR_ID;
    thread_ptr->tx_thread_host = NULL;
    b->thread = NULL;
    if (!b->running)
    {
        txhost_unlink(b);
        free(b);
    }
    txhost_changed();
    txhost_leave();
    return TX_SUCCESS;
}

TX_THREAD *tx_thread_identify(VOID)
{
    TX_THREAD *t = NULL;

    if (txhost_self != NULL)
    {
        txhost_enter();
        t = txhost_self->thread;
        txhost_leave();
    }
    return t;
}

VOID tx_thread_relinquish(VOID)
{
    txhost_enter();
    txhost_checkpoint(txhost_self);
    txhost_leave();
    sched_yield();
}

UINT tx_thread_resume(TX_THREAD *thread_ptr)
{
    txhost_thread *b;
    UINT           status;

    txhost_enter();
    b = txhost_find(thread_ptr);
    if (b == NULL)
    {
        status = TX_THREAD_ERROR;
    }
    else if (b->state == TX_SUSPENDED)
    {
        txhost_set_state(b, TX_READY);
        txhost_changed();
        status = TX_SUCCESS;
    }
    else if (b->delayed_suspend)
    {
        txhost_set_delayed(b, TX_FALSE);
        status = TX_SUSPEND_LIFTED;
    }
    else
    {
        status = TX_RESUME_ERROR;
    }
    txhost_leave();
    return status;
}

UINT tx_thread_sleep(ULONG timer_ticks)
{
    txhost_thread   *b;
    struct timespec  deadline;
    UINT             status = TX_SUCCESS;

    txhost_enter();
    if (txhost_in_init)
    {
        txhost_leave();
        return TX_CALLER_ERROR;
    }
    b = txhost_self;
    txhost_checkpoint(b);
    if (timer_ticks == 0)
    {
        txhost_leave();
        return TX_SUCCESS;
    }
    txhost_deadline(timer_ticks, &deadline);
    if (b != NULL)
    {
        b->wait_abort = 0;
        txhost_set_state(b, TX_SLEEP);
    }
    for (;;)
    {
        if (b != NULL && b->terminate)
        {
            txhost_exit_self(b);
        }
        if (b != NULL && b->wait_abort)
        {
            status = TX_WAIT_ABORTED;
            break;
        }
        if (txhost_wait(&deadline) == ETIMEDOUT)
        {
            break;
        }
    }
    if (b != NULL)
    {
        b->wait_abort = 0;
        txhost_set_state(b, TX_READY);
        txhost_checkpoint(b);
    }
    txhost_leave();
    return status;
}

UINT tx_thread_suspend(TX_THREAD *thread_ptr)
{
    txhost_thread *b;
    UINT           status = TX_SUCCESS;

    txhost_enter();
    b = txhost_find(thread_ptr);
    if (b == NULL)
    {
        status = TX_THREAD_ERROR;
    }
    else if (b->state == TX_READY)
    {
        txhost_set_state(b, TX_SUSPENDED);
        txhost_changed();
        if (b == txhost_self)
        {
            txhost_checkpoint(b);
        }
    }
    else if (b->state == TX_TERMINATED || b->state == TX_COMPLETED)
    {
        status = TX_SUSPEND_ERROR;
    }
    else if (b->state != TX_SUSPENDED)
    {
        /* Waiting (sleep, mutex, memory): suspended when the wait ends. */
        txhost_set_delayed(b, TX_TRUE);
    }
    txhost_leave();
    return status;
}

UINT tx_thread_terminate(TX_THREAD *thread_ptr)
{
    txhost_thread *b;

    txhost_enter();
    b = txhost_find(thread_ptr);
    if (b == NULL)
    {
        txhost_leave();
        return TX_THREAD_ERROR;
    }
    if (b->state != TX_COMPLETED && b->state != TX_TERMINATED)
    {
        txhost_set_state(b, TX_TERMINATED);
        txhost_set_delayed(b, TX_FALSE);
        b->terminate = 1;
        txhost_release_owned(b);
        if (b == txhost_self)
        {
            txhost_exit_self(b);
        }
    }
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_thread_wait_abort(TX_THREAD *thread_ptr)
{
    txhost_thread *b;
    UINT           status;

    txhost_enter();
    b = txhost_find(thread_ptr);
    if (b == NULL)
    {
        status = TX_THREAD_ERROR;
    }
    else if (b->state == TX_SLEEP || b->state == TX_MUTEX_SUSP || b->state == TX_BYTE_MEMORY)
    {
        b->wait_abort = 1;
        txhost_changed();
        status = TX_SUCCESS;
    }
    else
    {
        status = TX_WAIT_ABORT_ERROR;
    }
    txhost_leave();
    return status;
}

static ULONG txhost_elapsed_ticks(void)
{
    struct timespec now;
    unsigned long long ns;

    txhost_time_start();
    clock_gettime(CLOCK_MONOTONIC, &now);
    ns = (unsigned long long)(now.tv_sec - txhost_time_base.tv_sec) * 1000000000ULL +
         (unsigned long long)(now.tv_nsec - txhost_time_base.tv_nsec);
    return (ULONG)(ns / (unsigned long long)TXHOST_TICK_NS);
}

ULONG tx_time_get(VOID)
{
    ULONG t;

    txhost_enter();
    /* ThreadX's ULONG is 32 bits on its targets: the clock wraps there. */
    t = (txhost_elapsed_ticks() + txhost_time_offset) & 0xFFFFFFFFUL;
    txhost_leave();
    return t;
}

VOID tx_time_set(ULONG new_time)
{
    txhost_enter();
    txhost_time_offset = new_time - txhost_elapsed_ticks();
    txhost_leave();
}

/* ---- waits ---- */

/* The wait of a blocking call (tx_byte_allocate, tx_mutex_get): the calling
 * thread, its wait option and deadline, and what its last txhost_wait
 * returned. */
typedef struct txhost_waiter
{
    txhost_thread   *b;           /* txhost_self: NULL on a host thread */
    ULONG            wait_option;
    struct timespec  deadline;    /* set unless TX_NO_WAIT or TX_WAIT_FOREVER */
    int              waited;
} txhost_waiter;

/* Lock held, arguments validated. Stops where a suspended or terminated
 * caller stops, then starts the clock of the wait. */
static void txhost_waiter_start(txhost_waiter *w, ULONG wait_option)
{
    w->b = txhost_self;
    w->wait_option = wait_option;
    w->waited = 0;
    txhost_checkpoint(w->b);
    if (wait_option != TX_NO_WAIT && wait_option != TX_WAIT_FOREVER)
    {
        txhost_deadline(wait_option, &w->deadline);
    }
}

/* Lock held. What the caller waits for is not there: returns 0 with
 * *status set to unavailable when the call does not wait or its time is
 * up. Else it waits for one change, the caller's thread in state and
 * counted in *suspended_count, then returns 0 with *status set if the
 * object was deleted (TX_DELETED) or the wait aborted (TX_WAIT_ABORTED),
 * or 1 for the caller to look again. A caller terminated meanwhile ends
 * here. */
static int txhost_waiter_suspend(txhost_waiter *w, UINT state, UINT *suspended_count, const UINT *deleted,
                                 UINT unavailable, UINT *status)
{
    txhost_thread *b = w->b;

    if (w->wait_option == TX_NO_WAIT || w->waited == ETIMEDOUT)
    {
        *status = unavailable;
        return 0;
    }
    if (b != NULL)
    {
        b->wait_abort = 0;
        txhost_set_state(b, state);
    }
    (*suspended_count)++;
    w->waited = txhost_wait(w->wait_option == TX_WAIT_FOREVER ? NULL : &w->deadline);
    (*suspended_count)--;
    if (b != NULL)
    {
        txhost_set_state(b, b->terminate ? TX_TERMINATED : TX_READY);
    }
    if (*deleted)
    {
        txhost_changed();
        *status = TX_DELETED;
        return 0;
    }
    if (b != NULL && b->terminate)
    {
        txhost_exit_self(b);
    }
    if (b != NULL && b->wait_abort)
    {
        *status = TX_WAIT_ABORTED;
        return 0;
    }
    return 1;
}

/* Lock held. The call is over: the caller stops if it was suspended or
 * terminated meanwhile. */
static void txhost_waiter_end(txhost_waiter *w)
{
    if (w->b != NULL)
    {
        w->b->wait_abort = 0;
        txhost_checkpoint(w->b);
    }
}

/* Lock held. An object is being deleted: its waiters (txhost_waiter_suspend)
 * return TX_DELETED. The caller may reuse the memory once the delete
 * returns, so this waits until the last one has left. */
static void txhost_waiters_dismiss(UINT *deleted, const UINT *suspended_count)
{
    *deleted = TX_TRUE;
    txhost_changed();
    while (*suspended_count > 0)
    {
        txhost_wait(NULL);
    }
}

/* ---- byte pools ---- */

static int txhost_byte_pool_registered(const TX_BYTE_POOL *pool_ptr)
{
    const TX_BYTE_POOL *p;

    for (p = txhost_byte_pools; p != NULL; p = p->tx_byte_pool_created_next)
    {
        if (p == pool_ptr)
        {
            return p->tx_byte_pool_id == TX_BYTE_POOL_ID;
        }
    }
    return 0;
}

UINT tx_byte_pool_create(TX_BYTE_POOL *pool_ptr, CHAR *name_ptr, VOID *pool_start, ULONG pool_size)
{
    uintptr_t     start, skew;
    ULONG         usable;
    txhost_block *first, *last;

    if (pool_ptr == NULL)
    {
        return TX_POOL_ERROR;
    }
    txhost_enter();
    if (txhost_byte_pool_registered(pool_ptr))
    {
        txhost_leave();
        return TX_POOL_ERROR;
    }
    if (pool_start == NULL)
    {
        txhost_leave();
        return TX_PTR_ERROR;
    }
    if (pool_size < TX_BYTE_POOL_MIN || pool_size > UINTPTR_MAX - (uintptr_t)pool_start)
    {
        txhost_leave();
        return TX_SIZE_ERROR;
    }
    start = ((uintptr_t)pool_start + TXHOST_BYTE_ALIGN - 1) / TXHOST_BYTE_ALIGN * TXHOST_BYTE_ALIGN;
    skew = start - (uintptr_t)pool_start;
    usable = (ULONG)((pool_size - skew) / TXHOST_BYTE_ALIGN * TXHOST_BYTE_ALIGN);
    if (usable < 3 * TXHOST_BYTE_HEADER)
    {
        txhost_leave();
        return TX_SIZE_ERROR;
    }

    /* One free block, then a permanently allocated end marker. */
    first = (txhost_block *)start;
    last = (txhost_block *)(start + usable - TXHOST_BYTE_HEADER);
    first->next = (UCHAR *)last;
    first->owner = TXHOST_BYTE_FREE;
    last->next = NULL;
    last->owner = (uintptr_t)pool_ptr;

    memset(pool_ptr, 0, sizeof(*pool_ptr));
    pool_ptr->tx_byte_pool_name = name_ptr;
    pool_ptr->tx_byte_pool_available = usable - 2 * TXHOST_BYTE_HEADER;
    pool_ptr->tx_byte_pool_fragments = 2;
    pool_ptr->tx_byte_pool_list = (UCHAR *)start;
    pool_ptr->tx_byte_pool_search = (UCHAR *)start;
    pool_ptr->tx_byte_pool_start = (UCHAR *)start;
    pool_ptr->tx_byte_pool_size = usable;
    pool_ptr->tx_byte_pool_id = TX_BYTE_POOL_ID;
    pool_ptr->tx_byte_pool_created_next = txhost_byte_pools;
    txhost_byte_pools = pool_ptr;
    txhost_leave();
    return TX_SUCCESS;
}

/* Lock held. First fit, merging free neighbours on the way, splitting what
 * is left over when it can hold a block of its own. */
static VOID *txhost_byte_search(TX_BYTE_POOL *pool_ptr, ULONG size)
{
    UCHAR *blk;

    for (blk = pool_ptr->tx_byte_pool_start; blk != NULL; blk = ((txhost_block *)blk)->next)
    {
        txhost_block *h = (txhost_block *)blk;
        ULONG         avail;

        if (h->owner != TXHOST_BYTE_FREE)
        {
            continue;
        }
        while (((txhost_block *)h->next)->owner == TXHOST_BYTE_FREE)
        {
            h->next = ((txhost_block *)h->next)->next;
            pool_ptr->tx_byte_pool_fragments--;
            pool_ptr->tx_byte_pool_available += TXHOST_BYTE_HEADER;
        }
        avail = (ULONG)(h->next - blk) - TXHOST_BYTE_HEADER;
        if (avail < size)
        {
            continue;
        }
        if (avail - size >= TXHOST_BYTE_HEADER + TX_BYTE_BLOCK_MIN)
        {
            txhost_block *rest = (txhost_block *)(blk + TXHOST_BYTE_HEADER + size);

            rest->next = h->next;
            rest->owner = TXHOST_BYTE_FREE;
            h->next = (UCHAR *)rest;
            pool_ptr->tx_byte_pool_fragments++;
            pool_ptr->tx_byte_pool_available -= TXHOST_BYTE_HEADER;
        }
        h->owner = (uintptr_t)pool_ptr;
        pool_ptr->tx_byte_pool_available -= (ULONG)(h->next - blk) - TXHOST_BYTE_HEADER;
        pool_ptr->tx_byte_pool_search = h->next;
        return blk + TXHOST_BYTE_HEADER;
    }
    return NULL;
}

UINT tx_byte_allocate(TX_BYTE_POOL *pool_ptr, VOID **memory_ptr, ULONG memory_size, ULONG wait_option)
{
    txhost_waiter  w;
    VOID          *mem;
    UINT           status;

    txhost_enter();
    if (pool_ptr == NULL || !txhost_byte_pool_registered(pool_ptr))
    {
        txhost_leave();
        return TX_POOL_ERROR;
    }
    if (memory_ptr == NULL)
    {
        txhost_leave();
        return TX_PTR_ERROR;
    }
    if (memory_size == 0 || memory_size > pool_ptr->tx_byte_pool_size)
    {
        txhost_leave();
        return TX_SIZE_ERROR;
    }
    if (wait_option != TX_NO_WAIT && txhost_in_init)
    {
        txhost_leave();
        return TX_WAIT_ERROR;
    }
    memory_size = (ULONG)((memory_size + TXHOST_BYTE_ALIGN - 1) / TXHOST_BYTE_ALIGN * TXHOST_BYTE_ALIGN);
    txhost_waiter_start(&w, wait_option);
    *memory_ptr = NULL;
    for (;;)
    {
        mem = txhost_byte_search(pool_ptr, memory_size);
        if (mem != NULL)
        {
            *memory_ptr = mem;
            status = TX_SUCCESS;
            break;
        }
        if (!txhost_waiter_suspend(&w, TX_BYTE_MEMORY, &pool_ptr->tx_byte_pool_suspended_count,
                                   &pool_ptr->tx_byte_pool_host_deleted, TX_NO_MEMORY, &status))
        {
            break;
        }
    }
    txhost_waiter_end(&w);
    txhost_leave();
    return status;
}

UINT tx_byte_release(VOID *memory_ptr)
{
    TX_BYTE_POOL *p;
    UCHAR        *blk;

    if (memory_ptr == NULL)
    {
        return TX_PTR_ERROR;
    }
    txhost_enter();
    for (p = txhost_byte_pools; p != NULL; p = p->tx_byte_pool_created_next)
    {
        if ((UCHAR *)memory_ptr < p->tx_byte_pool_start || (UCHAR *)memory_ptr >= p->tx_byte_pool_start + p->tx_byte_pool_size)
        {
            continue;
        }
        /* Only the start of an allocated block is accepted, never a stray
         * pointer or a second release. */
        for (blk = p->tx_byte_pool_start; blk != NULL; blk = ((txhost_block *)blk)->next)
        {
            txhost_block *h = (txhost_block *)blk;

            if (blk + TXHOST_BYTE_HEADER == (UCHAR *)memory_ptr && h->next != NULL && h->owner == (uintptr_t)p)
            {
                h->owner = TXHOST_BYTE_FREE;
                p->tx_byte_pool_available += (ULONG)(h->next - blk) - TXHOST_BYTE_HEADER;
                txhost_changed();
                txhost_leave();
                return TX_SUCCESS;
            }
        }
        break;
    }
    txhost_leave();
    return TX_PTR_ERROR;
}

UINT tx_byte_pool_delete(TX_BYTE_POOL *pool_ptr)
{
    TX_BYTE_POOL **link;

    txhost_enter();
    if (pool_ptr == NULL || !txhost_byte_pool_registered(pool_ptr))
    {
        txhost_leave();
        return TX_POOL_ERROR;
    }
    if (txhost_in_init)
    {
        txhost_leave();
        return TX_CALLER_ERROR;
    }
    for (link = &txhost_byte_pools; *link != pool_ptr; link = &(*link)->tx_byte_pool_created_next)
    {
    }
    *link = pool_ptr->tx_byte_pool_created_next;
    pool_ptr->tx_byte_pool_created_next = NULL;
    pool_ptr->tx_byte_pool_id = TX_CLEAR_ID;
    txhost_waiters_dismiss(&pool_ptr->tx_byte_pool_host_deleted, &pool_ptr->tx_byte_pool_suspended_count);
    txhost_leave();
    return TX_SUCCESS;
}

/* ---- mutexes ---- */

static int txhost_mutex_registered(const TX_MUTEX *mutex_ptr)
{
    const TX_MUTEX *m;

    for (m = txhost_mutexes; m != NULL; m = m->tx_mutex_created_next)
    {
        if (m == mutex_ptr)
        {
            return m->tx_mutex_id == TX_MUTEX_ID;
        }
    }
    return 0;
}

UINT tx_mutex_create(TX_MUTEX *mutex_ptr, CHAR *name_ptr, UINT inherit)
{
    if (mutex_ptr == NULL)
    {
        return TX_MUTEX_ERROR;
    }
    txhost_enter();
    if (txhost_mutex_registered(mutex_ptr))
    {
        txhost_leave();
        return TX_MUTEX_ERROR;
    }
    if (inherit != TX_INHERIT && inherit != TX_NO_INHERIT)
    {
        txhost_leave();
        return TX_INHERIT_ERROR;
    }
    memset(mutex_ptr, 0, sizeof(*mutex_ptr));
    mutex_ptr->tx_mutex_name = name_ptr;
    mutex_ptr->tx_mutex_inherit = inherit;
    mutex_ptr->tx_mutex_id = TX_MUTEX_ID;
    mutex_ptr->tx_mutex_created_next = txhost_mutexes;
    txhost_mutexes = mutex_ptr;
    txhost_leave();
    return TX_SUCCESS;
}

/* Lock held. */
static void txhost_mutex_take(TX_MUTEX *m, txhost_thread *b)
{
    m->tx_mutex_ownership_count = 1;
    m->tx_mutex_host_owner = txhost_token();
    m->tx_mutex_owner = b != NULL ? b->thread : NULL;
    if (m->tx_mutex_owner != NULL)
    {
        m->tx_mutex_original_priority = m->tx_mutex_owner->tx_thread_priority;
        m->tx_mutex_owner->tx_thread_owned_mutex_count++;
    }
}

UINT tx_mutex_get(TX_MUTEX *mutex_ptr, ULONG wait_option)
{
    txhost_waiter w;
    UINT          status;

    txhost_enter();
    if (mutex_ptr == NULL || !txhost_mutex_registered(mutex_ptr))
    {
        txhost_leave();
        return TX_MUTEX_ERROR;
    }
    if (wait_option != TX_NO_WAIT && txhost_in_init)
    {
        txhost_leave();
        return TX_WAIT_ERROR;
    }
    txhost_waiter_start(&w, wait_option);
    for (;;)
    {
        if (mutex_ptr->tx_mutex_ownership_count == 0)
        {
            txhost_mutex_take(mutex_ptr, w.b);
            status = TX_SUCCESS;
            break;
        }
        if (mutex_ptr->tx_mutex_host_owner == txhost_token())
        {
            mutex_ptr->tx_mutex_ownership_count++;
            status = TX_SUCCESS;
            break;
        }
        if (!txhost_waiter_suspend(&w, TX_MUTEX_SUSP, &mutex_ptr->tx_mutex_suspended_count,
                                   &mutex_ptr->tx_mutex_host_deleted, TX_NOT_AVAILABLE, &status))
        {
            break;
        }
    }
    txhost_waiter_end(&w);
    txhost_leave();
    return status;
}

UINT tx_mutex_put(TX_MUTEX *mutex_ptr)
{
    txhost_enter();
    if (mutex_ptr == NULL || !txhost_mutex_registered(mutex_ptr))
    {
        txhost_leave();
        return TX_MUTEX_ERROR;
    }
    if (mutex_ptr->tx_mutex_ownership_count == 0 || mutex_ptr->tx_mutex_host_owner != txhost_token())
    {
        txhost_leave();
        return TX_NOT_OWNED;
    }
    if (--mutex_ptr->tx_mutex_ownership_count == 0)
    {
        if (mutex_ptr->tx_mutex_owner != NULL && mutex_ptr->tx_mutex_owner->tx_thread_owned_mutex_count > 0)
        {
            mutex_ptr->tx_mutex_owner->tx_thread_owned_mutex_count--;
        }
        mutex_ptr->tx_mutex_owner = NULL;
        mutex_ptr->tx_mutex_host_owner = NULL;
        txhost_changed();
    }
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_mutex_delete(TX_MUTEX *mutex_ptr)
{
    TX_MUTEX **link;

    txhost_enter();
    if (mutex_ptr == NULL || !txhost_mutex_registered(mutex_ptr))
    {
        txhost_leave();
        return TX_MUTEX_ERROR;
    }
    if (txhost_in_init)
    {
        txhost_leave();
        return TX_CALLER_ERROR;
    }
    for (link = &txhost_mutexes; *link != mutex_ptr; link = &(*link)->tx_mutex_created_next)
    {
    }
    *link = mutex_ptr->tx_mutex_created_next;
    mutex_ptr->tx_mutex_created_next = NULL;
    mutex_ptr->tx_mutex_id = TX_CLEAR_ID;
    if (mutex_ptr->tx_mutex_ownership_count != 0 && mutex_ptr->tx_mutex_owner != NULL &&
        mutex_ptr->tx_mutex_owner->tx_thread_owned_mutex_count > 0)
    {
        mutex_ptr->tx_mutex_owner->tx_thread_owned_mutex_count--;
    }
    mutex_ptr->tx_mutex_ownership_count = 0;
    mutex_ptr->tx_mutex_owner = NULL;
    mutex_ptr->tx_mutex_host_owner = NULL;
    txhost_waiters_dismiss(&mutex_ptr->tx_mutex_host_deleted, &mutex_ptr->tx_mutex_suspended_count);
    txhost_leave();
    return TX_SUCCESS;
}
