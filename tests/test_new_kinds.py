"""The check kinds for tables real papers print, through the summary-level engine:
k-group ANOVA, r x c contingency tables, printed test statistics, SD feasibility,
counts of groups; rounding readings in GRIM; the implied-n search; repeated values; one
verdict rule for inequality claims whatever the test; why a row is unverifiable.

Expected values come from scipy called on the same numbers (or on raw data built to the
printed moments), from statcheck's documented rule, or from arithmetic worked here.
"""
import csv

import numpy as np
import pytest
import scipy.stats as st

from reanalysis.audit import summary_level as sl
from reanalysis.audit.ledger import audit_study, audit_summary_rows
from reanalysis.engine.rounding import parse_claim
from reanalysis.engine.verdicts import CONSISTENT, DISCREPANT, REPRODUCED, judge

from conftest import ROOT

SCHEMA = ROOT / "workflow" / "schemas" / "summaries.schema.yaml"
COLUMNS = ["value_id", "source_file", "source_line", "location", "outcome", "quantity", "group", "arm",
           "timepoint", "n", "reported", "value", "form", "dispersion", "same_as", "marker",
           "repair_note", "note"]


def write(tmp_path, rows, **study):
    """rows: (value_id, location, outcome, group, arm, timepoint, n, value, form, dispersion)."""
    path = tmp_path / "summaries.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for i, (vid, loc, outcome, group, arm, tp, n, value, form, disp) in enumerate(rows, start=1):
            w.writerow([vid, "paper.txt", i, loc, outcome, outcome, group, arm, tp, n, value, value, form,
                        disp, "", "", "", ""])
    base = {"design": "summary_level", "alpha": 0.05, "checks": {}}
    return {**base, **study, "table": str(path), "table_schema": str(SCHEMA)}


def recompute(study):
    rows = sl.load_summaries(study)
    sl.validate_checks(study, rows)
    return rows, sl.recompute(rows, study, "synthetic")


def pick(stats, check, variant, statistic):
    sel = stats[(stats.check == check) & (stats.variant == variant) & (stats.statistic == statistic)]
    assert len(sel) == 1, (check, variant, statistic, stats[stats.check == check])
    return sel.iloc[0]


def sample_with_moments(mean, sd, n):
    """n values whose mean and SD (n - 1) are exactly the given ones."""
    z = np.linspace(-1, 1, n)
    z = (z - z.mean()) / z.std(ddof=1)
    return mean + sd * z


# Sood 2017 Table 1 (sood2017_table1.txt, line 5): age 57.83 ± 5.84 | 49.85 ± 9.63 |
# 53.28 ± 7.29 | 55.7 ± 7.7, n = 7 per group (the sex counts), printed p 0.351.
AGE = [("57.83", "5.84"), ("49.85", "9.63"), ("53.28", "7.29"), ("55.7", "7.7")]


@pytest.fixture
def sood_like(tmp_path):
    rows = [(f"X-AGE-G{i}", "Table 1", "age", "", f"g{i}", "baseline", "", f"{m} ± {s}",
             "mean_dispersion", "unspecified") for i, (m, s) in enumerate(AGE, 1)]
    # line 6: M-4, F-3 | M-6, F-1 | M-6, F-1 | M-5, F-2
    for i, (m, f) in enumerate([(4, 3), (6, 1), (6, 1), (5, 2)], 1):
        rows += [(f"X-M-G{i}", "Table 1", "male", "", f"g{i}", "baseline", "", str(m), "count", ""),
                 (f"X-F-G{i}", "Table 1", "female", "", f"g{i}", "baseline", "", str(f), "count", "")]
    checks = {
        "age": {"kind": "k_group_anova", "groups": [f"X-AGE-G{i}" for i in range(1, 5)], "test": "anova",
                "alternatives": {"welch": {"test": "welch"}, "as_sem": {"dispersion": "sem"}}},
        "sex": {"kind": "contingency", "table": [[f"X-M-G{i}" for i in range(1, 5)],
                                                 [f"X-F-G{i}" for i in range(1, 5)]], "test": "chi2",
                "alternatives": {"g": {"test": "g_test"}, "ffh": {"test": "fisher_freeman_halton"}}},
    }
    n_sets = {"from_sex_counts": {f"g{i}": 7 for i in range(1, 5)}}
    return write(tmp_path, rows, checks=checks, n_sets=n_sets, n_as_reported="from_sex_counts",
                 integer_outcomes={"age": {"items": 1, "why": "whole years"}})


