/*
 * tx_services_test.c - the ThreadX service groups beyond threads, byte pools
 * and mutexes (tx_host_test.c has those): message queues, counting
 * semaphores, event flags, block pools, application timers, the remaining
 * thread services, interrupt control, and the info and prioritize services.
 * Expectations come from ThreadX's service reference (chapter 4 of the
 * ThreadX user guide): each service's documented return values, wait
 * options and semantics.
 *
 * Prints one line per failure and "N passed, M failed" last.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tx_api.h"
#include "testenv.h"

#include "check.h"

#define STACK 1024

static int  get_flag(int *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static void set_flag(int *p, int v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }
static void add_flag(int *p) { __atomic_add_fetch(p, 1, __ATOMIC_SEQ_CST); }

static void host_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Waits up to 5 s for *p to reach v. */
static int wait_flag(int *p, int v)
{
    int i;
    for (i = 0; i < 500 && get_flag(p) != v; i++)
        host_sleep_ms(10);
    return get_flag(p) == v;
}

/* Waits up to 5 s for the counter *p to reach at least v: a periodic timer
 * may fire again between two looks. */
static int wait_count(int *p, int v)
{
    int i;
    for (i = 0; i < 500 && get_flag(p) < v; i++)
        host_sleep_ms(10);
    return get_flag(p) >= v;
}

static int wait_state(TX_THREAD *t, UINT state)
{
    int i;
    for (i = 0; i < 500 && __atomic_load_n(&t->tx_thread_state, __ATOMIC_SEQ_CST) != state; i++)
        host_sleep_ms(10);
    return __atomic_load_n(&t->tx_thread_state, __ATOMIC_SEQ_CST) == state;
}

static TX_THREAD driver;
static UCHAR     driver_stack[STACK];

/* Helpers: threads that make one blocking call and record its status. */
#define HELPERS 4
static TX_THREAD helper[HELPERS];
static UCHAR     helper_stack[HELPERS][STACK];
static UINT      helper_status[HELPERS];
static int       helper_done[HELPERS];
static ULONG     helper_value[HELPERS];
static int       order[HELPERS];
static int       order_n;

static TX_QUEUE             queue;
static TX_SEMAPHORE         sem;
static TX_EVENT_FLAGS_GROUP group;
static TX_BLOCK_POOL        bpool;
static TX_TIMER             timer_a, timer_b, timer_c;
static ULONG                queue_area[64];
static UCHAR                block_area[1000];

static TX_QUEUE             init_queue;
static TX_SEMAPHORE         init_sem;
static TX_EVENT_FLAGS_GROUP init_group;
static TX_BLOCK_POOL        init_pool;
static TX_TIMER             init_timer;
static ULONG                init_queue_area[8];
static UCHAR                init_pool_area[256];

typedef void (*helper_fn)(int i);
static helper_fn helper_call[HELPERS];

static void helper_entry(ULONG i)
{
    helper_call[i]((int)i);
    set_flag(&helper_done[i], 1);
}

/* Starts helper i at priority prio running fn. */
static void start_helper(int i, helper_fn fn, UINT prio)
{
    if (helper[i].tx_thread_id != 0)
    {
        CHECK(wait_flag(&helper_done[i], 1));
        CHECK(wait_state(&helper[i], TX_COMPLETED));
        CHECK_EQ(tx_thread_delete(&helper[i]), TX_SUCCESS);
    }
    helper_call[i] = fn;
    set_flag(&helper_done[i], 0);
    helper_status[i] = 0xFFFF;
    CHECK_EQ(tx_thread_create(&helper[i], "helper", helper_entry, (ULONG)i, helper_stack[i], STACK, prio, prio,
                              TX_NO_TIME_SLICE, TX_AUTO_START),
             TX_SUCCESS);
}

static void record_order(int i)
{
    set_flag(&order[__atomic_fetch_add(&order_n, 1, __ATOMIC_SEQ_CST)], i);
}

/* ---- queues ---- */

static void q_receive_forever(int i)
{
    ULONG msg[2];
    helper_status[i] = tx_queue_receive(&queue, msg, TX_WAIT_FOREVER);
    helper_value[i] = msg[0];
    if (helper_status[i] == TX_SUCCESS)
        record_order(i);
}

static void q_send_forever(int i)
{
    ULONG msg[2] = {100 + (ULONG)i, 0};
    helper_status[i] = tx_queue_send(&queue, msg, TX_WAIT_FOREVER);
}

