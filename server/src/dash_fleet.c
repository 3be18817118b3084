/* SPDX-License-Identifier: Apache-2.0 */
/* The dashboard's fleet pages (docs/DASHBOARD.md): the overview (crash-free hours, adoption and devices online per
 * version over time, releases marked, the versions' health, the top issues), the versions' health table and two
 * versions side by side. From the fleet health API (docs/HEALTH.md defines every number). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "clock.h"
#include "dash.h"
#include "svg.h"

#define PLOTTED 6  /* versions a plot tells apart */
#define DAYS_MAX 90

/* A share or rate of the API ({"value": x, "ci": [lo, hi]} or null) as "99.2 % (98.9–99.4)". */
static void estimate(struct srv_html *h, const json_t *e, const char *unit)
{
	const json_t *ci = json_object_get(e, "ci");

	if (!json_is_object(e) || !json_is_number(json_object_get(e, "value"))) {
		srv_html_raw(h, "<span class=\"hint\">–</span>");
		return;
	}
	srv_html_f(h, "%.2f%s", json_number_value(json_object_get(e, "value")), unit);
	if (json_array_size(ci) == 2)
		srv_html_f(h, " <span class=\"hint\">(%.2f–%.2f)</span>", json_number_value(json_array_get(ci, 0)),
			   json_number_value(json_array_get(ci, 1)));
}

/* The window's days: the request's ?days=N (1..90), else 30. */
static int window_days(const struct srv_dash_page *p)
{
	const char *text = srv_dash_arg(p, "days", NULL);
	char *end;
	long days = text != NULL ? strtol(text, &end, 10) : 30;

	return text != NULL && (*end != '\0' || end == text) ? 30 : days >= 1 && days <= DAYS_MAX ? (int)days : 30;
}

/* The health table of a versions answer's "versions", with links to each version's issues (and its top issues
 * when the answer has them). */
static void health_table(struct srv_html *h, const json_t *versions, bool by_hw)
{
	bool tops = json_is_array(json_object_get(json_array_get(versions, 0), "top_issues"));
	const json_t *v;
	size_t k;

	srv_html_f(h, "<table id=\"versions\"><thead><tr><th>Version</th>%R<th class=\"num\">Devices</th><th class=\"num\">"
		      "Active 24 h</th><th class=\"num\">Adoption</th><th class=\"num\">Device-hours</th><th>Crash-free "
		      "hours</th><th>Crash-free devices</th><th>Unexpected reboots / 1,000 h</th><th class=\"num\">"
		      "Coredumps</th>%R</tr></thead><tbody>", by_hw ? "<th>Hardware</th>" : "", tops ? "<th>Top issues</th>" : "");
	json_array_foreach(versions, k, v) {
		const json_t *i;
		size_t m;

		srv_html_f(h, "<tr data-version=\"%s\"><td><a href=\"/issues?state=any&amp;version=%U\">%s</a></td>",
			   srv_dash_text(v, "sw_version"), srv_dash_text(v, "sw_version"), srv_dash_text(v, "sw_version"));
		if (by_hw)
			srv_html_f(h, "<td>%s</td>", srv_dash_text(v, "hw_version"));
		srv_html_f(h, "<td class=\"num devices\">%lld</td><td class=\"num\">%lld</td><td class=\"num\">", srv_dash_int(v, "devices"),
			   srv_dash_int(v, "active_24h"));
		if (json_is_number(json_object_get(v, "adoption_pct")))
			srv_html_f(h, "%.1f %%", json_number_value(json_object_get(v, "adoption_pct")));
		srv_html_f(h, "</td><td class=\"num\">%.0f</td><td class=\"cfh\">",
			   json_number_value(json_object_get(v, "device_hours")));
		estimate(h, json_object_get(v, "crash_free_hours"), " %");
		srv_html_raw(h, "</td><td>");
		estimate(h, json_object_get(v, "crash_free_devices"), " %");
		srv_html_raw(h, "</td><td>");
		estimate(h, json_object_get(v, "unexpected_reboot_rate"), "");
		srv_html_f(h, "</td><td class=\"num\">%lld</td>%R", srv_dash_int(v, "coredumps"), tops ? "<td>" : "");
		json_array_foreach(json_object_get(v, "top_issues"), m, i) {
			srv_html_f(h, "%s<a href=\"/issues/%lld\">#%lld</a> ", m ? "· " : "", srv_dash_int(i, "id"), srv_dash_int(i, "id"));
			srv_html_text_cut(h, srv_dash_text(i, "title"), 48);
			srv_html_f(h, " (%lld)", srv_dash_int(i, "devices"));
		}
		srv_html_raw(h, tops ? "</td></tr>" : "</tr>");
	}
	srv_html_raw(h, "</tbody></table>");
}

