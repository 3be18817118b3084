/* SPDX-License-Identifier: Apache-2.0 */
/* Unsigned LEB128 as docs/FORMAT.md §1 defines it: bounded length, minimal encodings only. */
#ifndef FF_LEB128_H
#define FF_LEB128_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode one value from buf (avail bytes), using at most max_bytes (1..10) bytes.
 * out: (out) the value, set only on success.
 * out_why: (out, optional) on failure, a static phrase for an error message: "cut short" (the bytes end before
 *          the last byte of the number), "longer than its field allows", "not minimal", "above 2^64-1" (a
 *          10-byte number whose last byte holds more than bit 63).
 * Returns the number of bytes consumed (>= 1), or 0 when the encoding is invalid.
 */
size_t ff_leb128_read64(uint64_t *out, const uint8_t *buf, size_t avail, unsigned max_bytes, const char **out_why);

/*
 * The same for a header field of at most max_bytes (1..4) bytes: its value fits 28 bits.
 * Returns the number of bytes consumed (>= 1), or 0 when the encoding is invalid.
 */
size_t ff_leb128_read(uint32_t *out, const uint8_t *buf, size_t avail, unsigned max_bytes);

#endif
