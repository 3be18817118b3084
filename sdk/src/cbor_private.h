/* SPDX-License-Identifier: Apache-2.0 */
/* Byte sinks and the SDK's CBOR writer: just the items docs/FORMAT.md §1 uses (uint, bstr, tstr, array, map),
 * definite lengths, shortest heads. The same encoder feeds storage in the fault path, the chunker's windows, and
 * size calculations. */
#ifndef FL_CBOR_PRIVATE_H
#define FL_CBOR_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

/* A sink receives a byte stream. write may be NULL: then the sink only counts (pos). */
struct fl_sink {
	void (*write)(struct fl_sink *sink, const uint8_t *data, size_t len);
	uint32_t pos; /* bytes put so far */
};

/* A sink that keeps only the bytes of stream positions [start, start + cap) in buf (the chunker's window). */
struct fl_window_sink {
	struct fl_sink base;
	uint32_t start;
	uint8_t *buf;
	size_t cap;
};

/* Make w a window onto stream positions [start, start + cap), written to buf. */
void fl_window_init(struct fl_window_sink *w, uint32_t start, void *buf, size_t cap);

/* Put len raw bytes. */
void fl_sink_put(struct fl_sink *s, const void *data, size_t len);

/* Integers are uintptr_t: register-sized, so a 32-bit MCU never does 64-bit arithmetic here. */
void fl_cbor_uint(struct fl_sink *s, uintptr_t value);
void fl_cbor_key_uint(struct fl_sink *s, unsigned key, uintptr_t value); /* a map pair: key, then value */
void fl_cbor_key_u64(struct fl_sink *s, unsigned key, uint64_t value);   /* the same for a 64-bit value */
void fl_cbor_key_pair(struct fl_sink *s, unsigned key, uintptr_t a, uintptr_t b); /* key, then [a, b] */
void fl_cbor_bytes(struct fl_sink *s, const void *data, size_t len); /* head + bytes */
void fl_cbor_bytes_head(struct fl_sink *s, size_t len);             /* head only; the caller puts the bytes */
void fl_cbor_text(struct fl_sink *s, const char *str);               /* NUL-terminated */
void fl_cbor_array(struct fl_sink *s, size_t count);
void fl_cbor_map(struct fl_sink *s, size_t pairs);

/* Bytes fl_cbor_uint / a head takes for value. */
size_t fl_cbor_head_size(uintptr_t value);

/* The major types a caller writes a head of itself. */
#define FL_CBOR_MAJOR_UINT 0u
#define FL_CBOR_MAJOR_BYTES 2u
#define FL_CBOR_MAJOR_MAP 5u

/* Write the head of an item of this major type and value (a length, a count) into out, which has room for
 * fl_cbor_head_size(value) bytes, without a sink. Returns that size. */
size_t fl_cbor_head_write(uint8_t *out, unsigned major, uintptr_t value);

/* Put words little-endian, word_size (4 or 8) bytes each, as one bstr. */
void fl_cbor_words(struct fl_sink *s, const uintptr_t *words, size_t count);
void fl_cbor_words32(struct fl_sink *s, const uint32_t *words, size_t count);

#endif
