#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Reference values for tests/unit/server/test_stats.c, computed independently of server/src/stats.c.

Binomial probabilities are exact rationals (fractions.Fraction: exposures are whole hours, so b's share of them
is rational); Poisson probabilities and every interval bound are computed with 60 significant digits (decimal),
bounds found by bisection to 1e-40. Only the standard library. Run: python3 tests/unit/server/stats-reference.py
"""
import math
from decimal import Decimal as D, getcontext
from fractions import Fraction as F

getcontext().prec = 60
EPS = D(10) ** -40

# Bernoulli numbers B_2j, for Stirling's series of log m! (large m only)
BERNOULLI = [F(1, 6), F(-1, 30), F(1, 42), F(-1, 30), F(5, 66), F(-691, 2730), F(7, 6), F(-3617, 510)]
def pi():
    """pi to the context's precision (Machin's formula)."""
    def arctan_inv(x):
        s, t, n, x2 = D(0), D(1) / x, 1, x * x
        while t > EPS * EPS:
            s += t / n if n % 4 == 1 else -t / n
            t /= x2
            n += 2
        return s
    return 4 * (4 * arctan_inv(D(5)) - arctan_inv(D(239)))


LOG_2PI = (2 * pi()).ln()


def log_factorial(m):
    """log m!: a sum of logs below 1000, Stirling's series (8 terms, error < 1e-60) above."""
    if m < 1000:
        return sum((D(j).ln() for j in range(2, m + 1)), D(0))
    m = D(m)
    s = (m + D(1) / 2) * m.ln() - m + LOG_2PI / 2
    for j, b in enumerate(BERNOULLI, 1):
        s += D(b.numerator) / D(b.denominator) / (2 * j * (2 * j - 1)) / m ** (2 * j - 1)
    return s


def poisson_tail(k, lam, upper):
    """P(X >= k) (upper) or P(X <= k), X Poisson(lam): the terms from k away from the mean until negligible, and
    the complement when k is on the other side of it."""
    if upper and k == 0:
        return D(1)
    if upper and k < lam:
        return 1 - poisson_tail(k - 1, lam, False)
    if not upper and k > lam:
        return 1 - poisson_tail(k + 1, lam, True)
    t = poisson_pmf(k, lam)
    s, j = t, k
    while True:
        if upper:
            t *= lam / (j + 1)
            j += 1
        else:
            if j == 0:
                break
            t *= j / lam
            j -= 1
        s += t
        if t < s * EPS:
            break
    return s


def bisect(f, lo, hi):
    """The x in [lo, hi] where the increasing f crosses 0, to a relative 1e-40."""
    while hi - lo > EPS * hi:
        mid = (lo + hi) / 2
        if f(mid) < 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def poisson_pmf(j, lam):
    return (j * lam.ln() - lam - log_factorial(j)).exp()


def newton(f, df, lo, hi):
    """The x in [lo, hi] where the increasing f crosses 0, to a relative 1e-40: Newton steps from the middle,
    bisection when one leaves the bracket (a few tail sums, not a hundred, for a billion events)."""
    x = (lo + hi) / 2
    while hi - lo > EPS * hi:
        fx = f(x)
        if fx < 0:
            lo = x
        else:
            hi = x
        y = x - fx / df(x)
        if not lo < y < hi:
            y = (lo + hi) / 2
        if abs(y - x) < EPS * EPS * x:
            return y
        x = y
    return x


def garwood(k, conf):
    """The exact interval of a Poisson mean for k events."""
    t = (1 - D(conf)) / 2
    span = 20 * (D(k) + 1).sqrt() + 20
    lo = D(0) if k == 0 else newton(lambda m: poisson_tail(k, m, True) - t, lambda m: poisson_pmf(k - 1, m),
                                    max(D(k) - span, EPS), D(k))
    hi = newton(lambda m: t - poisson_tail(k, m, False), lambda m: poisson_pmf(k, m), D(k) + EPS, D(k) + span)
    return lo, hi


