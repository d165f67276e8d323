"""MEPtoolkit's t_slicer cases (../shared/reference/meptoolkit/t_slicer.csv, from its
tests/testthat/test-t_slicer.R): two-sample t-tests from printed means, SDs and n over the
rounding box. Agreeing case by case: the smallest, point ("rivets") and largest p, and
whether the printed p is consistent under Student's and under Welch's test."""
import csv

import pytest

from conftest import SHARED
from reanalysis.engine.rounding import parse_claim, parse_number
from reanalysis.engine.summary_stats import Box, ttest_from_summary
from reanalysis.engine.verdicts import DISCREPANT, judge

CASES = SHARED / "reference" / "meptoolkit" / "t_slicer.csv"


def cases():
    with open(CASES, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def box(text):
    p = parse_number(text)
    return Box(float(p.value), float(p.lower), float(p.upper))


@pytest.mark.parametrize("case", cases(), ids=lambda c: f"{c['m1']}-{c['n2']}-{c['reported_p']}")
@pytest.mark.parametrize("test", ["student", "welch"])
def test_t_slicer_case_agrees(case, test):
    res = ttest_from_summary(box(case["m1"]), box(case["sd1"]), int(case["n1"]),
                             box(case["m2"]), box(case["sd2"]), int(case["n2"]), test)["p"]
    # the package prints 6 significant digits
    assert res.lower == pytest.approx(float(case[f"{test}_p_min"]), rel=1e-5)
    assert res.value == pytest.approx(float(case[f"{test}_p_rivets"]), rel=1e-5)
    assert res.upper == pytest.approx(float(case[f"{test}_p_max"]), rel=1e-5)
    verdict = judge(parse_claim(case["reported_p"].replace(".", "0.", 1) if case["reported_p"].startswith(".")
                                else case["reported_p"]), res.value, interval=(res.lower, res.upper),
                    is_p_value=True)
    assert (verdict.verdict != DISCREPANT) == (case[f"expected_{test}_consistent"] == "True")


def test_every_t_slicer_case_is_read():
    assert len(cases()) == 5