/* One version's days in the window, from its hours: exposure (device-hours) and crashed hours per day. */
struct days {
	char name[80];
	double x[DAYS_MAX], device_hours[DAYS_MAX], crashed[DAYS_MAX];
	double devices[DAYS_MAX], crashed_devices[DAYS_MAX]; /* the version's days (docs/HEALTH.md) */
	size_t n;
};

static int version_days(struct srv_dash_page *p, const char *version, int days, int64_t first_day, struct days *out)
{
	char path[160], text[8];
	const char *args[] = {"days", text, "series", "1", NULL};
	unsigned status;
	json_t *j, *hr;
	size_t k;

	snprintf(text, sizeof(text), "%d", days);
	snprintf(path, sizeof(path), "versions/%s", version);
	snprintf(out->name, sizeof(out->name), "%s", version);
	out->n = (size_t)days;
	for (int d = 0; d < days; d++) {
		out->x[d] = (double)((first_day + d) * 86400 + 43200); /* (midday: a day's point between its midnights) */
		out->device_hours[d] = out->crashed[d] = out->devices[d] = out->crashed_devices[d] = 0;
	}
	if ((j = srv_dash_api(p, path, args, &status)) == NULL)
		return -1;
	json_array_foreach(json_object_get(j, "hours"), k, hr) {
		int64_t d = srv_dash_int(hr, "hour") / 86400 - first_day;

		if (d >= 0 && d < days) {
			out->device_hours[d] += json_number_value(json_object_get(hr, "device_hours"));
			out->crashed[d] += (double)srv_dash_int(hr, "crashed_hours");
		}
	}
	json_array_foreach(json_object_get(j, "days"), k, hr) {
		int64_t d = srv_dash_int(hr, "day") / 86400 - first_day;

		if (d >= 0 && d < days) {
			out->devices[d] = (double)srv_dash_int(hr, "devices");
			out->crashed_devices[d] = (double)srv_dash_int(hr, "crashed_devices");
		}
	}
	json_decref(j);
	return 0;
}

/* The overview's plots over the window: crash-free hours, crash-free devices (of the devices a day saw, those
 * without an unexpected reboot that day), adoption (each version's share of the day's device-hours) and devices
 * online (device-hours / 24), the PLOTTED versions with the most current devices. */
