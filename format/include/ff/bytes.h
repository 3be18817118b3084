/* SPDX-License-Identifier: Apache-2.0 */
/* Bytes as docs/FORMAT.md §1 lays them out: the one little-endian reader (and writer) of the host side (and the
 * big-endian one that ELF's old compressed sections need), UTF-8 checked, and bytes as hex. */
#ifndef FF_BYTES_H
#define FF_BYTES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A u16 / u32 stored least significant byte first at p (2 / 4 readable bytes; no alignment needed). */
static inline uint16_t ff_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t ff_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* An n-byte (1..8) unsigned number stored least significant byte first at p: read, and written (the server's
 * own blobs). */
static inline uint64_t ff_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

static inline void ff_put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* A u64 stored most significant byte first (8 readable bytes): the ELF ".zdebug" header's size. */
static inline uint64_t ff_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/*
 * Whether bytes are UTF-8 (RFC 3629: no overlong forms, no UTF-16 surrogates, nothing past U+10FFFF), as every
 * text of the formats is (docs/FORMAT.md §1).
 * s, len: (in) the bytes (a NUL among them is a character like any other).
 * Returns 1 when they are, 0 when not.
 */
int ff_utf8_valid(const uint8_t *s, size_t len);

/*
 * Make text printable UTF-8 in place, for JSON and terminals: control characters become '?', and so do all the
 * non-ASCII bytes of a text that is not UTF-8.  s: (in/out) NUL-terminated.
 */
void ff_text_printable(char *s);

/*
 * Bytes as lowercase hex, two digits each (a build-id, a digest).
 * out: the caller's buffer of cap bytes, always NUL-terminated when cap >= 1; the text is cut short (at a whole
 * byte) when cap < 2 * len + 1.  bytes/len: the bytes, only read.
 */
void ff_hex(char *out, size_t cap, const uint8_t *bytes, size_t len);

#ifdef __cplusplus
}
#endif
#endif
