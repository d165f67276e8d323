"""The summary-level engine on a small synthetic study.

Expected values come from scipy / statsmodels called directly on the same numbers, or from
arithmetic worked in the test; none is pasted from the engine's output.
"""
import csv
import math

import pytest
import scipy.stats as st

from reanalysis.audit import summary_level as sl
from reanalysis.errors import InputError
from reanalysis.audit.ledger import audit_study, audit_summary_rows
from reanalysis.engine.verdicts import CONSISTENT, DISCREPANT, REPRODUCED, UNVERIFIABLE

from conftest import ROOT

SCHEMA = ROOT / "workflow" / "schemas" / "summaries.schema.yaml"
COLUMNS = ["value_id", "source_file", "source_line", "location", "outcome", "quantity", "arm",
           "timepoint", "n", "reported", "value", "form", "dispersion", "same_as", "marker",
           "repair_note", "note"]
PAPER = "001_9beb37517b88e50d.txt"

ROWS = [
    # value_id, location, outcome, arm, timepoint, n, value, form, dispersion, same_as
    ("S-T1-AGE-A", "Table 1", "age", "a", "baseline", 45, "50.00 ± 9.38", "mean_dispersion", "sd", ""),
    ("S-T1-AGE-B", "Table 1", "age", "b", "baseline", 46, "50.45 ± 8.03", "mean_dispersion", "sd", ""),
    ("S-T1-MALE-B", "Table 1", "male", "b", "baseline", 46, "30 (68.18)", "count_percent", "", ""),
    ("S-T2-W48-A", "Table 2", "target", "a", "week_48", 45, "20.00", "percent", "", ""),
    ("S-T2-W48-B", "Table 2", "target", "b", "week_48", 46, "4.55", "percent", "", ""),
    ("S-ABS-W48-A", "Abstract", "target", "a", "week_48", 45, "20", "percent", "", "S-T2-W48-A"),
    ("S-ABS-AGE-B", "Abstract", "age", "b", "baseline", 46, "50.46 ± 8.03", "mean_dispersion", "sd",
     "S-T1-AGE-B"),
    ("S-MED-A", "Table 3", "fpg", "a", "baseline", 10, "108.0 (111.6-122.4)", "median_iqr", "", ""),
    ("S-HB-BL-A", "Text", "hba1c", "a", "baseline", 45, "9.02 ± 1.27", "mean_dispersion", "sd", ""),
    ("S-HB-W48-A", "Text", "hba1c", "a", "week_48", 45, "7.52 ± 1.07", "mean_dispersion", "sd", ""),
]

STUDY = {
    "design": "summary_level", "alpha": 0.05, "significance_levels": [0.05, 0.01],
    "n_sets": {"randomised": {"a": 45, "b": 46}, "implied": {"a": 45, "b": 44}},
    "integer_outcomes": {"age": {"items": 1, "why": "whole years"}},
    "checks": {
        "age_p": {"kind": "two_sample_t", "a": "S-T1-AGE-A", "b": "S-T1-AGE-B", "test": "student",
                  "alternatives": {"welch": {"test": "welch"}}, "n_variants": ["implied"]},
        "w48_p": {"kind": "two_proportions", "a": "S-T2-W48-A", "b": "S-T2-W48-B", "test": "chi2",
                  "alternatives": {"fisher": {"test": "fisher"}}, "n_variants": ["implied"]},
        "w48_ci_lower": {"kind": "proportion_difference_ci", "a": "S-T2-W48-A", "b": "S-T2-W48-B",
                         "method": "wald", "bound": "lower", "n": "implied"},
        "hb_vs_bl": {"kind": "paired_from_summary", "before": "S-HB-BL-A", "after": "S-HB-W48-A",
                     "dispersion": "printed"},
        "hb_decrease": {"kind": "difference", "a": "S-HB-BL-A", "b": "S-HB-W48-A", "component": "mean"},
    },
}


