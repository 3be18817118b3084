/* SPDX-License-Identifier: Apache-2.0 */
/* The dashboard's front (dash.h): sessions and the login, CSRF and origin checks, routing, the page frame, its
 * assets. The pages themselves are in dash_issues.c and the other dash_*.c files. */
#define _POSIX_C_SOURCE 200809L
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "api.h"
#include "clock.h"
#include "dash.h"
#include "dash_assets.h"
#include "keys.h"
#include "session.h"

const char *const srv_dash_headers[][2] = {
	{"Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
				    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
	{"X-Content-Type-Options", "nosniff"},
	{"Referrer-Policy", "same-origin"},
	{"X-Frame-Options", "DENY"},
	{"Cache-Control", "no-store"},
};
const size_t srv_dash_nheaders = sizeof(srv_dash_headers) / sizeof(srv_dash_headers[0]);

/* The sections of the navigation: their paths and names. */
static const char *const k_nav[][2] = {
	{"/", "Overview"}, {"/issues", "Issues"}, {"/devices", "Devices"}, {"/versions", "Versions"},
	{"/symbols", "Symbols"},
};

const char *srv_dash_when(int64_t t, char *buf, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0)
		snprintf(buf, cap, "never");
	else
		strftime(buf, cap, "%Y-%m-%d %H:%M", gmtime_r(&tt, &tm));
	return buf;
}

void srv_dash_begin(struct srv_dash_page *p, const char *title, const char *nav)
{
	srv_html_f(&p->html, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
			     "content=\"width=device-width, initial-scale=1\"><title>%s · faultline</title><link rel=\"icon\" "
			     "href=\"data:,\"><link rel=\"stylesheet\" href=\"/assets/dash.css\"><script src=\"/assets/dash.js\" defer></script>"
			     "</head><body><header><a class=\"brand\" href=\"/\">faultline</a><nav>", title);
	for (size_t k = 0; k < sizeof(k_nav) / sizeof(k_nav[0]); k++)
		srv_html_f(&p->html, "<a href=\"%s\"%R>%s</a>", k_nav[k][0],
			   nav != NULL && strcmp(nav, k_nav[k][0]) == 0 ? " aria-current=\"page\"" : "", k_nav[k][1]);
	srv_html_f(&p->html, "</nav>");
	if (p->csrf[0] != '\0')
		srv_html_f(&p->html, "<form class=\"logout\" method=\"post\" action=\"/logout\"><input type=\"hidden\" "
				     "name=\"csrf\" value=\"%s\"><button type=\"submit\">Log out</button></form>",
			   p->csrf);
	srv_html_f(&p->html, "</header><main><h1>%s</h1>", title);
}

void srv_dash_end(struct srv_dash_page *p, unsigned status)
{
	srv_html_raw(&p->html, "</main></body></html>\n");
	p->out->status = status != 0 ? status : 200;
	p->out->body = srv_html_take(&p->html, &p->out->len);
	p->out->type = "text/html; charset=utf-8";
	p->out->page = true;
}

void srv_dash_error(struct srv_dash_page *p, unsigned status, const char *message)
{
	srv_html_free(&p->html);
	srv_dash_begin(p, status == 404 ? "Not found" : status == 403 ? "Refused" : "Error", NULL);
	srv_html_f(&p->html, "<p class=\"error\" id=\"error\">%s</p>", message);
	srv_dash_end(p, status);
}

/* The query arguments of srv_dash_api(): a list, or the request's own. */
struct api_args {
	const char *const *list;
	const struct srv_dash_request *rq;
};

static const char *api_arg(void *ctx, const char *name)
{
	const struct api_args *a = ctx;

	if (a->list == NULL)
		return a->rq->arg(a->rq->actx, name);
	for (const char *const *p = a->list; p[0] != NULL; p += 2)
		if (strcmp(p[0], name) == 0)
			return p[1];
	return NULL;
}

json_t *srv_dash_api(struct srv_dash_page *p, const char *path, const char *const *args, unsigned *out_status)
{
	struct api_args a = {args, p->rq};
	struct srv_answer ans;
	json_t *j;

	srv_api_get(&ans, p->cfg->store, path, api_arg, &a);
	j = json_loadb(ans.body, ans.len, 0, NULL);
	free(ans.body);
	*out_status = ans.status;
	return j;
}

