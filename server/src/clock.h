/* SPDX-License-Identifier: Apache-2.0 */
/* The server's clock for what it records and ages (receive times, health hours, retention, rate-limit windows):
 * the system's, or, for tests only (`faultline-server --test-clock`), one that a test sets through the API so that
 * a fleet simulator can fill days of hourly buckets in minutes. Connection timeouts always use the real clock. */
#ifndef SRV_CLOCK_H
#define SRV_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Unix seconds now: the system clock, or the test clock once srv_clock_test() turned it on. Thread-safe. */
int64_t srv_now(void);

/* Turn the test clock on, at the system's time (at start, before any thread). */
void srv_clock_test(void);

/* Whether the test clock is on. */
bool srv_clock_is_test(void);

/*
 * Move the test clock to t (Unix seconds). It only moves forward: what was recorded stays in the past.
 * Returns 0; -1 when the test clock is off or t is before its time (nothing changes).
 */
int srv_clock_set(int64_t t);

#endif
