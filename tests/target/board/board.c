/* SPDX-License-Identifier: Apache-2.0 */
/* Board state that crosses a system reset: the boot count, and a cold start that fills .noinit with a pattern
 * (real RAM powers up random; QEMU's is zero), so code that trusts .noinit is tested against garbage. */
#include <stdbool.h>
#include <stdint.h>

#include "board.h"

#define NOINIT_MAGIC 0x42424f41u /* "AOBB" */

extern uint8_t __noinit_start[], __noinit_end[];

static struct {
	uint32_t magic;
	uint32_t boots;
} s_boot __attribute__((section(".noinit")));

static bool s_cold;

/* Called by Reset_Handler before main. */
void board_noinit_init(void);
void board_noinit_init(void)
{
	if (s_boot.magic != NOINIT_MAGIC) {
		for (uint8_t *p = __noinit_start; p < __noinit_end; p++)
			*p = (uint8_t)((uintptr_t)p * 131u + 7u);
		s_boot.magic = NOINIT_MAGIC;
		s_boot.boots = 0;
		s_cold = true;
	}
	s_boot.boots++;
}

unsigned board_boot_count(void)
{
	return s_boot.boots;
}

bool board_cold_boot(void)
{
	return s_cold;
}
