/* SPDX-License-Identifier: Apache-2.0 */
/* Serial framing (docs/FORMAT.md §6): chunks as text lines on a UART or console shared with log output, so
 * `faultline bridge` can pick them out and forward them. A reader forwards each chunk line for the device of the
 * last announcement line ("#FL:S:<serial>") it saw, so the announcement goes before a message's first chunk:
 * fl_serial_chunk_lines() does that for you. Every function here writes only into your buffer: nothing is kept. */
#ifndef FAULTLINE_SERIAL_H
#define FAULTLINE_SERIAL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes a chunk line needs for a chunk of len bytes: "#FL:C:" + base64 + ":" + 8 hex digits + "\n" + NUL. */
#define FL_SERIAL_LINE_SIZE(len) (6u + 4u * (((len) + 2u) / 3u) + 1u + 8u + 1u + 1u)

/* Bytes the announcement needs with the longest serial (64 characters, faultline/port.h): "#FL:S:" + serial +
 * "\n" + NUL. */
#define FL_SERIAL_ANNOUNCE_SIZE 72u

/* Bytes fl_serial_chunk_lines() needs for a chunk of len bytes, whatever the chunk and the serial: an
 * announcement line, then the chunk line and its NUL. */
#define FL_SERIAL_LINES_SIZE(len) (FL_SERIAL_ANNOUNCE_SIZE - 1u + FL_SERIAL_LINE_SIZE(len))

/*
 * Format one chunk as a line: "#FL:C:<base64>:<crc32>\n", NUL-terminated.
 * out/cap: your buffer, at least FL_SERIAL_LINE_SIZE(len) bytes.  chunk/len: from fl_chunk_next().
 * Returns the line's length without the NUL, or 0 when cap is too small (nothing usable is written).
 */
size_t fl_serial_chunk_line(char *out, size_t cap, const void *chunk, size_t len);

/*
 * Format what the serial line needs for one chunk: when it is a message's first chunk (fl_chunk_is_first()), the
 * announcement "#FL:S:<serial>\n" with the serial from fl_port_device_info(), then the chunk's line as
 * fl_serial_chunk_line() makes it; NUL-terminated. Print the result as it is, for every chunk fl_chunk_next()
 * gives, and a reader that starts listening part way through picks the device up at the next message.
 * out/cap: your buffer; FL_SERIAL_LINES_SIZE(len) bytes always suffice.  chunk/len: from fl_chunk_next().
 * The announcement is left out when the port's serial is empty (the bridge then needs --serial).
 * Returns the length written without the NUL (one or two lines), or 0 when cap is too small for all of it
 * (nothing usable is written).
 */
size_t fl_serial_chunk_lines(char *out, size_t cap, const void *chunk, size_t len);

/*
 * Format the announcement "#FL:S:<serial>\n" (NUL-terminated) with the serial from fl_port_device_info(), to
 * print on your own: at boot, and before each message's first chunk (fl_chunk_is_first(); or use
 * fl_serial_chunk_lines(), which does both). out/cap: your buffer; FL_SERIAL_ANNOUNCE_SIZE bytes always suffice.
 * Returns its length without the NUL, or 0 when cap is too small or the port's serial is empty.
 */
size_t fl_serial_announce_line(char *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
