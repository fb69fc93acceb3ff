/*
 * tx_host_internal.h - what the files of the host ThreadX shim share: the
 * one lock and condition variable, a thread's host side, and the wait every
 * blocking service makes. Not part of the public API.
 *
 * Every service takes the lock (txhost_enter/txhost_leave), checks its
 * arguments as ThreadX's error-checking layer does, and broadcasts
 * (txhost_changed) after any change another thread may wait for.
 */
#ifndef TX_HOST_INTERNAL_H
#define TX_HOST_INTERNAL_H

#include <time.h>

#include "../include/tx_api.h"

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

/* The wait of a blocking call: the calling thread, its wait option and
 * deadline, what its last txhost_wait returned, and its place in the line
 * of the object it waits for. Waiters are served in the order they queued
 * (ThreadX's FIFO suspension lists); a prioritize moves the most urgent to
 * the front. */
typedef struct txhost_waiter
{
    txhost_thread         *b;           /* txhost_self: NULL on a host thread */
    ULONG                  wait_option;
    struct timespec        deadline;    /* set unless TX_NO_WAIT or TX_WAIT_FOREVER */
    int                    waited;
    const void            *obj;         /* the line: the object's suspended count */
    UINT                  *count;       /* that count, kept while queued */
    long long              seq;         /* place in the line */
    int                    queued;
    struct txhost_waiter  *next;
} txhost_waiter;

/* The calling thread's block, if it is a ThreadX thread. */
extern __thread txhost_thread *txhost_self;
/* The calling thread runs tx_application_define. */
extern __thread int            txhost_in_init;
/* The calling thread is the timer thread, running an expiration function. */
extern __thread int            txhost_in_timer;

void  txhost_enter(void);
void  txhost_leave(void);
void  txhost_changed(void);
/* Lock held. Waits for a change; ETIMEDOUT once the deadline has passed
 * (deadline NULL: no deadline). */
int   txhost_wait(const struct timespec *deadline);
void  txhost_deadline(ULONG ticks, struct timespec *ts);
/* Ticks since the clock started, never wrapping: timers count on it. */
unsigned long long txhost_ticks_now(void);
/* The identity a mutex records as its owner. */
void *txhost_token(void);
/* Lock held: a ThreadX thread that is created and not deleted, else NULL. */
txhost_thread *txhost_find(const TX_THREAD *thread_ptr);
/* A caller that is not a thread (initialization, timer) may not wait. */
int   txhost_nonthread(void);

/* Lock held, arguments validated. Stops where a suspended or terminated
 * caller stops, then starts the clock of the wait on the line of count. */
void  txhost_waiter_start(txhost_waiter *w, ULONG wait_option, UINT *count);
/* Lock held. 1 if no waiter queued on w's line is ahead of w: only then
 * may w take what it waits for. */
int   txhost_waiter_turn(const txhost_waiter *w);
/* Lock held. What the caller waits for is not there: returns 0 with
 * *status set to unavailable when the call does not wait or its time is
 * up. Else it queues (once), waits for one change, the caller's thread in
 * state, then returns 0 with *status set if the object was deleted
 * (TX_DELETED) or the wait aborted (TX_WAIT_ABORTED), or 1 for the caller
 * to look again. A caller terminated meanwhile ends here. */
int   txhost_waiter_suspend(txhost_waiter *w, UINT state, const UINT *deleted, UINT unavailable, UINT *status);
/* Lock held. The call is over: leaves the line; the caller stops if it was
 * suspended or terminated meanwhile. */
void  txhost_waiter_end(txhost_waiter *w);
/* Lock held. An object is being deleted: its waiters return TX_DELETED.
 * The caller may reuse the memory once the delete returns, so this waits
 * until the last one has left. */
void  txhost_waiters_dismiss(UINT *deleted, const UINT *suspended_count);
/* Lock held. The thread first in the line of count (NULL if none, or if it
 * is a host thread). */
TX_THREAD *txhost_first_suspended(const UINT *count);
/* Lock held. Moves the most urgent waiter (lowest priority number) of the
 * line of count to its front. */
void  txhost_prioritize(const UINT *count);

/* Lock held. The object created after obj, or the first one created if
 * obj is the last (ThreadX's created lists are circular, in creation
 * order). Our lists hold the newest first. */
#define TXHOST_NEXT_CREATED(type, head, obj, field, out)        \
    do                                                          \
    {                                                           \
        type *txn_ = (head);                                    \
        if (txn_ == (obj))                                      \
        {                                                       \
            while (txn_->field != NULL)                         \
            {                                                   \
                txn_ = txn_->field;                             \
            }                                                   \
        }                                                       \
        else                                                    \
        {                                                       \
            while (txn_->field != (obj))                        \
            {                                                   \
                txn_ = txn_->field;                             \
            }                                                   \
        }                                                       \
        *(out) = txn_;                                          \
    } while (0)

/* Lock held. A thread that ends or is terminated gives up its mutexes
 * (tx_sync.c). */
void  txhost_mutexes_release_owned(txhost_thread *b);

#endif /* TX_HOST_INTERNAL_H */
