/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: what a worker does with a device's message: decoded (format/), and a Cortex-M coredump analyzed
 * against a real firmware ELF (FL_FUZZ_ELF: the faults-m3 test firmware; its build-id is not checked, so that any
 * mutated dump reaches the unwinder), its report written as JSON and read back, its ELF core built.
 * Beyond "no crash" and no leak: the report read back from its JSON writes the same JSON. Seeds: the messages of
 * the on-target crash logs (tests/fuzz/log2msgs). What this leaves untested: libdw itself is not instrumented, so
 * coverage stops at its boundary (the ELF is fixed: fuzz_elf mutates it). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fa/core.h"
#include "fa/elf.h"
#include "fa/report.h"
#include "ff/message.h"
#include "round_trip.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fa_elf *s_elf;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path = getenv("FL_FUZZ_ELF");
	struct ff_error err = {0};

	(void)argc, (void)argv;
	if (path == NULL || fa_elf_open(&s_elf, path, &err) != 0) {
		fprintf(stderr, "fuzz_analysis: set FL_FUZZ_ELF to a firmware ELF (%s)\n", path ? err.msg : "not set");
		exit(2);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fa_report report;
	struct ff_message m = {0};
	uint8_t *core = NULL;
	size_t core_len = 0;

	if (ff_message_parse(&m, data, size, NULL) == 0 && m.type == FF_MSG_COREDUMP && m.arch == 40 && m.os == 0 &&
	    fa_report_build(&report, s_elf, &m, NULL) == 0) {
		fuzz_report_round_trip(&report);
		if (fa_core_build_threads(&core, &core_len, &m, &report.threads, NULL) == 0 && core_len == 0)
			abort();
		free(core);
	}
	ff_message_free(&m);
	return 0;
}
