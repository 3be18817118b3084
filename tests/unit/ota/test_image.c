/* SPDX-License-Identifier: Apache-2.0 */
/* ota/src/image.c: MCUboot images read, checked and signed. The vectors of tests/data/mcuboot (made by imgtool,
 * README.md there) read back with the fields imgtool wrote and pass; every way to be wrong fails with its own error:
 * another key, a flipped bit anywhere in the signed bytes, every truncation, TLV lengths that lie, a hash TLV
 * missing, TLVs twice or out of place; signing refuses what imgtool refuses. (tests/e2e/release-vectors.sh signs the
 * vectors again with the CLI and compares the bytes.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "fo/image.h"
#include "fo/key.h"
#include "testdata.h"

static struct fo_key read_key(const char *name)
{
	char path[128], why[256];
	struct fo_key k;
	size_t len;
	uint8_t *text;

	snprintf(path, sizeof(path), "mcuboot/%s", name);
	text = fl_test_read(path, &len);
	if (fo_key_read(&k, (const char *)text, len, why, sizeof(why)) != 0)
		fail_msg("%s: %s", name, why);
	free(text);
	return k;
}

static uint8_t *vector(const char *name, size_t *len)
{
	char path[128];

	snprintf(path, sizeof(path), "mcuboot/%s.signed.bin", name);
	return fl_test_read(path, len);
}

/* parse then check against keys (n of them): 0 or the first error; why (512 bytes) says it. */
static int judge(const uint8_t *b, size_t len, const uint8_t (*keys)[32], size_t n, size_t *which, char *why)
{
	struct fo_image img;
	int rc = fo_image_parse(&img, b, len, why, 512);

	return rc != 0 ? rc : fo_image_check(which, &img, b, keys, n, why, 512);
}

static void vectors_read_back(void **state)
{
	struct fo_key test = read_key("test-key.pem"), other = read_key("other-key.pub.pem");
	uint8_t keys[2][32];
	struct fo_image img;
	char why[512];
	size_t len, which = 9;
	uint8_t *b = vector("counter", &len);

	(void)state;
	memcpy(keys[0], other.pk, 32);
	memcpy(keys[1], test.pk, 32);
	assert_int_equal(fo_image_parse(&img, b, len, why, sizeof(why)), 0);
	assert_int_equal(img.hdr_size, 0x200);
	assert_int_equal(img.img_size, 1000);
	assert_int_equal(img.protect_tlv_size, 12);
	assert_int_equal(img.version.major, 1);
	assert_int_equal(img.version.minor, 4);
	assert_int_equal(img.version.revision, 3);
	assert_int_equal(img.version.build, 7);
	assert_true(img.has_security_counter);
	assert_int_equal(img.security_counter, 5);
	assert_int_equal(img.hashed, 0x200 + 1000 + 12);
	assert_int_equal(img.tlv_end, len);
	assert_int_equal(img.flags, 0);
	assert_int_equal(fo_image_check(&which, &img, b, (const uint8_t(*)[32])keys, 2, why, sizeof(why)), 0);
	assert_int_equal(which, 1);
	/* another key alone: named by its hash */
	assert_int_equal(fo_image_check(&which, &img, b, (const uint8_t(*)[32])keys, 1, why, sizeof(why)),
			 FO_ERR_UNKNOWN_KEY);
	assert_non_null(strstr(why, "none of the 1 key(s)"));
	free(b);

	b = vector("confirm", &len);
	assert_int_equal(len, 0x2000);
	assert_int_equal(judge(b, len, (const uint8_t(*)[32])keys + 1, 1, NULL, why), 0);
	assert_int_equal(fo_image_parse(&img, b, len, why, sizeof(why)), 0);
	assert_int_equal(img.tlv_end, 0x200 + 1000 + 144);
	assert_false(img.has_security_counter);
	assert_int_equal(b[len - 24], 0x01); /* image_ok, below the 16-byte magic's 8-byte-aligned area */
	assert_memory_equal(b + len - 16, "\x77\xc2\x95\xf3\x60\xd2\xef\x7f\x35\x52\x50\x0f\x2c\xb6\x79\x80", 16);
	free(b);

	b = vector("load-addr", &len);
	assert_int_equal(fo_image_parse(&img, b, len, why, sizeof(why)), 0);
	assert_int_equal(img.flags, FO_IMAGE_F_RAM_LOAD);
	assert_int_equal(img.load_addr, 0x20000000);
	free(b);

	b = vector("version-max", &len);
	assert_int_equal(fo_image_parse(&img, b, len, why, sizeof(why)), 0);
	{
		char text[FO_VERSION_TEXT];

		fo_version_text(text, &img.version);
		assert_string_equal(text, "255.255.65535+4294967295");
	}
	assert_int_equal(img.security_counter, 0xffffffffu);
	free(b);
	fo_key_wipe(&test);
}