static void test_queues(void)
{
    ULONG msg[2], out[2];
    ULONG enqueued, avail, susp, cap, i;
    CHAR *name;
    TX_THREAD *first;
    TX_QUEUE *next;
    TX_QUEUE other;
    double t0;

    CHECK_EQ(tx_queue_create(NULL, "q", TX_2_ULONG, queue_area, sizeof queue_area), TX_QUEUE_ERROR);
    CHECK_EQ(tx_queue_create(&queue, "q", TX_2_ULONG, NULL, sizeof queue_area), TX_PTR_ERROR);
    CHECK_EQ(tx_queue_create(&queue, "q", 0, queue_area, sizeof queue_area), TX_SIZE_ERROR);
    CHECK_EQ(tx_queue_create(&queue, "q", 17, queue_area, sizeof queue_area), TX_SIZE_ERROR);
    CHECK_EQ(tx_queue_create(&queue, "q", TX_2_ULONG, queue_area, sizeof(ULONG)), TX_SIZE_ERROR);
    CHECK_EQ(tx_queue_create(&queue, "q", TX_2_ULONG, queue_area, sizeof queue_area), TX_SUCCESS);
    CHECK_EQ(tx_queue_create(&queue, "q", TX_2_ULONG, queue_area, sizeof queue_area), TX_QUEUE_ERROR);

    /* Capacity: the bytes over the message size; the rest is unused. */
    cap = sizeof queue_area / (2 * sizeof(ULONG));
    CHECK_EQ(tx_queue_info_get(&queue, &name, &enqueued, &avail, &first, &susp, &next), TX_SUCCESS);
    CHECK(strcmp(name, "q") == 0);
    CHECK_EQ(enqueued, 0);
    CHECK_EQ(avail, cap);
    CHECK_EQ(susp, 0);
    CHECK(first == NULL);
    /* The next created, circular: init_queue was created first. */
    CHECK(next == &init_queue);
    CHECK_EQ(tx_queue_info_get(&queue, NULL, NULL, NULL, NULL, NULL, NULL), TX_SUCCESS);

    /* FIFO; a front send jumps the line; each message is copied whole. */
    for (i = 1; i <= 3; i++)
    {
        msg[0] = i;
        msg[1] = i * 1000;
        CHECK_EQ(tx_queue_send(&queue, msg, TX_NO_WAIT), TX_SUCCESS);
    }
    msg[0] = 99;
    msg[1] = 99000;
    CHECK_EQ(tx_queue_front_send(&queue, msg, TX_NO_WAIT), TX_SUCCESS);
    CHECK_EQ(tx_queue_info_get(&queue, NULL, &enqueued, &avail, NULL, NULL, NULL), TX_SUCCESS);
    CHECK_EQ(enqueued, 4);
    CHECK_EQ(avail, cap - 4);
    CHECK_EQ(tx_queue_receive(&queue, out, TX_NO_WAIT), TX_SUCCESS);
    CHECK_EQ(out[0], 99);
    CHECK_EQ(out[1], 99000);
    for (i = 1; i <= 3; i++)
    {
        CHECK_EQ(tx_queue_receive(&queue, out, TX_NO_WAIT), TX_SUCCESS);
        CHECK_EQ(out[0], i);
        CHECK_EQ(out[1], i * 1000);
    }

    /* Empty and full, without and with a timeout. */
    CHECK_EQ(tx_queue_receive(&queue, out, TX_NO_WAIT), TX_QUEUE_EMPTY);
    t0 = now_s();
    CHECK_EQ(tx_queue_receive(&queue, out, 10), TX_QUEUE_EMPTY);
    CHECK(now_s() - t0 >= 0.09);
    for (i = 0; i < cap; i++)
    {
        msg[0] = i;
        CHECK_EQ(tx_queue_send(&queue, msg, TX_NO_WAIT), TX_SUCCESS);
    }
    CHECK_EQ(tx_queue_send(&queue, msg, TX_NO_WAIT), TX_QUEUE_FULL);
    CHECK_EQ(tx_queue_front_send(&queue, msg, TX_NO_WAIT), TX_QUEUE_FULL);
    t0 = now_s();
    CHECK_EQ(tx_queue_send(&queue, msg, 10), TX_QUEUE_FULL);
    CHECK(now_s() - t0 >= 0.09);

    /* A sender suspended on the full queue: a flush discards its message
     * and resumes it with success. */
    start_helper(0, q_send_forever, 10);
    CHECK(wait_state(&helper[0], TX_QUEUE_SUSP));
    CHECK_EQ(tx_queue_info_get(&queue, NULL, NULL, NULL, &first, &susp, NULL), TX_SUCCESS);
    CHECK_EQ(susp, 1);
    CHECK(first == &helper[0]);
    CHECK_EQ(tx_queue_flush(&queue), TX_SUCCESS);
    CHECK(wait_flag(&helper_done[0], 1));
    CHECK_EQ(helper_status[0], TX_SUCCESS);
    CHECK_EQ(tx_queue_info_get(&queue, NULL, &enqueued, &avail, NULL, NULL, NULL), TX_SUCCESS);
    CHECK_EQ(enqueued, 0);
    CHECK_EQ(avail, cap);
    CHECK_EQ(tx_queue_flush(&queue), TX_SUCCESS);

    /* Receivers wait in FIFO order; a prioritize puts the most urgent
     * first. */
    set_flag(&order_n, 0);
    start_helper(0, q_receive_forever, 20);
    CHECK(wait_state(&helper[0], TX_QUEUE_SUSP));
    start_helper(1, q_receive_forever, 20);
    CHECK(wait_state(&helper[1], TX_QUEUE_SUSP));
    start_helper(2, q_receive_forever, 5);
    CHECK(wait_state(&helper[2], TX_QUEUE_SUSP));
    CHECK_EQ(tx_queue_info_get(&queue, NULL, NULL, NULL, &first, &susp, NULL), TX_SUCCESS);
    CHECK_EQ(susp, 3);
    CHECK(first == &helper[0]);
    CHECK_EQ(tx_queue_prioritize(&queue), TX_SUCCESS);
    CHECK_EQ(tx_queue_info_get(&queue, NULL, NULL, NULL, &first, NULL, NULL), TX_SUCCESS);
    CHECK(first == &helper[2]);
    msg[0] = 7;
    CHECK_EQ(tx_queue_send(&queue, msg, TX_NO_WAIT), TX_SUCCESS);
    CHECK(wait_flag(&helper_done[2], 1));
    CHECK_EQ(helper_value[2], 7);
    msg[0] = 8;
    CHECK_EQ(tx_queue_send(&queue, msg, TX_NO_WAIT), TX_SUCCESS);
    CHECK(wait_flag(&helper_done[0], 1));
    CHECK_EQ(helper_value[0], 8);
    CHECK(!get_flag(&helper_done[1]));

    /* The last receiver: its wait aborted. */
    CHECK_EQ(tx_thread_wait_abort(&helper[1]), TX_SUCCESS);
    CHECK(wait_flag(&helper_done[1], 1));
    CHECK_EQ(helper_status[1], TX_WAIT_ABORTED);
    CHECK_EQ(tx_thread_wait_abort(&helper[1]), TX_WAIT_ABORT_ERROR);

    /* A receiver of a queue that is deleted. */
    start_helper(3, q_receive_forever, 10);
    CHECK(wait_state(&helper[3], TX_QUEUE_SUSP));
    CHECK_EQ(tx_queue_delete(&queue), TX_SUCCESS);
    CHECK(wait_flag(&helper_done[3], 1));
    CHECK_EQ(helper_status[3], TX_DELETED);

    /* A deleted or never created queue, bad pointers. */
    memset(&other, 0, sizeof other);
    CHECK_EQ(tx_queue_send(&queue, msg, TX_NO_WAIT), TX_QUEUE_ERROR);
    CHECK_EQ(tx_queue_receive(&queue, out, TX_NO_WAIT), TX_QUEUE_ERROR);
    CHECK_EQ(tx_queue_delete(&queue), TX_QUEUE_ERROR);
    CHECK_EQ(tx_queue_flush(&other), TX_QUEUE_ERROR);
    CHECK_EQ(tx_queue_info_get(&other, NULL, NULL, NULL, NULL, NULL, NULL), TX_QUEUE_ERROR);
    CHECK_EQ(tx_queue_prioritize(NULL), TX_QUEUE_ERROR);
    CHECK_EQ(tx_queue_front_send(NULL, msg, TX_NO_WAIT), TX_QUEUE_ERROR);
    CHECK_EQ(tx_queue_create(&queue, "q16", TX_16_ULONG, queue_area, sizeof queue_area), TX_SUCCESS);
    CHECK_EQ(tx_queue_send(&queue, NULL, TX_NO_WAIT), TX_PTR_ERROR);
    CHECK_EQ(tx_queue_front_send(&queue, NULL, TX_NO_WAIT), TX_PTR_ERROR);
    CHECK_EQ(tx_queue_receive(&queue, NULL, TX_NO_WAIT), TX_PTR_ERROR);
    {
        ULONG big[16], back[16];
        for (i = 0; i < 16; i++)
            big[i] = 0xA0 + i;
        CHECK_EQ(tx_queue_send(&queue, big, TX_NO_WAIT), TX_SUCCESS);
        memset(back, 0, sizeof back);
        CHECK_EQ(tx_queue_receive(&queue, back, TX_NO_WAIT), TX_SUCCESS);
        CHECK(memcmp(big, back, sizeof big) == 0);
    }
    CHECK_EQ(tx_queue_delete(&queue), TX_SUCCESS);
}

/* ---- semaphores ---- */

static int notified;
static void sem_notify(TX_SEMAPHORE *s)
{
    CHECK(s == &sem);
    add_flag(&notified);
}