static void fleet_plots(struct srv_dash_page *p, const json_t *versions, int days)
{
	int64_t first_day = srv_now() / 86400 - days + 1;
	struct days *d = srv_calloc(PLOTTED, sizeof(*d));
	struct srv_plot_series s[4][PLOTTED];
	struct srv_plot_marker markers[PLOTTED];
	double cf[PLOTTED][DAYS_MAX], share[PLOTTED][DAYS_MAX], online[PLOTTED][DAYS_MAX], x[PLOTTED][DAYS_MAX];
	double cfd[PLOTTED][DAYS_MAX], xd[PLOTTED][DAYS_MAX];
	double total[DAYS_MAX] = {0};
	size_t nv = 0, order[PLOTTED], nm = 0;

	/* the versions with the most current devices, in version order */
	for (size_t k = 0; k < json_array_size(versions) && nv < PLOTTED; k++)
		order[nv++] = k;
	for (size_t k = nv; k < json_array_size(versions); k++) {
		size_t least = 0;

		for (size_t m = 1; m < nv; m++)
			if (srv_dash_int(json_array_get(versions, order[m]), "current_devices") <
			    srv_dash_int(json_array_get(versions, order[least]), "current_devices"))
				least = m;
		if (srv_dash_int(json_array_get(versions, k), "current_devices") >
		    srv_dash_int(json_array_get(versions, order[least]), "current_devices")) {
			memmove(order + least, order + least + 1, (nv - least - 1) * sizeof(*order));
			order[nv - 1] = k;
		}
	}
	for (size_t k = 1; k < nv; k++) /* back into version order */
		for (size_t m = k; m > 0 && order[m - 1] > order[m]; m--) {
			size_t t = order[m];

			order[m] = order[m - 1];
			order[m - 1] = t;
		}
	for (size_t k = 0; k < nv; k++) {
		const json_t *v = json_array_get(versions, order[k]);

		if (version_days(p, srv_dash_text(v, "sw_version"), days, first_day, &d[k]) != 0) {
			free(d);
			return;
		}
		if (json_is_integer(json_object_get(v, "first_seen")) && nm < PLOTTED)
			markers[nm++] = (struct srv_plot_marker){(double)srv_dash_int(v, "first_seen"), srv_dash_text(v, "sw_version")};
		for (int i = 0; i < days; i++)
			total[i] += d[k].device_hours[i];
	}
	for (size_t k = 0; k < nv; k++) {
		size_t n = 0, nd = 0;

		for (int i = 0; i < days; i++) {
			if (d[k].devices[i] > 0) { /* a day with devices: its share that did not crash */
				xd[k][nd] = d[k].x[i];
				cfd[k][nd++] = 100.0 * (d[k].devices[i] - d[k].crashed_devices[i]) / d[k].devices[i];
			}
			if (d[k].device_hours[i] <= 0)
				continue; /* no exposure that day: no point */
			x[k][n] = d[k].x[i];
			cf[k][n] = 100.0 * fmax(0, d[k].device_hours[i] - d[k].crashed[i]) / d[k].device_hours[i];
			share[k][n] = total[i] > 0 ? 100.0 * d[k].device_hours[i] / total[i] : 0;
			online[k][n] = d[k].device_hours[i] / 24.0;
			n++;
		}
		s[0][k] = (struct srv_plot_series){d[k].name, x[k], cf[k], n};
		s[1][k] = (struct srv_plot_series){d[k].name, x[k], share[k], n};
		s[2][k] = (struct srv_plot_series){d[k].name, x[k], online[k], n};
		s[3][k] = (struct srv_plot_series){d[k].name, xd[k], cfd[k], nd};
	}
	srv_html_raw(&p->html, "<h2>Crash-free hours per version</h2>");
	srv_svg_plot(&p->html, &(struct srv_plot){"crash-free-hours", "Crash-free device-hours per day, %", " %", true, 0, 100,
						 markers, nm}, s[0], nv);
	srv_html_raw(&p->html, "<h2>Crash-free devices per version</h2>");
	srv_svg_plot(&p->html, &(struct srv_plot){"crash-free-devices", "Devices without an unexpected reboot that day, %",
						 " %", true, 0, 100, markers, nm}, s[3], nv);
	srv_html_raw(&p->html, "<h2>Adoption</h2>");
	srv_svg_plot(&p->html, &(struct srv_plot){"adoption", "Share of the day's device-hours, %", " %", true, 0, 100,
						 markers, nm}, s[1], nv);
	srv_html_raw(&p->html, "<h2>Devices online</h2>");
	srv_svg_plot(&p->html, &(struct srv_plot){"online", "Devices online per day (device-hours ÷ 24)", "", true, 0, 0,
						 markers, nm}, s[2], nv);
	free(d);
}