def write_study(tmp_path, rows=ROWS):
    path = tmp_path / "summaries.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for i, (vid, loc, outcome, arm, tp, n, value, form, disp, same) in enumerate(rows, start=1):
            w.writerow([vid, PAPER, i, loc, outcome, outcome, arm, tp, n, value, value, form, disp,
                        same, "", "", ""])
    return {**STUDY, "table": str(path), "table_schema": str(SCHEMA)}


@pytest.fixture
def study(tmp_path):
    return write_study(tmp_path)


@pytest.fixture
def stats(study):
    rows = sl.load_summaries(study)
    sl.validate_checks(study, rows)
    return sl.recompute(rows, study, "synthetic")


def pick(stats, check, variant, statistic):
    sel = stats[(stats.check == check) & (stats.variant == variant) & (stats.statistic == statistic)]
    assert len(sel) == 1, (check, variant, statistic)
    return sel.iloc[0]


def test_forms_are_parsed_with_their_printed_precision(study):
    rows = sl.load_summaries(study)
    age = rows["S-T1-AGE-A"]
    assert age.parts["mean"].text == "50.00" and age.parts["mean"].decimals == 2
    assert age.box("dispersion").lower == pytest.approx(9.375)
    assert age.box("dispersion").upper == pytest.approx(9.385)
    assert rows["S-T1-MALE-B"].parts["count"].value == 30
    assert rows["S-MED-A"].parts["q3"].text == "122.4"


@pytest.mark.parametrize("form,value", [
    ("mean_dispersion", "9.02 +/- 1.27"), ("mean_dispersion", "9.02"), ("median_iqr", "94.5 (87.7–103.4)"),
    ("count_percent", "28 62.22"), ("percent", "62.22%"), ("count", "4.5"),
])
def test_a_value_that_does_not_fit_its_form_is_an_input_error(tmp_path, form, value):
    rows = [("S-X-Y", "Table 1", "x", "a", "baseline", 10, value, form, "sd", "")]
    study = write_study(tmp_path, rows)
    with pytest.raises(InputError) as err:
        sl.load_summaries(study)
    message = str(err.value)
    assert "summaries.csv" in message and "row 1" in message and "'value'" in message
    assert repr(value) in message and form in message


def test_variant_labels_cross_alternatives_with_readings_of_n():
    labels = [v.label for v in sl.expand_check(STUDY["checks"]["age_p"])]
    assert labels == ["as_reported", "welch", "n_implied", "welch+n_implied"]


def test_two_sample_t_at_printed_values_equals_scipy(stats):
    # Table 1 of Zang 2022 prints age 50.00 ± 9.38 (n 45) and 50.45 ± 8.03 (n 46).
    expected = st.ttest_ind_from_stats(50.00, 9.38, 45, 50.45, 8.03, 46, equal_var=True)
    row = pick(stats, "age_p", "as_reported", "p")
    assert row.value == pytest.approx(expected.pvalue, rel=1e-9)
    assert row.low <= row.value <= row.high
    welch = st.ttest_ind_from_stats(50.00, 9.38, 45, 50.45, 8.03, 44, equal_var=False)
    assert pick(stats, "age_p", "welch+n_implied", "p").value == pytest.approx(welch.pvalue, rel=1e-9)


def test_two_proportions_rebuilds_counts_from_percents(stats):
    # 20.00% of 45 is 9; 4.55% of 44 is 2 (2/44 = 4.545...); no count of 46 gives 4.55%
    # (2/46 = 4.35%, 3/46 = 6.52%).
    table = [[9, 36], [2, 42]]
    expected = st.chi2_contingency(table, correction=False).pvalue
    assert pick(stats, "w48_p", "n_implied", "p").value == pytest.approx(expected, rel=1e-9)
    fisher = st.fisher_exact(table).pvalue
    assert pick(stats, "w48_p", "fisher+n_implied", "p").value == pytest.approx(fisher, rel=1e-9)
    # At the printed n = 46 no count gives 4.55%. This used to leave p as nan (nothing
    # recomputed); issue 18 (item 5) says the claim stays checkable at the printed n: the
    # percent is read at its nearest count, 2 (4.35% is 0.20 below 4.55, 6.52% is 1.97
    # above), so the table is [[9, 36], [2, 44]] and the note says why.
    printed_n = pick(stats, "w48_p", "as_reported", "p")
    at_46 = st.chi2_contingency([[9, 36], [2, 44]], correction=False).pvalue
    assert printed_n.value == pytest.approx(at_46, rel=1e-9)
    assert "no count out of n = 46 gives the printed 4.55%" in printed_n.note
    assert "read at the count nearest it: 2/46" in printed_n.note


