/* SPDX-License-Identifier: Apache-2.0 */
/* The dashboard's plots, as inline SVG in the page (no script needed to read them): a line plot of series over time
 * or a number, with release markers, and a sparkline. Each point carries its values (data-x, data-y) and a tooltip
 * (<title>), so a person hovering and a test reading the page see the same numbers. */
#ifndef SRV_SVG_H
#define SRV_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "html.h"

/* One line of a plot: n points (x[i], y[i]), the caller's. */
struct srv_plot_series {
	const char *name; /* in the legend and the tooltips (text: escaped) */
	const double *x, *y;
	size_t n;
};

/* A vertical mark at x, labelled (a release: the version's first day in the fleet). */
struct srv_plot_marker {
	double x;
	const char *label;
};

struct srv_plot {
	const char *id;     /* the <svg> element's id (letters, digits, '-'): pages and tests find the plot by it */
	const char *title;  /* what it shows, for the legend's heading and screen readers */
	const char *y_unit; /* after each y value: "%", " devices" ("" for none) */
	bool x_time;        /* x is Unix seconds: ticks are dates (UTC) */
	double y_min, y_max; /* the y range; y_max <= y_min: from the data (from 0) */
	const struct srv_plot_marker *markers;
	size_t nmarkers;
};

/* Append the plot of ns series (at most 6 are told apart by colour) to h. No point at all: a note saying so. */
void srv_svg_plot(struct srv_html *h, const struct srv_plot *p, const struct srv_plot_series *s, size_t ns);

/* One event on a timeline: when, what (its tooltip), and where it leads (a path of the dashboard, or NULL). */
struct srv_timeline_event {
	double at;
	const char *label;
	const char *href;
};

/* A lane of a timeline: its name and its events (the caller's). */
struct srv_timeline_lane {
	const char *name;
	const struct srv_timeline_event *events;
	size_t n;
};

/* Append a timeline of nl lanes over [from, to] (Unix seconds): each event a mark at its time in its lane, with its
 * label as tooltip and data-at, linked when it has an href. */
void srv_svg_timeline(struct srv_html *h, const char *id, double from, double to, const struct srv_timeline_lane *l,
		      size_t nl);

/* Append a sparkline of n counts (oldest first), a small bar per count, its values in data-values. */
void srv_svg_sparkline(struct srv_html *h, const int64_t *v, size_t n);

#endif
