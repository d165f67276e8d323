"""Tests for reanalysis.engine.kgroup_stats: one-way ANOVA from printed summaries and tests of
r x c tables.

Every expected value is computed independently here: ANOVA point values from scipy (and
pingouin) on synthetic raw data built to have exactly the printed means and SDs, and from
the two-sample t-test when k = 2; box extremes by brute force over dense grids of the
box; table tests from hand formulas, exact rational enumeration of all tables, and two
published R results (cited where used).
"""
from __future__ import annotations

import itertools
import math
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

from reanalysis.engine.kgroup_stats import (anova_from_summary, contingency_from_printed,
                                            contingency_range, contingency_test)
from reanalysis.engine.summary_stats import Box, Range, ttest_from_summary


def P(text: str) -> Box:
    """A printed number and its rounding box: '9.02' -> [9.015, 9.025]."""
    half = float(Decimal(1).scaleb(Decimal(text).as_tuple().exponent)) / 2
    return Box(float(text), float(text) - half, float(text) + half)


def standardised(n: int, shift: float = 0.0) -> np.ndarray:
    """A fixed, non-symmetric vector with sample mean 0 and sample SD (ddof=1) 1."""
    z = np.log(np.arange(1, n + 1) + shift) + (np.arange(n) % 3) * 0.7
    z = z - z.mean()
    return z / z.std(ddof=1)


def raw_groups(means, sds, ns):
    return [float(m) + float(s) * standardised(n, i) for i, (m, s, n)
            in enumerate(zip(means, sds, ns))]


# --- independent ANOVA formulas, vectorised over the last axis (the groups) -------------

def fisher_f(m, s, n):
    n = np.asarray(n, dtype=float)
    grand = (m * n).sum(-1, keepdims=True) / n.sum()
    ssb = (n * (m - grand) ** 2).sum(-1)
    ssw = ((n - 1) * s ** 2).sum(-1)
    k = m.shape[-1]
    return (ssb / (k - 1)) / (ssw / (n.sum() - k))


def welch_f(m, s, n):
    """Welch (1951): F, df2 from means, SDs and sizes."""
    n = np.asarray(n, dtype=float)
    k = m.shape[-1]
    w = n / s ** 2
    big_w = w.sum(-1, keepdims=True)
    mw = (w * m).sum(-1, keepdims=True) / big_w
    a = (w * (m - mw) ** 2).sum(-1) / (k - 1)
    lam = ((1 - w / big_w) ** 2 / (n - 1)).sum(-1)
    f = a / (1 + 2 * (k - 2) / (k * k - 1) * lam)
    return f, (k * k - 1) / (3 * lam)


def box_grid(boxes, points):
    axes = [np.linspace(b.lower, b.upper, points) for b in boxes]
    return np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, len(boxes))


def assert_within(rng: Range, values, rel=1e-9):
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    assert rng.lower <= values.min() * (1 + rel) + 1e-300, (rng, values.min())
    assert values.max() * (1 - rel) <= rng.upper, (rng, values.max())


# --- ANOVA: point values -----------------------------------------------------------------

MEANS = ["10.2", "11.5", "9.8"]
SDS = ["2.1", "3.4", "1.9"]
NS = [20, 25, 18]


def test_fisher_point_matches_f_oneway_on_raw_data():
    groups = raw_groups(MEANS, SDS, NS)
    want = stats.f_oneway(*groups)
    got = anova_from_summary([P(m) for m in MEANS], [P(s) for s in SDS], NS, "fisher")
    assert got["F"].value == pytest.approx(want.statistic, rel=1e-10)
    assert got["p"].value == pytest.approx(want.pvalue, rel=1e-10)
    assert got["df1"] == Range(2.0, 2.0, 2.0)
    assert got["df2"] == Range(60.0, 60.0, 60.0)


