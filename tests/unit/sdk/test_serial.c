/* SPDX-License-Identifier: Apache-2.0 */
/* sdk/src/serial.c: the SDK's serial lines for the FORMAT.md example chunks equal tests/data's serial.log, with the
 * announcement placed by the chunk itself; fl_chunk_is_first() on the SDK's own chunks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ff/chunk.h"
#include "fake_port.h"
#include "faultline/capture.h"
#include "faultline/faultline.h"
#include "faultline/serial.h"
#include "testdata.h"

static void format_example(void **state)
{
	size_t log_len, file_len, pos = 5, rec_len, n, at = 0;
	char *log = (char *)fl_test_read("format-v1/serial.log", &log_len);
	uint8_t *file = fl_test_read("format-v1/chunks-mtu20.flc", &file_len);
	char line[FL_SERIAL_LINE_SIZE(20)];
	const uint8_t *rec;

	(void)state;
	fake_port_reset();
	g_port.serial = "dev-0042";
	n = fl_serial_announce_line(line, sizeof(line));
	assert_int_equal(n, strlen("#FL:S:dev-0042\n"));
	assert_memory_equal(line, log, n);
	at += n;
	while (ff_batch_next(&rec, &rec_len, file, file_len, &pos, NULL) == 1) {
		n = fl_serial_chunk_line(line, sizeof(line), rec, rec_len);
		assert_int_equal(n, strlen(line));
		assert_true(at + n <= log_len);
		assert_memory_equal(line, log + at, n);
		at += n;
	}
	assert_int_equal(at, log_len);
	free(log);
	free(file);
}

static void buffer_too_small(void **state)
{
	char line[64];
	uint8_t chunk[20] = {0};

	(void)state;
	fake_port_reset();
	assert_int_equal(fl_serial_chunk_line(line, FL_SERIAL_LINE_SIZE(20) - 1, chunk, 20), 0);
	assert_int_equal(fl_serial_chunk_line(line, FL_SERIAL_LINE_SIZE(20), chunk, 20), FL_SERIAL_LINE_SIZE(20) - 1);
	assert_int_equal(fl_serial_announce_line(line, 8), 0);
	g_port.serial = "";
	assert_int_equal(fl_serial_announce_line(line, sizeof(line)), 0);
}

/* fl_serial_chunk_lines() over the example's chunks writes serial.log exactly: the announcement comes with the
 * message's first chunk, and only there. */
static void lines_announce_first_chunks(void **state)
{
	size_t log_len, file_len, pos = 5, rec_len, n, at = 0, chunks = 0;
	char *log = (char *)fl_test_read("format-v1/serial.log", &log_len);
	uint8_t *file = fl_test_read("format-v1/chunks-mtu20.flc", &file_len);
	char lines[FL_SERIAL_LINES_SIZE(20)], line[FL_SERIAL_LINE_SIZE(20)];
	const uint8_t *rec;

	(void)state;
	fake_port_reset();
	g_port.serial = "dev-0042";
	while (ff_batch_next(&rec, &rec_len, file, file_len, &pos, NULL) == 1) {
		n = fl_serial_chunk_lines(lines, sizeof(lines), rec, rec_len);
		assert_int_equal(n, strlen(lines));
		assert_true(at + n <= log_len);
		assert_memory_equal(lines, log + at, n);
		if (chunks++ > 0) { /* a continuation chunk: its line alone */
			assert_int_equal(fl_serial_chunk_line(line, sizeof(line), rec, rec_len), n);
			assert_memory_equal(line, lines, n);
		}
		at += n;
	}
	assert_int_equal(chunks, 4);
	assert_int_equal(at, log_len);
	free(log);
	free(file);
}

static void lines_buffer_and_serial(void **state)
{
	static const char k_serial64[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	uint8_t first[20] = {0x81}, next[20] = {0x3e};
	char out[FL_SERIAL_LINES_SIZE(20) + 8];
	size_t need = strlen("#FL:S:dev-1\n") + FL_SERIAL_LINE_SIZE(20);

	(void)state;
	fake_port_reset();
	assert_int_equal(fl_serial_chunk_lines(out, need - 1, first, 20), 0); /* no room for both lines */
	assert_int_equal(fl_serial_chunk_lines(out, need, first, 20), need - 1);
	assert_memory_equal(out, "#FL:S:dev-1\n#FL:C:", 17);
	assert_int_equal(fl_serial_chunk_lines(out, FL_SERIAL_LINE_SIZE(20), next, 20), FL_SERIAL_LINE_SIZE(20) - 1);
	assert_memory_equal(out, "#FL:C:", 6);
	g_port.serial = k_serial64; /* the longest serial: FL_SERIAL_LINES_SIZE is enough */
	assert_int_equal(fl_serial_chunk_lines(out, FL_SERIAL_LINES_SIZE(20), first, 20), FL_SERIAL_LINES_SIZE(20) - 1);
	assert_int_equal(fl_serial_announce_line(out, FL_SERIAL_ANNOUNCE_SIZE), FL_SERIAL_ANNOUNCE_SIZE - 1);
	g_port.serial = ""; /* no serial: the chunk line alone */
	assert_int_equal(fl_serial_chunk_lines(out, sizeof(out), first, 20), FL_SERIAL_LINE_SIZE(20) - 1);
	assert_memory_equal(out, "#FL:C:", 6);
	g_port.serial = NULL;
	assert_int_equal(fl_serial_chunk_lines(out, sizeof(out), first, 20), FL_SERIAL_LINE_SIZE(20) - 1);
}

/* On the SDK's own chunks: the first of each message, and no other. */
static void is_first(void **state)
{
	static uint8_t events[256];
	struct fl_init_params p = {events, sizeof(events)};
	struct fl_capture capture;
	uint8_t chunk[FL_CHUNK_MIN];
	size_t len, firsts = 0, chunks = 0;
	struct ff_chunk c;

	(void)state;
	fake_port_reset();
	g_port.readable_limit = 64;
	assert_int_equal(fl_init(&p, NULL), 0); /* a reboot event */
	fake_capture(&capture, FL_REASON_HARD_FAULT);
	assert_int_equal(fl_coredump_save(&capture), 0); /* and a coredump: two messages */
	while (fl_chunk_next(chunk, sizeof(chunk), &len) == 0) {
		assert_int_equal(ff_chunk_parse(&c, chunk, len, NULL), 0);
		assert_int_equal(fl_chunk_is_first(chunk, len), c.kind == FF_CHUNK_FIRST);
		firsts += c.kind == FF_CHUNK_FIRST;
		chunks++;
	}
	assert_int_equal(firsts, 2);
	assert_true(chunks > 20);
	assert_false(fl_chunk_is_first(NULL, 1));
	assert_false(fl_chunk_is_first(chunk, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format_example),
		cmocka_unit_test(buffer_too_small),
		cmocka_unit_test(lines_announce_first_chunks),
		cmocka_unit_test(lines_buffer_and_serial),
		cmocka_unit_test(is_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
