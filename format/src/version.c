/* SPDX-License-Identifier: Apache-2.0 */
/* Version order (ff/version.h). Numbers are compared as digit strings (leading zeros skipped, then by length, then
 * digit by digit): no number is too long. */
#include <stddef.h>
#include <string.h>

#include "ff/version.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident(char c)
{
	return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-';
}

/* Compare the digit runs a[0..an) and b[0..bn) as numbers. */
static int numbers(const char *a, size_t an, const char *b, size_t bn)
{
	int rc;

	while (an > 1 && *a == '0')
		a++, an--;
	while (bn > 1 && *b == '0')
		b++, bn--;
	if (an != bn)
		return an < bn ? -1 : 1;
	rc = memcmp(a, b, an);
	return rc < 0 ? -1 : rc > 0;
}

static size_t digits(const char *s)
{
	size_t n = 0;

	while (is_digit(s[n]))
		n++;
	return n;
}

/* The parts of a version: release [rel, rel_end), pre-release [pre, pre_end) (empty when none). */
struct parts {
	const char *rel, *rel_end, *pre, *pre_end;
};

static bool parse(const char *s, struct parts *out)
{
	const char *p = s;

	if (*p == 'v' || *p == 'V')
		p++;
	out->rel = p;
	for (;;) { /* N(.N)* */
		size_t n = digits(p);

		if (n == 0)
			return false;
		p += n;
		if (*p != '.')
			break;
		p++;
	}
	out->rel_end = out->pre = out->pre_end = p;
	if (*p == '-') { /* identifiers, none empty */
		out->pre = ++p;
		for (;;) {
			const char *start = p;

			while (is_ident(*p))
				p++;
			if (p == start)
				return false;
			if (*p != '.')
				break;
			p++;
		}
		out->pre_end = p;
	}
	if (*p == '+') {
		const char *start = ++p;

		while (is_ident(*p) || *p == '.')
			p++;
		if (p == start)
			return false;
	}
	return *p == '\0';
}

bool ff_version_valid(const char *s)
{
	struct parts v;

	return parse(s, &v);
}

/* The release parts, numerically; a missing part counts as 0 (1.4 is 1.4.0). */
static int releases(const char *a, const char *a_end, const char *b, const char *b_end)
{
	while (a < a_end || b < b_end) {
		size_t an = a < a_end ? digits(a) : 0, bn = b < b_end ? digits(b) : 0;
		int rc = numbers(an > 0 ? a : "0", an > 0 ? an : 1, bn > 0 ? b : "0", bn > 0 ? bn : 1);

		if (rc != 0)
			return rc;
		a += an + (a + an < a_end);
		b += bn + (b + bn < b_end);
	}
	return 0;
}

/* Pre-release identifiers, as semantic versioning orders them: numbers numerically and before words, words by
 * their bytes, and a list that is a prefix of the other first. */
static int prereleases(const char *a, const char *a_end, const char *b, const char *b_end)
{
	while (a < a_end && b < b_end) {
		size_t an = 0, bn = 0;
		bool anum, bnum;
		int rc;

		while (a + an < a_end && a[an] != '.')
			an++;
		while (b + bn < b_end && b[bn] != '.')
			bn++;
		anum = digits(a) >= an;
		bnum = digits(b) >= bn;
		if (anum && bnum) {
			rc = numbers(a, an, b, bn);
		} else if (anum != bnum) {
			rc = anum ? -1 : 1;
		} else {
			rc = memcmp(a, b, an < bn ? an : bn);
			rc = rc != 0 ? rc : an < bn ? -1 : an > bn;
		}
		if (rc != 0)
			return rc < 0 ? -1 : 1;
		a += an + (a + an < a_end);
		b += bn + (b + bn < b_end);
	}
	return a < a_end ? 1 : b < b_end ? -1 : 0;
}

/* Natural order: runs of digits as numbers, everything else byte by byte. */
static int natural(const char *a, const char *b)
{
	while (*a != '\0' && *b != '\0') {
		if (is_digit(*a) && is_digit(*b)) {
			size_t an = digits(a), bn = digits(b);
			int rc = numbers(a, an, b, bn);

			if (rc != 0)
				return rc;
			a += an;
			b += bn;
		} else if (*a != *b) {
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		} else {
			a++, b++;
		}
	}
	return *a != '\0' ? 1 : *b != '\0' ? -1 : 0;
}

int ff_version_compare(const char *a, const char *b)
{
	struct parts va, vb;
	bool av = parse(a, &va), bv = parse(b, &vb);
	int rc;

	if (!av || !bv)
		return av ? 1 : bv ? -1 : natural(a, b);
	if ((rc = releases(va.rel, va.rel_end, vb.rel, vb.rel_end)) != 0)
		return rc;
	if ((va.pre == va.pre_end) != (vb.pre == vb.pre_end)) /* a pre-release comes before its release */
		return va.pre == va.pre_end ? 1 : -1;
	return prereleases(va.pre, va.pre_end, vb.pre, vb.pre_end);
}

int ff_version_sort(const char *a, const char *b)
{
	int rc = ff_version_compare(a, b);

	if (rc == 0)
		rc = strcmp(a, b);
	return rc < 0 ? -1 : rc > 0;
}
