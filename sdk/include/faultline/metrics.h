/* SPDX-License-Identifier: Apache-2.0 */
/* Metrics and heartbeats (docs/FORMAT.md §8.4, §8.5): counters, gauges and timers the application defines in a
 * .def file, sent with the SDK's built-in values in a heartbeat message every FL_HEARTBEAT_INTERVAL_S seconds. */
#ifndef FAULTLINE_METRICS_H
#define FAULTLINE_METRICS_H

#include <stdint.h>

#include "faultline/config.h"
#include "faultline/errors.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The application's keys: a .def file of lines, one per key, named by FL_METRICS_DEF in your config header
 * (e.g. #define FL_METRICS_DEF "app_metrics.def"):
 *   FL_METRIC_COUNTER(name)        a count, cumulative since boot: unsigned 32-bit, wraps to 0
 *   FL_METRIC_GAUGE(name)          a level, unsigned 32-bit: its last value, and its min and max over each interval
 *   FL_METRIC_GAUGE_SIGNED(name)   the same for a signed 32-bit level
 *   FL_METRIC_TIMER(name)          milliseconds between start and stop, cumulative since boot (a running period
 *                                  counts up to each heartbeat): unsigned 32-bit, wraps after 49.7 days
 * name is a C identifier of 1..48 characters (not KEYS), and the name the server shows: each key becomes
 * FL_METRIC_<name> of enum fl_metric_key, in the file's order, which is the order of the values in a heartbeat.
 * The names are not sent: the SDK writes them into the ELF's section .faultline.metrics (not loaded, no flash),
 * which the server reads when the ELF is uploaded. At most 256 values: a gauge counts 3, the others 1.
 */
#define FL_METRIC_KIND_COUNTER 1      /* the kind bytes of the key table, docs/FORMAT.md §8.5 */
#define FL_METRIC_KIND_GAUGE 2
#define FL_METRIC_KIND_GAUGE_SIGNED 3
#define FL_METRIC_KIND_TIMER 4
/* The .def's vocabulary: each line becomes FL_METRIC_X(kind, name), which each use of the list defines. */
#define FL_METRIC_COUNTER(name) FL_METRIC_X(FL_METRIC_KIND_COUNTER, name)
#define FL_METRIC_GAUGE(name) FL_METRIC_X(FL_METRIC_KIND_GAUGE, name)
#define FL_METRIC_GAUGE_SIGNED(name) FL_METRIC_X(FL_METRIC_KIND_GAUGE_SIGNED, name)
#define FL_METRIC_TIMER(name) FL_METRIC_X(FL_METRIC_KIND_TIMER, name)

/* The application's keys, FL_METRIC_<name>, then the number of them. */
enum fl_metric_key {
#ifdef FL_METRICS_DEF
#define FL_METRIC_X(kind, name) FL_METRIC_##name,
#include FL_METRICS_DEF
#undef FL_METRIC_X
#endif
	FL_METRIC_KEYS
};

/* Bytes of the largest heartbeat payload this build can make, which FL_EVENT_PAYLOAD_MAX must reach (the build
 * stops when it does not): the values, at most 5 bytes each (LEB128 of 32 bits), after their bstr's head of 2
 * bytes (3 past 255 bytes of values). B and the 7 built-in values take at most 24. */
enum {
	FL_HEARTBEAT_VALUES_MAX = 24
#ifdef FL_METRICS_DEF
#define FL_METRIC_X(kind, name)                                                                            \
	+((kind) == FL_METRIC_KIND_GAUGE || (kind) == FL_METRIC_KIND_GAUGE_SIGNED ? 15 : 5)
#include FL_METRICS_DEF
#undef FL_METRIC_X
#endif
	,
	FL_HEARTBEAT_PAYLOAD_MAX = FL_HEARTBEAT_VALUES_MAX + (FL_HEARTBEAT_VALUES_MAX < 256 ? 2 : 3)
};

/*
 * Interrupts: with FL_PORT_HAS_LOCK=1 the functions that change a key (fl_metric_add, fl_metric_set,
 * fl_metric_set_signed, fl_metric_timer_start, fl_metric_timer_stop) are safe to call from interrupt handlers:
 * each changes the key under fl_port_lock(), and a heartbeat reads every key under it. Without a lock, call them
 * from one context only (a 32-bit read-modify-write is not atomic on Cortex-M). The timer functions read
 * fl_port_uptime_ms(), which must then be safe in an interrupt too. fl_metrics_poll() and fl_metrics_heartbeat()
 * belong to the application's main loop (the thread that calls fl_chunk_next()), never to an interrupt.
 */

#if FL_HEARTBEAT_ENABLED
/*
 * Call from your main loop, as often as you like (each call reads fl_port_uptime_ms() and compares). When
 * FL_HEARTBEAT_INTERVAL_S have passed since boot or since the previous heartbeat, queue a heartbeat (as
 * fl_metrics_heartbeat() does): after a long gap without a poll, one heartbeat, not one per interval missed. The
 * next one is due an interval after this one, so late polls shift the schedule by their lateness. (The time since
 * the previous heartbeat is taken in 32 bits: a poll more than 49.7 days after it may come up to one interval
 * late.) A port without a clock (fl_port_uptime_ms() always 0) never has one due: call fl_metrics_heartbeat().
 * Returns 1 when it queued a heartbeat, 0 when none was due, FL_ERR_NO_SPACE when the event queue could not take
 * it even by dropping older events (the one being sent took the room): the heartbeat is lost, counted as dropped,
 * and the interval starts again.
 */
int fl_metrics_poll(void);

/*
 * Queue a heartbeat now, whatever the schedule (before a planned reboot, or in a test): the built-in values, then
 * every application key's. The interval restarts: gauges start their min and max again from their last value,
 * and the next scheduled heartbeat is FL_HEARTBEAT_INTERVAL_S from now. The event queue copies the payload; the
 * envelope is made when it is sent (the compact form of docs/FORMAT.md §8.4, or the full one for the rest of the
 * boot once the queue dropped this boot's reboot event unsent).
 * Returns 0, or FL_ERR_NO_SPACE as fl_metrics_poll() does.
 */
int fl_metrics_heartbeat(void);
#else
static inline int fl_metrics_poll(void)
{
	return 0;
}

/* Heartbeats are compiled out: there is never one to queue. */
static inline int fl_metrics_heartbeat(void)
{
	return FL_ERR_STATE;
}
#endif

/* The kind of key (an FL_METRIC_KIND_*), or 0 when it is not a key. For a constant key (the usual call) the
 * compiler works it out, so the kind checks below cost nothing at run time. */
static inline unsigned fl_metric_kind(enum fl_metric_key key)
{
	switch (key) {
#ifdef FL_METRICS_DEF
#define FL_METRIC_X(kind, name)                                                                            \
	case FL_METRIC_##name:                                                                             \
		return kind;
#include FL_METRICS_DEF
#undef FL_METRIC_X
#endif
	default:
		return 0;
	}
}

#if FL_HEARTBEAT_ENABLED && defined(FL_METRICS_DEF)
/* What the functions below call once they have checked the key's kind; key must be of the kind named. A timer
 * runs on from now when started again; a stopped timer stays stopped. */
void fl_metric_counter_add(enum fl_metric_key key, uint32_t n);
void fl_metric_gauge_set(enum fl_metric_key key, uint32_t value); /* either kind (see fl_metric_set_signed) */
void fl_metric_timer_run(enum fl_metric_key key, uint32_t run);    /* 1 start, 0 stop */
#else
/* No application keys (no FL_METRICS_DEF), or heartbeats off: nothing is kept, and the calls cost nothing. */
static inline void fl_metric_counter_add(enum fl_metric_key key, uint32_t n)
{
	(void)key;
	(void)n;
}

static inline void fl_metric_gauge_set(enum fl_metric_key key, uint32_t value)
{
	(void)key;
	(void)value;
}

static inline void fl_metric_timer_run(enum fl_metric_key key, uint32_t run)
{
	(void)key;
	(void)run;
}
#endif

/* Add n to a counter (cumulative since boot; it wraps at 2^32). key: an FL_METRIC_COUNTER key.
 * Returns 0, or FL_ERR_INVALID_ARG when key is not a counter (nothing changes). */
static inline int fl_metric_add(enum fl_metric_key key, uint32_t n)
{
	if (fl_metric_kind(key) != FL_METRIC_KIND_COUNTER)
		return FL_ERR_INVALID_ARG;
	fl_metric_counter_add(key, n);
	return 0;
}

/* Set an unsigned gauge to value: its last value, and its interval's min and max take it into account.
 * key: an FL_METRIC_GAUGE key. Returns 0, or FL_ERR_INVALID_ARG when key is not an unsigned gauge. */
static inline int fl_metric_set(enum fl_metric_key key, uint32_t value)
{
	if (fl_metric_kind(key) != FL_METRIC_KIND_GAUGE)
		return FL_ERR_INVALID_ARG;
	fl_metric_gauge_set(key, value);
	return 0;
}

/* The same for a signed gauge. key: an FL_METRIC_GAUGE_SIGNED key. Returns 0, or FL_ERR_INVALID_ARG. */
static inline int fl_metric_set_signed(enum fl_metric_key key, int32_t value)
{
	if (fl_metric_kind(key) != FL_METRIC_KIND_GAUGE_SIGNED)
		return FL_ERR_INVALID_ARG;
	fl_metric_gauge_set(key, (uint32_t)value ^ 0x80000000u); /* biased: unsigned order is signed order */
	return 0;
}

/* Start a timer (when it runs already, it goes on). key: an FL_METRIC_TIMER key.
 * Returns 0, or FL_ERR_INVALID_ARG when key is not a timer. */
static inline int fl_metric_timer_start(enum fl_metric_key key)
{
	if (fl_metric_kind(key) != FL_METRIC_KIND_TIMER)
		return FL_ERR_INVALID_ARG;
	fl_metric_timer_run(key, 1);
	return 0;
}

/* Stop a timer and add the milliseconds since its start (no effect when it is stopped). key: an FL_METRIC_TIMER
 * key. Returns 0, or FL_ERR_INVALID_ARG when key is not a timer. */
static inline int fl_metric_timer_stop(enum fl_metric_key key)
{
	if (fl_metric_kind(key) != FL_METRIC_KIND_TIMER)
		return FL_ERR_INVALID_ARG;
	fl_metric_timer_run(key, 0);
	return 0;
}

#ifdef __cplusplus
}
#endif
#endif