def test_k_group_anova_equals_scipy_on_data_built_to_the_printed_moments(sood_like):
    _, stats = recompute(sood_like)
    data = [sample_with_moments(float(m), float(s), 7) for m, s in AGE]
    assert pick(stats, "age", "as_reported", "p").value == pytest.approx(st.f_oneway(*data).pvalue, rel=1e-9)
    welch = st.f_oneway(*data, equal_var=False)
    assert pick(stats, "age", "welch", "p").value == pytest.approx(welch.pvalue, rel=1e-7)
    # ± read as SEM: SD = SEM * sqrt(7)
    sem = [sample_with_moments(float(m), float(s) * 7 ** 0.5, 7) for m, s in AGE]
    assert pick(stats, "age", "as_sem", "p").value == pytest.approx(st.f_oneway(*sem).pvalue, rel=1e-9)
    row = pick(stats, "age", "as_reported", "p")
    assert row.low <= row.value <= row.high


def test_k_group_anova_with_two_groups_is_students_t(tmp_path):
    rows = [("X-A", "T", "x", "", "a", "bl", 12, "5.10 ± 1.20", "mean_dispersion", "sd"),
            ("X-B", "T", "x", "", "b", "bl", 15, "6.40 ± 1.50", "mean_dispersion", "sd")]
    study = write(tmp_path, rows, checks={"k": {"kind": "k_group_anova", "groups": ["X-A", "X-B"]},
                                          "t": {"kind": "two_sample_t", "a": "X-A", "b": "X-B"}})
    _, stats = recompute(study)
    t = st.ttest_ind_from_stats(5.10, 1.20, 12, 6.40, 1.50, 15)
    assert pick(stats, "k", "as_reported", "p").value == pytest.approx(t.pvalue, rel=1e-9)
    for key in ("low", "high"):
        assert pick(stats, "k", "as_reported", "p")[key] == pytest.approx(pick(stats, "t", "as_reported", "p")[key],
                                                                          rel=1e-6)


def test_contingency_on_printed_counts_equals_scipy(sood_like):
    _, stats = recompute(sood_like)
    table = [[4, 6, 6, 5], [3, 1, 1, 2]]
    assert pick(stats, "sex", "as_reported", "p").value == pytest.approx(
        st.chi2_contingency(table, correction=False).pvalue, rel=1e-12)
    assert pick(stats, "sex", "g", "p").value == pytest.approx(
        st.chi2_contingency(table, correction=False, lambda_="log-likelihood").pvalue, rel=1e-12)
    # Fisher-Freeman-Halton by brute force: every 2 x 4 table with these margins
    cols, top = [7, 7, 7, 7], 21
    def prob(r):
        from math import comb
        return np.prod([comb(c, x) for c, x in zip(cols, r)]) / comb(28, top)
    tables = [r for r in np.ndindex(8, 8, 8, 8) if sum(r) == top]
    p_obs = prob((4, 6, 6, 5))
    exact = sum(prob(r) for r in tables if prob(r) <= p_obs * (1 + 1e-7))
    assert pick(stats, "sex", "ffh", "p").value == pytest.approx(exact, rel=1e-9)


def test_the_as_reported_n_of_rows_without_n_is_the_configured_reading(sood_like):
    rows, stats = recompute(sood_like)
    # 57.83 with n = 7: 404/7 = 57.714..., 405/7 = 57.857...: GRIM-impossible (worked by hand)
    grim = pick(stats, "row:X-AGE-G1", "as_reported", "grim")
    assert grim.outcome == sl.IMPOSSIBLE and "n = 7 (from_sex_counts)" in grim.method
    # read as truncation 49.85 fits 349/7 = 49.857...; rounding does not (49.86)
    assert pick(stats, "row:X-AGE-G2", "as_reported", "grim").outcome == sl.IMPOSSIBLE
    assert pick(stats, "row:X-AGE-G2", "rounding_truncate", "grim").outcome == sl.POSSIBLE
    # double rounding: 349/7 = 49.857 -> 49.86 -> 49.9: still not 49.85
    assert pick(stats, "row:X-AGE-G2", "rounding_double", "grim").outcome == sl.IMPOSSIBLE


