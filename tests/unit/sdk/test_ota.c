/* SPDX-License-Identifier: Apache-2.0 */
/* sdk/src/ota.c against format/'s codec of docs/FORMAT.md §12 (two implementations, each checking the other): the
 * device's request lines read on the host as the requests they are; the host's reply lines read on the device as
 * the replies they are; damaged and foreign lines told apart; buffers too small refused. sdk/src/ota_image.c on
 * imgtool's images in a slot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <stdlib.h>

#include "faultline/errors.h"
#include "faultline/ota.h"
#include "ff/serial.h"
#include "ff/update.h"
#include "testdata.h"

/* A device's line read by the host: its request. */
static struct ff_update_request host_reads(const char *line, size_t n)
{
	static struct ff_serial_record rec;
	struct ff_update_request rq;
	struct ff_error err = {0};

	assert_true(n > 0);
	assert_int_equal(line[n - 1], '\n');
	assert_int_equal(line[n], '\0');
	assert_int_equal(ff_serial_parse_line(&rec, line, n - 1, &err), FF_SERIAL_UPDATE);
	assert_int_equal(ff_update_request_decode(&rq, rec.chunk, rec.chunk_len, &err), 0);
	return rq;
}

static void requests(void **state)
{
	static const uint8_t build[20] = {0xcd, 0x97, 0x39, [19] = 0xf3};
	const struct fl_ota_running run = {.version = {1, 4, 3, 7}, .security_counter = 5, .slot_size = 0x40000,
					   .sw_version = "1.4.3", .hw_version = "mps2", .build_id = build,
					   .build_id_len = sizeof(build)};
	char line[FL_OTA_REQUEST_LINE_MAX];
	struct ff_update_request rq;
	size_t n;

	(void)state;
	n = fl_ota_checkin_line(line, sizeof(line), &run);
	rq = host_reads(line, n);
	assert_int_equal(rq.type, FF_UPDATE_CHECKIN);
	assert_int_equal(rq.version.major, 1);
	assert_int_equal(rq.version.minor, 4);
	assert_int_equal(rq.version.revision, 3);
	assert_int_equal(rq.version.build, 7);
	assert_int_equal(rq.security_counter, 5);
	assert_int_equal(rq.slot_size, 0x40000);
	assert_string_equal(rq.sw_version, "1.4.3");
	assert_string_equal(rq.hw_version, "mps2");
	assert_int_equal(rq.build_id_len, 20);
	assert_memory_equal(rq.build_id, build, 20);
	assert_int_equal(fl_ota_checkin_line(line, n, &run), 0); /* no room for the NUL */

	rq = host_reads(line, fl_ota_fetch_line(line, sizeof(line), 9, 123456, 2048));
	assert_int_equal(rq.type, FF_UPDATE_FETCH);
	assert_int_equal(rq.release, 9);
	assert_int_equal(rq.offset, 123456);
	assert_int_equal(rq.length, 2048);
	assert_int_equal(fl_ota_fetch_line(line, sizeof(line), 9, 0, 0), 0);
	assert_int_equal(fl_ota_fetch_line(line, sizeof(line), 9, 0, FL_OTA_DATA_MAX + 1), 0);

	rq = host_reads(line, fl_ota_report_line(line, sizeof(line), 3, FL_OTA_STEP_FAILED, 77, "hash mismatch"));
	assert_int_equal(rq.type, FF_UPDATE_REPORT);
	assert_int_equal(rq.deployment, 3);
	assert_int_equal(rq.step, 7);
	assert_int_equal(rq.offset, 77);
	assert_string_equal(rq.why, "hash mismatch");
	rq = host_reads(line, fl_ota_report_line(line, sizeof(line), 3, FL_OTA_STEP_CONFIRMED, 0, NULL));
	assert_string_equal(rq.why, "");

	/* what the device will not write */
	{
		struct fl_ota_running bad = run;
		char longer[80];

		memset(longer, 'x', 65);
		longer[65] = '\0';
		bad.sw_version = longer;
		assert_int_equal(fl_ota_checkin_line(line, sizeof(line), &bad), 0);
		bad = run;
		bad.build_id_len = 0;
		assert_int_equal(fl_ota_checkin_line(line, sizeof(line), &bad), 0);
		assert_int_equal(fl_ota_report_line(line, sizeof(line), 1, (enum fl_ota_step)8, 0, NULL), 0);
		memset(longer, 'y', 79);
		longer[79] = '\0';
		assert_true(fl_ota_report_line(line, sizeof(line), 1, FL_OTA_STEP_FAILED, 0, longer) > 0); /* 79 <= 120 */
	}
}

/* A host's reply, as the line the bridge writes. */
static size_t host_writes(char *line, size_t cap, const struct ff_update_reply *r)
{
	uint8_t m[FF_UPDATE_MESSAGE_MAX];
	size_t n = ff_update_reply_encode(m, sizeof(m), r);

	assert_true(n > 0);
	return ff_serial_record_write(line, cap, 'D', m, n);
}

