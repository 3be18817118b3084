/* SPDX-License-Identifier: Apache-2.0 */
/* sdk/src/crc32.c: the check value, chaining, and the FORMAT.md worked example's trailer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "crc32_private.h"
#include "testdata.h"

static void check_value(void **state)
{
	(void)state;
	assert_int_equal(fl_crc32_update(0, "123456789", 9), 0xCBF43926u);
	assert_int_equal(fl_crc32_update(0, NULL, 0), 0);
	assert_int_equal(fl_crc32_update(0, "a", 1), 0xE8B7BE43u);
}

static void chaining_equals_one_pass(void **state)
{
	uint8_t buf[300];
	uint32_t whole;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	whole = fl_crc32_update(0, buf, sizeof(buf));
	for (size_t cut = 0; cut <= sizeof(buf); cut += 37)
		assert_int_equal(fl_crc32_update(fl_crc32_update(0, buf, cut), buf + cut, sizeof(buf) - cut), whole);
}

/* docs/FORMAT.md §11: the message's CRC is 0x294917CC, and the stream ends with it little-endian. */
static void format_example_trailer(void **state)
{
	size_t len;
	uint8_t *msg = fl_test_read("format-v1/message.bin", &len);

	(void)state;
	assert_int_equal(len, 59);
	assert_int_equal(fl_crc32_update(0, msg, len), 0x294917CCu);
	free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(check_value),
		cmocka_unit_test(chaining_equals_one_pass),
		cmocka_unit_test(format_example_trailer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