def test_implied_n_finds_the_n_that_makes_every_failing_value_possible(tmp_path):
    # Zang 2022 placebo: 2.27% and 9.09% (Table 2) with a stated n of 46: 1/44 = 2.2727%,
    # 4/44 = 9.0909%; no k/46 rounds to either (1/46 = 2.17%, 4/46 = 8.70%, 5/46 = 10.87%).
    rows = [("X-P1", "Table 2", "t", "", "placebo", "w9", 46, "2.27", "percent", ""),
            ("X-P2", "Table 2", "t", "", "placebo", "w20", 46, "9.09", "percent", ""),
            ("X-A1", "Table 2", "t", "", "msc", "w9", 45, "8.89", "percent", "")]
    study = write(tmp_path, rows)
    found = sl.implied_n_by_arm(sl.load_summaries(study), study)
    assert set(found) == {"X-P1", "X-P2"}          # 8.89% = 4/45 is possible
    # n in 2..92 with both possible: 44 and 88 (2/88, 8/88); worked: 1/44, 4/44 above
    assert "n in {44, 88}" in found["X-P1"]


def test_repeated_values_across_groups_are_flagged_but_restatements_are_not(tmp_path):
    rows = [("X-D2", "Table 1", "duration", "", "g2", "bl", 7, "14.28 ± 6.77", "mean_dispersion", "sd"),
            ("X-D3", "Table 1", "duration", "", "g3", "bl", 7, "14.28 ± 5.64", "mean_dispersion", "sd"),
            ("X-H1", "Abstract", "hba1c", "", "g2", "bl", 7, "9.02 ± 1.27", "mean_dispersion", "sd"),
            ("X-H2", "Table 1", "hba1c", "", "g2", "bl", 7, "9.02 ± 1.27", "mean_dispersion", "sd")]
    study = write(tmp_path, rows)
    found = sl.duplicate_findings(sl.load_summaries(study), study)
    assert set(found) == {"X-D2", "X-D3"}
    # one comparison in this table (duration at bl, g2 against g3); SEs 6.77 / sqrt 7 and
    # 5.64 / sqrt 7, s = 3.331, x = 0.01 / s: chance ~ x phi(0) = 0.0012 (tests/test_duplicates.py
    # holds the formula), below alpha 0.05 / 1
    assert "'14.28' is printed for two groups of one quantity" in found["X-D2"]
    assert "chance at most 0.0012" in found["X-D2"] and "1 comparison of this kind" in found["X-D2"]
    # with a second comparison of no repeat beside it, the same repeat needs a chance below 0.025
    more = rows + [(f"X-W{k}-{g.upper()}", "Table 1", f"w{k}", "", g, "bl", 7, f"{60 + k}.{k % 10}{g[-1]} ± 9.1",
                    "mean_dispersion", "sd") for k in range(1, 60) for g in ("g2", "g3")]
    study = write(tmp_path, more)
    assert sl.duplicate_findings(sl.load_summaries(study), study) == {}     # 60 comparisons: 0.072 > 0.05


def test_a_printed_statistic_gives_p_by_statchecks_rule(tmp_path):
    rows = [("X-T", "Text", "x", "", "a", "bl", "", "t(28) = 2.20", "test_statistic", "")]
    study = write(tmp_path, rows, checks={"t": {"kind": "reported_statistic", "a": "X-T",
                                                "alternatives": {"one_tailed": {"tails": 1}}}})
    _, stats = recompute(study)
    row = pick(stats, "t", "as_reported", "p")
    # two-tailed p at 2.20 and at the ends of its rounding interval [2.195, 2.205]
    assert row.value == pytest.approx(2 * st.t.sf(2.20, 28), rel=1e-12)
    assert row.low == pytest.approx(2 * st.t.sf(2.205, 28), rel=1e-12)
    assert row.high == pytest.approx(2 * st.t.sf(2.195, 28), rel=1e-12)
    assert pick(stats, "t", "one_tailed", "p").value == pytest.approx(st.t.sf(2.20, 28), rel=1e-12)


def test_sd_feasibility_of_zangs_insulin_free_onset(tmp_path):
    # Zang 2022 Efficacy: five patients, 8-24 weeks (12 ± 7.6 weeks). With 8 and 24
    # observed and the mean at most 12.5 (sum 62.5), the other three sum to 30.5 in [8, 24];
    # the SD is largest at 8, 8, 14.5: deviations -4.5, -4.5, 2, -4.5, 11.5 -> SS 197,
    # variance 49.25, SD 7.018 < 7.55 (the smallest SD that prints as 7.6).
    rows = [("X-R", "Text", "onset", "", "a", "w", 5, "8-24", "range", ""),
            ("X-S", "Text", "onset", "", "a", "w", 5, "12 ± 7.6", "mean_dispersion", "sd")]
    study = write(tmp_path, rows, checks={"sd": {"kind": "sd_feasibility", "a": "X-S", "range": "X-R"}})
    _, stats = recompute(study)
    row = pick(stats, "row:X-S", "as_reported", "sd_feasibility")
    assert row.outcome == sl.IMPOSSIBLE
    assert row.high == pytest.approx(49.25 ** 0.5, rel=1e-9)


