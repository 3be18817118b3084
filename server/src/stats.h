/* SPDX-License-Identifier: Apache-2.0 */
/* The statistics of fleet health, in one place: crash rates per device-hour with exact (Garwood) intervals, the
 * exact conditional test of two Poisson rates and its power, the verdict of `faultline compare`, the interval of a
 * proportion and percentiles. The rollout gates reuse the test and the power with an alpha of their own.
 * docs/HEALTH.md, "Statistics", gives every formula so that a verdict can be checked by hand.
 *
 * Every function is pure (no state, no allocation, thread-safe) and computes in log space: counts up to
 * SRV_STATS_MAX_EVENTS and exposures up to SRV_STATS_MAX_HOURS neither overflow nor lose the tails. */
#ifndef SRV_STATS_H
#define SRV_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Errors (negative). Bad numbers come from stored data as often as from code, so they are returned, not asserted. */
#define SRV_STATS_EINVAL (-1)  /* an argument outside what the function documents (NaN, a negative exposure or
				* one above SRV_STATS_MAX_HOURS, a level outside its range, a count above
				* SRV_STATS_MAX_EVENTS) */
#define SRV_STATS_ENODATA (-2) /* nothing to estimate from: no exposure, no trials, no values */

/* Rates are given in events per this many device-hours: a fleet's crash rate reads as a few per 1,000 hours. */
#define SRV_STATS_HOURS 1000.0

/* The largest count of events (or trials) accepted, 2^32 (4.3e9), four times a billion crashes: the longest tail
 * sum, some ten standard deviations of terms (7e5), takes milliseconds. */
#define SRV_STATS_MAX_EVENTS (UINT64_C(1) << 32)

/* The most events the power may expect, 2^38: a comparison of two sides of SRV_STATS_MAX_EVENTS each at a
 * power_ratio up to SRV_STATS_MAX_POWER_RATIO. Its sum takes 16 sqrt(2^38) = 8e6 steps, a second or two. */
#define SRV_STATS_MAX_POWER_EVENTS 274877906944.0
#define SRV_STATS_MAX_POWER_RATIO 32.0

/* The longest exposure accepted, 1e15 device-hours (a billion devices for a century is 9e14): sums of exposures
 * and their products with rates stay far from overflow. */
#define SRV_STATS_MAX_HOURS 1e15

/* An estimate and its confidence interval, lo <= value <= hi. */
struct srv_stats_interval {
	double value, lo, hi;
};

/*
 * The crash rate of events over hours of exposure, with its exact two-sided (Garwood) interval at confidence conf:
 * lo is the mean for which P(X >= events) = (1 - conf) / 2, hi the mean for which P(X <= events) = (1 - conf) / 2,
 * X Poisson; events = 0 gives lo = 0. All three per SRV_STATS_HOURS device-hours.
 * out: (out) the rate and its interval; untouched on error.  events: <= SRV_STATS_MAX_EVENTS.
 * hours: device-hours of exposure, in [0, SRV_STATS_MAX_HOURS].  conf: in (0, 1), e.g. 0.95.
 * Returns 0; SRV_STATS_ENODATA when hours is 0; SRV_STATS_EINVAL.
 */
int srv_stats_rate_ci(struct srv_stats_interval *out, uint64_t events, double hours, double conf);

/*
 * The share successes / trials with its exact two-sided (Clopper-Pearson) interval at confidence conf, for
 * "crash-free devices": lo is the p for which P(K >= successes) = (1 - conf) / 2, hi the p for which
 * P(K <= successes) = (1 - conf) / 2, K binomial(trials, p); 0 successes give lo = 0, all give hi = 1.
 * Clopper-Pearson rather than Wilson: it never covers less than conf, which matters near 100 %, where crash-free
 * shares live and Wilson's coverage dips; and it is the same binomial tail the rate test uses.
 * out: (out) fractions in [0, 1]; untouched on error.  successes <= trials <= SRV_STATS_MAX_EVENTS.
 * conf: in (0, 1).  Returns 0; SRV_STATS_ENODATA when trials is 0; SRV_STATS_EINVAL.
 */
