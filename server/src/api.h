/* SPDX-License-Identifier: Apache-2.0 */
/* The read API's answers (docs/API.md): issues, an issue, a trace and its ELF core, devices, a device, the
 * quarantined messages, the rate limits. The store gives rows; this file shapes them into JSON. No HTTP here:
 * http.c routes GET /api/v1/... to srv_api_get() (or srv_api_limits()) and sends what it answers. */
#ifndef SRV_API_H
#define SRV_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limits.h"
#include "store.h"

/* An answer: an HTTP status and its body. */
struct srv_answer {
	unsigned status;  /* 200, 400, 404, 500 */
	char *body;       /* malloc'd; the caller frees it (or hands it to the HTTP library) */
	size_t len;
	const char *type; /* its Content-Type, a static string */
};

/*
 * The JSON error answer every endpoint gives: {"error": {"code": CODE, "message": MESSAGE}}.
 * out: filled.  status: the HTTP status.  code: a short stable identifier ("not_found").  message: for people.
 */
void srv_api_error(struct srv_answer *out, unsigned status, const char *code, const char *message);

/* For the files of the read API (api.c, api_health.c): a JSON value made (abort() on NULL, which jansson returns
 * only when out of memory: srv_malloc's policy); a string from the store as JSON (bytes that are not UTF-8 shown
 * as '?'); an answer of a JSON body (taken: its reference is released); the answer to a failed store (logged, a
 * 500 without the store's words). */
struct json_t;
struct json_t *srv_json_made(struct json_t *j);
struct json_t *srv_json_text(const char *s);
void srv_api_json(struct srv_answer *out, unsigned status, struct json_t *body);
void srv_api_store_error(struct srv_answer *out, struct srv_store *st);

/*
 * Answer GET path (the part after /api/v1/, e.g. "issues/3") from the store.
 * out: filled (an error answer for a path, argument or id that names nothing).  st: the store (locked here).
 * arg: the request's query argument of a name (NULL when absent), with actx.
 */
void srv_api_get(struct srv_answer *out, struct srv_store *st, const char *path,
		 const char *(*arg)(void *actx, const char *name), void *actx);

/*
 * Answer GET path when it is one of fleet health's (api_health.c, docs/API.md): versions, versions/{v}, compare,
 * metrics, devices/{serial}/heartbeats. Arguments as srv_api_get()'s. Returns whether it was (out filled).
 */
bool srv_api_health(struct srv_answer *out, struct srv_store *st, const char *path,
		    const char *(*arg)(void *actx, const char *name), void *actx);

/*
 * The issue workflow (docs/API.md, Issue workflow), for the API and the dashboard alike: action "resolve" (version:
 * the version with the fix, required), "mute" or "reopen" (version ignored) of issue id, by a person, now.
 * out: 200 with the issue (as GET issues/{id} gives it, without its trace); 400 bad_version; 404 not_found (no
 * such issue or action); 500 store_error.
 */
void srv_api_issue_change(struct srv_answer *out, struct srv_store *st, int64_t id, const char *action,
			  const char *version);

/* Is v a version a person may name (resolving): 1..64 bytes of UTF-8 without control characters? */
bool srv_api_version_valid(const char *v);

/* Is v a text a person or device may send: 1..max bytes of UTF-8 without control characters? */
bool srv_api_text_valid(const char *v, size_t max);

/* The JSON name of an issue's state: "open", "resolved", "muted". */
const char *srv_api_state_name(enum srv_issue_state state);

/*
 * Answer POST path (the part after /api/v1/) with its body (len bytes, untrusted; may be empty): issues/{id}/ACTION
 * with {"in": "VERSION"} for resolve. Returns whether path is one of them (out filled), false otherwise (out
 * untouched: the caller answers 404).
 */
bool srv_api_post(struct srv_answer *out, struct srv_store *st, const char *path, const char *body, size_t len);

/*
 * The updates' API for people (api_ota.c, docs/API.md): GET signing-keys, releases, releases/{id}, cohorts,
 * deployments, deployments/{id}; POST signing-keys (a public key's PEM and a name), signing-keys/{id}/remove,
 * cohorts, deployments (JSON objects of len bytes, untrusted). Each returns whether path is one of its own (out
 * filled), false otherwise (out untouched).
 */
bool srv_api_ota_get(struct srv_answer *out, struct srv_store *st, const char *path);
bool srv_api_ota_post(struct srv_answer *out, struct srv_store *st, const char *path, const char *body, size_t len);

/*
 * A device's update endpoints (project key; api_ota.c, docs/API.md): POST devices/{serial}/update, its check-in
 * (report false: what it runs; the answer an offer or null) and devices/{serial}/update/report (a step of its
 * update). limits: the server's (NULL: none): a check-in of a serial never seen is a new device, limited as by
 * ingest (429). serial: checked already. body, len: the request's JSON (untrusted). out: filled.
 */
void srv_api_device_update(struct srv_answer *out, struct srv_store *st, struct srv_limits *limits,
			   const char *serial, bool report, const char *body, size_t len);

/* A release as the API shows it (GET releases, the upload's answer). Returns a new reference. */
struct json_t *srv_api_release_json(const struct srv_release *r);

/*
 * Answer GET limits: the rate limits and how many requests each refused (docs/API.md).
 * out: filled.  l: the server's limits (NULL: none, all shown as 0, off).
 */
void srv_api_limits(struct srv_answer *out, struct srv_limits *l);

#endif
