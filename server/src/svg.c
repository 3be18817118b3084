/* SPDX-License-Identifier: Apache-2.0 */
/* Inline SVG plots (svg.h). Coordinates are in a fixed view box; the page's CSS scales it to its column. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "svg.h"

#define W 960.0
#define H 240.0
#define LEFT 56.0
#define RIGHT 12.0
#define TOP 12.0
#define BOTTOM 28.0
#define STYLES 6

/* A round step for about `want` ticks over span. */
static double tick_step(double span, int want)
{
	double raw = span / want, mag = pow(10, floor(log10(raw))), f = raw / mag;

	return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

/* A value as a tick or tooltip shows it: integers as such, others with what their size needs. */
static void number(char *out, size_t cap, double v)
{
	if (fabs(v - round(v)) < 1e-9 && fabs(v) < 1e15)
		snprintf(out, cap, "%.0f", v);
	else if (fabs(v) >= 100)
		snprintf(out, cap, "%.1f", v);
	else
		snprintf(out, cap, "%.3g", v);
}

static void date(char *out, size_t cap, double t, bool with_time)
{
	time_t tt = (time_t)t;
	struct tm tm;

	strftime(out, cap, with_time ? "%Y-%m-%d %H:%M" : "%b %d", gmtime_r(&tt, &tm));
}

void srv_svg_plot(struct srv_html *h, const struct srv_plot *p, const struct srv_plot_series *s, size_t ns)
{
	double x0 = INFINITY, x1 = -INFINITY, y0 = 0, y1 = -INFINITY, step;
	char a[48], b[48];
	size_t points = 0;

	for (size_t k = 0; k < ns; k++)
		for (size_t i = 0; i < s[k].n; i++) {
			x0 = fmin(x0, s[k].x[i]);
			x1 = fmax(x1, s[k].x[i]);
			y1 = fmax(y1, s[k].y[i]);
			y0 = fmin(y0, s[k].y[i]);
			points++;
		}
	if (points == 0) {
		srv_html_f(h, "<p class=\"empty\" id=\"%s\">%s: nothing in this period.</p>", p->id, p->title);
		return;
	}
	if (p->y_max > p->y_min) {
		y0 = p->y_min;
		y1 = p->y_max;
	}
	if (y1 <= y0)
		y1 = y0 + 1;
	if (x1 <= x0) { /* one x: centred */
		x0 -= p->x_time ? 43200 : 1;
		x1 += p->x_time ? 43200 : 1;
	}
#define PX(x) (LEFT + ((x) - x0) / (x1 - x0) * (W - LEFT - RIGHT))
#define PY(y) (H - BOTTOM - ((y) - y0) / (y1 - y0) * (H - TOP - BOTTOM))
	srv_html_f(h, "<figure class=\"plot\"><svg id=\"%s\" class=\"plot\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
		      "aria-label=\"%s\">", p->id, W, H, p->title);
	/* the y axis: grid lines and their values */
	step = tick_step(y1 - y0, 4);
	for (double y = ceil(y0 / step) * step; y <= y1 + step * 1e-9; y += step) {
		number(a, sizeof(a), y);
		srv_html_f(h, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/><text class=\"tick\" "
			      "x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s%s</text>", LEFT, W - RIGHT, PY(y), PY(y),
			   LEFT - 6, PY(y) + 4, a, p->y_unit);
	}
	/* the x axis: days, or round numbers */
	step = p->x_time ? fmax(86400, ceil((x1 - x0) / 86400 / 6) * 86400) : tick_step(x1 - x0, 6);
	for (double x = ceil(x0 / step) * step; x <= x1; x += step) {
		if (p->x_time)
			date(a, sizeof(a), x, false);
		else
			number(a, sizeof(a), x);
		srv_html_f(h, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>", PX(x), H - 8,
			   PX(x) > W - RIGHT - 30 ? "end" : PX(x) < LEFT + 30 ? "start" : "middle", a);
	}
	for (size_t m = 0; m < p->nmarkers; m++) {
		if (p->markers[m].x < x0 || p->markers[m].x > x1)
			continue;
		srv_html_f(h, "<g class=\"marker\" data-x=\"%.0f\"><line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
			      "<text x=\"%.1f\" y=\"%.1f\">%s</text><title>%s</title></g>", p->markers[m].x,
			   PX(p->markers[m].x), PX(p->markers[m].x), TOP, H - BOTTOM, PX(p->markers[m].x) + 3,
			   TOP + 10 + 11.0 * (double)(m % 4), /* (labels of close releases one under the other) */
			   p->markers[m].label, p->markers[m].label);
	}
	for (size_t k = 0; k < ns; k++) {
		srv_html_f(h, "<g class=\"series s%zu\" data-name=\"%s\"><polyline points=\"", k % STYLES, s[k].name);
		for (size_t i = 0; i < s[k].n; i++)
			srv_html_f(h, "%s%.1f,%.1f", i ? " " : "", PX(s[k].x[i]), PY(s[k].y[i]));
		srv_html_raw(h, "\"/>");
		for (size_t i = 0; i < s[k].n; i++) {
			if (p->x_time)
				date(a, sizeof(a), s[k].x[i], true);
			else
				number(a, sizeof(a), s[k].x[i]);
			number(b, sizeof(b), s[k].y[i]);
			srv_html_f(h, "<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" data-x=\"%.10g\" data-y=\"%.10g\">"
				      "<title>%s, %s: %s%s</title></circle>", PX(s[k].x[i]), PY(s[k].y[i]), s[k].x[i],
				   s[k].y[i], s[k].name, a, b, p->y_unit);
		}
		srv_html_raw(h, "</g>");
	}
#undef PX
#undef PY
	srv_html_f(h, "</svg><figcaption>%s", p->title);
	for (size_t k = 0; k < ns; k++)
		srv_html_f(h, " <span class=\"key s%zu\">%s</span>", k % STYLES, s[k].name);
	srv_html_raw(h, "</figcaption></figure>");
}

void srv_svg_sparkline(struct srv_html *h, const int64_t *v, size_t n)
{
	int64_t top = 1;

	for (size_t i = 0; i < n; i++)
		top = v[i] > top ? v[i] : top;
	srv_html_f(h, "<svg class=\"spark\" viewBox=\"0 0 %zu 20\" preserveAspectRatio=\"none\" data-values=\"", n * 3);
	for (size_t i = 0; i < n; i++)
		srv_html_f(h, "%s%lld", i ? "," : "", (long long)v[i]);
	srv_html_raw(h, "\">");
	for (size_t i = 0; i < n; i++) {
		double bar = v[i] > 0 ? 2 + 18.0 * (double)v[i] / (double)top : 0.5;

		srv_html_f(h, "<rect x=\"%zu\" y=\"%.1f\" width=\"2\" height=\"%.1f\"/>", i * 3, 20 - bar, bar);
	}
	srv_html_raw(h, "</svg>");
}

void srv_svg_timeline(struct srv_html *h, const char *id, double from, double to, const struct srv_timeline_lane *l,
		      size_t nl)
{
	const double lane = 28, left = 110, height = TOP + lane * (double)nl + BOTTOM;
	double step;
	char a[48];

	if (to <= from)
		to = from + 86400;
	srv_html_f(h, "<figure class=\"plot\"><svg id=\"%s\" class=\"plot timeline\" viewBox=\"0 0 %.0f %.0f\" "
		      "role=\"img\" aria-label=\"timeline\">", id, W, height);
#define TX(x) (left + ((x) - from) / (to - from) * (W - left - RIGHT))
	step = fmax(3600, ceil((to - from) / 86400 / 6) * 86400);
	if (to - from < 3 * 86400)
		step = ceil((to - from) / 6 / 3600) * 3600;
	for (double x = ceil(from / step) * step; x <= to; x += step) {
		date(a, sizeof(a), x, to - from < 3 * 86400);
		srv_html_f(h, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/><text class=\"tick\" "
			      "x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>", TX(x), TX(x), TOP, height - BOTTOM,
			   TX(x), height - 8, TX(x) > W - RIGHT - 60 ? "end" : "middle", a);
	}
	for (size_t k = 0; k < nl; k++) {
		double y = TOP + lane * ((double)k + 0.5);

		srv_html_f(h, "<g class=\"lane s%zu\" data-name=\"%s\"><text class=\"tick\" x=\"%.1f\" y=\"%.1f\" "
			      "text-anchor=\"end\">%s</text><line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
			      "y2=\"%.1f\"/>", k % STYLES, l[k].name, left - 8, y + 4, l[k].name, left, W - RIGHT, y, y);
		for (size_t i = 0; i < l[k].n; i++) {
			const struct srv_timeline_event *e = &l[k].events[i];

			if (e->href != NULL)
				srv_html_f(h, "<a href=\"%s\">", e->href);
			srv_html_f(h, "<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" data-at=\"%.0f\"><title>%s"
				      "</title></circle>", TX(e->at), y, e->at, e->label);
			if (e->href != NULL)
				srv_html_raw(h, "</a>");
		}
		srv_html_raw(h, "</g>");
	}
#undef TX
	srv_html_raw(h, "</svg></figure>");
}