def test_wald_ci_of_the_rate_difference_worked_by_hand(stats):
    p1, p2 = 9 / 45, 2 / 44
    se = math.sqrt(p1 * (1 - p1) / 45 + p2 * (1 - p2) / 44)
    lower = 100 * (p1 - p2 - st.norm.ppf(0.975) * se)
    assert pick(stats, "w48_ci_lower", "as_reported", "lower").value == pytest.approx(lower, rel=1e-9)


def test_paired_from_summary_gives_a_range_over_r_and_r_thresholds(stats):
    row = pick(stats, "hb_vs_bl", "as_reported", "p")
    assert math.isnan(row.value)
    # At r = -1 the SD of the differences is s1 + s2 (the largest); by hand:
    sd = 1.27 + 1.07
    t = (9.02 - 7.52) / (sd / math.sqrt(45))
    p_at_minus_one = 2 * st.t.sf(t, 44)
    assert row.low < p_at_minus_one <= row.high + 1e-12
    r05 = pick(stats, "hb_vs_bl", "as_reported", "r_threshold_0.05")
    assert r05.value == -1.0 or r05.value < 0  # significant already at small r
    assert pick(stats, "hb_decrease", "as_reported", "difference").value == pytest.approx(1.50)


def ledger_rows(study, stats, claims=()):
    rows = sl.load_summaries(study)
    return audit_summary_rows("synthetic", study, rows, stats) + audit_study("synthetic", study, list(claims), stats)


def by(rows, claim_id, variant="as_reported", statistic=None):
    out = [r for r in rows if r["claim_id"] == claim_id and r["variant"] == variant
           and (statistic is None or r["statistic"] == statistic)]
    assert out, (claim_id, variant, statistic)
    return out


def test_integrity_rows_identify_the_n_behind_printed_percentages(study, stats):
    rows = ledger_rows(study, stats)
    # 30/46 = 65.22%, 30/44 = 68.18%: the printed 68.18 fits n 44, not the printed N 46.
    assert by(rows, "S-T1-MALE-B")[0]["verdict"] == DISCREPANT
    assert by(rows, "S-T1-MALE-B", "n_implied")[0]["verdict"] == REPRODUCED
    assert by(rows, "S-T2-W48-B")[0]["verdict"] == DISCREPANT
    assert by(rows, "S-T2-W48-B", "n_implied")[0]["verdict"] == CONSISTENT
    # GRIM: 50.45 with n 46 needs a sum of 2320.7; 2320/46 = 50.43, 2321/46 = 50.46.
    assert by(rows, "S-T1-AGE-B", statistic="grim")[0]["verdict"] == DISCREPANT
    assert by(rows, "S-T1-AGE-A", statistic="grim")[0]["verdict"] == CONSISTENT
    # ... while with n 44 (the n the percentages imply) 2220/44 = 50.4545 prints as 50.45.
    assert by(rows, "S-T1-AGE-B", "n_implied", statistic="grim")[0]["verdict"] == CONSISTENT