json_t *srv_dash_api_page(struct srv_dash_page *p, const char *path, const char *const *args)
{
	unsigned status;
	json_t *j = srv_dash_api(p, path, args, &status);

	if (j == NULL) {
		srv_dash_error(p, 500, "the server's answer could not be read");
	} else if (status != 200) {
		srv_dash_error(p, status, srv_dash_text(json_object_get(j, "error"), "message"));
		json_decref(j);
		j = NULL;
	}
	return j;
}

void srv_dash_answer_error(struct srv_dash_page *p, struct srv_answer *a)
{
	json_t *j = json_loadb(a->body, a->len, 0, NULL);

	srv_dash_error(p, a->status, j != NULL ? srv_dash_text(json_object_get(j, "error"), "message") : "refused");
	json_decref(j);
	free(a->body);
}

const char *srv_dash_arg(const struct srv_dash_page *p, const char *name, const char *dflt)
{
	const char *v = p->rq->arg(p->rq->actx, name);

	return v != NULL && v[0] != '\0' ? v : dflt;
}

void srv_dash_option(struct srv_html *h, const char *value, const char *text, const char *current)
{
	srv_html_f(h, "<option value=\"%s\"%R>%s</option>", value,
		   current != NULL && strcmp(value, current) == 0 ? " selected" : "", text);
}

const char *srv_dash_text(const json_t *j, const char *name)
{
	const char *s = json_string_value(json_object_get(j, name));

	return s != NULL ? s : "";
}

long long srv_dash_int(const json_t *j, const char *name)
{
	return (long long)json_integer_value(json_object_get(j, name));
}

void srv_dash_redirect(struct srv_dash_answer *out, const char *location)
{
	out->status = 303;
	snprintf(out->location, sizeof(out->location), "%s", location);
	out->body = srv_strdup("");
	out->len = 0;
	out->type = "text/plain";
	out->page = true;
}

/* Is next a path of this site, safe to send the browser to after the login ("/issues?sort=devices")? */
static bool local_path(const char *next)
{
	size_t n = next != NULL ? strlen(next) : 0;

	if (n == 0 || n >= 500 || next[0] != '/' || next[1] == '/' || next[1] == '\\')
		return false;
	for (size_t k = 0; k < n; k++)
		if ((unsigned char)next[k] <= 0x20 || (unsigned char)next[k] >= 0x7f || next[k] == '\\')
			return false;
	return true;
}

/* Did a state-changing request come from this site? With an Origin header, its host must be the Host (a browser
 * sends Origin on every POST: a page elsewhere cannot forge it); without one (an older client), the CSRF token and
 * the SameSite cookie stand alone. */
static bool same_origin(const struct srv_dash_request *rq)
{
	const char *host;

	if (rq->origin == NULL)
		return true;
	if (rq->host == NULL)
		return false;
	host = strstr(rq->origin, "://");
	return host != NULL && strcmp(host + 3, rq->host) == 0;
}

/* next: (out) "/login?next=" and path?query %-escaped as its value (the query escaped once more: it is a part of
 * it); "/login" when that does not fit in cap. */
static void login_next(char *next, size_t cap, const char *path, const char *query)
{
	size_t n = (size_t)snprintf(next, cap, "/login?next=");
	bool fits = true;

	for (int part = 0; part < 3 && fits; part++) {
		const char *text = part == 0 ? path : query == NULL || query[0] == '\0' ? "" : part == 1 ? "?" : query;

		for (const unsigned char *c = (const unsigned char *)text; *c != '\0' && (fits = n + 4 <= cap); c++)
			n += srv_url_byte(next + n, *c);
	}
	if (!fits)
		n = (size_t)snprintf(next, cap, "/login");
	next[n] = '\0';
}

static void login_page(struct srv_dash_page *p, const char *next, const char *problem, unsigned status)
{
	srv_dash_begin(p, "Log in", NULL);
	if (problem != NULL)
		srv_html_f(&p->html, "<p class=\"error\" id=\"error\">%s</p>", problem);
	srv_html_f(&p->html, "<form class=\"login\" method=\"post\" action=\"/login\"><label for=\"token\">Admin token"
			     "</label><input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" "
			     "required autofocus><input type=\"hidden\" name=\"next\" value=\"%s\"><button type=\"submit\">"
			     "Log in</button><p class=\"hint\">The token <code>faultline-server</code> printed at its first "
			     "start (<code>fla_…</code>); <code>faultline-server --data DIR rotate-keys</code> makes a new "
			     "one and ends every session.</p></form>", local_path(next) ? next : "/");
	srv_dash_end(p, status);
}

