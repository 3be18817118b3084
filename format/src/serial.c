/* SPDX-License-Identifier: Apache-2.0 */
/* Serial records: find the marker, check the record letter, decode base64 strictly, check the line CRC. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "ff/device.h"
#include "ff/serial.h"

static const char k_marker[] = "#FL:";

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Strict base64: length a multiple of 4, '=' only as the last one or two characters, no stray bits. */
static int b64_decode(uint8_t *out, size_t cap, size_t *out_len, const char *in, size_t len)
{
	size_t n = 0;

	if (len == 0 || len % 4 != 0)
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		int v[4], pad = 0;

		for (int j = 0; j < 4; j++) {
			if (in[i + j] == '=' && i + 4 == len && j >= 2) {
				v[j] = 0;
				pad++;
			} else if (pad > 0 || (v[j] = b64_value(in[i + j])) < 0) {
				return -1;
			}
		}
		if ((pad == 2 && (v[1] & 15) != 0) || (pad == 1 && (v[2] & 3) != 0))
			return -1; /* bits that the padding says are not there */
		if (n + 3u - (size_t)pad > cap)
			return -1;
		out[n++] = (uint8_t)(v[0] << 2 | v[1] >> 4);
		if (pad < 2)
			out[n++] = (uint8_t)(v[1] << 4 | v[2] >> 2);
		if (pad < 1)
			out[n++] = (uint8_t)(v[2] << 6 | v[3]);
	}
	*out_len = n;
	return 0;
}

static int hex_u32(uint32_t *out, const char *s, size_t len)
{
	uint32_t v = 0;

	if (len != 8)
		return -1;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

static enum ff_serial_kind bad(struct ff_serial_record *out, struct ff_error *err, const char *what)
{
	ff_error_set(err, FF_ERR_MALFORMED, "serial record: %s", what);
	out->kind = FF_SERIAL_BAD;
	out->chunk_len = 0;
	return out->kind;
}

bool ff_device_serial_valid(const char *s, size_t len)
{
	if (len < 1 || len > FF_DEVICE_SERIAL_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == ':' || c == '-'))
			return false;
	}
	return true;
}

enum ff_serial_kind ff_serial_parse_line(struct ff_serial_record *out, const char *line, size_t len,
					 struct ff_error *err)
{
	const char *rec = NULL, *colon;
	size_t rlen;
	uint32_t want, got;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	for (size_t i = 0; i + sizeof(k_marker) - 1 <= len; i++) {
		if (memcmp(line + i, k_marker, sizeof(k_marker) - 1) == 0) {
			rec = line + i;
			break;
		}
	}
	out->log_len = rec != NULL ? (size_t)(rec - line) : len;
	out->chunk_len = 0;
	out->serial[0] = '\0';
	if (rec == NULL) {
		out->kind = FF_SERIAL_LOG;
		return out->kind;
	}
	rec += sizeof(k_marker) - 1;
	rlen = len - (size_t)(rec - line);
	if (rlen > FF_SERIAL_RECORD_MAX)
		return bad(out, err, "longer than 4096 characters");
	if (rlen < 2 || rec[1] != ':')
		return bad(out, err, "no record letter");
	if (rec[0] == 'S') {
		if (!ff_device_serial_valid(rec + 2, rlen - 2))
			return bad(out, err, "a serial is 1..64 characters, none outside A-Z a-z 0-9 . _ : -");
		memcpy(out->serial, rec + 2, rlen - 2);
		out->serial[rlen - 2] = '\0';
		out->kind = FF_SERIAL_ANNOUNCE;
		return out->kind;
	}
	if (rec[0] != 'C' && rec[0] != 'U')
		return bad(out, err, "unknown record letter");
	colon = memchr(rec + 2, ':', rlen - 2);
	if (colon == NULL)
		return bad(out, err, "chunk line without its CRC");
	if (b64_decode(out->chunk, sizeof(out->chunk), &out->chunk_len, rec + 2, (size_t)(colon - rec - 2)) != 0)
		return bad(out, err, "chunk is not valid base64");
	if (hex_u32(&want, colon + 1, rlen - (size_t)(colon + 1 - rec)) != 0)
		return bad(out, err, "CRC is not 8 hex digits");
	got = (uint32_t)crc32(0, out->chunk, (uInt)out->chunk_len);
	if (got != want)
		return bad(out, err, "CRC mismatch (a garbled line)");
	out->kind = rec[0] == 'C' ? FF_SERIAL_CHUNK : FF_SERIAL_UPDATE;
	return out->kind;
}

