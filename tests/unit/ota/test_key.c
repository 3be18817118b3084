/* SPDX-License-Identifier: Apache-2.0 */
/* ota/src/key.c: ED25519 keys in PEM as imgtool writes them. imgtool's key files read (the private key gives the
 * public key imgtool printed for it); a generated key's files read back the same and are the ones imgtool read
 * (tests/data/mcuboot: faultline-key.imgtool-pub.pem is imgtool's getpub of a key faultline generated); anything
 * else is refused, saying what it is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fo/key.h"
#include "testdata.h"

static char *text_of(const char *name, size_t *len)
{
	char path[128];

	snprintf(path, sizeof(path), "mcuboot/%s", name);
	return (char *)fl_test_read(path, len);
}

/* Read data file name: the key (fails the test when it is refused). */
static struct fo_key key_of(const char *name)
{
	struct fo_key k;
	char why[256];
	size_t len;
	char *text = text_of(name, &len);

	if (fo_key_read(&k, text, len, why, sizeof(why)) != 0)
		fail_msg("%s: %s", name, why);
	free(text);
	return k;
}

static void imgtool_keys_read(void **state)
{
	struct fo_key priv = key_of("test-key.pem"), pub = key_of("test-key.pub.pem"), mine = key_of("faultline-key.pem");
	size_t len;
	char *pem, *want;

	(void)state;
	assert_true(priv.has_private);
	assert_false(pub.has_private);
	assert_memory_equal(priv.pk, pub.pk, 32);
	/* the public key's PEM is imgtool's getpub, byte for byte */
	pem = fo_key_pem(&priv, false);
	want = text_of("test-key.pub.pem", &len);
	assert_int_equal(strlen(pem), len);
	assert_memory_equal(pem, want, len);
	free(pem);
	free(want);
	/* and the private key's PEM the file imgtool wrote */
	pem = fo_key_pem(&priv, true);
	want = text_of("test-key.pem", &len);
	assert_int_equal(strlen(pem), len);
	assert_memory_equal(pem, want, len);
	fo_key_pem_free(pem);
	free(want);
	/* a key faultline generated, as imgtool printed its public key */
	pem = fo_key_pem(&mine, false);
	want = text_of("faultline-key.imgtool-pub.pem", &len);
	assert_int_equal(strlen(pem), len);
	assert_memory_equal(pem, want, len);
	free(pem);
	free(want);
	fo_key_wipe(&priv);
	fo_key_wipe(&mine);
	assert_false(priv.has_private);
	for (size_t i = 0; i < sizeof(priv.sk); i++)
		assert_int_equal(priv.sk[i], 0);
}

static void generated_keys_round_trip(void **state)
{
	struct fo_key k, back, pub;
	char why[256], *pem;
	uint8_t hash[32], again[32];

	(void)state;
	assert_int_equal(fo_key_generate(&k), 0);
	pem = fo_key_pem(&k, true);
	assert_non_null(strstr(pem, "-----BEGIN PRIVATE KEY-----\n"));
	assert_int_equal(fo_key_read(&back, pem, strlen(pem), why, sizeof(why)), 0);
	fo_key_pem_free(pem);
	assert_true(back.has_private);
	assert_memory_equal(back.sk, k.sk, 64);
	pem = fo_key_pem(&k, false);
	assert_int_equal(fo_key_read(&pub, pem, strlen(pem), why, sizeof(why)), 0);
	free(pem);
	assert_false(pub.has_private);
	assert_memory_equal(pub.pk, k.pk, 32);
	fo_key_hash(hash, k.pk);
	fo_key_hash(again, pub.pk);
	assert_memory_equal(hash, again, 32);
	fo_key_wipe(&k);
	fo_key_wipe(&back);
}

static void other_files_refused(void **state)
{
	static const struct {
		const char *text, *why;
	} k_bad[] = {
		{"", "not a PEM key"},
		{"hello", "not a PEM key"},
		{"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIKqCBDFtyFOIfJQ9i8XzmKZyh8tevondn8pUzNUbtt0V\n", "no"},
		{"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n", "not base64"},
		/* 47 bytes of the 48 */
		{"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIKqCBDFtyFOIfJQ9i8XzmKZyh8tevondn8pUzNUbtt0=\n-----END PRIVATE "
		 "KEY-----\n", "not in the PKCS#8 form"},
		{"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n", "encrypted"},
		{"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", "\"RSA PRIVATE KEY\" block"},
		/* an ED25519 public key's DER under the private label */
		{"-----BEGIN PRIVATE KEY-----\nMCowBQYDK2VwAyEAvJx1hzUy2Qunw+FsLtPJlpU7MZv3abw/w18rsGpmxSo=\n-----END PRIVATE "
		 "KEY-----\n", "not in the PKCS#8 form"},
		{"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "not an ED25519 key"},
	};
	struct fo_key k;
	char why[256];
	size_t len;
	char *ecdsa = text_of("ecdsa-p256-key.pem", &len);

	(void)state;
	for (size_t i = 0; i < sizeof(k_bad) / sizeof(k_bad[0]); i++) {
		assert_int_equal(fo_key_read(&k, k_bad[i].text, strlen(k_bad[i].text), why, sizeof(why)), -1);
		if (strstr(why, k_bad[i].why) == NULL)
			fail_msg("case %zu: \"%s\" not in \"%s\"", i, k_bad[i].why, why);
		assert_false(k.has_private);
	}
	assert_int_equal(fo_key_read(&k, ecdsa, len, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not an ED25519 key"));
	free(ecdsa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(imgtool_keys_read),
		cmocka_unit_test(generated_keys_round_trip),
		cmocka_unit_test(other_files_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
