/* SPDX-License-Identifier: Apache-2.0 */
/* A host port for SDK unit tests: RAM "flash" that enforces flash rules and can lose power at any byte, fixed
 * identity, and a reboot that returns to the test through longjmp. */
#ifndef FL_FAKE_PORT_H
#define FL_FAKE_PORT_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "faultline/port.h"

#define FAKE_FLASH_MAX (64 * 1024)

struct fake_port {
	/* storage */
	uint8_t flash[FAKE_FLASH_MAX];
	bool programmed[FAKE_FLASH_MAX]; /* written since the last erase */
	uint32_t size, sector, granule;
	long power_budget;    /* bytes that may still be programmed before power fails; < 0: unlimited */
	long erase_budget;    /* sectors that may still be erased before power fails; < 0: unlimited */
	bool dead;            /* power failed: writes and erases do nothing until fake_port_power_on() */
	unsigned violations;  /* writes to unerased bytes, misaligned writes or erases: must stay 0 */
	unsigned writes, erases;
	bool fail_reads;
	/* identity and reset */
	const char *serial, *sw_version, *hw_version;
	uint8_t build_id[64];
	size_t build_id_len;
	uint32_t next_boot_id;
	uint16_t reset_reason;
	uint32_t reset_raw;
	uint64_t uptime;
	size_t readable_limit; /* fl_port_memory_readable() clips every region to this many bytes */
	/* optional port functions (an SDK built with FL_PORT_HAS_LOCK / FL_PORT_HAS_REGIONS) */
	unsigned locks, unlocks, lock_depth_max;
	struct fl_region extra[4];
	size_t nextra;
	/* reboot */
	jmp_buf *reboot_jmp;   /* fl_port_reboot()/capture_now() longjmp here (1 = reboot) when set */
	unsigned reboots;
};

extern struct fake_port g_port;

/* Defaults: 8 KiB of erased flash in 1 KiB sectors, granule 8, serial "dev-1", sw "1.0.0", hw "rev-a",
 * a 20-byte build-id 0x00 0x01 ..., boot ids 1, 2, 3..., reset cause unknown, everything readable. */
void fake_port_reset(void);

/* Power is back: writes and erases work again. */
void fake_port_power_on(void);

/* A minimal Cortex-less capture for host tests: registers 0..n-1 as values, sp at a static fake stack. */
struct fl_capture;
void fake_capture(struct fl_capture *out, uint16_t reason);

/* The saved coredump's message in the fake flash (stored_message_in() of decode.h), or NULL. */
const uint8_t *stored_message(size_t *out_len);

/* The fake stack fake_capture() points at, and its size. */
extern uint8_t g_fake_stack[4096];

#endif
