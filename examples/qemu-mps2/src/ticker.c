/* SPDX-License-Identifier: Apache-2.0 */
/* SysTick: every millisecond the clock and the watchdog check, every SAMPLE_PERIOD_MS the sampler. */
#include "ticker.h"

#include "app.h"
#include "board.h"
#include "faultline/faultline.h"
#include "sampler.h"

#define SYST_CSR (*(volatile uint32_t *)0xe000e010u)
#define SYST_RVR (*(volatile uint32_t *)0xe000e014u)
#define SYST_CVR (*(volatile uint32_t *)0xe000e018u)

void SysTick_Handler(void);

static volatile uint32_t s_ms, s_fed_ms;

void ticker_start(void)
{
	SYST_RVR = BOARD_CPU_HZ / 1000u - 1u;
	SYST_CVR = 0;
	SYST_CSR = 7u; /* processor clock, interrupt, enable */
}

uint32_t ticker_ms(void)
{
	return s_ms;
}

void watchdog_feed(void)
{
	s_fed_ms = s_ms;
}

/* A hardware watchdog would reset without a word; this one records where the main loop was stuck first. */
static void watchdog_check(uint32_t now)
{
	if (now - s_fed_ms > WATCHDOG_MS)
		FL_FATAL_ERROR(APP_ERR_WATCHDOG); /* @frame watchdog_fatal */
}

void SysTick_Handler(void)
{
	uint32_t now = ++s_ms;

	if (now % SAMPLE_PERIOD_MS == 0)
		sampler_tick(); /* @frame systick_sample */
	watchdog_check(now); /* @frame systick_watchdog */
}
