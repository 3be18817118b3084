/* SPDX-License-Identifier: Apache-2.0 */
/* MCUboot's signed image format (fo/image.h, docs/OTA.md). Every field is read and written byte by byte, little-
 * endian; every length from an image is checked against the bytes before it is used. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fo/image.h"

#define TLV_HEADER 4 /* type (uint16), length (uint16); the info header of an area is as long: magic, total */
#define KEYHASH_TLV_LEN 32
#define SHA256_LEN 32
#define ED25519_LEN 64
#define UNPROTECTED_TLVS (TLV_HEADER + (TLV_HEADER + SHA256_LEN) + (TLV_HEADER + KEYHASH_TLV_LEN) + \
			  (TLV_HEADER + ED25519_LEN)) /* what fo_image_sign writes there */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void hex(char *out, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* A decimal number of at most max at *text, which moves past it. */
static bool number(const char **text, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	const char *p = *text;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((v = v * 10 + (uint64_t)(*p - '0')) > max)
			return false;
	*out = (uint32_t)v;
	*text = p;
	return true;
}

int fo_version_parse(struct fo_version *out, const char *text, char *why, size_t cap)
{
	static const uint32_t k_max[4] = {UINT8_MAX, UINT8_MAX, UINT16_MAX, UINT32_MAX};
	static const char k_sep[3] = {'.', '.', '+'};
	uint32_t part[4] = {0};
	const char *p = text;
	bool ok = number(&p, k_max[0], &part[0]);

	/* MAJOR, then each of .MINOR .REVISION +BUILD only after the one before */
	for (int n = 1; ok && n < 4 && *p == k_sep[n - 1]; n++) {
		p++;
		ok = number(&p, k_max[n], &part[n]);
	}
	if (!ok || *p != '\0') {
		snprintf(why, cap, "\"%.40s\" is not an MCUboot version: MAJOR[.MINOR[.REVISION[+BUILD]]], decimal, at most "
				   "255.255.65535+4294967295", text);
		return FO_ERR_OPTIONS;
	}
	*out = (struct fo_version){.major = (uint8_t)part[0], .minor = (uint8_t)part[1],
				   .revision = (uint16_t)part[2], .build = part[3]};
	return 0;
}

void fo_version_text(char out[FO_VERSION_TEXT], const struct fo_version *v)
{
	int n = snprintf(out, FO_VERSION_TEXT, "%u.%u.%u", v->major, v->minor, v->revision);

	if (v->build != 0)
		snprintf(out + n, FO_VERSION_TEXT - (size_t)n, "+%lu", (unsigned long)v->build);
}

int fo_version_compare(const struct fo_version *a, const struct fo_version *b)
{
	const uint64_t x = (uint64_t)a->major << 56 | (uint64_t)a->minor << 48 | (uint64_t)a->revision << 32 | a->build;
	const uint64_t y = (uint64_t)b->major << 56 | (uint64_t)b->minor << 48 | (uint64_t)b->revision << 32 | b->build;

	return (x > y) - (x < y);
}

uint32_t fo_security_counter_auto(const struct fo_version *v)
{
	return (uint32_t)v->major << 24 | (uint32_t)v->minor << 16 | v->revision;
}

/* One TLV area at b[at, at + size) (its info header included, already checked), into out. */
static int tlv_area(struct fo_image *out, const uint8_t *b, size_t at, size_t size, bool protect, char *why,
		    size_t cap)
{
	const char *area = protect ? "protected TLV area" : "TLV area";

	for (size_t off = TLV_HEADER; off < size;) {
		unsigned type, len;
		const uint8_t *value;

		if (size - off < TLV_HEADER) {
			snprintf(why, cap, "the %s ends (at byte %zu, by its length %zu) inside the header of a TLV at byte "
					   "%zu", area, at + size, size, at + off);
			return FO_ERR_MALFORMED;
		}
		type = get16(b + at + off);
		len = get16(b + at + off + 2);
		if (len > size - off - TLV_HEADER) {
			snprintf(why, cap, "the TLV at byte %zu (type 0x%02x) says it holds %u bytes, but its %s has %zu "
					   "left", at + off, type, len, area, size - off - TLV_HEADER);
			return FO_ERR_MALFORMED;
		}
		value = b + at + off + TLV_HEADER;
		off += TLV_HEADER + len;
		if (type == FO_TLV_SEC_CNT) {
			if (!protect) {
				snprintf(why, cap, "a security counter TLV outside the protected TLV area, where the hash does "
						   "not cover it: anyone could change it");
				return FO_ERR_MALFORMED;
			}
			if (len != 4 || out->has_security_counter) {
				snprintf(why, cap, "%s", out->has_security_counter ? "two security counter TLVs"
										    : "a security counter TLV that is not 4 bytes");
				return FO_ERR_MALFORMED;
			}
			out->has_security_counter = true;
			out->security_counter = get32(value);
			continue;
		}
		if (type != FO_TLV_SHA256 && type != FO_TLV_KEYHASH && type != FO_TLV_PUBKEY && type != FO_TLV_ED25519) {
			if (!protect && ((type >= 0x20 && type <= 0x23) || type == 0x26))
				out->other_signature = type;
			continue; /* MCUboot's others (dependencies, boot record, encryption...) are not ours to read */
		}
		if (protect) {
			snprintf(why, cap, "a TLV of type 0x%02x in the protected TLV area: hashes, keys and signatures "
					   "follow it", type);
			return FO_ERR_MALFORMED;
		}
		{
			const uint8_t **slot = type == FO_TLV_SHA256    ? &out->sha256
					       : type == FO_TLV_KEYHASH ? &out->keyhash
					       : type == FO_TLV_PUBKEY  ? &out->pubkey
									: &out->ed25519;
			unsigned want = type == FO_TLV_SHA256 ? SHA256_LEN : type == FO_TLV_KEYHASH ? KEYHASH_TLV_LEN
					: type == FO_TLV_PUBKEY ? FO_KEY_SPKI_LEN : ED25519_LEN;

			if (*slot != NULL) {
				snprintf(why, cap, "two TLVs of type 0x%02x", type);
				return FO_ERR_MALFORMED;
			}
			if (len != want) {
				snprintf(why, cap, "a TLV of type 0x%02x of %u bytes, not %u", type, len, want);
				return FO_ERR_MALFORMED;
			}
			*slot = value;
		}
	}
	return 0;
}

/* The info header of a TLV area at b[at...] of magic: its size (its total length), checked against len. */
static int area_size(size_t *out, const uint8_t *b, size_t len, size_t at, unsigned magic, char *why, size_t cap)
{
	const char *area = magic == FO_TLV_PROT_INFO_MAGIC ? "protected TLV area" : "TLV area";

	if (len - at < TLV_HEADER) {
		snprintf(why, cap, "the image ends (%zu bytes) where its %s should begin: %s", len, area,
			 magic == FO_TLV_INFO_MAGIC ? "its SHA-256 and signature are missing" : "it is cut short");
		return FO_ERR_TRUNCATED;
	}
	if (get16(b + at) != magic) {
		snprintf(why, cap, "at byte %zu, where the %s begins, 0x%04x is not its magic 0x%04x%s", at, area,
			 get16(b + at), magic,
			 get16(b + at) == FO_TLV_PROT_INFO_MAGIC ? " (a protected area the header does not count)" : "");
		return FO_ERR_MALFORMED;
	}
	*out = get16(b + at + 2);
	if (*out < TLV_HEADER) {
		snprintf(why, cap, "the %s says it is %zu bytes long, less than its own 4-byte header", area, *out);
		return FO_ERR_MALFORMED;
	}
	if (*out > len - at) {
		snprintf(why, cap, "the %s (at byte %zu) says it is %zu bytes long, but the image ends %zu bytes after it "
				   "begins", area, at, *out, len - at);
		return FO_ERR_TRUNCATED;
	}
	return 0;
}

int fo_image_parse(struct fo_image *out, const uint8_t *b, size_t len, char *why, size_t cap)
{
	uint64_t end;
	size_t size;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len < FO_IMAGE_HEADER_SIZE) {
		snprintf(why, cap, "%zu bytes: shorter than MCUboot's 32-byte image header", len);
		return FO_ERR_TRUNCATED;
	}
	if (get32(b) != FO_IMAGE_MAGIC) {
		snprintf(why, cap, "the header's magic is 0x%08lx, not MCUboot's 0x96f3b83d: not a signed MCUboot image",
			 (unsigned long)get32(b));
		return FO_ERR_MALFORMED;
	}
	out->load_addr = get32(b + 4);
	out->hdr_size = get16(b + 8);
	out->protect_tlv_size = get16(b + 10);
	out->img_size = get32(b + 12);
	out->flags = get32(b + 16);
	out->version = (struct fo_version){.major = b[20], .minor = b[21], .revision = get16(b + 22),
					   .build = get32(b + 24)};
	if (out->hdr_size < FO_IMAGE_HEADER_SIZE) {
		snprintf(why, cap, "the header says its area is %u bytes, less than the 32-byte header itself",
			 out->hdr_size);
		return FO_ERR_MALFORMED;
	}
	end = (uint64_t)out->hdr_size + out->img_size;
	if (end > len) {
		snprintf(why, cap, "the header says the image ends at byte %llu, but there are only %zu bytes",
			 (unsigned long long)end, len);
		return FO_ERR_TRUNCATED;
	}
	if (out->protect_tlv_size > 0) {
		if ((rc = area_size(&size, b, len, (size_t)end, FO_TLV_PROT_INFO_MAGIC, why, cap)) != 0)
			return rc;
		if (size != out->protect_tlv_size) {
			snprintf(why, cap, "the header says the protected TLV area is %u bytes, the area says %zu",
				 out->protect_tlv_size, size);
			return FO_ERR_MALFORMED;
		}
		if ((rc = tlv_area(out, b, (size_t)end, size, true, why, cap)) != 0)
			return rc;
		end += size;
	}
	out->hashed = (size_t)end;
	if ((rc = area_size(&size, b, len, (size_t)end, FO_TLV_INFO_MAGIC, why, cap)) != 0)
		return rc;
	out->tlv_end = (size_t)end + size;
	return tlv_area(out, b, (size_t)end, size, false, why, cap);
}

