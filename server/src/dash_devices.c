/* SPDX-License-Identifier: Apache-2.0 */
/* The dashboard's device pages (docs/DASHBOARD.md): the devices, in pages by serial; a device's timeline of boots
 * (with the reason each one before ended), crashes and heartbeats, its events as a table, and its metrics over
 * its heartbeats as plots. From GET devices, devices/{serial} and devices/{serial}/heartbeats. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "dash.h"
#include "ff/device.h"
#include "ff/reason.h"
#include "svg.h"

#define METRIC_PLOTS 16 /* at most this many metrics plotted */

void srv_dash_devices(struct srv_dash_page *p)
{
	const char *after = srv_dash_arg(p, "after", NULL);
	char first[32], last[32], limit[8];
	const char *args[] = {"limit", limit, after != NULL ? "after" : NULL, after, NULL};
	json_t *j, *d;
	size_t k;

	snprintf(limit, sizeof(limit), "%d", SRV_DASH_PAGE);
	if ((j = srv_dash_api_page(p, "devices", args)) == NULL)
		return;
	srv_dash_begin(p, "Devices", "/devices");
	srv_html_raw(&p->html, "<table id=\"device-list\"><thead><tr><th>Serial</th><th class=\"num\">Messages</th><th>"
			       "First seen (UTC)</th><th>Last seen (UTC)</th></tr></thead><tbody>");
	json_array_foreach(json_object_get(j, "devices"), k, d)
		srv_html_f(&p->html, "<tr><td><a href=\"/devices/%U\">%s</a></td><td class=\"num\">%lld</td><td>%s</td>"
				     "<td>%s</td></tr>", srv_dash_text(d, "serial"), srv_dash_text(d, "serial"), srv_dash_int(d, "messages"),
			   srv_dash_when(srv_dash_int(d, "first_seen"), first, sizeof(first)),
			   srv_dash_when(srv_dash_int(d, "last_seen"), last, sizeof(last)));
	srv_html_raw(&p->html, "</tbody></table><div class=\"pages\">");
	if (after != NULL)
		srv_html_raw(&p->html, "<a href=\"/devices\">← first page</a>");
	if (json_is_string(json_object_get(j, "next")))
		srv_html_f(&p->html, "<a href=\"/devices?after=%U\">next page →</a>", srv_dash_text(j, "next"));
	srv_html_raw(&p->html, "</div>");
	json_decref(j);
	srv_dash_end(p, 0);
}

/* A heartbeat's time on the server's clock: where it was placed, else when it was received. */
static double beat_at(const json_t *b)
{
	return (double)(json_is_integer(json_object_get(b, "at")) ? srv_dash_int(b, "at") : srv_dash_int(b, "received"));
}

/* The metrics of the device's heartbeats (newest first in the answer), one plot each, oldest to newest: the
 * built-in values, then the application's (a gauge by its last value). */
static void metric_plots(struct srv_dash_page *p, const json_t *beats)
{
	const char *names[METRIC_PLOTS];
	bool builtin[METRIC_PLOTS];
	size_t n = 0, nb = json_array_size(beats);
	const json_t *first = json_array_get(beats, 0), *v;
	const char *name;
	double *x = srv_calloc(nb + 1, sizeof(*x)), *y = srv_calloc(nb + 1, sizeof(*y));

	json_object_foreach(json_object_get((json_t *)first, "builtin"), name, v)
		if (n < METRIC_PLOTS) {
			builtin[n] = true;
			names[n++] = name;
		}
	json_object_foreach(json_object_get((json_t *)first, "metrics"), name, v)
		if (n < METRIC_PLOTS && strcmp(name, "unnamed") != 0) {
			builtin[n] = false;
			names[n++] = name;
		}
	for (size_t m = 0; m < n; m++) {
		struct srv_plot_series s = {.name = names[m], .x = x, .y = y};
		char id[32];

		for (size_t k = nb; k-- > 0;) {
			const json_t *b = json_array_get(beats, k);
			const json_t *value = json_object_get(json_object_get(b, builtin[m] ? "builtin" : "metrics"), names[m]);

			if (json_is_object(value))
				value = json_object_get(value, "last");
			if (!json_is_integer(value))
				continue;
			x[s.n] = beat_at(b);
			y[s.n++] = (double)json_integer_value(value);
		}
		snprintf(id, sizeof(id), "metric-%zu", m);
		srv_svg_plot(&p->html, &(struct srv_plot){.id = id, .title = names[m], .y_unit = "", .x_time = true}, &s, 1);
	}
	if (n == 0)
		srv_html_raw(&p->html, "<p class=\"empty\">No heartbeat from this device.</p>");
	free(x);
	free(y);
}

