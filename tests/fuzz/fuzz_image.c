/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: MCUboot images (ota/src/image.c) and key files (ota/src/key.c) from arbitrary bytes. Beyond "no crash":
 * what parsing gives points inside the bytes and adds up (hashed <= tlv_end <= len, each TLV's value inside the TLV
 * area, a build-id of at most 64 bytes), no input passes the check against a key it was not signed by, and a key that reads back is ED25519's. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fo/image.h"
#include "fo/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* tests/data/mcuboot/test-key.pub.pem's key, which signed the seeds */
static const uint8_t k_test_key[32] = {0x91, 0xfe, 0xbc, 0xdb, 0xac, 0xba, 0x87, 0x07, 0x95, 0xcb, 0x1f,
				       0xc2, 0x60, 0xb8, 0x17, 0x14, 0xa0, 0x17, 0x8a, 0x72, 0x7b, 0x24,
				       0xe7, 0xfa, 0xa6, 0x39, 0x93, 0xd7, 0x78, 0x94, 0x7f, 0xa9};

static void inside(const uint8_t *p, size_t n, const uint8_t *data, const struct fo_image *img)
{
	if (p != NULL && (p < data + img->hashed || p + n > data + img->tlv_end))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fo_image img;
	struct fo_key key;
	char why[512];

	if (fo_image_parse(&img, data, size, why, sizeof(why)) == 0) {
		uint8_t other[32], build[64];

		if (img.hashed > img.tlv_end || img.tlv_end > size || img.hashed < img.hdr_size)
			abort();
		inside(img.sha256, 32, data, &img);
		inside(img.keyhash, 32, data, &img);
		inside(img.pubkey, FO_KEY_SPKI_LEN, data, &img);
		inside(img.ed25519, 64, data, &img);
		memcpy(other, k_test_key, 32);
		other[0] ^= 1; /* a key nothing was signed by */
		if (fo_image_check(NULL, &img, data, (const uint8_t(*)[32])other, 1, why, sizeof(why)) == 0)
			abort();
		(void)fo_image_check(NULL, &img, data, (const uint8_t(*)[32])k_test_key, 1, why, sizeof(why));
		if (fo_image_build_id(build, &img, data) > 64)
			abort();
	}
	if (fo_key_read(&key, (const char *)data, size, why, sizeof(why)) == 0)
		fo_key_wipe(&key);
	return 0;
}