int srv_stats_proportion_ci(struct srv_stats_interval *out, uint64_t successes, uint64_t trials, double conf);

/* The exact conditional test of two Poisson rates, a (the baseline) and b. */
struct srv_stats_test {
	/* One-sided p-values. Given n = events_a + events_b, events_b is binomial(n, hours_b / (hours_a + hours_b))
	 * when the rates are equal: p_worse = P(K >= events_b), p_better = P(K <= events_b). Both are 1 when n = 0. */
	double p_worse, p_better;
	/* b's rate over a's: NAN when both counted 0 events, INFINITY when only a did. */
	double ratio;
	/* The exact interval of the ratio at confidence 1 - 2 alpha (each side alpha, like each test): it excludes 1
	 * exactly when one of the p-values is <= alpha. 0 when events_b = 0; INFINITY when events_a = 0. */
	double ratio_lo, ratio_hi;
};

/*
 * Test whether b's rate differs from a's, each direction on its own at level alpha.
 * out: (out) untouched on error.  events_a, events_b: <= SRV_STATS_MAX_EVENTS.
 * hours_a, hours_b: in [0, SRV_STATS_MAX_HOURS].
 * alpha: in (0, 0.5), the false-alarm rate of each direction (a gate passes its share of an alpha spending).
 * Returns 0; SRV_STATS_ENODATA when either exposure is 0; SRV_STATS_EINVAL.
 */
int srv_stats_poisson_test(struct srv_stats_test *out, uint64_t events_a, double hours_a, uint64_t events_b,
			   double hours_b, double alpha);

/*
 * The power of srv_stats_poisson_test: the probability that p_worse <= alpha when a's rate is rate_a and b's is
 * ratio * rate_a, over exposures hours_a and hours_b. Exact: the sum over n of P(N = n), N Poisson with mean
 * rate_a (hours_a + ratio hours_b), times the binomial probability that events_b reaches the test's critical value
 * for n. ratio = 1 gives the test's exact false-alarm rate, which is <= alpha.
 * out: (out) in [0, 1], within 1e-9; untouched on error.  hours_a, hours_b: in [0, SRV_STATS_MAX_HOURS].
 * rate_a: events per SRV_STATS_HOURS device-hours, finite, >= 0, with rate_a (hours_a + ratio hours_b) /
 * SRV_STATS_HOURS <= SRV_STATS_MAX_POWER_EVENTS.  ratio: finite, > 0.  alpha: in (0, 0.5).
 * Returns 0; SRV_STATS_ENODATA when either exposure is 0; SRV_STATS_EINVAL.
 */
int srv_stats_power(double *out, double hours_a, double hours_b, double rate_a, double ratio, double alpha);

/* What `faultline compare A B` says of B against A. */
enum srv_stats_verdict {
	SRV_STATS_NOT_ENOUGH_DATA = 0, /* some of the minimums below are not met (see shortfall) */
	SRV_STATS_NO_DIFFERENCE = 1,   /* neither test rejects: not a proof of equal rates, power says how telling */
	SRV_STATS_WORSE = 2,           /* p_worse <= alpha: B crashes more often than A */
	SRV_STATS_BETTER = 3,          /* p_better <= alpha: B crashes less often than A */
};

/* Why a comparison has not enough data, bits of srv_stats_comparison.shortfall. */
#define SRV_STATS_FEW_DEVICES 1u /* a side has fewer than min_devices devices */
#define SRV_STATS_LOW_POWER 2u   /* the power to find a power_ratio increase is below min_power */
#define SRV_STATS_NO_EXPOSURE 4u /* a side has no device-hours: nothing is computed but the rates' intervals */

/* One side of a comparison: a firmware version's crashes, device-hours and devices. */
struct srv_stats_sample {
	uint64_t events;  /* crashes counted, <= SRV_STATS_MAX_EVENTS */
	double hours;     /* device-hours of exposure, in [0, SRV_STATS_MAX_HOURS] */
	uint64_t devices; /* devices that reported exposure */
};

