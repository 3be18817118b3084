/* SPDX-License-Identifier: Apache-2.0 */
/* Cookies and urlencoded forms, read within their bounds (form.h). */
#include <string.h>

#include "form.h"

bool srv_cookie_value(const char *header, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);

	for (const char *p = header; p != NULL && *p != '\0';) {
		const char *end = strchr(p, ';');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		if (len > n && strncmp(p, name, n) == 0 && p[n] == '=') {
			len -= n + 1;
			if (len + 1 > cap)
				return false;
			memcpy(out, p + n + 1, len);
			out[len] = '\0';
			return true;
		}
		p = end != NULL ? end + 1 : NULL;
	}
	return false;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decode the n bytes at p into out (cap with the NUL). */
static bool decode(const char *p, size_t n, char *out, size_t cap)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		char c = p[i];

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (i + 2 >= n || hex_digit(p[i + 1]) < 0 || hex_digit(p[i + 2]) < 0)
				return false;
			c = (char)(hex_digit(p[i + 1]) * 16 + hex_digit(p[i + 2]));
			i += 2;
		}
		if (c == '\0' || k + 1 >= cap)
			return false;
		out[k++] = c;
	}
	out[k] = '\0';
	return true;
}

bool srv_form_value(const char *body, size_t len, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);

	for (size_t at = 0; at < len;) {
		const char *p = body + at, *amp = memchr(p, '&', len - at);
		size_t field = amp != NULL ? (size_t)(amp - p) : len - at;

		if (field > n && memcmp(p, name, n) == 0 && p[n] == '=')
			return decode(p + n + 1, field - n - 1, out, cap);
		at += field + 1;
	}
	return false;
}
