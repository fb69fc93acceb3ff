/*
 * tx_sync.c - ThreadX synchronisation on a POSIX host: mutexes (recursive,
 * owned by a thread; priority inheritance accepted and recorded, the host
 * schedules), counting semaphores and event flags groups.
 *
 * Locking, waits and argument checks as in tx_host.c.
 */

/* For clock_gettime under -std=c99. */
#define _POSIX_C_SOURCE 200809L

#include <string.h>

#include "tx_host_internal.h"

static TX_MUTEX             *txhost_mutexes;
static TX_SEMAPHORE         *txhost_semaphores;
static TX_EVENT_FLAGS_GROUP *txhost_event_groups;

void txhost_mutexes_release_owned(txhost_thread *b)
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
    if (wait_option != TX_NO_WAIT && txhost_nonthread())
    {
        txhost_leave();
        return TX_WAIT_ERROR;
    }
    txhost_waiter_start(&w, wait_option, &mutex_ptr->tx_mutex_suspended_count);
    for (;;)
    {
        if (mutex_ptr->tx_mutex_ownership_count == 0 && txhost_waiter_turn(&w))
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
        if (!txhost_waiter_suspend(&w, TX_MUTEX_SUSP, &mutex_ptr->tx_mutex_host_deleted, TX_NOT_AVAILABLE, &status))
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
    if (txhost_nonthread())
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

UINT tx_mutex_info_get(TX_MUTEX *mutex_ptr, CHAR **name, ULONG *count, TX_THREAD **owner,
                       TX_THREAD **first_suspended, ULONG *suspended_count, TX_MUTEX **next_mutex)
{
    txhost_enter();
    if (mutex_ptr == NULL || !txhost_mutex_registered(mutex_ptr))
    {
        txhost_leave();
        return TX_MUTEX_ERROR;
    }
    if (name != NULL)
    {
        *name = mutex_ptr->tx_mutex_name;
    }
    if (count != NULL)
    {
        *count = mutex_ptr->tx_mutex_ownership_count;
    }
    if (owner != NULL)
    {
        *owner = mutex_ptr->tx_mutex_owner;
    }
    if (first_suspended != NULL)
    {
        *first_suspended = txhost_first_suspended(&mutex_ptr->tx_mutex_suspended_count);
    }
    if (suspended_count != NULL)
    {
        *suspended_count = mutex_ptr->tx_mutex_suspended_count;
    }
    if (next_mutex != NULL)
    {
        TXHOST_NEXT_CREATED(TX_MUTEX, txhost_mutexes, mutex_ptr, tx_mutex_created_next, next_mutex);
    }
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_mutex_prioritize(TX_MUTEX *mutex_ptr)
{
    txhost_enter();
    if (mutex_ptr == NULL || !txhost_mutex_registered(mutex_ptr))
    {
        txhost_leave();
        return TX_MUTEX_ERROR;
    }
    txhost_prioritize(&mutex_ptr->tx_mutex_suspended_count);
    txhost_leave();
    return TX_SUCCESS;
}

/* ---- counting semaphores ---- */

static int txhost_semaphore_registered(const TX_SEMAPHORE *s)
{
    const TX_SEMAPHORE *p;

    for (p = txhost_semaphores; p != NULL; p = p->tx_semaphore_created_next)
    {
        if (p == s)
        {
            return p->tx_semaphore_id == TX_SEMAPHORE_ID;
        }
    }
    return 0;
}

UINT tx_semaphore_create(TX_SEMAPHORE *semaphore_ptr, CHAR *name_ptr, ULONG initial_count)
{
    if (semaphore_ptr == NULL)
    {
        return TX_SEMAPHORE_ERROR;
    }
    txhost_enter();
    if (txhost_semaphore_registered(semaphore_ptr))
    {
        txhost_leave();
        return TX_SEMAPHORE_ERROR;
    }
    if (txhost_in_timer)
    {
        txhost_leave();
        return TX_CALLER_ERROR;
    }
    memset(semaphore_ptr, 0, sizeof(*semaphore_ptr));
    semaphore_ptr->tx_semaphore_name = name_ptr;
    semaphore_ptr->tx_semaphore_count = initial_count;
    semaphore_ptr->tx_semaphore_id = TX_SEMAPHORE_ID;
    semaphore_ptr->tx_semaphore_created_next = txhost_semaphores;
    txhost_semaphores = semaphore_ptr;
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_semaphore_delete(TX_SEMAPHORE *semaphore_ptr)
{
    TX_SEMAPHORE **link;

    txhost_enter();
    if (semaphore_ptr == NULL || !txhost_semaphore_registered(semaphore_ptr))
    {
        txhost_leave();
        return TX_SEMAPHORE_ERROR;
    }
    if (txhost_nonthread())
    {
        txhost_leave();
        return TX_CALLER_ERROR;
    }
    for (link = &txhost_semaphores; *link != semaphore_ptr; link = &(*link)->tx_semaphore_created_next)
    {
    }
    *link = semaphore_ptr->tx_semaphore_created_next;
    semaphore_ptr->tx_semaphore_created_next = NULL;
    semaphore_ptr->tx_semaphore_id = TX_CLEAR_ID;
    txhost_waiters_dismiss(&semaphore_ptr->tx_semaphore_host_deleted, &semaphore_ptr->tx_semaphore_suspended_count);
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_semaphore_get(TX_SEMAPHORE *semaphore_ptr, ULONG wait_option)
{
    txhost_waiter w;
    UINT          status;

    txhost_enter();
    if (semaphore_ptr == NULL || !txhost_semaphore_registered(semaphore_ptr))
    {
        txhost_leave();
        return TX_SEMAPHORE_ERROR;
    }
    if (wait_option != TX_NO_WAIT && txhost_nonthread())
    {
        txhost_leave();
        return TX_WAIT_ERROR;
    }
    txhost_waiter_start(&w, wait_option, &semaphore_ptr->tx_semaphore_suspended_count);
    for (;;)
    {
        if (semaphore_ptr->tx_semaphore_count > 0 && txhost_waiter_turn(&w))
        {
            semaphore_ptr->tx_semaphore_count--;
            status = TX_SUCCESS;
            break;
        }
        if (!txhost_waiter_suspend(&w, TX_SEMAPHORE_SUSP, &semaphore_ptr->tx_semaphore_host_deleted, TX_NO_INSTANCE,
                                   &status))
        {
            break;
        }
    }
    txhost_waiter_end(&w);
    txhost_leave();
    return status;
}

/* The put of tx_semaphore_put and tx_semaphore_ceiling_put; ceiling 0: none. */
static UINT txhost_semaphore_put(TX_SEMAPHORE *semaphore_ptr, ULONG ceiling)
{
    VOID (*notify)(TX_SEMAPHORE *);

    txhost_enter();
    if (semaphore_ptr == NULL || !txhost_semaphore_registered(semaphore_ptr))
    {
        txhost_leave();
        return TX_SEMAPHORE_ERROR;
    }
    if (ceiling != 0 && semaphore_ptr->tx_semaphore_count >= ceiling)
    {
        txhost_leave();
        return TX_CEILING_EXCEEDED;
    }
    /* ThreadX's count is a 32-bit ULONG: it wraps at 2^32 there. */
    semaphore_ptr->tx_semaphore_count = (semaphore_ptr->tx_semaphore_count + 1) & 0xFFFFFFFFUL;
    notify = semaphore_ptr->tx_semaphore_put_notify;
    txhost_changed();
    txhost_leave();
    if (notify != NULL)
    {
        notify(semaphore_ptr);
    }
    return TX_SUCCESS;
}

UINT tx_semaphore_put(TX_SEMAPHORE *semaphore_ptr)
{
    return txhost_semaphore_put(semaphore_ptr, 0);
}

UINT tx_semaphore_ceiling_put(TX_SEMAPHORE *semaphore_ptr, ULONG ceiling)
{
    if (ceiling == 0)
    {
        UINT status;

        txhost_enter();
        status = semaphore_ptr == NULL || !txhost_semaphore_registered(semaphore_ptr) ? TX_SEMAPHORE_ERROR
                                                                                       : TX_INVALID_CEILING;
        txhost_leave();
        return status;
    }
    return txhost_semaphore_put(semaphore_ptr, ceiling);
}

UINT tx_semaphore_info_get(TX_SEMAPHORE *semaphore_ptr, CHAR **name, ULONG *current_value,
                           TX_THREAD **first_suspended, ULONG *suspended_count, TX_SEMAPHORE **next_semaphore)
{
    txhost_enter();
    if (semaphore_ptr == NULL || !txhost_semaphore_registered(semaphore_ptr))
    {
        txhost_leave();
        return TX_SEMAPHORE_ERROR;
    }
    if (name != NULL)
    {
        *name = semaphore_ptr->tx_semaphore_name;
    }
    if (current_value != NULL)
    {
        *current_value = semaphore_ptr->tx_semaphore_count;
    }
    if (first_suspended != NULL)
    {
        *first_suspended = txhost_first_suspended(&semaphore_ptr->tx_semaphore_suspended_count);
    }
    if (suspended_count != NULL)
    {
        *suspended_count = semaphore_ptr->tx_semaphore_suspended_count;
    }
    if (next_semaphore != NULL)
    {
        TXHOST_NEXT_CREATED(TX_SEMAPHORE, txhost_semaphores, semaphore_ptr, tx_semaphore_created_next, next_semaphore);
    }
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_semaphore_prioritize(TX_SEMAPHORE *semaphore_ptr)
{
    txhost_enter();
    if (semaphore_ptr == NULL || !txhost_semaphore_registered(semaphore_ptr))
    {
        txhost_leave();
        return TX_SEMAPHORE_ERROR;
    }
    txhost_prioritize(&semaphore_ptr->tx_semaphore_suspended_count);
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_semaphore_put_notify(TX_SEMAPHORE *semaphore_ptr, VOID (*semaphore_put_notify)(TX_SEMAPHORE *notify_semaphore_ptr))
{
    txhost_enter();
    if (semaphore_ptr == NULL || !txhost_semaphore_registered(semaphore_ptr))
    {
        txhost_leave();
        return TX_SEMAPHORE_ERROR;
    }
    semaphore_ptr->tx_semaphore_put_notify = semaphore_put_notify;
    txhost_leave();
    return TX_SUCCESS;
}

/* ---- event flags ---- */

static int txhost_event_group_registered(const TX_EVENT_FLAGS_GROUP *g)
{
    const TX_EVENT_FLAGS_GROUP *p;

    for (p = txhost_event_groups; p != NULL; p = p->tx_event_flags_group_created_next)
    {
        if (p == g)
        {
            return p->tx_event_flags_group_id == TX_EVENT_FLAGS_ID;
        }
    }
    return 0;
}

UINT tx_event_flags_create(TX_EVENT_FLAGS_GROUP *group_ptr, CHAR *name_ptr)
{
    if (group_ptr == NULL)
    {
        return TX_GROUP_ERROR;
    }
    txhost_enter();
    if (txhost_event_group_registered(group_ptr))
    {
        txhost_leave();
        return TX_GROUP_ERROR;
    }
    if (txhost_in_timer)
    {
        txhost_leave();
        return TX_CALLER_ERROR;
    }
    memset(group_ptr, 0, sizeof(*group_ptr));
    group_ptr->tx_event_flags_group_name = name_ptr;
    group_ptr->tx_event_flags_group_id = TX_EVENT_FLAGS_ID;
    group_ptr->tx_event_flags_group_created_next = txhost_event_groups;
    txhost_event_groups = group_ptr;
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_event_flags_delete(TX_EVENT_FLAGS_GROUP *group_ptr)
{
    TX_EVENT_FLAGS_GROUP **link;

    txhost_enter();
    if (group_ptr == NULL || !txhost_event_group_registered(group_ptr))
    {
        txhost_leave();
        return TX_GROUP_ERROR;
    }
    if (txhost_nonthread())
    {
        txhost_leave();
        return TX_CALLER_ERROR;
    }
    for (link = &txhost_event_groups; *link != group_ptr; link = &(*link)->tx_event_flags_group_created_next)
    {
    }
    *link = group_ptr->tx_event_flags_group_created_next;
    group_ptr->tx_event_flags_group_created_next = NULL;
    group_ptr->tx_event_flags_group_id = TX_CLEAR_ID;
    txhost_waiters_dismiss(&group_ptr->tx_event_flags_group_host_deleted,
                           &group_ptr->tx_event_flags_group_suspended_count);
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_event_flags_get(TX_EVENT_FLAGS_GROUP *group_ptr, ULONG requested_flags, UINT get_option,
                        ULONG *actual_flags_ptr, ULONG wait_option)
{
    txhost_waiter w;
    UINT          status;

    txhost_enter();
    if (group_ptr == NULL || !txhost_event_group_registered(group_ptr))
    {
        txhost_leave();
        return TX_GROUP_ERROR;
    }
    if (actual_flags_ptr == NULL)
    {
        txhost_leave();
        return TX_PTR_ERROR;
    }
    if (wait_option != TX_NO_WAIT && txhost_nonthread())
    {
        txhost_leave();
        return TX_WAIT_ERROR;
    }
    if (get_option != TX_AND && get_option != TX_AND_CLEAR && get_option != TX_OR && get_option != TX_OR_CLEAR)
    {
        txhost_leave();
        return TX_OPTION_ERROR;
    }
    txhost_waiter_start(&w, wait_option, &group_ptr->tx_event_flags_group_suspended_count);
    for (;;)
    {
        ULONG current = group_ptr->tx_event_flags_group_current;
        int   met = (get_option & TX_AND) ? (current & requested_flags) == requested_flags
                                          : (current & requested_flags) != 0;

        if (met)
        {
            *actual_flags_ptr = current;
            if (get_option & TX_OR_CLEAR)
            {
                group_ptr->tx_event_flags_group_current = current & ~requested_flags;
            }
            status = TX_SUCCESS;
            break;
        }
        if (!txhost_waiter_suspend(&w, TX_EVENT_FLAG, &group_ptr->tx_event_flags_group_host_deleted, TX_NO_EVENTS,
                                   &status))
        {
            break;
        }
    }
    txhost_waiter_end(&w);
    txhost_leave();
    return status;
}

UINT tx_event_flags_set(TX_EVENT_FLAGS_GROUP *group_ptr, ULONG flags_to_set, UINT set_option)
{
    VOID (*notify)(TX_EVENT_FLAGS_GROUP *) = NULL;

    txhost_enter();
    if (group_ptr == NULL || !txhost_event_group_registered(group_ptr))
    {
        txhost_leave();
        return TX_GROUP_ERROR;
    }
    if (set_option != TX_AND && set_option != TX_OR)
    {
        txhost_leave();
        return TX_OPTION_ERROR;
    }
    if (set_option == TX_AND)
    {
        group_ptr->tx_event_flags_group_current &= flags_to_set;
    }
    else
    {
        group_ptr->tx_event_flags_group_current |= flags_to_set & 0xFFFFFFFFUL;
        notify = group_ptr->tx_event_flags_group_set_notify;
        txhost_changed();
    }
    txhost_leave();
    if (notify != NULL)
    {
        notify(group_ptr);
    }
    return TX_SUCCESS;
}

UINT tx_event_flags_info_get(TX_EVENT_FLAGS_GROUP *group_ptr, CHAR **name, ULONG *current_flags,
                             TX_THREAD **first_suspended, ULONG *suspended_count,
                             TX_EVENT_FLAGS_GROUP **next_group)
{
    txhost_enter();
    if (group_ptr == NULL || !txhost_event_group_registered(group_ptr))
    {
        txhost_leave();
        return TX_GROUP_ERROR;
    }
    if (name != NULL)
    {
        *name = group_ptr->tx_event_flags_group_name;
    }
    if (current_flags != NULL)
    {
        *current_flags = group_ptr->tx_event_flags_group_current;
    }
    if (first_suspended != NULL)
    {
        *first_suspended = txhost_first_suspended(&group_ptr->tx_event_flags_group_suspended_count);
    }
    if (suspended_count != NULL)
    {
        *suspended_count = group_ptr->tx_event_flags_group_suspended_count;
    }
    if (next_group != NULL)
    {
        TXHOST_NEXT_CREATED(TX_EVENT_FLAGS_GROUP, txhost_event_groups, group_ptr, tx_event_flags_group_created_next, next_group);
    }
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_event_flags_set_notify(TX_EVENT_FLAGS_GROUP *group_ptr,
                               VOID (*events_set_notify)(TX_EVENT_FLAGS_GROUP *notify_group_ptr))
{
    txhost_enter();
    if (group_ptr == NULL || !txhost_event_group_registered(group_ptr))
    {
        txhost_leave();
        return TX_GROUP_ERROR;
    }
    group_ptr->tx_event_flags_group_set_notify = events_set_notify;
    txhost_leave();
    return TX_SUCCESS;
}