/* Every bit flipped in the signed bytes fails, and where it is says how: the image's bytes and the hash's as
 * FO_ERR_HASH, the key hash's as FO_ERR_UNKNOWN_KEY, the signature's as FO_ERR_SIGNATURE. */
static void every_flipped_bit_fails(void **state)
{
	struct fo_key test = read_key("test-key.pub.pem");
	size_t len, hits[8] = {0};
	uint8_t *b = vector("counter", &len);
	char why[512];

	(void)state;
	for (size_t at = 0; at < len; at++)
		for (int bit = 0; bit < 8; bit++) {
			int rc;

			b[at] ^= (uint8_t)(1u << bit);
			rc = judge(b, len, (const uint8_t(*)[32])test.pk, 1, NULL, why);
			b[at] ^= (uint8_t)(1u << bit);
			if (rc == 0)
				fail_msg("byte %zu bit %d flipped: still good", at, bit);
			assert_true(why[0] != '\0');
			hits[-rc]++;
			if ((at >= 0x200 && at < 0x200 + 1000) || (at >= 0x5f4 + 8 && at < 0x5f4 + 8 + 32))
				assert_int_equal(rc, FO_ERR_HASH);
			else if (at >= 0x5f4 + 44 && at < 0x5f4 + 44 + 32)
				assert_int_equal(rc, FO_ERR_UNKNOWN_KEY);
			else if (at >= 0x5f4 + 80)
				assert_int_equal(rc, FO_ERR_SIGNATURE);
		}
	/* the header's sizes and the TLVs' own headers make the other errors */
	assert_true(hits[-FO_ERR_TRUNCATED] > 0);
	assert_true(hits[-FO_ERR_MALFORMED] > 0);
	assert_true(hits[-FO_ERR_NO_HASH] > 0);
	assert_true(hits[-FO_ERR_NO_SIGNATURE] > 0);
	/* the bytes after the TLVs of a padded image are not signed: MCUboot does not read them either */
	free(b);
	b = vector("pad", &len);
	b[len - 100] ^= 1;
	assert_int_equal(judge(b, len, (const uint8_t(*)[32])test.pk, 1, NULL, why), 0);
	free(b);
}