size_t ff_serial_record_write(char *out, size_t cap, char letter, const uint8_t *bytes, size_t len)
{
	static const char k_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const size_t need = 6 + 4 * ((len + 2) / 3) + 10;
	size_t n = 0;

	if (cap < need + 1 || need - 7 > FF_SERIAL_RECORD_MAX)
		return 0;
	n += (size_t)snprintf(out, cap, "#FL:%c:", letter);
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)bytes[i] << 16 | (i + 1 < len ? (uint32_t)bytes[i + 1] << 8 : 0) |
			     (i + 2 < len ? bytes[i + 2] : 0);

		out[n++] = k_b64[v >> 18 & 63];
		out[n++] = k_b64[v >> 12 & 63];
		out[n++] = i + 1 < len ? k_b64[v >> 6 & 63] : '=';
		out[n++] = i + 2 < len ? k_b64[v & 63] : '=';
	}
	n += (size_t)snprintf(out + n, cap - n, ":%08lx\n", (unsigned long)crc32(0, bytes, (uInt)len));
	return n;
}

/* ---- the stream reader ---- */

void ff_serial_reader_init(struct ff_serial_reader *r, const char *serial)
{
	r->line_len = 0;
	r->serial[0] = '\0';
	if (serial != NULL && ff_device_serial_valid(serial, strlen(serial)))
		memcpy(r->serial, serial, strlen(serial) + 1);
}

static void take_line(struct ff_serial_reader *r, ff_serial_sink each, void *ctx)
{
	struct ff_error err = {0};
	struct ff_serial_event ev = {.kind = FF_SERIAL_EV_LOG, .text = r->line};
	enum ff_serial_kind kind = ff_serial_parse_line(&r->rec, r->line, r->line_len, &err);

	ev.text_len = r->rec.log_len;
	if (kind == FF_SERIAL_LOG || r->rec.log_len > 0) /* a log line, or log text left before the marker */
		each(ctx, &ev);
	switch (kind) {
	case FF_SERIAL_ANNOUNCE:
		memcpy(r->serial, r->rec.serial, sizeof(r->serial));
		ev = (struct ff_serial_event){.kind = FF_SERIAL_EV_ANNOUNCE, .serial = r->serial};
		break;
	case FF_SERIAL_CHUNK:
	case FF_SERIAL_UPDATE:
		ev = (struct ff_serial_event){.kind = r->serial[0] == '\0' ? FF_SERIAL_EV_UNANNOUNCED
						     : kind == FF_SERIAL_CHUNK ? FF_SERIAL_EV_CHUNK : FF_SERIAL_EV_UPDATE,
					      .serial = r->serial, .chunk = r->rec.chunk, .chunk_len = r->rec.chunk_len};
		break;
	case FF_SERIAL_BAD:
		ev = (struct ff_serial_event){.kind = FF_SERIAL_EV_BAD, .why = err.msg};
		break;
	default:
		return;
	}
	each(ctx, &ev);
}

void ff_serial_reader_feed(struct ff_serial_reader *r, const void *bytes, size_t len, ff_serial_sink each, void *ctx)
{
	const char *p = bytes;

	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n') {
			take_line(r, each, ctx);
			r->line_len = 0;
			continue;
		}
		if (r->line_len == sizeof(r->line)) { /* no record is this long: pass it on as it is */
			take_line(r, each, ctx);
			r->line_len = 0;
		}
		r->line[r->line_len++] = p[i];
	}
}

void ff_serial_reader_finish(struct ff_serial_reader *r, ff_serial_sink each, void *ctx)
{
	if (r->line_len > 0)
		take_line(r, each, ctx);
	r->line_len = 0;
}
