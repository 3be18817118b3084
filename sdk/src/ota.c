/* SPDX-License-Identifier: Apache-2.0 */
/* The device's side of the update messages (faultline/ota.h, docs/FORMAT.md §12): requests written as "#FL:U:"
 * lines, replies read from "#FL:D:" lines with every length checked against the bytes. */
#include <string.h>

#include "crc32_private.h"
#include "faultline/errors.h"
#include "faultline/ota.h"
#include "faultline/serial.h"
#include "le_private.h"
#include "serial_private.h"

#define TEXT_MAX 64u
#define WHY_MAX 120u

/* A string of 0..max bytes as str8 at p. Returns the bytes written, 0 when it is longer than max. */
static size_t put_str(uint8_t *p, const void *s, size_t n, size_t max)
{
	if (n > max)
		return 0;
	p[0] = (uint8_t)n;
	if (n > 0)
		memcpy(p + 1, s, n);
	return 1 + n;
}

static size_t put_version(uint8_t *p, const struct fl_ota_version *v)
{
	p[0] = v->major;
	p[1] = v->minor;
	fl_le_put(p + 2, v->revision, 2);
	fl_le_put(p + 4, v->build, 4);
	return 8;
}

size_t fl_ota_checkin_line(char *out, size_t cap, const struct fl_ota_running *r)
{
	uint8_t m[1 + 8 + 4 + 4 + 3 * (1 + TEXT_MAX)];
	size_t n = 0, k, sw = r->sw_version != NULL ? strlen(r->sw_version) : 0;
	size_t hw = r->hw_version != NULL ? strlen(r->hw_version) : 0;

	if (sw == 0 || r->build_id_len == 0)
		return 0;
	m[n++] = 0x01;
	n += put_version(m + n, &r->version);
	fl_le_put(m + n, r->security_counter, 4);
	fl_le_put(m + n + 4, r->slot_size, 4);
	n += 8;
	if ((k = put_str(m + n, r->sw_version, sw, TEXT_MAX)) == 0)
		return 0;
	n += k;
	if ((k = put_str(m + n, r->hw_version, hw, TEXT_MAX)) == 0)
		return 0;
	n += k;
	if ((k = put_str(m + n, r->build_id, r->build_id_len, TEXT_MAX)) == 0)
		return 0;
	n += k;
	return fl_serial_record(out, cap, 'U', m, n);
}

size_t fl_ota_fetch_line(char *out, size_t cap, uint32_t release, uint32_t offset, uint16_t length)
{
	uint8_t m[11] = {0x02};

	if (length == 0 || length > FL_OTA_DATA_MAX)
		return 0;
	fl_le_put(m + 1, release, 4);
	fl_le_put(m + 5, offset, 4);
	fl_le_put(m + 9, length, 2);
	return fl_serial_record(out, cap, 'U', m, sizeof(m));
}

