/* SPDX-License-Identifier: Apache-2.0 */
/* Time to sign and to verify a 512 KiB release image (ota/: fo_image_sign; fo_image_parse + fo_image_check), beside
 * the raw limits in the same run, alternated with them: libsodium's SHA-256 of the same bytes plus one ED25519
 * signature (signing) or one verification (verifying), the work no signer can skip. Medians of 21 rounds. */
#define _POSIX_C_SOURCE 200809L
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fo/image.h"
#include "fo/key.h"

#define IMAGE (512u * 1024u)
#define ROUNDS 21

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v)
{
	qsort(v, ROUNDS, sizeof(*v), by_value);
	return v[ROUNDS / 2];
}

int main(void)
{
	struct fo_sign_options o = {.version = {1, 4, 3, 0}, .header_size = 0x200, .pad_header = true, .align = 4,
				    .slot_size = 0x100000, .erased = 0xff, .has_security_counter = true,
				    .security_counter = 3};
	double sign_ms[ROUNDS], raw_sign_ms[ROUNDS], verify_ms[ROUNDS], raw_verify_ms[ROUNDS], t;
	uint8_t *bin = malloc(IMAGE), *img = NULL, digest[32], sig[64];
	struct fo_key key;
	struct fo_image parsed;
	char why[512];
	const size_t hashed = IMAGE + 0x200 + 12; /* the header area, the image, the security counter */
	size_t len = 0;

	if (bin == NULL || fo_key_generate(&key) != 0)
		return 1;
	randombytes_buf(bin, IMAGE);
	for (int r = 0; r < ROUNDS; r++) {
		free(img);
		t = now_ms();
		if (fo_image_sign(&img, &len, &o, &key, bin, IMAGE, why, sizeof(why)) != 0) {
			fprintf(stderr, "bench_release: %s\n", why);
			return 1;
		}
		sign_ms[r] = now_ms() - t;
		t = now_ms();
		crypto_hash_sha256(digest, img, hashed);
		crypto_sign_detached(sig, NULL, digest, sizeof(digest), key.sk);
		raw_sign_ms[r] = now_ms() - t;
		t = now_ms();
		if (fo_image_parse(&parsed, img, len, why, sizeof(why)) != 0 ||
		    fo_image_check(NULL, &parsed, img, (const uint8_t(*)[32])key.pk, 1, why, sizeof(why)) != 0) {
			fprintf(stderr, "bench_release: %s\n", why);
			return 1;
		}
		verify_ms[r] = now_ms() - t;
		t = now_ms();
		crypto_hash_sha256(digest, img, hashed);
		if (crypto_sign_verify_detached(sig, digest, sizeof(digest), key.pk) != 0)
			return 1;
		raw_verify_ms[r] = now_ms() - t;
	}
	printf("release sign, 512 KiB image (ED25519, SHA-256): %.2f ms; raw limit (SHA-256 + one signature) %.2f ms\n",
	       median(sign_ms), median(raw_sign_ms));
	printf("release verify, the same image: %.2f ms; raw limit (SHA-256 + one verification) %.2f ms\n",
	       median(verify_ms), median(raw_verify_ms));
	free(img);
	free(bin);
	fo_key_wipe(&key);
	return 0;
}
