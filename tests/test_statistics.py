"""The statistics core (reanalysis.engine.analyses, run by reanalysis.audit.patient_level) against independent computations.

The package computes with pingouin; every expected value here comes from scipy,
numpy or the statistics module, or from the formula worked by hand in the test.
Data are small synthetic tables printed to one decimal, like HbA1c in Table 1.
"""
from __future__ import annotations

import math
import statistics
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special, stats

from reanalysis.audit.patient_level import (
    AS_REPORTED,
    expand_check,
    load_patient_table,
    recompute,
    subset_mask,
)
from reanalysis.engine.analyses.correlation import correlation as _correlation
from reanalysis.engine.analyses.describe import describe as _describe
from reanalysis.engine.analyses.paired_test import paired as _paired
from reanalysis.engine.analyses.two_group_test import two_group as _two_group

REL = 1e-9

# Paired data: differences before - after are, in decimal arithmetic,
#   d = [0.5, 0.3, 1.2, -0.2, 0.9, 2.1, 0.7, 0.4]   (all |d| distinct, no zeros)
BEFORE = [8.1, 7.4, 9.0, 6.9, 7.7, 10.2, 8.4, 7.1]
AFTER = [7.6, 7.1, 7.8, 7.1, 6.8, 8.1, 7.7, 6.7]
DIFF = [0.5, 0.3, 1.2, -0.2, 0.9, 2.1, 0.7, 0.4]


@pytest.fixture(scope="module")
def paired_t():
    return _paired(pd.Series(BEFORE), pd.Series(AFTER), "paired_t")[0]


# --- paired t ------------------------------------------------------------------------------

def test_paired_t_against_hand_formula(paired_t):
    n = len(DIFF)
    mean = sum(DIFF) / n                     # 5.9 / 8 = 0.7375
    assert mean == pytest.approx(0.7375, rel=REL)
    sd = statistics.stdev(DIFF)
    t = mean / (sd / math.sqrt(n))           # t = mean(d) / (sd(d) / sqrt(n))
    assert paired_t["n"] == n
    assert paired_t["mean_difference"] == pytest.approx(mean, rel=REL)
    assert paired_t["T"] == pytest.approx(t, rel=REL)
    assert paired_t["dof"] == n - 1
    assert paired_t["p"] == pytest.approx(2 * stats.t.sf(abs(t), n - 1), rel=1e-8)
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    assert paired_t["ci95_low"] == pytest.approx(mean - half, rel=1e-8)
    assert paired_t["ci95_high"] == pytest.approx(mean + half, rel=1e-8)


def test_paired_t_against_scipy(paired_t):
    res = stats.ttest_rel(BEFORE, AFTER)
    assert paired_t["T"] == pytest.approx(res.statistic, rel=REL)
    assert paired_t["p"] == pytest.approx(res.pvalue, rel=REL)
    assert paired_t["dof"] == res.df


def test_paired_cohen_d_is_d_avg(paired_t):
    # pingouin.compute_effsize documents, for paired=True, Cohen's d_avg (Cumming 2012):
    #   d_avg = (mean(x) - mean(y)) / sqrt((var(x) + var(y)) / 2)
    # (not d_z = mean(d) / sd(d)), and pingouin.ttest reports its absolute value.
    d_avg = ((statistics.mean(BEFORE) - statistics.mean(AFTER))
             / math.sqrt((statistics.variance(BEFORE) + statistics.variance(AFTER)) / 2))
    assert paired_t["cohen_d"] == pytest.approx(abs(d_avg), rel=1e-8)
    d_z = statistics.mean(DIFF) / statistics.stdev(DIFF)
    assert paired_t["cohen_d"] != pytest.approx(d_z, rel=1e-3)


