/* SPDX-License-Identifier: Apache-2.0 */
/* The read API's answers (docs/API.md): issues, an issue, a trace and its ELF core, devices, a device, the
 * quarantined messages, the rate limits. The store gives rows; this file shapes them into JSON. No HTTP here:
 * http.c routes GET /api/v1/... to srv_api_get() (or srv_api_limits()) and sends what it answers. */
#ifndef SRV_API_H
#define SRV_API_H

#include <stdbool.h>
#include <stddef.h>

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
 * Answer GET limits: the rate limits and how many requests each refused (docs/API.md).
 * out: filled.  l: the server's limits (NULL: none, all shown as 0, off).
 */
void srv_api_limits(struct srv_answer *out, struct srv_limits *l);

#endif
