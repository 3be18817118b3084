/* SPDX-License-Identifier: Apache-2.0 */
/* A device's coredump storage area (docs/FORMAT.md §9), read from an image of it: the header, the read marker and
 * the saved message. The SDK writes this layout (sdk/src); this is the host side's one reader of it. */
#ifndef FF_STORAGE_H
#define FF_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ff/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FF_STORAGE_MAGIC "FLCD" /* the header's first 4 bytes */
#define FF_STORAGE_VERSION 1u   /* the layout version this reader knows */
#define FF_STORAGE_HEADER 32u   /* the v1 header's size */

/* Offsets of the header's fields (FORMAT.md §9); the header CRC is the last u32 of the stated header size. */
enum ff_storage_field {
	FF_STORAGE_AT_MAGIC = 0,        /* 4 bytes "FLCD" */
	FF_STORAGE_AT_VERSION = 4,      /* u8 */
	FF_STORAGE_AT_HEADER_SIZE = 6,  /* u16 */
	FF_STORAGE_AT_MSG_OFFSET = 8,   /* u32 */
	FF_STORAGE_AT_MSG_LENGTH = 12,  /* u32 */
	FF_STORAGE_AT_MSG_CRC = 16,     /* u32 */
	FF_STORAGE_AT_MARKER_OFFSET = 20, /* u32 */
	FF_STORAGE_AT_MARKER_SIZE = 24, /* u32 */
};

/* A valid saved dump, as its header describes it. */
struct ff_storage {
	uint32_t header_size;
	uint32_t msg_offset, msg_length, msg_crc;
	uint32_t marker_offset, marker_size;
	bool sent;          /* the read marker is programmed (not all 0xFF): the dump was sent already */
	const uint8_t *msg; /* the message bytes, pointing into the caller's image */
};

/* True when img starts with the storage magic (the image is worth parsing as storage). */
bool ff_storage_detect(const uint8_t *img, size_t len);

/*
 * Read a storage image by the validity rules of §9.
 * out: filled on success; out->msg points into img and lives as long as it does.  img/len: the image, only read.
 * err: optional, says which check failed.
 * Returns 0; FF_ERR_UNSUPPORTED for another layout version; FF_ERR_MALFORMED for anything else that breaks the
 * rules (short image, bad magic, header CRC, message or marker outside the image or overlapping, message CRC).
 */
int ff_storage_parse(struct ff_storage *out, const uint8_t *img, size_t len, struct ff_error *err);

#ifdef __cplusplus
}
#endif
#endif
