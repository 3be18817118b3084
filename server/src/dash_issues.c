/* SPDX-License-Identifier: Apache-2.0 */
/* The dashboard's pages of issues and traces (docs/DASHBOARD.md): the list with its filters, sorts and
 * sparklines; an issue with its counts, its occurrences over time, its workflow, its traces and devices; a trace
 * with its backtrace, variables, registers, fault status bits, memory and threads; its ELF core. Each reads the
 * read API's JSON (srv_dash_api), so a page shows what the API says. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "api.h"
#include "clock.h"
#include "dash.h"
#include "fa/core.h"
#include "session.h"
#include "svg.h"

#define SPARK_DAYS 14 /* the list's sparklines */
#define PLOT_DAYS 90  /* an issue's occurrences over time */

static void state_badge(struct srv_html *h, const char *state)
{
	srv_html_f(h, "<span class=\"state %s\">%s</span>", state, state);
}

/* A select of a filter: its name, label, the options (value, text pairs, NULL-ended) and the current value. */
static void select_of(struct srv_html *h, const char *name, const char *label, const char *const *options,
		      const char *current)
{
	srv_html_f(h, "<label>%s<select name=\"%s\">", label, name);
	for (const char *const *o = options; o[0] != NULL; o += 2)
		srv_dash_option(h, o[0], o[1], current);
	srv_html_raw(h, "</select></label>");
}

/* The link to the issue list with the current filters and another offset. */
static void list_link(struct srv_html *h, const char *state, const char *version, const char *hw, const char *sort,
		      long long offset, const char *text)
{
	srv_html_f(h, "<a href=\"/issues?state=%U&amp;version=%U&amp;hw=%U&amp;sort=%U&amp;offset=%lld\">%s</a>", state,
		   version, hw, sort, offset, text);
}

void srv_dash_issues(struct srv_dash_page *p)
{
	static const char *const k_states[] = {"open", "open", "resolved", "resolved", "muted", "muted", "any", "any",
					       NULL};
	static const char *const k_sorts[] = {"last_seen", "last seen", "devices", "devices", "count", "occurrences",
					      "id", "oldest", NULL};
	const char *state = srv_dash_arg(p, "state", "open"), *sort = srv_dash_arg(p, "sort", "last_seen");
	const char *version = srv_dash_arg(p, "version", ""), *hw = srv_dash_arg(p, "hw", NULL);
	const char *offset = srv_dash_arg(p, "offset", "0");
	char limit[8], days[8], when[32];
	const char *args[20] = {"state", state, "sort", sort, "offset", offset, "limit", limit, "days", days};
	size_t n = 10, k;
	json_t *j, *i;

	snprintf(limit, sizeof(limit), "%d", SRV_DASH_PAGE);
	snprintf(days, sizeof(days), "%d", SPARK_DAYS);
	if (version[0] != '\0') {
		args[n++] = "version";
		args[n++] = version;
	}
	if (hw != NULL && hw[0] != '\0') {
		args[n++] = "hw";
		args[n++] = hw;
	}
	if ((j = srv_dash_api_page(p, "issues", args)) == NULL)
		return;
	srv_dash_begin(p, "Issues", "/issues");
	srv_html_raw(&p->html, "<form class=\"filters\" method=\"get\" action=\"/issues\">");
	select_of(&p->html, "state", "State", k_states, state);
	srv_html_f(&p->html, "<label>Software version<input type=\"text\" name=\"version\" value=\"%s\" "
			     "placeholder=\"any\"></label><label>Hardware version<input type=\"text\" name=\"hw\" "
			     "value=\"%s\" placeholder=\"any\"></label>", version, hw != NULL ? hw : "");
	select_of(&p->html, "sort", "Sort by", k_sorts, sort);
	srv_html_raw(&p->html, "<button type=\"submit\">Show</button></form>");
	srv_html_f(&p->html, "<p id=\"total\" data-total=\"%lld\">%lld issue(s)</p>", srv_dash_int(j, "total"),
		   srv_dash_int(j, "total"));
	srv_html_f(&p->html, "<table id=\"issues\"><thead><tr><th class=\"num\">ID</th><th>Issue</th><th>State</th>"
			     "<th class=\"num\">Devices</th><th class=\"num\">Occurrences</th><th>Versions</th>"
			     "<th>Last seen (UTC)</th><th>Last %d days</th></tr></thead><tbody>", SPARK_DAYS);
	json_array_foreach(json_object_get(j, "issues"), k, i) {
		json_t *versions = json_object_get(i, "versions"), *d;
		int64_t daily[SPARK_DAYS] = {0};
		size_t nv = json_array_size(versions), m;

		srv_html_f(&p->html, "<tr data-id=\"%lld\"><td class=\"num\">%lld</td><td><a href=\"/issues/%lld\">",
			   srv_dash_int(i, "id"), srv_dash_int(i, "id"), srv_dash_int(i, "id"));
		srv_html_text_cut(&p->html, srv_dash_text(i, "title"), 160);
		srv_html_raw(&p->html, "</a></td><td>");
		state_badge(&p->html, srv_dash_text(i, "state"));
		srv_html_f(&p->html, "</td><td class=\"num devices\">%lld</td><td class=\"num count\">%lld</td><td>",
			   srv_dash_int(i, "devices"), srv_dash_int(i, "count"));
		if (nv > 0)
			srv_html_text_cut(&p->html, json_string_value(json_array_get(versions, 0)), 40);
		if (nv > 1) {
			srv_html_raw(&p->html, " … ");
			srv_html_text_cut(&p->html, json_string_value(json_array_get(versions, nv - 1)), 40);
		}
		srv_html_f(&p->html, "</td><td>%s</td><td>", srv_dash_when(srv_dash_int(i, "last_seen"), when, sizeof(when)));
		json_array_foreach(json_object_get(i, "daily"), m, d)
			if (m < SPARK_DAYS)
				daily[m] = json_integer_value(d);
		srv_svg_sparkline(&p->html, daily, SPARK_DAYS);
		srv_html_raw(&p->html, "</td></tr>");
	}
	srv_html_raw(&p->html, "</tbody></table><div class=\"pages\">");
	if (srv_dash_int(j, "offset") > 0)
		list_link(&p->html, state, version, hw != NULL ? hw : "", sort,
			  srv_dash_int(j, "offset") > SRV_DASH_PAGE ? srv_dash_int(j, "offset") - SRV_DASH_PAGE : 0, "← previous page");
	if (json_is_integer(json_object_get(j, "next_offset")))
		list_link(&p->html, state, version, hw != NULL ? hw : "", sort, srv_dash_int(j, "next_offset"), "next page →");
	srv_html_raw(&p->html, "</div>");
	json_decref(j);
	srv_dash_end(p, 0);
}