size_t fl_ota_report_line(char *out, size_t cap, uint32_t deployment, enum fl_ota_step step, uint32_t offset,
			  const char *why)
{
	uint8_t m[1 + 4 + 1 + 4 + 1 + WHY_MAX] = {0x03};
	size_t w = why != NULL ? strlen(why) : 0, k;

	if ((unsigned)step > FL_OTA_STEP_FAILED)
		return 0;
	fl_le_put(m + 1, deployment, 4);
	m[5] = (uint8_t)step;
	fl_le_put(m + 6, offset, 4);
	if ((k = put_str(m + 10, why, w, WHY_MAX)) == 0)
		return 0;
	return fl_serial_record(out, cap, 'U', m, 10 + k);
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Standard base64 of len characters (a multiple of 4; one or two '=' only at its end) into buf. Returns the bytes,
 * -1 when it is not base64, -2 when it does not fit cap. */
static long b64_decode(uint8_t *buf, size_t cap, const char *in, size_t len)
{
	size_t pad = len >= 2 && in[len - 1] == '=' ? (in[len - 2] == '=' ? 2 : 1) : 0, n = len / 4 * 3 - pad;
	uint32_t bits = 0;

	if (len % 4 != 0)
		return -1;
	if (n > cap)
		return -2;
	for (size_t i = 0, out = 0; i < len; i++) {
		int v = i >= len - pad ? 0 : b64_value(in[i]);

		if (v < 0)
			return -1;
		bits = bits << 6 | (uint32_t)v;
		if (i % 4 != 3)
			continue;
		for (int k = 2; k >= 0 && out < n; k--) /* the quartet's 3 bytes (fewer in a padded last one) */
			buf[out++] = (uint8_t)(bits >> (8 * k));
		bits = 0;
	}
	return (long)n;
}

static int hex_u32(uint32_t *out, const char *s, size_t len)
{
	*out = 0;
	if (len != 8)
		return -1;
	for (size_t i = 0; i < 8; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (d < 0)
			return -1;
		*out = *out << 4 | (uint32_t)d;
	}
	return 0;
}

/* The reply message m of n bytes into out. */
static int parse(struct fl_ota_reply *out, const uint8_t *m, size_t n)
{
	memset(out, 0, sizeof(*out));
	out->type = (enum fl_ota_reply_type)m[0];
	switch (m[0]) {
	case FL_OTA_OFFER:
		if (n != 1 + 12 + 8 + 32)
			return FL_ERR_INVALID_ARG;
		out->deployment = fl_le_get(m + 1, 4);
		out->release = fl_le_get(m + 5, 4);
		out->size = fl_le_get(m + 9, 4);
		out->version.major = m[13];
		out->version.minor = m[14];
		out->version.revision = (uint16_t)fl_le_get(m + 15, 2);
		out->version.build = fl_le_get(m + 17, 4);
		memcpy(out->sha256, m + 21, 32);
		return 0;
	case FL_OTA_NO_OFFER:
		return n == 1 ? 0 : FL_ERR_INVALID_ARG;
	case FL_OTA_DATA:
		if (n < 9 || n - 9 > FL_OTA_DATA_MAX)
			return FL_ERR_INVALID_ARG;
		out->release = fl_le_get(m + 1, 4);
		out->offset = fl_le_get(m + 5, 4);
		out->data = m + 9;
		out->data_len = n - 9;
		return 0;
	case FL_OTA_RECORDED:
		if (n != 6)
			return FL_ERR_INVALID_ARG;
		out->deployment = fl_le_get(m + 1, 4);
		out->step = m[5];
		return 0;
	case FL_OTA_REFUSED:
		if (n < 2 || n - 2 > 200)
			return FL_ERR_INVALID_ARG;
		out->request_type = m[1];
		out->why = (const char *)m + 2;
		out->why_len = n - 2;
		return 0;
	default:
		return FL_ERR_INVALID_ARG;
	}
}

int fl_ota_reply_line(struct fl_ota_reply *out, uint8_t *buf, size_t cap, const char *line, size_t len)
{
	const char *rec = NULL, *colon = NULL;
	uint32_t want;
	long n;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	for (size_t i = 0; i + 6 <= len && rec == NULL; i++)
		if (memcmp(line + i, "#FL:D:", 6) == 0)
			rec = line + i + 6;
	if (rec == NULL)
		return FL_ERR_NO_DATA;
	len -= (size_t)(rec - line);
	for (size_t i = len; i > 0 && colon == NULL; i--)
		if (rec[i - 1] == ':')
			colon = rec + i - 1;
	if (colon == NULL || hex_u32(&want, colon + 1, len - (size_t)(colon + 1 - rec)) != 0)
		return FL_ERR_INVALID_ARG;
	if ((n = b64_decode(buf, cap, rec, (size_t)(colon - rec))) == -2)
		return FL_ERR_NO_SPACE;
	if (n <= 0 || fl_crc32_update(0, buf, (size_t)n) != want)
		return FL_ERR_INVALID_ARG;
	return parse(out, buf, (size_t)n);
}
