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

#include "tx_host_internal.h"

/* Supplied by the application. Weak, so that the library (and Go's test
 * binary of this package) links without one; tx_kernel_enter reports its
 * absence. */
#pragma weak tx_application_define

#define TXHOST_TICK_NS (1000000000L / (long)TX_TIMER_TICKS_PER_SECOND)

static pthread_mutex_t  txhost_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t   txhost_cond;
static pthread_once_t   txhost_once = PTHREAD_ONCE_INIT;
static txhost_thread   *txhost_threads;

/* tx_application_define is running: threads created meanwhile wait. */
static int              txhost_initializing;

static UCHAR           *txhost_region;
static ULONG            txhost_region_size;

static int              txhost_time_started;
static struct timespec  txhost_time_base;
static ULONG            txhost_time_offset;

__thread txhost_thread *txhost_self;
__thread int            txhost_in_init;
__thread int            txhost_in_timer;
/* The posture tx_interrupt_control keeps per thread. */
static __thread UINT           txhost_posture = TX_INT_ENABLE;
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

void txhost_enter(void)
{
    pthread_once(&txhost_once, txhost_init_once);
    pthread_mutex_lock(&txhost_lock);
}

void txhost_leave(void)
{
    pthread_mutex_unlock(&txhost_lock);
}

void txhost_changed(void)
{
    pthread_cond_broadcast(&txhost_cond);
}

void txhost_deadline(ULONG ticks, struct timespec *ts)
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

int txhost_wait(const struct timespec *deadline)
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
txhost_thread *txhost_find(const TX_THREAD *thread_ptr)
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
void *txhost_token(void)
{
    return txhost_self != NULL ? (void *)txhost_self : (void *)&txhost_marker;
}

/* Lock held. A thread that ends or is terminated gives up its mutexes, so
 * that nobody waits for them forever. */
