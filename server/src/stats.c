/* SPDX-License-Identifier: Apache-2.0 */
/* Fleet-health statistics (stats.h). Everything rests on two exact tail probabilities, of the Poisson and of the
 * binomial distribution, summed term by term in log space from an accurate first term; the intervals invert them
 * with one safeguarded Newton solver; the power sums them over the Poisson distribution of the total count. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "stats.h"

#define LOG_2PI 1.8378770664093454836
#define LN2 0.69314718055994530942 /* (M_LN2 is not C99) */

/*
 * delta(m) = log(m!) - [(m + 1/2) log m - m + log(2 pi) / 2], the error of Stirling's formula, for integers m >= 1.
 * Written this way, log-probabilities of counts near 1e12 keep their absolute accuracy: the large terms of log(m!)
 * cancel in closed form instead of in floating point (C. Loader, "Fast and accurate computation of binomial
 * probabilities", 2000). libm's lgamma is not used: it is not thread-safe (it sets signgam).
 */
static double stirling_err(double m)
{
	if (m < 16) { /* exactly: m! is exact in a double up to 22! */
		double f = 1;

		for (int i = 2; i <= (int)m; i++)
			f *= i;
		return log(f) - (m + 0.5) * log(m) + m - 0.5 * LOG_2PI;
	}
	/* Stirling's series, B_2j / (2j (2j - 1) m^(2j - 1)); the next term is below 1e-16 from m = 16 on */
	double w = 1 / (m * m);

	return (1.0 / 12 - w * (1.0 / 360 - w * (1.0 / 1260 - w * (1.0 / 1680 - w / 1188)))) / m;
}

/* x log(x / m) + m - x >= 0, the deviance of a count x from a mean m > 0, without its cancellation near x = m:
 * there it is m sum_{j >= 2} (-u)^j / (j (j - 1)) with u = (x - m) / m. */
static double deviance(double x, double m)
{
	double u = (x - m) / m;

	if (x == 0)
		return m;
	if (fabs(u) >= 0.1)
		return x * log(x / m) + m - x;
	double s = 0, t = u * u;

	for (int j = 2; fabs(t) > 1e-17 * s; j++) {
		s += t / (j * (j - 1.0));
		t *= -u;
	}
	return m * s;
}

/* log(1 - e^x) for x <= 0, accurate at both ends (M. Maechler, "Accurately computing log(1 - exp(-|a|))"). */
static double log1mexp(double x)
{
	return x > -LN2 ? log(-expm1(x)) : log1p(-exp(x));
}

/* A Poisson (mean mu) or binomial (n trials, success p, failure q) distribution. p and q are each computed from
 * the quantities they come from, never one as 1 minus the other, so that both keep their relative accuracy. */
struct dist {
	bool binomial;
	double n, p, q, mu; /* mu: the mean, n p for a binomial */
	double log_p, log_q;
};

static struct dist poisson(double mu)
{
	return (struct dist){.mu = mu};
}

static struct dist binomial(double n, double p, double q)
{
	struct dist d = {.binomial = true, .n = n, .p = p, .q = q, .mu = n * p};

	d.log_p = p < q ? log(p) : log1p(-q);
	d.log_q = q < p ? log(q) : log1p(-p);
	return d;
}

/* The binomial distribution whose odds p / q are e^x. */
static struct dist binomial_odds(double n, double x)
{
	double e = exp(-fabs(x));

	return x < 0 ? binomial(n, e / (1 + e), 1 / (1 + e)) : binomial(n, 1 / (1 + e), e / (1 + e));
}

/* log P(X = j), j an integer in the support; the distribution is not degenerate (mu > 0, and p, q > 0). */
static double log_pmf(const struct dist *d, double j)
{
	if (!d->binomial)
		return j == 0 ? -d->mu : -stirling_err(j) - deviance(j, d->mu) - 0.5 * (LOG_2PI + log(j));
	if (j == 0)
		return d->n * d->log_q;
	if (j == d->n)
		return d->n * d->log_p;
	return stirling_err(d->n) - stirling_err(j) - stirling_err(d->n - j) - deviance(j, d->mu) -
	       deviance(d->n - j, d->n * d->q) + 0.5 * (log(d->n / (j * (d->n - j))) - LOG_2PI);
}

/* P(X = j) for any integer j (0 outside the support). */
static double pmf(const struct dist *d, double j)
{
	return j < 0 || (d->binomial && j > d->n) ? 0 : exp(log_pmf(d, j));
}