static void sem_get_forever(int i)
{
    helper_status[i] = tx_semaphore_get(&sem, TX_WAIT_FOREVER);
    if (helper_status[i] == TX_SUCCESS)
        record_order(i);
}

static void test_semaphores(void)
{
    ULONG value, susp;
    CHAR *name;
    TX_THREAD *first;
    TX_SEMAPHORE *next;
    double t0;

    CHECK_EQ(tx_semaphore_create(NULL, "s", 0), TX_SEMAPHORE_ERROR);
    CHECK_EQ(tx_semaphore_create(&sem, "s", 2), TX_SUCCESS);
    CHECK_EQ(tx_semaphore_create(&sem, "s", 2), TX_SEMAPHORE_ERROR);
    CHECK_EQ(tx_semaphore_info_get(&sem, &name, &value, &first, &susp, &next), TX_SUCCESS);
    CHECK(strcmp(name, "s") == 0);
    CHECK_EQ(value, 2);
    CHECK_EQ(susp, 0);
    CHECK(first == NULL);

    CHECK_EQ(tx_semaphore_get(&sem, TX_NO_WAIT), TX_SUCCESS);
    CHECK_EQ(tx_semaphore_get(&sem, 5), TX_SUCCESS);
    CHECK_EQ(tx_semaphore_get(&sem, TX_NO_WAIT), TX_NO_INSTANCE);
    t0 = now_s();
    CHECK_EQ(tx_semaphore_get(&sem, 10), TX_NO_INSTANCE);
    CHECK(now_s() - t0 >= 0.09);

    /* Ceiling put: refused at or above the ceiling, zero is invalid. */
    CHECK_EQ(tx_semaphore_ceiling_put(&sem, 0), TX_INVALID_CEILING);
    CHECK_EQ(tx_semaphore_ceiling_put(&sem, 2), TX_SUCCESS);
    CHECK_EQ(tx_semaphore_ceiling_put(&sem, 2), TX_SUCCESS);
    CHECK_EQ(tx_semaphore_ceiling_put(&sem, 2), TX_CEILING_EXCEEDED);
    CHECK_EQ(tx_semaphore_info_get(&sem, NULL, &value, NULL, NULL, NULL), TX_SUCCESS);
    CHECK_EQ(value, 2);
    CHECK_EQ(tx_semaphore_put(&sem), TX_SUCCESS);
    CHECK_EQ(tx_semaphore_info_get(&sem, NULL, &value, NULL, NULL, NULL), TX_SUCCESS);
    CHECK_EQ(value, 3);
    while (tx_semaphore_get(&sem, TX_NO_WAIT) == TX_SUCCESS)
    {
    }

    /* Put notify: called on every put. */
    CHECK_EQ(tx_semaphore_put_notify(&sem, sem_notify), TX_SUCCESS);
    CHECK_EQ(tx_semaphore_put(&sem), TX_SUCCESS);
    CHECK_EQ(get_flag(&notified), 1);
    CHECK_EQ(tx_semaphore_put_notify(&sem, TX_NULL), TX_SUCCESS);
    CHECK_EQ(tx_semaphore_put(&sem), TX_SUCCESS);
    CHECK_EQ(get_flag(&notified), 1);
    CHECK_EQ(tx_semaphore_get(&sem, TX_NO_WAIT), TX_SUCCESS);
    CHECK_EQ(tx_semaphore_get(&sem, TX_NO_WAIT), TX_SUCCESS);

    /* Waiters: FIFO, then prioritize. */
    set_flag(&order_n, 0);
    start_helper(0, sem_get_forever, 20);
    CHECK(wait_state(&helper[0], TX_SEMAPHORE_SUSP));
    start_helper(1, sem_get_forever, 20);
    CHECK(wait_state(&helper[1], TX_SEMAPHORE_SUSP));
    start_helper(2, sem_get_forever, 3);
    CHECK(wait_state(&helper[2], TX_SEMAPHORE_SUSP));
    /* An instance put while others wait is theirs, not a newcomer's. */
    CHECK_EQ(tx_semaphore_info_get(&sem, NULL, NULL, &first, &susp, NULL), TX_SUCCESS);
    CHECK_EQ(susp, 3);
    CHECK(first == &helper[0]);
    CHECK_EQ(tx_semaphore_put(&sem), TX_SUCCESS);
    CHECK(wait_flag(&helper_done[0], 1));
    CHECK_EQ(helper_status[0], TX_SUCCESS);
    CHECK_EQ(tx_semaphore_prioritize(&sem), TX_SUCCESS);
    CHECK_EQ(tx_semaphore_info_get(&sem, NULL, NULL, &first, &susp, NULL), TX_SUCCESS);
    CHECK_EQ(susp, 2);
    CHECK(first == &helper[2]);
    CHECK_EQ(tx_semaphore_put(&sem), TX_SUCCESS);
    CHECK(wait_flag(&helper_done[2], 1));
    CHECK(!get_flag(&helper_done[1]));
    CHECK_EQ(get_flag(&order_n), 2);
    CHECK_EQ(get_flag(&order[0]), 0);
    CHECK_EQ(get_flag(&order[1]), 2);

    /* The last waiter: the semaphore is deleted under it. */
    CHECK_EQ(tx_semaphore_delete(&sem), TX_SUCCESS);
    CHECK(wait_flag(&helper_done[1], 1));
    CHECK_EQ(helper_status[1], TX_DELETED);
    CHECK_EQ(tx_semaphore_get(&sem, TX_NO_WAIT), TX_SEMAPHORE_ERROR);
    CHECK_EQ(tx_semaphore_put(&sem), TX_SEMAPHORE_ERROR);
    CHECK_EQ(tx_semaphore_ceiling_put(&sem, 3), TX_SEMAPHORE_ERROR);
    CHECK_EQ(tx_semaphore_delete(&sem), TX_SEMAPHORE_ERROR);
    CHECK_EQ(tx_semaphore_info_get(NULL, NULL, NULL, NULL, NULL, NULL), TX_SEMAPHORE_ERROR);
    CHECK_EQ(tx_semaphore_prioritize(&sem), TX_SEMAPHORE_ERROR);
    CHECK_EQ(tx_semaphore_put_notify(&sem, sem_notify), TX_SEMAPHORE_ERROR);
}

/* ---- mutexes: info and prioritize ---- */

static TX_MUTEX mtx;

static void mtx_get_forever(int i)
{
    helper_status[i] = tx_mutex_get(&mtx, TX_WAIT_FOREVER);
    if (helper_status[i] == TX_SUCCESS)
    {
        record_order(i);
        tx_mutex_put(&mtx);
    }
}