def test_paired_bf10_against_jzs_integral(paired_t):
    # Rouder et al. (2009): the JZS prior puts a Cauchy(0, r) prior on the standardised
    # effect delta; given delta the t statistic is noncentral t with nu = n - 1 and
    # noncentrality delta * sqrt(n). BF10 = marginal likelihood of t / density under delta=0.
    n, r = len(DIFF), 0.707
    t, nu = paired_t["T"], n - 1
    marginal, _ = integrate.quad(
        lambda delta: stats.nct.pdf(t, nu, delta * math.sqrt(n)) * stats.cauchy.pdf(delta, scale=r),
        -np.inf, np.inf)
    assert paired_t["BF10"] == pytest.approx(marginal / stats.t.pdf(t, nu), rel=1e-6)


# --- Wilcoxon signed-rank --------------------------------------------------------------------

def test_wilcoxon_without_ties():
    res = _paired(pd.Series(BEFORE), pd.Series(AFTER), "wilcoxon")[0]
    # |d| sorted: 0.2(-) 0.3 0.4 0.5 0.7 0.9 1.2 2.1 -> ranks 1..8; W- = 1, W+ = 35, W = 1.
    # Exact two-sided p: sign patterns with W- <= 1 are {} and {rank 1}: 2 of 2**8,
    # p = 2 * 2 / 256 = 0.015625.
    assert res["W"] == 1
    assert res["p"] == pytest.approx(2 * 2 / 256, rel=REL)
    sp = stats.wilcoxon(BEFORE, AFTER)
    assert (res["W"], res["p"]) == (pytest.approx(sp.statistic), pytest.approx(sp.pvalue, rel=REL))


# Decimal data whose |d| tie in decimal arithmetic but not in float arithmetic:
# 8.3 - 7.8 = 0.5 exactly, yet the float difference is 0.5000000000000009, while
# 7.6 - 8.1 gives exactly -0.5.
TIE_BEFORE = ["8.3", "7.6", "7.4", "9.0", "10.2", "6.9", "7.7", "12.4"]
TIE_AFTER = ["7.8", "8.1", "7.7", "8.1", "9.0", "6.7", "7.0", "11.0"]


def test_wilcoxon_with_decimal_ties():
    exact_d = [float(Decimal(b) - Decimal(a)) for b, a in zip(TIE_BEFORE, TIE_AFTER)]
    assert exact_d == [0.5, -0.5, -0.3, 0.9, 1.2, 0.2, 0.7, 1.4]
    res = _paired(pd.Series(map(float, TIE_BEFORE)), pd.Series(map(float, TIE_AFTER)), "wilcoxon")[0]
    # |d|: 0.2 -> 1, 0.3(-) -> 2, 0.5(-) and 0.5(+) tie -> 3.5 each, 0.7 -> 5, 0.9 -> 6,
    # 1.2 -> 7, 1.4 -> 8. W- = 2 + 3.5 = 5.5, W+ = 36 - 5.5 = 30.5, W = 5.5.
    assert res["W"] == 5.5
    # Exact null distribution over the 2**8 sign patterns of ranks {1,2,3.5,3.5,5,6,7,8}:
    # subsets with sum <= 5.5: {}, {1}, {2}, {3.5a}, {3.5b}, {5}, {1,2}, {1,3.5a},
    # {1,3.5b}, {2,3.5a}, {2,3.5b} = 11; p = 2 * 11 / 256 = 0.0859375.
    assert res["p"] == pytest.approx(2 * 11 / 256, rel=REL)
    # scipy on the exact differences (pingouin documents correction=True):
    sp = stats.wilcoxon(exact_d, correction=True)
    assert res["p"] == pytest.approx(sp.pvalue, rel=REL)


