/* SPDX-License-Identifier: Apache-2.0 */
/* format/src/update.c and the update records of format/src/serial.c (docs/FORMAT.md §12): every message written
 * reads back the same; every request cut short, with a byte too many, a length or text out of range, or going the
 * wrong way is refused by name; an update request line is read as one, for the device announced. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ff/serial.h"
#include "ff/update.h"

static const struct ff_update_request k_checkin = {
	.type = FF_UPDATE_CHECKIN, .version = {1, 4, 3, 7}, .security_counter = 5, .slot_size = 0x40000,
	.sw_version = "1.4.3", .hw_version = "mps2", .build_id = {0xcd, 0x97, 0x39}, .build_id_len = 3};
static const struct ff_update_request k_fetch = {.type = FF_UPDATE_FETCH, .release = 9, .offset = 123456,
						 .length = 1024};
static const struct ff_update_request k_report = {.type = FF_UPDATE_REPORT, .deployment = 3, .step = 7,
						  .offset = 4096, .why = "the image's SHA-256 is not its hash TLV"};

static void requests_round_trip(void **state)
{
	const struct ff_update_request *all[] = {&k_checkin, &k_fetch, &k_report};
	uint8_t b[FF_UPDATE_MESSAGE_MAX];
	struct ff_update_request back;
	struct ff_error err = {0};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		size_t n = ff_update_request_encode(b, sizeof(b), all[i]);

		assert_true(n > 0);
		assert_int_equal(ff_update_request_decode(&back, b, n, &err), 0);
		assert_memory_equal(&back, all[i], sizeof(back));
		/* every cut fails, and so does one byte more */
		for (size_t cut = 0; cut < n; cut++)
			assert_int_equal(ff_update_request_decode(&back, b, cut, &err), FF_ERR_MALFORMED);
		b[n] = 0;
		assert_int_equal(ff_update_request_decode(&back, b, n + 1, &err), FF_ERR_MALFORMED);
		assert_non_null(strstr(err.msg, "after the"));
		/* too small a buffer to write it in */
		assert_int_equal(ff_update_request_encode(b, n - 1, all[i]), 0);
	}
	/* the sizes FORMAT.md gives: a check-in of these texts, a fetch of 11 bytes */
	assert_int_equal(ff_update_request_encode(b, sizeof(b), &k_fetch), 11);
	assert_int_equal(ff_update_request_encode(b, sizeof(b), &k_checkin), 1 + 8 + 4 + 4 + 6 + 5 + 4);
}

