/* SPDX-License-Identifier: Apache-2.0 */
/* faultline decode: the report of a coredump, offline, from any input form, with the firmware ELF. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fa/core.h"
#include "fa/elf.h"
#include "ff/input.h"
#include "ff/message.h"
#include "ff/reason.h"
#include "fa/report.h"

#define INPUT_MAX (64u * 1024u * 1024u)

static const char k_usage[] = "usage: faultline decode --elf FIRMWARE.elf INPUT [--json] [--core FILE] [--no-variables]\n"
			      "  INPUT: a serial log, a chunk file (.flc), a coredump storage image or a message\n"
			      "  --no-variables: leave out the frames' arguments and locals (faster)\n";

/* Which of the core's threads is which task: GDB 13 numbers a bare-metal core's threads only. */
static void print_core_threads(const struct fa_threads *t)
{
	size_t gdb = 1;

	if (t->rtos == NULL)
		return;
	fprintf(stderr, "faultline decode: the core's threads (GDB: thread apply all bt): 1 = the interrupted context");
	for (size_t i = 0; i < t->n; i++) {
		if (t->v[i].state == FA_THREAD_RUNNING && !t->v[i].has_context)
			fprintf(stderr, " (task \"%s\")", t->v[i].name);
	}
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].has_context)
			fprintf(stderr, ", %zu = \"%s\"", ++gdb, t->v[i].name);
	fprintf(stderr, "\n");
}

int cli_decode(int argc, char **argv)
{
	const char *elf_path = NULL, *input_path = NULL, *core_path = NULL;
	struct ff_input in = {0};
	struct fa_elf *elf = NULL;
	struct fa_report *report = NULL;
	struct ff_error err = {0};
	uint8_t *data = NULL;
	size_t len = 0, dumps = 0;
	bool json = false;
	unsigned options = 0;
	int status = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--elf") == 0 && i + 1 < argc)
			elf_path = argv[++i];
		else if (strcmp(argv[i], "--core") == 0 && i + 1 < argc)
			core_path = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--no-variables") == 0)
			options |= FA_REPORT_NO_VARIABLES;
		else if (argv[i][0] != '-' && input_path == NULL)
			input_path = argv[i];
		else {
			fprintf(stderr, "faultline decode: unexpected argument '%s'\n%s", argv[i], k_usage);
			return 2;
		}
	}
	if (elf_path == NULL || input_path == NULL) {
		fprintf(stderr, "faultline decode: %s required\n%s", elf_path == NULL ? "--elf" : "an INPUT file", k_usage);
		return 2;
	}
	if (fa_elf_open(&elf, elf_path, &err) != 0) {
		fprintf(stderr, "faultline decode: %s\n", err.msg);
		return 1;
	}
	data = cli_read_file("decode", input_path, INPUT_MAX, &len);
	report = calloc(1, sizeof(*report));

	if (data == NULL || report == NULL)
		goto done;
	if (ff_input_read(&in, data, len, &err) != 0) {
		fprintf(stderr, "faultline decode: %s: %s\n", input_path, err.msg);
		goto done;
	}
	if (in.notes[0] != '\0')
		fprintf(stderr, "faultline decode: %s: %zu of %zu chunks or lines refused:\n%s\n", input_path, in.rejected,
			in.chunks + in.rejected, in.notes);
	if (json)
		printf("[");
	status = 0;
	for (size_t i = 0; i < in.n; i++) {
		struct ff_message m;

		if (ff_message_parse(&m, in.msgs[i].bytes, in.msgs[i].len, &err) != 0) {
			fprintf(stderr, "faultline decode: message %zu: %s\n", i + 1, err.msg);
			status = 1;
		} else if (m.type == FF_MSG_REBOOT) {
			const char *name = ff_reason_name(m.reboot.reason);

			if (!json)
				printf("reboot event: boot %u ended with %s (0x%04x)%s\n\n",
				       m.reboot.has_ended_boot_id ? (unsigned)m.reboot.ended_boot_id : 0,
				       name != NULL ? name : "an application-defined reason", m.reboot.reason,
				       m.reboot.coredump ? ", a coredump was saved" : "");
		} else if (m.type != FF_MSG_COREDUMP) {
			fprintf(stderr, "faultline decode: message %zu: type %u is not one this version reads\n", i + 1,
				m.type);
		} else if (fa_elf_check_build_id(elf, m.build_id, m.build_id_len, &err) != 0) {
			fprintf(stderr, "faultline decode: coredump %zu: %s\n", dumps + 1, err.msg);
			status = 1;
		} else if (fa_report_build_options(report, elf, &m, options, &err) == 0) {
			if (json) {
				char *text = fa_report_json(report, FA_JSON_INDENTED);

				if (text == NULL) { /* said, not printed as a JSON with holes */
					fprintf(stderr, "faultline decode: coredump %zu: out of memory writing its JSON\n",
						dumps + 1);
					status = 1;
				}
				printf("%s%s", dumps > 0 ? ",\n" : "\n", text != NULL ? text : "null");
				free(text);
			} else {
				fa_report_print(report, stdout);
				printf("\n");
			}
			if (core_path != NULL &&
			    fa_core_write_threads(core_path, &m, &report->threads, &err) != 0) {
				fprintf(stderr, "faultline decode: --core: %s\n", err.msg);
				status = 1;
			} else if (core_path != NULL) {
				fprintf(stderr, "faultline decode: wrote %s; open it with: " FA_CORE_GDB_COMMAND "\n",
					core_path, elf_path, core_path);
				print_core_threads(&report->threads);
			}
			dumps++;
		}
		ff_message_free(&m);
	}
	if (json)
		printf("%s]\n", dumps > 0 ? "\n" : "");
	if (dumps == 0 && status == 0) {
		fprintf(stderr, "faultline decode: no coredump in %s (%zu messages, %zu chunks)\n", input_path, in.n,
			in.chunks);
		status = 1;
	}
done:
	ff_input_free(&in);
	free(report);
	free(data);
	fa_elf_close(elf);
	return status;
}
