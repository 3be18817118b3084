/* SPDX-License-Identifier: Apache-2.0 */
/* The dashboard's login sessions (docs/DASHBOARD.md, Security): the admin token, given once on the login page, is
 * exchanged for a random session cookie; the store keeps only the cookie's SHA-256 and the session's CSRF token, so
 * sessions hold across restarts and serve several server processes sharing a store. Cookies, forms and tokens are
 * untrusted bytes: everything here bounds what it reads. */
#ifndef SRV_SESSION_H
#define SRV_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "form.h"
#include "store.h"

#define SRV_SESSION_COOKIE "fl_session"
#define SRV_SESSION_SECONDS (12 * 3600) /* a session's life from its login */
#define SRV_SESSION_VALUE 64            /* room for a cookie's value (43 characters) and its NUL */
#define SRV_CSRF_VALUE 65               /* room for a CSRF token (64 hex digits) and its NUL */

/*
 * Begin a session at now (the admin token was checked by the caller). out_cookie: the cookie's value (base64url);
 * out_csrf: the token its forms carry (hex). Returns 0, or -1 when the store failed (srv_store_error()).
 */
int srv_session_begin(struct srv_store *s, int64_t now, char out_cookie[SRV_SESSION_VALUE],
		      char out_csrf[SRV_CSRF_VALUE]);

/*
 * The session of a cookie value (untrusted, NULL: none) at now. out_csrf: its CSRF token. Returns 0, SRV_NONE
 * (no such session: unknown, expired, ended by logout or rotate-keys), or -1 when the store failed.
 */
int srv_session_find(struct srv_store *s, const char *cookie, int64_t now, char out_csrf[SRV_CSRF_VALUE]);

/* End the session of a cookie value (logout). Returns 0 (whether or not there was one) or -1 (store). */
int srv_session_end(struct srv_store *s, const char *cookie);

/* Is presented (untrusted, NULL: none) the session's CSRF token? Constant-time. */
bool srv_session_csrf_ok(const char *csrf, const char *presented);

#endif
