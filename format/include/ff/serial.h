/* SPDX-License-Identifier: Apache-2.0 */
/* Reading serial framing (docs/FORMAT.md §6): a device's console, one line at a time (ff_serial_parse_line), or as
 * a byte stream that also applies §6's rule for whose chunks they are (struct ff_serial_reader). */
#ifndef FF_SERIAL_H
#define FF_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ff/device.h"
#include "ff/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FF_SERIAL_RECORD_MAX 4096u /* characters after the marker */
#define FF_SERIAL_CHUNK_MAX 3072u  /* bytes of the largest chunk a record can carry */
#define FF_SERIAL_SERIAL_MAX FF_DEVICE_SERIAL_MAX
#define FF_SERIAL_LINE_MAX 8192u   /* a reader passes longer lines on in pieces of this size: no record is that long */

enum ff_serial_kind {
	FF_SERIAL_LOG,      /* an ordinary log line (no marker) */
	FF_SERIAL_ANNOUNCE, /* "#FL:S:<serial>" */
	FF_SERIAL_CHUNK,    /* "#FL:C:<base64>:<crc>" */
	FF_SERIAL_UPDATE,   /* "#FL:U:<base64>:<crc>": an update request (§12), its bytes in chunk */
	FF_SERIAL_BAD,      /* a record that is damaged: err says how; never a chunk */
};

struct ff_serial_record {
	enum ff_serial_kind kind;
	size_t log_len;                  /* bytes of the line before the marker (all of it for FF_SERIAL_LOG) */
	char serial[FF_SERIAL_SERIAL_MAX + 1]; /* FF_SERIAL_ANNOUNCE, NUL-terminated */
	uint8_t chunk[FF_SERIAL_CHUNK_MAX];    /* FF_SERIAL_CHUNK */
	size_t chunk_len;
};

/*
 * Classify one line and decode its record.
 * out: (out) filled: log_len always, the rest by kind (its own copy: line may go after the call).
 * line, len: (in) the line without its "\n" (a trailing "\r" is ignored).
 * err: (out, optional) for FF_SERIAL_BAD, how the record is damaged.
 * Returns out->kind.
 */
enum ff_serial_kind ff_serial_parse_line(struct ff_serial_record *out, const char *line, size_t len,
					 struct ff_error *err);

/*
 * Write a record line: "#FL:<letter>:<base64>:<crc>\n" of bytes (an update reply's "D", §12), NUL-terminated.
 * out, cap: where. letter: the record's. bytes, len: its bytes. Returns the line's length without the NUL, 0 when
 * it does not fit cap or would be longer than a record may be (FF_SERIAL_RECORD_MAX).
 */
size_t ff_serial_record_write(char *out, size_t cap, char letter, const uint8_t *bytes, size_t len);

/* What a stream reader found in a line. */
enum ff_serial_event_kind {
	FF_SERIAL_EV_LOG,         /* log text: a line without a record, or the text before a record's marker */
	FF_SERIAL_EV_ANNOUNCE,    /* a device announced itself: chunks that follow are serial's */
	FF_SERIAL_EV_CHUNK,       /* a chunk of the device serial */
	FF_SERIAL_EV_BAD,         /* a damaged record, dropped: why says how */
	FF_SERIAL_EV_UNANNOUNCED, /* a chunk or update line before any announcement, dropped (§6) */
	FF_SERIAL_EV_UPDATE,      /* an update request of the device serial (§12): its message in chunk */
};

/* One event. Every pointer points into the reader and is valid only during the callback. */
struct ff_serial_event {
	enum ff_serial_event_kind kind;
	const char *text;     /* FF_SERIAL_EV_LOG: the text (not NUL-terminated), text_len bytes */
	size_t text_len;
	const char *serial;   /* FF_SERIAL_EV_ANNOUNCE, _CHUNK and _UPDATE: the device's, NUL-terminated */
	const uint8_t *chunk; /* FF_SERIAL_EV_CHUNK, _UPDATE and _UNANNOUNCED: the chunk's or the message's bytes */
	size_t chunk_len;
	const char *why;      /* FF_SERIAL_EV_BAD: the reason, NUL-terminated */
};

/* Called for each event, in input order; ctx is the caller's. */
typedef void (*ff_serial_sink)(void *ctx, const struct ff_serial_event *ev);

/*
 * A console read as a byte stream: lines are cut at "\n" (a "\r" before it is dropped; a line longer than
 * FF_SERIAL_LINE_MAX goes on in pieces) and each chunk is given the serial of the last announcement before it, as
 * §6 says; chunk lines before any announcement are dropped (they can only be the rest of a message whose first
 * chunk this reader did not see). The caller allocates it (about 12 KB); it holds no other memory.
 */
struct ff_serial_reader {
	char serial[FF_SERIAL_SERIAL_MAX + 1]; /* the last announced serial, "" before any */
	char line[FF_SERIAL_LINE_MAX];
	size_t line_len;
	struct ff_serial_record rec;
};

/*
 * Start a reader.
 * r: (out) the caller's reader, set up.
 * serial: (in, optional) a device serial known out of band (faultline bridge --serial), which counts as an
 *         announcement at the start of the stream; copied; one that fails ff_device_serial_valid() is ignored.
 */
void ff_serial_reader_init(struct ff_serial_reader *r, const char *serial);

/*
 * Read bytes of the stream: each line they complete becomes events, in order.
 * r: (in/out) the reader.  bytes, len: (in) any piece of the stream, read during the call only.
 * each, ctx: (in) called for every event (with ctx).
 */
void ff_serial_reader_feed(struct ff_serial_reader *r, const void *bytes, size_t len, ff_serial_sink each, void *ctx);

/*
 * The stream ended: a last line without its "\n" becomes events too; the reader can then be fed anew.
 * r: (in/out) the reader.  each, ctx: (in) as for ff_serial_reader_feed().
 */
void ff_serial_reader_finish(struct ff_serial_reader *r, ff_serial_sink each, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
