/* SPDX-License-Identifier: Apache-2.0 */
/* The faultline port of this board: coredump storage in PSRAM with NOR flash rules, identity, boot counter,
 * reset cause, clock and memory map. The fault handlers, reboot and build-id come from sdk/ports/cortex-m. */
#include <string.h>

#include "app.h"
#include "board.h"
#include "commands.h"
#include "faultline/cortex_m.h"
#include "faultline/port.h"
#include "faultline/reboot.h"
#include "sampler.h"
#include "ticker.h"

#define SECTOR 4096u
#define GRANULE 4u
#define PERSIST_MAGIC 0x43424c46u /* "FLBC" */

extern uint8_t __coredump_start[], __coredump_end[], __stack_guard[], __stack_top[];
extern uint8_t __persist_start[];

/* Kept in PSRAM next to the dumps: survives QEMU runs when the PSRAM is file-backed (a fresh file reads zero). */
struct persist {
	uint32_t magic;
	uint32_t boots;
};

static const char *s_serial = "mps2-demo-0001";

void app_set_serial(const char *serial)
{
	s_serial = serial;
}

void fl_port_storage_info(struct fl_storage_info *out)
{
	out->size = (uint32_t)(__coredump_end - __coredump_start);
	out->sector_size = SECTOR;
	out->write_granule = GRANULE;
}

static bool in_storage(uint32_t offset, size_t len)
{
	size_t size = (size_t)(__coredump_end - __coredump_start);

	return offset <= size && len <= size - offset;
}

int fl_port_storage_read(uint32_t offset, void *buf, size_t len)
{
	if (!in_storage(offset, len))
		return -1;
	memcpy(buf, __coredump_start + offset, len);
	return 0;
}

int fl_port_storage_write(uint32_t offset, const void *buf, size_t len)
{
	if (!in_storage(offset, len) || offset % GRANULE != 0 || len % GRANULE != 0)
		return -1;
	/* NOR programming only clears bits: the PSRAM is made to behave the same */
	for (size_t i = 0; i < len; i++)
		__coredump_start[offset + i] &= ((const uint8_t *)buf)[i];
	return 0;
}

int fl_port_storage_erase(uint32_t offset, size_t len)
{
	if (!in_storage(offset, len) || offset % SECTOR != 0 || len % SECTOR != 0)
		return -1;
	memset(__coredump_start + offset, 0xff, len);
	return 0;
}

void fl_port_device_info(struct fl_device_info *out)
{
	out->serial = s_serial;
	out->sw_version = APP_VERSION;
	out->hw_version = "mps2-an385";
}

uint32_t fl_port_boot_id(void)
{
	struct persist *p = (struct persist *)(void *)__persist_start;

	if (p->magic != PERSIST_MAGIC) {
		p->magic = PERSIST_MAGIC;
		p->boots = 0;
	}
	return ++p->boots;
}

uint16_t fl_port_reset_cause(uint32_t *raw)
{
	*raw = 0; /* the MPS2 FPGA has no reset-status register: SRAM that kept its contents tells a system reset */
	return board_cold_boot() ? FL_REASON_POWER_ON : FL_REASON_SOFTWARE_RESET;
}

uint64_t fl_port_uptime_ms(void)
{
	return ticker_ms();
}

static size_t clip(uintptr_t addr, size_t len, uintptr_t lo, uintptr_t hi)
{
	if (addr < lo || addr >= hi)
		return 0;
	return len < hi - addr ? len : hi - addr;
}

size_t fl_port_memory_readable(uintptr_t addr, size_t len)
{
	uintptr_t guard = (uintptr_t)__stack_guard;

	if (addr >= 0x21000000u)
		return clip(addr, len, 0x21000000u, 0x22000000u);
	if (addr >= 0x20000000u) { /* SRAM, less the stack guard */
		if (addr >= guard && addr < guard + APP_STACK_GUARD)
			return 0;
		return clip(addr, len, 0x20000000u, addr < guard ? guard : 0x20400000u);
	}
	return clip(addr, len, 0, 0x00400000u);
}

size_t fl_port_coredump_regions(struct fl_region *out, size_t max)
{
	size_t n = 0;

	if (n < max)
		n += commands_region(&out[n]);
	if (n < max)
		n += sampler_region(&out[n]);
	return n;
}

bool fl_cm_stack_bounds(bool psp, uintptr_t sp, uintptr_t *out_lo, uintptr_t *out_hi)
{
	(void)sp;
	if (psp)
		return false; /* no RTOS tasks here */
	*out_lo = (uintptr_t)__stack_guard + APP_STACK_GUARD;
	*out_hi = (uintptr_t)__stack_top;
	return true;
}
