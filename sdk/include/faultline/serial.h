/* SPDX-License-Identifier: Apache-2.0 */
/* Serial framing (docs/FORMAT.md §6): chunks as text lines on a UART or console shared with log output, so
 * `faultline bridge` can pick them out and forward them. */
#ifndef FAULTLINE_SERIAL_H
#define FAULTLINE_SERIAL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes a chunk line needs for a chunk of len bytes: "#FL:C:" + base64 + ":" + 8 hex digits + "\n" + NUL. */
#define FL_SERIAL_LINE_SIZE(len) (6u + 4u * (((len) + 2u) / 3u) + 1u + 8u + 1u + 1u)

/*
 * Format one chunk as a line: "#FL:C:<base64>:<crc32>\n", NUL-terminated.
 * out/cap: your buffer, at least FL_SERIAL_LINE_SIZE(len) bytes.  chunk/len: from fl_chunk_next().
 * Returns the line's length without the NUL, or 0 when cap is too small (nothing usable is written).
 */
size_t fl_serial_chunk_line(char *out, size_t cap, const void *chunk, size_t len);

/*
 * Format the announcement "#FL:S:<serial>\n" (NUL-terminated) with the serial from fl_port_device_info().
 * Print it at boot and before each message's first chunk. Returns its length without the NUL, or 0 when cap is
 * too small (72 bytes always suffice).
 */
size_t fl_serial_announce_line(char *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