void srv_dash_device(struct srv_dash_page *p, const char *serial)
{
	char path[160], when[32], label[200], href[48];
	const char *none[] = {NULL};
	json_t *j, *beats, *e;
	struct srv_timeline_event *events[3];
	struct srv_timeline_lane lanes[3] = {{.name = "boots"}, {.name = "crashes"}, {.name = "heartbeats"}};
	double from = 0, to = 0;
	size_t k;

	if (strlen(serial) > FF_DEVICE_SERIAL_MAX) { /* (no device has it: not cut to one that has) */
		srv_dash_error(p, 404, "no such device");
		return;
	}
	snprintf(path, sizeof(path), "devices/%s", serial);
	if ((j = srv_dash_api_page(p, path, none)) == NULL)
		return;
	snprintf(path, sizeof(path), "devices/%s/heartbeats", serial);
	if ((beats = srv_dash_api_page(p, path, none)) == NULL) {
		json_decref(j);
		return;
	}
	srv_dash_begin(p, serial, "/devices");
	srv_html_f(&p->html, "<div class=\"card\"><dl class=\"facts\"><dt>First seen</dt><dd>%s UTC</dd>",
		   srv_dash_when(srv_dash_int(j, "first_seen"), when, sizeof(when)));
	srv_html_f(&p->html, "<dt>Last seen</dt><dd>%s UTC</dd>", srv_dash_when(srv_dash_int(j, "last_seen"), when, sizeof(when)));
	if (json_array_size(json_object_get(j, "waiting_for_symbols")) > 0) {
		srv_html_raw(&p->html, "<dt>Waiting for symbols</dt><dd>");
		json_array_foreach(json_object_get(j, "waiting_for_symbols"), k, e)
			srv_html_f(&p->html, "<code>%s</code> ", json_string_value(e));
		srv_html_raw(&p->html, "(<a href=\"/symbols\">upload</a>)</dd>");
	}
	srv_html_raw(&p->html, "</dl></div>");

	/* the timeline: its window from the oldest to the newest event shown */
	events[0] = srv_calloc(json_array_size(json_object_get(j, "reboots")) + 1, sizeof(**events));
	events[1] = srv_calloc(json_array_size(json_object_get(j, "traces")) + 1, sizeof(**events));
	events[2] = srv_calloc(json_array_size(json_object_get(beats, "heartbeats")) + 1, sizeof(**events));
	json_array_foreach(json_object_get(j, "reboots"), k, e) {
		struct srv_timeline_event *ev = &events[0][lanes[0].n++];

		ev->at = (double)srv_dash_int(e, "received");
		ev->label = srv_strdup(ff_reason_name((uint16_t)srv_dash_int(e, "reason")));
	}
	json_array_foreach(json_object_get(j, "traces"), k, e) {
		struct srv_timeline_event *ev = &events[1][lanes[1].n++];

		snprintf(label, sizeof(label), "trace %lld of issue %lld (%s)", srv_dash_int(e, "id"), srv_dash_int(e, "issue"),
			 srv_dash_text(e, "sw_version"));
		snprintf(href, sizeof(href), "/traces/%lld", srv_dash_int(e, "id"));
		*ev = (struct srv_timeline_event){(double)srv_dash_int(e, "received"), srv_strdup(label), srv_strdup(href)};
	}
	json_array_foreach(json_object_get(beats, "heartbeats"), k, e) {
		struct srv_timeline_event *ev = &events[2][lanes[2].n++];

		snprintf(label, sizeof(label), "boot %lld, uptime %lld s, %s", srv_dash_int(e, "boot_id"), srv_dash_int(e, "uptime_s"),
			 srv_dash_text(e, "sw_version"));
		*ev = (struct srv_timeline_event){beat_at(e), srv_strdup(label), NULL};
	}
	for (size_t l = 0; l < 3; l++) {
		lanes[l].events = events[l];
		for (size_t i = 0; i < lanes[l].n; i++) {
			from = from == 0 || events[l][i].at < from ? events[l][i].at : from;
			to = events[l][i].at > to ? events[l][i].at : to;
		}
	}
	srv_html_raw(&p->html, "<h2>Timeline</h2>");
	if (to == 0)
		srv_html_raw(&p->html, "<p class=\"empty\" id=\"timeline\">Nothing received from this device yet.</p>");
	else
		srv_svg_timeline(&p->html, "timeline", from - 3600, to + 3600, lanes, 3);

	srv_html_raw(&p->html, "<h2>Boots and crashes</h2><table id=\"events\"><thead><tr><th>Received (UTC)</th><th>What"
			       "</th></tr></thead><tbody>");
	{ /* both lists are newest first: merged */
		const json_t *reboots = json_object_get(j, "reboots"), *traces = json_object_get(j, "traces");
		size_t r = 0, t = 0;

		while (r < json_array_size(reboots) || t < json_array_size(traces)) {
			const json_t *rb = json_array_get(reboots, r), *tr = json_array_get(traces, t);

			if (rb != NULL && (tr == NULL || srv_dash_int(rb, "received") >= srv_dash_int(tr, "received"))) {
				srv_html_f(&p->html, "<tr class=\"reboot\"><td>%s</td><td>boot %lld ended: <b>%s</b> (0x%04llx)"
						     "</td></tr>", srv_dash_when(srv_dash_int(rb, "received"), when, sizeof(when)),
					   srv_dash_int(rb, "boot_id"), ff_reason_name((uint16_t)srv_dash_int(rb, "reason")),
					   srv_dash_int(rb, "reason"));
				r++;
			} else {
				srv_html_f(&p->html, "<tr class=\"crash\"><td>%s</td><td>coredump: <a href=\"/traces/%lld\">"
						     "trace %lld</a> of <a href=\"/issues/%lld\">issue %lld</a>, %s</td></tr>",
					   srv_dash_when(srv_dash_int(tr, "received"), when, sizeof(when)), srv_dash_int(tr, "id"),
					   srv_dash_int(tr, "id"), srv_dash_int(tr, "issue"), srv_dash_int(tr, "issue"), srv_dash_text(tr, "sw_version"));
				t++;
			}
		}
	}
	srv_html_raw(&p->html, "</tbody></table><h2>Metrics</h2><p class=\"hint\">Over the device's newest 100 heartbeats."
			       "</p><div class=\"metrics\">");
	metric_plots(p, json_object_get(beats, "heartbeats"));
	srv_html_raw(&p->html, "</div>");
	for (size_t l = 0; l < 3; l++) {
		for (size_t i = 0; i < lanes[l].n; i++) {
			free((char *)events[l][i].label);
			free((char *)events[l][i].href);
		}
		free(events[l]);
	}
	json_decref(beats);
	json_decref(j);
	srv_dash_end(p, 0);
}
