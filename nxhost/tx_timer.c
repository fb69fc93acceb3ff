/*
 * tx_timer.c - ThreadX application timers on a POSIX host. One timer thread,
 * started with the first timer, sleeps until the next expiry and runs the
 * expiration functions one at a time, as ThreadX's timer thread does: in
 * expiry order, timers due at the same tick in the order they were
 * activated. Expiry is counted in ticks of the monotonic clock, so
 * tx_time_set does not move timers (it does not in ThreadX either).
 *
 * An expiration function runs without the lock, so it may call any service
 * with TX_NO_WAIT; a wait option is refused with TX_WAIT_ERROR, as from any
 * non-thread. A periodic timer is rescheduled after its function returns.
 */

/* For clock_gettime and pthreads under -std=c99. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "tx_host_internal.h"

static TX_TIMER  *txhost_timers;
static int        txhost_timer_thread_started;
static long long  txhost_timer_order;
/* The timer whose expiration function runs now (NULL between them). */
static TX_TIMER  *txhost_timer_running;
/* That function deactivated its own timer: it is not rescheduled. */
static int        txhost_timer_stopped;

static int txhost_timer_registered(const TX_TIMER *t)
{
    const TX_TIMER *p;

    for (p = txhost_timers; p != NULL; p = p->tx_timer_created_next)
    {
        if (p == t)
        {
            return p->tx_timer_id == TX_TIMER_ID;
        }
    }
    return 0;
}

/* Lock held. Arms t to expire ticks from now. */
static void txhost_timer_arm(TX_TIMER *t, ULONG ticks)
{
    t->tx_timer_host_expiry = txhost_ticks_now() + ticks;
    t->tx_timer_host_order = ++txhost_timer_order;
    t->tx_timer_active = TX_TRUE;
    txhost_changed();
}

/* Lock held. The active timer due first, or NULL. */
static TX_TIMER *txhost_timer_next(void)
{
    TX_TIMER *t, *next = NULL;

    for (t = txhost_timers; t != NULL; t = t->tx_timer_created_next)
    {
        if (!t->tx_timer_active)
        {
            continue;
        }
        if (next == NULL || t->tx_timer_host_expiry < next->tx_timer_host_expiry ||
            (t->tx_timer_host_expiry == next->tx_timer_host_expiry && t->tx_timer_host_order < next->tx_timer_host_order))
        {
            next = t;
        }
    }
    return next;
}

static void *txhost_timer_main(void *arg)
{
    (void)arg;
    txhost_in_timer = 1;
    txhost_enter();
    for (;;)
    {
        TX_TIMER          *t = txhost_timer_next();
        unsigned long long now = txhost_ticks_now();
        VOID             (*fn)(ULONG);
        ULONG              input;

        if (t == NULL)
        {
            txhost_wait(NULL);
            continue;
        }
        if (t->tx_timer_host_expiry > now)
        {
            struct timespec deadline;
            unsigned long long wait = t->tx_timer_host_expiry - now;

            txhost_deadline(wait > 0xFFFFFFFEULL ? 0xFFFFFFFEUL : (ULONG)wait, &deadline);
            txhost_wait(&deadline);
            continue;
        }
        /* Due: inactive while its function runs (tx_timer_info_get from it
         * says so, as in ThreadX), then rescheduled if periodic and not
         * changed meanwhile. */
        t->tx_timer_active = TX_FALSE;
        fn = t->tx_timer_expiration_function;
        input = t->tx_timer_expiration_input;
        txhost_timer_running = t;
        txhost_timer_stopped = 0;
        txhost_leave();
        fn(input);
        txhost_enter();
        txhost_timer_running = NULL;
        if (txhost_timer_registered(t) && !t->tx_timer_active && !txhost_timer_stopped)
        {
            if (t->tx_timer_reschedule_ticks != 0)
            {
                /* From the due time, so a periodic timer does not drift. */
                t->tx_timer_host_expiry += t->tx_timer_reschedule_ticks;
                t->tx_timer_host_order = ++txhost_timer_order;
                t->tx_timer_active = TX_TRUE;
            }
            else
            {
                t->tx_timer_expired = TX_TRUE;
            }
        }
        txhost_changed();
    }
    return NULL;
}

/* Lock held. */
static UINT txhost_timer_thread_start(void)
{
    pthread_attr_t attr;
    pthread_t      tid;
    int            rc;

    if (txhost_timer_thread_started)
    {
        return TX_SUCCESS;
    }
    rc = pthread_attr_init(&attr);
    if (rc == 0)
    {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        rc = pthread_create(&tid, &attr, txhost_timer_main, NULL);
        pthread_attr_destroy(&attr);
    }
    if (rc != 0)
    {
        return TX_NO_MEMORY;
    }
    txhost_timer_thread_started = 1;
    return TX_SUCCESS;
}