static void requests_refused(void **state)
{
	uint8_t b[FF_UPDATE_MESSAGE_MAX] = {0};
	struct ff_update_request back, r;
	struct ff_error err = {0};
	size_t n;

	(void)state;
	assert_int_equal(ff_update_request_decode(&back, b, 0, &err), FF_ERR_MALFORMED);
	b[0] = 0x7e;
	assert_int_equal(ff_update_request_decode(&back, b, 1, &err), FF_ERR_MALFORMED);
	assert_non_null(strstr(err.msg, "none of FORMAT.md"));
	b[0] = FF_UPDATE_DATA;
	assert_int_equal(ff_update_request_decode(&back, b, 1, &err), FF_ERR_UNSUPPORTED);
	/* a fetch of 0 bytes, and of more than a reply carries */
	r = k_fetch;
	r.length = 0;
	n = ff_update_request_encode(b, sizeof(b), &r);
	assert_int_equal(ff_update_request_decode(&back, b, n, &err), FF_ERR_MALFORMED);
	r.length = FF_UPDATE_DATA_MAX + 1;
	n = ff_update_request_encode(b, sizeof(b), &r);
	assert_int_equal(ff_update_request_decode(&back, b, n, &err), FF_ERR_MALFORMED);
	/* a step that is none */
	r = k_report;
	r.step = 8;
	n = ff_update_request_encode(b, sizeof(b), &r);
	assert_int_equal(ff_update_request_decode(&back, b, n, &err), FF_ERR_MALFORMED);
	/* texts: an empty sw_version, a control character, a length byte past the limit, an empty build-id */
	r = k_checkin;
	r.sw_version[0] = '\0';
	n = ff_update_request_encode(b, sizeof(b), &r);
	assert_int_equal(ff_update_request_decode(&back, b, n, &err), FF_ERR_MALFORMED);
	assert_non_null(strstr(err.msg, "sw_version"));
	r = k_checkin;
	r.hw_version[1] = '\033';
	n = ff_update_request_encode(b, sizeof(b), &r);
	assert_int_equal(ff_update_request_decode(&back, b, n, &err), FF_ERR_MALFORMED);
	assert_non_null(strstr(err.msg, "hw_version"));
	n = ff_update_request_encode(b, sizeof(b), &k_checkin);
	b[1 + 8 + 4 + 4] = 65; /* sw_version's length byte */
	assert_int_equal(ff_update_request_decode(&back, b, n, &err), FF_ERR_MALFORMED);
	r = k_checkin;
	r.build_id_len = 0;
	n = ff_update_request_encode(b, sizeof(b), &r);
	assert_int_equal(ff_update_request_decode(&back, b, n, &err), FF_ERR_MALFORMED);
	assert_non_null(strstr(err.msg, "build-id"));
	/* a text too long is not written */
	memset(r.sw_version, 'a', FF_UPDATE_TEXT_MAX);
	r.sw_version[FF_UPDATE_TEXT_MAX] = '\0';
	assert_true(ff_update_request_encode(b, sizeof(b), &r) > 0);
	r.type = FF_UPDATE_OFFER;
	assert_int_equal(ff_update_request_encode(b, sizeof(b), &r), 0);
}

static void replies_round_trip(void **state)
{
	uint8_t data[FF_UPDATE_DATA_MAX], b[FF_UPDATE_MESSAGE_MAX];
	struct ff_update_reply all[5] = {
		{.type = FF_UPDATE_OFFER, .deployment = 2, .release = 9, .size = 21744, .version = {1, 0, 1, 0},
		 .sha256 = {0xa8, 0x89, [31] = 0x98}},
		{.type = FF_UPDATE_NO_OFFER},
		{.type = FF_UPDATE_DATA, .release = 9, .offset = 2048, .data = data, .data_len = sizeof(data)},
		{.type = FF_UPDATE_RECORDED, .deployment = 2, .step = 5},
		{.type = FF_UPDATE_REFUSED, .request_type = FF_UPDATE_FETCH, .why = "no such release offered"},
	};
	struct ff_update_reply back;
	struct ff_error err = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	for (size_t i = 0; i < 5; i++) {
		size_t n = ff_update_reply_encode(b, sizeof(b), &all[i]);

		assert_true(n > 0);
		assert_int_equal(ff_update_reply_decode(&back, b, n, &err), 0);
		assert_int_equal(back.type, all[i].type);
		assert_int_equal(back.deployment, all[i].deployment);
		assert_int_equal(back.release, all[i].release);
		assert_int_equal(back.size, all[i].size);
		assert_int_equal(back.offset, all[i].offset);
		assert_int_equal(back.step, all[i].step);
		assert_int_equal(back.request_type, all[i].request_type);
		assert_memory_equal(back.sha256, all[i].sha256, 32);
		assert_string_equal(back.why, all[i].why);
		assert_int_equal(back.data_len, all[i].data_len);
		if (all[i].data_len > 0)
			assert_memory_equal(back.data, data, sizeof(data));
		assert_int_equal(ff_update_request_decode(&(struct ff_update_request){0}, b, n, &err),
				 FF_ERR_UNSUPPORTED);
	}
	assert_int_equal(ff_update_reply_encode(b, sizeof(b), &all[2]), FF_UPDATE_MESSAGE_MAX);
	all[2].data_len = FF_UPDATE_DATA_MAX + 1;
	assert_int_equal(ff_update_reply_encode(b, sizeof(b), &all[2]), 0);
	/* a refusal's text cut inside a character (as snprintf cuts) loses that character: it still reads */
	memset(all[4].why, 'x', 199);
	all[4].why[199] = '\xc3'; /* the first byte of an é, its second cut off */
	all[4].why[200] = '\0';
	assert_int_equal(ff_update_reply_encode(b, sizeof(b), &all[4]), 2 + 199);
	assert_int_equal(ff_update_reply_decode(&back, b, 2 + 199, &err), 0);
	/* an offer cut short, a data reply without its offset */
	assert_true(ff_update_reply_encode(b, sizeof(b), &all[0]) > 5);
	assert_int_equal(ff_update_reply_decode(&back, b, 5, &err), FF_ERR_MALFORMED);
	assert_true(ff_update_reply_encode(b, sizeof(b), &all[2]) == 0);
	all[2].data_len = 10;
	assert_true(ff_update_reply_encode(b, sizeof(b), &all[2]) > 0);
	assert_int_equal(ff_update_reply_decode(&back, b, 6, &err), FF_ERR_MALFORMED);
}