/* The rules of a verdict. */
struct srv_stats_options {
	double alpha;         /* false-alarm rate of each direction, in (0, 0.5) */
	double conf;          /* confidence of each rate's interval, in (0, 1) */
	uint64_t min_devices; /* fewer devices on either side: not enough data ("never a verdict from three devices") */
	double min_power;     /* in [0, 1]: less power than this to find power_ratio: not enough data */
	double power_ratio;   /* the increase the power is for, in (1, SRV_STATS_MAX_POWER_RATIO] */
};

/* The defaults: a false alarm once in 100 comparisons of equal versions for each direction; the usual 95 % rate
 * intervals; 30 devices, so that one device in a crash loop cannot make a verdict; at least an even chance to find
 * a doubled crash rate, so that "no difference found" means something. */
#define SRV_STATS_ALPHA 0.01
#define SRV_STATS_CONF 0.95
#define SRV_STATS_MIN_DEVICES 30u
#define SRV_STATS_MIN_POWER 0.5
#define SRV_STATS_POWER_RATIO 2.0
#define SRV_STATS_OPTIONS_DEFAULT                                                                                 \
	{                                                                                                         \
		.alpha = SRV_STATS_ALPHA, .conf = SRV_STATS_CONF, .min_devices = SRV_STATS_MIN_DEVICES,           \
		.min_power = SRV_STATS_MIN_POWER, .power_ratio = SRV_STATS_POWER_RATIO                            \
	}

/* A comparison of b against a. */
struct srv_stats_comparison {
	enum srv_stats_verdict verdict;
	unsigned shortfall;               /* SRV_STATS_FEW_DEVICES | ...; 0 unless verdict is NOT_ENOUGH_DATA */
	struct srv_stats_interval rate_a; /* per SRV_STATS_HOURS device-hours at conf; a side without exposure: */
	struct srv_stats_interval rate_b; /* value NAN, [0, INFINITY] */
	struct srv_stats_test test;       /* without exposure on a side: p-values 1, ratio NAN, [0, INFINITY] */
	double baseline;                  /* the rate the power assumes for a (both sides' events over both sides'
					   * hours, the rate they share if they are equal), per SRV_STATS_HOURS; 0
					   * without exposure */
	double power;                     /* of the worse test, to find b at power_ratio x baseline; 0 without
					   * exposure */
};

/*
 * Compare b against a: both rates, the test at opt->alpha, the power at the measured baseline, and the verdict:
 * NOT_ENOUGH_DATA when a side lacks exposure or opt->min_devices devices, or the power is below opt->min_power;
 * else WORSE or BETTER when that test rejects; else NO_DIFFERENCE. When the rates are equal, P(WORSE) <= alpha and
 * P(BETTER) <= alpha (docs/HEALTH.md proves it).
 * out: (out) untouched on error.  a, b: the samples.  opt: the rules; NULL for SRV_STATS_OPTIONS_DEFAULT.
 * Returns 0 (with a verdict, NOT_ENOUGH_DATA included); SRV_STATS_EINVAL.
 */
int srv_stats_compare(struct srv_stats_comparison *out, const struct srv_stats_sample *a,
		      const struct srv_stats_sample *b, const struct srv_stats_options *opt);

/* The words of a verdict ("worse", "better", "no difference found", "not enough data yet"): static strings. */
const char *srv_stats_verdict_name(enum srv_stats_verdict v);

/*
 * Percentiles by nearest rank: the p-th percentile of n values is the smallest value that at least p % of them
 * are <= to, the ceil(p n / 100)-th smallest (the smallest for p = 0). Always one of the values: p50 of
 * {1, 2, 3, 4} is 2, p95 of 20 values the 19th smallest.
 * out: (out) count results, out[i] for percents[i]; untouched on error.  values, n: the values, not NaN; sorted
 * ascending in place.  percents, count: each in [0, 100].
 * Returns 0; SRV_STATS_ENODATA when n is 0; SRV_STATS_EINVAL (then values are not reordered).
 */
int srv_stats_percentiles(double *out, double *values, size_t n, const double *percents, size_t count);

#endif