int fo_image_check(size_t *out_key, const struct fo_image *img, const uint8_t *bytes, const uint8_t (*keys)[32],
		   size_t nkeys, char *why, size_t cap)
{
	uint8_t digest[SHA256_LEN], spki[FO_KEY_SPKI_LEN], hash[32];
	char have[2 * SHA256_LEN + 1], want[2 * SHA256_LEN + 1];
	size_t k;

	if (img->sha256 == NULL) {
		snprintf(why, cap, "no SHA-256 TLV (0x10): MCUboot would not boot it");
		return FO_ERR_NO_HASH;
	}
	crypto_hash_sha256(digest, bytes, img->hashed);
	if (sodium_memcmp(digest, img->sha256, SHA256_LEN) != 0) {
		hex(have, digest, SHA256_LEN);
		hex(want, img->sha256, SHA256_LEN);
		snprintf(why, cap, "the SHA-256 of bytes 0-%zu (the header, the image and the protected TLVs) is %s, but "
				   "the image's SHA-256 TLV says %s: they were changed after signing, or the TLV was",
			 img->hashed - 1, have, want);
		return FO_ERR_HASH;
	}
	if (img->ed25519 == NULL) {
		if (img->other_signature != 0)
			snprintf(why, cap, "signed with another algorithm than ED25519 (a signature TLV of type 0x%02x)",
				 img->other_signature);
		else
			snprintf(why, cap, "no ED25519 signature TLV (0x24): the image is not signed");
		return FO_ERR_NO_SIGNATURE;
	}
	if (img->keyhash == NULL && img->pubkey == NULL) {
		snprintf(why, cap, "no key hash TLV (0x01) or key TLV (0x02): nothing says which key signed it");
		return FO_ERR_NO_SIGNATURE;
	}
	for (k = 0; k < nkeys; k++) {
		fo_key_spki(spki, keys[k]);
		fo_key_hash(hash, keys[k]);
		if (img->keyhash != NULL ? sodium_memcmp(hash, img->keyhash, 32) == 0
					 : sodium_memcmp(spki, img->pubkey, FO_KEY_SPKI_LEN) == 0)
			break;
	}
	if (k == nkeys) {
		if (img->keyhash != NULL)
			hex(want, img->keyhash, 32);
		snprintf(why, cap, "signed by the key %s%s, which is none of the %zu key(s) given",
			 img->keyhash != NULL ? "whose hash is " : "in its key TLV", img->keyhash != NULL ? want : "", nkeys);
		return FO_ERR_UNKNOWN_KEY;
	}
	if (crypto_sign_verify_detached(img->ed25519, digest, SHA256_LEN, keys[k]) != 0) {
		snprintf(why, cap, "the ED25519 signature is not key %zu's over the image's SHA-256: the signature TLV was "
				   "changed, or made by another key", k + 1);
		return FO_ERR_SIGNATURE;
	}
	if (out_key != NULL)
		*out_key = k;
	why[0] = '\0';
	return 0;
}