def test_welch_point_matches_raw_data():
    groups = raw_groups(MEANS, SDS, NS)
    want = stats.f_oneway(*groups, equal_var=False)
    m = np.array([g.mean() for g in groups])
    s = np.array([g.std(ddof=1) for g in groups])
    f_hand, df2_hand = welch_f(m, s, NS)
    got = anova_from_summary([P(x) for x in MEANS], [P(x) for x in SDS], NS, "welch")
    assert got["F"].value == pytest.approx(want.statistic, rel=1e-10)
    assert got["F"].value == pytest.approx(f_hand, rel=1e-10)
    assert got["p"].value == pytest.approx(want.pvalue, rel=1e-10)
    assert got["df2"].value == pytest.approx(df2_hand, rel=1e-10)


def test_welch_point_matches_pingouin():
    pg = pytest.importorskip("pingouin")
    import pandas as pd

    groups = raw_groups(MEANS, SDS, NS)
    data = pd.DataFrame({"y": np.concatenate(groups),
                         "g": np.repeat(["a", "b", "c"], NS)})
    row = pg.welch_anova(data=data, dv="y", between="g").iloc[0]
    got = anova_from_summary([P(x) for x in MEANS], [P(x) for x in SDS], NS, "welch")
    assert got["F"].value == pytest.approx(row["F"], rel=1e-8)
    assert got["p"].value == pytest.approx(row["p_unc"] if "p_unc" in row else row["p-unc"],
                                           rel=1e-8)
    assert got["df2"].value == pytest.approx(row["ddof2"], rel=1e-8)


@pytest.mark.parametrize("test", ["fisher", "welch"])
def test_two_groups_is_the_t_test(test):
    m1, s1, n1, m2, s2, n2 = "10.2", "2.1", 20, "11.5", "3.4", 25
    got = anova_from_summary([P(m1), P(m2)], [P(s1), P(s2)], [n1, n2], test)
    res = stats.ttest_ind_from_stats(float(m1), float(s1), n1, float(m2), float(s2), n2,
                                     equal_var=test == "fisher")
    assert got["F"].value == pytest.approx(res.statistic ** 2, rel=1e-10)
    assert got["p"].value == pytest.approx(res.pvalue, rel=1e-10)
    if test == "welch":  # Welch-Satterthwaite df
        v1, v2 = float(s1) ** 2 / n1, float(s2) ** 2 / n2
        df = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1))
        assert got["df2"].value == pytest.approx(df, rel=1e-10)
    # the box extremes agree with the two-sample t-test's (found by another route)
    t = ttest_from_summary(P(m1), P(s1), n1, P(m2), P(s2), n2,
                           "student" if test == "fisher" else "welch")
    rel = 1e-9 if test == "fisher" else 1e-6
    assert got["p"].lower == pytest.approx(t["p"].lower, rel=rel)
    assert got["p"].upper == pytest.approx(t["p"].upper, rel=rel)
    assert got["F"].upper == pytest.approx(max(t["t"].lower ** 2, t["t"].upper ** 2), rel=rel)


# --- ANOVA: extremes over the box ----------------------------------------------------------

# Printed to whole units: the intervals [9.5, 10.5], [11.5, 12.5], [10.5, 11.5] share no
# point, and the smallest between-group spread puts the third mean inside its interval.
WIDE_MEANS = ["10", "12", "11"]
WIDE_SDS = ["2.0", "3.5", "2.6"]
WIDE_NS = [10, 20, 15]


def _brute(test, points_m, points_s):
    means = [P(x) for x in WIDE_MEANS]
    sds = [P(x) for x in WIDE_SDS]
    grid = box_grid(means + sds, points_m)  # all 6 coordinates on one grid
    m, s = grid[:, :3], grid[:, 3:]
    k, big_n = 3, sum(WIDE_NS)
    if test == "fisher":
        f, df2 = fisher_f(m, s, WIDE_NS), np.full(len(grid), big_n - k, dtype=float)
    else:
        f, df2 = welch_f(m, s, WIDE_NS)
    return f, df2, stats.f.sf(f, k - 1, df2)