static void replies(void **state)
{
	static uint8_t data[FL_OTA_DATA_MAX], buf[FL_OTA_MESSAGE_MAX];
	static char line[FL_OTA_LINE_SIZE(FL_OTA_MESSAGE_MAX) + 16];
	const struct ff_update_reply offer = {.type = FF_UPDATE_OFFER, .deployment = 2, .release = 9, .size = 21744,
					      .version = {1, 0, 1, 4}, .sha256 = {0xa8, [31] = 0x98}};
	struct fl_ota_reply r;
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + 1);
	n = host_writes(line, sizeof(line), &offer);
	assert_int_equal(fl_ota_reply_line(&r, buf, sizeof(buf), line, n - 1), 0);
	assert_int_equal(r.type, FL_OTA_OFFER);
	assert_int_equal(r.deployment, 2);
	assert_int_equal(r.release, 9);
	assert_int_equal(r.size, 21744);
	assert_int_equal(r.version.revision, 1);
	assert_int_equal(r.version.build, 4);
	assert_memory_equal(r.sha256, offer.sha256, 32);
	/* every size of data reply, up to the largest; one garbled character fails its CRC */
	for (size_t len = 0; len <= FL_OTA_DATA_MAX; len += len < 10 ? 1 : 97) {
		const struct ff_update_reply d = {.type = FF_UPDATE_DATA, .release = 9, .offset = 4096, .data = data,
						  .data_len = len};

		n = host_writes(line, sizeof(line), &d);
		assert_int_equal(fl_ota_reply_line(&r, buf, sizeof(buf), line, n - 1), 0);
		assert_int_equal(r.type, FL_OTA_DATA);
		assert_int_equal(r.offset, 4096);
		assert_int_equal(r.data_len, len);
		if (len > 0)
			assert_memory_equal(r.data, data, len);
		line[8] = line[8] == 'A' ? 'B' : 'A';
		assert_int_equal(fl_ota_reply_line(&r, buf, sizeof(buf), line, n - 1), FL_ERR_INVALID_ARG);
	}
	n = host_writes(line, sizeof(line), &(struct ff_update_reply){.type = FF_UPDATE_REFUSED, .request_type = 2,
								       .why = "no such release offered"});
	assert_int_equal(fl_ota_reply_line(&r, buf, sizeof(buf), line, n - 1), 0);
	assert_int_equal(r.type, FL_OTA_REFUSED);
	assert_int_equal(r.request_type, 2);
	assert_int_equal(r.why_len, strlen("no such release offered"));
	assert_memory_equal(r.why, "no such release offered", r.why_len);
	n = host_writes(line, sizeof(line), &(struct ff_update_reply){.type = FF_UPDATE_RECORDED, .deployment = 2,
								       .step = 5});
	assert_int_equal(fl_ota_reply_line(&r, buf, 4, line, n - 1), FL_ERR_NO_SPACE);
	assert_int_equal(fl_ota_reply_line(&r, buf, sizeof(buf), line, n - 1), 0);
	assert_int_equal(r.step, 5);
	n = host_writes(line, sizeof(line), &(struct ff_update_reply){.type = FF_UPDATE_NO_OFFER});
	assert_int_equal(fl_ota_reply_line(&r, buf, sizeof(buf), line, n - 1), 0);
	assert_int_equal(r.type, FL_OTA_NO_OFFER);

	/* other lines of the console, and damaged ones */
	assert_int_equal(fl_ota_reply_line(&r, buf, sizeof(buf), "boot 1.0.0", 10), FL_ERR_NO_DATA);
	assert_int_equal(fl_ota_reply_line(&r, buf, sizeof(buf), "#FL:C:AAAA:00000000", 19), FL_ERR_NO_DATA);
	assert_int_equal(fl_ota_reply_line(&r, buf, sizeof(buf), "#FL:D:gg==:00000000", 19), FL_ERR_INVALID_ARG);
	assert_int_equal(fl_ota_reply_line(&r, buf, sizeof(buf), "#FL:D:AA=A:00000000", 19), FL_ERR_INVALID_ARG);
	assert_int_equal(fl_ota_reply_line(&r, buf, sizeof(buf), "#FL:D:AAA", 9), FL_ERR_INVALID_ARG);
	{
		/* a request's line, read as a reply: not one */
		size_t m = fl_ota_fetch_line(line, sizeof(line), 1, 0, 16);

		line[4] = 'D';
		assert_int_equal(fl_ota_reply_line(&r, buf, sizeof(buf), line, m - 1), FL_ERR_INVALID_ARG);
	}
	/* text before the marker, and a "\r" */
	n = host_writes(line + 5, sizeof(line) - 5, &offer);
	memcpy(line, "log: ", 5);
	line[5 + n - 1] = '\r';
	assert_int_equal(fl_ota_reply_line(&r, buf, sizeof(buf), line, 5 + n), 0);
	assert_int_equal(r.type, FL_OTA_OFFER);
}