static void test_mutex_info(void)
{
    ULONG count, susp;
    TX_THREAD *owner, *first;
    CHAR *name;
    TX_MUTEX *next;

    CHECK_EQ(tx_mutex_create(&mtx, "m", TX_INHERIT), TX_SUCCESS);
    CHECK_EQ(tx_mutex_get(&mtx, TX_NO_WAIT), TX_SUCCESS);
    CHECK_EQ(tx_mutex_get(&mtx, TX_NO_WAIT), TX_SUCCESS);
    CHECK_EQ(tx_mutex_info_get(&mtx, &name, &count, &owner, &first, &susp, &next), TX_SUCCESS);
    CHECK(strcmp(name, "m") == 0);
    CHECK_EQ(count, 2);
    CHECK(owner == &driver);
    CHECK(first == NULL);
    CHECK_EQ(susp, 0);

    set_flag(&order_n, 0);
    start_helper(0, mtx_get_forever, 20);
    CHECK(wait_state(&helper[0], TX_MUTEX_SUSP));
    start_helper(1, mtx_get_forever, 2);
    CHECK(wait_state(&helper[1], TX_MUTEX_SUSP));
    CHECK_EQ(tx_mutex_info_get(&mtx, NULL, NULL, NULL, &first, &susp, NULL), TX_SUCCESS);
    CHECK(first == &helper[0]);
    CHECK_EQ(susp, 2);
    CHECK_EQ(tx_mutex_prioritize(&mtx), TX_SUCCESS);
    CHECK_EQ(tx_mutex_info_get(&mtx, NULL, NULL, NULL, &first, NULL, NULL), TX_SUCCESS);
    CHECK(first == &helper[1]);
    CHECK_EQ(tx_mutex_put(&mtx), TX_SUCCESS);
    CHECK_EQ(tx_mutex_put(&mtx), TX_SUCCESS);
    CHECK(wait_flag(&helper_done[0], 1));
    CHECK(wait_flag(&helper_done[1], 1));
    CHECK_EQ(get_flag(&order_n), 2);
    CHECK_EQ(get_flag(&order[0]), 1);
    CHECK_EQ(get_flag(&order[1]), 0);
    CHECK_EQ(tx_mutex_delete(&mtx), TX_SUCCESS);
    CHECK_EQ(tx_mutex_info_get(&mtx, NULL, NULL, NULL, NULL, NULL, NULL), TX_MUTEX_ERROR);
    CHECK_EQ(tx_mutex_prioritize(&mtx), TX_MUTEX_ERROR);
    CHECK_EQ(tx_mutex_create(&mtx, "m", 2), TX_INHERIT_ERROR);
}

/* ---- event flags ---- */

static int set_notified;
static void flags_notify(TX_EVENT_FLAGS_GROUP *g)
{
    CHECK(g == &group);
    add_flag(&set_notified);
}

static void ev_and_clear_forever(int i)
{
    helper_status[i] = tx_event_flags_get(&group, 0x111, TX_AND_CLEAR, &helper_value[i], TX_WAIT_FOREVER);
}

static void ev_or_forever(int i)
{
    helper_status[i] = tx_event_flags_get(&group, 0x6, TX_OR, &helper_value[i], TX_WAIT_FOREVER);
}

static void test_event_flags(void)
{
    ULONG actual, current, susp;
    CHAR *name;
    TX_THREAD *first;
    TX_EVENT_FLAGS_GROUP *next;
    double t0;

    CHECK_EQ(tx_event_flags_create(NULL, "e"), TX_GROUP_ERROR);
    CHECK_EQ(tx_event_flags_create(&group, "e"), TX_SUCCESS);
    CHECK_EQ(tx_event_flags_create(&group, "e"), TX_GROUP_ERROR);
    CHECK_EQ(tx_event_flags_info_get(&group, &name, &current, &first, &susp, &next), TX_SUCCESS);
    CHECK(strcmp(name, "e") == 0);
    CHECK_EQ(current, 0);
    CHECK_EQ(susp, 0);
    CHECK(first == NULL);

    CHECK_EQ(tx_event_flags_get(&group, 1, TX_OR, NULL, TX_NO_WAIT), TX_PTR_ERROR);
    CHECK_EQ(tx_event_flags_get(&group, 1, 4, &actual, TX_NO_WAIT), TX_OPTION_ERROR);
    CHECK_EQ(tx_event_flags_set(&group, 1, TX_OR_CLEAR), TX_OPTION_ERROR);
    CHECK_EQ(tx_event_flags_set(&group, 1, TX_AND_CLEAR), TX_OPTION_ERROR);

    /* OR: any requested flag; AND: all of them. Actual flags may hold
     * flags not asked for. */
    CHECK_EQ(tx_event_flags_set(&group, 0x101, TX_OR), TX_SUCCESS);
    CHECK_EQ(tx_event_flags_get(&group, 0x110, TX_OR, &actual, TX_NO_WAIT), TX_SUCCESS);
    CHECK_EQ(actual, 0x101);
    CHECK_EQ(tx_event_flags_get(&group, 0x111, TX_AND, &actual, TX_NO_WAIT), TX_NO_EVENTS);
    t0 = now_s();
    CHECK_EQ(tx_event_flags_get(&group, 0x111, TX_AND, &actual, 10), TX_NO_EVENTS);
    CHECK(now_s() - t0 >= 0.09);
    CHECK_EQ(tx_event_flags_get(&group, 0x101, TX_AND, &actual, TX_NO_WAIT), TX_SUCCESS);
    CHECK_EQ(actual, 0x101);
    /* OR_CLEAR clears the requested flags only. */
    CHECK_EQ(tx_event_flags_get(&group, 0x001, TX_OR_CLEAR, &actual, TX_NO_WAIT), TX_SUCCESS);
    CHECK_EQ(actual, 0x101);
    CHECK_EQ(tx_event_flags_info_get(&group, NULL, &current, NULL, NULL, NULL), TX_SUCCESS);
    CHECK_EQ(current, 0x100);
    /* Set with AND clears what the mask lacks. */
    CHECK_EQ(tx_event_flags_set(&group, 0xF0F, TX_OR), TX_SUCCESS);
    CHECK_EQ(tx_event_flags_set(&group, 0x00F, TX_AND), TX_SUCCESS);
    CHECK_EQ(tx_event_flags_info_get(&group, NULL, &current, NULL, NULL, NULL), TX_SUCCESS);
    CHECK_EQ(current, 0x00F);
    CHECK_EQ(tx_event_flags_set(&group, 0, TX_AND), TX_SUCCESS);

    /* The reference's example: flags 0, 4 and 8 all set, then cleared.
     * Both waiters satisfied by one set are resumed. */
    start_helper(0, ev_and_clear_forever, 10);
    CHECK(wait_state(&helper[0], TX_EVENT_FLAG));
    start_helper(1, ev_or_forever, 10);
    CHECK(wait_state(&helper[1], TX_EVENT_FLAG));
    CHECK_EQ(tx_event_flags_info_get(&group, NULL, NULL, &first, &susp, NULL), TX_SUCCESS);
    CHECK_EQ(susp, 2);
    CHECK(first == &helper[0]);
    CHECK_EQ(tx_event_flags_set(&group, 0x011, TX_OR), TX_SUCCESS);
    host_sleep_ms(50);
    CHECK(!get_flag(&helper_done[0]));
    CHECK(!get_flag(&helper_done[1]));
    CHECK_EQ(tx_event_flags_set_notify(&group, flags_notify), TX_SUCCESS);
    CHECK_EQ(tx_event_flags_set(&group, 0x102, TX_OR), TX_SUCCESS);
    CHECK_EQ(get_flag(&set_notified), 1);
    CHECK(wait_flag(&helper_done[0], 1));
    CHECK(wait_flag(&helper_done[1], 1));
    CHECK_EQ(helper_status[0], TX_SUCCESS);
    CHECK_EQ(helper_status[1], TX_SUCCESS);
    CHECK_EQ(helper_value[0] & 0x111, 0x111);
    CHECK(helper_value[1] & 0x2);
    CHECK_EQ(tx_event_flags_info_get(&group, NULL, &current, NULL, NULL, NULL), TX_SUCCESS);
    /* Whether the OR waiter ran before or after the clear, bit 1 stays:
     * the AND_CLEAR request clears 0x111 only. */
    CHECK_EQ(current, 0x002);

    start_helper(2, ev_and_clear_forever, 10);
    CHECK(wait_state(&helper[2], TX_EVENT_FLAG));
    CHECK_EQ(tx_event_flags_delete(&group), TX_SUCCESS);
    CHECK(wait_flag(&helper_done[2], 1));
    CHECK_EQ(helper_status[2], TX_DELETED);
    CHECK_EQ(tx_event_flags_set(&group, 1, TX_OR), TX_GROUP_ERROR);
    CHECK_EQ(tx_event_flags_get(&group, 1, TX_OR, &actual, TX_NO_WAIT), TX_GROUP_ERROR);
    CHECK_EQ(tx_event_flags_delete(&group), TX_GROUP_ERROR);
    CHECK_EQ(tx_event_flags_info_get(&group, NULL, NULL, NULL, NULL, NULL), TX_GROUP_ERROR);
    CHECK_EQ(tx_event_flags_set_notify(NULL, flags_notify), TX_GROUP_ERROR);
}