def test_count_of_groups_counts_the_trials_a_table_lists(tmp_path):
    rows = [(f"X-{g[-1]}-{k}", "Table 1", "hba1c", g, "all", "bl", 10, "8.1 ± 1.0", "mean_dispersion", "sd")
            for g in ("Trial A", "Trial B", "Trial C") for k in ("1", "2")]
    rows.append(("X-N", "Text", "trials", "", "all", "bl", "", "3", "count", ""))
    study = write(tmp_path, rows, checks={"trials": {"kind": "count_of_groups", "location": "Table 1"}})
    _, stats = recompute(study)
    assert pick(stats, "trials", "as_reported", "value").value == 3


# ---- one verdict rule for inequality claims, whatever the test -------------------------------

# Review 2018, text on Bhansali 2009: HbA1c 8.4 ± 0.6 -> 7.3 ± 0.8, n = 10, "significant".
# At the printed values, the paired p is largest at r = -1: SD of the change
# sqrt(0.36 + 0.64 + 0.96) = 1.4, t = 1.1 / (1.4 / sqrt(10)) = 2.4846, df 9.
P_AT_R_MINUS_1 = 2 * st.t.sf(1.1 / (1.4 / 10 ** 0.5), 9)


def test_paired_claim_holding_at_the_printed_values_is_reproduced(tmp_path):
    assert P_AT_R_MINUS_1 < 0.05
    rows = [("X-BL", "T", "hba1c", "", "a", "bl", 10, "8.4 ± 0.6", "mean_dispersion", "sd"),
            ("X-M6", "T", "hba1c", "", "a", "m6", 10, "7.3 ± 0.8", "mean_dispersion", "sd")]
    study = write(tmp_path, rows, checks={"p": {"kind": "paired_from_summary", "before": "X-BL", "after": "X-M6"}},
                  significance_levels=[0.05])
    _, stats = recompute(study)
    at_printed = pick(stats, "p", "as_reported", "p_at_printed")
    assert at_printed.high == pytest.approx(P_AT_R_MINUS_1, rel=1e-9)
    box = pick(stats, "p", "as_reported", "p")
    assert box.high > 0.05            # a corner of the rounding box reaches above 0.05
    claim = {"claim_id": "X-TXT-01", "location": "T", "quantity": "p", "reported": "significant",
             "claim": "< 0.05", "claim_basis": "interpreted", "scale": 1.0, "check": "p",
             "source_file": "paper.txt", "source_line": 1, "note": ""}
    rows_out = audit_study("synthetic", study, [claim], stats)
    assert rows_out[0]["verdict"] == REPRODUCED


@pytest.mark.parametrize("value,interval,expected", [
    (0.03, (0.02, 0.064), REPRODUCED),      # holds at the printed inputs, not over the whole box
    (0.07, (0.02, 0.09), CONSISTENT),       # holds only somewhere in the box
    (0.07, (0.06, 0.09), DISCREPANT),       # holds nowhere
])
def test_the_same_rule_for_a_point_value_and_for_a_range_over_an_unknown(value, interval, expected):
    claim = parse_claim("< 0.05")
    two_sample = judge(claim, value, interval=interval, is_p_value=True)
    # the paired path: no single value at the printed inputs, only a range over r there
    paired = judge(claim, float("nan"), interval=interval, is_p_value=True, at_printed=(value, value))
    assert two_sample.verdict == paired.verdict == expected


