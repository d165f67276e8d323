"""percent_sum: the percentages of one categorical block sum to 100 within what their
printing allows. Every expected interval is worked by hand from the printed digits: a
percent printed to d decimals stands for [p - 0.5·10^-d, p + 0.5·10^-d] (its closure), and
the block is possible only if the sum of the lower ends <= 100 <= the sum of the upper ends.
"""
import copy

import pytest

from reanalysis.audit import summary_level as sl
from reanalysis.engine.checks import KINDS, impossibility_checks
from reanalysis.inputs.config import STUDY_SCHEMA, validate_config
from reanalysis.errors import InputError
from reanalysis.audit.ledger import audit_summary_rows

from conftest import ROOT
from test_new_kinds import pick, recompute, write


def block(tmp_path, *values, form="percent"):
    """One arm's sex split (or any block), one row a printed value, checked by percent_sum."""
    rows = [(f"X-SEX-C{i}", "Table 1", f"category_{i}", "", "all", "baseline", "50", value, form, "")
            for i, value in enumerate(values, 1)]
    parts = [r[0] for r in rows]
    return write(tmp_path, rows, checks={"sex_split": {"kind": "percent_sum", "parts": parts}})


def result(tmp_path, *values, form="percent"):
    study = block(tmp_path, *values, form=form)
    _, stats = recompute(study)
    return pick(stats, "row:X-SEX-C1", sl.AS_REPORTED, "percent_sum")


def test_a_sex_split_printed_52_4_and_48_6_is_impossible(tmp_path):
    # 52.4 + 48.6 = 101.0; lower ends 52.35 + 48.55 = 100.90 > 100; upper 52.45 + 48.65 = 101.10
    r = result(tmp_path, "52.4", "48.6")
    assert r.outcome == sl.IMPOSSIBLE
    assert (r.value, r.low, r.high) == pytest.approx((101.0, 100.9, 101.1), abs=1e-12)
    assert "excludes 100" in r.note


def test_a_split_that_sums_to_100_is_possible(tmp_path):
    # 52.4 + 47.6 = 100.0; [52.35 + 47.55, 52.45 + 47.65] = [99.9, 100.1] holds 100
    r = result(tmp_path, "52.4", "47.6")
    assert r.outcome == sl.POSSIBLE
    assert (r.low, r.high) == pytest.approx((99.9, 100.1), abs=1e-12)


def test_thirds_rounded_down_are_possible(tmp_path):
    # three thirds printed 33.3% each: 99.9, and [3 · 33.25, 3 · 33.35] = [99.75, 100.05] holds 100
    r = result(tmp_path, "33.3", "33.3", "33.3")
    assert r.outcome == sl.POSSIBLE
    assert (r.value, r.low, r.high) == pytest.approx((99.9, 99.75, 100.05), abs=1e-12)


def test_whole_percents_at_the_edge(tmp_path):
    # 34 + 34 + 34 = 102: [3 · 33.5, 3 · 34.5] = [100.5, 103.5] excludes 100
    assert result(tmp_path, "34", "34", "34").outcome == sl.IMPOSSIBLE


def test_100_at_the_end_of_the_interval_is_possible(tmp_path):
    # 50 + 51 = 101: [49.5 + 50.5, 50.5 + 51.5] = [100, 102]; 100 is its lower end, allowed
    r = result(tmp_path, "50", "51")
    assert r.outcome == sl.POSSIBLE and r.low == 100.0


def test_count_and_percent_rows_are_read_by_their_percent(tmp_path):
    # "28 (62.2)" and "17 (38.8)": 62.2 + 38.8 = 101.0, [62.15 + 38.75, 62.25 + 38.85] = [100.9, 101.1]
    r = result(tmp_path, "28 (62.2)", "17 (38.8)", form="count_percent")
    assert r.outcome == sl.IMPOSSIBLE and r.low == pytest.approx(100.9, abs=1e-12)


def test_the_ledger_judges_the_block_on_its_first_row(tmp_path):
    study = block(tmp_path, "52.4", "48.6")
    rows, stats = recompute(study)
    ledger = [r for r in audit_summary_rows("synthetic", study, rows, stats) if r["statistic"] == "percent_sum"]
    assert [r["claim_id"] for r in ledger] == ["X-SEX-C1"]
    assert ledger[0]["verdict"] == "discrepant" and ledger[0]["recomputed"] == sl.IMPOSSIBLE


def test_a_row_without_a_percent_is_named(tmp_path):
    study = write(tmp_path, [("X-SEX-C1", "Table 1", "male", "", "all", "baseline", "50", "26", "count", ""),
                             ("X-SEX-C2", "Table 1", "female", "", "all", "baseline", "50", "48.0", "percent", "")],
                  checks={"sex_split": {"kind": "percent_sum", "parts": ["X-SEX-C1", "X-SEX-C2"]}})
    rows = sl.load_summaries(study)
    with pytest.raises(InputError) as info:
        sl.validate_checks(study, rows)
    assert "check 'sex_split' (percent_sum) needs percent but X-SEX-C1 is printed as count" in str(info.value)


def test_its_config_takes_parts_and_nothing_of_other_kinds():
    study = {"title": "An example", "design": "summary_level", "table": "t.csv", "table_schema": "s.yaml",
             "claims": "c.csv", "alpha": 0.05,
             "checks": {"sex_split": {"kind": "percent_sum", "parts": ["X-SEX-C1", "X-SEX-C2"]}}}
    validate_config(copy.deepcopy(study), "example.yaml", ROOT / STUDY_SCHEMA)
    study["checks"]["sex_split"]["n"] = "printed"   # a sum of printed percents reads no n
    with pytest.raises(InputError) as info:
        validate_config(study, "example.yaml", ROOT / STUDY_SCHEMA)
    assert "check kind 'percent_sum' has no field 'n'" in str(info.value)


def test_it_is_an_impossibility_check_the_findings_name():
    from reanalysis.findings.ranking import IMPOSSIBILITY_CHECKS

    assert impossibility_checks()["percent_sum"] == IMPOSSIBILITY_CHECKS["percent_sum"]
    assert KINDS["percent_sum"].claim_statistic({}) == "percent_sum"