/* ---- block pools ---- */

static void blk_alloc_forever(int i)
{
    VOID *p = NULL;
    helper_status[i] = tx_block_allocate(&bpool, &p, TX_WAIT_FOREVER);
    helper_value[i] = (ULONG)(p != NULL);
}

static void test_block_pools(void)
{
    VOID *blocks[64], *p;
    ULONG avail, total, susp, n, i, j;
    CHAR *name;
    TX_THREAD *first;
    TX_BLOCK_POOL *next;
    double t0;

    CHECK_EQ(tx_block_pool_create(NULL, "b", 64, block_area, sizeof block_area), TX_POOL_ERROR);
    CHECK_EQ(tx_block_pool_create(&bpool, "b", 64, NULL, sizeof block_area), TX_PTR_ERROR);
    CHECK_EQ(tx_block_pool_create(&bpool, "b", 64, block_area, 10), TX_SIZE_ERROR);
    CHECK_EQ(tx_block_pool_create(&bpool, "b", 64, block_area, sizeof block_area), TX_SUCCESS);
    CHECK_EQ(tx_block_pool_create(&bpool, "b", 64, block_area, sizeof block_area), TX_POOL_ERROR);

    /* total blocks = total bytes / (block size + sizeof(void *)) */
    n = sizeof block_area / (64 + sizeof(void *));
    CHECK_EQ(tx_block_pool_info_get(&bpool, &name, &avail, &total, &first, &susp, &next), TX_SUCCESS);
    CHECK(strcmp(name, "b") == 0);
    CHECK_EQ(total, n);
    CHECK_EQ(avail, n);
    CHECK(first == NULL);
    CHECK_EQ(susp, 0);

    for (i = 0; i < n; i++)
    {
        CHECK_EQ(tx_block_allocate(&bpool, &blocks[i], TX_NO_WAIT), TX_SUCCESS);
        CHECK((UCHAR *)blocks[i] >= block_area && (UCHAR *)blocks[i] + 64 <= block_area + sizeof block_area);
        memset(blocks[i], (int)i, 64);
    }
    for (i = 0; i < n; i++)
        for (j = 0; j < 64; j++)
            if (((UCHAR *)blocks[i])[j] != (UCHAR)i)
                CHECK(0 && "blocks overlap");
    CHECK_EQ(tx_block_allocate(&bpool, &p, TX_NO_WAIT), TX_NO_MEMORY);
    t0 = now_s();
    CHECK_EQ(tx_block_allocate(&bpool, &p, 10), TX_NO_MEMORY);
    CHECK(now_s() - t0 >= 0.09);

    /* A waiter gets the next block released. */
    start_helper(0, blk_alloc_forever, 10);
    CHECK(wait_state(&helper[0], TX_BLOCK_MEMORY));
    CHECK_EQ(tx_block_pool_info_get(&bpool, NULL, NULL, NULL, &first, &susp, NULL), TX_SUCCESS);
    CHECK(first == &helper[0]);
    CHECK_EQ(susp, 1);
    CHECK_EQ(tx_block_pool_prioritize(&bpool), TX_SUCCESS);
    CHECK_EQ(tx_block_release(blocks[0]), TX_SUCCESS);
    CHECK(wait_flag(&helper_done[0], 1));
    CHECK_EQ(helper_status[0], TX_SUCCESS);
    CHECK_EQ(helper_value[0], 1);

    CHECK_EQ(tx_block_release(NULL), TX_PTR_ERROR);
    CHECK_EQ(tx_block_release(blocks[1]), TX_SUCCESS);
    CHECK_EQ(tx_block_pool_info_get(&bpool, NULL, &avail, NULL, NULL, NULL, NULL), TX_SUCCESS);
    CHECK_EQ(avail, 1);
    CHECK_EQ(tx_block_allocate(&bpool, &p, TX_NO_WAIT), TX_SUCCESS);
    CHECK(p == blocks[1]);
    CHECK_EQ(tx_block_allocate(NULL, &p, TX_NO_WAIT), TX_POOL_ERROR);
    CHECK_EQ(tx_block_allocate(&bpool, NULL, TX_NO_WAIT), TX_PTR_ERROR);

    start_helper(1, blk_alloc_forever, 10);
    CHECK(wait_state(&helper[1], TX_BLOCK_MEMORY));
    CHECK_EQ(tx_block_pool_delete(&bpool), TX_SUCCESS);
    CHECK(wait_flag(&helper_done[1], 1));
    CHECK_EQ(helper_status[1], TX_DELETED);
    CHECK_EQ(tx_block_allocate(&bpool, &p, TX_NO_WAIT), TX_POOL_ERROR);
    CHECK_EQ(tx_block_pool_delete(&bpool), TX_POOL_ERROR);
    CHECK_EQ(tx_block_pool_info_get(&bpool, NULL, NULL, NULL, NULL, NULL, NULL), TX_POOL_ERROR);
    CHECK_EQ(tx_block_pool_prioritize(&bpool), TX_POOL_ERROR);
}

/* ---- byte pools: info and prioritize ---- */