def test_derived_difference_keeps_decimal_ties(tmp_path):
    # load_patient_table derives hba1c_reduction = before - after. For decimal data the
    # difference must be the decimal difference, or rank-based tests (Wilcoxon, Spearman,
    # Mann-Whitney) break ties by binary noise.
    schema = tmp_path / "schema.yaml"
    schema.write_text("columns:\n  row_id: {type: string}\n"
                      "  hba1c_before: {type: number}\n  hba1c_after: {type: number}\n")
    table = tmp_path / "table.csv"
    table.write_text("row_id,hba1c_before,hba1c_after\n"
                     + "".join(f"P{i},{b},{a}\n" for i, (b, a) in enumerate(zip(TIE_BEFORE, TIE_AFTER))))
    study = {"table": str(table), "table_schema": str(schema),
             "derived": {"hba1c_reduction": {"difference": ["hba1c_before", "hba1c_after"]}}}
    df = load_patient_table(study)
    # Decimal("8.3") - Decimal("7.8") == Decimal("8.1") - Decimal("7.6") == 0.5
    assert Decimal("8.3") - Decimal("7.8") == Decimal("0.5")
    assert df["hba1c_reduction"].iloc[0] == 0.5
    assert df["hba1c_reduction"].abs().iloc[0] == df["hba1c_reduction"].abs().iloc[1]


# --- correlation -------------------------------------------------------------------------------

# x = 1..5, y = [2, 1, 4, 3, 5]: deviations dx = [-2,-1,0,1,2], dy = [-1,-2,1,0,2];
# Sxy = 2 + 2 + 0 + 0 + 4 = 8, Sxx = Syy = 10, r = 8 / 10 = 0.8.
X = [1.0, 2.0, 3.0, 4.0, 5.0]
Y = [2.0, 1.0, 4.0, 3.0, 5.0]


def test_pearson():
    res = _correlation(pd.Series(X), pd.Series(Y), "pearson")[0]
    n, r = 5, 0.8
    assert res["n"] == n
    assert res["r"] == pytest.approx(r, rel=REL)
    assert res["r"] == pytest.approx(np.corrcoef(X, Y)[0, 1], rel=REL)
    # t = r sqrt(n - 2) / sqrt(1 - r^2) = 0.8 * sqrt(3) / 0.6 = 2.3094...
    t = r * math.sqrt(n - 2) / math.sqrt(1 - r ** 2)
    assert res["p"] == pytest.approx(2 * stats.t.sf(t, n - 2), rel=1e-8)
    assert res["p"] == pytest.approx(stats.pearsonr(X, Y).pvalue, rel=1e-8)
    # Fisher z interval: tanh(atanh(r) -/+ z_0.975 / sqrt(n - 3))
    z, half = math.atanh(r), statistics.NormalDist().inv_cdf(0.975) / math.sqrt(n - 3)
    assert res["ci95_low"] == pytest.approx(math.tanh(z - half), rel=1e-8)
    assert res["ci95_high"] == pytest.approx(math.tanh(z + half), rel=1e-8)


def test_pearson_bf10_is_not_rounded():
    # Jeffreys' test with a uniform prior on rho (pingouin's default kappa = 1), as in
    # Ly, Verhagen & Wagenmakers (2016): the two-sided BF10 is
    #   BF10 = integral_0^1 (1 - rho^2)^((n-1)/2) 2F1((n-1)/2, (n-1)/2; 1/2; (r rho)^2) d rho
    res = _correlation(pd.Series(X), pd.Series(Y), "pearson")[0]
    n, r = 5, 0.8
    bf10, _ = integrate.quad(
        lambda rho: (1 - rho ** 2) ** ((n - 1) / 2)
        * special.hyp2f1((n - 1) / 2, (n - 1) / 2, 0.5, (r * rho) ** 2), 0, 1)
    assert res["BF10"] == pytest.approx(bf10, rel=1e-6)


def test_spearman():
    res = _correlation(pd.Series(X), pd.Series(Y), "spearman")[0]
    # No ties: ranks equal the values; d = x - y = [-1, 1, -1, 1, 0], sum d^2 = 4,
    # rho = 1 - 6 * 4 / (5 * (25 - 1)) = 1 - 24 / 120 = 0.8.
    assert res["r"] == pytest.approx(0.8, rel=REL)
    sp = stats.spearmanr(X, Y)
    assert res["r"] == pytest.approx(sp.statistic, rel=REL)
    assert res["p"] == pytest.approx(sp.pvalue, rel=1e-8)


