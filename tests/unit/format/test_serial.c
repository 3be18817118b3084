/* SPDX-License-Identifier: Apache-2.0 */
/* format/src/serial.c: the FORMAT.md example log, log lines around records, and damaged records. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ff/chunk.h"
#include "ff/serial.h"
#include "testdata.h"

static struct ff_serial_record s_rec;

static enum ff_serial_kind parse(const char *line, struct ff_error *err)
{
	return ff_serial_parse_line(&s_rec, line, strlen(line), err);
}

/* serial.log decodes to exactly the chunks of chunks-mtu20.flc. */
static void format_example(void **state)
{
	size_t log_len, file_len, pos = 5, rec_len;
	char *log = (char *)fl_test_read("format-v1/serial.log", &log_len);
	uint8_t *file = fl_test_read("format-v1/chunks-mtu20.flc", &file_len);
	const uint8_t *rec;
	char *line, *save = NULL;
	int chunks = 0;

	(void)state;
	log[log_len] = '\0';
	line = strtok_r(log, "\n", &save);
	assert_int_equal(parse(line, NULL), FF_SERIAL_ANNOUNCE);
	assert_string_equal(s_rec.serial, "dev-0042");
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		assert_int_equal(parse(line, NULL), FF_SERIAL_CHUNK);
		assert_int_equal(ff_batch_next(&rec, &rec_len, file, file_len, &pos, NULL), 1);
		assert_int_equal(s_rec.chunk_len, rec_len);
		assert_memory_equal(s_rec.chunk, rec, rec_len);
		chunks++;
	}
	assert_int_equal(chunks, 4);
	free(log);
	free(file);
}

static void logs_and_markers(void **state)
{
	(void)state;
	assert_int_equal(parse("I (1234) wifi: connected", NULL), FF_SERIAL_LOG);
	assert_int_equal(s_rec.log_len, 24);
	assert_int_equal(parse("", NULL), FF_SERIAL_LOG);
	assert_int_equal(parse("boot ok #FL:S:dev-0042\r", NULL), FF_SERIAL_ANNOUNCE);
	assert_int_equal(s_rec.log_len, 8); /* the unterminated log text before the marker */
	assert_string_equal(s_rec.serial, "dev-0042");
	assert_int_equal(parse("#FL:C:OgYCAhokAAAABQbMF0kp:9B476CDF", NULL), FF_SERIAL_CHUNK); /* uppercase CRC */
	assert_int_equal(s_rec.chunk_len, 15);
	assert_int_equal(parse("#FL:S:aa:bb:cc:dd:ee:ff", NULL), FF_SERIAL_ANNOUNCE);
}