static void records(void **state)
{
	uint8_t b[FF_UPDATE_MESSAGE_MAX];
	char line[FF_SERIAL_RECORD_MAX + 16];
	static struct ff_serial_record rec;
	struct ff_error err = {0};
	size_t n = ff_update_request_encode(b, sizeof(b), &k_fetch), len;

	(void)state;
	len = ff_serial_record_write(line, sizeof(line), 'U', b, n);
	assert_int_equal(len, 32); /* FORMAT.md §12: a fetch line is 32 characters */
	assert_int_equal(line[len - 1], '\n');
	assert_int_equal(ff_serial_parse_line(&rec, line, len - 1, &err), FF_SERIAL_UPDATE);
	assert_int_equal(rec.chunk_len, n);
	assert_memory_equal(rec.chunk, b, n);
	line[10] ^= 1; /* a flipped bit: dropped */
	assert_int_equal(ff_serial_parse_line(&rec, line, len - 1, &err), FF_SERIAL_BAD);
	/* a data reply of 1024 bytes is a 1,396-character line, and the largest still fits a record */
	assert_int_equal(ff_serial_record_write(line, sizeof(line), 'D', b, 9 + 1024), 1396);
	assert_true(ff_serial_record_write(line, sizeof(line), 'D', b, FF_UPDATE_MESSAGE_MAX) > 0);
	assert_int_equal(ff_serial_record_write(line, 100, 'D', b, FF_UPDATE_MESSAGE_MAX), 0);
}

/* A reader's events for a console: an update line after the announcement is the device's; before it, dropped. */
struct seen {
	int updates, unannounced;
	char serial[80];
};

static void sink(void *ctx, const struct ff_serial_event *ev)
{
	struct seen *s = ctx;

	if (ev->kind == FF_SERIAL_EV_UPDATE) {
		s->updates++;
		snprintf(s->serial, sizeof(s->serial), "%s", ev->serial);
	}
	if (ev->kind == FF_SERIAL_EV_UNANNOUNCED)
		s->unannounced++;
}

static void stream(void **state)
{
	static struct ff_serial_reader r;
	uint8_t b[64];
	char line[128], text[512];
	struct seen s = {0};
	size_t n = ff_update_request_encode(b, sizeof(b), &k_fetch);

	(void)state;
	ff_serial_record_write(line, sizeof(line), 'U', b, n);
	snprintf(text, sizeof(text), "%sboot\n#FL:S:dev-7\n%s", line, line);
	ff_serial_reader_init(&r, NULL);
	ff_serial_reader_feed(&r, text, strlen(text), sink, &s);
	assert_int_equal(s.unannounced, 1);
	assert_int_equal(s.updates, 1);
	assert_string_equal(s.serial, "dev-7");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(requests_round_trip), cmocka_unit_test(requests_refused),
		cmocka_unit_test(replies_round_trip),  cmocka_unit_test(records),
		cmocka_unit_test(stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