void srv_dash_overview(struct srv_dash_page *p)
{
	int days = window_days(p);
	char text[8];
	const char *args[] = {"days", text, "issues", "0", NULL}; /* (the top issues are the page's own list) */
	const char *top[] = {"state", "open", "sort", "devices", "limit", "5", NULL};
	json_t *j, *issues, *i;
	size_t k;

	snprintf(text, sizeof(text), "%d", days);
	if ((j = srv_dash_api_page(p, "versions", args)) == NULL)
		return;
	if ((issues = srv_dash_api_page(p, "issues", top)) == NULL) {
		json_decref(j);
		return;
	}
	srv_dash_begin(p, "Overview", "/");
	srv_html_f(&p->html, "<p class=\"hint\">The last %d days (UTC) of the fleet's heartbeats, crashes and reboots "
			     "(<a href=\"/?days=7\">7</a> · <a href=\"/?days=30\">30</a> · <a href=\"/?days=90\">90</a> "
			     "days). Dashed lines: a version's first hour in the fleet.</p>", days);
	if (json_array_size(json_object_get(j, "versions")) == 0)
		srv_html_raw(&p->html, "<p class=\"empty\" id=\"no-versions\">No device has sent a heartbeat in this "
				       "window: fleet health comes from the SDK's heartbeats (docs/HEALTH.md).</p>");
	else
		fleet_plots(p, json_object_get(j, "versions"), days);
	srv_html_raw(&p->html, "<h2>Versions</h2>");
	health_table(&p->html, json_object_get(j, "versions"), false);
	srv_html_raw(&p->html, "<h2>Open issues affecting the most devices</h2><table id=\"top-issues\"><thead><tr><th "
			       "class=\"num\">ID</th><th>Issue</th><th class=\"num\">Devices</th><th class=\"num\">"
			       "Occurrences</th></tr></thead><tbody>");
	json_array_foreach(json_object_get(issues, "issues"), k, i) {
		srv_html_f(&p->html, "<tr><td class=\"num\">%lld</td><td><a href=\"/issues/%lld\">", srv_dash_int(i, "id"),
			   srv_dash_int(i, "id"));
		srv_html_text_cut(&p->html, srv_dash_text(i, "title"), 160);
		srv_html_f(&p->html, "</a></td><td class=\"num\">%lld</td><td class=\"num\">%lld</td></tr>",
			   srv_dash_int(i, "devices"), srv_dash_int(i, "count"));
	}
	srv_html_raw(&p->html, "</tbody></table>");
	json_decref(issues);
	json_decref(j);
	srv_dash_end(p, 0);
}

/* A select of the window's versions, named name, the current one selected. */
static void version_select(struct srv_html *h, const json_t *versions, const char *name, const char *current)
{
	const json_t *v;
	size_t k;

	srv_html_f(h, "<select name=\"%s\" id=\"%s\">", name, name);
	json_array_foreach(versions, k, v)
		srv_dash_option(h, srv_dash_text(v, "sw_version"), srv_dash_text(v, "sw_version"), current);
	srv_html_raw(h, "</select>");
}

void srv_dash_versions(struct srv_dash_page *p)
{
	int days = window_days(p);
	const char *by = srv_dash_arg(p, "by", NULL);
	bool by_hw = by != NULL && strcmp(by, "hw") == 0;
	char text[8];
	const char *args[] = {"days", text, by_hw ? "by" : NULL, "hw", NULL};
	json_t *j, *all, *v;
	size_t n, k;

	snprintf(text, sizeof(text), "%d", days);
	if ((j = srv_dash_api_page(p, "versions", args)) == NULL)
		return;
	all = json_pack("{s:[]}", "versions"); /* each version once, for the comparison's choices */
	json_array_foreach(json_object_get(j, "versions"), k, v)
		if (k == 0 || strcmp(srv_dash_text(v, "sw_version"),
				     srv_dash_text(json_array_get(json_object_get(j, "versions"), k - 1), "sw_version")) != 0)
			json_array_append(json_object_get(all, "versions"), v);
	srv_dash_begin(p, "Versions", "/versions");
	srv_html_f(&p->html, "<p class=\"hint\">Fleet health over the last %d days (<a href=\"/versions?days=7\">7</a> · "
			     "<a href=\"/versions?days=30\">30</a> · <a href=\"/versions?days=90\">90</a>; %R). Rates "
			     "with their 95%% intervals; docs/HEALTH.md defines each.</p>",
		   days, by_hw ? "<a href=\"/versions\">all hardware together</a>"
			       : "<a href=\"/versions?by=hw\">by hardware version</a>");
	health_table(&p->html, json_object_get(j, "versions"), by_hw);
	n = json_array_size(json_object_get(all, "versions"));
	if (n >= 2) {
		srv_html_f(&p->html, "<h2>Two versions side by side</h2><form class=\"filters\" method=\"get\" action="
				     "\"/versions/compare\"><input type=\"hidden\" name=\"days\" value=\"%d\"><label>A, the "
				     "baseline", days);
		version_select(&p->html, json_object_get(all, "versions"), "a",
			       srv_dash_text(json_array_get(json_object_get(all, "versions"), n - 2), "sw_version"));
		srv_html_raw(&p->html, "</label><label>B, against A");
		version_select(&p->html, json_object_get(all, "versions"), "b",
			       srv_dash_text(json_array_get(json_object_get(all, "versions"), n - 1), "sw_version"));
		srv_html_raw(&p->html, "</label><button type=\"submit\" id=\"compare\">Compare</button></form>");
	}
	json_decref(all);
	json_decref(j);
	srv_dash_end(p, 0);
}