static void damaged_records(void **state)
{
	static const struct {
		const char *line, *needle;
	} cases[] = {
		{"#FL:", "no record letter"},
		{"#FL:X:abc", "unknown record letter"},
		{"#FL:S:", "1..64"},
		{"#FL:S:dev/../etc", "outside"},
		{"#FL:S:dev 42", "outside"},
		{"#FL:C:OgYCAhokAAAABQbMF0kp", "without its CRC"},
		{"#FL:C:OgYCAhokAAAABQbMF0k:9b476cdf", "base64"},   /* length not a multiple of 4 */
		{"#FL:C:OgYCAhokAAAABQbMF0k*:9b476cdf", "base64"},  /* bad character */
		{"#FL:C:OgYCAhokAAAABQbM=0kp:9b476cdf", "base64"},  /* padding in the middle */
		{"#FL:C:OgYCAhokAAAABQbMF0kq:9b476cdf", "CRC mismatch"}, /* one flipped bit */
		{"#FL:C:OgZ=:00000000", "base64"},                   /* stray bits under the padding */
		{"#FL:C:OgYCAhokAAAABQbMF0kp:9b476cd", "8 hex"},
		{"#FL:C:OgYCAhokAAAABQbMF0kp:9b476cdg", "8 hex"},
		{"#FL:C::00000000", "base64"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ff_error err = {0};

		if (parse(cases[i].line, &err) != FF_SERIAL_BAD || strstr(err.msg, cases[i].needle) == NULL)
			fail_msg("'%s': kind %d, '%s'", cases[i].line, s_rec.kind, err.msg);
		assert_int_equal(s_rec.chunk_len, 0);
	}
}

static void too_long(void **state)
{
	static char line[FF_SERIAL_RECORD_MAX + 16];
	struct ff_error err;

	(void)state;
	memset(line, 'A', sizeof(line) - 1);
	memcpy(line, "#FL:C:", 6);
	assert_int_equal(parse(line, &err), FF_SERIAL_BAD);
	assert_non_null(strstr(err.msg, "4096"));
}

/* What a stream reader said, as one string per event: "L:text", "A:serial", "C:serial:len", "B", "U:len". */
struct events {
	char said[32][96];
	size_t n;
};

static void record(void *ctx, const struct ff_serial_event *ev)
{
	struct events *e = ctx;
	char *out = e->said[e->n++];

	assert_true(e->n <= 32);
	switch (ev->kind) {
	case FF_SERIAL_EV_LOG:
		snprintf(out, 96, "L:%.*s", (int)(ev->text_len < 80 ? ev->text_len : 80), ev->text);
		break;
	case FF_SERIAL_EV_ANNOUNCE:
		snprintf(out, 96, "A:%s", ev->serial);
		break;
	case FF_SERIAL_EV_CHUNK:
		snprintf(out, 96, "C:%s:%zu", ev->serial, ev->chunk_len);
		break;
	case FF_SERIAL_EV_UNANNOUNCED:
		snprintf(out, 96, "U:%zu", ev->chunk_len);
		break;
	default:
		snprintf(out, 96, "B");
		break;
	}
}

#define CHUNK_LINE "#FL:C:gQcAAwA7qAABAQICGCgEVLWXF3c=:1bced3b3" /* 20 bytes, from the FORMAT.md example */

/* §6: chunks before any announcement are dropped; each later one is the last announced serial's; lines are cut
 * at "\n" whatever the pieces the bytes arrive in, "\r" dropped, and a last line without "\n" still read. */
static void reader_attribution(void **state)
{
	static struct ff_serial_reader r;
	static struct events e;
	const char *stream = CHUNK_LINE "\nboot\r\n#FL:S:dev-1\n" CHUNK_LINE "\nlog> " CHUNK_LINE "\r\n#FL:S:dev-2\n"
			     "#FL:C:bad:00000000\n" CHUNK_LINE;
	const char *want[] = {"U:20", "L:boot", "A:dev-1", "C:dev-1:20", "L:log> ", "C:dev-1:20", "A:dev-2", "B",
			      "C:dev-2:20"};

	(void)state;
	ff_serial_reader_init(&r, NULL);
	for (size_t i = 0; stream[i] != '\0'; i++) /* one byte at a time: the pieces do not matter */
		ff_serial_reader_feed(&r, stream + i, 1, record, &e);
	assert_int_equal(e.n, 8); /* the last line has no newline yet */
	ff_serial_reader_finish(&r, record, &e);
	assert_int_equal(e.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < e.n; i++)
		assert_string_equal(e.said[i], want[i]);
}

/* A serial given out of band counts as an announcement at the start (faultline bridge --serial); an invalid one
 * is no announcement; a line longer than the reader holds goes on in pieces, never as a chunk. */
static void reader_out_of_band_serial(void **state)
{
	static struct ff_serial_reader r;
	static struct events e, e2;
	static char line[FF_SERIAL_LINE_MAX + 100];

	(void)state;
	ff_serial_reader_init(&r, "given-1");
	ff_serial_reader_feed(&r, CHUNK_LINE "\n#FL:S:dev-9\n" CHUNK_LINE "\n", strlen(CHUNK_LINE) * 2 + 15, record, &e);
	assert_int_equal(e.n, 3);
	assert_string_equal(e.said[0], "C:given-1:20");
	assert_string_equal(e.said[2], "C:dev-9:20");
	ff_serial_reader_init(&r, "bad serial!");
	memset(line, 'x', sizeof(line));
	memcpy(line + sizeof(line) - strlen(CHUNK_LINE) - 1, CHUNK_LINE, strlen(CHUNK_LINE));
	line[sizeof(line) - 1] = '\n';
	ff_serial_reader_feed(&r, CHUNK_LINE "\n", strlen(CHUNK_LINE) + 1, record, &e2);
	assert_string_equal(e2.said[0], "U:20");
	ff_serial_reader_feed(&r, line, sizeof(line), record, &e2);
	assert_int_equal(e2.n, 4); /* a log piece of FF_SERIAL_LINE_MAX bytes, then the rest: log text, and a chunk */
	assert_string_equal(e2.said[1], "L:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	assert_string_equal(e2.said[2], "L:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"); /* 56 */
	assert_string_equal(e2.said[3], "U:20");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(format_example),
		cmocka_unit_test(logs_and_markers),
		cmocka_unit_test(damaged_records),
		cmocka_unit_test(too_long),
		cmocka_unit_test(reader_attribution),
		cmocka_unit_test(reader_out_of_band_serial),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
