/* SPDX-License-Identifier: Apache-2.0 */
/* The simulator's side of HTTP (libcurl): the devices' batches to POST /api/v1/devices/{serial}/chunks over a few
 * kept-alive connections at once, and the admin requests (the test clock, symbols, health). */
#ifndef SIM_HTTP_H
#define SIM_HTTP_H

#include <stddef.h>

#include <jansson.h>

struct sim_link;
struct sim_http;

/*
 * Connect to server (a URL, e.g. http://127.0.0.1:8080) with the project key (for chunks; may be NULL when no
 * chunks are sent) and the admin token; connections: batches in flight at once (1..64).
 * out: the client (sim_http_close()). Returns 0, or -1 when libcurl cannot start (a message on stderr).
 */
int sim_http_open(struct sim_http **out, const char *server, const char *key, const char *token,
		  unsigned connections);
void sim_http_close(struct sim_http *h);

/*
 * An admin request: method "GET" or "POST" of path (below the server, e.g. "/api/v1/versions?days=30"), with body
 * (len bytes, may be NULL). out_status: the HTTP status (0 when there was no answer). out: the answer parsed as
 * JSON (yours: json_decref()), or NULL when it was not JSON. Returns 0 when it was answered, -1 when not (the
 * reason on stderr).
 */
int sim_http_admin(struct sim_http *h, const char *method, const char *path, const void *body, size_t len,
		   long *out_status, json_t **out);

/* What the server answered to one batch: its status and body (valid during the call). Returns 0 to go on, -1 to
 * stop sending. */
typedef int (*sim_http_answer)(void *ctx, size_t batch, long status, const char *body, size_t len);

/*
 * POST every batch of the step that has chunks, `connections` at a time, and give each answer to answer() as it
 * comes (in any order; a device has one batch a step). A batch whose request failed or was answered 5xx is sent
 * again, up to 3 times. Returns 0, or -1 when a batch could not be sent or answer() said stop.
 */
int sim_http_send(struct sim_http *h, const struct sim_link *l, sim_http_answer answer, void *ctx);

#endif
