/* SPDX-License-Identifier: Apache-2.0 */
/* Reading serial framing (docs/FORMAT.md §6): one line of a device's console at a time. */
#ifndef FA_SERIAL_H
#define FA_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fa/error.h"

#define FA_SERIAL_RECORD_MAX 4096u /* characters after the marker */
#define FA_SERIAL_CHUNK_MAX 3072u  /* bytes of the largest chunk a record can carry */
#define FA_SERIAL_SERIAL_MAX 64u

enum fa_serial_kind {
	FA_SERIAL_LOG,      /* an ordinary log line (no marker) */
	FA_SERIAL_ANNOUNCE, /* "#FL:S:<serial>" */
	FA_SERIAL_CHUNK,    /* "#FL:C:<base64>:<crc>" */
	FA_SERIAL_BAD,      /* a record that is damaged: err says how; never a chunk */
};

struct fa_serial_record {
	enum fa_serial_kind kind;
	size_t log_len;                  /* bytes of the line before the marker (all of it for FA_SERIAL_LOG) */
	char serial[FA_SERIAL_SERIAL_MAX + 1]; /* FA_SERIAL_ANNOUNCE, NUL-terminated */
	uint8_t chunk[FA_SERIAL_CHUNK_MAX];    /* FA_SERIAL_CHUNK */
	size_t chunk_len;
};

/* True when s (len bytes, no NUL needed) is a device serial as docs/FORMAT.md §6 allows: 1 to 64 characters of
 * A-Z a-z 0-9 . _ : - (so it is safe in a URL path and a file name). */
bool fa_serial_valid(const char *s, size_t len);

/*
 * Classify one line (without its "\n"; a trailing "\r" is ignored) and decode its record.
 * out: filled (log_len always; the rest by kind).  err: optional; set for FA_SERIAL_BAD.
 * Returns out->kind.
 */
enum fa_serial_kind fa_serial_parse_line(struct fa_serial_record *out, const char *line, size_t len,
					 struct fa_error *err);

#endif