@pytest.mark.parametrize("test", ["fisher", "welch"])
def test_extremes_contain_a_brute_force_grid(test):
    got = anova_from_summary([P(x) for x in WIDE_MEANS], [P(x) for x in WIDE_SDS],
                             WIDE_NS, test)
    f, df2, p = _brute(test, 7, 7)   # 7^6 points, every corner included
    assert_within(got["F"], f)
    assert_within(got["p"], p)
    assert_within(got["df2"], df2)
    # attained: the grid gets close to each bound (the corners are on the grid)
    assert f.max() == pytest.approx(got["F"].upper, rel=1e-3)
    assert p.min() == pytest.approx(got["p"].lower, rel=1e-2)
    assert f.min() == pytest.approx(got["F"].lower, rel=1e-2)
    assert p.max() == pytest.approx(got["p"].upper, rel=1e-2)
    if test == "welch":
        assert df2.min() == pytest.approx(got["df2"].lower, rel=1e-3)
        assert df2.max() == pytest.approx(got["df2"].upper, rel=1e-3)


def test_fisher_extremes_attained_exactly():
    """Fisher's smallest F: SDs at their upper ends, the means on a fine grid of the
    mean box; largest F: SDs at their lower ends, the means at the box corners."""
    means = [P(x) for x in WIDE_MEANS]
    got = anova_from_summary(means, [P(x) for x in WIDE_SDS], WIDE_NS, "fisher")
    m = box_grid(means, 201)
    s_hi = np.array([P(x).upper for x in WIDE_SDS])
    s_lo = np.array([P(x).lower for x in WIDE_SDS])
    f_min = fisher_f(m, np.broadcast_to(s_hi, m.shape), WIDE_NS).min()
    corners = box_grid(means, 2)
    f_max = fisher_f(corners, np.broadcast_to(s_lo, corners.shape), WIDE_NS).max()
    assert got["F"].lower <= f_min
    assert got["F"].lower == pytest.approx(f_min, rel=1e-4)
    assert got["F"].upper == pytest.approx(f_max, rel=1e-12)
    assert got["p"].upper == pytest.approx(stats.f.sf(got["F"].lower, 2, 42), rel=1e-12)


@pytest.mark.parametrize("test", ["fisher", "welch"])
def test_common_point_gives_p_one(test):
    # [9.95, 10.05], [10.05, 10.15], [9.95, 10.05] share 10.05
    got = anova_from_summary([P("10.0"), P("10.1"), P("10.0")],
                             [P("1.2"), P("0.8"), P("1.5")], [12, 9, 14], test)
    assert got["p"].upper == 1.0
    assert got["F"].lower == 0.0
    assert got["p"].lower < got["p"].value < 1.0


def test_fisher_sds_reaching_zero():
    # every SD printed "0.0": the within-group SS can be 0 while the means differ
    got = anova_from_summary([P("1.0"), P("2.0")], [P("0.0"), P("0.0")], [5, 5], "fisher")
    assert got["F"].upper == math.inf
    assert got["p"].lower == 0.0


def test_welch_two_sds_reaching_zero():
    got = anova_from_summary([P("1.0"), P("2.0"), P("1.5")],
                             [P("0.0"), P("0.0"), P("1.0")], [5, 6, 7], "welch")
    assert math.isnan(got["F"].value)           # a printed SD of 0: Welch undefined
    assert got["F"].upper == math.inf and got["p"].lower == 0.0


@pytest.mark.parametrize("kwargs, match", [
    (dict(means=[P("1.0")], sds=[P("1.0")], ns=[5]), "at least 2 groups"),
    (dict(means=[P("1.0"), P("2.0")], sds=[P("1.0"), P("1.0")], ns=[5, 1]), "n must be"),
    (dict(means=[P("1.0"), P("2.0")], sds=[P("1.0"), Box(-1.0, -1.05, -0.95)], ns=[5, 5]),
     "negative"),
    (dict(means=[P("1.0"), P("2.0")], sds=[P("1.0")], ns=[5, 5]), "one mean, SD and n"),
    (dict(means=[P("1.0"), P("2.0")], sds=[P("1.0"), P("1.0")], ns=[5, 5], test="x"),
     "test must be"),
    (dict(means=[P("1.0")] * 13, sds=[P("1.0")] * 13, ns=[5] * 13), "at most 12"),
])
def test_anova_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        anova_from_summary(**kwargs)


# --- contingency tables: hand formulas ----------------------------------------------------