def test_spearman_with_ties_against_scipy():
    x = [6.3, 7.1, 7.1, 8.0, 8.4, 9.9, 12.4]
    y = [0.2, 0.5, 0.3, 0.5, 1.1, 0.9, 2.0]
    res = _correlation(pd.Series(x), pd.Series(y), "spearman")[0]
    sp = stats.spearmanr(x, y)
    assert res["r"] == pytest.approx(sp.statistic, rel=REL)
    assert res["p"] == pytest.approx(sp.pvalue, rel=1e-8)


# --- two groups ---------------------------------------------------------------------------------

A = [1.2, 0.8, 2.1, 1.5, 0.9]
B = [0.4, 0.6, 0.1, 0.9, 0.3, 0.5, 0.2]


def test_student_t():
    res = _two_group(pd.Series(A), pd.Series(B), "student_t")[0]
    na, nb = len(A), len(B)
    ma, mb = sum(A) / na, sum(B) / nb            # 6.5 / 5 = 1.3; 3.0 / 7 = 0.428571...
    sp2 = ((na - 1) * statistics.variance(A) + (nb - 1) * statistics.variance(B)) / (na + nb - 2)
    t = (ma - mb) / math.sqrt(sp2 * (1 / na + 1 / nb))
    assert (res["n_a"], res["n_b"]) == (na, nb)
    assert res["mean_difference"] == pytest.approx(1.3 - 3.0 / 7, rel=REL)
    assert res["T"] == pytest.approx(t, rel=REL)
    assert res["dof"] == na + nb - 2
    sp = stats.ttest_ind(A, B, equal_var=True)
    assert res["T"] == pytest.approx(sp.statistic, rel=REL)
    assert res["p"] == pytest.approx(sp.pvalue, rel=REL)


def test_welch_t():
    res = _two_group(pd.Series(A), pd.Series(B), "welch_t")[0]
    va, vb = statistics.variance(A) / len(A), statistics.variance(B) / len(B)
    t = (statistics.mean(A) - statistics.mean(B)) / math.sqrt(va + vb)
    dof = (va + vb) ** 2 / (va ** 2 / (len(A) - 1) + vb ** 2 / (len(B) - 1))  # Welch-Satterthwaite
    assert res["T"] == pytest.approx(t, rel=REL)
    assert res["dof"] == pytest.approx(dof, rel=REL)
    sp = stats.ttest_ind(A, B, equal_var=False)
    assert res["T"] == pytest.approx(sp.statistic, rel=REL)
    assert res["p"] == pytest.approx(sp.pvalue, rel=REL)
    assert res["dof"] == pytest.approx(sp.df, rel=REL)


def test_mann_whitney_with_a_tie():
    res = _two_group(pd.Series(A), pd.Series(B), "mann_whitney")[0]
    # U of A = pairs (a, b) with a > b, ties counting 1/2:
    # 1.2: 7; 0.8: 6 (all but 0.9); 2.1: 7; 1.5: 7; 0.9: 6 + 0.5 (tie with 0.9) -> 33.5
    assert res["U"] == 33.5
    sp = stats.mannwhitneyu(A, B)   # pingouin.mwu passes scipy's defaults through
    assert res["p"] == pytest.approx(sp.pvalue, rel=REL)


def test_mann_whitney_exact():
    a, b = [5.1, 6.2, 7.3, 8.4], [1.5, 2.6, 3.7, 4.8]
    res = _two_group(pd.Series(a), pd.Series(b), "mann_whitney")[0]
    # Complete separation: U = 4 * 4 = 16. Exact two-sided p: of the C(8,4) = 70 equally
    # likely splits, only this one and its mirror are as extreme: p = 2 / 70.
    assert res["U"] == 16
    assert res["p"] == pytest.approx(2 / 70, rel=REL)
    assert res["p"] == pytest.approx(stats.mannwhitneyu(a, b).pvalue, rel=REL)


# --- descriptive statistics and quantiles -------------------------------------------------