/*
 * log P(X >= k) (up) or log P(X <= k) (down), summed from P(X = k) away from the mean: k is on that side of it,
 * so the terms only decrease, and their ratio r to the one before falls (the distributions are log-concave): the
 * rest of the sum after a term t is below t r / (1 - r), and the sum stops when that is negligible. Terms are
 * relative to the first, the one computed from its formula; the n-th has n roundings, harmless over the ten or
 * so standard deviations a sum takes. log_first: (out, optional) log P(X = k).
 */
static double tail_sum(const struct dist *d, double k, bool up, double *log_first)
{
	double s = 1, t = 1, j = k;
	double odds = d->binomial ? d->p / d->q : 0;

	for (;;) {
		double r;

		if (up) {
			if (d->binomial && j >= d->n)
				break;
			r = d->binomial ? (d->n - j) / (j + 1) * odds : d->mu / (j + 1);
			j++;
		} else {
			if (j <= 0)
				break;
			r = d->binomial ? j / ((d->n - j + 1) * odds) : j / d->mu;
			j--;
		}
		t *= r;
		s += t;
		if (t == 0 || (r < 1 && t * r <= (1 - r) * s * 0x1p-56))
			break;
	}
	double lf = log_pmf(d, k);

	if (log_first != NULL)
		*log_first = lf;
	return lf + log(s);
}

/*
 * log P(X >= k) (upper) or log P(X <= k), k any integer. A tail that holds the mean is 1 minus the other one, which
 * is summed: a small tail is always a sum, never the difference of two numbers near 1.
 * log_pk: (out, optional) log P(X = k) when k is in the support.
 */
static double log_tail(const struct dist *d, double k, bool upper, double *log_pk)
{
	double top = d->binomial ? d->n : INFINITY;

	if (log_pk != NULL)
		*log_pk = -INFINITY;
	if (upper ? k <= 0 : k >= top)
		return 0;
	if (upper ? k > top : k < 0)
		return -INFINITY;
	if (d->mu == 0) /* X = 0: k > 0 here */
		return upper ? -INFINITY : 0;
	if (d->binomial && d->q == 0) /* X = n: k in [0, n] here */
		return upper ? 0 : -INFINITY;
	if (upper ? k >= d->mu : k <= d->mu)
		return tail_sum(d, k, upper, log_pk);
	if (log_pk != NULL)
		*log_pk = log_pmf(d, k);
	return log1mexp(tail_sum(d, upper ? k - 1 : k + 1, !upper, NULL));
}

/* The equation of an interval's bound: log P(tail at k) = log target, as a function of x, the log of the mean
 * (Poisson) or of the odds (binomial of n trials). sign makes it increasing in x. */
struct bound_eq {
	bool binomial, upper;
	double k, n, log_target, sign;
};

/* The equation's left side minus its right, and (slope) its derivative in x, from d/dx P(X >= k) = k P(X = k) for
 * the Poisson and k q P(X = k) for the binomial; d/dx P(X <= k) = -mu P(X = k) and -(n - k) p P(X = k). */
static double bound_eq_at(const struct bound_eq *e, double x, double *slope)
{
	struct dist d = e->binomial ? binomial_odds(e->n, x) : poisson(exp(x));
	double lp, lt = log_tail(&d, e->k, e->upper, &lp);
	double f = e->upper ? e->k * (e->binomial ? d.q : 1) : -(e->binomial ? (e->n - e->k) * d.p : d.mu);

	*slope = e->sign * f * exp(lp - lt);
	return e->sign * (lt - e->log_target);
}

/*
 * The root of the increasing function bound_eq_at: a bracket grown from x0 by doubling steps, then Newton steps,
 * a bisection whenever one would leave the bracket. x is a log, so its absolute accuracy is the bound's relative one.
 */
static double solve(const struct bound_eq *e, double x0, double step)
{
	double lo = x0, hi = x0, slope, g = bound_eq_at(e, x0, &slope);
	double x = x0, gx = g, dir = g < 0 ? 1 : -1;

	if (g == 0)
		return x0;
	for (int i = 0; i < 64; i++, step *= 2) { /* from the smallest first step, 2^-16, past any double's log */
		double y = x + dir * step, gy = bound_eq_at(e, y, &slope);

		if ((gy < 0) != (g < 0)) {
			lo = dir > 0 ? x : y;
			hi = dir > 0 ? y : x;
			x = y; /* Newton starts from the point whose slope is known */
			gx = gy;
			break;
		}
		x = y;
	}
	for (int i = 0; i < 200 && hi - lo > 1e-15 * fmax(1, fabs(x)); i++) {
		double y = x - gx / slope;

		if (!(y > lo && y < hi) || !isfinite(slope) || slope <= 0)
			y = lo + (hi - lo) / 2;
		if (fabs(y - x) <= 2e-16 * fmax(1, fabs(x)))
			return y;
		gx = bound_eq_at(e, y, &slope);
		x = y;
		if (gx == 0)
			break;
		if (gx < 0)
			lo = x;
		else
			hi = x;
	}
	return x;
}

