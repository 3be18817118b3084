/* SPDX-License-Identifier: Apache-2.0 */
/* The updates' API (docs/API.md, Updates): the project's release signing keys and its releases, for people (the
 * admin token). Releases are uploaded through http.c (a streamed body, releases.c); this file shapes the rest. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "clock.h"
#include "ff/bytes.h"
#include "fo/key.h"

#define KEY_NAME_MAX 64

static json_t *key_json(const struct srv_signing_key *k)
{
	uint8_t hash[32];
	char hex[65];
	char *pem;
	struct fo_key key = {.has_private = false};
	json_t *o;

	memcpy(key.pk, k->public_key, 32);
	fo_key_hash(hash, key.pk);
	ff_hex(hex, sizeof(hex), hash, 32);
	pem = fo_key_pem(&key, false);
	if (pem == NULL)
		abort(); /* out of memory: as srv_malloc does */
	o = srv_json_made(json_pack("{s:I, s:o, s:s, s:s, s:I, s:I}", "id", (json_int_t)k->id, "name",
				    srv_json_text(k->name), "key_hash", hex, "public_key", pem, "added",
				    (json_int_t)k->added, "releases", (json_int_t)k->releases));
	free(pem);
	return o;
}

static void add_key(const struct srv_signing_key *k, void *ctx)
{
	json_array_append_new(ctx, key_json(k));
}

json_t *srv_api_release_json(const struct srv_release *r)
{
	char sha[65];
	json_t *o;

	ff_hex(sha, sizeof(sha), r->sha256, 32);
	o = srv_json_made(json_pack("{s:I, s:o, s:s, s:s, s:I, s:I, s:I, s:I, s:o}", "id", (json_int_t)r->id, "version",
				    srv_json_text(r->sw_version), "sha256", sha, "build_id", r->build_id, "image_size",
				    (json_int_t)r->img_size, "size", (json_int_t)r->size, "signing_key",
				    (json_int_t)r->key_id, "uploaded", (json_int_t)r->uploaded, "security_counter",
				    r->has_security_counter ? json_integer((json_int_t)r->security_counter) : json_null()));
	return o;
}

static void add_release(const struct srv_release *r, void *ctx)
{
	json_array_append_new(ctx, srv_api_release_json(r));
}

static void one_release(const struct srv_release *r, void *ctx)
{
	*(json_t **)ctx = srv_api_release_json(r);
}

bool srv_api_ota_get(struct srv_answer *out, struct srv_store *st, const char *path)
{
	json_t *list = srv_json_made(json_array()), *one = NULL;
	int rc;

	if (strcmp(path, "signing-keys") == 0) {
		srv_store_lock(st);
		rc = st->ops->signing_keys(st, add_key, list);
		srv_store_unlock(st);
		if (rc != 0) {
			json_decref(list);
			srv_api_store_error(out, st);
			return true;
		}
		srv_api_json(out, 200, json_pack("{s:o}", "signing_keys", list));
		return true;
	}
	if (strcmp(path, "releases") == 0 || strncmp(path, "releases/", 9) == 0) {
		char *end = NULL;
		long long id = path[8] == '/' ? strtoll(path + 9, &end, 10) : 0;

		if (path[8] == '/' && (end == path + 9 || *end != '\0' || id <= 0)) {
			json_decref(list);
			srv_api_error(out, 404, "not_found", "no such release");
			return true;
		}
		srv_store_lock(st);
		rc = st->ops->releases(st, id, id > 0 ? one_release : add_release, id > 0 ? (void *)&one : list);
		srv_store_unlock(st);
		if (rc < 0) {
			json_decref(list);
			json_decref(one);
			srv_api_store_error(out, st);
		} else if (rc == SRV_NONE) {
			json_decref(list);
			srv_api_error(out, 404, "not_found", "no such release");
		} else if (id > 0) {
			json_decref(list);
			srv_api_json(out, 200, one);
		} else {
			srv_api_json(out, 200, json_pack("{s:o}", "releases", list));
		}
		return true;
	}
	json_decref(list);
	return false;
}

/* POST signing-keys {"public_key": PEM, "name": NAME} */
static void key_add(struct srv_answer *out, struct srv_store *st, const json_t *j)
{
	const char *pem = json_string_value(json_object_get(j, "public_key"));
	const char *name = json_string_value(json_object_get(j, "name"));
	char why[300];
	struct fo_key key;
	int64_t id;
	bool fresh;
	int rc;

	if (pem == NULL || fo_key_read(&key, pem, strlen(pem), why, sizeof(why)) != 0) {
		srv_api_error(out, 400, "bad_key", pem == NULL ? "\"public_key\" is the key's PEM text (faultline keys "
								 "add KEY.pub.pem)" : why);
		return;
	}
	if (key.has_private) {
		fo_key_wipe(&key);
		srv_api_error(out, 400, "bad_key", "that is a private key: the server takes the public one only (faultline "
						   "keys public KEY.pem); never send a private key anywhere");
		return;
	}
	if (name != NULL && (!srv_api_version_valid(name) || strlen(name) > KEY_NAME_MAX)) {
		srv_api_error(out, 400, "bad_name", "a key's name is 1 to 64 bytes of UTF-8 without control characters");
		return;
	}
	srv_store_lock(st);
	rc = st->ops->signing_key_add(st, key.pk, name != NULL ? name : "", srv_now(), &id, &fresh);
	srv_store_unlock(st);
	if (rc != 0) {
		srv_api_store_error(out, st);
		return;
	}
	{
		uint8_t hash[32];
		char hex[65];

		fo_key_hash(hash, key.pk);
		ff_hex(hex, sizeof(hex), hash, 32);
		srv_api_json(out, fresh ? 201 : 200, json_pack("{s:I, s:s, s:b}", "id", (json_int_t)id, "key_hash", hex,
							       "added", fresh));
	}
}

bool srv_api_ota_post(struct srv_answer *out, struct srv_store *st, const char *path, const char *body, size_t len)
{
	json_error_t jerr;
	json_t *j;
	int rc;

	if (strncmp(path, "signing-keys/", 13) == 0) {
		char *end = NULL;
		long long id = strtoll(path + 13, &end, 10);

		if (end == path + 13 || strcmp(end, "/remove") != 0 || id <= 0)
			return false;
		srv_store_lock(st);
		rc = st->ops->signing_key_remove(st, id, srv_now());
		srv_store_unlock(st);
		if (rc < 0)
			srv_api_store_error(out, st);
		else if (rc == SRV_NONE)
			srv_api_error(out, 404, "not_found", "no such signing key");
		else
			srv_api_json(out, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "removed", 1));
		return true;
	}
	if (strcmp(path, "signing-keys") != 0)
		return false;
	if ((j = json_loadb(body, len, 0, &jerr)) == NULL || !json_is_object(j)) {
		json_decref(j);
		srv_api_error(out, 400, "bad_request", "the body is a JSON object: {\"public_key\": PEM, \"name\": NAME}");
		return true;
	}
	key_add(out, st, j);
	json_decref(j);
	return true;
}