/* POST /login: the admin token for a session cookie. The token is read from the body only, never logged. */
static void login(struct srv_dash_page *p, const struct srv_dash_request *rq)
{
	char token[300], next[600] = "/", cookie[SRV_SESSION_VALUE], csrf[SRV_CSRF_VALUE];
	bool ok, secure = rq->forwarded_proto != NULL && strcmp(rq->forwarded_proto, "https") == 0;

	if (!srv_form_value(rq->body, rq->len, "next", next, sizeof(next)) || !local_path(next))
		snprintf(next, sizeof(next), "/");
	if (!same_origin(rq)) {
		srv_dash_error(p, 403, "the login came from another site's page");
		return;
	}
	ok = srv_form_value(rq->body, rq->len, "token", token, sizeof(token)) &&
	     srv_keys_check(p->cfg->store, SRV_ROLE_ADMIN, token);
	sodium_memzero(token, sizeof(token)); /* (its only copy left is the request's body) */
	if (!ok) {
		login_page(p, next, "That is not the admin token.", 401);
		return;
	}
	if (srv_session_begin(p->cfg->store, srv_now(), cookie, csrf) != 0) {
		fprintf(stderr, "faultline-server: a login: %s\n", srv_store_error(p->cfg->store));
		srv_dash_error(p, 500, "the session could not be stored");
		return;
	}
	snprintf(p->out->cookie, sizeof(p->out->cookie), SRV_SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; "
		 "Max-Age=%d%s", cookie, SRV_SESSION_SECONDS, secure ? "; Secure" : "");
	srv_dash_redirect(p->out, next);
}