static void test_byte_pool_info(void)
{
    static UCHAR area[4096];
    TX_BYTE_POOL pool;
    ULONG avail0, avail, frags, susp;
    CHAR *name;
    TX_THREAD *first;
    TX_BYTE_POOL *next;
    VOID *p;

    memset(&pool, 0, sizeof pool);
    CHECK_EQ(tx_byte_pool_create(&pool, "bp", area, sizeof area), TX_SUCCESS);
    CHECK_EQ(tx_byte_pool_info_get(&pool, &name, &avail0, &frags, &first, &susp, &next), TX_SUCCESS);
    CHECK(strcmp(name, "bp") == 0);
    CHECK(avail0 > 0 && avail0 <= sizeof area);
    CHECK(first == NULL);
    CHECK_EQ(susp, 0);
    CHECK_EQ(tx_byte_allocate(&pool, &p, 1000, TX_NO_WAIT), TX_SUCCESS);
    CHECK_EQ(tx_byte_pool_info_get(&pool, NULL, &avail, NULL, NULL, NULL, NULL), TX_SUCCESS);
    CHECK(avail <= avail0 - 1000);
    CHECK_EQ(tx_byte_pool_prioritize(&pool), TX_SUCCESS);
    CHECK_EQ(tx_byte_release(p), TX_SUCCESS);
    CHECK_EQ(tx_byte_pool_delete(&pool), TX_SUCCESS);
    CHECK_EQ(tx_byte_pool_info_get(&pool, NULL, NULL, NULL, NULL, NULL, NULL), TX_POOL_ERROR);
    CHECK_EQ(tx_byte_pool_prioritize(&pool), TX_POOL_ERROR);
}

/* ---- timers ---- */

static int fired_a, fired_b, fired_c;
static UINT timer_wait_status, timer_nowait_status, timer_info_active, timer_pool_status, timer_alloc_status;
static int fire_seq[8], fire_n;
static double fired_a_at;

static void expire_a(ULONG input)
{
    CHECK_EQ(input, 0x1234);
    if (get_flag(&fired_a) == 0)
        fired_a_at = now_s();
    add_flag(&fired_a);
    int k = __atomic_fetch_add(&fire_n, 1, __ATOMIC_SEQ_CST);
    if (k < 8)
        set_flag(&fire_seq[k], 'a');
}

static void expire_b(ULONG input)
{
    (void)input;
    add_flag(&fired_b);
    int k = __atomic_fetch_add(&fire_n, 1, __ATOMIC_SEQ_CST);
    if (k < 8)
        set_flag(&fire_seq[k], 'b');
}

/* Runs as a timer: no waiting allowed, TX_NO_WAIT calls work. */
static void expire_c(ULONG input)
{
    (void)input;
    timer_wait_status = tx_semaphore_get(&sem, 5);
    {
        static UCHAR area[512];
        static TX_BYTE_POOL pool;
        VOID *p;
        timer_pool_status = tx_byte_pool_create(&pool, "timer bytes", area, sizeof area);
        timer_alloc_status = tx_byte_allocate(&pool, &p, 16, TX_NO_WAIT);
    }
    timer_nowait_status = tx_semaphore_put(&sem);
    tx_timer_info_get(&timer_c, NULL, &timer_info_active, NULL, NULL, NULL);
    add_flag(&fired_c);
}

static void test_timers(void)
{
    UINT active;
    ULONG remaining, resched;
    CHAR *name;
    TX_TIMER *next;
    int n;
    double t0;

    CHECK_EQ(tx_timer_create(NULL, "a", expire_a, 0x1234, 10, 0, TX_NO_ACTIVATE), TX_TIMER_ERROR);
    CHECK_EQ(tx_timer_create(&timer_a, "a", expire_a, 0x1234, 0, 0, TX_NO_ACTIVATE), TX_TICK_ERROR);
    CHECK_EQ(tx_timer_create(&timer_a, "a", expire_a, 0x1234, 10, 0, 2), TX_ACTIVATE_ERROR);

    /* One-shot: created inactive, fires once after its ticks. */
    CHECK_EQ(tx_timer_create(&timer_a, "a", expire_a, 0x1234, 20, 0, TX_NO_ACTIVATE), TX_SUCCESS);
    CHECK_EQ(tx_timer_create(&timer_a, "a", expire_a, 0x1234, 20, 0, TX_NO_ACTIVATE), TX_TIMER_ERROR);
    CHECK_EQ(tx_timer_info_get(&timer_a, &name, &active, &remaining, &resched, &next), TX_SUCCESS);
    CHECK(strcmp(name, "a") == 0);
    CHECK_EQ(active, TX_FALSE);
    CHECK_EQ(resched, 0);
    host_sleep_ms(300);
    CHECK_EQ(get_flag(&fired_a), 0);
    t0 = now_s();
    CHECK_EQ(tx_timer_activate(&timer_a), TX_SUCCESS);
    CHECK_EQ(tx_timer_activate(&timer_a), TX_ACTIVATE_ERROR);
    CHECK_EQ(tx_timer_info_get(&timer_a, NULL, &active, &remaining, NULL, NULL), TX_SUCCESS);
    CHECK_EQ(active, TX_TRUE);
    CHECK(remaining >= 1 && remaining <= 20);
    CHECK(wait_flag(&fired_a, 1));
    /* Not before its 20 ticks. */
    CHECK(fired_a_at - t0 >= 0.19);
    host_sleep_ms(300);
    CHECK_EQ(get_flag(&fired_a), 1);
    CHECK_EQ(tx_timer_info_get(&timer_a, NULL, &active, NULL, NULL, NULL), TX_SUCCESS);
    CHECK_EQ(active, TX_FALSE);
    /* An expired one-shot needs tx_timer_change before it runs again. */
    CHECK_EQ(tx_timer_activate(&timer_a), TX_ACTIVATE_ERROR);
    CHECK_EQ(tx_timer_change(&timer_a, 0, 0), TX_TICK_ERROR);
    CHECK_EQ(tx_timer_change(&timer_a, 5, 0), TX_SUCCESS);
    CHECK_EQ(tx_timer_activate(&timer_a), TX_SUCCESS);
    CHECK(wait_flag(&fired_a, 2));

    /* Periodic, auto-activated: fires again and again until deactivated. */
    CHECK_EQ(tx_timer_create(&timer_b, "b", expire_b, 0, 5, 5, TX_AUTO_ACTIVATE), TX_SUCCESS);
    CHECK_EQ(tx_timer_info_get(&timer_b, NULL, &active, NULL, &resched, NULL), TX_SUCCESS);
    CHECK_EQ(active, TX_TRUE);
    CHECK_EQ(resched, 5);
    CHECK(wait_count(&fired_b, 5));
    CHECK_EQ(tx_timer_deactivate(&timer_b), TX_SUCCESS);
    /* An expiration function already running when the timer was
     * deactivated may still count once. */
    host_sleep_ms(100);
    n = get_flag(&fired_b);
    host_sleep_ms(200);
    CHECK_EQ(get_flag(&fired_b), n);
    /* A deactivated periodic timer activates again. */
    CHECK_EQ(tx_timer_activate(&timer_b), TX_SUCCESS);
    CHECK(wait_count(&fired_b, n + 2));
    CHECK_EQ(tx_timer_deactivate(&timer_b), TX_SUCCESS);
    host_sleep_ms(100);

    /* Timers due at the same tick run in activation order. */
    set_flag(&fire_n, 0);
    CHECK_EQ(tx_timer_change(&timer_b, 10, 0), TX_SUCCESS);
    CHECK_EQ(tx_timer_change(&timer_a, 10, 0), TX_SUCCESS);
    CHECK_EQ(tx_timer_activate(&timer_b), TX_SUCCESS);
    CHECK_EQ(tx_timer_activate(&timer_a), TX_SUCCESS);
    CHECK(wait_count(&fire_n, 2));
    host_sleep_ms(200);
    CHECK_EQ(get_flag(&fire_n), 2);
    CHECK_EQ(get_flag(&fire_seq[0]), 'b');
    CHECK_EQ(get_flag(&fire_seq[1]), 'a');

    /* From a timer: waiting is refused, TX_NO_WAIT services work, and the
     * timer reads itself as inactive. */
    CHECK_EQ(tx_semaphore_create(&sem, "s", 0), TX_SUCCESS);
    CHECK_EQ(tx_timer_create(&timer_c, "c", expire_c, 0, 1, 0, TX_AUTO_ACTIVATE), TX_SUCCESS);
    CHECK(wait_flag(&fired_c, 1));
    CHECK_EQ(timer_wait_status, TX_WAIT_ERROR);
    CHECK_EQ(timer_nowait_status, TX_SUCCESS);
    CHECK_EQ(timer_info_active, TX_FALSE);
    /* Byte pools are for initialization and threads only. */
    CHECK_EQ(timer_pool_status, TX_CALLER_ERROR);
    CHECK_EQ(timer_alloc_status, TX_POOL_ERROR);
    CHECK_EQ(tx_semaphore_get(&sem, TX_NO_WAIT), TX_SUCCESS);
    CHECK_EQ(tx_semaphore_delete(&sem), TX_SUCCESS);

    CHECK_EQ(tx_timer_delete(&timer_a), TX_SUCCESS);
    CHECK_EQ(tx_timer_delete(&timer_b), TX_SUCCESS);
    CHECK_EQ(tx_timer_delete(&timer_c), TX_SUCCESS);
    CHECK_EQ(tx_timer_delete(&timer_a), TX_TIMER_ERROR);
    CHECK_EQ(tx_timer_activate(&timer_a), TX_TIMER_ERROR);
    CHECK_EQ(tx_timer_deactivate(&timer_a), TX_TIMER_ERROR);
    CHECK_EQ(tx_timer_change(&timer_a, 5, 5), TX_TIMER_ERROR);
    CHECK_EQ(tx_timer_info_get(NULL, NULL, NULL, NULL, NULL, NULL), TX_TIMER_ERROR);
}

