/* SPDX-License-Identifier: Apache-2.0 */
/* A starting point for your faultline port on a Cortex-M chip: copy this file into your firmware, replace every
 * TODO, and compile it with the .c files of sdk/src and sdk/ports/cortex-m. docs/PORTING.md explains each function.
 * (This file is compiled by faultline's own build so that it stays in step with faultline/port.h.) */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "faultline/cortex_m.h"
#include "faultline/port.h"
#include "faultline/reboot.h"

/* TODO: where coredumps live. A flash area of whole erase sectors that nothing else uses, erased (0xFF) before
 * first use. 8 KiB holds the default 2 KiB of stack plus registers, envelope and a few regions with room. */
#define STORAGE_BASE 0x08060000u /* TODO: your flash address (or an offset in external flash) */
#define STORAGE_SIZE (8u * 1024u)
#define STORAGE_SECTOR (2u * 1024u)
#define STORAGE_GRANULE 8u /* TODO: your flash's programming unit (a double word on many STM32 parts) */

/* TODO: your linker script's symbols for the main stack (docs/PORTING.md, "Linker script"). */
extern uint8_t __stack_bottom[], __stack_top[];

void fl_port_storage_info(struct fl_storage_info *out)
{
	out->size = STORAGE_SIZE;
	out->sector_size = STORAGE_SECTOR;
	out->write_granule = STORAGE_GRANULE;
}

int fl_port_storage_read(uint32_t offset, void *buf, size_t len)
{
	/* Memory-mapped internal flash reads directly; external flash needs its driver (no interrupts, no RTOS
	 * calls: this also runs in the fault handler). */
	memcpy(buf, (const void *)(uintptr_t)(STORAGE_BASE + offset), len);
	return 0;
}

int fl_port_storage_write(uint32_t offset, const void *buf, size_t len)
{
	/* TODO: unlock flash, program len bytes (whole granules) at STORAGE_BASE + offset, lock; return 0 or -1.
	 * Runs in the fault handler with interrupts masked: poll, do not wait for an interrupt. */
	(void)offset;
	(void)buf;
	(void)len;
	return -1;
}

int fl_port_storage_erase(uint32_t offset, size_t len)
{
	/* TODO: erase the sectors of [STORAGE_BASE + offset, + len); return 0 or -1. Never called in the fault
	 * path, so it may take as long as the flash needs (feed your watchdog if it is long). */
	(void)offset;
	(void)len;
	return -1;
}

void fl_port_device_info(struct fl_device_info *out)
{
	out->serial = "TODO-serial";  /* e.g. the chip's unique ID as hex, formatted once at start-up */
	out->sw_version = "0.0.0";    /* TODO: your firmware version */
	out->hw_version = "";         /* TODO: your board revision, or "" */
}

uint32_t fl_port_boot_id(void)
{
	/* TODO: a value that differs between consecutive boots: a counter in a backup register or flash, or the
	 * hardware RNG. fl_init() calls this before any other port function (fl_port_reset_cause() included), so
	 * set the counter or RNG up here or before fl_init(). */
	return 0;
}

uint16_t fl_port_reset_cause(uint32_t *raw)
{
	/* TODO: read your reset-status register, clear its flags, and map them: watchdog bits to
	 * FL_REASON_WATCHDOG, brown-out to FL_REASON_BROWNOUT, the pin to FL_REASON_PIN_RESET, power-on to
	 * FL_REASON_POWER_ON, software reset to FL_REASON_SOFTWARE_RESET. */
	*raw = 0;
	return FL_REASON_UNKNOWN;
}

uint64_t fl_port_uptime_ms(void)
{
	/* TODO: your millisecond tick, if you have one, extended to 64 bits so it never wraps. Heartbeats are scheduled
	 * by it (0: none is ever due), and metric timers read it with fl_port_lock() held, from interrupts too if you
	 * use them there: read it without locking or blocking. */
	return 0;
}

size_t fl_port_memory_readable(uintptr_t addr, size_t len)
{
	/* TODO: your chip's RAM (and any other memory you register as a coredump region). Cover every stack: the
	 * fault handler reads the exception frame only where this says it can, else the dump is frame_unreliable. */
	const uintptr_t ram_lo = 0x20000000u, ram_hi = 0x20020000u;

	if (addr < ram_lo || addr >= ram_hi)
		return 0;
	return len < ram_hi - addr ? len : ram_hi - addr;
}

bool fl_cm_stack_bounds(bool psp, uintptr_t sp, uintptr_t *out_lo, uintptr_t *out_hi)
{
	(void)sp;
	if (psp)
		return false; /* TODO with an RTOS: look up the running task's stack */
	*out_lo = (uintptr_t)__stack_bottom;
	*out_hi = (uintptr_t)__stack_top;
	return true;
}