def test_unverifiable_rows_say_why(tmp_path):
    rows = [("X-A", "T", "male", "", "a", "w9", 46, "4.55", "percent", ""),
            ("X-B", "T", "male", "", "b", "w9", 45, "8.89", "percent", ""),
            ("X-C", "T", "bmi", "", "a", "bl", 46, "25.1 ± 3.0", "mean_dispersion", "sd")]
    study = write(tmp_path, rows, checks={"p": {"kind": "two_proportions", "a": "X-A", "b": "X-B"}})
    loaded, stats = recompute(study)
    claim = {"claim_id": "X-TXT-01", "location": "T", "quantity": "p", "reported": "p = 0.4",
             "claim": "0.4", "claim_basis": "verbatim", "scale": 1.0, "check": "p",
             "source_file": "paper.txt", "source_line": 1, "note": ""}
    out = audit_study("synthetic", study, [claim], stats)
    # No count out of 46 gives 4.55% (2/46 = 4.35%, 3/46 = 6.52%). This used to leave the
    # claim unverifiable (impossible_inputs); issue 18 (item 5) says the claim stays
    # checkable at the printed n: the percent is read at its nearest count, 2 (4.35% is
    # 0.20 below, 6.52% is 1.97 above), and 8.89% of 45 is 4 (8.889%). Pearson chi-square
    # on [[2, 44], [4, 41]] (scipy, without correction) is p = 0.3828, which prints as 0.4.
    expected = st_chi2([[2, 44], [4, 41]])
    assert round(expected, 1) == 0.4
    assert out[0]["verdict"] == REPRODUCED and out[0]["why_unverifiable"] == ""
    assert out[0]["value"] == pytest.approx(expected, rel=1e-12)
    assert "no count out of n = 46 gives the printed 4.55% (X-A" in out[0]["note"]
    assert "read at the count nearest it: 2/46 = 4.348%" in out[0]["note"]
    # the impossibility stays reported by the percent's own row
    summary_all = audit_summary_rows("synthetic", study, loaded, stats)
    own = [r for r in summary_all if r["claim_id"] == "X-A" and r["variant"] == "as_reported"]
    assert [r["verdict"] for r in own] == [DISCREPANT]
    summary = {r["claim_id"]: r for r in audit_summary_rows("synthetic", study, loaded, stats)
               if r["variant"] == "as_reported"}
    assert summary["X-C"]["why_unverifiable"] == "descriptive_only"


def test_contingency_with_an_impossible_percent_runs_at_its_nearest_count(tmp_path):
    """A contingency table of printed percents where one fits no count: the check runs
    at that cell's nearest count instead of stopping (issue 18, item 5). 4.55% of 46 fits
    no count: 2/46 = 4.348% is nearest (3/46 = 6.522%); 95.45% of 46 fits none either:
    44/46 = 95.652% is nearest (43/46 = 93.478%); 8.89% of 45 is 4/45 = 8.889% and
    91.11% of 45 is 41/45 = 91.111%. Expected p: scipy on [[2, 4], [44, 41]]."""
    rows = [("X-A1", "T", "event", "", "a", "w9", 46, "4.55", "percent", ""),
            ("X-B1", "T", "event", "", "b", "w9", 45, "8.89", "percent", ""),
            ("X-A0", "T", "no_event", "", "a", "w9", 46, "95.45", "percent", ""),
            ("X-B0", "T", "no_event", "", "b", "w9", 45, "91.11", "percent", "")]
    study = write(tmp_path, rows, checks={"t": {"kind": "contingency", "table": [["X-A1", "X-B1"],
                                                                                 ["X-A0", "X-B0"]]}})
    _, stats = recompute(study)
    rec = pick(stats, "t", "as_reported", "p")
    assert rec.value == pytest.approx(st_chi2([[2, 4], [44, 41]]), rel=1e-12)
    assert "no count out of n = 46 gives the printed 4.55%; read at the count nearest it: 2/46" in rec.note
    assert "no count out of n = 46 gives the printed 95.45%; read at the count nearest it: 44/46" in rec.note
    assert rec.outcome == ""


def st_chi2(table):
    """Pearson chi-square p of a 2 x 2 table, scipy without continuity correction."""
    return float(st.chi2_contingency(table, correction=False).pvalue)


@pytest.mark.parametrize("printed,value,scheme,interval,expected", [
    # 1.7299 cut to two decimals is 1.72; rounded it is 1.73
    ("1.72", 1.7299, "truncate", None, REPRODUCED),
    # double rounding: 1.7249 -> 1.725 -> 1.73, so not 1.72; 1.7244 -> 1.724 -> 1.72
    ("1.72", 1.7249, "double", None, DISCREPANT),
    ("1.72", 1.7244, "double", None, REPRODUCED),
    # an interval from rounded inputs that reaches [1.72, 1.73) makes truncation possible
    ("1.72", 1.7350, "truncate", (1.7290, 1.7400), CONSISTENT),
])
def test_printed_values_read_as_truncated_or_double_rounded(printed, value, scheme, interval, expected):
    from reanalysis.engine.verdicts import judge_reading
    assert judge_reading(parse_claim(printed), value, scheme, interval=interval).verdict == expected