def binom_pmf(j, n, p):
    return math.comb(n, j) * p ** j * (1 - p) ** (n - j)


def binom_tail(k, n, p, upper):
    """P(K >= k) (upper) or P(K <= k), K binomial(n, p); exact when p is a Fraction."""
    js = range(k, n + 1) if upper else range(0, k + 1)
    return sum((binom_pmf(j, n, p) for j in js), p * 0)


def clopper_pearson(k, n, t):
    """The exact bounds of p for k successes of n, each tail t."""
    lo = D(0) if k == 0 else bisect(lambda p: binom_tail(k, n, p, True) - t, EPS, 1 - EPS)
    hi = D(1) if k == n else bisect(lambda p: t - binom_tail(k, n, p, False), EPS, 1 - EPS)
    return lo, hi


def rate_test(ka, ta, kb, tb, alpha):
    p0 = F(tb, ta + tb)
    n = ka + kb
    pw, pb = binom_tail(kb, n, p0, True), binom_tail(kb, n, p0, False)
    lo, hi = clopper_pearson(kb, n, D(alpha.numerator) / alpha.denominator)
    scale = D(ta) / D(tb)
    return pw, pb, lo / (1 - lo) * scale, (hi / (1 - hi) * scale if hi < 1 else None)


def power(ta, tb, rate_a, ratio, alpha):
    """P(the worse test rejects) when a's rate is rate_a per hour (a Fraction) and b's ratio times it."""
    p0, p1 = F(tb, ta + tb), F(ratio * tb) / (ta + ratio * tb)
    mu = D(rate_a.numerator) / D(rate_a.denominator) * (ta + D(ratio.numerator) / D(ratio.denominator) * tb)
    total, n, w = D(0), 0, (-mu).exp()
    while True:
        # the smallest c with P(K >= c | n, p0) <= alpha, exactly
        c, tail = n + 1, F(0)
        while c > 0 and tail + binom_pmf(c - 1, n, p0) <= alpha:
            c -= 1
            tail += binom_pmf(c, n, p0)
        beta = binom_tail(c, n, p1, True) if c <= n else F(0)
        total += w * D(beta.numerator) / D(beta.denominator)
        if n > mu and w < EPS:
            return total
        n += 1
        w *= mu / n


def show(name, *values):
    print(name, " ".join("%.17g" % v if v is not None else "inf" for v in values))


if __name__ == "__main__":
    for k in (0, 1, 10, 100, 1000, 10 ** 6, 10 ** 9):
        show("garwood95 k=%d" % k, *garwood(k, "0.95"))
    show("garwood99 k=5", *garwood(5, "0.99"))
    show("rate_test 10/1000 25/1000 a=0.01", *rate_test(10, 1000, 25, 1000, F(1, 100)))
    show("rate_test 40/3000 5/1000 a=0.01", *rate_test(40, 3000, 5, 1000, F(1, 100)))
    show("rate_test 0/500 7/200 a=0.025", *rate_test(0, 500, 7, 200, F(1, 40)))
    show("rate_test 12/700 0/900 a=0.05", *rate_test(12, 700, 0, 900, F(1, 20)))
    show("clopper_pearson95 95/100", *clopper_pearson(95, 100, D("0.025")))
    show("clopper_pearson95 0/20", *clopper_pearson(0, 20, D("0.025")))
    show("clopper_pearson95 997/1000", *clopper_pearson(997, 1000, D("0.025")))
    show("power 1000h 1000h 0.01/h x2 a=0.01", power(1000, 1000, F(1, 100), F(2), F(1, 100)))
    show("power 1000h 1000h 0.01/h x1 a=0.01", power(1000, 1000, F(1, 100), F(1), F(1, 100)))
    show("power 3000h 1000h 0.005/h x3 a=0.05", power(3000, 1000, F(1, 200), F(3), F(1, 20)))