def test_median_outside_iqr_and_disagreeing_reprints_are_discrepant(study, stats):
    rows = ledger_rows(study, stats)
    assert by(rows, "S-MED-A")[0]["verdict"] == DISCREPANT
    assert "outside" in by(rows, "S-MED-A")[0]["note"]
    # "20" (abstract) is a rounding of "20.00" (table): reproduced; 50.46 vs 50.45: disjoint.
    assert by(rows, "S-ABS-W48-A", statistic="agreement")[0]["verdict"] == REPRODUCED
    assert by(rows, "S-ABS-AGE-B", statistic="agreement")[0]["verdict"] == DISCREPANT
    # A row no check reads and no integrity test covers is unverifiable, not dropped.
    assert by(rows, "S-HB-W48-A")[0]["verdict"] == UNVERIFIABLE


def claim(cid, check, text, basis="verbatim"):
    return {"claim_id": cid, "location": "Text", "quantity": cid, "reported": f"p {text}",
            "claim": text, "claim_basis": basis, "scale": 1.0, "check": check, "note": None,
            "source_file": PAPER, "source_line": 1}


def test_claims_are_judged_against_values_and_ranges(study, stats):
    rows = ledger_rows(study, stats, [claim("S-C-01", "hb_vs_bl", "< 0.01"),
                                      claim("S-C-02", "hb_decrease", "1.31"),
                                      claim("S-C-03", "age_p", "< 0.05")])
    paired = by(rows, "S-C-01")[0]
    assert paired["verdict"] in (REPRODUCED, CONSISTENT) and "p < 0.01 for" in paired["note"]
    assert by(rows, "S-C-02")[0]["verdict"] == DISCREPANT  # 9.02 - 7.52 = 1.50, not 1.31
    age = by(rows, "S-C-03")[0]
    assert age["verdict"] == DISCREPANT and age["decision_error"] == "true"


@pytest.mark.parametrize("change,message", [
    ({"a": "S-NOPE"}, "unknown value"),
    ({"a": "S-T2-W48-A"}, "needs mean"),
    ({"n": "completers"}, "unknown n reading"),
])
def test_check_wiring_errors_name_the_check_and_the_rule(study, change, message):
    rows = sl.load_summaries(study)
    bad = {**study, "checks": {"age_p": {**STUDY["checks"]["age_p"], **change}}}
    with pytest.raises(InputError) as err:
        sl.validate_checks(bad, rows)
    assert "age_p" in str(err.value) and message in str(err.value)


def test_summary_figures_are_byte_identical_across_renders(tmp_path):
    """Zang Figures 2 and 3 and the review's forest plots, rendered twice from raw/."""
    import hashlib
    from pathlib import Path

    import yaml

    from reanalysis.audit.ledger import load_claims
    from reanalysis.figures.summary_figures import render_summary_figures

    from conftest import CONFIG as config
    digests = []
    for attempt in ("a", "b"):
        paths = []
        for name in ("zang2022", "review2018"):
            study = {k: (str(ROOT / v) if k in ("table", "table_schema", "claims", "value_ranges") else v)
                     for k, v in config["studies"][name].items()}
            rows = sl.load_summaries(study)
            claims = load_claims(Path(study["claims"]), ROOT / "workflow" / "schemas" / "claims.schema.yaml",
                                 study)
            stats = sl.recompute(rows, study, name)
            paths += render_summary_figures(rows, claims, stats, study, tmp_path / attempt / name)
        digests.append([(p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in paths])
    # two files a figure, and beside each time course its marks
    figures = [f for name in ("zang2022", "review2018") for f in config["studies"][name]["figures"].values()]
    assert len(digests[0]) == 2 * len(figures) + sum(f["kind"] == "time_course" for f in figures)
    assert digests[0] == digests[1]


def test_a_range_that_runs_downwards_is_an_input_error(tmp_path):
    study = write_study(tmp_path, [("S-X-R", "Text", "x", "a", "weeks", 5, "24-8", "range", "", "")])
    with pytest.raises(InputError) as err:
        sl.load_summaries(study)
    assert "row 1" in str(err.value) and "'24-8'" in str(err.value) and "low <= high" in str(err.value)
