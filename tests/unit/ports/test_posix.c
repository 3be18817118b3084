/* SPDX-License-Identifier: Apache-2.0 */
/* sdk/ports/posix: each fatal signal in a forked child is captured into the storage file, the child still dies of
 * that signal, the dump decodes (per docs/FORMAT.md, with libcbor) to the registers, the signal and the stack,
 * and the next "boot" finds it unread and sends it. Sanitizers: ASAN_OPTIONS leaves these signals to the port. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "decode.h"
#include "faultline/faultline.h"
#include "faultline/posix.h"

/* An address no process maps; volatile so the compiler cannot see it is constant. */
static volatile uintptr_t s_bad_addr = 16;

enum crash { CRASH_SEGV, CRASH_BUS, CRASH_ILL, CRASH_FPE, CRASH_ABORT, CRASH_ASSERT };

static char s_dir[64], s_path[128];
static uint8_t s_events[256];

static int setup(void **state)
{
	(void)state;
	snprintf(s_dir, sizeof(s_dir), "/tmp/fl-posix-XXXXXX");
	assert_non_null(mkdtemp(s_dir));
	snprintf(s_path, sizeof(s_path), "%s/coredump.bin", s_dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(s_path);
	rmdir(s_dir);
	return 0;
}

static void start(void)
{
	struct fl_posix_config cfg = {s_path, 64 * 1024, "linux-1", "2.0.0", "x86"};
	struct fl_init_params p = {s_events, sizeof(s_events)};

	if (fl_posix_install(&cfg) != 0 || fl_init(&p, NULL) != 0)
		_exit(90);
}

__attribute__((noinline)) static void crash(enum crash how)
{
	char bus_path[160];
	volatile uint8_t *map;
	int fd;

	switch (how) {
	case CRASH_SEGV:
		*(volatile int *)s_bad_addr = 1;
		break;
	case CRASH_BUS: /* a mapped page whose file was truncated away */
		snprintf(bus_path, sizeof(bus_path), "%s/bus", s_dir);
		fd = open(bus_path, O_RDWR | O_CREAT, 0600);
		if (fd < 0 || ftruncate(fd, 4096) != 0)
			_exit(91);
		map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED || ftruncate(fd, 0) != 0)
			_exit(92);
		unlink(bus_path);
		(void)map[0];
		break;
	case CRASH_ILL:
		__builtin_trap();
		break;
	case CRASH_FPE:
#if defined(__x86_64__)
		__asm__ volatile("xor %%ecx, %%ecx\n idiv %%ecx" : : "a"(1), "d"(0) : "ecx");
#else
		raise(SIGFPE);
#endif
		break;
	case CRASH_ABORT:
		abort();
	case CRASH_ASSERT:
		FL_ASSERT(how == CRASH_SEGV);
		break;
	}
	_exit(93);
}

/* Run a crash in a child; it must die of signo. Then a second child boots, must find the dump unread, and sends
 * everything. Returns the stored message (copied) for the caller to decode. */
static uint8_t *crash_and_reboot(enum crash how, int signo, size_t *out_len)
{
	static uint8_t storage[64 * 1024];
	const uint8_t *m;
	uint8_t *copy;
	int status;
	pid_t pid = fork();
	FILE *f;

	assert_true(pid >= 0);
	if (pid == 0) {
		start();
		crash(how);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != signo)
		fail_msg("crash %d: child status 0x%x, want death by signal %d", how, status, signo);

	f = fopen(s_path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(storage, 1, sizeof(storage), f), sizeof(storage));
	fclose(f);
	m = stored_message_in(storage, sizeof(storage), out_len);
	assert_non_null(m);
	copy = malloc(*out_len);
	memcpy(copy, m, *out_len);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		uint8_t chunk[256];
		size_t len, n = 0;

		start();
		if (!fl_coredump_pending())
			_exit(1);
		while (fl_chunk_next(chunk, sizeof(chunk), &len) == 0)
			n++;
		_exit(fl_coredump_pending() || n < 2 ? 2 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	return copy;
}

static void check_dump(const uint8_t *msg, size_t len, uint16_t reason, int signo)
{
	cbor_item_t *m = decode_message(msg, len), *p = map_get(m, 9), *regs, *sig, *regions, *r;
	uintptr_t sp;

#if defined(__x86_64__)
	assert_int_equal(map_uint(m, 2), 62);
#endif
	assert_int_equal(map_uint(m, 3), 1); /* os: POSIX */
	assert_true(cbor_bytestring_length(map_get(m, 4)) >= 8); /* the executable's build-id */
	assert_int_equal(map_uint(p, 1), reason);
	regs = map_get(p, 3);
	assert_true(cbor_isa_bytestring(regs));
#if defined(__x86_64__)
	assert_int_equal(cbor_bytestring_length(regs), 18 * 8);
	memcpy(&sp, cbor_bytestring_handle(regs) + 7 * 8, 8); /* rsp */
#else
	sp = 0;
#endif
	sig = map_get(p, 11);
	assert_true(sig != NULL && cbor_array_size(sig) == 3);
	assert_int_equal(cbor_get_int(cbor_array_handle(sig)[0]), signo);
	if (signo == SIGSEGV)
		assert_int_equal(cbor_get_int(cbor_array_handle(sig)[2]), 16); /* the faulting address */
	regions = map_get(p, 6);
	assert_true(cbor_array_size(regions) >= 1);
	r = cbor_array_get(regions, 0);
	if (sp != 0)
		assert_int_equal(cbor_get_int(cbor_array_handle(r)[0]), sp); /* the stack, from sp */
	assert_true(cbor_bytestring_length(cbor_array_handle(r)[2]) > 0);
	cbor_decref(&r);
	cbor_decref(&m);
}

static void each_signal(void **state)
{
	static const struct {
		enum crash how;
		int signo;
		uint16_t reason;
	} cases[] = {
		{CRASH_SEGV, SIGSEGV, FL_REASON_FATAL_SIGNAL}, {CRASH_BUS, SIGBUS, FL_REASON_FATAL_SIGNAL},
		{CRASH_ILL, SIGILL, FL_REASON_FATAL_SIGNAL},   {CRASH_FPE, SIGFPE, FL_REASON_FATAL_SIGNAL},
		{CRASH_ABORT, SIGABRT, FL_REASON_FATAL_SIGNAL}, {CRASH_ASSERT, SIGABRT, FL_REASON_ASSERT},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		uint8_t *msg = crash_and_reboot(cases[i].how, cases[i].signo, &len);

		check_dump(msg, len, cases[i].reason, cases[i].signo);
		free(msg);
	}
}

static void bad_config(void **state)
{
	struct fl_posix_config cfg = {NULL, 0, "x", "1", NULL};

	(void)state;
	assert_int_equal(fl_posix_install(NULL), FL_ERR_INVALID_ARG);
	assert_int_equal(fl_posix_install(&cfg), FL_ERR_INVALID_ARG);
	cfg.storage_path = "/nonexistent-dir/x";
	assert_int_equal(fl_posix_install(&cfg), FL_ERR_IO);
	cfg.storage_path = s_path;
	cfg.storage_size = 5000; /* not whole sectors */
	assert_int_equal(fl_posix_install(&cfg), FL_ERR_INVALID_ARG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(each_signal, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_config, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
