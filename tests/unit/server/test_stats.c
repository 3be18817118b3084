/* SPDX-License-Identifier: Apache-2.0 */
/* server/src/stats.c against values computed independently: exact rational binomial sums and 60-digit Poisson
 * sums of tests/unit/server/stats-reference.py ("reference" below), chi-square tables; its edge cases, the
 * properties its intervals and tests must have, and simulations of the false-alarm rate and of the power. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stats.h"

#define ALPHA 0.01

/* |got - want| <= rel |want|: an expected value to so many digits. */
static void near(double got, double want, double rel)
{
	if (!(fabs(got - want) <= rel * fabs(want)))
		fail_msg("got %.17g, want %.17g (relative %.1e)", got, want, rel);
}

/* A rate interval over 1,000 device-hours, whose numbers are those of the Poisson mean. */
static struct srv_stats_interval mean_ci(uint64_t k, double conf)
{
	struct srv_stats_interval r;

	assert_int_equal(srv_stats_rate_ci(&r, k, 1000, conf), 0);
	assert_true(r.value == (double)k);
	return r;
}

static void garwood_reference(void **state)
{
	/* The 95 % Garwood bounds are chi-square quantiles, lo = chi2(0.025; 2k) / 2 and hi = chi2(0.975; 2k + 2) / 2;
	 * from any chi-square table: chi2(0.975; 2) = 7.3778, chi2(0.025; 2) = 0.050636, chi2(0.975; 4) = 11.143,
	 * chi2(0.025; 20) = 9.5908, chi2(0.975; 22) = 36.781. The 17 digits are the reference's. */
	static const struct {
		uint64_t k;
		double conf, lo, hi, table_lo, table_hi;
	} cases[] = {
		{0, 0.95, 0, 3.6888794541139363, 0, 7.3778 / 2},
		{1, 0.95, 0.025317807984289876, 5.5716433909388989, 0.050636 / 2, 11.143 / 2},
		{10, 0.95, 4.7953886961324335, 18.390356042017778, 9.5908 / 2, 36.781 / 2},
		{100, 0.95, 81.363991250923135, 121.62679379242638, 0, 0},
		{1000, 0.95, 938.97301840769524, 1063.9521360163019, 0, 0},
		{1000000, 0.95, 998040.98334029387, 1001961.9119454322, 0, 0},
		{1000000000, 0.95, 999938021.44392788, 1000061981.4504089, 0, 0},
		{5, 0.99, 1.0779282406523194, 14.149759411023014, 0, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct srv_stats_interval r = mean_ci(cases[i].k, cases[i].conf);

		near(r.lo, cases[i].lo, 1e-12);
		near(r.hi, cases[i].hi, 1e-12);
		if (cases[i].table_hi != 0) {
			near(r.lo, cases[i].table_lo, 1e-4);
			near(r.hi, cases[i].table_hi, 1e-4);
		}
	}
	assert_true(mean_ci(0, 0.95).lo == 0);
	near(mean_ci(0, 0.95).hi, log(40), 1e-14); /* P(X <= 0) = e^-hi = 0.025 */
}

static void rate_units_and_order(void **state)
{
	struct srv_stats_interval r, prev = {0, 0, 0};

	(void)state;
	/* a billion crashes over 1e12 device-hours: one per 1,000 hours, no overflow, the interval of the mean */
	assert_int_equal(srv_stats_rate_ci(&r, 1000000000, 1e12, 0.95), 0);
	near(r.value, 1, 1e-15);
	near(r.lo, 999938021.44392788 / 1e9, 1e-12);
	near(r.hi, 1000061981.4504089 / 1e9, 1e-12);
	/* a fleet that has just started: 3 crashes in 20 device-hours, 150 per 1,000 */
	assert_int_equal(srv_stats_rate_ci(&r, 3, 20, 0.95), 0);
	near(r.value, 150, 1e-15);
	/* both bounds grow with k, enclose it, and a higher confidence widens them */
	for (uint64_t k = 0; k <= 300; k++) {
		struct srv_stats_interval c = mean_ci(k, 0.95), w = mean_ci(k, 0.99);

		assert_true(c.lo <= (double)k && (double)k < c.hi);
		assert_true(w.lo <= c.lo && w.hi > c.hi);
		if (k > 0) {
			assert_true(c.lo > prev.lo && c.hi > prev.hi);
			assert_true(w.lo < c.lo);
		}
		prev = c;
	}
}

static void rate_errors(void **state)
{
	struct srv_stats_interval r = {7, 7, 7};

	(void)state;
	assert_int_equal(srv_stats_rate_ci(&r, 0, 0, 0.95), SRV_STATS_ENODATA);
	assert_int_equal(srv_stats_rate_ci(&r, 5, 0, 0.95), SRV_STATS_ENODATA); /* crashes before any heartbeat */
	assert_int_equal(srv_stats_rate_ci(&r, 5, -1, 0.95), SRV_STATS_EINVAL);
	assert_int_equal(srv_stats_rate_ci(&r, 5, NAN, 0.95), SRV_STATS_EINVAL);
	assert_int_equal(srv_stats_rate_ci(&r, 5, INFINITY, 0.95), SRV_STATS_EINVAL);
	assert_int_equal(srv_stats_rate_ci(&r, 5, 2 * SRV_STATS_MAX_HOURS, 0.95), SRV_STATS_EINVAL);
	assert_int_equal(srv_stats_rate_ci(&r, 5, 10, 0), SRV_STATS_EINVAL);
	assert_int_equal(srv_stats_rate_ci(&r, 5, 10, 1), SRV_STATS_EINVAL);
	assert_int_equal(srv_stats_rate_ci(&r, 5, 10, NAN), SRV_STATS_EINVAL);
	assert_int_equal(srv_stats_rate_ci(&r, SRV_STATS_MAX_EVENTS + 1, 10, 0.95), SRV_STATS_EINVAL);
	assert_true(r.value == 7 && r.lo == 7 && r.hi == 7);
	assert_int_equal(srv_stats_rate_ci(&r, SRV_STATS_MAX_EVENTS, 1e12, 0.95), 0);
	assert_true(r.lo < r.value && r.value < r.hi && isfinite(r.hi));
}

static struct srv_stats_test rate_test(uint64_t ka, double ta, uint64_t kb, double tb, double alpha)
{
	struct srv_stats_test t;

	assert_int_equal(srv_stats_poisson_test(&t, ka, ta, kb, tb, alpha), 0);
	return t;
}

static void poisson_test_reference(void **state)
{
	/* reference: p_worse, p_better exact binomial sums (b's share of the hours is rational); the ratio's bounds
	 * from 60-digit Clopper-Pearson bounds p, as p / (1 - p) hours_a / hours_b */
	static const struct {
		uint64_t ka, kb;
		double ta, tb, alpha, p_worse, p_better, lo, hi;
	} cases[] = {
		{10, 25, 1000, 1000, 0.01, 0.0083369239000603557, 0.99700593971647322, 1.0232379285953479,
		 6.8506712293728285},
		{40, 5, 3000, 1000, 0.01, 0.99405529127544312, 0.017943462074651705, 0.090640914480381696,
		 1.0868112376705616},
		{0, 7, 500, 200, 0.025, 0.00015542600689945758, 1, 3.6032712970880967, INFINITY},
		{12, 0, 700, 900, 0.05, 1, 4.9174130371198999e-05, 0, 0.22055354386529041},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct srv_stats_test t = rate_test(cases[i].ka, cases[i].ta, cases[i].kb, cases[i].tb, cases[i].alpha);

		near(t.p_worse, cases[i].p_worse, 1e-13);
		near(t.p_better, cases[i].p_better, 1e-13);
		if (cases[i].lo == 0)
			assert_true(t.ratio_lo == 0 && t.ratio == 0);
		else
			near(t.ratio_lo, cases[i].lo, 1e-12);
		if (isinf(cases[i].hi))
			assert_true(isinf(t.ratio_hi) && isinf(t.ratio));
		else
			near(t.ratio_hi, cases[i].hi, 1e-12);
	}
	near(rate_test(10, 1000, 25, 1000, ALPHA).ratio, 2.5, 1e-15);
	near(rate_test(40, 3000, 5, 1000, ALPHA).ratio, 0.375, 1e-15);
}

static void poisson_test_edges(void **state)
{
	struct srv_stats_test t = {7, 7, 7, 7, 7};

	(void)state;
	/* no events: nothing to test, the ratio unknown */
	t = rate_test(0, 100, 0, 100, ALPHA);
	assert_true(t.p_worse == 1 && t.p_better == 1 && isnan(t.ratio) && t.ratio_lo == 0 && isinf(t.ratio_hi));
	/* no exposure, bad arguments */
	assert_int_equal(srv_stats_poisson_test(&t, 3, 0, 3, 100, ALPHA), SRV_STATS_ENODATA);
	assert_int_equal(srv_stats_poisson_test(&t, 3, 100, 3, 0, ALPHA), SRV_STATS_ENODATA);
	assert_int_equal(srv_stats_poisson_test(&t, 3, -5, 3, 100, ALPHA), SRV_STATS_EINVAL);
	assert_int_equal(srv_stats_poisson_test(&t, 3, 100, 3, 100, 0), SRV_STATS_EINVAL);
	assert_int_equal(srv_stats_poisson_test(&t, 3, 100, 3, 100, 0.5), SRV_STATS_EINVAL);
	assert_int_equal(srv_stats_poisson_test(&t, 3, 100, 3, 100, NAN), SRV_STATS_EINVAL);
	assert_int_equal(srv_stats_poisson_test(&t, SRV_STATS_MAX_EVENTS + 1, 100, 3, 100, ALPHA), SRV_STATS_EINVAL);
	/* equal exposures and counts: the two directions mirror each other, and so do the ratio's bounds */
	t = rate_test(37, 5000, 37, 5000, ALPHA);
	near(t.p_worse, t.p_better, 1e-14);
	near(t.ratio_lo * t.ratio_hi, 1, 1e-12);
	assert_true(t.ratio == 1 && t.ratio_lo < 1 && t.ratio_hi > 1);
	/* swapping the sides swaps the directions and inverts the ratio */
	struct srv_stats_test s = rate_test(25, 1000, 10, 2500, ALPHA);

	t = rate_test(10, 2500, 25, 1000, ALPHA);
	near(s.p_worse, t.p_better, 1e-13);
	near(s.p_better, t.p_worse, 1e-13);
	near(s.ratio_lo, 1 / t.ratio_hi, 1e-12);
	near(s.ratio_hi, 1 / t.ratio_lo, 1e-12);
}

static void poisson_test_huge(void **state)
{
	/* A billion crashes a side over 1e12 device-hours each, b 0.005 % higher. With p = 1/2 the binomial is
	 * symmetric and its normal approximation, with the continuity correction, is off by O(1 / n) = 5e-10; so
	 * are the ratio's bounds from log(ratio) +- z sqrt(1 / ka + 1 / kb), z = 2.3263478740408408, the 99 %
	 * normal quantile (tables: 2.3263). */
	const double ka = 1e9, kb = 1e9 + 50000, n = ka + kb, z = 2.3263478740408408;
	struct srv_stats_test t = rate_test((uint64_t)ka, 1e12, (uint64_t)kb, 1e12, ALPHA);
	double sd = sqrt(1 / ka + 1 / kb);

	(void)state;
	near(t.p_worse, 0.5 * erfc((kb - 0.5 - n / 2) / sqrt(n / 4) / sqrt(2)), 1e-6);
	near(t.p_better, 0.5 * erfc((n / 2 - kb - 0.5) / sqrt(n / 4) / sqrt(2)), 1e-6);
	near(t.ratio, kb / ka, 1e-15);
	near(t.ratio_lo, kb / ka * exp(-z * sd), 1e-7);
	near(t.ratio_hi, kb / ka * exp(z * sd), 1e-7);
	/* the most events accepted still give a finite answer */
	t = rate_test(SRV_STATS_MAX_EVENTS, 1e12, SRV_STATS_MAX_EVENTS, 3e12, ALPHA);
	near(t.ratio, 1.0 / 3, 1e-15);
	assert_true(t.ratio_lo < t.ratio && t.ratio < t.ratio_hi && t.ratio_hi < 1.001 / 3);
	assert_true(t.p_worse == 1 && t.p_better == 0); /* 1 - e^-(1e8) and e^-(1e8) */
}

/* The ratio's interval excludes 1 exactly when a one-sided test rejects; p_worse falls and p_better rises with
 * b's count. */
static void poisson_test_duality(void **state)
{
	static const double hours[][2] = {{1000, 1000}, {3000, 1000}, {250, 4000}};

	(void)state;
	for (size_t h = 0; h < 3; h++) {
		for (uint64_t ka = 0; ka <= 30; ka++) {
			struct srv_stats_test prev = {0};

			for (uint64_t kb = 0; kb <= 30; kb++) {
				struct srv_stats_test t = rate_test(ka, hours[h][0], kb, hours[h][1], ALPHA);

				assert_true((t.p_worse <= ALPHA) == (t.ratio_lo > 1));
				assert_true((t.p_better <= ALPHA) == (t.ratio_hi < 1));
				assert_true(t.p_worse + t.p_better >= 1); /* both count P(K = kb) */
				if (kb > 0) { /* (with ka = 0, p_better is 1 and ratio_hi infinite throughout) */
					/* (strictly, but for p_worse so near 1 that doubles cannot tell) */
					assert_true(t.p_worse < prev.p_worse || t.p_worse > 1 - 1e-15);
					assert_true(t.p_better >= prev.p_better);
					assert_true(t.ratio_lo > prev.ratio_lo);
					assert_true(t.ratio_hi > prev.ratio_hi || (ka == 0 && isinf(t.ratio_hi)));
				}
				prev = t;
			}
		}
	}
}

static double power(double ta, double tb, double rate, double ratio, double alpha)
{
	double p;

	assert_int_equal(srv_stats_power(&p, ta, tb, rate, ratio, alpha), 0);
	assert_true(p >= 0 && p <= 1);
	return p;
}

static void power_reference(void **state)
{
	double prev = 0, p = 7;

	(void)state;
	/* reference: the exact sum over n of 60-digit Poisson weights times exact binomial tails; the power is
	 * within 1e-9, its documented accuracy (the sum leaves out less than 1e-13) */
	near(power(1000, 1000, 10, 2, 0.01), 0.24663319923691945, 1e-9);
	near(power(1000, 1000, 10, 1, 0.01), 0.0054662854045733214, 1e-9); /* the exact false-alarm rate */
	near(power(3000, 1000, 5, 3, 0.05), 0.84450836453095268, 1e-9);
	/* more power for a larger increase, for more exposure; none without events */
	for (double r = 1; r <= 8; r *= 1.25) {
		double q = power(2000, 500, 4, r, ALPHA);

		assert_true(q > prev);
		prev = q;
	}
	assert_true(power(1000, 1000, 10, 1, ALPHA) <= ALPHA);
	assert_true(power(100, 100, 10, 2, ALPHA) < power(10000, 10000, 10, 2, ALPHA));
	assert_true(power(10000, 10000, 10, 2, ALPHA) > 0.999);
	assert_true(power(1000, 1000, 0, 2, ALPHA) == 0);
	/* a billion expected events: it ends, at 1 */
	near(power(1e12, 1e12, 0.5, 2, ALPHA), 1, 1e-9);
	assert_int_equal(srv_stats_power(&p, 0, 1000, 10, 2, ALPHA), SRV_STATS_ENODATA);
	assert_int_equal(srv_stats_power(&p, 1000, -1, 10, 2, ALPHA), SRV_STATS_EINVAL);
	assert_int_equal(srv_stats_power(&p, 1000, 1000, -1, 2, ALPHA), SRV_STATS_EINVAL);
	assert_int_equal(srv_stats_power(&p, 1000, 1000, 10, 0, ALPHA), SRV_STATS_EINVAL);
	assert_int_equal(srv_stats_power(&p, 1000, 1000, 10, 2, 0.7), SRV_STATS_EINVAL);
	assert_int_equal(srv_stats_power(&p, 1e12, 1e12, 1e3, 2, ALPHA), SRV_STATS_EINVAL); /* 3e12 events */
	assert_true(p == 7);
}

/* splitmix64 (S. Vigna): a fixed-seed generator of the test's own, so a run is the same everywhere. */
static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* A Poisson(mu) draw by multiplying uniforms until the product falls below e^-mu (Knuth), for small mu: nothing
 * of stats.c in it. */
static uint64_t poisson_draw(uint64_t *s, double mu)
{
	double limit = exp(-mu), prod = 1;
	uint64_t k = 0;

	for (;;) {
		prod *= (double)(next(s) >> 11) * 0x1p-53;
		if (prod <= limit)
			return k;
		k++;
	}
}

#define DRAWS 20000

/*
 * Versions with the same crash rate, 30 expected crashes each over 1,000 device-hours of 40 devices: the share of
 * "worse" verdicts stays at or below alpha plus three binomial standard deviations (sqrt(0.01 0.99 / 20000) =
 * 0.0007); the share of "better" too. The test's own rejections match its exact false-alarm rate, the power at
 * ratio 1, within four standard deviations. Then b twice as bad: the share that the test finds worse matches the
 * power.
 */
static void simulation(void **state)
{
	const struct srv_stats_sample a = {.hours = 1000, .devices = 40};
	struct srv_stats_sample sa = a, sb = a;
	uint64_t seed = 20240611, worse = 0, better = 0, rejected = 0;

	(void)state;
	for (int i = 0; i < DRAWS; i++) {
		struct srv_stats_comparison c;

		sa.events = poisson_draw(&seed, 30);
		sb.events = poisson_draw(&seed, 30);
		assert_int_equal(srv_stats_compare(&c, &sa, &sb, NULL), 0);
		worse += c.verdict == SRV_STATS_WORSE;
		better += c.verdict == SRV_STATS_BETTER;
		rejected += c.test.p_worse <= ALPHA;
	}
	double margin = 3 * sqrt(ALPHA * (1 - ALPHA) / DRAWS), size = power(1000, 1000, 30, 1, ALPHA);

	assert_true((double)worse / DRAWS <= ALPHA + margin);
	assert_true((double)better / DRAWS <= ALPHA + margin);
	assert_true(fabs((double)rejected / DRAWS - size) <= 4 * sqrt(size * (1 - size) / DRAWS));
	assert_true(worse > 0); /* the verdict does say worse at times: the gates do not swallow it */

	double pw = power(1000, 1000, 20, 2, ALPHA);

	rejected = 0;
	for (int i = 0; i < DRAWS; i++)
		rejected += rate_test(poisson_draw(&seed, 20), 1000, poisson_draw(&seed, 40), 1000, ALPHA).p_worse <=
			    ALPHA;
	assert_true(fabs((double)rejected / DRAWS - pw) <= 4 * sqrt(pw * (1 - pw) / DRAWS));
}

static struct srv_stats_comparison compare(uint64_t ka, double ta, uint64_t da, uint64_t kb, double tb, uint64_t db)
{
	const struct srv_stats_sample a = {ka, ta, da}, b = {kb, tb, db};
	struct srv_stats_comparison c;

	assert_int_equal(srv_stats_compare(&c, &a, &b, NULL), 0);
	return c;
}

static void verdicts(void **state)
{
	const struct srv_stats_sample a = {10, 1000, 40}, none = {0, 0, 0};
	struct srv_stats_options opt = SRV_STATS_OPTIONS_DEFAULT;
	struct srv_stats_comparison c;

	(void)state;
	/* 1.4.2: 50 crashes in 20,000 device-hours on 300 devices; 1.4.3: 90 in 18,000 on 280: worse */
	c = compare(50, 20000, 300, 90, 18000, 280);
	assert_int_equal(c.verdict, SRV_STATS_WORSE);
	assert_int_equal(c.shortfall, 0);
	near(c.rate_a.value, 2.5, 1e-15);
	near(c.rate_b.value, 5, 1e-15);
	near(c.baseline, 140.0 / 38000 * 1000, 1e-15);
	assert_true(c.test.p_worse <= ALPHA && c.test.ratio_lo > 1 && c.power >= 0.5);
	assert_string_equal(srv_stats_verdict_name(c.verdict), "worse");
	/* the other way round: better */
	c = compare(90, 18000, 280, 50, 20000, 300);
	assert_int_equal(c.verdict, SRV_STATS_BETTER);
	assert_string_equal(srv_stats_verdict_name(c.verdict), "better");
	/* the same rate, enough data: no difference found */
	c = compare(100, 20000, 300, 95, 19000, 280);
	assert_int_equal(c.verdict, SRV_STATS_NO_DIFFERENCE);
	assert_true(c.power > 0.9);
	assert_string_equal(srv_stats_verdict_name(c.verdict), "no difference found");
	/* three devices: never a verdict, however clear the numbers */
	c = compare(10, 100000, 3, 500, 100000, 3);
	assert_int_equal(c.verdict, SRV_STATS_NOT_ENOUGH_DATA);
	assert_int_equal(c.shortfall, SRV_STATS_FEW_DEVICES);
	assert_true(c.test.p_worse < 1e-50);
	assert_string_equal(srv_stats_verdict_name(c.verdict), "not enough data yet");
	c = compare(50, 20000, 300, 90, 18000, 29);
	assert_int_equal(c.shortfall, SRV_STATS_FEW_DEVICES);
	/* 2 crashes against 4: not even an even chance to see a doubling */
	c = compare(2, 1000, 100, 4, 1000, 100);
	assert_int_equal(c.verdict, SRV_STATS_NOT_ENOUGH_DATA);
	assert_int_equal(c.shortfall, SRV_STATS_LOW_POWER);
	assert_true(c.power < 0.5);
	/* no crashes on either side yet: no power at all */
	c = compare(0, 5000, 100, 0, 5000, 100);
	assert_int_equal(c.shortfall, SRV_STATS_LOW_POWER);
	assert_true(c.power == 0 && c.baseline == 0 && isnan(c.test.ratio));
	/* a new version without device-hours yet, and only two devices */
	c = compare(50, 20000, 300, 4, 0, 2);
	assert_int_equal(c.verdict, SRV_STATS_NOT_ENOUGH_DATA);
	assert_int_equal(c.shortfall, SRV_STATS_NO_EXPOSURE | SRV_STATS_FEW_DEVICES);
	near(c.rate_a.value, 2.5, 1e-15);
	assert_true(isnan(c.rate_b.value) && c.rate_b.lo == 0 && isinf(c.rate_b.hi));
	assert_true(c.test.p_worse == 1 && c.test.p_better == 1 && isnan(c.test.ratio) && isinf(c.test.ratio_hi));
	assert_true(c.power == 0);
	/* the rules are options: a stricter alpha turns the worse verdict into no difference */
	c = compare(50, 20000, 300, 75, 20000, 280);
	assert_int_equal(c.verdict, SRV_STATS_NO_DIFFERENCE);
	opt.alpha = 0.05;
	assert_int_equal(srv_stats_compare(&c, &(struct srv_stats_sample){50, 20000, 300},
					   &(struct srv_stats_sample){75, 20000, 280}, &opt),
			 0);
	assert_int_equal(c.verdict, SRV_STATS_WORSE);
	opt = (struct srv_stats_options)SRV_STATS_OPTIONS_DEFAULT;
	opt.min_devices = 2;
	opt.min_power = 0;
	assert_int_equal(srv_stats_compare(&c, &(struct srv_stats_sample){10, 100000, 3},
					   &(struct srv_stats_sample){500, 100000, 3}, &opt),
			 0);
	assert_int_equal(c.verdict, SRV_STATS_WORSE);
	/* bad arguments */
	c.verdict = SRV_STATS_BETTER;
	assert_int_equal(srv_stats_compare(&c, &a, &(struct srv_stats_sample){1, -1, 40}, NULL), SRV_STATS_EINVAL);
	assert_int_equal(srv_stats_compare(&c, &a, &(struct srv_stats_sample){1, NAN, 40}, NULL), SRV_STATS_EINVAL);
	assert_int_equal(srv_stats_compare(&c, &(struct srv_stats_sample){SRV_STATS_MAX_EVENTS + 1, 1, 40}, &a, NULL),
			 SRV_STATS_EINVAL);
	opt.power_ratio = 1;
	assert_int_equal(srv_stats_compare(&c, &a, &a, &opt), SRV_STATS_EINVAL);
	opt.power_ratio = 2;
	opt.min_power = 1.5;
	assert_int_equal(srv_stats_compare(&c, &a, &a, &opt), SRV_STATS_EINVAL);
	opt.min_power = 0.5;
	opt.conf = 1;
	assert_int_equal(srv_stats_compare(&c, &a, &a, &opt), SRV_STATS_EINVAL);
	assert_int_equal(c.verdict, SRV_STATS_BETTER);
	assert_int_equal(srv_stats_compare(&c, &none, &none, NULL), 0);
	assert_int_equal(c.shortfall, SRV_STATS_NO_EXPOSURE | SRV_STATS_FEW_DEVICES);
}

static void compare_huge(void **state)
{
	/* two billion crashes over 2e12 device-hours on a million devices each: the power sum runs over some 7e5
	 * totals and ends */
	struct srv_stats_comparison c = compare(1000000000, 1e12, 1000000, 1000150000, 1e12, 1000000);

	(void)state;
	assert_int_equal(c.verdict, SRV_STATS_WORSE); /* 0.015 % more, over 2e9 events: z = 3.4 */
	near(c.power, 1, 1e-9);
	near(c.rate_b.value, 1.00015, 1e-15);
}

static void proportion(void **state)
{
	struct srv_stats_interval r = {7, 7, 7};

	(void)state;
	/* reference (60-digit Clopper-Pearson bounds); 95 of 100 is [0.8872, 0.9836] in tables of exact intervals */
	assert_int_equal(srv_stats_proportion_ci(&r, 95, 100, 0.95), 0);
	near(r.value, 0.95, 1e-15);
	near(r.lo, 0.88716508889453727, 1e-12);
	near(r.hi, 0.98356812081794787, 1e-12);
	assert_int_equal(srv_stats_proportion_ci(&r, 997, 1000, 0.95), 0);
	near(r.lo, 0.99125797676152172, 1e-12);
	near(r.hi, 0.99938090006835045, 1e-12);
	/* none or all of 20: closed forms, (1 - hi)^20 = 0.025 and lo^20 = 0.025 */
	assert_int_equal(srv_stats_proportion_ci(&r, 0, 20, 0.95), 0);
	assert_true(r.value == 0 && r.lo == 0);
	near(r.hi, 0.16843347098308534, 1e-12);
	near(r.hi, 1 - pow(0.025, 1.0 / 20), 1e-12);
	assert_int_equal(srv_stats_proportion_ci(&r, 20, 20, 0.95), 0);
	assert_true(r.value == 1 && r.hi == 1);
	near(r.lo, pow(0.025, 1.0 / 20), 1e-12);
	/* a million devices, 999,990 crash-free: the bounds stay apart from 1 */
	assert_int_equal(srv_stats_proportion_ci(&r, 999990, 1000000, 0.95), 0);
	assert_true(r.lo < r.value && r.value < r.hi && r.hi < 1);
	/* 10 failures of a million: nearly Poisson, Garwood's bounds for 10 over a million (O(k / n) apart) */
	near(1 - r.hi, 4.7953886961324335e-6, 1e-4);
	near(1 - r.lo, 18.390356042017778e-6, 1e-4);
	assert_int_equal(srv_stats_proportion_ci(&r, 0, 0, 0.95), SRV_STATS_ENODATA);
	assert_int_equal(srv_stats_proportion_ci(&r, 3, 2, 0.95), SRV_STATS_EINVAL);
	assert_int_equal(srv_stats_proportion_ci(&r, 1, 2, 0), SRV_STATS_EINVAL);
	assert_true(r.value == 999990 / 1e6);
}

static void percentiles(void **state)
{
	double four[] = {4, 1, 3, 2}, got[5], values[1000];
	const double p[] = {0, 25, 50, 95, 100};

	(void)state;
	assert_int_equal(srv_stats_percentiles(got, four, 4, p, 5), 0);
	assert_true(got[0] == 1 && got[1] == 1 && got[2] == 2 && got[3] == 4 && got[4] == 4);
	assert_true(four[0] == 1 && four[1] == 2 && four[2] == 3 && four[3] == 4); /* sorted in place */
	/* 20 boot times, 20 down to 1 s: p50 is the 10th smallest, p95 the 19th */
	for (int i = 0; i < 20; i++)
		values[i] = 20 - i;
	assert_int_equal(srv_stats_percentiles(got, values, 20, (const double[]){50, 95}, 2), 0);
	assert_true(got[0] == 10 && got[1] == 19);
	/* 16.1 % of 1000 is 161 exactly, though 16.1 * 1000 / 100 rounds to 161.00000000000003 */
	for (int i = 0; i < 1000; i++)
		values[i] = i + 1;
	assert_int_equal(srv_stats_percentiles(got, values, 1000, (const double[]){16.1, 32.3}, 2), 0);
	assert_true(got[0] == 161 && got[1] == 323);
	assert_int_equal(srv_stats_percentiles(got, values, 1, (const double[]){50}, 1), 0);
	assert_true(got[0] == 1);
	/* errors leave the values as they were */
	double bad[] = {3, NAN, 1};

	got[0] = 7;
	assert_int_equal(srv_stats_percentiles(got, bad, 3, p, 1), SRV_STATS_EINVAL);
	assert_true(bad[0] == 3 && bad[2] == 1);
	assert_int_equal(srv_stats_percentiles(got, four, 4, (const double[]){101}, 1), SRV_STATS_EINVAL);
	assert_int_equal(srv_stats_percentiles(got, four, 4, (const double[]){NAN}, 1), SRV_STATS_EINVAL);
	assert_int_equal(srv_stats_percentiles(got, four, 0, p, 1), SRV_STATS_ENODATA);
	assert_true(got[0] == 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(garwood_reference),
		cmocka_unit_test(rate_units_and_order),
		cmocka_unit_test(rate_errors),
		cmocka_unit_test(poisson_test_reference),
		cmocka_unit_test(poisson_test_edges),
		cmocka_unit_test(poisson_test_huge),
		cmocka_unit_test(poisson_test_duality),
		cmocka_unit_test(power_reference),
		cmocka_unit_test(simulation),
		cmocka_unit_test(verdicts),
		cmocka_unit_test(compare_huge),
		cmocka_unit_test(proportion),
		cmocka_unit_test(percentiles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