/* An issue's occurrences per day over its last PLOT_DAYS days, as a plot (the days the API gives, 0 for none). */
static void occurrences_plot(struct srv_dash_page *p, const json_t *issue)
{
	const json_t *daily = json_object_get(issue, "daily");
	size_t n = json_array_size(daily), first = n;
	int64_t today = srv_now() / 86400;
	double *x = srv_calloc(n + 1, sizeof(*x)), *y = srv_calloc(n + 1, sizeof(*y));
	struct srv_plot plot = {.id = "occurrences", .title = "Occurrences per day (UTC)", .y_unit = "", .x_time = true};
	struct srv_plot_series s = {.name = "occurrences", .x = x, .y = y};
	struct srv_plot_marker markers[8];
	const char *args[] = {"days", "90", "issues", "0", NULL};
	unsigned status;
	json_t *health = srv_dash_api(p, "versions", args, &status), *v;
	size_t vi;

	/* releases: the first hour in the fleet of each of the issue's versions */
	json_array_foreach(json_object_get(health, "versions"), vi, v) {
		const json_t *mine;
		size_t m;

		json_array_foreach(json_object_get(issue, "versions"), m, mine)
			if (plot.nmarkers < 8 && json_is_integer(json_object_get(v, "first_seen")) &&
			    strcmp(json_string_value(mine), srv_dash_text(v, "sw_version")) == 0)
				markers[plot.nmarkers++] = (struct srv_plot_marker){(double)srv_dash_int(v, "first_seen"),
										    srv_dash_text(v, "sw_version")};
	}
	plot.markers = markers;

	/* from its first day with any (within the window) to today */
	for (size_t k = 0; k < n && first == n; k++)
		if (json_integer_value(json_array_get(daily, k)) > 0)
			first = k;
	for (size_t k = first; k < n; k++) {
		x[s.n] = (double)((today - (int64_t)(n - 1 - k)) * 86400 + 43200); /* (midday) */
		y[s.n++] = (double)json_integer_value(json_array_get(daily, k));
	}
	srv_svg_plot(&p->html, &plot, &s, 1);
	json_decref(health);
	free(x);
	free(y);
}

