/* SPDX-License-Identifier: Apache-2.0 */
/* Credentials (keys.h): 32 random bytes as "flp_..." / "fla_..." (base64url), stored as SHA-256 hex. */
#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "keys.h"

#define KEY_BYTES 32u
#define META_PROJECT "project_key_sha256"
#define META_ADMIN "admin_token_sha256"

static struct {
	pthread_mutex_t lock;
	time_t loaded;
	uint8_t project[crypto_hash_sha256_BYTES];
	uint8_t admin[crypto_hash_sha256_BYTES];
	bool ok;
} s_cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void make(char *out, size_t cap, const char *prefix, char hash_hex[2 * crypto_hash_sha256_BYTES + 1])
{
	uint8_t raw[KEY_BYTES], hash[crypto_hash_sha256_BYTES];
	size_t n = strlen(prefix);

	randombytes_buf(raw, sizeof(raw));
	memcpy(out, prefix, n);
	sodium_bin2base64(out + n, cap - n, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	crypto_hash_sha256(hash, (const uint8_t *)out, strlen(out));
	sodium_bin2hex(hash_hex, 2 * crypto_hash_sha256_BYTES + 1, hash, sizeof(hash));
	sodium_memzero(raw, sizeof(raw));
}

static int write_both(struct srv_store *s, FILE *show)
{
	char project[96], admin[96], ph[2 * crypto_hash_sha256_BYTES + 1], ah[2 * crypto_hash_sha256_BYTES + 1];

	int rc;

	make(project, sizeof(project), "flp_", ph);
	make(admin, sizeof(admin), "fla_", ah);
	/* both or neither: a failure between the two must not leave one old credential beside one new; the dashboard's
	 * sessions, begun with the old admin token, end with it */
	srv_store_lock(s);
	rc = s->ops->begin(s);
	if (rc == 0 && (s->ops->meta_set(s, META_PROJECT, ph) != 0 || s->ops->meta_set(s, META_ADMIN, ah) != 0 ||
			s->ops->sessions_clear(s) != 0 || s->ops->commit(s) != 0)) {
		s->ops->rollback(s);
		rc = -1;
	}
	srv_store_unlock(s);
	if (rc != 0)
		return -1;
	fprintf(show, "project key (devices send with header X-Faultline-Key): %s\n"
		      "admin token (people and the CLI, Authorization: Bearer):  %s\n"
		      "these are shown only now: keep them; `faultline-server --data DIR rotate-keys` makes new ones\n",
		project, admin);
	fflush(show);
	pthread_mutex_lock(&s_cache.lock);
	s_cache.loaded = 0; /* reload */
	pthread_mutex_unlock(&s_cache.lock);
	return 0;
}

int srv_keys_ensure(struct srv_store *s, FILE *show)
{
	char hex[128];
	int rc = s->ops->meta_get(s, META_ADMIN, hex, sizeof(hex));

	if (rc != SRV_NONE)
		return rc < 0 ? -1 : 0;
	return write_both(s, show) == 0 ? 1 : -1;
}

int srv_keys_rotate(struct srv_store *s, FILE *show)
{
	return write_both(s, show);
}

static bool load_hash(struct srv_store *s, const char *key, uint8_t out[crypto_hash_sha256_BYTES])
{
	char hex[128];
	size_t len = 0;

	return s->ops->meta_get(s, key, hex, sizeof(hex)) == 0 &&
	       sodium_hex2bin(out, crypto_hash_sha256_BYTES, hex, strlen(hex), NULL, &len, NULL) == 0 &&
	       len == crypto_hash_sha256_BYTES;
}

bool srv_keys_check(struct srv_store *s, enum srv_role role, const char *presented)
{
	uint8_t hash[crypto_hash_sha256_BYTES], want[crypto_hash_sha256_BYTES];
	time_t now = time(NULL);
	bool ok;

	if (presented == NULL || role == SRV_ROLE_NONE || strlen(presented) > 256)
		return false;
	pthread_mutex_lock(&s_cache.lock);
	if (now != s_cache.loaded) {
		srv_store_lock(s);
		s_cache.ok = load_hash(s, META_PROJECT, s_cache.project) && load_hash(s, META_ADMIN, s_cache.admin);
		srv_store_unlock(s);
		s_cache.loaded = now;
	}
	ok = s_cache.ok;
	memcpy(want, role == SRV_ROLE_ADMIN ? s_cache.admin : s_cache.project, sizeof(want));
	pthread_mutex_unlock(&s_cache.lock);
	crypto_hash_sha256(hash, (const uint8_t *)presented, strlen(presented));
	return ok && sodium_memcmp(hash, want, sizeof(hash)) == 0;
}
