/* SPDX-License-Identifier: Apache-2.0 */
/* The commands the demo's scenarios are made of. Each is an ordinary feature with an ordinary bug. */
#include "commands.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "devices.h"
#include "parser.h"
#include "sampler.h"
#include "ticker.h"

#define ARGS_MAX 4

struct command {
	const char *name;
	const char *help;
	void (*run)(int argc, char **argv);
};

static char s_line[64]; /* the line being run: a coredump carries it */

static void cmd_status(int argc, char **argv)
{
	(void)argc;
	(void)argv;
#ifdef APP_SHIFTED
	if (argc > 1 && strcmp(argv[1], "dma") == 0)
		log_line("dma: %s", dma_busy() ? "busy" : "idle");
#endif
	log_line("status: up %lu ms", (unsigned long)ticker_ms());
}

static void cmd_dma(int argc, char **argv)
{
	static uint8_t src[16], dst[16];

	(void)argc;
	(void)argv;
	dma_copy(dst, src, sizeof(src)); /* @frame cmd_dma */
	log_line("dma: copied %u bytes", (unsigned)sizeof(src));
}

static void cmd_average(int argc, char **argv)
{
	unsigned window = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 8u;

	log_line("average: %lu", (unsigned long)sampler_average(window)); /* @frame cmd_average */
}

static void cmd_divider(int argc, char **argv)
{
	unsigned divider = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 1u;

	sampler_set_divider(divider); /* @frame cmd_divider */
	log_line("divider: one sample in %u", divider);
}

static void cmd_calc(int argc, char **argv)
{
	log_line("calc: %ld", argc > 1 ? parse_expression(argv[1]) : 0L); /* @frame cmd_calc */
}

static void cmd_unplug(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	sampler_detach();
	log_line("sensor unplugged; %lu samples so far", (unsigned long)sampler_wait()); /* @frame cmd_unplug */
}

static void cmd_save(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	eeprom_write(0x10, 0x5a); /* @frame cmd_save */
	log_line("settings saved");
}

static void cmd_update(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	log_line("starting the update");
	update_apply(); /* @frame cmd_update */
	log_line("the update returned");
}

static const struct command k_commands[] = {
	{"status", "uptime", cmd_status},
	{"dma", "copy a buffer with the DMA engine", cmd_dma},
	{"average", "average [N]: the mean of the next N samples", cmd_average},
	{"divider", "divider N: keep one sample in N", cmd_divider},
	{"calc", "calc EXPR: add numbers, with parentheses", cmd_calc},
	{"unplug", "detach the sensor", cmd_unplug},
	{"save", "store the settings in EEPROM", cmd_save},
	{"update", "start the downloaded firmware", cmd_update},
	{"calibrate", "calibrate the sensor (coming in 1.1)", NULL},
};

int commands_run(const char *line)
{
	char *argv[ARGS_MAX];
	int argc = 0;

	strncpy(s_line, line, sizeof(s_line) - 1);
	for (char *t = strtok(s_line, " "); t != NULL && argc < ARGS_MAX; t = strtok(NULL, " "))
		argv[argc++] = t;
	if (argc == 0)
		return 0;
	for (size_t i = 0; i < sizeof(k_commands) / sizeof(k_commands[0]); i++) {
		if (strcmp(argv[0], k_commands[i].name) == 0) {
			log_line("> %s", line);
			k_commands[i].run(argc, argv); /* @frame dispatch */
			return 0;
		}
	}
	log_line("unknown command '%s'", argv[0]);
	return -1;
}

size_t commands_region(struct fl_region *out)
{
	out->addr = (uintptr_t)s_line;
	out->len = sizeof(s_line);
	return 1;
}