/* The workflow's forms: resolve in a version, mute, reopen (those that change something). */
static void workflow(struct srv_dash_page *p, const json_t *issue)
{
	const char *state = srv_dash_text(issue, "state");
	long long id = srv_dash_int(issue, "id");

	srv_html_raw(&p->html, "<div class=\"card workflow\">");
	if (strcmp(state, "resolved") != 0)
		srv_html_f(&p->html, "<form class=\"inline\" method=\"post\" action=\"/issues/%lld/resolve\"><input "
				     "type=\"hidden\" name=\"csrf\" value=\"%s\"><label for=\"in\">Resolved in</label><input "
				     "id=\"in\" type=\"text\" name=\"in\" required maxlength=\"64\" placeholder=\"1.4.3\">"
				     "<button type=\"submit\" id=\"resolve\">Resolve</button></form>", id, p->csrf);
	if (strcmp(state, "muted") != 0)
		srv_html_f(&p->html, "<form class=\"inline\" method=\"post\" action=\"/issues/%lld/mute\"><input "
				     "type=\"hidden\" name=\"csrf\" value=\"%s\"><button class=\"plain\" type=\"submit\" "
				     "id=\"mute\">Mute</button></form>", id, p->csrf);
	if (strcmp(state, "open") != 0)
		srv_html_f(&p->html, "<form class=\"inline\" method=\"post\" action=\"/issues/%lld/reopen\"><input "
				     "type=\"hidden\" name=\"csrf\" value=\"%s\"><button class=\"plain\" type=\"submit\" "
				     "id=\"reopen\">Reopen</button></form>", id, p->csrf);
	srv_html_raw(&p->html, "</div>");
}

/* The table of a page of an issue's traces (the latest first, pages by ?traces_before=ID: no row is skipped to get
 * there) or devices (?devices=OFFSET). */
static void issue_part(struct srv_dash_page *p, long long id, const char *part, const char *offset_arg)
{
	char path[64], limit[8], when[32];
	bool traces = strcmp(part, "traces") == 0;
	const char *before = srv_dash_arg(p, "traces_before", NULL);
	const char *args[] = {"limit", limit, traces ? "before" : "offset", srv_dash_arg(p, offset_arg, "0"), NULL};
	unsigned status;
	json_t *j, *e;
	size_t k;

	snprintf(path, sizeof(path), "issues/%lld/%s", id, part);
	snprintf(limit, sizeof(limit), "%d", SRV_DASH_PAGE);
	j = srv_dash_api(p, path, args, &status);
	if (j == NULL || status != 200) {
		srv_html_f(&p->html, "<p class=\"error\">The %s could not be read.</p>", part);
		json_decref(j);
		return;
	}
	srv_html_f(&p->html, "<h2>%s (%lld)</h2><table id=\"%s\"><thead><tr>", traces ? "Traces" : "Devices affected",
		   srv_dash_int(j, "total"), part);
	srv_html_raw(&p->html, traces ? "<th class=\"num\">Trace</th><th>Received (UTC)</th><th>Device</th>"
					"<th>Software</th><th>Hardware</th>"
				      : "<th>Device</th><th class=\"num\">Occurrences</th>");
	srv_html_raw(&p->html, "</tr></thead><tbody>");
	json_array_foreach(json_object_get(j, part), k, e) {
		if (traces)
			srv_html_f(&p->html, "<tr><td class=\"num\"><a href=\"/traces/%lld\">%lld</a></td><td>%s</td><td>"
					     "<a href=\"/devices/%U\">%s</a></td><td>%s</td><td>%s</td></tr>",
				   srv_dash_int(e, "id"), srv_dash_int(e, "id"), srv_dash_when(srv_dash_int(e, "received"), when, sizeof(when)),
				   srv_dash_text(e, "device"), srv_dash_text(e, "device"), srv_dash_text(e, "sw_version"),
				   srv_dash_text(e, "hw_version"));
		else
			srv_html_f(&p->html, "<tr><td><a href=\"/devices/%U\">%s</a></td><td class=\"num\">%lld</td></tr>",
				   srv_dash_text(e, "serial"), srv_dash_text(e, "serial"), srv_dash_int(e, "messages"));
	}
	srv_html_raw(&p->html, "</tbody></table><div class=\"pages\">");
	if (traces && before != NULL)
		srv_html_f(&p->html, "<a href=\"/issues/%lld\">← the newest traces</a>", id);
	if (traces && json_is_integer(json_object_get(j, "next_before")))
		srv_html_f(&p->html, "<a id=\"older-traces\" href=\"/issues/%lld?traces_before=%lld\">older traces →</a>", id,
			   srv_dash_int(j, "next_before"));
	if (!traces && srv_dash_int(j, "offset") > 0)
		srv_html_f(&p->html, "<a href=\"/issues/%lld?%s=%lld\">← previous</a>", id, offset_arg,
			   srv_dash_int(j, "offset") > SRV_DASH_PAGE ? srv_dash_int(j, "offset") - SRV_DASH_PAGE : 0);
	if (!traces && srv_dash_int(j, "offset") + SRV_DASH_PAGE < srv_dash_int(j, "total"))
		srv_html_f(&p->html, "<a href=\"/issues/%lld?%s=%lld\">next %s →</a>", id, offset_arg,
			   srv_dash_int(j, "offset") + SRV_DASH_PAGE, part);
	srv_html_raw(&p->html, "</div>");
	json_decref(j);
}

