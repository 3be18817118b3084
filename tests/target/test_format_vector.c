/* SPDX-License-Identifier: Apache-2.0 */
/* On target: the SDK reproduces docs/FORMAT.md's worked example byte for byte — the reboot event after a watchdog
 * reset, sent by boot 7 as its message 3, at MTU 20 — as chunks (tests/data/format-v1/chunks-mtu20.flc) and as
 * serial lines (serial.log). This image brings its own port with the example's identity (storage: the board's).
 * Command line: the tests/data directory on the host (read through semihosting). */
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "faultline/capture.h"
#include "faultline/faultline.h"
#include "faultline/port.h"

static const uint8_t k_build_id[20] = {0xb5, 0x97, 0x17, 0x77, 0x7d, 0xbc, 0xe2, 0xd0, 0xa4, 0xe2,
				       0x7b, 0x7d, 0xd7, 0xdf, 0xf3, 0x4f, 0xb0, 0x8e, 0xd8, 0x69};
static uint32_t s_next_boot = 6;
static uint16_t s_reset = FL_REASON_POWER_ON;
static uint32_t s_reset_raw;

void fl_port_device_info(struct fl_device_info *out)
{
	out->serial = "dev-0042";
	out->sw_version = "1.4.2";
	out->hw_version = "evt2";
}

size_t fl_port_build_id(const uint8_t **out)
{
	*out = k_build_id;
	return sizeof(k_build_id);
}

uint32_t fl_port_boot_id(void)
{
	return s_next_boot++;
}

uint16_t fl_port_reset_cause(uint32_t *raw)
{
	*raw = s_reset_raw;
	return s_reset;
}

void fl_port_reboot(void)
{
	board_exit(5);
}

void fl_port_capture_now(void)
{
	board_exit(6);
}

uint64_t fl_port_uptime_ms(void)
{
	return 0;
}

size_t fl_port_memory_readable(uintptr_t addr, size_t len)
{
	(void)addr;
	return len;
}

static uint8_t s_events[128];

static void boot(void)
{
	struct fl_init_params p = {s_events, sizeof(s_events)};

	BOARD_CHECK(fl_init(&p, NULL) == 0);
}

/* Send one whole message, dropping its chunks. */
static void send_one(void)
{
	uint8_t chunk[64];
	size_t len;

	BOARD_CHECK(fl_chunk_next(chunk, sizeof(chunk), &len) == 0);
	while (fl_coredump_pending())
		BOARD_CHECK(fl_chunk_next(chunk, sizeof(chunk), &len) == 0);
}

int main(void)
{
	static uint8_t file[256];
	static char log[512];
	const char *data = board_cmdline();
	char path[200], line[FL_SERIAL_LINES_SIZE(20)];
	uint8_t chunk[20];
	uintptr_t regs[20] = {0};
	struct fl_capture c = {.reason = FL_REASON_HARD_FAULT, .regs = regs, .nregs = 20};
	size_t len, at = 5, log_at = 0;
	long file_len, log_len;

	boot(); /* boot 6: a quiet boot */
	s_reset = FL_REASON_WATCHDOG;
	s_reset_raw = 0x24000000u;
	boot(); /* boot 7, after a watchdog reset: the reboot event is queued */
	for (int i = 0; i < 3; i++) { /* messages 0..2 of boot 7: three small coredumps */
		BOARD_CHECK(fl_coredump_save(&c) == 0);
		send_one();
	}

	snprintf(path, sizeof(path), "%s/format-v1/chunks-mtu20.flc", data);
	file_len = board_read_file(path, file, sizeof(file));
	snprintf(path, sizeof(path), "%s/format-v1/serial.log", data);
	log_len = board_read_file(path, log, sizeof(log));
	BOARD_CHECK(file_len == 84 && log_len > 0);
	while (fl_chunk_next(chunk, sizeof(chunk), &len) == 0) {
		BOARD_CHECK(at + 1 + len <= (size_t)file_len && file[at] == len);
		BOARD_CHECK(memcmp(chunk, file + at + 1, len) == 0);
		at += 1 + len;
		BOARD_CHECK(fl_serial_chunk_lines(line, sizeof(line), chunk, len) > 0); /* the first: announced */
		BOARD_CHECK(log_at + strlen(line) <= (size_t)log_len && memcmp(line, log + log_at, strlen(line)) == 0);
		log_at += strlen(line);
	}
	BOARD_CHECK(at == (size_t)file_len && log_at == (size_t)log_len);
	board_puts("format vector: the SDK's chunks and serial lines equal tests/data/format-v1\n");
	return 0;
}
