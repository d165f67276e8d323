"""Tests for reanalysis.engine.verdicts.judge: verdicts, scale, intervals, decision errors, hints.

Printed values are taken from Matsuoka 2025 where possible (claim ids of
raw/matsuoka2025/claims.csv cited); recomputed values are hypothetical inputs, and every
expected verdict is worked by hand in the comments.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from reanalysis.engine.rounding import parse_claim
from reanalysis.engine.verdicts import (
    CONSISTENT,
    DISCREPANT,
    REPRODUCED,
    UNVERIFIABLE,
    judge,
    reported_significant,
)


def J(claim: str, value, **kw):
    return judge(parse_claim(claim), value, **kw)


# --- '=' claims ---------------------------------------------------------------------------

@pytest.mark.parametrize("printed, value, verdict", [
    ("0.58", 0.5812, REPRODUCED),    # M-ABS-12 printed 0.58; 0.5812 -> 0.58
    ("0.58", 0.5849, REPRODUCED),    # -> 0.58
    ("0.58", 0.5851, DISCREPANT),    # -> 0.59
    ("0.58", 0.5749, DISCREPANT),    # -> 0.57
    ("7.49", 7.52, DISCREPANT),      # M-ABS-09 printed 7.49; 7.52 -> 7.52
    ("7.49", 7.4948, REPRODUCED),    # -> 7.49
    ("61", 58, DISCREPANT),          # M-ABS-01 printed 61 patients; 58 rows
    ("0.13", 0.125, REPRODUCED),     # tie: half-up 0.13
    ("0.12", 0.125, REPRODUCED),     # tie: half-even 0.12
    ("-2.35", -2.345, REPRODUCED),   # tie: half-up (away from zero) -2.35
    ("-2.34", -2.345, REPRODUCED),   # tie: half-even -2.34
])
def test_equality_claims(printed, value, verdict):
    v = J(printed, value)
    assert v.verdict == verdict
    assert v.decision_error is None          # not a p-value


def test_reproduced_reason_says_how_it_prints():
    v = J("0.58", 0.5812)
    assert "prints as 0.58" in v.reason


def test_discrepant_reason_gives_allowed_interval():
    # "0.58" allows [0.575, 0.585]
    v = J("0.58", 0.5851)
    assert "[0.575, 0.585]" in v.reason


# --- inequality claims -----------------------------------------------------------------------

@pytest.mark.parametrize("printed, value, verdict", [
    ("< 0.0001", 1.4e-7, REPRODUCED),       # M-ABS-11 printed p < 0.0001
    ("< 0.0001", 0.00010001, DISCREPANT),   # not widened by rounding
    ("< 0.0000002", 1.36e-7, REPRODUCED),   # M-ABS-13 printed p < 0.0000002
    ("< 0.0000002", 2.1e-7, DISCREPANT),
    ("< 0.05", 0.049, REPRODUCED),          # M-ABS-20 "significant" read as < 0.05
    (">= 0.05", 0.05, REPRODUCED),          # M-ABS-18 "did not reach significance"
    (">= 0.05", 0.3, REPRODUCED),
    (">= 0.05", 0.049, DISCREPANT),
    ("> 0", 0.97, REPRODUCED),              # M-ABS-16 "more pronounced" read as > 0
    ("> 0", 0.0, DISCREPANT),
    ("≥ 6.2", 6.3, REPRODUCED),             # M-ABS-02 "HbA1c ≥6.2%"; table minimum 6.3 (M-RES-11)
    ("≥ 6.2", 6.1, DISCREPANT),
])
def test_inequality_claims(printed, value, verdict):
    assert J(printed, value).verdict == verdict


def test_inequality_reason_names_the_relation():
    assert "≥ 0.0001" in J("< 0.0001", 0.00010001).reason   # the failed '<' shown as '≥'
    assert "< 0.0001" in J("< 0.0001", 1e-6).reason


# --- scale: recomputed / scale is compared with the printed number --------------------------

@pytest.mark.parametrize("printed, value, scale, verdict", [
    # M-ABS-04 "to 2 billion cells", scale 1000 (table in million cells): 2000 / 1000 = 2
    ("2", 2000, 1000, REPRODUCED),
    ("2", 2400, 1000, REPRODUCED),   # 2.4 -> 2
    ("2", 1400, 1000, DISCREPANT),   # 1.4 -> 1
    ("2", 2600, 1000, DISCREPANT),   # 2.6 -> 3
    # M-ABS-21 "effects persisting for over three years", scale 12 months per year:
    ("> 3", 35.5, 12, DISCREPANT),   # 35.5 / 12 = 2.958... not > 3
    ("> 3", 36, 12, DISCREPANT),     # 36 / 12 = 3, not > 3
    ("> 3", 37, 12, REPRODUCED),     # 37 / 12 = 3.083...
    # M-MET-06 "annually for up to 5 years", "<= 5" at scale 12
    ("<= 5", 68, 12, DISCREPANT),    # 68 / 12 = 5.667 (M-RES-18 longest follow-up 68 months)
    ("<= 5", 60, 12, REPRODUCED),    # 60 / 12 = 5
])
def test_scale(printed, value, scale, verdict):
    assert J(printed, value, scale=scale).verdict == verdict


def test_scale_is_named_in_the_reason():
    v = J("> 3", 35.5, scale=12)
    assert "scale 12" in v.reason
    assert "2.95833" in v.reason        # 35.5 / 12 = 2.958333...
    assert "scale" not in J("> 3", 37).reason   # scale 1: no mention


# --- consistent: the point misses, the interval from rounded inputs meets the claim -----------

@pytest.mark.parametrize("printed, value, interval, kw, verdict", [
    # 0.5749 -> 0.57 misses [0.575, 0.585]; [0.570, 0.580] meets it.
    ("0.58", 0.5749, (0.570, 0.580), {}, CONSISTENT),
    # [0.560, 0.5745] lies wholly below 0.575.
    ("0.58", 0.5700, (0.560, 0.5745), {}, DISCREPANT),
    # No interval given: only the point counts.
    ("0.58", 0.5749, None, {}, DISCREPANT),
    # A point that reproduces stays reproduced whatever the interval.
    ("0.58", 0.58, (0.0, 1.0), {}, REPRODUCED),
    # Inequality: 0.06 is not < 0.05, but [0.04, 0.07] contains values that are.
    ("< 0.05", 0.06, (0.04, 0.07), {}, CONSISTENT),
    ("< 0.05", 0.06, (0.05, 0.07), {}, DISCREPANT),    # strict: 0.05 itself is not < 0.05
    # Scale applies to the interval too: [1400, 1600] / 1000 = [1.4, 1.6] meets [1.5, 2.5].
    ("2", 1400, (1400, 1600), {"scale": 1000}, CONSISTENT),
    ("2", 1400, (1300, 1490), {"scale": 1000}, DISCREPANT),
])
def test_consistent(printed, value, interval, kw, verdict):
    assert J(printed, value, interval=interval, **kw).verdict == verdict


def test_consistent_decision_error():
    # A consistent p-value is not a decision error; a non-p claim has none at all.
    assert J("< 0.05", 0.06, interval=(0.04, 0.07), is_p_value=True).decision_error is False
    assert J("0.58", 0.5749, interval=(0.570, 0.580)).decision_error is None


def test_consistent_reason_names_interval():
    v = J("0.58", 0.5749, interval=(0.570, 0.580))
    assert "[0.57, 0.58]" in v.reason and "meets the claim" in v.reason


# --- unverifiable ------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [None, float("nan"), np.nan, np.float64("nan"), math.nan])
@pytest.mark.parametrize("is_p", [False, True])
def test_unverifiable(value, is_p):
    v = J("0.58", value, is_p_value=is_p)
    assert v.verdict == UNVERIFIABLE
    assert v.decision_error is None


# --- decision errors (statcheck): significance at alpha flips -----------------------------------

@pytest.mark.parametrize("printed, value, alpha, decision_error", [
    ("0.03", 0.07, 0.05, True),       # printed significant, recomputed not
    ("0.2", 0.04, 0.05, True),        # printed not significant, recomputed significant
    ("0.0122", 0.0195, 0.05, False),  # M-ABS-15 printed p = 0.0122; both significant
    ("< 0.05", 0.2, 0.05, True),      # M-ABS-20 printed "< 0.05"
    ("> 0.05", 0.01, 0.05, True),
    (">= 0.05", 0.01, 0.05, True),    # M-ABS-18 printed ">= 0.05"
    ("< 0.0001", 0.003, 0.05, False), # M-ABS-11: discrepant, but 0.003 < 0.05 still
    ("> 0.01", 0.001, 0.05, False),   # "> 0.01" does not say on which side of 0.05 it lies
    ("0.03", 0.07, 0.1, False),       # at alpha 0.1 both 0.03 and 0.07 are significant
    ("0.0122", 0.0122, 0.05, False),  # reproduced
    ("< 0.0001", 1e-9, 0.05, False),  # reproduced
])
def test_decision_error(printed, value, alpha, decision_error):
    v = J(printed, value, is_p_value=True, alpha=alpha)
    assert v.decision_error is decision_error
    assert ("flips" in v.reason) is decision_error


@pytest.mark.parametrize("printed, value", [("0.03", 0.07), ("< 0.05", 0.2), ("0.58", 0.5812)])
def test_no_decision_error_for_non_p_values(printed, value):
    assert J(printed, value).decision_error is None


@pytest.mark.parametrize("printed, alpha, said", [
    ("0.03", 0.05, True),
    ("0.07", 0.05, False),
    ("< 0.05", 0.05, True),
    ("< 0.0001", 0.05, True),
    ("< 0.1", 0.05, None),      # could be either side of 0.05
    ("> 0.05", 0.05, False),
    (">= 0.05", 0.05, False),
    ("> 0.01", 0.05, None),
])
def test_reported_significant(printed, alpha, said):
    assert reported_significant(parse_claim(printed), alpha) is said


# --- truncation hint -------------------------------------------------------------------------------

@pytest.mark.parametrize("printed, value, hint", [
    # M-ABS-06 / M-RES-16 printed median follow-up 35 months.
    ("35", 35.5, True),    # 35.5 -> 36 (half-up; half-even: 5 odd -> 36); truncation -> 35
    ("35", 35.9, True),    # -> 36; truncation -> 35
    ("35", 36.7, False),   # -> 37; truncation -> 36
    ("35", 34.2, False),   # -> 34; truncation -> 34
    ("0.58", 0.5899, True),  # -> 0.59; truncation -> 0.58
])
def test_truncation_hint(printed, value, hint):
    v = J(printed, value)
    assert v.verdict == DISCREPANT
    assert ("truncating (not rounding) would give the printed value" in v.reason) is hint


def test_no_truncation_hint_when_reproduced():
    v = J("35", 35.2)      # -> 35 by rounding already
    assert v.verdict == REPRODUCED and "truncat" not in v.reason


# Ranges only (a paired test from printed summaries with the within-subject r unknown):
# the claim is judged against every value the range allows.
@pytest.mark.parametrize("claim,interval,verdict,error", [
    ("< 0.01", (1e-9, 0.004), "reproduced", False),    # every p in the range is < 0.01
    ("< 0.01", (1e-9, 0.03), "consistent", False),     # some r give p < 0.01, some do not
    ("> 0.05", (1e-9, 0.034), "discrepant", True),     # no r gives p > 0.05: flips
    ("> 0.05", (0.06, 0.9), "reproduced", False),
    ("< 0.05", (0.2, 0.9), "discrepant", True),
    ("0.0081", (1e-40, 0.10), "consistent", False),    # an exact p inside the range
    ("0.0081", (0.02, 0.10), "discrepant", False),     # wrong, but some values are < 0.05 too
    ("0.0081", (0.06, 0.10), "discrepant", True),      # printed 0.0081 < 0.05 <= every value
])
def test_ranges_without_a_value_are_judged_over_the_whole_range(claim, interval, verdict, error):
    v = judge(parse_claim(claim), float("nan"), interval=interval, is_p_value=True, alpha=0.05)
    assert v.verdict == verdict
    assert v.decision_error is error


# Two printed claims about one comparison (claims.csv `same_as`), worked by hand: the values
# each allows, in data units, and whether any value satisfies both.
@pytest.mark.parametrize("a, scale_a, b, scale_b, expected", [
    # Zang 2022 placebo HbA1c, week 48 vs baseline: abstract 'p˃0.05' (line 16) against
    # Results 'p < 0.01' (line 345): (0.05, inf) and (-inf, 0.01) share no value
    ("> 0.05", 1, "< 0.01", 1, "disjoint"),
    # Matsuoka 2025: 'median ... 35 months' (Results, line 82) is [34.5, 35.5] months;
    # 'median follow-up duration exceeded three years' (line 193) is (36, inf) months
    ("35", 1, "> 3", 12, "disjoint"),
    # '35' months against Figure 1's '35.5' months: 35.5 lies in [34.5, 35.5]
    ("35", 1, "35.5", 1, "overlapping"),
    ("< 0.05", 1, "< 0.01", 1, "overlapping"),
    ("0.0268", 1, "< 0.05", 1, "overlapping"),
    # touching ends: both must include the point
    ("< 0.01", 1, ">= 0.01", 1, "disjoint"),
    ("<= 0.01", 1, ">= 0.01", 1, "overlapping"),
    # 0.58 is [0.575, 0.585], 0.65 is [0.645, 0.655]
    ("0.58", 1, "0.65", 1, "disjoint"),
    ("61", 1, "61", 1, "identical"),
])
def test_two_printed_claims_agree_or_contradict(a, scale_a, b, scale_b, expected):
    from reanalysis.engine.rounding import parse_claim
    from reanalysis.engine.verdicts import claims_agreement
    outcome, reason = claims_agreement(parse_claim(a), scale_a, parse_claim(b), scale_b)
    assert outcome == expected, reason
    assert claims_agreement(parse_claim(b), scale_b, parse_claim(a), scale_a)[0] == expected


# --- one interval for a printed number, input or claim (issue 18, item 6) -----------------

def test_m_abs_06_median_follow_up_is_read_alike_as_input_and_claim():
    """M-ABS-06 (abstract, 002_28f57e7d270adcc8.txt line 36) and M-RES-16 (line 82) print
    the median follow-up as 35 months; Figure 1's text prints 35.5 (line 169), and the
    median of Table 1's 58 `months_observed` (raw/matsuoka2025/table1_patients.csv,
    statistics.median here) is 35.5, the mean of the 29th and 30th values. 35.5 is a
    half-way point that half-up and half-even both print as 36, so "35" stands for
    [34.5, 35.5) whether it is read as a claim or as an input of a check: the claim is
    discrepant as printed and reproduced only when the 35.5 is truncated (a labelled
    reading), and the input interval leaves 35.5 out as well (it used to be the closed
    [34.5, 35.5], so one printed 35 was two intervals)."""
    import csv
    import statistics
    from fractions import Fraction
    from pathlib import Path

    from reanalysis.engine.rounding import parse_number, printed_interval, unround
    from reanalysis.audit.summary_level import ROUNDING, parse_row
    from reanalysis.engine.verdicts import judge_reading

    table = Path(__file__).resolve().parents[1] / "raw" / "matsuoka2025" / "table1_patients.csv"
    with table.open(newline="") as f:
        months = [float(r["months_observed"]) for r in csv.DictReader(f)]
    assert len(months) == 58
    median = statistics.median(months)
    assert median == 35.5                                   # = Figure 1's printed 35.5
    claim = parse_claim("35")
    v = judge(claim, median)
    assert v.verdict == DISCREPANT
    assert "printed 35 allows [34.5, 35.5)" in v.reason
    assert judge_reading(claim, median, "truncate").verdict == REPRODUCED
    # the same printed 35 as an input: the exact interval and the search box
    assert not unround(parse_number("35"), ROUNDING).contains(Fraction("35.5"))
    assert printed_interval(parse_number("35")).text() == "[34.5, 35.5)"
    row = parse_row({"value_id": "M-X", "arm": "all", "outcome": "months", "timepoint": "t",
                     "n": 58, "form": "median_iqr", "dispersion": None, "_where": "1 (line 2)",
                     "value": "35 (20-50)"}, Path("summaries.csv"))
    assert (row.box("median").lower, row.box("median").upper) == (34.5, 35.5)
    assert claim.holds_for(34.5) and not claim.holds_for(35.5)
    # 36 is the printing both conventions give; its interval is closed at 35.5
    assert parse_claim("36").holds_for(median)
    assert unround(parse_number("36"), ROUNDING).contains(Fraction("35.5"))