/* The Garwood bound of a Poisson mean for k events: the mean at which P(X >= k) (lower bound) or P(X <= k) (upper)
 * is tail. The caller gives k >= 1 for a lower bound. */
static double poisson_bound(double k, double tail, bool upper)
{
	struct bound_eq e = {.upper = !upper, .k = k, .log_target = log(tail), .sign = upper ? -1 : 1};
	double m = upper ? k + 1 : k;

	return exp(solve(&e, log(m), 1 / sqrt(m)));
}

/* The log of the Clopper-Pearson bound of the odds p / q for k successes of n: where P(K >= k) (lower bound) or
 * P(K <= k) (upper) is tail. The caller gives k >= 1 for a lower bound, k < n for an upper one. */
static double log_odds_bound(double k, double n, double tail, bool upper)
{
	struct bound_eq e = {.binomial = true, .upper = !upper, .k = k, .n = n, .log_target = log(tail),
			     .sign = upper ? -1 : 1};

	return solve(&e, log((k + 0.5) / (n - k + 0.5)), sqrt(1 / (k + 0.5) + 1 / (n - k + 0.5)));
}

/* The rate and Garwood interval of k events over hours > 0, per SRV_STATS_HOURS. */
static struct srv_stats_interval rate_interval(double k, double hours, double conf)
{
	double per = SRV_STATS_HOURS / hours;

	return (struct srv_stats_interval){
		.value = k * per,
		.lo = k == 0 ? 0 : poisson_bound(k, (1 - conf) / 2, false) * per,
		.hi = poisson_bound(k, (1 - conf) / 2, true) * per,
	};
}

/* srv_stats_poisson_test on valid arguments. */
static struct srv_stats_test rate_test(double ka, double hours_a, double kb, double hours_b, double alpha)
{
	double n = ka + kb;
	/* b's share of the events when the rates are equal: its share of the exposure */
	struct dist d = binomial(n, hours_b / (hours_a + hours_b), hours_a / (hours_a + hours_b));
	/* the ratio of the rates is the odds of that share times hours_a / hours_b */
	double log_scale = log(hours_a) - log(hours_b);

	return (struct srv_stats_test){
		.p_worse = exp(log_tail(&d, kb, true, NULL)),
		.p_better = exp(log_tail(&d, kb, false, NULL)),
		.ratio = ka == 0 ? (kb == 0 ? NAN : INFINITY) : kb / hours_b / (ka / hours_a),
		.ratio_lo = kb == 0 ? 0 : exp(log_odds_bound(kb, n, alpha, false) + log_scale),
		.ratio_hi = ka == 0 ? INFINITY : exp(log_odds_bound(kb, n, alpha, true) + log_scale),
	};
}

