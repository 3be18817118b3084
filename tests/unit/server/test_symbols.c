/* SPDX-License-Identifier: Apache-2.0 */
/* server/src/symbols.c: an upload that the disk refuses is said to be that (not "larger than the limit"), one above
 * the limit is, a file that is no ELF is refused with the reason, a real firmware ELF is kept by its build-id and
 * the messages waiting for it are queued again; nothing refused is left on disk. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <dirent.h>

#include "server_fixture.h"
#include "symbols.h"
#include "testdata.h"

struct fixture {
	struct srv_test_store t; /* first: srv_test_teardown frees the fixture */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	srv_test_store_open(&f->t, "symbols");
	*state = f;
	return 0;
}

/* Files left in DIR/symbols. */
static int files_left(struct fixture *f)
{
	char path[128];
	DIR *d;
	struct dirent *e;
	int n = 0;

	snprintf(path, sizeof(path), "%s/symbols", f->t.dir);
	d = opendir(path);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Upload len bytes of data in pieces of piece bytes. */
static void upload(struct fixture *f, const uint8_t *data, size_t len, size_t piece, size_t max,
		   struct srv_upload_result *out)
{
	struct srv_analyst_config analysis;
	struct srv_upload *u;
	char why[256];

	assert_int_equal(srv_symbols_upload_begin(&u, f->t.dir, max, why, sizeof(why)), 0);
	for (size_t at = 0; at < len; at += piece)
		srv_upload_write(u, data + at, len - at < piece ? len - at : piece);
	srv_test_analysis(&analysis, f->t.dir);
	srv_symbols_finish(u, f->t.s, &analysis, out);
}

/* In a child whose files may not grow past 64 KiB (the kernel refuses the write, as a full disk does): the
 * outcome of uploading 256 KiB in 32 KiB pieces (a write fails), and of 64 KiB - 100 B then 200 B (the last piece
 * waits in the stdio buffer: the close fails). */
static void disk_refuses(void **state)
{
	struct fixture *f = *state;
	static uint8_t data[256 * 1024];

	for (int c = 0; c < 2; c++) {
		pid_t pid = fork();
		int status;

		assert_true(pid >= 0);
		if (pid == 0) {
			struct rlimit lim = {64 * 1024, 64 * 1024};
			struct srv_upload_result r;

			signal(SIGXFSZ, SIG_IGN);
			if (setrlimit(RLIMIT_FSIZE, &lim) != 0)
				_exit(10);
			upload(f, data, c == 0 ? sizeof(data) : 64 * 1024 + 100, c == 0 ? 32 * 1024 : 64 * 1024 - 100, 1u << 20,
			       &r);
			if (r.outcome != SRV_UPLOAD_NO_SPACE)
				_exit(11);
			if (strstr(r.why, "could not write the upload to its disk (File too large)") == NULL)
				_exit(12);
			if (strstr(r.why, "limit") != NULL || strstr(r.why, "MiB") != NULL)
				_exit(13); /* not the size limit: the disk */
			_exit(files_left(f) == 0 ? 0 : 14);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
}

static void too_large_and_not_an_elf(void **state)
{
	struct fixture *f = *state;
	static uint8_t data[3 << 20];
	struct srv_upload_result r;

	upload(f, data, sizeof(data), 65536, 2u << 20, &r);
	assert_int_equal(r.outcome, SRV_UPLOAD_TOO_LARGE);
	assert_string_equal(r.why, "the file is larger than the limit of 2 MiB (faultline-server --symbols-max-mb)");
	assert_int_equal(r.size, sizeof(data));
	upload(f, (const uint8_t *)"not an elf", 10, 10, 2u << 20, &r);
	assert_int_equal(r.outcome, SRV_UPLOAD_BAD_ELF);
	assert_non_null(strstr(r.why, "the upload"));
	assert_non_null(strstr(r.why, "not an ELF file"));
	assert_int_equal(files_left(f), 0);
}

/* A firmware ELF is kept as DIR/symbols/<build-id>.elf; the messages waiting for it are queued again. */
static void firmware_kept_by_build_id(void **state)
{
	struct fixture *f = *state;
	size_t len;
	uint8_t *elf = fl_test_read_path(FL_TEST_ELF, &len);
	struct srv_upload_result r;
	char path[256];
	int64_t dev, msg, count;
	bool fresh;

	assert_int_equal(f->t.s->ops->device(f->t.s, "dev-1", 100, true, &dev, NULL), 0);
	assert_int_equal(f->t.s->ops->message_add(f->t.s, dev, (const uint8_t *)"dump", 4, 100, &msg, &fresh), 0);
	upload(f, elf, len, 4096, 256u << 20, &r);
	assert_int_equal(r.outcome, SRV_UPLOAD_STORED);
	assert_int_equal(strlen(r.build_id), 40);
	assert_int_equal(r.requeued, 0);
	assert_int_equal(srv_symbols_path(path, sizeof(path), f->t.dir, r.build_id), 0);
	assert_int_equal(access(path, R_OK), 0);
	assert_int_equal(files_left(f), 1);
	assert_int_equal(f->t.s->ops->job_finish(f->t.s, msg, SRV_MSG_SYMBOLS_MISSING, r.build_id), 0);
	upload(f, elf, len, 65536, 256u << 20, &r); /* again: replaces, and queues the waiting message */
	assert_int_equal(r.outcome, SRV_UPLOAD_STORED);
	assert_int_equal(r.requeued, 1);
	assert_int_equal(files_left(f), 1);
	assert_int_equal(f->t.s->ops->symbols_arrived(f->t.s, r.build_id, &count), 0);
	assert_int_equal(count, 0);
	free(elf);
}

/* An upload a stopped server left half written is removed at the next start; symbol files stay. */
static void unfinished_uploads_swept(void **state)
{
	struct fixture *f = *state;
	struct srv_upload_result r;
	char path[256];
	size_t len;
	uint8_t *elf = fl_test_read_path(FL_TEST_ELF, &len);
	FILE *stray;

	upload(f, elf, len, 65536, 256u << 20, &r);
	assert_int_equal(r.outcome, SRV_UPLOAD_STORED);
	snprintf(path, sizeof(path), "%s/symbols/upload-Ab12Cd", f->t.dir);
	stray = fopen(path, "wb");
	assert_non_null(stray);
	fputs("half an ELF", stray);
	fclose(stray);
	assert_int_equal(files_left(f), 2);
	assert_int_equal(srv_symbols_sweep(f->t.dir), 1);
	assert_int_equal(files_left(f), 1);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(srv_symbols_sweep(f->t.dir), 0);
	free(elf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(disk_refuses, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(too_large_and_not_an_elf, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(firmware_kept_by_build_id, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(unfinished_uploads_swept, setup, srv_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
