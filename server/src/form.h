/* SPDX-License-Identifier: Apache-2.0 */
/* What the dashboard reads of a request's bytes besides its path: the Cookie header and urlencoded form bodies.
 * Both are untrusted: nothing is read past their ends, and a value that does not fit is refused, not cut. */
#ifndef SRV_FORM_H
#define SRV_FORM_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The value of cookie `name` in a Cookie header (untrusted; NULL: none). out: its value (cap bytes with the NUL).
 * Returns whether it was there and fit.
 */
bool srv_cookie_value(const char *header, const char *name, char *out, size_t cap);

/*
 * The value of field `name` in a form body (application/x-www-form-urlencoded, len bytes, untrusted), decoded ('+'
 * a space, %XX a byte). out: its value (cap bytes with the NUL). Returns whether it was there, well formed (every %
 * followed by two hex digits), without a NUL byte, and fit.
 */
bool srv_form_value(const char *body, size_t len, const char *name, char *out, size_t cap);

#endif