uint32_t fo_trailer_size(const struct fo_sign_options *o)
{
	uint32_t align = o->align != 0 ? o->align : 1, max_align = o->max_align != 0 ? o->max_align : align > 8 ? align : 8;
	uint32_t sectors = o->max_sectors != 0 ? o->max_sectors : 128, magic = (16 + max_align - 1) / max_align * max_align;

	/* the swap status area (3 writes a sector), image_ok, copy_done, swap_info and swap_size, the magic */
	return sectors * 3 * align + 4 * max_align + magic;
}

static int check_options(const struct fo_sign_options *o, char *why, size_t cap)
{
	const uint32_t a = o->align != 0 ? o->align : 1;

	if (o->header_size < FO_IMAGE_HEADER_SIZE || o->header_size > UINT16_MAX)
		snprintf(why, cap, "--header-size %lu: it must be from 32 (the header) to 65535", (unsigned long)o->header_size);
	else if (a != 1 && a != 2 && a != 4 && a != 8 && a != 16 && a != 32)
		snprintf(why, cap, "--align %lu: it is one of 1, 2, 4, 8, 16 and 32", (unsigned long)a);
	else if (o->max_align != 0 && o->max_align != 8 && o->max_align != 16 && o->max_align != 32)
		snprintf(why, cap, "--max-align %lu: it is one of 8, 16 and 32", (unsigned long)o->max_align);
	else if (o->max_sectors > 1u << 20)
		snprintf(why, cap, "--max-sectors %lu: more than any flash has", (unsigned long)o->max_sectors);
	else if (o->slot_size == 0)
		snprintf(why, cap, "--slot-size is needed: the image and its trailer must fit the slot");
	else if (o->erased != 0 && o->erased != 0xff)
		snprintf(why, cap, "--erased-val is 0 or 0xff");
	else
		return 0;
	return FO_ERR_OPTIONS;
}

