/* SPDX-License-Identifier: Apache-2.0 */
/* The port contract: functions the SDK calls and the integrator (or a shipped port) implements.
 * docs/PORTING.md walks through them; sdk/ports/template/fl_port_template.c is a starting point.
 * Each says who provides it: "you" (the application's port file) or "ports/cortex-m" / "ports/posix". */
#ifndef FAULTLINE_PORT_H
#define FAULTLINE_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/compiler.h"
#include "faultline/config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Coredump storage: a flash-like area (you) ------------------------------------------------------------
 * Semantics are those of NOR flash: erased bytes read 0xFF; erase works on whole sectors; a write covers whole
 * units of `write_granule` bytes at granule-aligned offsets, and each unit is written at most once between
 * erases. The SDK never writes a unit twice and never writes during fl_port_storage_erase(). Offsets are from
 * the start of the area. The fault path calls read and write (never erase) with interrupts masked. */
struct fl_storage_info {
	uint32_t size;          /* bytes; a multiple of sector_size; at least 1 KiB is useful */
	uint32_t sector_size;   /* erase unit, bytes */
	uint32_t write_granule; /* write unit, bytes: a power of two, 1..FL_STORAGE_GRANULE_MAX */
};

/* Describe the area. out: filled. Called once, by fl_init() (the fault path uses what it said then). */
void fl_port_storage_info(struct fl_storage_info *out);

/* Read len bytes at offset into buf (caller's). Returns 0, or a negative value on a hardware error. */
int fl_port_storage_read(uint32_t offset, void *buf, size_t len);

/* Program len bytes from buf at offset; offset and len are multiples of write_granule. Returns 0 or negative. */
int fl_port_storage_write(uint32_t offset, const void *buf, size_t len);

/* Erase [offset, offset + len), whole sectors. May take long; never called from the fault path.
 * Returns 0 or negative. */
int fl_port_storage_erase(uint32_t offset, size_t len);

/* ---- Identity (you, except the build-id) ------------------------------------------------------------------ */
struct fl_device_info {
	const char *serial;     /* unique per device, 1..64 chars of A-Z a-z 0-9 . _ : - (docs/FORMAT.md §6) */
	const char *sw_version; /* the firmware's version, 1..64 printable chars, e.g. "1.4.2" */
	const char *hw_version; /* the board's revision, 0..64 printable chars; NULL or "" when none */
};

/* Fill out with pointers to strings that live as long as the program (the SDK keeps the pointers). */
void fl_port_device_info(struct fl_device_info *out);

/* The running image's GNU build-id (ports/cortex-m reads it from the note the linker placed; ports/posix from
 * the executable). out: set to the id bytes, owned by the port. Returns their count, 8..64, or 0 when the image
 * has none (link with -Wl,--build-id). */
size_t fl_port_build_id(const uint8_t **out);

/* A value that differs between consecutive boots (docs/FORMAT.md §3.3): a boot counter kept in flash or a
 * backup register, or 32 random bits from a hardware RNG. Called once, by fl_init(), before any other port
 * function (before fl_port_reset_cause() too): what it reads must be set up before fl_init() or by it. */
uint32_t fl_port_boot_id(void);

/* ---- Reset (you: the reset cause; the ports: reboot) ------------------------------------------------------ */

/* Why the chip reset, from its reset-status register; called once, by fl_init(), after fl_port_boot_id() and the
 * storage check. raw: set to that register's value (0 if none).
 * Returns the matching reason code (FL_REASON_POWER_ON, _PIN_RESET, _BROWNOUT, _WATCHDOG, _SOFTWARE_RESET...), or
 * FL_REASON_UNKNOWN. Clear the hardware flags here if the chip keeps them across resets. */
uint16_t fl_port_reset_cause(uint32_t *raw);

/* Reset the system now (ports/cortex-m: SYSRESETREQ; ports/posix: end the process). Never returns. */
FL_NORETURN void fl_port_reboot(void);

/* Capture a coredump of the calling context now and reboot: used by FL_ASSERT and fl_fatal_error()
 * (ports/cortex-m: pends an NMI, whose handler captures; ports/posix: raises SIGABRT). Never returns. */
FL_NORETURN void fl_port_capture_now(void);

/* Milliseconds since boot, monotonic, or 0 when the port has no clock (then coredumps carry no uptime and no
 * heartbeat is ever due: faultline/metrics.h). Called in the fault path, by fl_metrics_poll(), and with
 * fl_port_lock() held by heartbeats and metric timers (so from interrupts where the application uses timers
 * there): read it without taking locks or blocking. */
uint64_t fl_port_uptime_ms(void);

/* How many of the len bytes starting at addr can be read without faulting (0..len), e.g. by checking them
 * against the RAM ranges of the chip. The coredump clips every region with it, and ports/cortex-m reads the
 * exception frame only when all of it is readable (else the dump is FL_CAPTURE_FRAME_UNRELIABLE): cover every
 * stack. Called from the fault path. */
size_t fl_port_memory_readable(uintptr_t addr, size_t len);

/* ---- Optional -------------------------------------------------------------------------------------------- */
#if FL_PORT_HAS_LOCK
/* Mask the interrupts that may use the SDK (and nest). Needed when events are queued from interrupts. */
void fl_port_lock(void);
void fl_port_unlock(void);
#else
static inline void fl_port_lock(void) {}
static inline void fl_port_unlock(void) {}
#endif

struct fl_region {
	uintptr_t addr;
	size_t len;
};

#if FL_PORT_HAS_REGIONS
/* Extra memory to capture in a coredump (RTOS task control blocks, a log buffer). out: up to max regions. They may
 * overlap the stack, the registered regions or each other: the dump takes only the bytes no earlier region holds
 * (the stack first, then registered regions, then these, in order). Called from the fault path: must only read
 * memory. Returns the number of regions written. */
size_t fl_port_coredump_regions(struct fl_region *out, size_t max);
#else
static inline size_t fl_port_coredump_regions(struct fl_region *out, size_t max)
{
	(void)out;
	(void)max;
	return 0;
}
#endif

#ifdef __cplusplus
}
#endif
#endif
