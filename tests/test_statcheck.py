"""Tests for reanalysis.engine.statcheck: statcheck's recomputation of p and its error rules.

Expected values come from outside the module: every case of statcheck's own test suite
(../shared/reference/statcheck/cases.csv, version 1.6.0, row for row), closed forms of
the distributions worked by hand in the comments, published critical values, and scipy
calls other than the ones the module makes (cdf instead of sf).
"""
from __future__ import annotations

import csv
import math
from decimal import Decimal

import pytest
from scipy import stats

from conftest import REPORTED, SHARED
from reanalysis.engine.statcheck import (ReportedTest, StatcheckResult, check_reported,
                                         mentions_one_tailed, p_from_statistic, parse_result)

CASES_CSV = SHARED / "reference" / "statcheck" / "cases.csv"

# statcheck's argument names -> check_reported's keywords
OPTION_NAMES = {"OneTailedTxt": "one_tailed_txt", "OneTailedTests": "one_tailed_tests",
                "alpha": "alpha", "pZeroError": "p_zero_error",
                "pEqualAlphaSig": "p_equal_alpha_sig"}


def read_cases() -> list[dict[str, str]]:
    with open(CASES_CSV, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


CASES = read_cases()


def options(text: str) -> dict:
    """'alpha=0.1;pEqualAlphaSig=FALSE' -> {'alpha': 0.1, 'p_equal_alpha_sig': False}."""
    out = {}
    for item in filter(None, (part.strip() for part in text.split(";"))):
        name, value = item.split("=")
        if name == "alpha":
            out["alpha"] = float(value)
        else:
            assert value in ("TRUE", "FALSE"), item
            out[OPTION_NAMES[name]] = value == "TRUE"
    return out


def r_compute_p(row: dict[str, str]) -> float:
    """The expected computed p of statcheck's tests/testthat/test-compute-pvalues.R,
    whose expectations are R expressions: pt(-1 * abs(t), df) * 2,
    pf(F, df1, df2, lower.tail = FALSE), pt(-1 * abs(r2t(r, df)), df) * 2 with
    r2t(r, df) = r / sqrt((1 - r^2) / df), pnorm(abs(z), lower.tail = FALSE) * 2 and
    pchisq(x, df, lower.tail = FALSE), translated here to scipy cdf calls."""
    kind, x = row["test_type"], float(row["statistic"])
    if kind == "t":
        return 2 * stats.t.cdf(-abs(x), float(row["df2"]))
    if kind == "F":
        return 1 - stats.f.cdf(x, float(row["df1"]), float(row["df2"]))
    if kind == "r":
        df = float(row["df2"])
        return 2 * stats.t.cdf(-abs(x / math.sqrt((1 - x * x) / df)), df)
    if kind == "Z":
        return 2 * stats.norm.cdf(-abs(x))
    if kind in ("Chi2", "Q"):
        return 1 - stats.chi2.cdf(x, float(row["df1"]))
    raise AssertionError(f"no R expression for {kind}")


def disagreements(row: dict[str, str]) -> list[str]:
    """How our reading of one reference case differs from statcheck's tests (empty when
    it agrees)."""
    result = check_reported(parse_result(row["text"]), **options(row["options"]))
    problems = []
    for column, got in (("expected_error", result.error),
                        ("expected_decision_error", result.decision_error)):
        if row[column]:
            if got != (row[column] == "TRUE"):
                problems.append(f"{column}={row[column]} but got {got}")
    if "compute-pvalues" in row["source_file"]:
        expected = r_compute_p(row)
        if result.computed_p != pytest.approx(expected, rel=1e-9):
            problems.append(f"computed_p={result.computed_p} but R gives {expected}")
    if not (row["expected_error"] or row["expected_decision_error"]
            or "compute-pvalues" in row["source_file"]):
        problems.append("the row asserts nothing this test knows how to check")
    return problems


def case_id(i_row) -> str:
    i, row = i_row
    return f"{i + 2}:{row['text'].strip()}[{row['options'] or 'defaults'}]"


@pytest.mark.parametrize("row", CASES, ids=[case_id(x) for x in enumerate(CASES)])
def test_reference_case(row):
    problems = disagreements(row)
    assert not problems, f"{row['text']!r} ({row['test_that_block']}): {problems}"


@pytest.mark.parametrize("row", CASES, ids=[case_id(x) for x in enumerate(CASES)])
def test_reference_case_parses_as_statcheck_does(row):
    test = parse_result(row["text"])
    assert test.test_type == row["test_type"]
    assert test.df1 == (float(row["df1"]) if row["df1"] else None)
    assert test.df2 == (float(row["df2"]) if row["df2"] else None)
    assert Decimal(test.statistic) == Decimal(row["statistic"])
    assert test.comparison == row["reported_comparison"]
    assert (Decimal(test.p) if test.p is not None else None) == (
        Decimal(row["reported_p"]) if row["reported_p"] else None)


def test_reference_summary():
    agree = sum(not disagreements(row) for row in CASES)
    line = f"statcheck reference cases: {agree}/{len(CASES)} agree"
    print(line)
    REPORTED.append(line)  # printed at the end of every pytest run (conftest)
    assert len(CASES) == 89, f"{CASES_CSV} has {len(CASES)} rows, expected 89"
    assert agree == len(CASES), line


# --- p from the statistic, against independent computations ------------------------

def test_z_two_tailed_matches_erfc():
    # 2 (1 - Phi(z)) = erfc(z / sqrt(2)) (standard identity for the normal tail).
    for z in (0.5, 1.2, 2.2, -2.42, 3.7):
        assert p_from_statistic("Z", z, None, None) == pytest.approx(
            math.erfc(abs(z) / math.sqrt(2)), rel=1e-12)


def test_z_critical_value():
    # 1.959964 is the 97.5 % quantile of the standard normal (every z table): p = .05.
    assert p_from_statistic("Z", 1.959964, None, None) == pytest.approx(0.05, abs=1e-6)
    assert p_from_statistic("Z", 1.959964, None, None, tails=1) == pytest.approx(
        0.025, abs=1e-6)


def test_t_with_one_df_is_cauchy():
    # t with 1 df is the standard Cauchy: P(|T| > t) = 1 - (2 / pi) atan(t); at t = 1
    # atan(1) = pi / 4, so p = 1/2 exactly; at t = sqrt(3), atan = pi / 3, p = 1/3.
    assert p_from_statistic("t", 1.0, None, 1) == pytest.approx(0.5, rel=1e-12)
    assert p_from_statistic("t", math.sqrt(3), None, 1) == pytest.approx(1 / 3, rel=1e-12)


def test_t_with_two_df_closed_form():
    # t with 2 df: P(|T| > t) = 1 - t / sqrt(2 + t^2); at t = 2 that is 1 - 2 / sqrt(6).
    assert p_from_statistic("t", 2.0, None, 2) == pytest.approx(1 - 2 / math.sqrt(6),
                                                                 rel=1e-12)


def test_t_two_tailed_equals_twice_the_lower_cdf_and_one_tailed_half():
    # two-tailed p = 2 (1 - F_t(|t|)), one-tailed p = 1 - F_t(|t|).
    for t, df in ((2.2, 28), (-1.2, 28), (2.9, 97.7)):
        two = 2 * (1 - stats.t.cdf(abs(t), df))
        assert p_from_statistic("t", t, None, df) == pytest.approx(two, rel=1e-9)
        assert p_from_statistic("t", t, None, df, tails=1) == pytest.approx(two / 2,
                                                                             rel=1e-9)


def test_t_critical_value_from_a_table():
    # The two-tailed 5 % critical value of t with 28 df is 2.048 (t tables; statcheck's
    # test-decisionerror.R uses qt(.975, 28) = 2.04840714179524).
    assert p_from_statistic("t", 2.04840714179524, None, 28) == pytest.approx(0.05,
                                                                               abs=1e-12)


def test_f_with_one_numerator_df_is_t_squared():
    # F(1, df) = t(df)^2, so the upper tail of F at t^2 is the two-tailed p of t.
    t, df = 2.2, 28
    assert p_from_statistic("F", t * t, 1, df) == pytest.approx(
        2 * stats.t.cdf(-t, df), rel=1e-9)


def test_f_with_two_numerator_df_closed_form():
    # For F(2, d): P(F > x) = (d / (d + 2x))^(d / 2) (the F(2, d) tail integrates in
    # closed form); F(2, 28) = 2.20 gives (28 / 32.4)^14.
    assert p_from_statistic("F", 2.2, 2, 28) == pytest.approx((28 / 32.4) ** 14, rel=1e-9)


def test_chi2_with_two_df_is_exponential():
    # chi-square with 2 df is exponential with mean 2: P(X > x) = exp(-x / 2). The
    # table's 5 % critical value with 2 df is 5.991; Q uses the same distribution.
    for kind in ("Chi2", "Q", "Qw", "Qb"):
        assert p_from_statistic(kind, 3.0, 2, None) == pytest.approx(math.exp(-1.5),
                                                                      rel=1e-12)
        assert p_from_statistic(kind, 5.991, 2, None) == pytest.approx(0.05, abs=1e-4)


def test_tails_do_not_apply_to_upper_tailed_tests():
    # compute_p.R doubles t, Z and r only.
    assert p_from_statistic("F", 2.2, 2, 28, tails=1) == p_from_statistic("F", 2.2, 2, 28)
    assert p_from_statistic("Chi2", 22.2, 28, None, tails=1) == p_from_statistic(
        "Chi2", 22.2, 28, None)


def test_r_converts_to_t():
    # r = .5 with 12 df: t = r sqrt(df / (1 - r^2)) = .5 sqrt(12 / .75) = .5 * 4 = 2.
    assert p_from_statistic("r", 0.5, None, 12) == pytest.approx(
        2 * (1 - stats.t.cdf(2.0, 12)), rel=1e-9)
    assert p_from_statistic("r", -0.5, None, 12) == p_from_statistic("r", 0.5, None, 12)
    assert p_from_statistic("r", 1.0, None, 12) == 0.0     # a perfect correlation


def test_p_from_statistic_rejects_bad_arguments():
    with pytest.raises(ValueError, match="unknown test type"):
        p_from_statistic("W", 2.0, 1, 2)
    with pytest.raises(ValueError, match="tails"):
        p_from_statistic("t", 2.0, None, 28, tails=3)
    with pytest.raises(ValueError, match="df1 and df2"):
        p_from_statistic("F", 2.0, 2, None)
    with pytest.raises(ValueError, match="one degrees-of-freedom"):
        p_from_statistic("t", 2.0, 3, 28)
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        p_from_statistic("r", 1.5, None, 28)


# --- the rounding interval of the statistic -------------------------------------------

def test_p_range_spans_the_statistics_rounding_interval():
    # "2.20" stands for [2.195, 2.205]; p falls as |t| grows, so the smallest p is at
    # 2.205 and the largest at 2.195 (two-tailed p = 2 F_t(-|t|)).
    result = check_reported(parse_result("t(28) = 2.20, p = .036"))
    assert result.p_low == pytest.approx(2 * stats.t.cdf(-2.205, 28), rel=1e-9)
    assert result.p_high == pytest.approx(2 * stats.t.cdf(-2.195, 28), rel=1e-9)
    assert result.computed_p == pytest.approx(2 * stats.t.cdf(-2.20, 28), rel=1e-9)
    # fewer printed decimals, wider interval: "2.2" is [2.15, 2.25]
    wide = check_reported(parse_result("t(28) = 2.2, p = .036"))
    assert wide.p_high == pytest.approx(2 * stats.t.cdf(-2.15, 28), rel=1e-9)
    assert wide.p_low < result.p_low < result.p_high < wide.p_high


def test_trailing_zeros_of_the_statistic_count():
    # "2.2" allows p down to p(2.25) = .032 (rounds to .03); "2.20" only to .0358 (.04).
    assert not check_reported(parse_result("t(28) = 2.2, p = .03")).error
    assert check_reported(parse_result("t(28) = 2.20, p = .03")).error


def test_interval_through_zero_reaches_p_one():
    # t = 0.0 stands for [-0.05, 0.05], which holds t = 0 where the two-tailed p is 1.
    result = check_reported(parse_result("t(28) = 0.0, p = 1.00"))
    assert result.p_high == 1.0
    assert not result.error


def test_correlation_interval_stays_inside_minus_one_to_one():
    # r = 1.0 stands for [.95, 1.05]; only [.95, 1] are correlations; at r = 1 p = 0.
    result = check_reported(parse_result("r(10) = 1.0, p < .001"))
    assert result.p_low == 0.0
    assert "[0.95, 1]" in result.reason


# --- options --------------------------------------------------------------------------

def test_one_tailed_txt_uses_the_article_flag_when_given():
    # statcheck searches the whole article; here the result's own text says nothing.
    test = parse_result("t(28) = 2.20, p = .018")
    assert check_reported(test, one_tailed_txt=True).error
    result = check_reported(test, one_tailed_txt=True, one_tailed_in_txt=True)
    assert not result.error and result.reading == "one_tailed"
    # without the option the mention changes nothing
    assert check_reported(test, one_tailed_in_txt=True).reading == "two_tailed"


def test_one_tailed_txt_keeps_the_two_tailed_reading_when_one_tailed_does_not_fit():
    result = check_reported(parse_result("t(28) = 2.20, p = .01, one-tailed"),
                            one_tailed_txt=True)
    assert result.error and result.reading == "two_tailed"
    assert result.computed_p == pytest.approx(2 * stats.t.cdf(-2.2, 28), rel=1e-9)


def test_one_tailed_tests_reads_everything_one_tailed():
    result = check_reported(parse_result("t(28) = 2.20, p = .018"), one_tailed_tests=True)
    assert result.reading == "one_tailed" and not result.error
    assert result.computed_p == pytest.approx(stats.t.cdf(-2.2, 28), rel=1e-9)


def test_mentions_one_tailed():
    assert mentions_one_tailed("a one tailed test")
    assert mentions_one_tailed("One-Sided")
    assert mentions_one_tailed("the directional hypothesis")
    assert not mentions_one_tailed("two-tailed tests throughout")


def test_p_zero_error():
    test = parse_result("t(28) = 22.20, p = .000")
    assert check_reported(test).error
    assert "pZeroError" in check_reported(test).reason
    assert not check_reported(test, p_zero_error=False).error


def test_ns_is_p_greater_than_alpha():
    # t(28) = 2.2 has p between .032 and .040: significant at .05, not at .01.
    test = parse_result("t(28) = 2.2, n.s.")
    assert test.comparison == "ns" and test.p is None
    assert check_reported(test).error and check_reported(test).decision_error
    assert not check_reported(test, alpha=0.01).error


def test_alpha_must_be_a_probability():
    with pytest.raises(ValueError, match="alpha"):
        check_reported(parse_result("t(28) = 2.2, p = .03"), alpha=5)


def test_result_fields_and_reason():
    result = check_reported(parse_result("t(28) = 2.20, p = .06"))
    assert isinstance(result, StatcheckResult)
    assert result.error and result.decision_error and result.reading == "two_tailed"
    for part in ("[2.195, 2.205]", "two-tailed", "p = .06", "error", "decision error"):
        assert part in result.reason, (part, result.reason)
    fine = check_reported(parse_result("t(28) = 2.20, p = .036"))
    assert not fine.error and not fine.decision_error and "consistent" in fine.reason


# --- parsing --------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("t(28) = 2.20, p = .03", ("t", None, 28.0, "=", "2.20", "=", ".03")),
    ("t(97.7)=-2.9,p<0.005", ("t", None, 97.7, "=", "-2.9", "<", "0.005")),
    ("F(2, 28) > 2.20, p < .15.", ("F", 2.0, 28.0, ">", "2.20", "<", ".15")),
    ("r(28) = .22, p = .26", ("r", None, 28.0, "=", ".22", "=", ".26")),
    ("χ2(2, N = 1,120) = 8.50, p = .014", ("Chi2", 2.0, None, "=", "8.50", "=", ".014")),
    ("chi-square(3) = 7.81, ns", ("Chi2", 3.0, None, "=", "7.81", "ns", None)),
    ("X2(1) = 3.84, p = .05", ("Chi2", 1.0, None, "=", "3.84", "=", ".05")),
    ("Z = 2.2, p = .03", ("Z", None, None, "=", "2.2", "=", ".03")),
    ("Q(28) = 22.20, p > .79", ("Q", 28.0, None, "=", "22.20", ">", ".79")),
    ("Qw(12) = 3.3, p = .99", ("Qw", 12.0, None, "=", "3.3", "=", ".99")),
    ("Q-between(2) = 3.1, p = .2", ("Qb", 2.0, None, "=", "3.1", "=", ".2")),
    ("As predicted, t(28) = 2.20, p = .03, d = 0.8.",
     ("t", None, 28.0, "=", "2.20", "=", ".03")),
])
def test_parse_result(text, expected):
    test = parse_result(text)
    assert isinstance(test, ReportedTest)
    assert (test.test_type, test.df1, test.df2, test.test_comparison, test.statistic,
            test.comparison, test.p) == expected
    assert test.text == text


@pytest.mark.parametrize("text, why", [
    ("", "not an APA-style test result"),
    ("the effect was large", "not an APA-style test result"),
    ("t(28) = 2,20, p = .03", "decimal comma"),
    ("t(28) = \u22122.20, p = .03", "unicode minus"),
    ("t(28) = 2..2, p = .03", "test statistic"),
    ("F(2) = 3.1, p = .05", "two degrees of freedom"),
    ("t(28, 3) = 2.1, p = .05", "one degree-of-freedom"),
    ("t = 2.1, p = .05", "degrees of freedom in parentheses"),
    ("z(3) = 2.0, p = .04", "no degrees of freedom"),
    ("t(0) = 2.0, p = .04", "positive"),
    ("r(28) = 1.20, p = .01", "[-1, 1]"),
    ("F(2, 28) = -2.20, p = .13", "cannot be negative"),
    ("t(28) = 2.0, p = 1.5", "[0, 1]"),
    ("t(28) = 2.2, p = .03; t(20) = 1.0, p = .33", "2 test results"),
])
def test_parse_errors_name_the_text(text, why):
    with pytest.raises(ValueError) as info:
        parse_result(text)
    message = str(info.value)
    assert repr(text) in message
    assert why in message
