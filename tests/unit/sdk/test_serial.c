/* SPDX-License-Identifier: Apache-2.0 */
/* sdk/src/serial.c: the SDK's serial lines for the FORMAT.md example chunks equal tests/data's serial.log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ff/chunk.h"
#include "fake_port.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format_example),
		cmocka_unit_test(buffer_too_small),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
