/* SPDX-License-Identifier: Apache-2.0 */
/* The faultline port of the on-target test board: storage in .noinit RAM with flash rules, identity, memory map. */
#include <string.h>

#include "board.h"
#include "faultline/cortex_m.h"
#include "faultline/port.h"
#include "faultline/reboot.h"

#define STORAGE_MAGIC 0x46424f41u /* "AOBF" */
#define SECTOR 1024u
#define GRANULE 8u

extern uint8_t __stack_bottom[], __stack_top[];

/* The "flash": kept across resets in .noinit; fresh (erased) after a cold start. */
static struct {
	uint32_t magic;
	uint32_t violations;
	uint8_t written[BOARD_STORAGE_SIZE / GRANULE]; /* 1: granule programmed since its sector's erase */
	uint8_t flash[BOARD_STORAGE_SIZE];
} s_board __attribute__((section(".noinit")));

static uintptr_t s_task_lo, s_task_hi, s_guard_lo, s_guard_hi;

static void storage_ready(void)
{
	if (s_board.magic != STORAGE_MAGIC) {
		memset(&s_board, 0, sizeof(s_board));
		memset(s_board.flash, 0xff, sizeof(s_board.flash));
		s_board.magic = STORAGE_MAGIC;
	}
}

unsigned board_storage_violations(void)
{
	return s_board.violations;
}

void board_set_task_stack(uintptr_t lo, uintptr_t hi)
{
	s_task_lo = lo;
	s_task_hi = hi;
}

void board_set_stack_guard(uintptr_t lo, uintptr_t hi)
{
	s_guard_lo = lo;
	s_guard_hi = hi;
}

void fl_port_storage_info(struct fl_storage_info *out)
{
	storage_ready();
	out->size = BOARD_STORAGE_SIZE;
	out->sector_size = SECTOR;
	out->write_granule = GRANULE;
}

int fl_port_storage_read(uint32_t offset, void *buf, size_t len)
{
	if (offset > BOARD_STORAGE_SIZE || len > BOARD_STORAGE_SIZE - offset)
		return -1;
	memcpy(buf, s_board.flash + offset, len);
	return 0;
}

int fl_port_storage_write(uint32_t offset, const void *buf, size_t len)
{
	if (offset % GRANULE != 0 || len % GRANULE != 0 || offset > BOARD_STORAGE_SIZE ||
	    len > BOARD_STORAGE_SIZE - offset) {
		s_board.violations++;
		return -1;
	}
	for (size_t g = offset / GRANULE; g < (offset + len) / GRANULE; g++) {
		s_board.violations += s_board.written[g];
		s_board.written[g] = 1;
	}
	memcpy(s_board.flash + offset, buf, len);
	return 0;
}

int fl_port_storage_erase(uint32_t offset, size_t len)
{
	if (offset % SECTOR != 0 || len % SECTOR != 0 || offset > BOARD_STORAGE_SIZE ||
	    len > BOARD_STORAGE_SIZE - offset) {
		s_board.violations++;
		return -1;
	}
	memset(s_board.flash + offset, 0xff, len);
	memset(s_board.written + offset / GRANULE, 0, len / GRANULE);
	return 0;
}

void fl_port_device_info(struct fl_device_info *out)
{
	out->serial = "qemu-0001";
	out->sw_version = "0.0.0-test";
	out->hw_version = "mps2";
}

uint32_t fl_port_boot_id(void)
{
	return board_boot_count();
}

uint16_t fl_port_reset_cause(uint32_t *raw)
{
	*raw = 0; /* QEMU's MPS2 has no reset-status register */
	return board_cold_boot() ? FL_REASON_POWER_ON : FL_REASON_SOFTWARE_RESET;
}

uint64_t fl_port_uptime_ms(void)
{
	return 0;
}

static size_t clip_to(uintptr_t addr, size_t len, uintptr_t lo, uintptr_t hi)
{
	if (addr < lo || addr >= hi)
		return 0;
	return len < hi - addr ? len : hi - addr;
}

size_t fl_port_memory_readable(uintptr_t addr, size_t len)
{
	size_t n = addr < 0x20000000u ? clip_to(addr, len, 0, 0x00400000u) : clip_to(addr, len, 0x20000000u, 0x20400000u);

	if (s_guard_hi > s_guard_lo) {
		if (addr >= s_guard_lo && addr < s_guard_hi)
			return 0;
		if (addr < s_guard_lo && n > s_guard_lo - addr)
			n = s_guard_lo - addr;
	}
	return n;
}

bool fl_cm_stack_bounds(bool psp, uintptr_t sp, uintptr_t *out_lo, uintptr_t *out_hi)
{
	(void)sp;
	if (psp) {
		*out_lo = s_task_lo;
		*out_hi = s_task_hi;
		return s_task_hi > s_task_lo;
	}
	*out_lo = s_guard_hi > (uintptr_t)__stack_bottom ? s_guard_hi : (uintptr_t)__stack_bottom;
	*out_hi = (uintptr_t)__stack_top;
	return true;
}