static void every_truncation_fails(void **state)
{
	struct fo_key test = read_key("test-key.pub.pem");
	size_t len;
	uint8_t *b = vector("counter", &len);
	char why[512];

	(void)state;
	for (size_t n = 0; n < len; n++) {
		uint8_t *cut = malloc(n + 1); /* its own buffer: ASan sees a read past the end */

		memcpy(cut, b, n);
		assert_int_equal(judge(cut, n, (const uint8_t(*)[32])test.pk, 1, NULL, why), FO_ERR_TRUNCATED);
		free(cut);
	}
	free(b);
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* Lengths that lie, areas out of place, TLVs missing or twice. Offsets of the counter vector: protected area at
 * 0x5e8 (12 bytes: SEC_CNT), TLV area at 0x5f4 (0x90: SHA-256 at +4, key hash at +40, ED25519 at +76). */
static void lies_and_missing_parts(void **state)
{
	struct fo_key test = read_key("test-key.pub.pem");
	const uint8_t(*keys)[32] = (const uint8_t(*)[32])test.pk;
	size_t len;
	uint8_t *b = vector("counter", &len), *m = malloc(len);
	char why[512];

	(void)state;
#define FRESH() memcpy(m, b, len)
	FRESH();
	put16(m + 0x5f4 + 4 + 2, 0x200); /* the SHA-256 TLV says 512 bytes */
	assert_int_equal(judge(m, len, keys, 1, NULL, why), FO_ERR_MALFORMED);
	assert_non_null(strstr(why, "says it holds 512 bytes"));
	FRESH();
	put16(m + 0x5f4 + 2, 0x91); /* the TLV area one byte longer than the file */
	assert_int_equal(judge(m, len, keys, 1, NULL, why), FO_ERR_TRUNCATED);
	FRESH();
	put16(m + 0x5f4 + 2, 0x8f); /* one byte shorter: the signature TLV sticks out of it */
	assert_int_equal(judge(m, len, keys, 1, NULL, why), FO_ERR_MALFORMED);
	FRESH();
	put16(m + 0x5f4 + 2, 2); /* less than its own header */
	assert_int_equal(judge(m, len, keys, 1, NULL, why), FO_ERR_MALFORMED);
	FRESH();
	put16(m + 8, 16); /* a header area smaller than the header */
	assert_int_equal(judge(m, len, keys, 1, NULL, why), FO_ERR_MALFORMED);
	FRESH();
	put16(m + 10, 0); /* the header does not count the protected area */
	assert_int_equal(judge(m, len, keys, 1, NULL, why), FO_ERR_MALFORMED);
	assert_non_null(strstr(why, "a protected area the header does not count"));
	FRESH();
	put16(m + 10, 16); /* nor counts it right */
	assert_int_equal(judge(m, len, keys, 1, NULL, why), FO_ERR_MALFORMED);
	FRESH();
	memset(m + 12, 0xff, 4); /* img_size 4 GiB */
	assert_int_equal(judge(m, len, keys, 1, NULL, why), FO_ERR_TRUNCATED);
	FRESH();
	put16(m + 0x5e8 + 6, 8); /* the security counter says 8 bytes in a 12-byte area */
	assert_int_equal(judge(m, len, keys, 1, NULL, why), FO_ERR_MALFORMED);

	/* the SHA-256 TLV taken out: the TLV area 36 bytes shorter */
	FRESH();
	memmove(m + 0x5f4 + 4, m + 0x5f4 + 40, len - (0x5f4 + 40));
	put16(m + 0x5f4 + 2, 0x90 - 36);
	assert_int_equal(judge(m, len - 36, keys, 1, NULL, why), FO_ERR_NO_HASH);
	/* the key hash taken out: nothing says whose signature it is */
	FRESH();
	memmove(m + 0x5f4 + 40, m + 0x5f4 + 76, len - (0x5f4 + 76));
	put16(m + 0x5f4 + 2, 0x90 - 36);
	assert_int_equal(judge(m, len - 36, keys, 1, NULL, why), FO_ERR_NO_SIGNATURE);
	/* the signature taken out */
	FRESH();
	put16(m + 0x5f4 + 2, 0x90 - 68);
	assert_int_equal(judge(m, len - 68, keys, 1, NULL, why), FO_ERR_NO_SIGNATURE);
	assert_non_null(strstr(why, "not signed"));
	/* an ECDSA signature in its place */
	FRESH();
	m[0x5f4 + 76] = 0x22;
	assert_int_equal(judge(m, len, keys, 1, NULL, why), FO_ERR_NO_SIGNATURE);
	assert_non_null(strstr(why, "another algorithm"));
	/* the key hash TLV twice: its type on the SHA-256's */
	FRESH();
	m[0x5f4 + 4] = 0x01;
	assert_int_equal(judge(m, len, keys, 1, NULL, why), FO_ERR_MALFORMED);
	assert_non_null(strstr(why, "two TLVs"));
	/* a security counter where the hash does not cover it */
	FRESH();
	m[0x5f4 + 40] = 0x50;
	assert_int_equal(judge(m, len, keys, 1, NULL, why), FO_ERR_MALFORMED);
	assert_non_null(strstr(why, "outside the protected"));
	/* not an image at all */
	FRESH();
	m[0] = 0;
	assert_int_equal(judge(m, len, keys, 1, NULL, why), FO_ERR_MALFORMED);
	assert_non_null(strstr(why, "not a signed MCUboot image"));
#undef FRESH
	free(m);
	free(b);
}

/* Signing and reading back agree, over the options that change the layout. */
static void sign_round_trips(void **state)
{
	static const struct {
		uint32_t header, align, max_align, slot;
		bool pad_header, confirm, counter;
		uint8_t erased;
	} k_cases[] = {
		{0x200, 1, 0, 0x20000, true, false, false, 0xff}, {0x20, 4, 0, 0x4000, true, true, true, 0xff},
		{0x100, 16, 32, 0x10000, false, true, true, 0},   {0x400, 32, 0, 0x20000, true, false, true, 0xff},
	};
	struct fo_key key;
	uint8_t bin[3000], *img;
	char why[512];

	(void)state;
	assert_int_equal(fo_key_generate(&key), 0);
	randombytes_buf(bin, sizeof(bin));
	for (size_t i = 0; i < sizeof(k_cases) / sizeof(k_cases[0]); i++) {
		struct fo_sign_options o = {.header_size = k_cases[i].header, .align = k_cases[i].align,
					    .max_align = k_cases[i].max_align, .slot_size = k_cases[i].slot,
					    .pad_header = k_cases[i].pad_header, .confirm = k_cases[i].confirm,
					    .erased = k_cases[i].erased, .has_security_counter = k_cases[i].counter,
					    .security_counter = 77, .version = {2, 3, 4, 5}};
		struct fo_image parsed;
		size_t len;

		if (!o.pad_header)
			memset(bin, 0, o.header_size);
		assert_int_equal(fo_image_sign(&img, &len, &o, &key, bin, sizeof(bin), why, sizeof(why)), 0);
		assert_int_equal(len, o.confirm ? o.slot_size : (o.pad_header ? o.header_size : 0) + sizeof(bin) +
								      (o.has_security_counter ? 12 : 0) + 144);
		assert_int_equal(fo_image_parse(&parsed, img, len, why, sizeof(why)), 0);
		assert_int_equal(fo_image_check(NULL, &parsed, img, (const uint8_t(*)[32])key.pk, 1, why, sizeof(why)), 0);
		assert_int_equal(parsed.security_counter, o.has_security_counter ? 77 : 0);
		assert_int_equal(fo_version_compare(&parsed.version, &o.version), 0);
		free(img);
	}
	fo_key_wipe(&key);
}

static void sign_refuses(void **state)
{
	struct fo_key key, pub;
	struct fo_sign_options good = {.header_size = 0x200, .slot_size = 0x20000, .pad_header = true, .erased = 0xff};
	uint8_t bin[1000] = {1}, *img = (uint8_t *)"untouched";
	size_t len = 7;
	char why[512];
	static const struct {
		const char *what;
		struct fo_sign_options o;
	} k_bad[] = {
		{"--header-size 31", {.header_size = 31, .slot_size = 0x20000, .pad_header = true}},
		{"--align 3", {.header_size = 0x200, .align = 3, .slot_size = 0x20000, .pad_header = true}},
		{"--max-align 4", {.header_size = 0x200, .max_align = 4, .slot_size = 0x20000, .pad_header = true}},
		{"--slot-size is needed", {.header_size = 0x200, .pad_header = true}},
		{"--erased-val", {.header_size = 0x200, .slot_size = 0x20000, .pad_header = true, .erased = 7}},
		{"do not fit the slot", {.header_size = 0x200, .slot_size = 0x600, .pad_header = true, .erased = 0xff}},
		{"are not zero", {.header_size = 0x200, .slot_size = 0x20000, .erased = 0xff}},
	};

	(void)state;
	assert_int_equal(fo_key_generate(&key), 0);
	for (size_t i = 0; i < sizeof(k_bad) / sizeof(k_bad[0]); i++) {
		assert_int_equal(fo_image_sign(&img, &len, &k_bad[i].o, &key, bin, sizeof(bin), why, sizeof(why)),
				 FO_ERR_OPTIONS);
		assert_null(img);
		assert_int_equal(len, 0);
		if (strstr(why, k_bad[i].what) == NULL)
			fail_msg("%s: %s", k_bad[i].what, why);
	}
	pub = key;
	fo_key_wipe(&pub);
	assert_int_equal(fo_image_sign(&img, &len, &good, &pub, bin, sizeof(bin), why, sizeof(why)), FO_ERR_OPTIONS);
	assert_non_null(strstr(why, "public key"));
	fo_key_wipe(&key);
}

static void versions(void **state)
{
	static const char *const k_good[][2] = {{"1", "1.0.0"}, {"1.4", "1.4.0"}, {"1.4.3", "1.4.3"},
					       {"1.4.3+0", "1.4.3"}, {"0.0.2+75", "0.0.2+75"},
					       {"255.255.65535+4294967295", "255.255.65535+4294967295"}};
	static const char *const k_bad[] = {"", "v1.4.3", "1.4.3-rc1", "1.4+7", "1+7", "1..3", "1.4.", "256.0.0",
					    "1.256", "1.0.65536", "1.0.0+4294967296", "1.0.0+", "1.0.0.0", " 1", "-1"};
	struct fo_version v, w;
	char why[256], text[FO_VERSION_TEXT];

	(void)state;
	for (size_t i = 0; i < sizeof(k_good) / sizeof(k_good[0]); i++) {
		assert_int_equal(fo_version_parse(&v, k_good[i][0], why, sizeof(why)), 0);
		fo_version_text(text, &v);
		assert_string_equal(text, k_good[i][1]);
	}
	for (size_t i = 0; i < sizeof(k_bad) / sizeof(k_bad[0]); i++)
		if (fo_version_parse(&v, k_bad[i], why, sizeof(why)) != FO_ERR_OPTIONS)
			fail_msg("\"%s\" read as a version", k_bad[i]);
	assert_int_equal(fo_version_parse(&v, "1.4.10", why, sizeof(why)), 0);
	assert_int_equal(fo_version_parse(&w, "1.4.9+100", why, sizeof(why)), 0);
	assert_true(fo_version_compare(&v, &w) > 0);
	assert_true(fo_version_compare(&w, &v) < 0);
	assert_int_equal(fo_version_parse(&w, "1.4.10+1", why, sizeof(why)), 0);
	assert_true(fo_version_compare(&v, &w) < 0); /* MCUboot counts the build */
	assert_int_equal(fo_security_counter_auto(&(struct fo_version){2, 7, 300, 12}), 0x0207012c);
}

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A GNU build-id note of n bytes (0x11, 0x12, ...) at b + at. */
static void note(uint8_t *b, size_t at, uint32_t n)
{
	le32(b + at, 4);
	le32(b + at + 4, n);
	le32(b + at + 8, 3);
	memcpy(b + at + 12, "GNU", 4);
	for (uint32_t i = 0; i < n; i++)
		b[at + 16 + i] = (uint8_t)(0x11 + i);
}

/* fo_image_build_id's search, through an image whose firmware is b (256 bytes, header area 0) */
static size_t find(uint8_t *b, size_t len)
{
	uint8_t out[64];
	struct fo_image img = {.hdr_size = 0, .img_size = (uint32_t)len};
	size_t n = fo_image_build_id(out, &img, b);

	if (n > 0) {
		assert_int_equal(out[0], 0x11);
		assert_int_equal(out[n - 1], 0x11 + n - 1);
	}
	return n;
}

/* The build-id note found in an image's firmware (aligned, whole, of the GNU name and type) and nowhere else. */
static void build_id_notes(void **state)
{
	uint8_t b[256];

	(void)state;
	memset(b, 0xff, sizeof(b));
	assert_int_equal(find(b, sizeof(b)), 0);
	note(b, 40, 20);
	assert_int_equal(find(b, sizeof(b)), 20);
	assert_int_equal(find(b, 40 + 16 + 19), 0); /* cut short */
	memset(b, 0xff, sizeof(b));
	note(b, 42, 20); /* not 4-byte aligned: not a note */
	assert_int_equal(find(b, sizeof(b)), 0);
	memset(b, 0xff, sizeof(b));
	note(b, 0, 65); /* longer than any build-id */
	assert_int_equal(find(b, sizeof(b)), 0);
	note(b, 0, 20);
	b[8] = 1; /* another note type */
	assert_int_equal(find(b, sizeof(b)), 0);
	assert_int_equal(find(b, 3), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vectors_read_back),      cmocka_unit_test(every_flipped_bit_fails),
		cmocka_unit_test(every_truncation_fails), cmocka_unit_test(lies_and_missing_parts),
		cmocka_unit_test(sign_round_trips),       cmocka_unit_test(sign_refuses),
		cmocka_unit_test(versions),               cmocka_unit_test(build_id_notes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
