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
#include "ff/bytes.h"
#include "ff/device.h"
#include "ff/update.h"
#include "limits.h"
#include "fo/image.h"
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

static bool deploy_get(struct srv_answer *out, struct srv_store *st, const char *path);
static bool deploy_post(struct srv_answer *out, struct srv_store *st, const char *path, const char *body, size_t len);

bool srv_api_ota_get(struct srv_answer *out, struct srv_store *st, const char *path)
{
	json_t *list, *one = NULL;
	int rc;

	if (deploy_get(out, st, path))
		return true;
	if (strcmp(path, "signing-keys") != 0 && strcmp(path, "releases") != 0 && strncmp(path, "releases/", 9) != 0)
		return false;
	list = srv_json_made(json_array());
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
	if (name != NULL && !srv_api_text_valid(name, KEY_NAME_MAX)) {
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

	if (deploy_post(out, st, path, body, len))
		return true;
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

/* the stored steps are FORMAT.md §12's step bytes: one list of their names (format/) */
_Static_assert(SRV_STEPS == FF_UPDATE_STEPS && SRV_STEP_FAILED == 7, "the steps are FORMAT.md's");

#define COHORT_SERIALS_MAX 10000
#define TEXT_MAX 64      /* names, versions, hardware versions */
#define WHY_MAX 120      /* a step's why (FORMAT.md §12) */
#define BUILD_HEX_MAX 128 /* a build-id of up to 64 bytes, in hex */

/* A text member that a person or device names: absent (NULL, when may_be_absent; "" and null count as absent
 * then), or 1..max bytes of UTF-8 without control characters (srv_api_text_valid). out:
 * the text. Returns false (out filled with a 400 naming it) when it is neither. */
static bool text_member(struct srv_answer *out, const json_t *j, const char *name, bool may_be_absent, size_t max,
			const char **text)
{
	const json_t *v = json_object_get(j, name);
	char why[160];

	*text = json_string_value(v);
	if (may_be_absent && (v == NULL || json_is_null(v) || (*text != NULL && (*text)[0] == '\0'))) {
		*text = NULL;
		return true;
	}
	if (*text != NULL && srv_api_text_valid(*text, max))
		return true;
	snprintf(why, sizeof(why), "\"%s\" is 1 to %zu bytes of UTF-8 text without control characters%s", name, max,
		 may_be_absent ? ", or absent" : "");
	srv_api_error(out, 400, "bad_request", why);
	return false;
}

/* An integer member from lo to hi: absent (dflt), or in range. Returns false (out filled with a 400) when not. */
static bool int_member(struct srv_answer *out, const json_t *j, const char *name, long long lo, long long hi,
		       long long dflt, long long *v)
{
	const json_t *m = json_object_get(j, name);
	char why[160];

	*v = m == NULL ? dflt : json_integer_value(m);
	if ((m == NULL && dflt >= lo) || (json_is_integer(m) && *v >= lo && *v <= hi))
		return true;
	snprintf(why, sizeof(why), "\"%s\" is an integer from %lld to %lld", name, lo, hi);
	srv_api_error(out, 400, "bad_request", why);
	return false;
}

static json_t *cohort_json(const struct srv_cohort *c)
{
	return srv_json_made(json_pack("{s:I, s:o, s:o, s:o, s:I, s:I}", "id", (json_int_t)c->id, "name",
				       srv_json_text(c->name), "hw_version",
				       c->hw_version != NULL ? srv_json_text(c->hw_version) : json_null(), "sw_version",
				       c->sw_version != NULL ? srv_json_text(c->sw_version) : json_null(), "serials",
				       (json_int_t)c->serials, "created", (json_int_t)c->created));
}

static void add_cohort(const struct srv_cohort *c, void *ctx)
{
	json_array_append_new(ctx, cohort_json(c));
}

static json_t *deployment_json(const struct srv_deployment *d)
{
	json_t *steps = srv_json_made(json_object());

	for (int i = 0; i < SRV_STEPS; i++)
		json_object_set_new(steps, ff_update_step_names[i], json_integer((json_int_t)d->at_step[i]));
	return srv_json_made(json_pack("{s:I, s:I, s:o, s:I, s:o, s:i, s:b, s:I, s:o}", "id", (json_int_t)d->id,
				       "release", (json_int_t)d->release_id, "version", srv_json_text(d->version),
				       "cohort_id", (json_int_t)d->cohort_id, "cohort", srv_json_text(d->cohort),
				       "percent", d->percent, "stopped", d->stopped, "created", (json_int_t)d->created,
				       "devices_at", steps));
}

static void add_deployment(const struct srv_deployment *d, void *ctx)
{
	json_array_append_new(ctx, deployment_json(d));
}

static json_t *update_json(const struct srv_update_row *u)
{
	return srv_json_made(json_pack("{s:o, s:s, s:I, s:I, s:o}", "device", srv_json_text(u->serial), "step",
				       u->step < SRV_STEPS ? ff_update_step_names[u->step] : "?", "offset", (json_int_t)u->offset,
				       "at", (json_int_t)u->at, "why", u->why != NULL ? srv_json_text(u->why) : json_null()));
}

static void add_update(const struct srv_update_row *u, void *ctx)
{
	json_array_append_new(ctx, update_json(u));
}

/* POST cohorts {"name", "hw_version", "sw_version", "serials"} */
static void cohort_add(struct srv_answer *out, struct srv_store *st, const json_t *j)
{
	const char *name, *hw, *sw;
	const json_t *list = json_object_get(j, "serials"), *v;
	const char **serials;
	size_t n = json_array_size(list), i;
	int64_t id;
	int rc;

	if (!text_member(out, j, "name", false, TEXT_MAX, &name) || !text_member(out, j, "hw_version", true, TEXT_MAX, &hw) ||
	    !text_member(out, j, "sw_version", true, TEXT_MAX, &sw))
		return;
	if ((list != NULL && !json_is_array(list)) || n > COHORT_SERIALS_MAX) {
		srv_api_error(out, 400, "bad_request", "\"serials\" is an array of at most 10000 device serials");
		return;
	}
	serials = calloc(n + 1, sizeof(*serials));
	if (serials == NULL)
		abort(); /* out of memory: as srv_malloc does */
	json_array_foreach(list, i, v) {
		serials[i] = json_string_value(v);
		if (serials[i] == NULL || !ff_device_serial_valid(serials[i], strlen(serials[i]))) {
			free(serials);
			srv_api_error(out, 400, "bad_serial", "a device serial is 1..64 characters of A-Z a-z 0-9 . _ : -");
			return;
		}
	}
	srv_store_lock(st);
	rc = st->ops->begin(st);
	if (rc == 0 && (rc = st->ops->cohort_add(st, name, hw, sw, serials, n, srv_now(), &id)) == 0)
		rc = st->ops->commit(st);
	else
		st->ops->rollback(st);
	srv_store_unlock(st);
	free(serials);
	if (rc == SRV_NONE) {
		srv_api_error(out, 409, "exists", "a cohort of that name exists: cohorts do not change (make another)");
		return;
	}
	if (rc != 0) {
		srv_api_store_error(out, st);
		return;
	}
	srv_api_json(out, 201, json_pack("{s:I, s:o}", "id", (json_int_t)id, "name", srv_json_text(name)));
}

struct found_release {
	bool found;
	struct srv_release r;
	char version[32];
};

static void found_release(const struct srv_release *r, void *ctx)
{
	struct found_release *f = ctx;

	f->found = true;
	f->r = *r;
	snprintf(f->version, sizeof(f->version), "%s", r->sw_version);
	f->r.sw_version = f->version;
	f->r.sha256 = NULL; /* (the row's; not kept) */
	f->r.build_id = NULL;
}

static void found_cohort(const struct srv_cohort *c, void *ctx)
{
	*(int64_t *)ctx = c->id;
}

/* POST deployments {"release": ID, "cohort": NAME, "percent": P}: refused when it would take the cohort's devices
 * that checked in backwards (version or security counter) or when the image does not fit their slot. */
static void deployment_add(struct srv_answer *out, struct srv_store *st, const json_t *j)
{
	struct found_release rel = {.found = false};
	long long release, percent;
	const char *cohort;
	int64_t cohort_id = 0, devices = 0, max[4], counter = 0, slot = 0, id = 0;
	char why[400];
	int rc;

	if (!int_member(out, j, "release", 1, INT64_MAX, 0, &release) || !text_member(out, j, "cohort", false, TEXT_MAX, &cohort) ||
	    !int_member(out, j, "percent", 1, 100, 100, &percent))
		return;
	srv_store_lock(st);
	rc = st->ops->releases(st, release, found_release, &rel);
	if (rc == 0)
		rc = st->ops->cohorts(st, cohort, found_cohort, &cohort_id);
	if (rc == 0)
		rc = st->ops->cohort_reach(st, cohort_id, &devices, max, &counter, &slot);
	why[0] = '\0';
	if (rc == 0 && devices > 0) {
		const int64_t v[4] = {rel.r.major, rel.r.minor, rel.r.revision, rel.r.build};
		int cmp = 0;

		for (int i = 0; i < 4 && cmp == 0; i++)
			cmp = (v[i] > max[i]) - (v[i] < max[i]);
		if (cmp < 0) {
			const struct fo_version newest = {(uint8_t)max[0], (uint8_t)max[1], (uint16_t)max[2],
							  (uint32_t)max[3]};
			char text[FO_VERSION_TEXT];

			fo_version_text(text, &newest);
			snprintf(why, sizeof(why), "devices of cohort %s run %s, later than release %lld's %s: a downgrade",
				 cohort, text, release, rel.version);
		}
		else if ((rel.r.has_security_counter ? (int64_t)rel.r.security_counter : 0) < counter)
			snprintf(why, sizeof(why), "devices of cohort %s run security counter %lld, above release %lld's "
				 "%lld: MCUboot would refuse it", cohort, (long long)counter, release,
				 rel.r.has_security_counter ? (long long)rel.r.security_counter : 0LL);
		else if (rel.r.size > slot)
			snprintf(why, sizeof(why), "release %lld is %lld bytes; a device of cohort %s has a slot of %lld",
				 release, (long long)rel.r.size, cohort, (long long)slot);
	}
	if (rc == 0 && why[0] == '\0')
		rc = st->ops->deployment_add(st, release, cohort_id, (int)percent, srv_now(), &id);
	srv_store_unlock(st);
	if (rc == SRV_NONE)
		srv_api_error(out, 404, "not_found", !rel.found ? "no such release" : "no such cohort");
	else if (rc != 0)
		srv_api_store_error(out, st);
	else if (why[0] != '\0')
		srv_api_error(out, 409, "refused", why);
	else
		srv_api_json(out, 201, json_pack("{s:I, s:I, s:I}", "id", (json_int_t)id, "devices_checked_in",
						 (json_int_t)devices, "percent", (json_int_t)percent));
}

/* GET cohorts, deployments, deployments/{id} */
static bool deploy_get(struct srv_answer *out, struct srv_store *st, const char *path)
{
	json_t *list, *one = NULL, *devs, *steps;
	char *end = NULL;
	long long id;
	int rc;

	if (strcmp(path, "cohorts") != 0 && strcmp(path, "deployments") != 0 && strncmp(path, "deployments/", 12) != 0)
		return false;
	list = srv_json_made(json_array());
	if (strcmp(path, "cohorts") == 0) {
		srv_store_lock(st);
		rc = st->ops->cohorts(st, NULL, add_cohort, list);
		srv_store_unlock(st);
		if (rc != 0) {
			json_decref(list);
			srv_api_store_error(out, st);
		} else {
			srv_api_json(out, 200, json_pack("{s:o}", "cohorts", list));
		}
		return true;
	}
	if (strcmp(path, "deployments") == 0) {
		srv_store_lock(st);
		rc = st->ops->deployments(st, 0, add_deployment, list);
		srv_store_unlock(st);
		if (rc != 0) {
			json_decref(list);
			srv_api_store_error(out, st);
		} else {
			srv_api_json(out, 200, json_pack("{s:o}", "deployments", list));
		}
		return true;
	}
	json_decref(list);
	id = strtoll(path + 12, &end, 10);
	if (end == path + 12 || *end != '\0' || id <= 0) {
		srv_api_error(out, 404, "not_found", "no such deployment");
		return true;
	}
	devs = srv_json_made(json_array());
	steps = srv_json_made(json_array());
	srv_store_lock(st);
	list = srv_json_made(json_array());
	rc = st->ops->deployments(st, id, add_deployment, list);
	if (rc == 0)
		rc = st->ops->deployment_devices(st, id, add_update, devs);
	if (rc == 0)
		rc = st->ops->deployment_events(st, id, NULL, add_update, steps);
	srv_store_unlock(st);
	one = json_incref(json_array_get(list, 0));
	json_decref(list);
	if (rc != 0) {
		json_decref(one);
		json_decref(devs);
		json_decref(steps);
		if (rc == SRV_NONE)
			srv_api_error(out, 404, "not_found", "no such deployment");
		else
			srv_api_store_error(out, st);
		return true;
	}
	json_object_set_new(one, "devices", devs);
	json_object_set_new(one, "steps", steps);
	srv_api_json(out, 200, one);
	return true;
}

/* POST deployments/{id} {"percent": P} */
static void deployment_percent(struct srv_answer *out, struct srv_store *st, long long id, const json_t *j)
{
	long long percent;
	int rc;

	if (!int_member(out, j, "percent", 1, 100, 0, &percent))
		return;
	srv_store_lock(st);
	rc = st->ops->deployment_percent(st, id, (int)percent);
	srv_store_unlock(st);
	if (rc == SRV_NONE)
		srv_api_error(out, 404, "not_found", "no such deployment");
	else if (rc != 0)
		srv_api_store_error(out, st);
	else
		srv_api_json(out, 200, json_pack("{s:I, s:I}", "id", (json_int_t)id, "percent", (json_int_t)percent));
}

/* POST cohorts, deployments, deployments/{id} */
static bool deploy_post(struct srv_answer *out, struct srv_store *st, const char *path, const char *body, size_t len)
{
	json_error_t jerr;
	long long id = 0;
	char *end = NULL;
	json_t *j;

	if (strncmp(path, "deployments/", 12) == 0) {
		id = strtoll(path + 12, &end, 10);
		if (end == path + 12 || *end != '\0' || id <= 0)
			return false;
		if ((j = json_loadb(body, len, 0, &jerr)) == NULL || !json_is_object(j)) {
			json_decref(j);
			srv_api_error(out, 400, "bad_request", "the body is a JSON object: {\"percent\": P}");
			return true;
		}
		deployment_percent(out, st, id, j);
		json_decref(j);
		return true;
	}

	if (strcmp(path, "cohorts") != 0 && strcmp(path, "deployments") != 0)
		return false;
	if ((j = json_loadb(body, len, 0, &jerr)) == NULL || !json_is_object(j)) {
		json_decref(j);
		srv_api_error(out, 400, "bad_request", strcmp(path, "cohorts") == 0
							       ? "the body is a JSON object: {\"name\": NAME, \"hw_version\": "
								 "HW, \"sw_version\": V, \"serials\": [SERIAL, ...]}"
							       : "the body is a JSON object: {\"release\": ID, \"cohort\": "
								 "NAME, \"percent\": P}");
		return true;
	}
	if (strcmp(path, "cohorts") == 0)
		cohort_add(out, st, j);
	else
		deployment_add(out, st, j);
	json_decref(j);
	return true;
}

/* The device's update endpoints (project key): devices/{serial}/update (a check-in) and .../update/report. */
void srv_api_device_update(struct srv_answer *out, struct srv_store *st, struct srv_limits *limits,
			   const char *serial, bool report, const char *body, size_t len)
{
	json_error_t jerr;
	json_t *j = json_loadb(body, len, 0, &jerr);
	int64_t device;
	int rc;

	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		srv_api_error(out, 400, "bad_request", report ? "the body is a JSON object: {\"deployment\": ID, \"step\": "
								"STEP, \"offset\": N, \"why\": TEXT}"
							      : "the body is a JSON object: {\"sw_version\", \"build_id\", "
								"\"hw_version\", \"version\", \"security_counter\", "
								"\"slot_size\"}");
		return;
	}
	if (!report) {
		struct srv_checkin c = {0};
		struct fo_version v;
		struct srv_offer offer;
		const char *version;
		long long counter, slot;
		unsigned wait = 0;
		char why[200];

		if (!text_member(out, j, "sw_version", false, TEXT_MAX, &c.sw_version) ||
		    !text_member(out, j, "build_id", false, BUILD_HEX_MAX, &c.build_id) ||
		    !text_member(out, j, "hw_version", true, TEXT_MAX, &c.hw_version) ||
		    !text_member(out, j, "version", false, TEXT_MAX, &version) ||
		    !int_member(out, j, "security_counter", 0, UINT32_MAX, 0, &counter) ||
		    !int_member(out, j, "slot_size", 1, INT64_MAX, 0, &slot))
			goto done;
		if (fo_version_parse(&v, version, why, sizeof(why)) != 0) {
			srv_api_error(out, 400, "bad_version", why);
			goto done;
		}
		c.hw_version = c.hw_version != NULL ? c.hw_version : "";
		c.major = v.major;
		c.minor = v.minor;
		c.revision = v.revision;
		c.build = v.build;
		c.security_counter = (uint32_t)counter;
		c.slot_size = slot;
		srv_store_lock(st); /* (the writer parked: the limits' writer-side counts are this thread's meanwhile) */
		rc = st->ops->device(st, serial, srv_now(), false, &device, NULL);
		if (rc == SRV_NONE && (wait = limits != NULL ? srv_limits_new_device(limits, srv_now()) : 0) == 0) {
			rc = st->ops->device(st, serial, srv_now(), true, &device, NULL);
			if (rc == 0 && limits != NULL)
				srv_limits_device_made(limits, srv_now());
		} else if (rc == SRV_NONE) {
			srv_limits_device_refused(limits);
		}
		if (rc == 0 && (rc = st->ops->begin(st)) == 0) {
			if ((rc = st->ops->checkin(st, device, serial, &c, srv_now(), &offer)) < 0)
				st->ops->rollback(st);
			else if (st->ops->commit(st) != 0)
				rc = -1;
		}
		srv_store_unlock(st);
		if (wait > 0) {
			char text[160];

			snprintf(text, sizeof(text), "new devices this hour (faultline-server --new-devices-per-hour): "
						     "check in again in %u s", wait);
			srv_api_error(out, 429, "rate_limited", text);
		} else if (rc == SRV_NONE)
			srv_api_json(out, 200, json_pack("{s:n}", "offer"));
		else if (rc != 0)
			srv_api_store_error(out, st);
		else {
			char url[160];

			snprintf(url, sizeof(url), "/api/v1/devices/%s/releases/%lld/image", serial,
				 (long long)offer.release);
			srv_api_json(out, 200, json_pack("{s:{s:I, s:I, s:s, s:I, s:s, s:s}}", "offer", "deployment",
							 (json_int_t)offer.deployment, "release", (json_int_t)offer.release,
							 "version", offer.version, "size", (json_int_t)offer.size, "sha256",
							 offer.sha256, "url", url));
		}
	} else {
		const char *why;
		long long deployment, offset;
		int step = ff_update_step_of(json_string_value(json_object_get(j, "step")));

		if (!int_member(out, j, "deployment", 1, INT64_MAX, 0, &deployment) ||
		    !int_member(out, j, "offset", 0, INT64_MAX, 0, &offset) || !text_member(out, j, "why", true, WHY_MAX, &why))
			goto done;
		if (step < 0) {
			srv_api_error(out, 400, "bad_step", "\"step\" is one of offered, downloading, downloaded, verified, "
							    "installed, confirmed, reverted, failed");
			goto done;
		}
		srv_store_lock(st);
		rc = st->ops->device(st, serial, srv_now(), false, &device, NULL);
		if (rc == 0 && (rc = st->ops->begin(st)) == 0) { /* the step and its row agree */
			if ((rc = st->ops->update_report(st, device, deployment, (enum srv_update_step)step, offset, why,
							 srv_now())) != 0)
				st->ops->rollback(st);
			else if (st->ops->commit(st) != 0)
				rc = -1;
		}
		srv_store_unlock(st);
		if (rc == SRV_FULL)
			srv_api_error(out, 429, "rate_limited", "this device has reported 1000 steps of that deployment: no "
								"more are kept");
		else if (rc == SRV_NONE)
			srv_api_error(out, 404, "not_found", "this device was not offered that deployment");
		else if (rc != 0)
			srv_api_store_error(out, st);
		else
			srv_api_json(out, 200, json_pack("{s:b}", "recorded", 1));
	}
done:
	json_decref(j);
}
