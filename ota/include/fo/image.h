/* SPDX-License-Identifier: Apache-2.0 */
/* MCUboot's signed image format (docs/OTA.md, Signed images), the host side's one owner of its rules: read an image
 * and check it against the project's keys; sign one, writing the bytes MCUboot's imgtool writes for the same inputs
 * (ED25519 over the SHA-256 of the header, the image and the protected TLVs). The facts come from MCUboot's
 * docs/design.md and imgtool; none of their code. */
#ifndef FO_IMAGE_H
#define FO_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fo/key.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FO_IMAGE_MAGIC 0x96f3b83du
#define FO_IMAGE_HEADER_SIZE 32u      /* the header proper; its area (hdr_size) may be larger */
#define FO_TLV_INFO_MAGIC 0x6907u      /* the TLV area the hash does not cover */
#define FO_TLV_PROT_INFO_MAGIC 0x6908u /* the protected TLV area, covered by the hash */
#define FO_IMAGE_F_RAM_LOAD 0x20u      /* ih_flags: load_addr is where the image runs from */

/* The TLV types faultline reads or writes (MCUboot has more; they are skipped). */
enum fo_tlv_type {
	FO_TLV_KEYHASH = 0x01, /* SHA-256 of the signing key's SubjectPublicKeyInfo (fo_key_hash) */
	FO_TLV_PUBKEY = 0x02,  /* the signing key itself, as SubjectPublicKeyInfo */
	FO_TLV_SHA256 = 0x10,  /* SHA-256 of the header area, the image and the protected TLV area */
	FO_TLV_ED25519 = 0x24, /* ED25519 signature of that SHA-256 (the 32 bytes are the signed message) */
	FO_TLV_SEC_CNT = 0x50, /* security counter, uint32 little-endian; protected area only */
};

/* What is wrong with an image: 0 is nothing; each has a text in the why of the call that found it. */
enum fo_image_error {
	FO_ERR_TRUNCATED = -1,   /* the bytes end before what the header or a TLV says is there */
	FO_ERR_MALFORMED = -2,   /* not the format: magic, sizes or TLV lengths that do not add up, a TLV twice */
	FO_ERR_NO_HASH = -3,     /* no SHA-256 TLV */
	FO_ERR_HASH = -4,        /* the header, the image or the protected TLVs changed after signing */
	FO_ERR_NO_SIGNATURE = -5, /* no ED25519 TLV, or no key hash / key TLV to say whose */
	FO_ERR_UNKNOWN_KEY = -6, /* signed by a key that is not one of those given */
	FO_ERR_SIGNATURE = -7,   /* the signature is not the key's over the SHA-256 */
	FO_ERR_OPTIONS = -8,     /* fo_image_sign: options imgtool would refuse, or an input that does not fit */
};

/* MCUboot's image version: major.minor.revision+build. */
struct fo_version {
	uint8_t major, minor;
	uint16_t revision;
	uint32_t build;
};

#define FO_VERSION_TEXT 32 /* room for what fo_version_text writes (25 bytes at most, NUL included) */

/*
 * Read text as imgtool reads --version: MAJOR[.MINOR[.REVISION[+BUILD]]], decimal, missing parts 0.
 * out: (out) the version. text: NUL-terminated. why: (out) what is wrong, cap bytes.
 * Returns 0, or FO_ERR_OPTIONS (not that form, or a part too large for its field).
 */
int fo_version_parse(struct fo_version *out, const char *text, char *why, size_t cap);

/* out: (out) "MAJOR.MINOR.REVISION", with "+BUILD" when build is not 0 (FO_VERSION_TEXT bytes). */
void fo_version_text(char out[FO_VERSION_TEXT], const struct fo_version *v);

/* MCUboot's order: major, minor, revision, then build. Returns < 0, 0, > 0 as a is before, the same as, after b. */
int fo_version_compare(const struct fo_version *a, const struct fo_version *b);

/* An image read by fo_image_parse: its header and where its TLVs are. The pointers point into the bytes parsed,
 * which the caller keeps; NULL when the image has no such TLV. */
