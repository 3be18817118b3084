/* SPDX-License-Identifier: Apache-2.0 */
/* An MCUboot image in a flash slot checked as MCUboot hashes it (faultline/ota.h, docs/OTA.md): every size and
 * length is checked against the slot before it is used; the slot is read a piece at a time. */
#include <string.h>

#include "faultline/errors.h"
#include "faultline/ota.h"
#include "le_private.h"
#include "sha256_private.h"

#define IMAGE_MAGIC 0x96f3b83du
#define TLV_INFO_MAGIC 0x6907u
#define TLV_PROT_INFO_MAGIC 0x6908u
#define TLV_SHA256 0x10u
#define PIECE 256u

/* The 4-byte TLV (or TLV area info) header at offset: its two 16-bit halves. */
static int tlv_header(fl_ota_read_fn read, void *ctx, uint32_t offset, uint32_t *a, uint32_t *b)
{
	uint8_t h[4];
	int rc = read(ctx, offset, h, sizeof(h));

	*a = fl_le_get(h, 2);
	*b = fl_le_get(h + 2, 2);
	return rc;
}

int fl_ota_image_check(struct fl_ota_image *out, fl_ota_read_fn read, void *ctx, uint32_t slot_size,
		       const uint8_t *want)
{
	uint8_t piece[PIECE], digest[32];
	struct fl_sha256 sha;
	uint32_t at, magic, tot, type, len, end;
	int rc, found = 0;

	memset(out, 0, sizeof(*out));
	if (slot_size < 32)
		return FL_ERR_INVALID_ARG;
	if ((rc = read(ctx, 0, piece, 32)) != 0)
		return rc;
	if (fl_le_get(piece, 4) != IMAGE_MAGIC)
		return FL_ERR_INVALID_ARG;
	out->hdr_size = fl_le_get(piece + 8, 2);
	out->protect_tlv_size = fl_le_get(piece + 10, 2);
	out->img_size = fl_le_get(piece + 12, 4);
	out->version.major = piece[20];
	out->version.minor = piece[21];
	out->version.revision = (uint16_t)fl_le_get(piece + 22, 2);
	out->version.build = fl_le_get(piece + 24, 4);
	/* the sizes within the slot, with room for the TLV area's info after them (no overflow: each term fits) */
	if (out->hdr_size < 32 || out->img_size > slot_size || out->hdr_size + out->protect_tlv_size > slot_size ||
	    slot_size - out->hdr_size - out->protect_tlv_size < out->img_size ||
	    slot_size - out->hdr_size - out->protect_tlv_size - out->img_size < 4)
		return FL_ERR_INVALID_ARG;
	out->hashed = out->hdr_size + out->img_size + out->protect_tlv_size;
	at = out->hdr_size + out->img_size;
	if (out->protect_tlv_size > 0) {
		if ((rc = tlv_header(read, ctx, at, &magic, &tot)) != 0)
			return rc;
		if (magic != TLV_PROT_INFO_MAGIC || tot != out->protect_tlv_size)
			return FL_ERR_INVALID_ARG;
	}
	/* the TLV area: its SHA-256 TLV */
	if ((rc = tlv_header(read, ctx, out->hashed, &magic, &tot)) != 0)
		return rc;
	if (magic != TLV_INFO_MAGIC || tot < 4 || tot > slot_size - out->hashed)
		return FL_ERR_INVALID_ARG;
	end = out->hashed + tot;
	out->tlv_end = end;
	for (at = out->hashed + 4; at < end; at += 4 + len) {
		if (end - at < 4 || (rc = tlv_header(read, ctx, at, &type, &len)) != 0)
			return rc != 0 ? rc : FL_ERR_INVALID_ARG;
		if (len > end - at - 4)
			return FL_ERR_INVALID_ARG;
		if (type == TLV_SHA256) {
			if (len != 32 || found)
				return FL_ERR_INVALID_ARG;
			if ((rc = read(ctx, at + 4, out->sha256, 32)) != 0)
				return rc;
			found = 1;
		}
	}
	if (!found)
		return FL_ERR_INVALID_ARG;
	/* the hash, a piece at a time */
	fl_sha256_init(&sha);
	for (at = 0; at < out->hashed;) {
		uint32_t n = out->hashed - at < PIECE ? out->hashed - at : PIECE;

		if ((rc = read(ctx, at, piece, n)) != 0)
			return rc;
		fl_sha256_update(&sha, piece, n);
		at += n;
	}
	fl_sha256_final(&sha, digest);
	if (memcmp(digest, out->sha256, 32) != 0 || (want != NULL && memcmp(digest, want, 32) != 0))
		return FL_ERR_MISMATCH;
	return 0;
}