/* The smallest c with P(K >= c) <= alpha, K of d (a binomial): the worse test's critical value. */
static double critical_value(const struct dist *d, double alpha)
{
	double lo = 0, hi = d->n + 1, log_alpha = log(alpha); /* P(K >= lo) > alpha >= P(K >= hi) */

	while (hi - lo > 1) {
		double mid = floor(lo + (hi - lo) / 2);

		if (log_tail(d, mid, true, NULL) > log_alpha)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

/* srv_stats_power on valid arguments, rate_a in events per hour. */
static double power(double hours_a, double hours_b, double rate_a, double ratio, double alpha)
{
	double mu = rate_a * (hours_a + ratio * hours_b);

	if (mu == 0)
		return 0; /* no events: the test never rejects */
	/* b's share of the events when the rates are equal (the test's) and when b's is ratio times a's */
	double s0 = hours_a + hours_b, s1 = hours_a + ratio * hours_b;
	double p0 = hours_b / s0, q0 = hours_a / s0, p1 = ratio * hours_b / s1, q1 = hours_a / s1;
	struct dist total = poisson(mu);
	/* below mu - 8 sqrt(mu) lies less than e^-32 of N (Chernoff: P(N <= mu - t) <= e^(-t^2 / (2 mu))) */
	double n = fmax(0, floor(mu - 8 * sqrt(mu)));
	struct dist d0 = binomial(n, p0, q0), d1 = binomial(n, p1, q1);
	double c = critical_value(&d0, alpha);
	double tail0 = exp(log_tail(&d0, c, true, NULL)), tail1 = exp(log_tail(&d1, c, true, NULL));
	double sum = 0, w = 0, b0 = 0, b1 = 0; /* P(N = n), P(K_n = c - 1) for p0 and p1 */

	for (unsigned i = 0;; i++, n++) {
		double r = mu / (n + 1), f;

		if (i % 64 == 0) { /* exactly, now and then; by the ratios of neighbouring terms in between */
			d0 = binomial(n, p0, q0);
			d1 = binomial(n, p1, q1);
			w = exp(log_pmf(&total, n));
			b0 = pmf(&d0, c - 1);
			b1 = pmf(&d1, c - 1);
		}
		sum += w * tail1;
		if (n > mu && w * r < (1 - r) * 1e-13) /* what N has beyond is below w r / (1 - r) */
			break;
		/*
		 * From n to n + 1 events: K_{n+1} = K_n + a Bernoulli(p) trial, so P(K_{n+1} >= c) = P(K_n >= c) +
		 * p P(K_n = c - 1). The critical value grows by at most 1: P(K_{n+1} >= c + 1) <= P(K_n >= c) <= alpha.
		 * The tails take only additions and one subtraction of a term below them per step, each term accurate
		 * to some 64 roundings: their absolute error stays far below 1e-9 over the 16 sqrt(mu) steps.
		 */
		tail0 += p0 * b0;
		tail1 += p1 * b1;
		f = (n + 1) / (n + 2 - c); /* P(K_{n+1} = j) / P(K_n = j) = q (n + 1) / (n + 1 - j); c <= n + 1 */
		b0 *= q0 * f;
		b1 *= q1 * f;
		if (tail0 > alpha) {
			f = (n + 2 - c) / c; /* P(K = j + 1) / P(K = j) = (n + 1 - j) / (j + 1) p / q, of K_{n+1} */
			b0 *= f * p0 / q0;
			b1 *= f * p1 / q1;
			tail0 = fmax(0, tail0 - b0);
			tail1 = fmax(0, tail1 - b1);
			c++;
		}
		w *= r;
	}
	return fmin(1, sum);
}

static bool is_level(double x, double max)
{
	return x > 0 && x < max; /* false for NaN */
}

static bool is_hours(double h)
{
	return h >= 0 && h <= SRV_STATS_MAX_HOURS; /* false for NaN */
}

int srv_stats_rate_ci(struct srv_stats_interval *out, uint64_t events, double hours, double conf)
{
	if (events > SRV_STATS_MAX_EVENTS || !is_hours(hours) || !is_level(conf, 1))
		return SRV_STATS_EINVAL;
	if (hours == 0)
		return SRV_STATS_ENODATA;
	*out = rate_interval((double)events, hours, conf);
	return 0;
}

int srv_stats_proportion_ci(struct srv_stats_interval *out, uint64_t successes, uint64_t trials, double conf)
{
	double k = (double)successes, n = (double)trials, x;

	if (trials > SRV_STATS_MAX_EVENTS || successes > trials || !is_level(conf, 1))
		return SRV_STATS_EINVAL;
	if (trials == 0)
		return SRV_STATS_ENODATA;
	out->value = k / n;
	out->lo = 0;
	out->hi = 1;
	if (successes > 0) {
		x = log_odds_bound(k, n, (1 - conf) / 2, false);
		out->lo = 1 / (1 + exp(-x));
	}
	if (successes < trials) {
		x = log_odds_bound(k, n, (1 - conf) / 2, true);
		out->hi = 1 / (1 + exp(-x));
	}
	return 0;
}

int srv_stats_poisson_test(struct srv_stats_test *out, uint64_t events_a, double hours_a, uint64_t events_b,
			   double hours_b, double alpha)
{
	if (events_a > SRV_STATS_MAX_EVENTS || events_b > SRV_STATS_MAX_EVENTS || !is_hours(hours_a) ||
	    !is_hours(hours_b) || !is_level(alpha, 0.5))
		return SRV_STATS_EINVAL;
	if (hours_a == 0 || hours_b == 0)
		return SRV_STATS_ENODATA;
	*out = rate_test((double)events_a, hours_a, (double)events_b, hours_b, alpha);
	return 0;
}

int srv_stats_power(double *out, double hours_a, double hours_b, double rate_a, double ratio, double alpha)
{
	double per_hour = rate_a / SRV_STATS_HOURS;

	if (!is_hours(hours_a) || !is_hours(hours_b) || !(rate_a >= 0 && rate_a < INFINITY) ||
	    !(ratio > 0 && ratio < INFINITY) || !is_level(alpha, 0.5) ||
	    !(per_hour * (hours_a + ratio * hours_b) <= SRV_STATS_MAX_POWER_EVENTS))
		return SRV_STATS_EINVAL;
	if (hours_a == 0 || hours_b == 0)
		return SRV_STATS_ENODATA;
	*out = power(hours_a, hours_b, per_hour, ratio, alpha);
	return 0;
}

static bool is_sample(const struct srv_stats_sample *s)
{
	return s->events <= SRV_STATS_MAX_EVENTS && is_hours(s->hours);
}

int srv_stats_compare(struct srv_stats_comparison *out, const struct srv_stats_sample *a,
		      const struct srv_stats_sample *b, const struct srv_stats_options *opt)
{
	static const struct srv_stats_options defaults = SRV_STATS_OPTIONS_DEFAULT;
	const struct srv_stats_interval unknown = {NAN, 0, INFINITY};
	struct srv_stats_comparison c = {.rate_a = unknown, .rate_b = unknown};
	double ka = (double)a->events, kb = (double)b->events;

	if (opt == NULL)
		opt = &defaults;
	if (!is_sample(a) || !is_sample(b) || !is_level(opt->alpha, 0.5) || !is_level(opt->conf, 1) ||
	    !(opt->min_power >= 0 && opt->min_power <= 1) ||
	    !(opt->power_ratio > 1 && opt->power_ratio <= SRV_STATS_MAX_POWER_RATIO))
		return SRV_STATS_EINVAL;
	if (a->devices < opt->min_devices || b->devices < opt->min_devices)
		c.shortfall |= SRV_STATS_FEW_DEVICES;
	if (a->hours > 0)
		c.rate_a = rate_interval(ka, a->hours, opt->conf);
	if (b->hours > 0)
		c.rate_b = rate_interval(kb, b->hours, opt->conf);
	if (a->hours == 0 || b->hours == 0) {
		c.shortfall |= SRV_STATS_NO_EXPOSURE;
		c.test = (struct srv_stats_test){.p_worse = 1, .p_better = 1, .ratio = NAN, .ratio_hi = INFINITY};
	} else {
		c.test = rate_test(ka, a->hours, kb, b->hours, opt->alpha);
		/* the events expected under the alternative stay below power_ratio (ka + kb): within the limits */
		c.baseline = (ka + kb) / (a->hours + b->hours);
		c.power = power(a->hours, b->hours, c.baseline, opt->power_ratio, opt->alpha);
		c.baseline *= SRV_STATS_HOURS;
		if (c.power < opt->min_power)
			c.shortfall |= SRV_STATS_LOW_POWER;
	}
	if (c.shortfall != 0)
		c.verdict = SRV_STATS_NOT_ENOUGH_DATA;
	else if (c.test.p_worse <= opt->alpha)
		c.verdict = SRV_STATS_WORSE;
	else if (c.test.p_better <= opt->alpha)
		c.verdict = SRV_STATS_BETTER;
	else
		c.verdict = SRV_STATS_NO_DIFFERENCE;
	*out = c;
	return 0;
}

const char *srv_stats_verdict_name(enum srv_stats_verdict v)
{
	switch (v) {
	case SRV_STATS_WORSE:
		return "worse";
	case SRV_STATS_BETTER:
		return "better";
	case SRV_STATS_NO_DIFFERENCE:
		return "no difference found";
	case SRV_STATS_NOT_ENOUGH_DATA:
		break;
	}
	return "not enough data yet";
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

int srv_stats_percentiles(double *out, double *values, size_t n, const double *percents, size_t count)
{
	for (size_t i = 0; i < n; i++)
		if (isnan(values[i]))
			return SRV_STATS_EINVAL;
	for (size_t i = 0; i < count; i++)
		if (!(percents[i] >= 0 && percents[i] <= 100))
			return SRV_STATS_EINVAL;
	if (n == 0)
		return SRV_STATS_ENODATA;
	qsort(values, n, sizeof(*values), cmp_double);
	for (size_t i = 0; i < count; i++) {
		/* p n / 100 is exact for whole percents and counts below 2^46; a rank a rounding error above a whole
		 * number is that number */
		double x = percents[i] * (double)n / 100, rank = ceil(x);

		if (rank - x > 1 - 1e-9)
			rank--;
		out[i] = values[rank < 1 ? 0 : (size_t)rank - 1];
	}
	return 0;
}
