/* SPDX-License-Identifier: Apache-2.0 */
/* The update messages of docs/FORMAT.md §12 (the downlink): a device's requests (check-in, fetch, report) read from
 * hostile bytes, and the relay's replies (offer, no offer, data, recorded, refused) written; and the other way
 * round, for tests and simulated devices. No I/O here: faultline bridge moves them. */
#ifndef FF_UPDATE_H
#define FF_UPDATE_H

#include <stddef.h>
#include <stdint.h>

#include "ff/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FF_UPDATE_DATA_MAX 2048u                     /* bytes a fetch asks for at most */
#define FF_UPDATE_MESSAGE_MAX (9u + FF_UPDATE_DATA_MAX) /* the largest message: a data reply */
#define FF_UPDATE_TEXT_MAX 64u                       /* sw_version, hw_version */
#define FF_UPDATE_WHY_MAX 120u                       /* a report's why */
#define FF_UPDATE_REFUSED_MAX 200u                   /* a refusal's text */

enum ff_update_type {
	FF_UPDATE_CHECKIN = 0x01,
	FF_UPDATE_FETCH = 0x02,
	FF_UPDATE_REPORT = 0x03,
	FF_UPDATE_OFFER = 0x81,
	FF_UPDATE_NO_OFFER = 0x82,
	FF_UPDATE_DATA = 0x83,
	FF_UPDATE_RECORDED = 0x84,
	FF_UPDATE_REFUSED = 0x8f,
};

/* The steps of an update a device reports (FORMAT.md §12's step byte; the API's names, docs/OTA.md). */
#define FF_UPDATE_STEPS 8u
extern const char *const ff_update_step_names[FF_UPDATE_STEPS]; /* "offered" ... "failed", by step byte */

/* The step byte of a step's name, or -1 when name is none (NULL included). */
int ff_update_step_of(const char *name);

/* The MCUboot version of an image: major.minor.revision+build. */
struct ff_update_version {
	uint8_t major, minor;
	uint16_t revision;
	uint32_t build;
};

/* A request, by type: the members of its type are set, the others zero. Texts NUL-terminated. */
struct ff_update_request {
	enum ff_update_type type;
	/* check-in */
	struct ff_update_version version;
	uint32_t security_counter, slot_size;
	char sw_version[FF_UPDATE_TEXT_MAX + 1], hw_version[FF_UPDATE_TEXT_MAX + 1];
	uint8_t build_id[64];
	size_t build_id_len;
	/* fetch */
	uint32_t release, offset;
	uint16_t length;
	/* report (offset too) */
	uint32_t deployment;
	uint8_t step; /* 0 offered ... 7 failed, FORMAT.md §12 */
	char why[FF_UPDATE_WHY_MAX + 1];
};

/* A reply, by type. data points at the caller's bytes (encode) or into the message (decode). */
struct ff_update_reply {
	enum ff_update_type type;
	uint32_t deployment, release, size, offset;
	struct ff_update_version version;
	uint8_t sha256[32];
	const uint8_t *data;
	size_t data_len;
	uint8_t step;
	uint8_t request_type; /* refused: the request's type */
	char why[FF_UPDATE_REFUSED_MAX + 1];
};

/*
 * Read a request message (hostile bytes). out: (out) the request. b, len: the message. err: (out, optional) what is
 * wrong. Returns 0, or FF_ERR_MALFORMED (a type that is no request, fields past its end, bytes after them, a length
 * or a text out of range), FF_ERR_UNSUPPORTED (a reply's type: the wrong direction).
 */
int ff_update_request_decode(struct ff_update_request *out, const uint8_t *b, size_t len, struct ff_error *err);

/*
 * Write a request message. out, cap: where (FF_UPDATE_MESSAGE_MAX is always enough). r: the request, its texts
 * within their limits. Returns the message's length, 0 when r cannot be one (a text too long, an unknown type).
 */
size_t ff_update_request_encode(uint8_t *out, size_t cap, const struct ff_update_request *r);

/* Write a reply message (as ff_update_request_encode; a refusal's text, cut short by its writer inside a UTF-8
 * character, loses that character's bytes). */
size_t ff_update_reply_encode(uint8_t *out, size_t cap, const struct ff_update_reply *r);

/* Read a reply message (as ff_update_request_decode; FF_ERR_UNSUPPORTED for a request's type). */
int ff_update_reply_decode(struct ff_update_reply *out, const uint8_t *b, size_t len, struct ff_error *err);

#ifdef __cplusplus
}
#endif
#endif
