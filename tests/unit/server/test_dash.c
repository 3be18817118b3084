/* SPDX-License-Identifier: Apache-2.0 */
/* The dashboard without a socket (server/src/html.c, svg.c, session.c, dash.c): text escaped everywhere, forms and
 * cookies read within their bounds, plots that carry their values, and the login, the session, CSRF and the
 * redirects on a real SQLite store. The pages in a real browser: tests/e2e/dashboard.py. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dash.h"
#include "html.h"
#include "keys.h"
#include "server_fixture.h"
#include "session.h"
#include "svg.h"

static char *built(struct srv_html *h)
{
	size_t len;

	return srv_html_take(h, &len);
}

/* Markup characters become entities; control bytes, DEL and broken UTF-8 show as \xNN, bidirectional overrides as
 * \uNNNN; other valid UTF-8 stays. */
static void text_is_escaped(void **state)
{
	struct srv_html h = {0};
	char *out;

	(void)state;
	srv_html_text(&h, "<script>alert('x')</script> & \"q\"");
	srv_html_text(&h, "\x1b[31m\x7f\xff\xc3(\xe2\x82\xac\xed\xa0\x80");
	srv_html_text(&h, NULL);
	srv_html_text(&h, "a\xe2\x80\xae" "b\xe2\x81\xa6" "c\xe2\x80\xa9"); /* RLO and LRI shown, not obeyed */
	out = built(&h);
	assert_string_equal(out, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
				 "\\x1b[31m\\x7f\\xff\\xc3(\xe2\x82\xac\\xed\\xa0\\x80"
				 "a\\u202eb\\u2066c\xe2\x80\xa9");
	free(out);
	srv_html_text_cut(&h, "abcdef", 3);
	srv_html_text_cut(&h, "abc", 3);
	out = built(&h);
	assert_string_equal(out, "abc\xe2\x80\xa6" "abc");
	free(out);
}

/* %s escapes, %U makes a query value, %R is raw, numbers are printf's. */
static void formats(void **state)
{
	struct srv_html h = {0};
	char *out;

	(void)state;
	srv_html_f(&h, "<a href=\"/x?v=%U\" title=\"%s\">%R</a> %d %lld %zu %08x %.1f %% %u", "1.0 &<b>", "\"><img>",
		   "<b>raw</b>", -3, (long long)1 << 40, (size_t)7, 0xbeefu, 2.25, 42u);
	out = built(&h);
	assert_string_equal(out, "<a href=\"/x?v=1.0%20%26%3Cb%3E\" title=\"&quot;&gt;&lt;img&gt;\"><b>raw</b></a> -3 "
				 "1099511627776 7 0000beef 2.2 % 42");
	free(out);
}

/* A plot's points carry their values; an empty plot says so; a sparkline carries its counts. */
static void plots_carry_their_values(void **state)
{
	const double x[] = {86400, 2 * 86400}, y[] = {3, 7.5};
	struct srv_plot_series s = {.name = "1.4<3>", .x = x, .y = y, .n = 2};
	struct srv_plot p = {.id = "p", .title = "Crashes", .y_unit = "%", .x_time = true};
	const int64_t v[] = {0, 2, 5};
	struct srv_html h = {0};
	char *out;

	(void)state;
	srv_svg_plot(&h, &p, &s, 1);
	out = built(&h);
	assert_non_null(strstr(out, "data-x=\"86400\" data-y=\"3\""));
	assert_non_null(strstr(out, "data-x=\"172800\" data-y=\"7.5\""));
	assert_non_null(strstr(out, "data-name=\"1.4&lt;3&gt;\""));
	assert_non_null(strstr(out, "<title>1.4&lt;3&gt;, 1970-01-03 00:00: 7.5%</title>"));
	assert_null(strstr(out, "<3>"));
	free(out);
	s.n = 0;
	srv_svg_plot(&h, &p, &s, 1);
	out = built(&h);
	assert_string_equal(out, "<p class=\"empty\" id=\"p\">Crashes: nothing in this period.</p>");
	free(out);
	srv_svg_sparkline(&h, v, 3);
	out = built(&h);
	assert_non_null(strstr(out, "data-values=\"0,2,5\""));
	free(out);
}

