/* SPDX-License-Identifier: Apache-2.0 */
/* The update messages of docs/FORMAT.md §12 (ff/update.h). Every field is read through a cursor that refuses to go
 * past the message's end. */
#define _POSIX_C_SOURCE 200809L /* strnlen */
#include <stdbool.h>
#include <string.h>

#include "ff/bytes.h"
#include "ff/update.h"

const char *const ff_update_step_names[FF_UPDATE_STEPS] = {
	"offered", "downloading", "downloaded", "verified", "installed", "confirmed", "reverted", "failed",
};

int ff_update_step_of(const char *name)
{
	for (unsigned i = 0; name != NULL && i < FF_UPDATE_STEPS; i++)
		if (strcmp(name, ff_update_step_names[i]) == 0)
			return (int)i;
	return -1;
}

struct cursor {
	const uint8_t *p;
	size_t left;
	bool short_read; /* a field ran past the end */
};

static uint32_t take(struct cursor *c, unsigned n)
{
	uint32_t v;

	if (c->short_read || c->left < n) {
		c->short_read = true;
		return 0;
	}
	v = (uint32_t)ff_le(c->p, n);
	c->p += n;
	c->left -= n;
	return v;
}

/* n bytes into out. */
static void take_bytes(struct cursor *c, uint8_t *out, size_t n)
{
	if (c->short_read || c->left < n) {
		c->short_read = true;
		return;
	}
	memcpy(out, c->p, n);
	c->p += n;
	c->left -= n;
}

/* A str8 into out (max bytes at most, NUL-terminated when text). Returns its length, or -1 when it is longer than
 * max (the cursor marks a short read when it runs past the end). */
static int take_str(struct cursor *c, uint8_t *out, size_t max, bool text)
{
	size_t n = take(c, 1);

	if (c->short_read)
		return 0;
	if (n > max)
		return -1;
	if (c->left < n) {
		c->short_read = true;
		return 0;
	}
	memcpy(out, c->p, n);
	if (text)
		out[n] = '\0';
	c->p += n;
	c->left -= n;
	return (int)n;
}

static void take_version(struct cursor *c, struct ff_update_version *v)
{
	v->major = (uint8_t)take(c, 1);
	v->minor = (uint8_t)take(c, 1);
	v->revision = (uint16_t)take(c, 2);
	v->build = take(c, 4);
}

/* The end of a message read: 0, or FF_ERR_MALFORMED for fields past its end or bytes after them (tail_ok: the
 * message's tail is its own bytes). */
static int ended(const struct cursor *c, bool tail_ok, const char *what, struct ff_error *err)
{
	if (c->short_read)
		return ff_error_set(err, FF_ERR_MALFORMED, "update message: the %s is cut short", what);
	if (!tail_ok && c->left > 0)
		return ff_error_set(err, FF_ERR_MALFORMED, "update message: %zu byte(s) after the %s's last field", c->left,
				    what);
	return 0;
}

