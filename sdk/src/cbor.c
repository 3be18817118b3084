/* SPDX-License-Identifier: Apache-2.0 */
/* The CBOR writer and sinks (see cbor_private.h). */
#include <string.h>

#include "cbor_private.h"
#include "le_private.h"

#define MAJOR_UINT FL_CBOR_MAJOR_UINT
#define MAJOR_BYTES FL_CBOR_MAJOR_BYTES
#define MAJOR_TEXT 3u
#define MAJOR_ARRAY 4u
#define MAJOR_MAP FL_CBOR_MAJOR_MAP

void fl_sink_put(struct fl_sink *s, const void *data, size_t len)
{
	if (s->write != NULL && len > 0)
		s->write(s, data, len);
	s->pos += (uint32_t)len;
}

static void window_write(struct fl_sink *sink, const uint8_t *data, size_t len)
{
	struct fl_window_sink *w = (struct fl_window_sink *)sink;
	uint32_t from = sink->pos, to = sink->pos + (uint32_t)len;
	uint32_t lo = from > w->start ? from : w->start;
	uint32_t hi = to < w->start + w->cap ? to : w->start + (uint32_t)w->cap;

	if (lo < hi)
		memcpy(w->buf + (lo - w->start), data + (lo - from), hi - lo);
}

void fl_window_init(struct fl_window_sink *w, uint32_t start, void *buf, size_t cap)
{
	w->base.write = window_write;
	w->base.pos = 0;
	w->start = start;
	w->buf = buf;
	w->cap = cap;
}

size_t fl_cbor_head_size(uintptr_t value)
{
	if (value < 24)
		return 1;
	if (value <= 0xffu)
		return 2;
	if (value <= 0xffffu)
		return 3;
	if ((value >> 16) >> 16 == 0)
		return 5;
	return 9; /* only where uintptr_t has 64 bits */
}

/* Values are uintptr_t, the width of the target's registers: no 64-bit arithmetic on a 32-bit MCU. */
size_t fl_cbor_head_write(uint8_t *out, unsigned major, uintptr_t value)
{
	size_t n = fl_cbor_head_size(value);

	/* additional information: the value itself, or 24..27 for 1, 2, 4, 8 bytes following */
	out[0] = (uint8_t)(major << 5 | (n == 1 ? (unsigned)value : n == 2 ? 24u : n == 3 ? 25u : n == 5 ? 26u : 27u));
	for (size_t i = 1; i < n; i++) /* big-endian argument */
		out[i] = (uint8_t)(value >> (8 * (n - 1 - i)));
	return n;
}

static void head(struct fl_sink *s, unsigned major, uintptr_t value)
{
	uint8_t b[9];

	fl_sink_put(s, b, fl_cbor_head_write(b, major, value));
}

void fl_cbor_uint(struct fl_sink *s, uintptr_t value)
{
	head(s, MAJOR_UINT, value);
}

void fl_cbor_key_uint(struct fl_sink *s, unsigned key, uintptr_t value)
{
	head(s, MAJOR_UINT, key);
	head(s, MAJOR_UINT, value);
}

void fl_cbor_key_u64(struct fl_sink *s, unsigned key, uint64_t value)
{
	uint8_t b[9] = {MAJOR_UINT << 5 | 27u};

	if (value == (uintptr_t)value) {
		fl_cbor_key_uint(s, key, (uintptr_t)value);
		return;
	}
	head(s, MAJOR_UINT, key);
	for (int i = 1; i < 9; i++)
		b[i] = (uint8_t)(value >> (8 * (8 - i)));
	fl_sink_put(s, b, sizeof(b));
}

void fl_cbor_key_pair(struct fl_sink *s, unsigned key, uintptr_t a, uintptr_t b)
{
	head(s, MAJOR_UINT, key);
	head(s, MAJOR_ARRAY, 2);
	head(s, MAJOR_UINT, a);
	head(s, MAJOR_UINT, b);
}

void fl_cbor_bytes_head(struct fl_sink *s, size_t len)
{
	head(s, MAJOR_BYTES, len);
}

void fl_cbor_bytes(struct fl_sink *s, const void *data, size_t len)
{
	head(s, MAJOR_BYTES, len);
	fl_sink_put(s, data, len);
}

void fl_cbor_text(struct fl_sink *s, const char *str)
{
	size_t len = strlen(str);

	head(s, MAJOR_TEXT, len);
	fl_sink_put(s, str, len);
}

void fl_cbor_array(struct fl_sink *s, size_t count)
{
	head(s, MAJOR_ARRAY, count);
}

void fl_cbor_map(struct fl_sink *s, size_t pairs)
{
	head(s, MAJOR_MAP, pairs);
}

/* count words of `size` bytes (4 or 8) from `words`, as one bstr of little-endian words */
static void words(struct fl_sink *s, const void *words, size_t count, size_t size)
{
	const uint8_t *w = words;

	head(s, MAJOR_BYTES, count * size);
	for (size_t i = 0; i < count; i++, w += size) {
		uintptr_t v = size == 4 ? *(const uint32_t *)(const void *)w : *(const uintptr_t *)(const void *)w;
		uint8_t b[sizeof(uintptr_t)];

		fl_le_put(b, v, size);
		fl_sink_put(s, b, size);
	}
}

void fl_cbor_words(struct fl_sink *s, const uintptr_t *w, size_t count)
{
	words(s, w, count, sizeof(uintptr_t));
}

void fl_cbor_words32(struct fl_sink *s, const uint32_t *w, size_t count)
{
	words(s, w, count, 4);
}