/* Form fields and cookies: decoded within their bounds; malformed escapes, NUL bytes and values too long refused. */
static void forms_and_cookies(void **state)
{
	static const char body[] = "a=1&token=fla_x%2By+z&next=%2Fissues%3Fsort%3Ddevices&bad=%4&nul=%00&e=";
	char out[32], tiny[4];

	(void)state;
	assert_true(srv_form_value(body, strlen(body), "token", out, sizeof(out)));
	assert_string_equal(out, "fla_x+y z");
	assert_true(srv_form_value(body, strlen(body), "next", out, sizeof(out)));
	assert_string_equal(out, "/issues?sort=devices");
	assert_true(srv_form_value(body, strlen(body), "e", out, sizeof(out)));
	assert_string_equal(out, "");
	assert_false(srv_form_value(body, strlen(body), "bad", out, sizeof(out)));
	assert_false(srv_form_value(body, strlen(body), "nul", out, sizeof(out)));
	assert_false(srv_form_value(body, strlen(body), "tok", out, sizeof(out)));
	assert_false(srv_form_value(body, strlen(body), "token", tiny, sizeof(tiny)));
	assert_false(srv_form_value(body, 5, "token", out, sizeof(out))); /* only "a=1&t" is the body */
	assert_false(srv_form_value(NULL, 0, "a", out, sizeof(out)));
	assert_true(srv_cookie_value("x=1; fl_session=abc;y=2", "fl_session", out, sizeof(out)));
	assert_string_equal(out, "abc");
	assert_true(srv_cookie_value("fl_session=", "fl_session", out, sizeof(out)));
	assert_string_equal(out, "");
	assert_false(srv_cookie_value("xfl_session=abc", "fl_session", out, sizeof(out)));
	assert_false(srv_cookie_value("fl_session=abcdef", "fl_session", tiny, sizeof(tiny)));
	assert_false(srv_cookie_value(NULL, "fl_session", out, sizeof(out)));
	assert_false(srv_session_csrf_ok("00", "00")); /* not a token of this server's shape */
}

struct fixture {
	struct srv_test_store t; /* first: srv_test_teardown frees the fixture */
	char admin[128];
	struct srv_dash_config cfg;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *line = NULL;
	size_t cap = 0;
	FILE *shown = tmpfile();

	srv_test_store_open(&f->t, "dash");
	assert_int_equal(srv_keys_ensure(f->t.s, shown), 1);
	rewind(shown);
	while (getline(&line, &cap, shown) > 0)
		if (strncmp(line, "admin token", 11) == 0)
			sscanf(strstr(line, "fla_"), "%127s", f->admin);
	free(line);
	fclose(shown);
	f->cfg.store = f->t.s;
	f->cfg.data_dir = f->t.dir;
	*state = f;
	return 0;
}

static const char *no_arg(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return NULL;
}

/* A request answered: method, path, Cookie header, form body (NULL: none), Origin (NULL: none). */
static void ask(struct fixture *f, struct srv_dash_answer *out, const char *method, const char *path,
		const char *cookie, const char *body, const char *origin)
{
	struct srv_dash_request rq = {.method = method, .path = path, .query = "", .arg = no_arg, .cookie = cookie,
				      .body = body, .len = body != NULL ? strlen(body) : 0, .origin = origin,
				      .host = "127.0.0.1:8080"};

	srv_dash_handle(out, &f->cfg, &rq);
}

/* Without a session a page leads to the login and back; a wrong token is refused; the right one sets a cookie
 * that opens the pages; a POST needs the session's CSRF token and this site's Origin; logout ends the session
 * and rotate-keys every session. */
