/* SPDX-License-Identifier: Apache-2.0 */
/* analysis/src/input.c: every input form of `faultline decode`, built around the FORMAT.md example message. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "ff/input.h"
#include "testdata.h"

static uint8_t *s_msg;
static size_t s_msg_len;

static int setup(void **state)
{
	(void)state;
	s_msg = fl_test_read("format-v1/message.bin", &s_msg_len);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(s_msg);
	return 0;
}

static void expect_one(struct ff_input *in, enum ff_input_form form, const char *serial)
{
	assert_int_equal(in->form, form);
	assert_int_equal(in->n, 1);
	assert_int_equal(in->msgs[0].len, s_msg_len);
	assert_memory_equal(in->msgs[0].bytes, s_msg, s_msg_len);
	assert_string_equal(in->msgs[0].serial, serial);
}

static void chunk_file_serial_log_and_message(void **state)
{
	struct ff_input in;
	size_t len;
	uint8_t *flc = fl_test_read("format-v1/chunks-mtu20.flc", &len);
	uint8_t *log;

	(void)state;
	assert_int_equal(ff_input_read(&in, flc, len, NULL), 0);
	expect_one(&in, FF_INPUT_CHUNK_FILE, "");
	assert_int_equal(in.chunks, 4);
	ff_input_free(&in);
	assert_int_equal(ff_input_read(&in, flc, len - 3, NULL), FF_ERR_MALFORMED); /* a record cut short */
	ff_input_free(&in);
	free(flc);

	log = fl_test_read("format-v1/serial.log", &len);
	assert_int_equal(ff_input_read(&in, log, len, NULL), 0);
	expect_one(&in, FF_INPUT_SERIAL_LOG, "dev-0042");
	ff_input_free(&in);
	free(log);

	assert_int_equal(ff_input_read(&in, s_msg, s_msg_len, NULL), 0);
	expect_one(&in, FF_INPUT_MESSAGE, "");
	ff_input_free(&in);
}

/* Log noise, a garbled line, a chunk before any announcement, CRLF endings: the message still comes through. */
static void noisy_serial_log(void **state)
{
	size_t len, n = 0;
	char *clean = (char *)fl_test_read("format-v1/serial.log", &len), noisy[2048], *save = NULL, *line;
	struct ff_input in;

	(void)state;
	clean[len] = '\0';
	n += (size_t)snprintf(noisy + n, sizeof(noisy) - n, "#FL:C:OgYCAhokAAAABQbMF0kp:9b476cdf\r\nboot: v1.4.2\r\n");
	for (line = strtok_r(clean, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		n += (size_t)snprintf(noisy + n, sizeof(noisy) - n, "I (12) app: tick\r\nprompt> %s\r\n", line);
		if (strncmp(line, "#FL:C:PgF9", 10) == 0) /* the same chunk, garbled, then again intact */
			n += (size_t)snprintf(noisy + n, sizeof(noisy) - n, "#FL:C:PgF9vOLQpOJ7fdff80+wjthpBWX=:89c3d099\r\n");
	}
	assert_int_equal(ff_input_read(&in, (const uint8_t *)noisy, n, NULL), 0);
	expect_one(&in, FF_INPUT_SERIAL_LOG, "dev-0042");
	assert_int_equal(in.rejected, 2);
	assert_non_null(strstr(in.notes, "before any device announced"));
	assert_non_null(strstr(in.notes, "serial record"));
	ff_input_free(&in);
	free(clean);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A storage image as docs/FORMAT.md §9 lays it out, with write granule 8: header, marker, message. */
static size_t storage_image(uint8_t *img, size_t cap)
{
	memset(img, 0xff, cap);
	memcpy(img, "FLCD\x01\x00\x20\x00", 8);
	put32(img + 8, 40);
	put32(img + 12, (uint32_t)s_msg_len);
	put32(img + 16, (uint32_t)crc32(0, s_msg, (uInt)s_msg_len));
	put32(img + 20, 32);
	put32(img + 24, 8);
	put32(img + 28, (uint32_t)crc32(0, img, 28));
	memcpy(img + 40, s_msg, s_msg_len);
	return cap;
}

static void storage_images(void **state)
{
	uint8_t img[1024];
	struct ff_input in;
	struct ff_error err;

	(void)state;
	assert_int_equal(ff_input_read(&in, img, storage_image(img, sizeof(img)), NULL), 0);
	expect_one(&in, FF_INPUT_STORAGE, "");
	assert_false(in.storage_sent);
	ff_input_free(&in);

	storage_image(img, sizeof(img));
	img[32] = 0x00; /* read marker programmed: already sent */
	assert_int_equal(ff_input_read(&in, img, sizeof(img), NULL), 0);
	assert_true(in.storage_sent);
	ff_input_free(&in);

	storage_image(img, sizeof(img));
	img[50] ^= 1;
	assert_int_equal(ff_input_read(&in, img, sizeof(img), &err), FF_ERR_MALFORMED);
	assert_non_null(strstr(err.msg, "message's CRC"));
	ff_input_free(&in);

	storage_image(img, sizeof(img));
	img[12] = 0xff; /* length past the image; the header CRC now fails first */
	assert_int_equal(ff_input_read(&in, img, sizeof(img), &err), FF_ERR_MALFORMED);
	assert_non_null(strstr(err.msg, "header's CRC"));
	ff_input_free(&in);

	storage_image(img, sizeof(img));
	put32(img + 12, 5000);
	put32(img + 28, (uint32_t)crc32(0, img, 28));
	assert_int_equal(ff_input_read(&in, img, sizeof(img), &err), FF_ERR_MALFORMED);
	assert_non_null(strstr(err.msg, "outside"));
	ff_input_free(&in);

	assert_int_equal(ff_input_read(&in, img, 20, &err), FF_ERR_MALFORMED);
	ff_input_free(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(chunk_file_serial_log_and_message),
		cmocka_unit_test(noisy_serial_log),
		cmocka_unit_test(storage_images),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
