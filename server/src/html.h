/* SPDX-License-Identifier: Apache-2.0 */
/* HTML for the dashboard, built in memory with every piece of text escaped on its way in: what a device sent, a
 * symbol name, a query argument. Markup comes only from string literals of the dashboard's own code. */
#ifndef SRV_HTML_H
#define SRV_HTML_H

#include <stdarg.h>
#include <stddef.h>

/* A growing buffer of HTML (zero it to start). Out of memory aborts (srv_malloc's policy). */
struct srv_html {
	char *buf; /* NUL-terminated; malloc'd, taken by srv_html_take() or freed by srv_html_free() */
	size_t len, cap;
};

/* Append markup, as it is: only for the dashboard's own literals. */
void srv_html_raw(struct srv_html *h, const char *markup);

/* Append text, escaped for element content and attribute values alike: & < > " ' as entities; control characters,
 * DEL and bytes that are not UTF-8 shown as \xNN (so they stay visible and never reach the browser); the
 * bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069) as \uNNNN, so that no text reorders the
 * page around it. */
void srv_html_text(struct srv_html *h, const char *text);

/* srv_html_text() of at most max characters of text, ending in "…" when it was longer. */
void srv_html_text_cut(struct srv_html *h, const char *text, size_t max);

/*
 * Append fmt (trusted markup) with its conversions: %s a string escaped as srv_html_text() (NULL as ""); %U a
 * string %-escaped as a URL's query value (for href="...?v=%U"); %R a string appended raw (markup the caller made:
 * another buffer's); the numbers (%d %u %lld %zu %x %08x %.1f ...) and %% as printf makes them.
 */
void srv_html_f(struct srv_html *h, const char *fmt, ...);
void srv_html_vf(struct srv_html *h, const char *fmt, va_list ap);

/* One byte of a URL's query value: itself when RFC 3986 leaves it unreserved (letters, digits, - . _ ~), else %XX.
 * out: (out) those 1 or 3 characters, not NUL-terminated. Returns how many. */
size_t srv_url_byte(char out[3], unsigned char c);

/* The HTML built: its buffer (the caller frees it) and its length in out_len; h is empty again. */
char *srv_html_take(struct srv_html *h, size_t *out_len);

void srv_html_free(struct srv_html *h);

#endif
