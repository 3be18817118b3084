/* SPDX-License-Identifier: Apache-2.0 */
/* Login sessions, cookies and forms (session.h). */
#include <sodium.h>
#include <string.h>

#include "session.h"

#define RANDOM_BYTES 32u

static void hash_of(const char *cookie, uint8_t out[crypto_hash_sha256_BYTES])
{
	crypto_hash_sha256(out, (const uint8_t *)cookie, strlen(cookie));
}

/* The writer's part of a login: the session kept. */
struct begun {
	uint8_t hash[crypto_hash_sha256_BYTES];
	const char *csrf;
	int64_t now;
};

static int keep(struct srv_store *s, void *ctx)
{
	const struct begun *b = ctx;

	return s->ops->session_put(s, b->hash, b->csrf, b->now, b->now + SRV_SESSION_SECONDS);
}

int srv_session_begin(struct srv_store *s, int64_t now, char out_cookie[SRV_SESSION_VALUE],
		      char out_csrf[SRV_CSRF_VALUE])
{
	uint8_t raw[RANDOM_BYTES];
	struct begun b = {.csrf = out_csrf, .now = now};

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out_cookie, SRV_SESSION_VALUE, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out_csrf, SRV_CSRF_VALUE, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
	hash_of(out_cookie, b.hash);
	return srv_store_group_run(s, keep, &b);
}

int srv_session_find(struct srv_store *s, const char *cookie, int64_t now, char out_csrf[SRV_CSRF_VALUE])
{
	uint8_t hash[crypto_hash_sha256_BYTES];
	int rc;

	out_csrf[0] = '\0';
	if (cookie == NULL || cookie[0] == '\0' || strlen(cookie) >= SRV_SESSION_VALUE)
		return SRV_NONE;
	hash_of(cookie, hash);
	srv_store_lock(s);
	rc = s->ops->session_get(s, hash, now, out_csrf, SRV_CSRF_VALUE);
	srv_store_unlock(s);
	return rc;
}

static int drop(struct srv_store *s, void *ctx)
{
	return s->ops->session_delete(s, ctx);
}

int srv_session_end(struct srv_store *s, const char *cookie)
{
	uint8_t hash[crypto_hash_sha256_BYTES];

	if (cookie == NULL || strlen(cookie) >= SRV_SESSION_VALUE)
		return 0;
	hash_of(cookie, hash);
	return srv_store_group_run(s, drop, hash);
}

bool srv_session_csrf_ok(const char *csrf, const char *presented)
{
	size_t n = strlen(csrf);

	return n == 2 * RANDOM_BYTES && presented != NULL && strlen(presented) == n &&
	       sodium_memcmp(csrf, presented, n) == 0;
}