def expected(table):
    t = np.asarray(table, dtype=float)
    return np.outer(t.sum(1), t.sum(0)) / t.sum()


def test_chi2_and_g_by_hand():
    table = [[12, 5, 9], [7, 14, 3], [4, 6, 10]]
    o, e = np.asarray(table, dtype=float), expected(table)
    x2 = ((o - e) ** 2 / e).sum()
    g = 2 * (o * np.log(o / e)).sum()
    chi = contingency_test(table, "chi2")
    assert chi["statistic"] == pytest.approx(x2, rel=1e-12)
    assert chi["df"] == 4
    assert chi["p"] == pytest.approx(stats.chi2.sf(x2, 4), rel=1e-10)
    gt = contingency_test(table, "g_test")
    assert gt["statistic"] == pytest.approx(g, rel=1e-12)
    assert gt["p"] == pytest.approx(stats.chi2.sf(g, 4), rel=1e-10)


def test_chi2_two_by_two_with_and_without_yates():
    table = [[15, 5], [8, 12]]
    o, e = np.asarray(table, dtype=float), expected(table)
    plain = ((o - e) ** 2 / e).sum()
    yates = ((np.abs(o - e) - 0.5) ** 2 / e).sum()    # |O - E| = 3.5 >= 0.5 in every cell
    assert contingency_test(table, "chi2")["statistic"] == pytest.approx(plain, rel=1e-12)
    res = contingency_test(table, "chi2_yates")
    assert res["statistic"] == pytest.approx(yates, rel=1e-12)
    assert res["p"] == pytest.approx(stats.chi2.sf(yates, 1), rel=1e-10)


def hypergeometric_p(table) -> float:
    """Two-sided Fisher p of a 2 x 2 table from exact hypergeometric probabilities."""
    (a, b), (c, d) = table
    r1, r2, c1 = a + b, c + d, a + c
    prob = {x: Fraction(math.comb(r1, x) * math.comb(r2, c1 - x), math.comb(r1 + r2, c1))
            for x in range(max(0, c1 - r2), min(r1, c1) + 1)}
    return float(sum(q for q in prob.values() if q <= prob[a]))


@pytest.mark.parametrize("table", [[[8, 2], [1, 5]], [[3, 1], [1, 3]], [[10, 0], [2, 7]]])
def test_fisher_two_by_two_by_hand(table):
    want = hypergeometric_p(table)
    assert contingency_test(table, "fisher")["p"] == pytest.approx(want, rel=1e-12)
    ffh = contingency_test(table, "fisher_freeman_halton")
    assert ffh["p"] == pytest.approx(want, rel=1e-12)
    assert "exact" in ffh["method"]


def ffh_brute(table) -> float:
    """Fisher-Freeman-Halton p by listing every table with the margins, in rationals."""
    t = np.asarray(table)
    rows, cols, total = t.sum(1).tolist(), t.sum(0).tolist(), int(t.sum())
    r, c = t.shape
    numerator = math.prod(math.factorial(x) for x in rows + cols)

    def prob(cells):
        return Fraction(numerator, math.factorial(total)
                        * math.prod(math.factorial(x) for x in cells))

    observed = prob(t.ravel().tolist())
    p = Fraction(0)
    ranges = [range(min(rows[i], cols[j]) + 1) for i in range(r - 1) for j in range(c - 1)]
    for free in itertools.product(*ranges):
        grid = [list(free[i * (c - 1):(i + 1) * (c - 1)]) for i in range(r - 1)]
        for row, total_row in zip(grid, rows):
            row.append(total_row - sum(row))
        grid.append([cols[j] - sum(grid[i][j] for i in range(r - 1)) for j in range(c)])
        cells = [x for row in grid for x in row]
        if min(cells) < 0:
            continue
        q = prob(cells)
        if q <= observed:
            p += q
    return float(p)


@pytest.mark.parametrize("table", [
    [[3, 1, 4], [1, 5, 2]],
    [[2, 0, 3], [1, 4, 0], [0, 2, 3]],
    [[5, 1], [0, 4], [2, 2]],
])
def test_fisher_freeman_halton_against_brute_force(table):
    res = contingency_test(table, "fisher_freeman_halton")
    assert res["p"] == pytest.approx(ffh_brute(table), rel=1e-10)
    assert res["df"] is None and "enumerated" in res["note"]