void srv_dash_issue(struct srv_dash_page *p, int64_t id)
{
	const char *args[] = {"days", "90", NULL};
	char path[48], first[32], last[32], at[32];
	json_t *j, *trace, *report, *v;
	size_t k;

	snprintf(path, sizeof(path), "issues/%lld", (long long)id);
	if ((j = srv_dash_api_page(p, path, args)) == NULL)
		return;
	trace = json_object_get(j, "trace");
	report = json_object_get(trace, "report");
	srv_dash_begin(p, srv_dash_text(j, "title"), "/issues");
	if (json_is_integer(json_object_get(j, "redirected_from")))
		srv_html_f(&p->html, "<p class=\"hint\">Issue %lld was merged into this one (its fingerprint changed).</p>",
			   srv_dash_int(j, "redirected_from"));
	srv_html_f(&p->html, "<p class=\"fault\" id=\"fault\">%s</p><div class=\"card\"><dl class=\"facts\">"
			     "<dt>Issue</dt><dd id=\"issue-id\">%lld</dd><dt>State</dt><dd id=\"state\">",
		   srv_dash_text(json_object_get(report, "fault"), "text"), srv_dash_int(j, "id"));
	state_badge(&p->html, srv_dash_text(j, "state"));
	if (json_is_string(json_object_get(j, "resolved_in")))
		srv_html_f(&p->html, " in <span id=\"resolved-in\">%s</span>", srv_dash_text(j, "resolved_in"));
	if (srv_dash_int(j, "state_at") > 0)
		srv_html_f(&p->html, " since %s", srv_dash_when(srv_dash_int(j, "state_at"), at, sizeof(at)));
	if (json_is_string(json_object_get(j, "state_why")))
		srv_html_f(&p->html, ": %R<span id=\"state-why\">%s</span>",
			   strcmp(srv_dash_text(j, "state"), "open") == 0 ? "reopened, " : "", srv_dash_text(j, "state_why"));
	srv_html_f(&p->html, "</dd><dt>Occurrences</dt><dd id=\"count\">%lld</dd><dt>Devices</dt><dd id=\"devices\">%lld"
			     "</dd><dt>First seen</dt><dd>%s UTC</dd><dt>Last seen</dt><dd>%s UTC</dd><dt>Versions</dt>"
			     "<dd id=\"versions\">",
		   srv_dash_int(j, "count"), srv_dash_int(j, "devices"), srv_dash_when(srv_dash_int(j, "first_seen"), first, sizeof(first)),
		   srv_dash_when(srv_dash_int(j, "last_seen"), last, sizeof(last)));
	json_array_foreach(json_object_get(j, "versions"), k, v)
		srv_html_f(&p->html, "%s<a href=\"/issues?state=any&amp;version=%U\">%s</a>", k ? ", " : "",
			   json_string_value(v), json_string_value(v));
	srv_html_f(&p->html, "</dd><dt>Fingerprint</dt><dd><code>%s</code></dd></dl></div>", srv_dash_text(j, "fingerprint"));
	workflow(p, j);
	srv_html_raw(&p->html, "<h2>Occurrences over time</h2>");
	occurrences_plot(p, j);
	if (json_is_object(trace))
		srv_html_f(&p->html, "<h2>Latest trace</h2><p><a id=\"latest\" href=\"/traces/%lld\">Trace %lld</a>, from "
				     "<a href=\"/devices/%U\">%s</a> on %s, received %s UTC</p>",
			   srv_dash_int(trace, "id"), srv_dash_int(trace, "id"), srv_dash_text(trace, "device"), srv_dash_text(trace, "device"),
			   srv_dash_text(json_object_get(report, "firmware"), "sw_version"),
			   srv_dash_when(srv_dash_int(trace, "received"), at, sizeof(at)));
	issue_part(p, srv_dash_int(j, "id"), "traces", "traces_before");
	issue_part(p, srv_dash_int(j, "id"), "devices", "devices");
	json_decref(j);
	srv_dash_end(p, 0);
}

void srv_dash_issue_action(struct srv_dash_page *p, int64_t id, const char *action)
{
	char version[80] = "", where[48];
	struct srv_answer a;

	if (strcmp(action, "resolve") == 0 && !srv_form_value(p->rq->body, p->rq->len, "in", version, sizeof(version)))
		version[0] = '\0';
	srv_api_issue_change(&a, p->cfg->store, id, action, version);
	if (a.status != 200) {
		srv_dash_answer_error(p, &a);
		return;
	}
	free(a.body);
	snprintf(where, sizeof(where), "/issues/%lld", (long long)id);
	srv_dash_redirect(p->out, where);
}
