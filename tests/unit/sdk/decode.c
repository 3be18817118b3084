/* SPDX-License-Identifier: Apache-2.0 */
/* Test-side decoding (decode.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crc32_private.h"
#include "decode.h"
#include "ff/bytes.h"
#include "ff/chunk.h"
#include "ff/message.h"
#include "ff/storage.h"
#include "faultline/chunk.h"

cbor_item_t *decode_message(const uint8_t *msg, size_t len)
{
	struct cbor_load_result res;
	cbor_item_t *item = cbor_load(msg, len, &res);

	if (item == NULL || res.error.code != CBOR_ERR_NONE || res.read != len || !cbor_isa_map(item))
		fail_msg("message of %zu bytes is not one CBOR map (error %d, read %zu)", len, res.error.code, res.read);
	return item;
}

cbor_item_t *map_get(cbor_item_t *map, uint64_t key)
{
	struct cbor_pair *pairs = cbor_map_handle(map);

	for (size_t i = 0; i < cbor_map_size(map); i++) {
		if (cbor_isa_uint(pairs[i].key) && cbor_get_int(pairs[i].key) == key)
			return pairs[i].value;
	}
	return NULL;
}

uint64_t map_uint(cbor_item_t *map, uint64_t key)
{
	cbor_item_t *v = map_get(map, key);

	if (v == NULL || !cbor_isa_uint(v))
		fail_msg("key %llu missing or not a uint", (unsigned long long)key);
	return cbor_get_int(v);
}

const uint8_t *stored_message_in(const uint8_t *storage, size_t size, size_t *out_len)
{
	struct ff_storage st;

	if (ff_storage_parse(&st, storage, size, NULL) != 0)
		return NULL;
	*out_len = st.msg_length;
	return st.msg;
}


size_t drain_messages(size_t mtu, void (*each)(const uint8_t *msg, size_t len, void *ctx), void *ctx)
{
	static uint8_t stream[FF_MESSAGE_MAX / 64];
	uint8_t chunk[2048];
	size_t len, count = 0;
	uint32_t total = 0, have = 0;
	uint16_t seq = 0;
	struct ff_chunk c;
	struct ff_error err;

	assert_true(mtu <= sizeof(chunk));
	while (fl_chunk_next(chunk, mtu, &len) == 0) {
		assert_true(len >= 1 && len <= mtu);
		if (ff_chunk_parse(&c, chunk, len, &err) != 0)
			fail_msg("chunk rejected: %s", err.msg);
		if (c.kind == FF_CHUNK_FIRST) {
			assert_int_equal(have, 0);
			total = c.total;
			seq = c.seq;
			assert_true(total + 4 <= sizeof(stream));
		} else {
			assert_int_equal(c.tag, seq & 7u);
		}
		assert_int_equal(c.offset, have); /* the SDK sends in order, without gaps */
		assert_true(c.offset + c.len <= total + 4);
		memcpy(stream + c.offset, c.data, c.len);
		have += (uint32_t)c.len;
		if (have == total + 4) {
			assert_int_equal(ff_le32(stream + total), fl_crc32_update(0, stream, total));
			if (each != NULL)
				each(stream, total, ctx);
			count++;
			have = 0;
		}
	}
	assert_int_equal(have, 0); /* no message left half sent */
	return count;
}

/* The format library's decoder, the server's, must accept the heartbeat and read the same n values (v[0..got)). */
static void check_with_format(const uint8_t *msg, size_t len, const uint64_t *v, size_t got, size_t n)
{
	struct ff_message *m = calloc(1, sizeof(*m));
	struct ff_error err = {0, ""};

	assert_non_null(m);
	if (ff_message_parse(m, msg, len, &err) != 0)
		fail_msg("the format library rejects the heartbeat: %s", err.msg);
	assert_int_equal(m->type, FF_MSG_HEARTBEAT);
	assert_true(n >= 1 + FF_HB_BUILTINS && v[0] >= FF_HB_BUILTINS);
	assert_int_equal(m->heartbeat.nvalues, n - 1 - v[0]);
	for (size_t i = 1; i < got; i++) {
		uint64_t want = i <= FF_HB_BUILTINS ? m->heartbeat.builtin[i - 1] : m->heartbeat.values[i - 1 - v[0]];

		if (i > FF_HB_BUILTINS && i <= v[0])
			continue; /* a built-in the format library does not know (none in v1) */
		if (v[i] != want)
			fail_msg("value %zu: %llu here, %llu by the format library", i, (unsigned long long)v[i],
				 (unsigned long long)want);
	}
	ff_message_free(m);
	free(m);
}