/* ---- threads ---- */

static int runs;
static void count_entry(ULONG input)
{
    (void)input;
    add_flag(&runs);
}

static void test_threads(void)
{
    TX_THREAD t;
    static UCHAR stack[STACK];
    CHAR *name;
    UINT state, prio, thresh, old;
    ULONG run_count, slice, old_slice;
    TX_THREAD *next, *susp;

    memset(&t, 0, sizeof t);
    CHECK_EQ(tx_thread_create(&t, "counted", count_entry, 0, stack, STACK, 12, 10, 7, TX_DONT_START), TX_SUCCESS);
    CHECK_EQ(tx_thread_info_get(&t, &name, &state, &run_count, &prio, &thresh, &slice, &next, &susp), TX_SUCCESS);
    CHECK(strcmp(name, "counted") == 0);
    CHECK_EQ(state, TX_SUSPENDED);
    CHECK_EQ(run_count, 0);
    CHECK_EQ(prio, 12);
    CHECK_EQ(thresh, 10);
    CHECK_EQ(slice, 7);
    CHECK(next != NULL);
    CHECK_EQ(tx_thread_info_get(&t, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), TX_SUCCESS);

    /* Priority change: the old one returned, the threshold follows. */
    CHECK_EQ(tx_thread_priority_change(&t, 8, &old), TX_SUCCESS);
    CHECK_EQ(old, 12);
    CHECK_EQ(tx_thread_info_get(&t, NULL, NULL, NULL, &prio, &thresh, NULL, NULL, NULL), TX_SUCCESS);
    CHECK_EQ(prio, 8);
    CHECK_EQ(thresh, 8);
    CHECK_EQ(tx_thread_priority_change(&t, TX_MAX_PRIORITIES, &old), TX_PRIORITY_ERROR);
    CHECK_EQ(tx_thread_priority_change(&t, 5, NULL), TX_PTR_ERROR);
    CHECK_EQ(tx_thread_priority_change(NULL, 5, &old), TX_THREAD_ERROR);

    /* Preemption threshold: not above (numerically) the priority. */
    CHECK_EQ(tx_thread_preemption_change(&t, 4, &old), TX_SUCCESS);
    CHECK_EQ(old, 8);
    CHECK_EQ(tx_thread_preemption_change(&t, 9, &old), TX_THRESH_ERROR);
    CHECK_EQ(tx_thread_preemption_change(&t, TX_MAX_PRIORITIES, &old), TX_THRESH_ERROR);
    CHECK_EQ(tx_thread_preemption_change(&t, 4, NULL), TX_PTR_ERROR);
    CHECK_EQ(tx_thread_preemption_change(NULL, 4, &old), TX_THREAD_ERROR);

    CHECK_EQ(tx_thread_time_slice_change(&t, 20, &old_slice), TX_SUCCESS);
    CHECK_EQ(old_slice, 7);
    CHECK_EQ(tx_thread_time_slice_change(&t, 20, NULL), TX_PTR_ERROR);
    CHECK_EQ(tx_thread_time_slice_change(NULL, 20, &old_slice), TX_THREAD_ERROR);

    /* Reset: only a completed or terminated thread; it runs again when
     * resumed. */
    CHECK_EQ(tx_thread_reset(&t), TX_NOT_DONE);
    CHECK_EQ(tx_thread_resume(&t), TX_SUCCESS);
    CHECK(wait_state(&t, TX_COMPLETED));
    CHECK_EQ(get_flag(&runs), 1);
    CHECK_EQ(tx_thread_reset(&t), TX_SUCCESS);
    CHECK_EQ(tx_thread_info_get(&t, NULL, &state, NULL, NULL, NULL, NULL, NULL, NULL), TX_SUCCESS);
    CHECK_EQ(state, TX_SUSPENDED);
    host_sleep_ms(50);
    CHECK_EQ(get_flag(&runs), 1);
    CHECK_EQ(tx_thread_resume(&t), TX_SUCCESS);
    CHECK(wait_state(&t, TX_COMPLETED));
    CHECK_EQ(get_flag(&runs), 2);
    CHECK_EQ(tx_thread_info_get(&t, NULL, NULL, &run_count, NULL, NULL, NULL, NULL, NULL), TX_SUCCESS);
    CHECK_EQ(run_count, 2);
    CHECK_EQ(tx_thread_delete(&t), TX_SUCCESS);
    CHECK_EQ(tx_thread_info_get(&t, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), TX_THREAD_ERROR);
    CHECK_EQ(tx_thread_reset(&t), TX_THREAD_ERROR);
}

