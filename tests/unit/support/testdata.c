/* SPDX-License-Identifier: Apache-2.0 */
/* Reading fixtures from tests/data/ (FL_TEST_DATA is set by CMake). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "testdata.h"

uint8_t *fl_test_read(const char *relpath, size_t *out_len)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", FL_TEST_DATA, relpath);
	return fl_test_read_path(path, out_len);
}

uint8_t *fl_test_read_path(const char *path, size_t *out_len)
{
	uint8_t *buf;
	long size;
	FILE *f;

	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size >= 0);
	rewind(f);
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	*out_len = (size_t)size;
	return buf;
}
