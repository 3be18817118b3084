/* SPDX-License-Identifier: Apache-2.0 */
/* The order of firmware versions (a message's sw_version), one rule for everything that asks "is this version later
 * than that one" (docs/HEALTH.md, Version order): semantic-version precedence, widened to the forms firmware uses
 * (a leading v, any number of numeric parts), with every other string before every version. */
#ifndef FF_VERSION_H
#define FF_VERSION_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Is s a version as docs/HEALTH.md defines one: [v|V] N(.N)* [-PRERELEASE] [+BUILD] (N decimal digits; PRERELEASE
 * dot-separated identifiers of A-Z a-z 0-9 -; BUILD of those and dots)? s: NUL-terminated, only read.
 */
bool ff_version_valid(const char *s);

/*
 * Precedence of a and b (NUL-terminated, only read; any bytes): < 0 when a comes before b, > 0 after, 0 when neither
 * is later (the same version: "1.4" and "v1.4.0", or builds "1.4.3+a" and "1.4.3+b"). Strings that are not
 * versions come before every version, in natural order among themselves (runs of digits compared as numbers).
 * Numbers of any length compare without overflow.
 */
int ff_version_compare(const char *a, const char *b);

/*
 * A total order for sorting and listing: ff_version_compare(), then the bytes (so only equal strings compare 0).
 */
int ff_version_sort(const char *a, const char *b);

#ifdef __cplusplus
}
#endif
#endif