def test_describe_basic():
    x = pd.Series([6.3, 7.1, 7.1, 8.0, 12.4])
    assert _describe(x, "count", None, None)[0] == {"n": 5.0}
    # mean = 40.9 / 5 = 8.18; median = 7.1
    assert _describe(x, "mean", None, None)[0]["value"] == pytest.approx(8.18, rel=REL)
    assert _describe(x, "median", None, None)[0]["value"] == 7.1
    assert _describe(x, "min", None, None)[0]["value"] == 6.3
    assert _describe(x, "max", None, None)[0]["value"] == 12.4
    assert _describe(x, "sd", None, None)[0]["value"] == pytest.approx(statistics.stdev(x), rel=REL)


ONE_TO_EIGHT = pd.Series([5.0, 2.0, 8.0, 1.0, 7.0, 3.0, 6.0, 4.0])   # 1..8, unsorted


@pytest.mark.parametrize("method, q, expected", [
    # Excel QUARTILE.INC (numpy 'linear', Hyndman-Fan 7): position h = (n - 1) p + 1.
    # Q1: h = 7 * 0.25 + 1 = 2.75 -> x2 + 0.75 (x3 - x2) = 2 + 0.75 = 2.75
    ("linear", 0.25, 2.75),
    # Q3: h = 7 * 0.75 + 1 = 6.25 -> x6 + 0.25 (x7 - x6) = 6.25
    ("linear", 0.75, 6.25),
    ("linear", 0.5, 4.5),          # h = 4.5 -> 4.5
    # Excel QUARTILE.EXC (numpy 'weibull', H-F 6): h = (n + 1) p.
    # Q1: h = 9 * 0.25 = 2.25 -> 2.25; Q3: h = 9 * 0.75 = 6.75 -> 6.75
    ("weibull", 0.25, 2.25),
    ("weibull", 0.75, 6.75),
    # Hazen (H-F 5): h = n p + 1/2. Q1: h = 2.5 -> 2.5; Q3: h = 6.5 -> 6.5
    ("hazen", 0.25, 2.5),
    ("hazen", 0.75, 6.5),
    # Nearest rank (H-F 1): smallest x with F(x) >= p. Q1: n p = 2 -> x2 = 2; Q3: 6 -> x6 = 6
    ("inverted_cdf", 0.25, 2.0),
    ("inverted_cdf", 0.75, 6.0),
])
def test_quantile_methods_on_one_to_eight(method, q, expected):
    res = _describe(ONE_TO_EIGHT, "quantile", q, method)[0]
    assert res["value"] == pytest.approx(expected, rel=REL)
    assert res["n"] == 8


@pytest.mark.parametrize("data, method, q, expected", [
    # Sorted [1, 2, 4, 7, 8, 9, 10, 12], QUARTILE.INC Q1: h = 7 * 0.25 + 1 = 2.75,
    # x2 + 0.75 (x3 - x2) = 2 + 0.75 * 2 = 3.5
    ([1, 2, 4, 7, 8, 9, 10, 12], "linear", 0.25, 3.5),
    # Sorted [6, 7, 15, 36, 39, 40, 41, 42, 43, 47, 49], QUARTILE.EXC:
    # Q1: h = 12 * 0.25 = 3 -> x3 = 15; Q3: h = 12 * 0.75 = 9 -> x9 = 43
    ([6, 7, 15, 36, 39, 40, 41, 42, 43, 47, 49], "weibull", 0.25, 15.0),
    ([6, 7, 15, 36, 39, 40, 41, 42, 43, 47, 49], "weibull", 0.75, 43.0),
])
def test_quantile_excel_examples(data, method, q, expected):
    assert _describe(pd.Series(data, dtype=float), "quantile", q, method)[0]["value"] == pytest.approx(expected)


# --- subsets and variants -----------------------------------------------------------------------

