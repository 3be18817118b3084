/* SPDX-License-Identifier: Apache-2.0 */
/* SysTick at 1 kHz: the millisecond clock, the periodic sampler, and a software watchdog on the main loop. */
#ifndef TICKER_H
#define TICKER_H

#include <stdint.h>

#define WATCHDOG_MS 500u /* the main loop must feed the watchdog at least this often */

/* Start SysTick. */
void ticker_start(void);

/* Milliseconds since ticker_start(). */
uint32_t ticker_ms(void);

/* The main loop is alive. */
void watchdog_feed(void);

#endif
