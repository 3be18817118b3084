/* SPDX-License-Identifier: Apache-2.0 */
/* Unsigned LEB128 as docs/FORMAT.md §1 defines it: bounded length, minimal encodings only. */
#ifndef FF_LEB128_H
#define FF_LEB128_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode one value from buf (avail bytes), using at most max_bytes (1..4) bytes.
 * out: the value.  Returns the number of bytes consumed (>= 1), or 0 when the encoding is truncated, longer than
 * max_bytes, or not minimal.
 */
size_t ff_leb128_read(uint32_t *out, const uint8_t *buf, size_t avail, unsigned max_bytes);

#endif
