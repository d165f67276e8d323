"""Denominators and rounding of printed percentages (issue 18, item 4), on throwaway studies.

- Percentages "of known values": a block whose table prints an Unknown count has the reading
  n_known (the stated n minus that count); `as_reported: known` in the config (or a row's
  `denominator` column) makes it the as-reported reading. It is a convention, so a table
  whose percentages are of known values has no discrepant as-reported row once the config
  says so.
- Truncation and double rounding are tried on `n (%)` cells whose count / n does not
  print as the printed percent, as on every other printed value: 8/55 = 14.5454...% is
  14.5 rounded once, but 14.55 -> 14.6 rounded twice.

Every expected number is worked by hand in the comments (count / n * 100).
"""
from __future__ import annotations

import csv

import pytest
import scipy.stats as st

from reanalysis.audit import summary_level as sl
from reanalysis.errors import InputError
from reanalysis.audit.ledger import audit_study, audit_summary_rows

from conftest import ROOT

SCHEMA = ROOT / "workflow" / "schemas" / "summaries.schema.yaml"
COLUMNS = ["value_id", "source_file", "source_line", "location", "outcome", "quantity", "group", "arm",
           "timepoint", "n", "reported", "value", "form", "dispersion", "same_as", "marker",
           "repair_note", "note", "denominator"]


def write(tmp_path, rows, **study):
    """rows: (value_id, outcome, arm, n, value, form[, denominator]); one table, baseline."""
    path = tmp_path / "summaries.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for i, (vid, outcome, arm, n, value, form, *den) in enumerate(rows, start=1):
            w.writerow([vid, "paper.txt", i, "Table 1", outcome, outcome, "", arm, "baseline", n, value, value,
                        form, "", "", "", "", "", den[0] if den else ""])
    base = {"design": "summary_level", "alpha": 0.05, "checks": {}}
    return {**base, **study, "table": str(path), "table_schema": str(SCHEMA)}


def audit(study, claims=()):
    rows = sl.load_summaries(study)
    sl.validate_checks(study, rows)
    stats = sl.recompute(rows, study, "synthetic")
    return audit_study("synthetic", study, list(claims), stats) + audit_summary_rows("synthetic", study, rows,
                                                                                      stats)


def verdicts(ledger, claim_id):
    """{variant: verdict} of one printed row's percent or count check."""
    return {r["variant"]: r["verdict"] for r in ledger if r["claim_id"] == claim_id
            and r.get("statistic") in ("percent", "count")}


# Two arms of 50; race printed as n (%) of the patients whose race is known.
#   arm a: Unknown 5, so 45 known: White 30/45 = 66.67%, Black 15/45 = 33.33%
#   arm b: Unknown 2, so 48 known: White 28/48 = 58.33%, Black 20/48 = 41.67%
# Of the stated 50 they would be 60.0, 30.0, 56.0 and 40.0%. The Unknown rows are of 50:
# 5/50 = 10.0%, 2/50 = 4.0%. "Other" is printed as a bare percent of known values:
# arm a 0/45 = 0.0%, arm b 0/48 = 0.0%, which any n gives.
RACE = [("X-WHITE-A", "race_white", "a", 50, "30 (66.7)", "count_percent"),
        ("X-BLACK-A", "race_black", "a", 50, "33.3", "percent"),
        ("X-UNK-A", "race_unknown", "a", 50, "5 (10.0)", "count_percent"),
        ("X-WHITE-B", "race_white", "b", 50, "28 (58.3)", "count_percent"),
        ("X-BLACK-B", "race_black", "b", 50, "41.7", "percent"),
        ("X-UNK-B", "race_unknown", "b", 50, "2 (4.0)", "count_percent")]
BLOCK = {"rows": ["X-WHITE-A", "X-BLACK-A", "X-WHITE-B", "X-BLACK-B"], "unknown": ["X-UNK-A", "X-UNK-B"]}
CHECKS = {"black": {"kind": "two_proportions", "a": "X-BLACK-A", "b": "X-BLACK-B", "test": "chi2"}}
# the paper's p for Black a vs b, as printed (a claim); chi-square on [[15, 30], [20, 28]]
P_BLACK = st.chi2_contingency([[15, 30], [20, 28]], correction=False).pvalue
CLAIM = {"claim_id": "X-TXT-01", "location": "Table 1", "quantity": "p", "reported": f"{P_BLACK:.2f}",
         "claim": f"{P_BLACK:.2f}", "claim_basis": "verbatim", "scale": 1.0, "check": "black",
         "source_file": "paper.txt", "source_line": 1, "note": ""}