int fo_image_sign(uint8_t **out, size_t *out_len, const struct fo_sign_options *o, const struct fo_key *key,
		  const uint8_t *bin, size_t len, char *why, size_t cap)
{
	const size_t hs = o->header_size, prot = o->has_security_counter ? TLV_HEADER + TLV_HEADER + 4 : 0;
	const bool pad = o->pad || o->confirm;
	const uint32_t trailer = fo_trailer_size(o), max_align = o->max_align != 0 ? o->max_align
							       : o->align > 8 ? o->align : 8;
	size_t body = (o->pad_header ? hs : 0) + len, signed_len, total;
	uint8_t *img, digest[SHA256_LEN], *t;
	int rc;

	*out = NULL;
	*out_len = 0;
	if ((rc = check_options(o, why, cap)) != 0)
		return rc;
	if (!key->has_private) {
		snprintf(why, cap, "the key is a public key: signing takes the private one");
		return FO_ERR_OPTIONS;
	}
	if (!o->pad_header) {
		for (size_t i = 0; i < hs && i < len; i++)
			if (bin[i] != 0) {
				snprintf(why, cap, "the input's first %zu bytes (the header area) are not zero, and --pad-header "
						   "was not given: byte %zu is 0x%02x", hs, i, bin[i]);
				return FO_ERR_OPTIONS;
			}
		if (len < hs) {
			snprintf(why, cap, "the input (%zu bytes) is shorter than its header area (%zu): give --pad-header",
				 len, hs);
			return FO_ERR_OPTIONS;
		}
	}
	if (body - hs > UINT32_MAX || body > (size_t)UINT32_MAX) {
		snprintf(why, cap, "the input is %zu bytes: larger than an MCUboot image can be", len);
		return FO_ERR_OPTIONS;
	}
	signed_len = body + prot + UNPROTECTED_TLVS;
	if ((uint64_t)signed_len + trailer > o->slot_size) {
		snprintf(why, cap, "the signed image (0x%zx bytes) and the trailer (0x%lx) do not fit the slot (0x%lx)",
			 signed_len, (unsigned long)trailer, (unsigned long)o->slot_size);
		return FO_ERR_OPTIONS;
	}
	total = pad ? o->slot_size : signed_len;
	if ((img = malloc(total)) == NULL) {
		snprintf(why, cap, "out of memory for %zu bytes", total);
		return FO_ERR_OPTIONS;
	}
	memset(img, o->erased, total);
	memcpy(img + (o->pad_header ? hs : 0), bin, len);
	put32(img, FO_IMAGE_MAGIC);
	put32(img + 4, o->load_addr);
	put16(img + 8, (uint32_t)hs);
	put16(img + 10, (uint32_t)prot);
	put32(img + 12, (uint32_t)(body - hs));
	put32(img + 16, o->load_addr != 0 ? FO_IMAGE_F_RAM_LOAD : 0);
	img[20] = o->version.major;
	img[21] = o->version.minor;
	put16(img + 22, o->version.revision);
	put32(img + 24, o->version.build);
	put32(img + 28, 0);
	t = img + body;
	if (prot > 0) {
		put16(t, FO_TLV_PROT_INFO_MAGIC);
		put16(t + 2, (uint32_t)prot);
		put16(t + 4, FO_TLV_SEC_CNT);
		put16(t + 6, 4);
		put32(t + 8, o->security_counter);
		t += prot;
	}
	crypto_hash_sha256(digest, img, body + prot);
	put16(t, FO_TLV_INFO_MAGIC);
	put16(t + 2, UNPROTECTED_TLVS);
	put16(t + 4, FO_TLV_SHA256);
	put16(t + 6, SHA256_LEN);
	memcpy(t + 8, digest, SHA256_LEN);
	t += TLV_HEADER + TLV_HEADER + SHA256_LEN;
	put16(t, FO_TLV_KEYHASH);
	put16(t + 2, KEYHASH_TLV_LEN);
	fo_key_hash(t + 4, key->pk);
	t += TLV_HEADER + KEYHASH_TLV_LEN;
	put16(t, FO_TLV_ED25519);
	put16(t + 2, ED25519_LEN);
	crypto_sign_detached(t + 4, NULL, digest, SHA256_LEN, key->sk);
	if (pad) {
		/* the trailer's magic in its last 16 bytes: MCUboot's for 8-byte alignment, else the alignment first */
		static const uint8_t k_magic8[16] = {0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
						     0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80};
		static const uint8_t k_magic_tail[14] = {0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d,
							 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a};
		uint8_t *magic = img + total - 16;
		const uint32_t magic_area = (16 + max_align - 1) / max_align * max_align;

		if (max_align == 8) {
			memcpy(magic, k_magic8, 16);
		} else {
			put16(magic, max_align);
			memcpy(magic + 2, k_magic_tail, sizeof(k_magic_tail));
		}
		if (o->confirm)
			img[total - magic_area - max_align] = 0x01; /* image_ok */
	}
	*out = img;
	*out_len = total;
	why[0] = '\0';
	return 0;
}

size_t fo_image_build_id(uint8_t out[64], const struct fo_image *img, const uint8_t *bytes)
{
	const uint8_t *b = bytes + img->hdr_size;
	const size_t len = img->img_size;

	for (size_t at = 0; len >= 16 && at <= len - 16; at += 4) {
		uint32_t desc = get32(b + at + 4);

		if (get32(b + at) == 4 && get32(b + at + 8) == 3 && memcmp(b + at + 12, "GNU", 4) == 0 && desc >= 1 &&
		    desc <= 64 && desc <= len - at - 16) {
			memcpy(out, b + at + 16, desc);
			return desc;
		}
	}
	return 0;
}
