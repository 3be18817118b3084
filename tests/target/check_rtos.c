/* SPDX-License-Identifier: Apache-2.0 */
/* check_rtos LOG TASKS CURRENT_VAR [OVERFLOW_TCB]: check the RTOS part of the coredump a FreeRTOS image sent (tests/target/rtos,
 * the SDK's sdk/ports/freertos), with the format library alone: the `rtos` key names FreeRTOS and TASKS tasks,
 * all of them described; the running task (first) is the one the captured pxCurrentTCB (at CURRENT_VAR) points
 * to; every task's control block is in the dump, and each switched-out task's saved context (16 words from its
 * saved stack pointer) too, with its stack's high-water mark measured; no region was dropped as overlapping and
 * nothing was cut for room; with OVERFLOW_TCB, the dump is a stack overflow the kernel's hook reported, naming the
 * task at that address. TASKS "+N" is a dump of corrupt task lists: at least N tasks, the running one first, the
 * rest of the dump whole; nothing is asked of the other tasks. Exit 0 when all holds, 1 with what did not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ff/input.h"
#include "ff/message.h"

static int s_failed;

#define CHECK(cond, ...)                                                                                            \
	do {                                                                                                         \
		if (!(cond)) {                                                                                       \
			printf("check_rtos: " __VA_ARGS__);                                                          \
			printf("\n");                                                                                \
			s_failed = 1;                                                                                \
		}                                                                                                    \
	} while (0)

static uint32_t word_at(const struct ff_coredump *c, uint64_t addr, int *ok)
{
	const uint8_t *p = ff_coredump_memory(c, addr, 4);

	*ok = p != NULL;
	return p != NULL ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24 : 0;
}

int main(int argc, char **argv)
{
	static uint8_t data[1 << 20];
	struct ff_input in;
	struct ff_error err;
	struct ff_message m;
	const struct ff_coredump *c = &m.core;
	FILE *f;
	size_t len, tasks;
	uint64_t current_var, overflow = 0;
	int ok, found = 0, corrupt;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: check_rtos LOG TASKS CURRENT_VAR [OVERFLOW_TCB]\n");
		return 2;
	}
	if (argc == 5)
		overflow = strtoull(argv[4], NULL, 16);
	corrupt = argv[2][0] == '+';
	tasks = strtoul(argv[2] + corrupt, NULL, 0);
	current_var = strtoull(argv[3], NULL, 16);
	if ((f = fopen(argv[1], "rb")) == NULL)
		return perror(argv[1]), 2;
	len = fread(data, 1, sizeof(data), f);
	fclose(f);
	if (ff_input_read(&in, data, len, &err) != 0)
		return printf("check_rtos: %s\n", err.msg), 1;
	for (size_t i = 0; i < in.n && !found; i++) {
		if (ff_message_parse(&m, in.msgs[i].bytes, in.msgs[i].len, &err) != 0) {
			printf("check_rtos: message %zu: %s\n", i + 1, err.msg);
			ff_message_free(&m);
			continue;
		}
		if (m.type != FF_MSG_COREDUMP) {
			ff_message_free(&m);
			continue;
		}
		found = 1;
		CHECK(c->has_rtos && c->rtos_kind == FF_RTOS_FREERTOS, "no rtos key naming FreeRTOS");
		CHECK(corrupt ? c->ntasks >= tasks : c->rtos_found == tasks && c->ntasks == tasks,
		      "%llu tasks found, %zu described; want %s%zu", (unsigned long long)c->rtos_found, c->ntasks,
		      corrupt ? "at least " : "", tasks);
		CHECK(c->nregions > 0 && c->regions[0].addr == c->regs[FF_CM_SP], "the crash stack is not the first region");
		CHECK(m.notes[0] == '\0', "the decoder noted: %s", m.notes);
		CHECK(overflow == 0 || (c->reason == 0x800b && c->has_rtos_overflow && c->rtos_overflow == overflow),
		      "not a stack overflow naming the task at 0x%llx (reason 0x%04x)", (unsigned long long)overflow,
		      c->reason);
		CHECK(overflow != 0 || !c->has_rtos_overflow, "an overflow is named, none was expected");
		CHECK(!(c->flags & FF_FLAG_TRUNCATED), "the dump was cut for room");
		CHECK(c->ntasks == 0 || word_at(c, current_var, &ok) == c->tasks[0].tcb,
		      "pxCurrentTCB (at 0x%llx) is not captured or not the first task", (unsigned long long)current_var);
		for (size_t t = 0; t < (corrupt ? 0 : c->ntasks); t++) {
			uint32_t top = word_at(c, c->tasks[t].tcb, &ok); /* pxTopOfStack: TCB_t's first member */

			CHECK(ok, "task %zu: its control block at 0x%llx is not in the dump", t,
			      (unsigned long long)c->tasks[t].tcb);
			CHECK(c->tasks[t].has_high_water, "task %zu: no high-water mark", t);
			if (t > 0)
				CHECK(ff_coredump_memory(c, top, 64) != NULL,
				      "task %zu: its saved context at 0x%08x is not in the dump", t, top);
		}
		if (!s_failed)
			printf("check_rtos: %zu tasks, %zu regions, %s\n", c->ntasks, c->nregions,
			       corrupt ? "the running task first, the dump whole"
				       : "every control block and saved context captured");
		ff_message_free(&m);
	}
	CHECK(found, "no coredump in %s", argv[1]);
	ff_input_free(&in);
	return s_failed;
}