def test_fisher_freeman_halton_published_r_value():
    # R's fisher.test(matrix(1:9, ncol = 3)) prints p-value = 0.9888, as shown in
    # https://tutorialspoint.com/how-to-perform-fisher-test-in-r (3205 tables: exact here)
    res = contingency_test([[1, 4, 7], [2, 5, 8], [3, 6, 9]], "fisher_freeman_halton")
    assert round(res["p"], 4) == 0.9888


def test_fisher_freeman_halton_monte_carlo_r_documentation():
    # R's ?fisher.test, Agresti (2002, p. 57) job satisfaction: "fisher.test(Job) # 0.7827"
    # (src/library/stats/man/fisher.test.Rd). ~9e7 tables with these margins: Monte Carlo.
    job = [[1, 3, 10, 6], [2, 3, 10, 7], [1, 6, 14, 12], [0, 1, 9, 11]]
    res = contingency_test(job, "fisher_freeman_halton")
    assert "Monte Carlo" in res["method"]
    se = math.sqrt(0.7827 * (1 - 0.7827) / 100_000)
    assert abs(res["p"] - 0.7827) < 4 * se


def test_monte_carlo_is_seeded_and_reports_its_standard_error():
    table = [[2, 0, 3], [1, 4, 0], [0, 2, 3]]
    exact = ffh_brute(table)
    a = contingency_test(table, "fisher_freeman_halton", exact_limit=10, mc_samples=20_000)
    b = contingency_test(table, "fisher_freeman_halton", exact_limit=10, mc_samples=20_000)
    c = contingency_test(table, "fisher_freeman_halton", exact_limit=10, mc_samples=20_000,
                         seed=1)
    assert a == b
    assert a["p"] != c["p"]
    se = math.sqrt(a["p"] * (1 - a["p"]) / 20_000)
    assert f"{se:.2g}" in a["note"] and "seed 20170801" in a["note"]
    assert abs(a["p"] - exact) < 4 * se


def test_empty_rows_and_columns_are_dropped():
    table = [[3, 0, 1], [0, 0, 0], [1, 0, 5]]
    for test in ("chi2", "g_test", "fisher_freeman_halton"):
        full, reduced = contingency_test(table, test), contingency_test([[3, 1], [1, 5]], test)
        assert full["p"] == pytest.approx(reduced["p"], rel=1e-12)
        assert "dropped 1 empty row(s) and 1 empty column(s)" in full["note"]
    assert contingency_test(table, "fisher_freeman_halton")["p"] == pytest.approx(
        hypergeometric_p([[3, 1], [1, 5]]), rel=1e-12)


@pytest.mark.parametrize("test", ["chi2", "chi2_yates", "g_test", "fisher",
                                  "fisher_freeman_halton"])
def test_table_collapsing_to_one_column_gives_p_one(test):
    res = contingency_test([[4, 0], [7, 0]], test)
    assert res["p"] == 1.0
    assert "single non-empty row or column" in res["note"]


@pytest.mark.parametrize("table, test, match", [
    ([[1, 2, 3], [4, 5, 6]], "fisher", "2 x 2"),
    ([[1, 2, 3], [4, 5, 6], [7, 8, 9]], "chi2_yates", "2 x 2"),
    ([[1, -2], [3, 4]], "chi2", "non-negative integers"),
    ([[1.5, 2], [3, 4]], "chi2", "non-negative integers"),
    ([[1, 2], [3, 4]], "mcnemar", "test must be"),
    ([1, 2, 3], "chi2", "r x c"),
    ([[1, 2], [3]], "chi2", "r x c"),
    ([[True, False], [False, True]], "chi2", "non-negative integers"),
])
def test_contingency_rejects_bad_input(table, test, match):
    with pytest.raises(ValueError, match=match):
        contingency_test(table, test)


# --- tables from printed percentages -----------------------------------------------------