/* A slot in memory: the image's bytes, then erased flash to its size; a read past it or at fail_at fails. */
struct slot {
	const uint8_t *bytes;
	size_t len, size, fail_at;
};

static int slot_read(void *ctx, uint32_t offset, void *buf, size_t len)
{
	const struct slot *s = ctx;

	if ((size_t)offset + len > s->size || (s->fail_at != 0 && offset <= s->fail_at && s->fail_at < offset + len))
		return FL_ERR_IO;
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = offset + i < s->len ? s->bytes[offset + i] : 0xff;
	return 0;
}

/* imgtool's images (tests/data/mcuboot) check as MCUboot hashes them; every bit flipped in what the hash covers,
 * or in the hash, is caught; sizes past the slot, a read that fails and another expected hash are refused. */
static void images_in_a_slot(void **state)
{
	static const char *const k_vectors[] = {"basic", "counter", "confirm", "large", "load-addr", "max-sectors"};
	struct fl_ota_image img;
	size_t len;

	(void)state;
	for (size_t v = 0; v < sizeof(k_vectors) / sizeof(k_vectors[0]); v++) {
		char path[64];
		uint8_t *b;
		struct slot s;

		snprintf(path, sizeof(path), "mcuboot/%s.signed.bin", k_vectors[v]);
		b = fl_test_read(path, &len);
		s = (struct slot){.bytes = b, .len = len, .size = 0x10000 > len ? 0x10000 : len};
		assert_int_equal(fl_ota_image_check(&img, slot_read, &s, (uint32_t)s.size, NULL), 0);
		assert_int_equal(img.hashed, img.hdr_size + img.img_size + img.protect_tlv_size);
		assert_int_equal(fl_ota_image_check(&img, slot_read, &s, (uint32_t)s.size, img.sha256), 0);
		free(b);
	}
	{
		uint8_t *b = fl_test_read("mcuboot/counter.signed.bin", &len), other[32] = {1};
		struct slot s = {.bytes = b, .len = len, .size = len};

		assert_int_equal(fl_ota_image_check(&img, slot_read, &s, (uint32_t)len, NULL), 0);
		assert_int_equal(img.version.build, 7);
		assert_int_equal(img.tlv_end, len);
		for (size_t at = 0; at < img.hashed + 8 + 32; at++) {
			int rc;

			if (at >= img.hashed && at < img.hashed + 8)
				continue; /* the TLV area's headers: their own checks, below */
			b[at] ^= 0x10;
			rc = fl_ota_image_check(&img, slot_read, &s, (uint32_t)len, NULL);
			b[at] ^= 0x10;
			if (rc != FL_ERR_MISMATCH && rc != FL_ERR_INVALID_ARG)
				fail_msg("a bit flipped at %zu: %d", at, rc);
		}
		assert_int_equal(fl_ota_image_check(&img, slot_read, &s, (uint32_t)len, other), FL_ERR_MISMATCH);
		b[0x5f4] ^= 1; /* the TLV area's magic */
		assert_int_equal(fl_ota_image_check(&img, slot_read, &s, (uint32_t)len, NULL), FL_ERR_INVALID_ARG);
		b[0x5f4] ^= 1;
		b[0x5f4 + 4] = 0x11; /* no SHA-256 TLV */
		assert_int_equal(fl_ota_image_check(&img, slot_read, &s, (uint32_t)len, NULL), FL_ERR_INVALID_ARG);
		b[0x5f4 + 4] = 0x10;
		b[0x5f4 + 6] = 0xff; /* its length past the area */
		assert_int_equal(fl_ota_image_check(&img, slot_read, &s, (uint32_t)len, NULL), FL_ERR_INVALID_ARG);
		b[0x5f4 + 6] = 0x20;
		/* a slot smaller than the image says, and every shorter one */
		for (size_t cut = 0; cut < len; cut += 7)
			assert_int_equal(fl_ota_image_check(&img, slot_read, &s, (uint32_t)cut, NULL), FL_ERR_INVALID_ARG);
		memset(b + 12, 0xff, 4); /* img_size 4 GiB */
		assert_int_equal(fl_ota_image_check(&img, slot_read, &s, (uint32_t)len, NULL), FL_ERR_INVALID_ARG);
		free(b);
	}
	{
		uint8_t *b = fl_test_read("mcuboot/basic.signed.bin", &len);
		struct slot s = {.bytes = b, .len = len, .size = len, .fail_at = 700};

		assert_int_equal(fl_ota_image_check(&img, slot_read, &s, (uint32_t)len, NULL), FL_ERR_IO);
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(requests),
		cmocka_unit_test(replies),
		cmocka_unit_test(images_in_a_slot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