size_t heartbeat_values(const uint8_t *msg, size_t len, uint64_t *out, size_t max)
{
	cbor_item_t *m = decode_message(msg, len), *payload = map_get(m, 9), *values;
	const uint8_t *p;
	size_t n = 0, vlen;

	assert_int_equal(map_uint(m, 1), 3);
	assert_non_null(payload);
	values = map_get(payload, 1);
	if (values == NULL || !cbor_isa_bytestring(values) || !cbor_bytestring_is_definite(values))
		fail_msg("heartbeat: values missing or not a definite bstr");
	p = cbor_bytestring_handle(values);
	vlen = cbor_bytestring_length(values);
	for (size_t i = 0; i < vlen; n++) {
		uint64_t v = 0;
		unsigned shift = 0;
		size_t start = i;

		do {
			if (i >= vlen || shift > 63)
				fail_msg("heartbeat: value %zu is not whole LEB128", n);
			v |= (uint64_t)(p[i] & 0x7f) << shift;
			shift += 7;
		} while (p[i++] & 0x80);
		if (i - start > 1 && p[i - 1] == 0)
			fail_msg("heartbeat: value %zu is not minimal LEB128", n);
		if (n < max)
			out[n] = v;
	}
	cbor_decref(&m);
	check_with_format(msg, len, out, n < max ? n : max, n);
	return n < max ? n : max;
}

/* Little-endian fields of the ELF64 file at p. */
static uint64_t elf_get(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = n; i > 0; i--)
		v = v << 8 | p[i - 1];
	return v;
}

long self_section(const char *name, void *out, size_t cap, uint64_t *out_flags)
{
	FILE *f = fopen("/proc/self/exe", "rb");
	uint8_t *elf;
	size_t len;
	uint64_t shoff, stroff;
	unsigned shentsize, shnum, shstrndx;
	long found = -1;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = (size_t)ftell(f);
	rewind(f);
	elf = malloc(len);
	assert_non_null(elf);
	assert_int_equal(fread(elf, 1, len, f), len);
	fclose(f);
	assert_true(len > 64 && memcmp(elf, "\177ELF\2\1", 6) == 0); /* ELF64, little-endian: the host */
	shoff = elf_get(elf + 0x28, 8);
	shentsize = (unsigned)elf_get(elf + 0x3a, 2);
	shnum = (unsigned)elf_get(elf + 0x3c, 2);
	shstrndx = (unsigned)elf_get(elf + 0x3e, 2);
	assert_true(shoff + (uint64_t)shnum * shentsize <= len && shstrndx < shnum);
	stroff = elf_get(elf + shoff + (uint64_t)shstrndx * shentsize + 0x18, 8);
	for (unsigned i = 0; i < shnum && found < 0; i++) {
		const uint8_t *sh = elf + shoff + (uint64_t)i * shentsize;
		uint64_t at = stroff + elf_get(sh, 4), off = elf_get(sh + 0x18, 8), size = elf_get(sh + 0x20, 8);

		assert_true(at < len);
		if (strncmp((const char *)elf + at, name, len - at) != 0)
			continue;
		assert_true(off + size <= len);
		memcpy(out, elf + off, size < cap ? size : cap);
		*out_flags = elf_get(sh + 8, 8);
		found = (long)size;
	}
	free(elf);
	return found;
}

static void collect(const uint8_t *msg, size_t len, void *ctx)
{
	struct drained *d = ctx;

	assert_true(d->n < sizeof(d->msg) / sizeof(d->msg[0]));
	d->msg[d->n] = malloc(len);
	assert_non_null(d->msg[d->n]);
	memcpy(d->msg[d->n], msg, len);
	d->len[d->n] = len;
	d->n++;
}

size_t drain_all(size_t mtu, struct drained *d)
{
	memset(d, 0, sizeof(*d));
	drain_messages(mtu, collect, d);
	return d->n;
}

void drained_free(struct drained *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->msg[i]);
	d->n = 0;
}