static bool text_ok(const char *s, size_t n, size_t min)
{
	if (n < min || !ff_utf8_valid((const uint8_t *)s, n))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

int ff_update_request_decode(struct ff_update_request *out, const uint8_t *b, size_t len, struct ff_error *err)
{
	struct cursor c = {.p = b, .left = len};
	int n, rc;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return ff_error_set(err, FF_ERR_MALFORMED, "update message: empty");
	out->type = (enum ff_update_type)take(&c, 1);
	switch (out->type) {
	case FF_UPDATE_CHECKIN:
		take_version(&c, &out->version);
		out->security_counter = take(&c, 4);
		out->slot_size = take(&c, 4);
		if ((n = take_str(&c, (uint8_t *)out->sw_version, FF_UPDATE_TEXT_MAX, true)) < 0 ||
		    (!c.short_read && !text_ok(out->sw_version, (size_t)n, 1)))
			return ff_error_set(err, FF_ERR_MALFORMED, "update check-in: the sw_version is not 1-64 bytes of "
								   "text");
		if ((n = take_str(&c, (uint8_t *)out->hw_version, FF_UPDATE_TEXT_MAX, true)) < 0 ||
		    (!c.short_read && !text_ok(out->hw_version, (size_t)n, 0)))
			return ff_error_set(err, FF_ERR_MALFORMED, "update check-in: the hw_version is not 0-64 bytes of "
								   "text");
		if ((n = take_str(&c, out->build_id, sizeof(out->build_id), false)) < 0 || (!c.short_read && n == 0))
			return ff_error_set(err, FF_ERR_MALFORMED, "update check-in: the build-id is not 1-64 bytes");
		out->build_id_len = (size_t)n;
		return ended(&c, false, "check-in", err);
	case FF_UPDATE_FETCH:
		out->release = take(&c, 4);
		out->offset = take(&c, 4);
		out->length = (uint16_t)take(&c, 2);
		if ((rc = ended(&c, false, "fetch", err)) != 0)
			return rc;
		if (out->length == 0 || out->length > FF_UPDATE_DATA_MAX)
			return ff_error_set(err, FF_ERR_MALFORMED, "update fetch: a length of %u, not 1-%u", out->length,
					    FF_UPDATE_DATA_MAX);
		return 0;
	case FF_UPDATE_REPORT:
		out->deployment = take(&c, 4);
		out->step = (uint8_t)take(&c, 1);
		out->offset = take(&c, 4);
		if ((n = take_str(&c, (uint8_t *)out->why, FF_UPDATE_WHY_MAX, true)) < 0 ||
		    (!c.short_read && !text_ok(out->why, (size_t)n, 0)))
			return ff_error_set(err, FF_ERR_MALFORMED, "update report: the why is not 0-120 bytes of text");
		if ((rc = ended(&c, false, "report", err)) != 0)
			return rc;
		if (out->step >= FF_UPDATE_STEPS)
			return ff_error_set(err, FF_ERR_MALFORMED, "update report: step %u is none of 0-7", out->step);
		return 0;
	case FF_UPDATE_OFFER:
	case FF_UPDATE_NO_OFFER:
	case FF_UPDATE_DATA:
	case FF_UPDATE_RECORDED:
	case FF_UPDATE_REFUSED:
		return ff_error_set(err, FF_ERR_UNSUPPORTED, "update message: type 0x%02x is a reply, not a request",
				    out->type);
	}
	return ff_error_set(err, FF_ERR_MALFORMED, "update message: type 0x%02x is none of FORMAT.md §12", out->type);
}

/* A writer that refuses to go past cap. */
struct out {
	uint8_t *p;
	size_t len, cap;
	bool full;
};

static void put(struct out *o, uint64_t v, unsigned n)
{
	if (o->full || o->cap - o->len < n) {
		o->full = true;
		return;
	}
	ff_put_le(o->p + o->len, v, n);
	o->len += n;
}

static void put_bytes(struct out *o, const void *b, size_t n)
{
	if (o->full || o->cap - o->len < n) {
		o->full = true;
		return;
	}
	memcpy(o->p + o->len, b, n);
	o->len += n;
}

static void put_str(struct out *o, const void *s, size_t n)
{
	put(o, n, 1);
	put_bytes(o, s, n);
}

static void put_version(struct out *o, const struct ff_update_version *v)
{
	put(o, v->major, 1);
	put(o, v->minor, 1);
	put(o, v->revision, 2);
	put(o, v->build, 4);
}

size_t ff_update_request_encode(uint8_t *out, size_t cap, const struct ff_update_request *r)
{
	struct out o = {.p = out, .cap = cap};

	put(&o, (uint64_t)r->type, 1);
	switch (r->type) {
	case FF_UPDATE_CHECKIN:
		if (strlen(r->sw_version) > FF_UPDATE_TEXT_MAX || strlen(r->hw_version) > FF_UPDATE_TEXT_MAX ||
		    r->build_id_len > sizeof(r->build_id))
			return 0;
		put_version(&o, &r->version);
		put(&o, r->security_counter, 4);
		put(&o, r->slot_size, 4);
		put_str(&o, r->sw_version, strlen(r->sw_version));
		put_str(&o, r->hw_version, strlen(r->hw_version));
		put_str(&o, r->build_id, r->build_id_len);
		break;
	case FF_UPDATE_FETCH:
		put(&o, r->release, 4);
		put(&o, r->offset, 4);
		put(&o, r->length, 2);
		break;
	case FF_UPDATE_REPORT:
		if (strlen(r->why) > FF_UPDATE_WHY_MAX)
			return 0;
		put(&o, r->deployment, 4);
		put(&o, r->step, 1);
		put(&o, r->offset, 4);
		put_str(&o, r->why, strlen(r->why));
		break;
	default:
		return 0;
	}
	return o.full ? 0 : o.len;
}

size_t ff_update_reply_encode(uint8_t *out, size_t cap, const struct ff_update_reply *r)
{
	struct out o = {.p = out, .cap = cap};
	size_t n;

	put(&o, (uint64_t)r->type, 1);
	switch (r->type) {
	case FF_UPDATE_OFFER:
		put(&o, r->deployment, 4);
		put(&o, r->release, 4);
		put(&o, r->size, 4);
		put_version(&o, &r->version);
		put_bytes(&o, r->sha256, sizeof(r->sha256));
		break;
	case FF_UPDATE_NO_OFFER:
		break;
	case FF_UPDATE_DATA:
		if (r->data_len > FF_UPDATE_DATA_MAX)
			return 0;
		put(&o, r->release, 4);
		put(&o, r->offset, 4);
		put_bytes(&o, r->data, r->data_len);
		break;
	case FF_UPDATE_RECORDED:
		put(&o, r->deployment, 4);
		put(&o, r->step, 1);
		break;
	case FF_UPDATE_REFUSED:
		put(&o, r->request_type, 1);
		n = strnlen(r->why, FF_UPDATE_REFUSED_MAX);
		/* a text cut short by its writer may end inside a character: that character goes (it stays UTF-8) */
		for (int k = 0; k < 3 && n > 0 && !ff_utf8_valid((const uint8_t *)r->why, n); k++)
			n--;
		put_bytes(&o, r->why, n);
		break;
	default:
		return 0;
	}
	return o.full ? 0 : o.len;
}

int ff_update_reply_decode(struct ff_update_reply *out, const uint8_t *b, size_t len, struct ff_error *err)
{
	struct cursor c = {.p = b, .left = len};

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return ff_error_set(err, FF_ERR_MALFORMED, "update message: empty");
	out->type = (enum ff_update_type)take(&c, 1);
	switch (out->type) {
	case FF_UPDATE_OFFER:
		out->deployment = take(&c, 4);
		out->release = take(&c, 4);
		out->size = take(&c, 4);
		take_version(&c, &out->version);
		take_bytes(&c, out->sha256, sizeof(out->sha256));
		return ended(&c, false, "offer", err);
	case FF_UPDATE_NO_OFFER:
		return ended(&c, false, "no-offer reply", err);
	case FF_UPDATE_DATA:
		out->release = take(&c, 4);
		out->offset = take(&c, 4);
		out->data = c.p;
		out->data_len = c.left;
		if (!c.short_read && c.left > FF_UPDATE_DATA_MAX)
			return ff_error_set(err, FF_ERR_MALFORMED, "update data: %zu bytes, more than %u", c.left,
					    FF_UPDATE_DATA_MAX);
		return ended(&c, true, "data reply", err);
	case FF_UPDATE_RECORDED:
		out->deployment = take(&c, 4);
		out->step = (uint8_t)take(&c, 1);
		return ended(&c, false, "recorded reply", err);
	case FF_UPDATE_REFUSED:
		out->request_type = (uint8_t)take(&c, 1);
		if (!c.short_read && c.left > FF_UPDATE_REFUSED_MAX)
			return ff_error_set(err, FF_ERR_MALFORMED, "update refusal: its text is longer than %u bytes",
					    FF_UPDATE_REFUSED_MAX);
		if (!c.short_read) {
			memcpy(out->why, c.p, c.left);
			out->why[c.left] = '\0';
			if (!text_ok(out->why, c.left, 0))
				return ff_error_set(err, FF_ERR_MALFORMED, "update refusal: its why is not UTF-8 text");
		}
		return ended(&c, true, "refusal", err);
	case FF_UPDATE_CHECKIN:
	case FF_UPDATE_FETCH:
	case FF_UPDATE_REPORT:
		return ff_error_set(err, FF_ERR_UNSUPPORTED, "update message: type 0x%02x is a request, not a reply",
				    out->type);
	}
	return ff_error_set(err, FF_ERR_MALFORMED, "update message: type 0x%02x is none of FORMAT.md §12", out->type);
}
