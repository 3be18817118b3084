/* SPDX-License-Identifier: Apache-2.0 */
/* The web dashboard (docs/DASHBOARD.md): server-rendered pages of what the read API gives, a login that exchanges
 * the admin token for a session cookie, forms that change state (each with the session's CSRF token), and the
 * dashboard's own stylesheet and script. No HTTP library here: http.c hands a request over and sends the answer,
 * so the pages are tested without a socket. */
#ifndef SRV_DASH_H
#define SRV_DASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "html.h"
#include "limits.h"
#include "store.h"

/* What a page needs of the server. */
struct srv_dash_config {
	struct srv_store *store;
	struct srv_limits *limits; /* may be NULL */
	const char *data_dir;      /* the server's data folder: symbol files in data_dir/symbols */
};

/* A request for the dashboard: any path outside /api/ and /healthz. Every member is untrusted but the method. */
struct srv_dash_request {
	const char *method;                                 /* "GET", "POST", "HEAD" */
	const char *path;                                   /* the URL's path: "/issues/7" */
	const char *query;                                  /* its query, %-escaped, without '?' ("" for none) */
	const char *(*arg)(void *actx, const char *name);   /* a query argument (NULL when absent) */
	void *actx;
	const char *cookie;                                 /* the Cookie header (NULL: none) */
	const char *forwarded_proto;                        /* X-Forwarded-Proto (the TLS proxy's), NULL: none */
	const char *origin;                                 /* the Origin header (NULL: none) */
	const char *host;                                   /* the Host header (NULL: none) */
	const char *csrf_header;                            /* X-CSRF-Token (the upload's script sends it) */
	const char *body;                                   /* a form's body (urlencoded), len bytes */
	size_t len;
};

/* The answer. body is malloc'd (the caller frees it or hands it on). */
struct srv_dash_answer {
	unsigned status;
	char *body;
	size_t len;
	const char *type;          /* its Content-Type (static) */
	char location[600];        /* a redirect's Location ("" for none) */
	char cookie[200];          /* a Set-Cookie header's value ("" for none) */
	char disposition[160];     /* a Content-Disposition ("" for none) */
	int fd;                    /* >= 0: the body is this file's len bytes instead (handed to the HTTP library with
				    * the answer: it closes it) */
	bool page;                 /* a page of the dashboard: sent with its security headers (docs/DASHBOARD.md) */
};

/* The largest form body a dashboard POST takes. */
#define SRV_DASH_FORM_MAX 4096u

/* The security headers of every dashboard page, each "Name: value" (the Content-Security-Policy first). */
extern const char *const srv_dash_headers[][2];
extern const size_t srv_dash_nheaders;

/*
 * May rq (a POST /symbols from the dashboard's script, its body not read yet) upload a symbol file: a session's,
 * with its CSRF token in X-CSRF-Token, from this site? Returns 0 when it may, else the HTTP status to refuse it
 * with (403; 500 when the store failed) and why in why/cap.
 */
unsigned srv_dash_upload_refused(const struct srv_dash_config *cfg, const struct srv_dash_request *rq, char *why,
				 size_t cap);

/* Answer a dashboard request. out: filled. */
void srv_dash_handle(struct srv_dash_answer *out, const struct srv_dash_config *cfg, const struct srv_dash_request *rq);

/* For the files of the dashboard's pages (dash_*.c): a page being written, with what it knows of its request. */
struct srv_dash_page {
	struct srv_html html;
	const struct srv_dash_config *cfg;
	const struct srv_dash_request *rq;
	char csrf[65];            /* the session's CSRF token, for the page's forms */
	struct srv_dash_answer *out;
};

/*
 * The read API's JSON answer to path (as GET /api/v1/PATH with the request's query arguments, or those of args: a
 * NULL-terminated list of name, value pairs that replaces them). Returns the parsed answer (json_decref it) and its
 * status in out_status; NULL when the answer is not JSON. srv_dash_api_page(), for a page that has not begun: the
 * answer when it is a 200; else NULL, the page made an error page of the API's status and message.
 */
struct json_t;
struct json_t *srv_dash_api(struct srv_dash_page *p, const char *path, const char *const *args, unsigned *out_status);
struct json_t *srv_dash_api_page(struct srv_dash_page *p, const char *path, const char *const *args);

#define SRV_DASH_PAGE 50 /* issues, traces and devices a page of a list */

/* The request's query argument name, or dflt when absent or empty. */
const char *srv_dash_arg(const struct srv_dash_page *p, const char *name, const char *dflt);

/* An <option> of a <select>: value (text: escaped), its text, selected when it is current (NULL: none). */
void srv_dash_option(struct srv_html *h, const char *value, const char *text, const char *current);

/* A member of a JSON answer: a string ("" when absent or not one), an integer (0 when absent). */
const char *srv_dash_text(const struct json_t *j, const char *name);
long long srv_dash_int(const struct json_t *j, const char *name);

/* Start the page (its <head>, the header with the navigation; nav: the section to mark current) and end it (out
 * filled with it, status 200 unless status is set). */
void srv_dash_begin(struct srv_dash_page *p, const char *title, const char *nav);
void srv_dash_end(struct srv_dash_page *p, unsigned status);

/* An error page of status saying message (text); of an API answer's status and message (its body freed). */
void srv_dash_error(struct srv_dash_page *p, unsigned status, const char *message);
struct srv_answer;
void srv_dash_answer_error(struct srv_dash_page *p, struct srv_answer *a);

/* A redirect: 303 to location (a path of this site), with the dashboard's headers. */
void srv_dash_redirect(struct srv_dash_answer *out, const char *location);

/* A Unix time as the dashboard shows it (UTC, "2026-12-03 14:05"); 0 as "never". */
const char *srv_dash_when(int64_t t, char *buf, size_t cap);

/* The pages (dash_issues.c, dash_fleet.c, dash_symbols.c): each fills p's page from the API. */
void srv_dash_issues(struct srv_dash_page *p);
void srv_dash_issue(struct srv_dash_page *p, int64_t id);
void srv_dash_issue_action(struct srv_dash_page *p, int64_t id, const char *action);
void srv_dash_trace(struct srv_dash_page *p, int64_t id);
void srv_dash_trace_core(struct srv_dash_page *p, int64_t id);
void srv_dash_symbol_file(struct srv_dash_page *p, const char *build_hex);
void srv_dash_overview(struct srv_dash_page *p);
void srv_dash_versions(struct srv_dash_page *p);
void srv_dash_compare(struct srv_dash_page *p);
void srv_dash_devices(struct srv_dash_page *p);
void srv_dash_device(struct srv_dash_page *p, const char *serial);
void srv_dash_symbols(struct srv_dash_page *p);

#endif