static void login_session_csrf_logout(void **state)
{
	struct fixture *f = *state;
	struct srv_dash_answer a;
	char body[400], cookie[120], csrf[80], *at;
	FILE *devnull = fopen("/dev/null", "w");

	ask(f, &a, "GET", "/issues", NULL, NULL, NULL);
	assert_int_equal(a.status, 303);
	assert_string_equal(a.location, "/login?next=%2Fissues");
	free(a.body);
	/* the path (decoded already: it may hold anything) and the query go into next escaped, so nothing of them can
	 * end the header or add an argument; a path too long for it leads to the login alone */
	{
		struct srv_dash_request rq = {.method = "GET", .path = "/devices/a\r\nSet-Cookie: x&y", .query =
					      "after=b%26c", .arg = no_arg, .host = "127.0.0.1:8080"};
		char longer[700];

		srv_dash_handle(&a, &f->cfg, &rq);
		assert_string_equal(a.location, "/login?next=%2Fdevices%2Fa%0D%0ASet-Cookie%3A%20x%26y%3Fafter%3Db%2526c");
		free(a.body);
		memset(longer, 'x', sizeof(longer) - 1);
		longer[0] = '/';
		longer[sizeof(longer) - 1] = '\0';
		rq.path = longer;
		srv_dash_handle(&a, &f->cfg, &rq);
		assert_string_equal(a.location, "/login");
		free(a.body);
	}
	ask(f, &a, "GET", "/assets/dash.css", NULL, NULL, NULL); /* public */
	assert_int_equal(a.status, 200);
	assert_string_equal(a.type, "text/css; charset=utf-8");
	free(a.body);
	ask(f, &a, "POST", "/login", NULL, "token=fla_wrong&next=%2Fissues", NULL);
	assert_int_equal(a.status, 401);
	assert_non_null(strstr(a.body, "That is not the admin token."));
	assert_string_equal(a.cookie, "");
	free(a.body);
	snprintf(body, sizeof(body), "token=%s&next=%%2Fissues", f->admin);
	ask(f, &a, "POST", "/login", NULL, body, "http://evil.example");
	assert_int_equal(a.status, 403);
	free(a.body);
	snprintf(body, sizeof(body), "token=%s&next=//evil.example/", f->admin);
	ask(f, &a, "POST", "/login", NULL, body, "http://127.0.0.1:8080");
	assert_int_equal(a.status, 303);
	assert_string_equal(a.location, "/"); /* not another site */
	assert_non_null(strstr(a.cookie, "; HttpOnly; SameSite=Strict; Max-Age=43200"));
	assert_null(strstr(a.cookie, "Secure"));
	assert_null(strstr(a.cookie, f->admin));
	snprintf(cookie, sizeof(cookie), "%.*s", (int)(strchr(a.cookie, ';') - a.cookie), a.cookie);
	free(a.body);

	ask(f, &a, "GET", "/issues", cookie, NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_true(a.page);
	assert_non_null(at = strstr(a.body, "name=\"csrf\" value=\""));
	snprintf(csrf, sizeof(csrf), "%.64s", at + strlen("name=\"csrf\" value=\""));
	assert_null(strstr(a.body, f->admin));
	free(a.body);
	ask(f, &a, "GET", "/login", cookie, NULL, NULL); /* logged in already */
	assert_int_equal(a.status, 303);
	free(a.body);

	/* a form without the token, with another's, from another site: refused, the session stands */
	ask(f, &a, "POST", "/logout", cookie, "", NULL);
	assert_int_equal(a.status, 403);
	free(a.body);
	ask(f, &a, "POST", "/logout", cookie, "csrf=0000000000000000000000000000000000000000000000000000000000000000",
	    NULL);
	assert_int_equal(a.status, 403);
	free(a.body);
	snprintf(body, sizeof(body), "csrf=%s", csrf);
	ask(f, &a, "POST", "/logout", cookie, body, "https://evil.example");
	assert_int_equal(a.status, 403);
	free(a.body);
	ask(f, &a, "GET", "/issues", cookie, NULL, NULL);
	assert_int_equal(a.status, 200);
	free(a.body);
	ask(f, &a, "POST", "/logout", cookie, body, "http://127.0.0.1:8080");
	assert_int_equal(a.status, 303);
	assert_string_equal(a.location, "/login");
	assert_non_null(strstr(a.cookie, "Max-Age=0"));
	free(a.body);
	ask(f, &a, "GET", "/issues", cookie, NULL, NULL);
	assert_int_equal(a.status, 303);
	free(a.body);

	/* rotate-keys ends every session */
	snprintf(body, sizeof(body), "token=%s", f->admin);
	ask(f, &a, "POST", "/login", NULL, body, NULL);
	assert_int_equal(a.status, 303);
	snprintf(cookie, sizeof(cookie), "%.*s", (int)(strchr(a.cookie, ';') - a.cookie), a.cookie);
	free(a.body);
	assert_int_equal(srv_keys_rotate(f->t.s, devnull), 0);
	ask(f, &a, "GET", "/issues", cookie, NULL, NULL);
	assert_int_equal(a.status, 303);
	free(a.body);
	assert_int_equal(srv_test_sql(f->t.dir, "SELECT COUNT(*) FROM sessions", NULL, 0), 0);
	fclose(devnull);
}

/* Behind the TLS proxy the cookie is Secure; an unknown path is a 404 page. */
static void secure_cookie_and_not_found(void **state)
{
	struct fixture *f = *state;
	struct srv_dash_request rq = {.method = "POST", .path = "/login", .query = "", .arg = no_arg,
				      .forwarded_proto = "https"};
	struct srv_dash_answer a;
	char body[200], cookie[120];

	snprintf(body, sizeof(body), "token=%s", f->admin);
	rq.body = body;
	rq.len = strlen(body);
	srv_dash_handle(&a, &f->cfg, &rq);
	assert_int_equal(a.status, 303);
	assert_non_null(strstr(a.cookie, "; Secure"));
	snprintf(cookie, sizeof(cookie), "%.*s", (int)(strchr(a.cookie, ';') - a.cookie), a.cookie);
	free(a.body);
	ask(f, &a, "GET", "/nothing/here", cookie, NULL, NULL);
	assert_int_equal(a.status, 404);
	free(a.body);
	/* a symbol file's name is a build-id: nothing else reaches the disk */
	static const char *const k_names[] = {"/symbols/../faultline.db", "/symbols/..%2Ffaultline.db", "/symbols/.elf",
					      "/symbols/ABCD.elf", "/symbols/abcd.elf.elf", "/symbols/abcd"};
	for (size_t k = 0; k < sizeof(k_names) / sizeof(k_names[0]); k++) {
		ask(f, &a, "GET", k_names[k], cookie, NULL, NULL);
		assert_int_equal(a.status, 404);
		assert_int_equal(a.fd, -1);
		free(a.body);
	}
	ask(f, &a, "DELETE", "/issues", cookie, NULL, NULL);
	assert_int_equal(a.status, 405);
	free(a.body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_is_escaped),
		cmocka_unit_test(formats),
		cmocka_unit_test(plots_carry_their_values),
		cmocka_unit_test(forms_and_cookies),
		cmocka_unit_test_setup_teardown(login_session_csrf_logout, setup, srv_test_teardown),
		cmocka_unit_test_setup_teardown(secure_cookie_and_not_found, setup, srv_test_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
