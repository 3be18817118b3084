/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: a mutated firmware ELF, opened as a worker opens an uploaded one (analysis/src/elf.c) and used as a
 * worker uses it: the coredumps of real QEMU crashes analyzed against it (FL_FUZZ_MSGS: a folder of messages made
 * by tests/fuzz/log2msgs), lookups at the dumps' pc and lr and at edge addresses, the report's JSON. The build-id
 * check is made and its answer ignored (fa_report_build() does not check: a worker's check would refuse the other
 * firmware's seed and every mutated note). Beyond "no crash" and no leak: an open ELF has a build-id of 8..64
 * bytes; lookups keep their documented bounds (1..max entries, a function named or "?", no negative line); an
 * answer with room 1 is the first entry of the one with more room; the report read back from its JSON writes the
 * same JSON. Seeds: the build's firmware ELFs and variants of them (tests/fuzz/elf-seeds.sh). What this leaves
 * untested: libdw and libelf are not instrumented, so coverage stops at their boundary (new paths inside them are
 * not progress to libFuzzer, and seeds that differ only in what libdw reads look alike: -keep_seed=1). */
#define _GNU_SOURCE /* memfd_create() */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fa/elf.h"
#include "fa/report.h"
#include "ff/message.h"
#include "round_trip.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MSGS_MAX 4u       /* dumps analyzed per input: each costs an unwind and a dozen lookups */
#define MSG_FILE_MAX (1u << 20)
#define SYMS 8u           /* the room fa_report_build() gives a lookup */

static struct ff_message s_msgs[MSGS_MAX];
static size_t s_nmsgs;
static int s_fd = -1;     /* the memfd the input is written to, reused by every run */
static char s_path[64];   /* its name for fa_elf_open() */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A message file, parsed; kept when it is a Cortex-M coredump (the dumps fa_report_build() unwinds). */
static void load_msg(const char *dir, const char *name)
{
	static uint8_t buf[MSG_FILE_MAX];
	struct ff_message *m = &s_msgs[s_nmsgs];
	char path[4096];
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL)
		return;
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (ff_message_parse(m, buf, len, NULL) == 0 && m->type == FF_MSG_COREDUMP && m->arch == 40 && m->os == 0)
		s_nmsgs++;
	else
		ff_message_free(m);
}

/* The first MSGS_MAX coredumps of dir, by file name (the same ones every run). */
static void load_msgs(const char *dir)
{
	char *names[256];
	size_t n = 0;
	struct dirent *d;
	DIR *dh = opendir(dir);

	if (dh == NULL)
		return;
	while ((d = readdir(dh)) != NULL && n < sizeof(names) / sizeof(names[0]))
		if (d->d_name[0] != '.' && (names[n] = strdup(d->d_name)) != NULL)
			n++;
	closedir(dh);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (s_nmsgs < MSGS_MAX)
			load_msg(dir, names[i]);
		free(names[i]);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("FL_FUZZ_MSGS");

	(void)argc, (void)argv;
	if (dir != NULL)
		load_msgs(dir);
	if (s_nmsgs == 0) {
		fprintf(stderr, "fuzz_elf: set FL_FUZZ_MSGS to a folder of Cortex-M coredump messages (%s)\n",
			dir != NULL ? "it has none" : "not set");
		exit(2);
	}
	s_fd = memfd_create("fuzz_elf", MFD_CLOEXEC);
	if (s_fd < 0) {
		perror("fuzz_elf: memfd_create");
		exit(2);
	}
	snprintf(s_path, sizeof(s_path), "/proc/self/fd/%d", s_fd);
	return 0;
}

static void check_syms(const struct fa_sym *s, size_t n, size_t max)
{
	if (n > max)
		abort();
	for (size_t i = 0; i < n; i++)
		if (memchr(s[i].function, '\0', sizeof(s[i].function)) == NULL || s[i].function[0] == '\0' ||
		    memchr(s[i].file, '\0', sizeof(s[i].file)) == NULL || s[i].line < 0)
			abort();
}

/* What the report asks of the ELF at a code address, asked directly. */
static void lookups(struct fa_elf *e, uint64_t pc, uint64_t lr)
{
	struct fa_sym syms[SYMS], one[1];
	const char *name = NULL;
	uint8_t code[4];
	size_t n;

	pc &= ~(uint64_t)1;
	lr &= ~(uint64_t)1;
	n = fa_elf_symbolize(e, pc, syms, SYMS);
	check_syms(syms, n, SYMS);
	if (n == 0 || fa_elf_symbolize(e, pc, one, 1) != 1 || memcmp(&one[0], &syms[0], sizeof(one[0])) != 0)
		abort();
	check_syms(syms, fa_elf_tail_calls(e, pc, lr, syms, SYMS), SYMS);
	if (fa_elf_function_at(e, pc, &name) != 0 && name == NULL)
		abort();
	(void)fa_elf_read(e, pc, code, sizeof(code));
}

static void analyze(struct fa_elf *e, const struct ff_message *m)
{
	static struct fa_report report;

	(void)fa_elf_check_build_id(e, m->build_id, m->build_id_len, NULL);
	if (fa_report_build(&report, e, m, NULL) != 0)
		abort(); /* a coredump always gives a report */
	fuzz_report_round_trip(&report);
	lookups(e, m->core.regs[FF_CM_PC], m->core.regs[FF_CM_LR]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t edges[] = {0, 1, 0x400, 0xfffffffe, UINT64_MAX - 1};
	struct fa_elf *e;
	const uint8_t *id;
	size_t id_len;

	if (ftruncate(s_fd, 0) != 0 || pwrite(s_fd, data, size, 0) != (ssize_t)size)
		abort();
	if (fa_elf_open(&e, s_path, NULL) != 0)
		return 0;
	id_len = fa_elf_build_id(e, &id);
	if (id_len < 8 || id_len > 64 || id == NULL)
		abort();
	(void)fa_elf_machine(e);
	for (size_t i = 0; i < s_nmsgs; i++)
		analyze(e, &s_msgs[i]);
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		lookups(e, edges[i], edges[i]);
	fa_elf_close(e);
	return 0;
}