def synthetic_study() -> dict:
    """The shape of config/config.yaml's matsuoka2025 study, cut down."""
    return {
        "groupings": {
            "severity": {"column": "before", "variants": {
                # Abstract and Methods: "moderate (HbA1c 6.2-8%) and severe (HbA1c >8%)"
                AS_REPORTED: {"moderate": {"gte": 6.2, "lte": 8.0}, "severe": {"gt": 8.0}},
                "severe_ge_8": {"moderate": {"gte": 6.2, "lt": 8.0}, "severe": {"gte": 8.0}},
            }},
            "dose": {"column": "dose", "variants": {
                AS_REPORTED: {"ge_1000": {"gte": 1000}, "lt_1000": {"lt": 1000}},
            }},
        },
        "methods": {
            "paired_test": {AS_REPORTED: "paired_t", "wilcoxon": "wilcoxon"},
            "correlation": {AS_REPORTED: "pearson", "spearman": "spearman"},
        },
        "checks": {
            "severe_paired_p": {"analysis": "paired_test", "before": "before", "after": "after",
                                "subset": "severity.severe", "statistic": "p"},
            "severe_mean_reduction": {"analysis": "mean", "column": "reduction",
                                      "subset": "severity.severe", "statistic": "value"},
            "n_patients": {"analysis": "count", "statistic": "n"},
            "dose_trend_p": {
                "analysis": "correlation", "x": "dose", "y": "reduction", "statistic": "p",
                "alternatives": {
                    "ge1000_vs_lt1000_welch_t": {
                        "analysis": "two_group_test", "column": "reduction", "group_a": "dose.ge_1000",
                        "group_b": "dose.lt_1000", "method": "welch_t", "statistic": "p"},
                }},
            "severity_definition": {"analysis": "definition_consistency", "grouping": "severity",
                                    "checks": ["severe_paired_p"]},
        },
    }


# Baselines around the 8.0 boundary; reductions all distinct in magnitude.
FRAME = pd.DataFrame({
    "before": [6.2, 7.9, 8.0, 8.1, 8.6, 9.4, 10.2, 12.4],
    "after": [6.0, 7.2, 7.7, 7.5, 8.7, 8.5, 8.6, 9.9],
    "dose": [100, 500, 1000, 2000, 800, 1500, 2000, 300],
})
FRAME["reduction"] = [0.2, 0.7, 0.3, 0.6, -0.1, 0.9, 1.6, 2.5]   # before - after, decimal


@pytest.mark.parametrize("variant, group, rows", [
    (AS_REPORTED, "moderate", [0, 1, 2]),     # 6.2 <= x <= 8.0: 6.2, 7.9, 8.0
    (AS_REPORTED, "severe", [3, 4, 5, 6, 7]),  # x > 8.0: 8.0 excluded
    ("severe_ge_8", "moderate", [0, 1]),       # 6.2 <= x < 8.0
    ("severe_ge_8", "severe", [2, 3, 4, 5, 6, 7]),  # x >= 8.0: 8.0 included
])
def test_subset_mask_boundary_at_8(variant, group, rows):
    mask, desc = subset_mask(FRAME, synthetic_study(), f"severity.{group}", variant)
    assert list(FRAME.index[mask]) == rows
    assert desc.startswith(f"{group} = before")


def test_subset_mask_descriptions():
    study = synthetic_study()
    assert subset_mask(FRAME, study, "severity.severe", AS_REPORTED)[1] == "severe = before > 8"
    assert subset_mask(FRAME, study, "severity.severe", "severe_ge_8")[1] == "severe = before ≥ 8"
    assert subset_mask(FRAME, study, "severity.moderate", AS_REPORTED)[1] == \
        "moderate = before ≥ 6.2 and before ≤ 8"


@pytest.mark.parametrize("ref", [None, "all"])
def test_subset_mask_all_rows(ref):
    mask, desc = subset_mask(FRAME, synthetic_study(), ref, AS_REPORTED)
    assert mask.all() and len(mask) == len(FRAME) and desc == "all rows"


def test_expand_check_grouping_times_methods():
    study = synthetic_study()
    vs = expand_check("severe_paired_p", study["checks"]["severe_paired_p"], study)
    # subset variants (outer) x methods (inner); as_reported parts are left out of a label
    assert [(v.label, v.subset_variant, v.method) for v in vs] == [
        (AS_REPORTED, AS_REPORTED, "paired_t"),
        ("wilcoxon", AS_REPORTED, "wilcoxon"),
        ("severe_ge_8", "severe_ge_8", "paired_t"),
        ("severe_ge_8+wilcoxon", "severe_ge_8", "wilcoxon"),
    ]


