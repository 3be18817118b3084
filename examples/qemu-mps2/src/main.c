/* SPDX-License-Identifier: Apache-2.0 */
/* The demo firmware: boot, start faultline, run the command given on QEMU's command line, and pump faultline's
 * chunks to the console between log lines, where `faultline bridge` picks them up.
 *
 * Command line (QEMU -append): [serial=NAME] [COMMAND ARGS...]. With a command, it runs once on the first boot
 * of the QEMU run (not again after the reset a crash causes), and the firmware exits once everything is sent; with
 * none, it runs like a device in the field, forever. */
#include <string.h>

#include "app.h"
#include "board.h"
#include "commands.h"
#include "faultline/cortex_m.h"
#include "faultline/faultline.h"
#include "faultline/port.h"
#include "ticker.h"

#define CHUNK_MAX 64u    /* bytes of a chunk: its line is 98 characters */
#define SETTLE_MS 300u   /* with a command: how long to keep running after it, for what the ticker does */

/* Send what faultline has queued, each chunk as a "#FL:C:" line, a message's first one after the serial
 * ("#FL:S:"): a bridge that starts listening part way through picks the device up at the next message. */
static void send_chunks(void)
{
	uint8_t chunk[CHUNK_MAX];
	char lines[FL_SERIAL_LINES_SIZE(CHUNK_MAX)];
	size_t len;

	while (fl_chunk_next(chunk, sizeof(chunk), &len) == 0 && len > 0)
		uart_write(lines, fl_serial_chunk_lines(lines, sizeof(lines), chunk, len));
}

/* A reboot reason's name, from the SDK's list of them. */
static const char *reason_name(uint16_t reason)
{
	switch (reason) {
#define FL_REASON(name, code) \
	case code:            \
		return #name;
#include "faultline/reboot_reasons.def"
#undef FL_REASON
	}
	return "an application reason";
}

/* Split "serial=NAME" off the command line; the rest is the command. */
static const char *take_serial(char *args)
{
	static char serial[65];

	if (strncmp(args, "serial=", 7) != 0)
		return args;
	args += 7;
	size_t n = strcspn(args, " ");
	if (n > 0 && n < sizeof(serial)) {
		memcpy(serial, args, n);
		serial[n] = '\0';
		app_set_serial(serial);
	} else {
		log_line("serial=: 1 to 64 characters; keeping the default serial");
	}
	args += n;
	return args + strspn(args, " ");
}

int main(void)
{
	static uint8_t events[256];
	static char args[128];
	struct fl_init_params params = {events, sizeof(events)};
	struct fl_boot_info boot;
	struct fl_device_info id;
	const char *command;
	uint32_t started;

	board_init();
	strncpy(args, board_cmdline(), sizeof(args) - 1);
	command = take_serial(args);
	fl_cm_configure(FL_CM_FAULT_HANDLERS | FL_CM_TRAP_DIV0);
	fl_init(&params, &boot);
	ticker_start();
	fl_port_device_info(&id);
	if (board_cold_boot())
		log_line("demo firmware %s on %s: powered on", APP_VERSION, id.serial);
	else
		log_line("demo firmware %s on %s: restarted after %s (0x%04x)%s", APP_VERSION, id.serial,
			 reason_name(boot.reason), boot.reason,
			 boot.storage == FL_STORAGE_UNREAD ? "; a coredump is waiting to be sent" : "");
	if (board_cold_boot() && command[0] != '\0')
		commands_run(command); /* @frame main_command */
	started = ticker_ms();
	for (;;) {
		send_chunks();
		watchdog_feed();
		if (command[0] != '\0' && ticker_ms() - started >= SETTLE_MS && !fl_chunk_has_data()) {
			log_line("everything sent");
			board_exit(0);
		}
		__asm__ volatile("wfi");
	}
}