UINT tx_timer_create(TX_TIMER *timer_ptr, CHAR *name_ptr, VOID (*expiration_function)(ULONG input),
                     ULONG expiration_input, ULONG initial_ticks, ULONG reschedule_ticks, UINT auto_activate)
{
    UINT status;

    if (timer_ptr == NULL)
    {
        return TX_TIMER_ERROR;
    }
    txhost_enter();
    if (txhost_timer_registered(timer_ptr) || expiration_function == NULL)
    {
        txhost_leave();
        return TX_TIMER_ERROR;
    }
    if (initial_ticks == 0)
    {
        txhost_leave();
        return TX_TICK_ERROR;
    }
    if (auto_activate != TX_AUTO_ACTIVATE && auto_activate != TX_NO_ACTIVATE)
    {
        txhost_leave();
        return TX_ACTIVATE_ERROR;
    }
    if (txhost_in_timer)
    {
        txhost_leave();
        return TX_CALLER_ERROR;
    }
    status = txhost_timer_thread_start();
    if (status != TX_SUCCESS)
    {
        txhost_leave();
        return status;
    }
    memset(timer_ptr, 0, sizeof(*timer_ptr));
    timer_ptr->tx_timer_name = name_ptr;
    timer_ptr->tx_timer_expiration_function = expiration_function;
    timer_ptr->tx_timer_expiration_input = expiration_input;
    timer_ptr->tx_timer_initial_ticks = initial_ticks;
    timer_ptr->tx_timer_reschedule_ticks = reschedule_ticks;
    timer_ptr->tx_timer_id = TX_TIMER_ID;
    timer_ptr->tx_timer_created_next = txhost_timers;
    txhost_timers = timer_ptr;
    if (auto_activate == TX_AUTO_ACTIVATE)
    {
        txhost_timer_arm(timer_ptr, initial_ticks);
    }
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_timer_delete(TX_TIMER *timer_ptr)
{
    TX_TIMER **link;

    txhost_enter();
    if (timer_ptr == NULL || !txhost_timer_registered(timer_ptr))
    {
        txhost_leave();
        return TX_TIMER_ERROR;
    }
    if (txhost_nonthread())
    {
        txhost_leave();
        return TX_CALLER_ERROR;
    }
    for (link = &txhost_timers; *link != timer_ptr; link = &(*link)->tx_timer_created_next)
    {
    }
    *link = timer_ptr->tx_timer_created_next;
    timer_ptr->tx_timer_created_next = NULL;
    timer_ptr->tx_timer_id = TX_CLEAR_ID;
    timer_ptr->tx_timer_active = TX_FALSE;
    txhost_changed();
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_timer_activate(TX_TIMER *timer_ptr)
{
    txhost_enter();
    if (timer_ptr == NULL || !txhost_timer_registered(timer_ptr))
    {
        txhost_leave();
        return TX_TIMER_ERROR;
    }
    if (timer_ptr->tx_timer_active || timer_ptr->tx_timer_expired)
    {
        txhost_leave();
        return TX_ACTIVATE_ERROR;
    }
    txhost_timer_arm(timer_ptr, timer_ptr->tx_timer_initial_ticks);
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_timer_deactivate(TX_TIMER *timer_ptr)
{
    txhost_enter();
    if (timer_ptr == NULL || !txhost_timer_registered(timer_ptr))
    {
        txhost_leave();
        return TX_TIMER_ERROR;
    }
    timer_ptr->tx_timer_active = TX_FALSE;
    /* Deactivated from its own expiration function: not rescheduled. */
    if (timer_ptr == txhost_timer_running)
    {
        txhost_timer_stopped = 1;
    }
    txhost_changed();
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_timer_change(TX_TIMER *timer_ptr, ULONG initial_ticks, ULONG reschedule_ticks)
{
    txhost_enter();
    if (timer_ptr == NULL || !txhost_timer_registered(timer_ptr))
    {
        txhost_leave();
        return TX_TIMER_ERROR;
    }
    if (initial_ticks == 0)
    {
        txhost_leave();
        return TX_TICK_ERROR;
    }
    if (txhost_in_init)
    {
        txhost_leave();
        return TX_CALLER_ERROR;
    }
    /* As in ThreadX, an active timer is left as it is: the service is for
     * deactivated timers. */
    if (!timer_ptr->tx_timer_active)
    {
        timer_ptr->tx_timer_initial_ticks = initial_ticks;
        timer_ptr->tx_timer_reschedule_ticks = reschedule_ticks;
        timer_ptr->tx_timer_expired = TX_FALSE;
    }
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_timer_info_get(TX_TIMER *timer_ptr, CHAR **name, UINT *active, ULONG *remaining_ticks,
                       ULONG *reschedule_ticks, TX_TIMER **next_timer)
{
    unsigned long long now;

    txhost_enter();
    if (timer_ptr == NULL || !txhost_timer_registered(timer_ptr))
    {
        txhost_leave();
        return TX_TIMER_ERROR;
    }
    if (name != NULL)
    {
        *name = timer_ptr->tx_timer_name;
    }
    if (active != NULL)
    {
        *active = timer_ptr->tx_timer_active ? TX_TRUE : TX_FALSE;
    }
    if (remaining_ticks != NULL)
    {
        now = txhost_ticks_now();
        if (!timer_ptr->tx_timer_active)
        {
            *remaining_ticks = 0;
        }
        else
        {
            *remaining_ticks = timer_ptr->tx_timer_host_expiry > now ? (ULONG)(timer_ptr->tx_timer_host_expiry - now) : 0;
        }
    }
    if (reschedule_ticks != NULL)
    {
        *reschedule_ticks = timer_ptr->tx_timer_reschedule_ticks;
    }
    if (next_timer != NULL)
    {
        TXHOST_NEXT_CREATED(TX_TIMER, txhost_timers, timer_ptr, tx_timer_created_next, next_timer);
    }
    txhost_leave();
    return TX_SUCCESS;
}
