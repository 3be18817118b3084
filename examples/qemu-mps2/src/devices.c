/* SPDX-License-Identifier: Apache-2.0 */
/* Drivers with the bugs the demo's crashes come from: a DMA engine at the wrong address (it moved in board
 * revision B), an EEPROM whose ready flag never comes, an update slot that holds no image. */
#include "devices.h"

#include <stdbool.h>
#include <stddef.h>

#define DMA_BASE 0x30000000u /* revision A's address; nothing answers there on this board */

struct dma_regs {
	volatile uint32_t src, dst, len, ctrl;
};

struct image_header {
	uint32_t magic, entry;
};

#define IMAGE_MAGIC 0x464c494du

static volatile uint32_t s_eeprom_status = 1; /* busy: the part never answers */
static struct image_header s_update_slot;     /* nothing was downloaded */

#ifdef APP_SHIFTED
/* Release 1.0.1 added this above dma_copy(): every address below moved, the crash did not. */
bool dma_busy(void)
{
	return (((struct dma_regs *)DMA_BASE)->ctrl & 1u) != 0;
}
#endif

void dma_copy(void *dst, const void *src, uint32_t len)
{
	struct dma_regs *dma = (struct dma_regs *)DMA_BASE;

	dma->src = (uint32_t)(uintptr_t)src; /* @frame dma_write */
	dma->dst = (uint32_t)(uintptr_t)dst;
	dma->len = len;
	dma->ctrl = 1u;
}

static void eeprom_wait_ready(void)
{
	while (s_eeprom_status & 1u) /* @frame eeprom_spin */
		;
}

void eeprom_write(uint32_t addr, uint8_t value)
{
	(void)addr;
	(void)value;
	eeprom_wait_ready(); /* @frame eeprom_wait */
}

void update_apply(void)
{
	if (s_update_slot.magic != IMAGE_MAGIC)
		__builtin_trap(); /* @frame update_trap */ /* "cannot happen": the caller checked... it did not */
	((void (*)(void))(uintptr_t)s_update_slot.entry)();
}