/* ---- interrupt control ---- */

static int in_section, overlap;
static void section_entry(int i)
{
    int k;
    for (k = 0; k < 2000; k++)
    {
        UINT old = tx_interrupt_control(TX_INT_DISABLE);
        if (get_flag(&in_section))
            set_flag(&overlap, 1);
        set_flag(&in_section, 1);
        set_flag(&in_section, 0);
        tx_interrupt_control(old);
    }
    helper_status[i] = TX_SUCCESS;
}

static void test_interrupt_control(void)
{
    UINT old = tx_interrupt_control(TX_INT_DISABLE);

    CHECK_EQ(old, TX_INT_ENABLE);
    CHECK_EQ(tx_interrupt_control(TX_INT_DISABLE), TX_INT_DISABLE);
    CHECK_EQ(tx_interrupt_control(old), TX_INT_DISABLE);
    CHECK_EQ(tx_interrupt_control(TX_INT_ENABLE), TX_INT_ENABLE);

    /* Sections with interrupts disabled never overlap. */
    start_helper(0, section_entry, 10);
    start_helper(1, section_entry, 10);
    CHECK(wait_flag(&helper_done[0], 1));
    CHECK(wait_flag(&helper_done[1], 1));
    CHECK_EQ(get_flag(&overlap), 0);
}

static void driver_entry(ULONG input)
{
    (void)input;
    test_queues();
    test_semaphores();
    test_mutex_info();
    test_event_flags();
    test_block_pools();
    test_byte_pool_info();
    test_timers();
    test_threads();
    test_interrupt_control();
    {
        int i;
        for (i = 0; i < HELPERS; i++)
            CHECK(wait_flag(&helper_done[i], 1));
    }
}

/* Initialization: no waiting (TX_WAIT_ERROR), no deleting
 * (TX_CALLER_ERROR); creating and TX_NO_WAIT calls work. */
void tx_application_define(void *first_unused_memory)
{
    ULONG msg[1] = {1}, actual;
    VOID *p;
    UINT old;

    (void)first_unused_memory;
    CHECK_EQ(tx_queue_create(&init_queue, "iq", TX_1_ULONG, init_queue_area, sizeof init_queue_area), TX_SUCCESS);
    CHECK_EQ(tx_queue_receive(&init_queue, msg, 10), TX_WAIT_ERROR);
    CHECK_EQ(tx_queue_send(&init_queue, msg, TX_WAIT_FOREVER), TX_WAIT_ERROR);
    CHECK_EQ(tx_queue_send(&init_queue, msg, TX_NO_WAIT), TX_SUCCESS);
    CHECK_EQ(tx_queue_delete(&init_queue), TX_CALLER_ERROR);
    CHECK_EQ(tx_semaphore_create(&init_sem, "is", 0), TX_SUCCESS);
    CHECK_EQ(tx_semaphore_get(&init_sem, 1), TX_WAIT_ERROR);
    CHECK_EQ(tx_semaphore_get(&init_sem, TX_NO_WAIT), TX_NO_INSTANCE);
    CHECK_EQ(tx_semaphore_delete(&init_sem), TX_CALLER_ERROR);
    CHECK_EQ(tx_event_flags_create(&init_group, "ie"), TX_SUCCESS);
    CHECK_EQ(tx_event_flags_get(&init_group, 1, TX_OR, &actual, TX_WAIT_FOREVER), TX_WAIT_ERROR);
    CHECK_EQ(tx_event_flags_delete(&init_group), TX_CALLER_ERROR);
    CHECK_EQ(tx_block_pool_create(&init_pool, "ib", 32, init_pool_area, sizeof init_pool_area), TX_SUCCESS);
    CHECK_EQ(tx_block_allocate(&init_pool, &p, 5), TX_WAIT_ERROR);
    CHECK_EQ(tx_block_allocate(&init_pool, &p, TX_NO_WAIT), TX_SUCCESS);
    CHECK_EQ(tx_block_pool_delete(&init_pool), TX_CALLER_ERROR);
    CHECK_EQ(tx_timer_create(&init_timer, "it", expire_b, 0, 1000, 0, TX_NO_ACTIVATE), TX_SUCCESS);
    CHECK_EQ(tx_timer_change(&init_timer, 10, 0), TX_CALLER_ERROR);
    CHECK_EQ(tx_timer_delete(&init_timer), TX_CALLER_ERROR);
    CHECK_EQ(tx_thread_priority_change(&driver, 3, &old), TX_THREAD_ERROR);

    CHECK_EQ(tx_thread_create(&driver, "driver", driver_entry, 0, driver_stack, STACK, 1, 1, TX_NO_TIME_SLICE,
                              TX_AUTO_START),
             TX_SUCCESS);
    CHECK_EQ(tx_thread_priority_change(&driver, 3, &old), TX_CALLER_ERROR);
}

int main(void)
{
    /* Status values as the reference lists them. */
    CHECK_EQ(TX_GROUP_ERROR, 0x06);
    CHECK_EQ(TX_NO_EVENTS, 0x07);
    CHECK_EQ(TX_OPTION_ERROR, 0x08);
    CHECK_EQ(TX_QUEUE_ERROR, 0x09);
    CHECK_EQ(TX_QUEUE_EMPTY, 0x0A);
    CHECK_EQ(TX_QUEUE_FULL, 0x0B);
    CHECK_EQ(TX_SEMAPHORE_ERROR, 0x0C);
    CHECK_EQ(TX_NO_INSTANCE, 0x0D);
    CHECK_EQ(TX_TIMER_ERROR, 0x15);
    CHECK_EQ(TX_TICK_ERROR, 0x16);
    CHECK_EQ(TX_ACTIVATE_ERROR, 0x17);
    CHECK_EQ(TX_THRESH_ERROR, 0x18);
    CHECK_EQ(TX_WAIT_ABORT_ERROR, 0x1B);
    CHECK_EQ(TX_NOT_DONE, 0x20);
    CHECK_EQ(TX_CEILING_EXCEEDED, 0x21);
    CHECK_EQ(TX_INVALID_CEILING, 0x22);
    CHECK_EQ(TX_AND, 0x02);
    CHECK_EQ(TX_AND_CLEAR, 0x03);
    CHECK_EQ(TX_OR, 0x00);
    CHECK_EQ(TX_OR_CLEAR, 0x01);
    CHECK_EQ(TX_AUTO_ACTIVATE, 0x01);
    CHECK_EQ(TX_NO_ACTIVATE, 0x00);
    CHECK_EQ(TX_QUEUE_SUSP, 0x05);
    CHECK_EQ(TX_SEMAPHORE_SUSP, 0x06);
    CHECK_EQ(TX_EVENT_FLAG, 0x07);
    CHECK_EQ(TX_BLOCK_MEMORY, 0x08);

    tx_kernel_enter();
    return check_summary();
}