def test_percentages_of_known_values_as_reported_give_no_discrepancy(tmp_path):
    study = write(tmp_path, RACE, checks=CHECKS, known_values={"race": {**BLOCK, "as_reported": "known"}})
    ledger = audit(study, [CLAIM])
    main = [r for r in ledger if r["variant"] == "as_reported"]
    assert not [r for r in main if r["verdict"] == "discrepant"], [
        (r["claim_id"], r["note"]) for r in main if r["verdict"] == "discrepant"]
    # the n (%) cells reproduce at the known n, and say so
    white = next(r for r in main if r["claim_id"] == "X-WHITE-A")
    assert white["verdict"] == "reproduced" and white["value"] == pytest.approx(100 * 30 / 45)
    assert "n = 45 (printed; of known values: 50 - 5 unknown (X-UNK-A))" in white["method"]
    # the stated n is the labelled reading n_stated: 30/50 = 60.0%, not 66.7
    assert verdicts(ledger, "X-WHITE-A") == {"as_reported": "reproduced", "n_stated": "discrepant"}
    # the bare percents: 15/45 = 33.33% gives 33.3 at 45; at 50, 33.3% is no count (16/50 = 32, 17/50 = 34)
    assert verdicts(ledger, "X-BLACK-A") == {"as_reported": "consistent", "rounding_truncate": "consistent",
                                             "rounding_double": "consistent", "n_stated": "discrepant"}
    # the Unknown rows are of the stated n
    assert verdicts(ledger, "X-UNK-A") == {"as_reported": "reproduced"}
    # the check between arms runs at the known n 45/48 (counts 15 and 20): the printed p holds
    p = next(r for r in main if r["claim_id"] == "X-TXT-01")
    assert p["verdict"] == "reproduced" and p["value"] == pytest.approx(P_BLACK, rel=1e-12)
    assert "n = 45/48" in p["method"] and "of known values" in p["method"]


def test_of_known_values_is_a_labelled_reading_when_not_configured_as_reported(tmp_path):
    study = write(tmp_path, RACE, checks={**CHECKS, "black": {**CHECKS["black"], "n_variants": ["known"]}},
                  known_values={"race": BLOCK})
    ledger = audit(study, [CLAIM])
    # as reported (of the stated 50) the percents fail; n_known (45 and 48) reproduces them
    assert verdicts(ledger, "X-WHITE-A") == {"as_reported": "discrepant", "rounding_truncate": "discrepant",
                                             "rounding_double": "discrepant", "n_known": "reproduced"}
    p = {r["variant"]: r for r in ledger if r["claim_id"] == "X-TXT-01"}
    assert p["n_known"]["verdict"] == "reproduced"
    assert "n = 45/48 (known; of known values" in p["n_known"]["method"]


def test_a_row_column_sets_the_denominator_of_one_row(tmp_path):
    # White is of known values by its own column; the block's as_reported stays stated
    rows = [r + ("known",) if r[0].startswith("X-WHITE") else r for r in RACE]
    ledger = audit(write(tmp_path, rows, known_values={"race": BLOCK}))
    assert verdicts(ledger, "X-WHITE-A")["as_reported"] == "reproduced"
    assert verdicts(ledger, "X-WHITE-A")["n_stated"] == "discrepant"
    assert verdicts(ledger, "X-BLACK-A")["as_reported"] == "discrepant"


def test_readings_that_share_an_n_keep_their_names(tmp_path):
    # two n_sets give arm a the same 45 (the known n too): each is its own variant
    study = write(tmp_path, RACE, known_values={"race": BLOCK},
                  n_sets={"completers": {"a": 45, "b": 47}, "per_protocol": {"a": 45, "b": 46}})
    ledger = audit(study)
    assert set(verdicts(ledger, "X-WHITE-A")) >= {"as_reported", "n_known", "n_completers", "n_per_protocol"}
    assert verdicts(ledger, "X-WHITE-A")["n_completers"] == verdicts(ledger, "X-WHITE-A")["n_per_protocol"] \
        == "reproduced"


@pytest.mark.parametrize("block, key, message", [
    ({"rows": ["X-WHITE-A"], "unknown": ["X-NOPE"]}, "known_values.race.unknown", "names an unknown row"),
    ({"rows": ["X-WHITE-A"], "unknown": ["X-BLACK-A"]}, "known_values.race.unknown", "prints no count"),
    ({"rows": ["X-WHITE-A"], "unknown": ["X-UNK-B"]}, "known_values.race.rows", "cannot be read of known"),
    ({"rows": ["X-WHITE-A"], "unknown": ["X-UNK-A", "X-WHITE-A"]}, "known_values.race.unknown",
     "two Unknown/Missing rows"),
])
def test_bad_known_values_blocks_name_the_key(tmp_path, block, key, message):
    study = write(tmp_path, RACE, known_values={"race": block})
    rows = sl.load_summaries(study)
    with pytest.raises(InputError) as err:
        sl.validate_checks(study, rows, "config/studies/x.yaml")
    assert "config/studies/x.yaml" in str(err.value) and key in str(err.value) and message in str(err.value)