static void txhost_release_owned(txhost_thread *b)
{
    txhost_mutexes_release_owned(b);
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

        void *region = NULL;

        /* 16 bytes, not malloc's alignment: 8 on 32-bit ARM, and the
         * region is promised aligned as a byte pool's blocks are. */
        if (posix_memalign(&region, 16, (size_t)size) == 0)
        {
            memset(region, 0, (size_t)size);
            txhost_region = (UCHAR *)region;
        }
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

/* Lock held. Starts the host thread of b: a stack of the system's default
 * size, or the requested one if larger. */
static int txhost_spawn(txhost_thread *b, ULONG stack_size)
{
    pthread_attr_t attr;
    pthread_t      tid;
    size_t         host_stack = 0;
    int            rc;

    rc = pthread_attr_init(&attr);
    if (rc != 0)
    {
        return rc;
    }
    if (pthread_attr_getstacksize(&attr, &host_stack) == 0 && stack_size > host_stack)
    {
        pthread_attr_setstacksize(&attr, ((size_t)stack_size + 65535u) / 65536u * 65536u);
    }
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    rc = pthread_create(&tid, &attr, txhost_thread_main, b);
    pthread_attr_destroy(&attr);
    return rc;
}

UINT tx_thread_create(TX_THREAD *thread_ptr, CHAR *name_ptr,
                      VOID (*entry_function)(ULONG entry_input), ULONG entry_input,
                      VOID *stack_start, ULONG stack_size,
                      UINT priority, UINT preempt_threshold,
                      ULONG time_slice, UINT auto_start)
{
    txhost_thread  *b;
    uintptr_t       s, e;

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

    if (txhost_spawn(b, stack_size) != 0)
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
    else if (b->state == TX_SLEEP || b->state == TX_MUTEX_SUSP || b->state == TX_BYTE_MEMORY ||
             b->state == TX_BLOCK_MEMORY || b->state == TX_QUEUE_SUSP || b->state == TX_SEMAPHORE_SUSP ||
             b->state == TX_EVENT_FLAG)
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


unsigned long long txhost_ticks_now(void)
{
    struct timespec now;

    txhost_time_start();
    clock_gettime(CLOCK_MONOTONIC, &now);
    return ((unsigned long long)(now.tv_sec - txhost_time_base.tv_sec) * 1000000000ULL +
            (unsigned long long)(now.tv_nsec - txhost_time_base.tv_nsec)) /
           (unsigned long long)TXHOST_TICK_NS;
}

int txhost_nonthread(void)
{
    return txhost_in_init || txhost_in_timer;
}

/* ---- waits ---- */

/* Every queued waiter of every object, and the next place in a line. */
static txhost_waiter *txhost_waiters;
static long long      txhost_waiter_seq;

void txhost_waiter_start(txhost_waiter *w, ULONG wait_option, UINT *count)
{
    w->b = txhost_self;
    w->wait_option = wait_option;
    w->waited = 0;
    w->obj = count;
    w->count = count;
    w->queued = 0;
    w->seq = 0;
    w->next = NULL;
    txhost_checkpoint(w->b);
    if (wait_option != TX_NO_WAIT && wait_option != TX_WAIT_FOREVER)
    {
        txhost_deadline(wait_option, &w->deadline);
    }
}

int txhost_waiter_turn(const txhost_waiter *w)
{
    const txhost_waiter *o;

    for (o = txhost_waiters; o != NULL; o = o->next)
    {
        if (o != w && o->obj == w->obj && (!w->queued || o->seq < w->seq))
        {
            return 0;
        }
    }
    return 1;
}

/* Lock held. w leaves its line; the next in it may now take its turn. */
static void txhost_waiter_dequeue(txhost_waiter *w)
{
    txhost_waiter **link;

    if (!w->queued)
    {
        return;
    }
    for (link = &txhost_waiters; *link != NULL; link = &(*link)->next)
    {
        if (*link == w)
        {
            *link = w->next;
            break;
        }
    }
    w->queued = 0;
    (*w->count)--;
    txhost_changed();
}

int txhost_waiter_suspend(txhost_waiter *w, UINT state, const UINT *deleted, UINT unavailable, UINT *status)
{
    txhost_thread *b = w->b;

    if (w->wait_option == TX_NO_WAIT || w->waited == ETIMEDOUT)
    {
        *status = unavailable;
        return 0;
    }
    if (!w->queued)
    {
        w->queued = 1;
        w->seq = ++txhost_waiter_seq;
        w->next = txhost_waiters;
        txhost_waiters = w;
        (*w->count)++;
    }
    if (b != NULL)
    {
        b->wait_abort = 0;
        txhost_set_state(b, state);
    }
    w->waited = txhost_wait(w->wait_option == TX_WAIT_FOREVER ? NULL : &w->deadline);
    if (b != NULL)
    {
        txhost_set_state(b, b->terminate ? TX_TERMINATED : TX_READY);
    }
    if (*deleted)
    {
        *status = TX_DELETED;
        return 0;
    }
    if (b != NULL && b->terminate)
    {
        txhost_waiter_dequeue(w);
        txhost_exit_self(b);
    }
    if (b != NULL && b->wait_abort)
    {
        *status = TX_WAIT_ABORTED;
        return 0;
    }
    return 1;
}

void txhost_waiter_end(txhost_waiter *w)
{
    txhost_waiter_dequeue(w);
    if (w->b != NULL)
    {
        w->b->wait_abort = 0;
        txhost_checkpoint(w->b);
    }
}

void txhost_waiters_dismiss(UINT *deleted, const UINT *suspended_count)
{
    *deleted = TX_TRUE;
    txhost_changed();
    while (*suspended_count > 0)
    {
        txhost_wait(NULL);
    }
}

/* Lock held. The first queued waiter on the line of count. */
static txhost_waiter *txhost_first_waiter(const UINT *count)
{
    txhost_waiter *o, *first = NULL;

    for (o = txhost_waiters; o != NULL; o = o->next)
    {
        if (o->obj == count && (first == NULL || o->seq < first->seq))
        {
            first = o;
        }
    }
    return first;
}

TX_THREAD *txhost_first_suspended(const UINT *count)
{
    txhost_waiter *first = txhost_first_waiter(count);

    return first != NULL && first->b != NULL ? first->b->thread : NULL;
}

void txhost_prioritize(const UINT *count)
{
    txhost_waiter *o, *first = txhost_first_waiter(count), *best = NULL;

    for (o = txhost_waiters; o != NULL; o = o->next)
    {
        if (o->obj != count || o->b == NULL || o->b->thread == NULL)
        {
            continue;
        }
        /* The earliest of the most urgent, so FIFO order holds among equals. */
        if (best == NULL || o->b->thread->tx_thread_priority < best->b->thread->tx_thread_priority ||
            (o->b->thread->tx_thread_priority == best->b->thread->tx_thread_priority && o->seq < best->seq))
        {
            best = o;
        }
    }
    if (best != NULL && best != first)
    {
        best->seq = first->seq - 1;
        txhost_changed();
    }
}

/* ---- more thread services ---- */

UINT tx_thread_info_get(TX_THREAD *thread_ptr, CHAR **name, UINT *state, ULONG *run_count,
                        UINT *priority, UINT *preemption_threshold, ULONG *time_slice,
                        TX_THREAD **next_thread, TX_THREAD **next_suspended_thread)
{
    txhost_thread *b, *n;

    txhost_enter();
    b = txhost_find(thread_ptr);
    if (b == NULL)
    {
        txhost_leave();
        return TX_THREAD_ERROR;
    }
    if (name != NULL)
    {
        *name = thread_ptr->tx_thread_name;
    }
    if (state != NULL)
    {
        *state = b->state;
    }
    if (run_count != NULL)
    {
        *run_count = thread_ptr->tx_thread_run_count;
    }
    if (priority != NULL)
    {
        *priority = thread_ptr->tx_thread_priority;
    }
    if (preemption_threshold != NULL)
    {
        *preemption_threshold = thread_ptr->tx_thread_preempt_threshold;
    }
    if (time_slice != NULL)
    {
        *time_slice = thread_ptr->tx_thread_time_slice;
    }
    if (next_thread != NULL)
    {
        /* The thread created after this one, or the first created if it
         * is the last (ThreadX's circular created list). Ours holds the
         * newest first, with deleted threads' blocks still on it. */
        txhost_thread *after = NULL;

        *next_thread = thread_ptr;
        for (n = txhost_threads; n != NULL && n != b; n = n->next)
        {
            if (n->thread != NULL)
            {
                after = n;
            }
        }
        if (after != NULL)
        {
            *next_thread = after->thread;
        }
        else
        {
            for (n = b->next; n != NULL; n = n->next)
            {
                if (n->thread != NULL)
                {
                    *next_thread = n->thread;
                }
            }
        }
    }
    if (next_suspended_thread != NULL)
    {
        *next_suspended_thread = NULL;
    }
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_thread_priority_change(TX_THREAD *thread_ptr, UINT new_priority, UINT *old_priority)
{
    txhost_enter();
    if (txhost_find(thread_ptr) == NULL)
    {
        txhost_leave();
        return TX_THREAD_ERROR;
    }
    if (old_priority == NULL)
    {
        txhost_leave();
        return TX_PTR_ERROR;
    }
    if (new_priority >= (UINT)TX_MAX_PRIORITIES)
    {
        txhost_leave();
        return TX_PRIORITY_ERROR;
    }
    if (txhost_in_init)
    {
        txhost_leave();
        return TX_CALLER_ERROR;
    }
    *old_priority = thread_ptr->tx_thread_user_priority;
    thread_ptr->tx_thread_priority = new_priority;
    thread_ptr->tx_thread_user_priority = new_priority;
    thread_ptr->tx_thread_preempt_threshold = new_priority;
    thread_ptr->tx_thread_user_preempt_threshold = new_priority;
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_thread_preemption_change(TX_THREAD *thread_ptr, UINT new_threshold, UINT *old_threshold)
{
    txhost_enter();
    if (txhost_find(thread_ptr) == NULL)
    {
        txhost_leave();
        return TX_THREAD_ERROR;
    }
    if (old_threshold == NULL)
    {
        txhost_leave();
        return TX_PTR_ERROR;
    }
    if (new_threshold >= (UINT)TX_MAX_PRIORITIES || new_threshold > thread_ptr->tx_thread_user_priority)
    {
        txhost_leave();
        return TX_THRESH_ERROR;
    }
    if (txhost_in_init)
    {
        txhost_leave();
        return TX_CALLER_ERROR;
    }
    *old_threshold = thread_ptr->tx_thread_user_preempt_threshold;
    thread_ptr->tx_thread_preempt_threshold = new_threshold;
    thread_ptr->tx_thread_user_preempt_threshold = new_threshold;
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_thread_time_slice_change(TX_THREAD *thread_ptr, ULONG new_time_slice, ULONG *old_time_slice)
{
    txhost_enter();
    if (txhost_find(thread_ptr) == NULL)
    {
        txhost_leave();
        return TX_THREAD_ERROR;
    }
    if (old_time_slice == NULL)
    {
        txhost_leave();
        return TX_PTR_ERROR;
    }
    if (txhost_in_init)
    {
        txhost_leave();
        return TX_CALLER_ERROR;
    }
    *old_time_slice = thread_ptr->tx_thread_time_slice;
    thread_ptr->tx_thread_time_slice = new_time_slice;
    thread_ptr->tx_thread_new_time_slice = new_time_slice;
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_thread_reset(TX_THREAD *thread_ptr)
{
    txhost_thread *b, *nb;

    txhost_enter();
    b = txhost_find(thread_ptr);
    if (b == NULL)
    {
        txhost_leave();
        return TX_THREAD_ERROR;
    }
    if (txhost_nonthread())
    {
        txhost_leave();
        return TX_CALLER_ERROR;
    }
    if (b->state != TX_COMPLETED && b->state != TX_TERMINATED)
    {
        txhost_leave();
        return TX_NOT_DONE;
    }
    /* A fresh host side: the old host thread, if a terminated one has not
     * reached its stopping point yet, ends on its own and frees its block. */
    nb = (txhost_thread *)calloc(1, sizeof(*nb));
    if (nb == NULL)
    {
        txhost_leave();
        return TX_NO_MEMORY;
    }
    nb->thread = thread_ptr;
    nb->entry = b->entry;
    nb->input = b->input;
    nb->running = 1;
    if (txhost_spawn(nb, thread_ptr->tx_thread_stack_size) != 0)
    {
        free(nb);
        txhost_leave();
        return TX_NO_MEMORY;
    }
    b->thread = NULL;
    if (!b->running)
    {
        txhost_unlink(b);
        free(b);
    }
    thread_ptr->tx_thread_host = nb;
    thread_ptr->tx_thread_priority = thread_ptr->tx_thread_user_priority;
    nb->next = txhost_threads;
    txhost_threads = nb;
    txhost_set_state(nb, TX_SUSPENDED);
    txhost_set_delayed(nb, TX_FALSE);
    txhost_changed();
    txhost_leave();
    return TX_SUCCESS;
}

/* ---- interrupts ---- */

/* Interrupts do not exist on a host; what an application wants from
 * disabling them is that no other thread runs its own critical section
 * meanwhile. A disabled posture therefore holds one process-wide lock,
 * taken and given back as the calling thread's posture changes. */
static pthread_mutex_t txhost_interrupt_lock = PTHREAD_MUTEX_INITIALIZER;

UINT tx_interrupt_control(UINT new_posture)
{
    UINT old = txhost_posture;

    if (new_posture == TX_INT_DISABLE && old != TX_INT_DISABLE)
    {
        pthread_mutex_lock(&txhost_interrupt_lock);
        txhost_posture = TX_INT_DISABLE;
    }
    else if (new_posture == TX_INT_ENABLE && old == TX_INT_DISABLE)
    {
        txhost_posture = TX_INT_ENABLE;
        pthread_mutex_unlock(&txhost_interrupt_lock);
    }
    return old;
}