struct fo_image {
	uint32_t load_addr, img_size, flags;
	uint16_t hdr_size, protect_tlv_size;
	struct fo_version version;
	bool has_security_counter;
	uint32_t security_counter;
	size_t hashed;  /* the bytes the SHA-256 covers: hdr_size + img_size + protect_tlv_size */
	size_t tlv_end; /* where the TLV area ends: the signed image's length without padding or trailer */
	const uint8_t *sha256, *keyhash, *pubkey, *ed25519;
	unsigned other_signature; /* the type of a signature TLV of another algorithm (RSA, ECDSA, LMS), 0 none */
};

/*
 * Read an image's header and TLV areas, checking every length against len before it is used (the bytes are hostile).
 * out: (out) the image, pointing into bytes. bytes, len: the image, perhaps padded to its slot with a trailer.
 * why: (out) what is wrong, in words, cap bytes. Returns 0, FO_ERR_TRUNCATED or FO_ERR_MALFORMED.
 */
int fo_image_parse(struct fo_image *out, const uint8_t *bytes, size_t len, char *why, size_t cap);

/*
 * Check a parsed image: its SHA-256 against the bytes, then its signature against the key it names (by key hash or
 * key TLV) among keys. out_key: (out) the index in keys of the key that signed it (NULL: not wanted). bytes: those
 * img was parsed from. keys, nkeys: public keys (32 bytes each). why: (out) what is wrong, cap bytes.
 * Returns 0, FO_ERR_NO_HASH, FO_ERR_HASH, FO_ERR_NO_SIGNATURE, FO_ERR_UNKNOWN_KEY or FO_ERR_SIGNATURE.
 */
int fo_image_check(size_t *out_key, const struct fo_image *img, const uint8_t *bytes, const uint8_t (*keys)[32],
		   size_t nkeys, char *why, size_t cap);

/*
 * The GNU build-id note in a parsed image's firmware (a firmware keeps .note.gnu.build-id in flash, as the SDK
 * needs: docs/PORTING.md): the first 4-byte aligned note of name "GNU" and type 3 with 1 to 64 bytes of build-id,
 * wholly inside the image. out: (out) those bytes. img: parsed from bytes. Returns how many, 0 when there is none.
 */
size_t fo_image_build_id(uint8_t out[64], const struct fo_image *img, const uint8_t *bytes);

/* The options of imgtool sign that change its output, by imgtool's names. */
struct fo_sign_options {
	struct fo_version version; /* --version */
	uint32_t header_size;      /* --header-size: at least FO_IMAGE_HEADER_SIZE */
	bool pad_header;           /* --pad-header: the header area is added in front (erased bytes); without it,
				    * the input's first header_size bytes must be zero and are the header area */
	uint32_t align;            /* --align: the flash's write size, 1, 2, 4, 8, 16 or 32 (0: 1) */
	uint32_t max_align;        /* --max-align: 8, 16 or 32 (0: the larger of 8 and align) */
	uint32_t max_sectors;      /* --max-sectors: sectors of the swap status area (0: 128) */
	uint32_t slot_size;        /* --slot-size: the image and its trailer must fit */
	bool pad;                  /* --pad: padded to slot_size with the trailer's magic at its end */
	bool confirm;              /* --confirm: padded, with image_ok set (a permanent image) */
	uint32_t load_addr;        /* --load-addr: 0 none, else the RAM_LOAD flag is set */
	uint8_t erased;            /* --erased-val: 0xff or 0, what padding is filled with */
	bool has_security_counter; /* --security-counter given: */
	uint32_t security_counter; /*   its value, in the protected TLV area */
};

/* imgtool's --security-counter auto: (major << 24) + (minor << 16) + revision. */
uint32_t fo_security_counter_auto(const struct fo_version *v);

/*
 * Sign bin as imgtool sign does with an ED25519 key and these options (SHA-256, the key's hash in the TLVs).
 * out, out_len: (out) the signed image, malloc'd, the caller frees it. o: the options. key: the signing key.
 * bin, len: the firmware. why: (out) what is wrong, cap bytes. Returns 0, or FO_ERR_OPTIONS (with why: options
 * imgtool refuses, a non-zero header area without pad_header, an image and trailer larger than the slot).
 */
int fo_image_sign(uint8_t **out, size_t *out_len, const struct fo_sign_options *o, const struct fo_key *key,
		  const uint8_t *bin, size_t len, char *why, size_t cap);

/* The size of the trailer MCUboot keeps at a slot's end in swap mode, for these options (imgtool's count). */
uint32_t fo_trailer_size(const struct fo_sign_options *o);

#ifdef __cplusplus
}
#endif
#endif