def test_denominator_known_outside_a_block_is_an_input_error(tmp_path):
    rows = [RACE[0] + ("known",)] + RACE[1:]
    study = write(tmp_path, rows)
    with pytest.raises(InputError) as err:
        sl.validate_checks(study, sl.load_summaries(study))
    assert "denominator" in str(err.value) and "row 1" in str(err.value)


# --- truncation and double rounding on n (%) cells --------------------------------------------

@pytest.mark.parametrize("printed, expected", [
    # 8/55 = 14.5454...%: once rounded 14.5; twice 14.55 -> 14.6; truncated 14.5
    ("8 (14.6)", {"as_reported": "discrepant", "rounding_truncate": "discrepant",
                  "rounding_double": "reproduced"}),
    # 14.5 is what conventional rounding gives: no other reading is tried
    ("8 (14.5)", {"as_reported": "reproduced"}),
    # 15.1 is what no scheme gives (14.5 once, 14.6 twice, 14.5 truncated): impossible
    ("8 (15.1)", {"as_reported": "discrepant", "rounding_truncate": "discrepant",
                  "rounding_double": "discrepant"}),
    # 2/3 = 66.666...%: truncated 66.6, rounded 66.7
    ("2 (66.6)", {"as_reported": "discrepant", "rounding_truncate": "reproduced",
                  "rounding_double": "discrepant"}),
])
def test_n_percent_cells_are_read_as_truncated_and_double_rounded(tmp_path, printed, expected):
    n = 3 if printed.startswith("2 ") else 55
    ledger = audit(write(tmp_path, [("X-A", "event", "a", n, printed, "count_percent")]))
    assert verdicts(ledger, "X-A") == expected
    if "rounding_double" in expected:
        row = next(r for r in ledger if r["variant"] == "rounding_double")
        assert "read as double rounding" in row["note"] and "read as double rounding" in row["method"]


def test_bare_percent_rounded_twice_is_possible_only_under_that_reading(tmp_path):
    # 14.6% of 55: 8/55 = 14.545 (14.5 once), 9/55 = 16.36; no count prints as 14.6
    # conventionally, but 8 does when rounded twice (14.55 -> 14.6): GRIM for
    # percentages is impossible as reported and possible read as double rounding
    ledger = audit(write(tmp_path, [("X-A", "event", "a", 55, "14.6", "percent")]))
    assert verdicts(ledger, "X-A") == {"as_reported": "discrepant", "rounding_truncate": "discrepant",
                                       "rounding_double": "consistent"}
    double = next(r for r in ledger if r["variant"] == "rounding_double")
    assert double["recomputed"] == "count 8"


# --- what the findings make of them (issue 18, "Done when") ----------------------------------

def _findings(ledger):
    import io

    from reanalysis.findings.ranking import findings
    from reanalysis.audit.ledger import read_ledger, to_frame
    text = to_frame(ledger).to_csv(index=False, lineterminator="\n")  # the ledger as written
    return findings(read_ledger(io.StringIO(text)))


def test_percentages_of_known_values_yield_no_finding(tmp_path):
    # the RACE table above, its percentages of known values and the config saying so
    study = write(tmp_path, RACE, checks=CHECKS, known_values={"race": {**BLOCK, "as_reported": "known"}})
    assert [f for f in _findings(audit(study, [CLAIM])) if f.strength != "flag"] == []


def test_percentages_rounded_twice_are_a_rounding_level_slip(tmp_path):
    # 8/55 = 14.5454...% printed 14.6 (14.55 -> 14.6, rounded twice) and 2/3 = 66.666...%
    # printed 66.6 (truncated): each reproduced only under its rounding reading
    ledger = audit(write(tmp_path, [("X-A", "event", "a", 55, "8 (14.6)", "count_percent"),
                                    ("X-B", "other", "a", 3, "2 (66.6)", "count_percent")]))
    found = _findings(ledger)
    assert [(f.strength, f.claims) for f in found] == [("rounding", ["X-A"]), ("rounding", ["X-B"])]
    # and a percentage no scheme gives (15.1: 14.5 once, 14.6 twice, 14.5 truncated) is impossible
    found = _findings(audit(write(tmp_path, [("X-C", "event", "a", 55, "8 (15.1)", "count_percent")])))
    assert [f.strength for f in found] == ["impossible"]