def test_expand_check_without_grouping_or_methods():
    study = synthetic_study()
    vs = expand_check("n_patients", study["checks"]["n_patients"], study)
    assert [(v.label, v.subset_variant, v.method) for v in vs] == [(AS_REPORTED, AS_REPORTED, None)]


def test_expand_check_alternatives_labelled_by_key():
    study = synthetic_study()
    spec = study["checks"]["dose_trend_p"]
    vs = expand_check("dose_trend_p", spec, study)
    assert [v.label for v in vs] == [AS_REPORTED, "spearman", "ge1000_vs_lt1000_welch_t"]
    alt = vs[-1]
    assert alt.spec is spec["alternatives"]["ge1000_vs_lt1000_welch_t"]
    assert (alt.subset_variant, alt.method) == (AS_REPORTED, "welch_t")


def test_expand_check_meta_analysis_has_no_variants():
    study = synthetic_study()
    assert expand_check("severity_definition", study["checks"]["severity_definition"], study) == []


@pytest.fixture(scope="module")
def ledger():
    return recompute(FRAME, synthetic_study(), "synthetic")


def value(ledger, check, variant, statistic):
    sel = ledger[(ledger.check == check) & (ledger.variant == variant) & (ledger.statistic == statistic)]
    assert len(sel) == 1, (check, variant, statistic)
    return float(sel["value"].iloc[0])


def test_recompute_labels(ledger):
    assert set(ledger.study) == {"synthetic"}
    assert set(ledger[ledger.check == "severe_paired_p"].variant) == {
        AS_REPORTED, "wilcoxon", "severe_ge_8", "severe_ge_8+wilcoxon"}
    assert "severity_definition" not in set(ledger.check)


def test_recompute_severe_subset_under_each_reading(ledger):
    gt8 = FRAME[FRAME.before > 8.0]       # rows 3..7
    ge8 = FRAME[FRAME.before >= 8.0]      # rows 2..7
    for variant, sub in [(AS_REPORTED, gt8), ("severe_ge_8", ge8)]:
        tt = stats.ttest_rel(sub.before, sub.after)
        assert value(ledger, "severe_paired_p", variant, "p") == pytest.approx(tt.pvalue, rel=REL)
        assert value(ledger, "severe_paired_p", variant, "n") == len(sub)
        assert value(ledger, "severe_mean_reduction", variant, "value") == \
            pytest.approx(statistics.fmean(sub.reduction), rel=REL)
    wx = stats.wilcoxon(ge8.before, ge8.after)
    assert value(ledger, "severe_paired_p", "severe_ge_8+wilcoxon", "p") == pytest.approx(wx.pvalue, rel=REL)
    # as_reported severe mean reduction: (0.6 - 0.1 + 0.9 + 1.6 + 2.5) / 5 = 5.5 / 5 = 1.1
    assert value(ledger, "severe_mean_reduction", AS_REPORTED, "value") == pytest.approx(1.1, rel=REL)


def test_recompute_alternatives(ledger):
    assert value(ledger, "n_patients", AS_REPORTED, "n") == 8
    assert value(ledger, "dose_trend_p", AS_REPORTED, "p") == \
        pytest.approx(stats.pearsonr(FRAME.dose, FRAME.reduction).pvalue, rel=1e-8)
    assert value(ledger, "dose_trend_p", "spearman", "p") == \
        pytest.approx(stats.spearmanr(FRAME.dose, FRAME.reduction).pvalue, rel=1e-8)
    hi, lo = FRAME[FRAME.dose >= 1000].reduction, FRAME[FRAME.dose < 1000].reduction
    assert value(ledger, "dose_trend_p", "ge1000_vs_lt1000_welch_t", "p") == \
        pytest.approx(stats.ttest_ind(hi, lo, equal_var=False).pvalue, rel=REL)