def counts_printing_as(percent: str, n: int) -> list[int]:
    """Counts k whose 100 k / n rounds (half up or half even) to the printed text."""
    unit = Decimal(1).scaleb(Decimal(percent).as_tuple().exponent)
    return [k for k in range(n + 1)
            if any((Decimal(100 * k) / Decimal(n)).quantize(unit, rounding=mode)
                   == Decimal(percent) for mode in (ROUND_HALF_UP, ROUND_HALF_EVEN))]


def test_tables_from_printed_percentages():
    cells = [[("1", 150), 50], [("2%", 150), 40]]
    first, second = counts_printing_as("1", 150), counts_printing_as("2", 150)
    assert first == [1, 2] and second == [3]
    tables = list(contingency_from_printed(cells))
    assert tables == [[[k, 50], [j, 40]] for k in first for j in second]
    rng = contingency_range(tables, "fisher")
    ps = [hypergeometric_p(t) for t in tables]
    assert math.isnan(rng.value)
    assert rng.lower == pytest.approx(min(ps), rel=1e-12)
    assert rng.upper == pytest.approx(max(ps), rel=1e-12)
    one = contingency_range([[[1, 50], [3, 40]]], "fisher")
    assert one.value == one.lower == one.upper == pytest.approx(hypergeometric_p(
        [[1, 50], [3, 40]]), rel=1e-12)


def test_printed_percentages_that_fit_no_count():
    with pytest.raises(ValueError, match="no count"):
        contingency_from_printed([[("50", 7), 1], [2, 3]])   # 3/7 = 42.9%, 4/7 = 57.1%
    with pytest.raises(ValueError, match="max_tables"):
        contingency_from_printed([[("1", 1000)] * 3] * 2, max_tables=10)
    with pytest.raises(ValueError, match="no table"):
        contingency_range([], "chi2")


# --- the Welch search's fast paths reproduce the plain computation to the last bit ------

def test_f_logsf_is_scipys_bit_for_bit():
    from reanalysis.engine.kgroup_stats import _f_logsf
    x = np.array([0.0, -1.0, 1e-300, 1e-6, 0.2, 0.9, 1.0, 3.3, 25.0, 1e5, np.inf, np.nan])
    for dfn in (1.0, 2.0, 3.0, 11.0):
        for dfd in (0.5, 2.0, 4.4, 17.9, 250.0, 1e7, np.inf, 0.0, -3.0, np.nan):
            np.testing.assert_array_equal(_f_logsf(x, dfn, dfd), stats.f.logsf(x, dfn, dfd))
    xs, dfds = np.meshgrid(np.geomspace(1e-3, 60, 47), np.geomspace(1.5, 3e3, 29))
    np.testing.assert_array_equal(_f_logsf(xs, 3.0, dfds), stats.f.logsf(xs, 3.0, dfds))
    median = stats.f.median(3.0, dfds)
    np.testing.assert_array_equal(_f_logsf(xs, 3.0, dfds, median=median),
                                  stats.f.logsf(xs, 3.0, dfds))


@pytest.mark.parametrize("k", [2, 3, 4, 5, 8, 12])
def test_welch_parts_row_by_row_equal_each_point_alone(k):
    """The search evaluates a point and its finite-difference steps in one call; each row
    must be exactly what that point gives alone (BLAS rounds several rows differently)."""
    from reanalysis.engine.kgroup_stats import _welch_parts
    rng = np.random.default_rng(k)
    for overlap in (False, True):
        lo = rng.normal(scale=3, size=k)
        hi = lo + rng.uniform(0.01, 4 if overlap else 0.05, size=k)
        s_bottom = rng.uniform(1e-3, 2, size=k)
        s_top = s_bottom + rng.uniform(0.01, 3, size=k)
        n = rng.integers(2, 200, size=k).astype(float)
        parts = _welch_parts(lo, hi, s_bottom, s_top, n)
        x = rng.uniform(size=(k + 1, k))
        x[0] = [0.0] * (k - 1) + [1.0]
        batch = [part() for part in parts(x, row_by_row=True)]
        for i in range(k + 1):
            alone = [part() for part in parts(x[i:i + 1])]
            for b, a in zip(batch, alone):
                assert b[i] == a[0]
