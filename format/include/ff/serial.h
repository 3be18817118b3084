/* SPDX-License-Identifier: Apache-2.0 */
/* Reading serial framing (docs/FORMAT.md §6): one line of a device's console at a time. */
#ifndef FF_SERIAL_H
#define FF_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ff/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FF_SERIAL_RECORD_MAX 4096u /* characters after the marker */
#define FF_SERIAL_CHUNK_MAX 3072u  /* bytes of the largest chunk a record can carry */
#define FF_SERIAL_SERIAL_MAX 64u

enum ff_serial_kind {
	FF_SERIAL_LOG,      /* an ordinary log line (no marker) */
	FF_SERIAL_ANNOUNCE, /* "#FL:S:<serial>" */
	FF_SERIAL_CHUNK,    /* "#FL:C:<base64>:<crc>" */
	FF_SERIAL_BAD,      /* a record that is damaged: err says how; never a chunk */
};

struct ff_serial_record {
	enum ff_serial_kind kind;
	size_t log_len;                  /* bytes of the line before the marker (all of it for FF_SERIAL_LOG) */
	char serial[FF_SERIAL_SERIAL_MAX + 1]; /* FF_SERIAL_ANNOUNCE, NUL-terminated */
	uint8_t chunk[FF_SERIAL_CHUNK_MAX];    /* FF_SERIAL_CHUNK */
	size_t chunk_len;
};

/* True when s (len bytes, no NUL needed) is a device serial as docs/FORMAT.md §6 allows: 1 to 64 characters of
 * A-Z a-z 0-9 . _ : - (so it is safe in a URL path and a file name). */
bool ff_device_serial_valid(const char *s, size_t len);

/*
 * Classify one line (without its "\n"; a trailing "\r" is ignored) and decode its record.
 * out: filled (log_len always; the rest by kind).  err: optional; set for FF_SERIAL_BAD.
 * Returns out->kind.
 */
enum ff_serial_kind ff_serial_parse_line(struct ff_serial_record *out, const char *line, size_t len,
					 struct ff_error *err);

#ifdef __cplusplus
}
#endif
#endif