void srv_dash_compare(struct srv_dash_page *p)
{
	const char *a = srv_dash_arg(p, "a", NULL), *b = srv_dash_arg(p, "b", NULL);
	int days = window_days(p);
	char text[8], title[200];
	const char *args[] = {"a", a != NULL ? a : "", "b", b != NULL ? b : "", "days", text, NULL};
	json_t *j, *r, *va, *vb;
	size_t k;

	snprintf(text, sizeof(text), "%d", days);
	if ((j = srv_dash_api_page(p, "compare", args)) == NULL)
		return;
	va = json_object_get(j, "a");
	vb = json_object_get(j, "b");
	snprintf(title, sizeof(title), "%.80s against %.80s", srv_dash_text(vb, "sw_version"), srv_dash_text(va, "sw_version"));
	srv_dash_begin(p, title, "/versions");
	srv_html_raw(&p->html, "<table id=\"compare\"><thead><tr><th>Rate per 1,000 device-hours</th><th>A: ");
	srv_html_text(&p->html, srv_dash_text(va, "sw_version"));
	srv_html_raw(&p->html, "</th><th>B: ");
	srv_html_text(&p->html, srv_dash_text(vb, "sw_version"));
	srv_html_raw(&p->html, "</th><th>B ÷ A</th><th>Verdict</th></tr></thead><tbody>");
	json_array_foreach(json_object_get(j, "rates"), k, r) {
		srv_html_f(&p->html, "<tr data-rate=\"%s\"><td>%s</td><td>", srv_dash_text(r, "rate"), srv_dash_text(r, "rate"));
		estimate(&p->html, json_object_get(r, "a"), "");
		srv_html_raw(&p->html, "</td><td>");
		estimate(&p->html, json_object_get(r, "b"), "");
		srv_html_raw(&p->html, "</td><td>");
		if (json_is_number(json_object_get(r, "ratio")))
			srv_html_f(&p->html, "%.2f", json_number_value(json_object_get(r, "ratio")));
		srv_html_f(&p->html, "</td><td class=\"verdict\">%s", srv_dash_text(r, "verdict"));
		if (json_is_string(json_object_get(r, "not_enough")))
			srv_html_f(&p->html, " <span class=\"hint\">(%s)</span>", srv_dash_text(r, "not_enough"));
		srv_html_raw(&p->html, "</td></tr>");
	}
	srv_html_raw(&p->html, "</tbody></table><h2>Each version</h2>");
	{
		json_t *both = json_array();

		json_array_append(both, va);
		json_array_append(both, vb);
		health_table(&p->html, both, false);
		json_decref(both);
	}
	srv_html_f(&p->html, "<p class=\"hint\" id=\"test\">The verdict: an %s, at a false-alarm rate of %.0f%% a "
			     "rate.</p>", srv_dash_text(json_object_get(j, "test"), "name"),
		   100.0 * json_number_value(json_object_get(json_object_get(j, "test"), "false_alarm")));
	json_decref(j);
	srv_dash_end(p, 0);
}
