/* SPDX-License-Identifier: Apache-2.0 */
/* The faultline port of the on-target test board: identity, reset cause, memory map, stack bounds (storage is in
 * board_storage.c). */
#include <string.h>

#include "board.h"
#include "faultline/chunk.h"
#include "faultline/cortex_m.h"
#include "faultline/port.h"
#include "faultline/reboot.h"
#include "faultline/serial.h"

extern uint8_t __stack_bottom[], __stack_top[];

static uintptr_t s_task_lo, s_task_hi, s_guard_lo, s_guard_hi, s_main_lo, s_main_hi;

void board_set_task_stack(uintptr_t lo, uintptr_t hi)
{
	s_task_lo = lo;
	s_task_hi = hi;
}

void board_set_main_stack(uintptr_t lo, uintptr_t hi)
{
	s_main_lo = lo;
	s_main_hi = hi;
}

void board_set_stack_guard(uintptr_t lo, uintptr_t hi)
{
	s_guard_lo = lo;
	s_guard_hi = hi;
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

__attribute__((weak)) bool board_rtos_stack_bounds(uintptr_t *out_lo, uintptr_t *out_hi); /* (board.h) */

bool fl_cm_stack_bounds(bool psp, uintptr_t sp, uintptr_t *out_lo, uintptr_t *out_hi)
{
	(void)sp;
	if (psp && board_rtos_stack_bounds != NULL)
		return board_rtos_stack_bounds(out_lo, out_hi);
	if (psp) {
		*out_lo = s_task_lo;
		*out_hi = s_task_hi;
		return s_task_hi > s_task_lo;
	}
	if (s_main_hi > s_main_lo) {
		*out_lo = s_main_lo;
		*out_hi = s_main_hi;
		return true;
	}
	*out_lo = s_guard_hi > (uintptr_t)__stack_bottom ? s_guard_hi : (uintptr_t)__stack_bottom;
	*out_hi = (uintptr_t)__stack_top;
	return true;
}

void board_send_all(void)
{
	uint8_t chunk[BOARD_MTU];
	char line[FL_SERIAL_LINE_SIZE(BOARD_MTU)];
	size_t len;

	if (fl_serial_announce_line(line, sizeof(line)) > 0)
		board_puts(line);
	while (fl_chunk_next(chunk, sizeof(chunk), &len) == 0) {
		fl_serial_chunk_line(line, sizeof(line), chunk, len);
		board_puts(line);
	}
}
