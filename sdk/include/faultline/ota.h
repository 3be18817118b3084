/* SPDX-License-Identifier: Apache-2.0 */
/* Updates over a console (docs/FORMAT.md §12, docs/OTA.md): the device's requests as "#FL:U:" lines to print where
 * its chunk lines go (faultline bridge relays them to the server), and the relay's "#FL:D:" reply lines read back
 * from the console's input. Every function here writes only into your buffers: nothing is kept, no heap. */
#ifndef FAULTLINE_OTA_H
#define FAULTLINE_OTA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FL_OTA_DATA_MAX 2048u                     /* bytes a fetch asks for at most */
#define FL_OTA_MESSAGE_MAX (9u + FL_OTA_DATA_MAX) /* the largest message: a data reply */
/* Bytes a line of a message of len bytes needs: "#FL:x:" + base64 + ":" + 8 hex digits + "\n" + NUL. */
#define FL_OTA_LINE_SIZE(len) (6u + 4u * (((len) + 2u) / 3u) + 1u + 8u + 1u + 1u)
#define FL_OTA_REQUEST_LINE_MAX FL_OTA_LINE_SIZE(1u + 8u + 4u + 4u + 65u + 65u + 65u) /* a check-in's, the longest */

/* An MCUboot image version: major.minor.revision+build. */
struct fl_ota_version {
	uint8_t major, minor;
	uint16_t revision;
	uint32_t build;
};

/* What the device runs, for a check-in. */
struct fl_ota_running {
	struct fl_ota_version version; /* from the running image's MCUboot header */
	uint32_t security_counter;     /* the image's (0: none) */
	uint32_t slot_size;            /* bytes of the secondary slot an image is written to */
	const char *sw_version;        /* 1..64 bytes, as the device's messages say */
	const char *hw_version;        /* 0..64 bytes ("" or NULL: none) */
	const uint8_t *build_id;       /* 1..64 bytes, fl_port_build_id()'s */
	size_t build_id_len;
};

/* The steps of an update a device reports (docs/OTA.md). */
enum fl_ota_step {
	FL_OTA_STEP_OFFERED, FL_OTA_STEP_DOWNLOADING, FL_OTA_STEP_DOWNLOADED, FL_OTA_STEP_VERIFIED,
	FL_OTA_STEP_INSTALLED, FL_OTA_STEP_CONFIRMED, FL_OTA_STEP_REVERTED, FL_OTA_STEP_FAILED
};

/* The replies (FORMAT.md §12 types). */
enum fl_ota_reply_type {
	FL_OTA_OFFER = 0x81,
	FL_OTA_NO_OFFER = 0x82,
	FL_OTA_DATA = 0x83,
	FL_OTA_RECORDED = 0x84,
	FL_OTA_REFUSED = 0x8f,
};

/* A reply read: the members of its type are set. data and why point into the buffer given to fl_ota_reply_line. */
struct fl_ota_reply {
	enum fl_ota_reply_type type;
	uint32_t deployment, release, size, offset;
	struct fl_ota_version version;
	uint8_t sha256[32];
	const uint8_t *data; /* FL_OTA_DATA: data_len bytes of the image from offset */
	size_t data_len;
	uint8_t step;         /* FL_OTA_RECORDED */
	uint8_t request_type; /* FL_OTA_REFUSED: the request's type (1 check-in, 2 fetch, 3 report) */
	const char *why;      /* FL_OTA_REFUSED: why_len bytes of UTF-8 text, not NUL-terminated */
	size_t why_len;
};

/*
 * A check-in line: "#FL:U:...\n", NUL-terminated. out/cap: your buffer (FL_OTA_REQUEST_LINE_MAX bytes always
 * suffice). r: what the device runs. Returns the line's length without the NUL, 0 when cap is too small or a text
 * of r is out of its range (nothing usable is written).
 */
size_t fl_ota_checkin_line(char *out, size_t cap, const struct fl_ota_running *r);

/* A fetch line: bytes [offset, offset + length) of release's image, length 1..FL_OTA_DATA_MAX. Returns as
 * fl_ota_checkin_line (0 also for a length out of range). */
size_t fl_ota_fetch_line(char *out, size_t cap, uint32_t release, uint32_t offset, uint16_t length);

/* A report line: step of deployment, at offset (downloading), why (NULL or "": none; at most 120 bytes). Returns
 * as fl_ota_checkin_line. */
size_t fl_ota_report_line(char *out, size_t cap, uint32_t deployment, enum fl_ota_step step, uint32_t offset,
			  const char *why);

/*
 * Read a line of the console's input as a reply. out: (out) the reply. buf/cap: your buffer for its bytes
 * (FL_OTA_MESSAGE_MAX suffice; out points into it). line/len: the line, without its "\n" (a "\r" is ignored; text
 * before the "#FL:D:" marker is skipped). Returns 0, FL_ERR_NO_DATA (not a reply line: another line of the
 * console), FL_ERR_INVALID_ARG (a damaged one: bad base64, a wrong CRC, a message that is not a reply, fields
 * past its end; ask again), FL_ERR_NO_SPACE (cap too small).
 */
int fl_ota_reply_line(struct fl_ota_reply *out, uint8_t *buf, size_t cap, const char *line, size_t len);

/* Read len bytes at offset of a flash slot into buf (the port's flash, or a test's memory). ctx: the caller's.
 * Returns 0, or a negative FL_ERR_* (FL_ERR_IO). */
typedef int (*fl_ota_read_fn)(void *ctx, uint32_t offset, void *buf, size_t len);

/* An MCUboot image in a slot, as fl_ota_image_check read it. */
struct fl_ota_image {
	struct fl_ota_version version;
	uint32_t hdr_size, img_size, protect_tlv_size;
	uint32_t hashed;  /* the bytes the SHA-256 covers: hdr_size + img_size + protect_tlv_size */
	uint32_t tlv_end; /* where its TLV area ends */
	uint8_t sha256[32];
};

/*
 * Check the MCUboot image at the start of a slot as MCUboot computes its hash: the header's magic and sizes (all
 * within slot_size), the TLV areas' magics and lengths, and the SHA-256 of the header area, the image and the
 * protected TLVs against the image's SHA-256 TLV, and against want (the offer's, 32 bytes; NULL: not asked).
 * The slot is read a piece at a time (256 bytes on the stack). The signature is MCUboot's to check.
 * out: (out) the image. read/ctx: how to read the slot. Returns 0, FL_ERR_INVALID_ARG (not an MCUboot image, or
 * sizes and lengths that do not add up within the slot, or no SHA-256 TLV), FL_ERR_MISMATCH (the SHA-256 is not
 * the bytes', or not want), or read's error.
 */
int fl_ota_image_check(struct fl_ota_image *out, fl_ota_read_fn read, void *ctx, uint32_t slot_size,
		       const uint8_t *want);

#ifdef __cplusplus
}
#endif
#endif
