/* SPDX-License-Identifier: Apache-2.0 */
/* HTML built with its text escaped (html.h). */
#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "html.h"

static void grow(struct srv_html *h, size_t more)
{
	if (h->len + more + 1 <= h->cap)
		return;
	h->cap = h->len + more + 1 > 2 * h->cap ? h->len + more + 1 + 256 : 2 * h->cap;
	h->buf = srv_realloc(h->buf, h->cap);
}

static void put(struct srv_html *h, const char *bytes, size_t n)
{
	grow(h, n);
	memcpy(h->buf + h->len, bytes, n);
	h->len += n;
	h->buf[h->len] = '\0';
}

void srv_html_raw(struct srv_html *h, const char *markup)
{
	put(h, markup, strlen(markup));
}

/* The length of the UTF-8 sequence at p (n bytes left), 0 when it is not one (overlong, a surrogate, past U+10FFFF,
 * cut short). */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len = p[0] < 0xc2 ? 0 : p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : p[0] < 0xf5 ? 4 : 0;

	if (len == 0 || len > n)
		return 0;
	for (size_t k = 1; k < len; k++)
		if ((p[k] & 0xc0) != 0x80)
			return 0;
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) || (p[0] == 0xf0 && p[1] < 0x90) ||
	    (p[0] == 0xf4 && p[1] >= 0x90))
		return 0;
	return len;
}

/* Is the UTF-8 sequence at p (len bytes) one of the bidirectional controls U+202A-U+202E, U+2066-U+2069? */
static bool bidi_control(const unsigned char *p, size_t len)
{
	return len == 3 && p[0] == 0xe2 && ((p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) ||
					    (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9));
}

/* Escape up to max characters of text (SIZE_MAX: all); returns whether text was longer. */
static bool escape(struct srv_html *h, const char *text, size_t max)
{
	const unsigned char *p = (const unsigned char *)(text != NULL ? text : "");
	size_t n = strlen((const char *)p), chars = 0;
	char hex[8];

	while (n > 0) {
		size_t len = 1;

		if (chars++ == max)
			return true;
		if (*p == '&')
			srv_html_raw(h, "&amp;");
		else if (*p == '<')
			srv_html_raw(h, "&lt;");
		else if (*p == '>')
			srv_html_raw(h, "&gt;");
		else if (*p == '"')
			srv_html_raw(h, "&quot;");
		else if (*p == '\'')
			srv_html_raw(h, "&#39;");
		else if (*p >= 0x20 && *p < 0x7f)
			put(h, (const char *)p, 1);
		else if (*p >= 0x80 && (len = utf8_len(p, n)) > 0 && !bidi_control(p, len))
			put(h, (const char *)p, len);
		else if (len == 3) { /* a bidirectional override or isolate: it would reorder the text around it */
			snprintf(hex, sizeof(hex), "\\u%02x%02x", 0x20, ((p[1] & 0x3) << 6 | (p[2] & 0x3f)));
			srv_html_raw(h, hex);
		}
		else {
			len = 1;
			snprintf(hex, sizeof(hex), "\\x%02x", *p);
			srv_html_raw(h, hex);
		}
		p += len;
		n -= len;
	}
	return false;
}

void srv_html_text(struct srv_html *h, const char *text)
{
	escape(h, text, SIZE_MAX);
}

void srv_html_text_cut(struct srv_html *h, const char *text, size_t max)
{
	if (escape(h, text, max))
		srv_html_raw(h, "\xe2\x80\xa6"); /* … */
}

size_t srv_url_byte(char out[3], unsigned char c)
{
	static const char k_hex[] = "0123456789ABCDEF";

	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("-._~", c) != NULL)) {
		out[0] = (char)c;
		return 1;
	}
	out[0] = '%';
	out[1] = k_hex[c >> 4];
	out[2] = k_hex[c & 15];
	return 3;
}

/* text %-escaped as a query value, then HTML-escaped (a no-op: what remains has no character HTML treats
 * specially). */
static void url_value(struct srv_html *h, const char *text)
{
	char esc[3];

	for (const unsigned char *p = (const unsigned char *)(text != NULL ? text : ""); *p != '\0'; p++)
		put(h, esc, srv_url_byte(esc, *p));
}

/* (spec is one conversion copied from the caller's format, itself a literal of the dashboard's code) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
void srv_html_vf(struct srv_html *h, const char *fmt, va_list ap)
{
	while (*fmt != '\0') {
		const char *pct = strchr(fmt, '%'), *conv;
		char spec[16], out[64];
		size_t n;
		int len = 0;

		if (pct == NULL) {
			srv_html_raw(h, fmt);
			return;
		}
		put(h, fmt, (size_t)(pct - fmt));
		conv = pct + 1 + strspn(pct + 1, "-+ #0123456789.lhzj");
		fmt = *conv != '\0' ? conv + 1 : conv;
		n = (size_t)(conv - pct) + 1;
		if (*conv == 's') {
			srv_html_text(h, va_arg(ap, const char *));
			continue;
		}
		if (*conv == 'U') {
			url_value(h, va_arg(ap, const char *));
			continue;
		}
		if (*conv == 'R') {
			const char *raw = va_arg(ap, const char *);

			srv_html_raw(h, raw != NULL ? raw : "");
			continue;
		}
		if (*conv == '%') {
			put(h, "%", 1);
			continue;
		}
		/* a conversion this does not know would leave its argument where the next one is read: a bug of ours */
		assert(n < sizeof(spec) && strchr("diouxXcfFeEgG", *conv) != NULL && *conv != '\0');
		memcpy(spec, pct, n);
		spec[n] = '\0';
		if (strchr("diouxXc", *conv) != NULL && strstr(spec, "ll") != NULL)
			len = snprintf(out, sizeof(out), spec, va_arg(ap, long long));
		else if (strchr("diouxXc", *conv) != NULL && strchr(spec, 'z') != NULL)
			len = snprintf(out, sizeof(out), spec, va_arg(ap, size_t));
		else if (strchr("diouxXc", *conv) != NULL && strchr(spec, 'l') != NULL)
			len = snprintf(out, sizeof(out), spec, va_arg(ap, long));
		else if (strchr("diouxXc", *conv) != NULL)
			len = snprintf(out, sizeof(out), spec, va_arg(ap, int));
		else if (strchr("fFeEgG", *conv) != NULL)
			len = snprintf(out, sizeof(out), spec, va_arg(ap, double));
		if (len > 0)
			put(h, out, (size_t)len < sizeof(out) ? (size_t)len : sizeof(out) - 1);
	}
}
#pragma GCC diagnostic pop

void srv_html_f(struct srv_html *h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	srv_html_vf(h, fmt, ap);
	va_end(ap);
}

char *srv_html_take(struct srv_html *h, size_t *out_len)
{
	char *buf = h->buf != NULL ? h->buf : srv_strdup("");

	*out_len = h->len;
	*h = (struct srv_html){0};
	return buf;
}

void srv_html_free(struct srv_html *h)
{
	free(h->buf);
	*h = (struct srv_html){0};
}
