/*
 * tx_queue.c - ThreadX message queues on a POSIX host: messages of 1 to 16
 * 32-bit words (ULONGs) in a ring over the caller's memory, copied in and
 * out, senders and receivers served in the order they queued.
 *
 * Locking, waits and argument checks as in tx_host.c.
 */

/* For clock_gettime under -std=c99. */
#define _POSIX_C_SOURCE 200809L

#include <string.h>

#include "tx_host_internal.h"

static TX_QUEUE *txhost_queues;

static int txhost_queue_registered(const TX_QUEUE *q)
{
    const TX_QUEUE *p;

    for (p = txhost_queues; p != NULL; p = p->tx_queue_created_next)
    {
        if (p == q)
        {
            return p->tx_queue_id == TX_QUEUE_ID;
        }
    }
    return 0;
}

UINT tx_queue_create(TX_QUEUE *queue_ptr, CHAR *name_ptr, UINT message_size, VOID *queue_start, ULONG queue_size)
{
    ULONG capacity;

    if (queue_ptr == NULL)
    {
        return TX_QUEUE_ERROR;
    }
    txhost_enter();
    if (txhost_queue_registered(queue_ptr))
    {
        txhost_leave();
        return TX_QUEUE_ERROR;
    }
    if (queue_start == NULL)
    {
        txhost_leave();
        return TX_PTR_ERROR;
    }
    if (message_size < TX_1_ULONG || message_size > TX_16_ULONG)
    {
        txhost_leave();
        return TX_SIZE_ERROR;
    }
    capacity = queue_size / ((ULONG)message_size * (ULONG)sizeof(ULONG));
    if (capacity == 0)
    {
        txhost_leave();
        return TX_SIZE_ERROR;
    }
    if (txhost_in_timer)
    {
        txhost_leave();
        return TX_CALLER_ERROR;
    }
    memset(queue_ptr, 0, sizeof(*queue_ptr));
    queue_ptr->tx_queue_name = name_ptr;
    queue_ptr->tx_queue_message_size = message_size;
    queue_ptr->tx_queue_capacity = (UINT)capacity;
    queue_ptr->tx_queue_available_storage = (UINT)capacity;
    queue_ptr->tx_queue_start = (ULONG *)queue_start;
    queue_ptr->tx_queue_end = queue_ptr->tx_queue_start + capacity * message_size;
    queue_ptr->tx_queue_read = queue_ptr->tx_queue_start;
    queue_ptr->tx_queue_write = queue_ptr->tx_queue_start;
    queue_ptr->tx_queue_id = TX_QUEUE_ID;
    queue_ptr->tx_queue_created_next = txhost_queues;
    txhost_queues = queue_ptr;
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_queue_delete(TX_QUEUE *queue_ptr)
{
    TX_QUEUE **link;

    txhost_enter();
    if (queue_ptr == NULL || !txhost_queue_registered(queue_ptr))
    {
        txhost_leave();
        return TX_QUEUE_ERROR;
    }
    if (txhost_nonthread())
    {
        txhost_leave();
        return TX_CALLER_ERROR;
    }
    for (link = &txhost_queues; *link != queue_ptr; link = &(*link)->tx_queue_created_next)
    {
    }
    *link = queue_ptr->tx_queue_created_next;
    queue_ptr->tx_queue_created_next = NULL;
    queue_ptr->tx_queue_id = TX_CLEAR_ID;
    txhost_waiters_dismiss(&queue_ptr->tx_queue_host_deleted, &queue_ptr->tx_queue_suspended_count);
    txhost_waiters_dismiss(&queue_ptr->tx_queue_host_deleted, &queue_ptr->tx_queue_host_senders);
    txhost_leave();
    return TX_SUCCESS;
}

/* Lock held, room checked. Copies a message in at the back or the front. */
static void txhost_queue_put(TX_QUEUE *q, const VOID *source, int front)
{
    UINT n = q->tx_queue_message_size;

    if (front)
    {
        if (q->tx_queue_read == q->tx_queue_start)
        {
            q->tx_queue_read = q->tx_queue_end;
        }
        q->tx_queue_read -= n;
        memcpy(q->tx_queue_read, source, n * sizeof(ULONG));
    }
    else
    {
        memcpy(q->tx_queue_write, source, n * sizeof(ULONG));
        q->tx_queue_write += n;
        if (q->tx_queue_write == q->tx_queue_end)
        {
            q->tx_queue_write = q->tx_queue_start;
        }
    }
    q->tx_queue_enqueued++;
    q->tx_queue_available_storage--;
}

static UINT txhost_queue_send(TX_QUEUE *queue_ptr, VOID *source_ptr, ULONG wait_option, int front)
{
    txhost_waiter w;
    UINT          status;
    ULONG         flushes;
    VOID        (*notify)(TX_QUEUE *) = NULL;

    txhost_enter();
    if (queue_ptr == NULL || !txhost_queue_registered(queue_ptr))
    {
        txhost_leave();
        return TX_QUEUE_ERROR;
    }
    if (source_ptr == NULL)
    {
        txhost_leave();
        return TX_PTR_ERROR;
    }
    if (wait_option != TX_NO_WAIT && txhost_nonthread())
    {
        txhost_leave();
        return TX_WAIT_ERROR;
    }
    txhost_waiter_start(&w, wait_option, &queue_ptr->tx_queue_host_senders);
    flushes = queue_ptr->tx_queue_host_flushes;
    for (;;)
    {
        /* A flush while this sender waited discarded its message: ThreadX
         * resumes it with success. */
        if (queue_ptr->tx_queue_host_flushes != flushes)
        {
            status = TX_SUCCESS;
            break;
        }
        if (queue_ptr->tx_queue_available_storage > 0 && txhost_waiter_turn(&w))
        {
            txhost_queue_put(queue_ptr, source_ptr, front);
            notify = queue_ptr->tx_queue_send_notify;
            txhost_changed();
            status = TX_SUCCESS;
            break;
        }
        if (!txhost_waiter_suspend(&w, TX_QUEUE_SUSP, &queue_ptr->tx_queue_host_deleted, TX_QUEUE_FULL, &status))
        {
            break;
        }
    }
    txhost_waiter_end(&w);
    txhost_leave();
    if (notify != NULL)
    {
        notify(queue_ptr);
    }
    return status;
}

UINT tx_queue_send(TX_QUEUE *queue_ptr, VOID *source_ptr, ULONG wait_option)
{
    return txhost_queue_send(queue_ptr, source_ptr, wait_option, 0);
}

UINT tx_queue_front_send(TX_QUEUE *queue_ptr, VOID *source_ptr, ULONG wait_option)
{
    return txhost_queue_send(queue_ptr, source_ptr, wait_option, 1);
}

UINT tx_queue_receive(TX_QUEUE *queue_ptr, VOID *destination_ptr, ULONG wait_option)
{
    txhost_waiter w;
    UINT          status;

    txhost_enter();
    if (queue_ptr == NULL || !txhost_queue_registered(queue_ptr))
    {
        txhost_leave();
        return TX_QUEUE_ERROR;
    }
    if (destination_ptr == NULL)
    {
        txhost_leave();
        return TX_PTR_ERROR;
    }
    if (wait_option != TX_NO_WAIT && txhost_nonthread())
    {
        txhost_leave();
        return TX_WAIT_ERROR;
    }
    txhost_waiter_start(&w, wait_option, &queue_ptr->tx_queue_suspended_count);
    for (;;)
    {
        if (queue_ptr->tx_queue_enqueued > 0 && txhost_waiter_turn(&w))
        {
            UINT n = queue_ptr->tx_queue_message_size;

            memcpy(destination_ptr, queue_ptr->tx_queue_read, n * sizeof(ULONG));
            queue_ptr->tx_queue_read += n;
            if (queue_ptr->tx_queue_read == queue_ptr->tx_queue_end)
            {
                queue_ptr->tx_queue_read = queue_ptr->tx_queue_start;
            }
            queue_ptr->tx_queue_enqueued--;
            queue_ptr->tx_queue_available_storage++;
            txhost_changed();
            status = TX_SUCCESS;
            break;
        }
        if (!txhost_waiter_suspend(&w, TX_QUEUE_SUSP, &queue_ptr->tx_queue_host_deleted, TX_QUEUE_EMPTY, &status))
        {
            break;
        }
    }
    txhost_waiter_end(&w);
    txhost_leave();
    return status;
}

UINT tx_queue_flush(TX_QUEUE *queue_ptr)
{
    txhost_enter();
    if (queue_ptr == NULL || !txhost_queue_registered(queue_ptr))
    {
        txhost_leave();
        return TX_QUEUE_ERROR;
    }
    if (queue_ptr->tx_queue_enqueued > 0)
    {
        queue_ptr->tx_queue_enqueued = 0;
        queue_ptr->tx_queue_available_storage = queue_ptr->tx_queue_capacity;
        queue_ptr->tx_queue_read = queue_ptr->tx_queue_start;
        queue_ptr->tx_queue_write = queue_ptr->tx_queue_start;
        /* Senders waiting for room were waiting on a full queue. */
        if (queue_ptr->tx_queue_host_senders > 0)
        {
            queue_ptr->tx_queue_host_flushes++;
        }
        txhost_changed();
    }
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_queue_info_get(TX_QUEUE *queue_ptr, CHAR **name, ULONG *enqueued, ULONG *available_storage,
                       TX_THREAD **first_suspended, ULONG *suspended_count, TX_QUEUE **next_queue)
{
    txhost_enter();
    if (queue_ptr == NULL || !txhost_queue_registered(queue_ptr))
    {
        txhost_leave();
        return TX_QUEUE_ERROR;
    }
    if (name != NULL)
    {
        *name = queue_ptr->tx_queue_name;
    }
    if (enqueued != NULL)
    {
        *enqueued = queue_ptr->tx_queue_enqueued;
    }
    if (available_storage != NULL)
    {
        *available_storage = queue_ptr->tx_queue_available_storage;
    }
    if (first_suspended != NULL)
    {
        /* Receivers wait on an empty queue, senders on a full one: one
         * line at most has waiters, as in ThreadX's single list. */
        *first_suspended = queue_ptr->tx_queue_suspended_count > 0
                               ? txhost_first_suspended(&queue_ptr->tx_queue_suspended_count)
                               : txhost_first_suspended(&queue_ptr->tx_queue_host_senders);
    }
    if (suspended_count != NULL)
    {
        *suspended_count = (ULONG)queue_ptr->tx_queue_suspended_count + queue_ptr->tx_queue_host_senders;
    }
    if (next_queue != NULL)
    {
        TXHOST_NEXT_CREATED(TX_QUEUE, txhost_queues, queue_ptr, tx_queue_created_next, next_queue);
    }
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_queue_prioritize(TX_QUEUE *queue_ptr)
{
    txhost_enter();
    if (queue_ptr == NULL || !txhost_queue_registered(queue_ptr))
    {
        txhost_leave();
        return TX_QUEUE_ERROR;
    }
    txhost_prioritize(&queue_ptr->tx_queue_suspended_count);
    txhost_prioritize(&queue_ptr->tx_queue_host_senders);
    txhost_leave();
    return TX_SUCCESS;
}

UINT tx_queue_send_notify(TX_QUEUE *queue_ptr, VOID (*queue_send_notify)(TX_QUEUE *notify_queue_ptr))
{
    txhost_enter();
    if (queue_ptr == NULL || !txhost_queue_registered(queue_ptr))
    {
        txhost_leave();
        return TX_QUEUE_ERROR;
    }
    queue_ptr->tx_queue_send_notify = queue_send_notify;
    txhost_leave();
    return TX_SUCCESS;
}