static void logout(struct srv_dash_page *p, const char *cookie)
{
	if (srv_session_end(p->cfg->store, cookie) != 0) {
		srv_dash_error(p, 500, "the session could not be ended");
		return;
	}
	snprintf(p->out->cookie, sizeof(p->out->cookie),
		 SRV_SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	srv_dash_redirect(p->out, "/login");
}

/* The asset at path (public), or false. */
static bool asset(struct srv_dash_answer *out, const char *path)
{
	for (size_t k = 0; k < srv_dash_nassets; k++) {
		if (strcmp(path, srv_dash_assets[k].path) != 0)
			continue;
		out->status = 200;
		out->body = srv_malloc(srv_dash_assets[k].len + 1);
		memcpy(out->body, srv_dash_assets[k].bytes, srv_dash_assets[k].len);
		out->len = srv_dash_assets[k].len;
		out->type = srv_dash_assets[k].type;
		out->page = true;
		return true;
	}
	return false;
}

/* The id at the start of text up to '/' or its end; 0 when none. tail: where it ended. */
static int64_t path_id(const char *text, const char **tail)
{
	int64_t id = 0;
	int digits = 0;

	for (; *text >= '0' && *text <= '9' && digits < 18; text++, digits++)
		id = id * 10 + (*text - '0');
	*tail = text;
	return digits > 0 && (*text == '\0' || *text == '/') ? id : 0;
}

/* The request's session: 0 (cookie, csrf: (out) its cookie's value and its CSRF token), SRV_NONE (no cookie, or
 * its session ended), or the store's -1. */
static int session_of(const struct srv_dash_config *cfg, const struct srv_dash_request *rq, char *cookie,
		      char *csrf)
{
	return srv_cookie_value(rq->cookie, SRV_SESSION_COOKIE, cookie, SRV_SESSION_VALUE)
		       ? srv_session_find(cfg->store, cookie, srv_now(), csrf)
		       : SRV_NONE;
}

/* Did a state-changing request come from its session's own page: this site's Origin and the session's CSRF token
 * presented (NULL: none)? */
static bool from_its_page(const struct srv_dash_request *rq, const char *csrf, const char *presented)
{
	return same_origin(rq) && srv_session_csrf_ok(csrf, presented);
}

unsigned srv_dash_upload_refused(const struct srv_dash_config *cfg, const struct srv_dash_request *rq, char *why,
				 size_t cap)
{
	char cookie[SRV_SESSION_VALUE], csrf[SRV_CSRF_VALUE];
	int rc = session_of(cfg, rq, cookie, csrf);

	if (rc < 0) {
		snprintf(why, cap, "the database failed");
		return 500;
	}
	if (rc != 0) {
		snprintf(why, cap, "no session: log in to the dashboard first");
		return 403;
	}
	if (!from_its_page(rq, csrf, rq->csrf_header)) {
		snprintf(why, cap, "the upload did not come from this session's page (X-CSRF-Token): reload the page");
		return 403;
	}
	return 0;
}

void srv_dash_handle(struct srv_dash_answer *out, const struct srv_dash_config *cfg, const struct srv_dash_request *rq)
{
	struct srv_dash_page p = {.cfg = cfg, .rq = rq, .out = out};
	char cookie[SRV_SESSION_VALUE], csrf[SRV_CSRF_VALUE], form_csrf[SRV_CSRF_VALUE], next[600];
	bool post = strcmp(rq->method, "POST") == 0;
	const char *path = rq->path, *tail;
	int64_t id;
	int rc;

	*out = (struct srv_dash_answer){.fd = -1};
	if (!post && asset(out, path))
		return;
	if (!post && strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "HEAD") != 0) {
		srv_dash_error(&p, 405, "the dashboard takes GET and POST");
		return;
	}
	rc = session_of(cfg, rq, cookie, csrf);
	if (rc < 0) {
		fprintf(stderr, "faultline-server: a session: %s\n", srv_store_error(cfg->store));
		srv_dash_error(&p, 500, "the database failed");
		return;
	}
	if (strcmp(path, "/login") == 0) {
		if (post)
			login(&p, rq);
		else if (rc == 0)
			srv_dash_redirect(out, local_path(rq->arg(rq->actx, "next")) ? rq->arg(rq->actx, "next") : "/");
		else
			login_page(&p, rq->arg(rq->actx, "next"), NULL, 200);
		return;
	}
	if (rc != 0) { /* no session: to the login, and back here after it */
		if (post) {
			srv_dash_error(&p, 403, "your session has ended: log in again");
			return;
		}
		login_next(next, sizeof(next), path, rq->query);
		srv_dash_redirect(out, next);
		return;
	}
	snprintf(p.csrf, sizeof(p.csrf), "%s", csrf);
	if (post && !from_its_page(rq, csrf, srv_form_value(rq->body, rq->len, "csrf", form_csrf, sizeof(form_csrf))
						     ? form_csrf : NULL)) {
		srv_dash_error(&p, 403, "the form did not come from this session's page (its CSRF token is missing or "
					"wrong): reload the page and try again");
		return;
	}
	if (post && strcmp(path, "/logout") == 0) {
		logout(&p, cookie);
	} else if (!post && strcmp(path, "/") == 0) {
		srv_dash_overview(&p);
	} else if (!post && strcmp(path, "/issues") == 0) {
		srv_dash_issues(&p);
	} else if (!post && strcmp(path, "/versions") == 0) {
		srv_dash_versions(&p);
	} else if (!post && strcmp(path, "/versions/compare") == 0) {
		srv_dash_compare(&p);
	} else if (!post && strcmp(path, "/symbols") == 0) {
		srv_dash_symbols(&p);
	} else if (!post && strncmp(path, "/symbols/", 9) == 0) {
		srv_dash_symbol_file(&p, path + 9);
	} else if (!post && strcmp(path, "/devices") == 0) {
		srv_dash_devices(&p);
	} else if (!post && strncmp(path, "/devices/", 9) == 0 && path[9] != '\0' && strchr(path + 9, '/') == NULL) {
		srv_dash_device(&p, path + 9);
	} else if (strncmp(path, "/issues/", 8) == 0 && (id = path_id(path + 8, &tail)) > 0) {
		if (!post && *tail == '\0')
			srv_dash_issue(&p, id);
		else if (post && *tail == '/')
			srv_dash_issue_action(&p, id, tail + 1);
		else
			srv_dash_error(&p, 404, "no such page");
	} else if (!post && strncmp(path, "/traces/", 8) == 0 && (id = path_id(path + 8, &tail)) > 0) {
		if (*tail == '\0')
			srv_dash_trace(&p, id);
		else if (strcmp(tail, "/core") == 0)
			srv_dash_trace_core(&p, id);
		else
			srv_dash_error(&p, 404, "no such page");
	} else {
		srv_dash_error(&p, 404, "no such page");
	}
}
