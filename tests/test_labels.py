"""Labels that are true (issue 18, item 5).

- `descriptive_only` ("a printed value nothing else restates, sums or checks") only where
  that is so: a printed value that another row restates (`same_as`, either way), or that a
  claimed `value`, `sum` or `difference` check reads, gets that check's verdict. Tested over
  the whole ledger of every summary-level study of the config, and on throwaway studies.
- `needs_raw_data`: a test on the raw data that no printed summary can reproduce is a fact
  about the paper, not a gap of ours (`no_check_kind`).

Expected sums and verdicts are worked by hand in the comments.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from reanalysis.audit import designs
from reanalysis.audit import summary_level as sl
from reanalysis.errors import InputError
from reanalysis.audit.ledger import (DESCRIPTIVE_ONLY, NEEDS_RAW_DATA, RESTATING_KINDS, WHY_UNVERIFIABLE,
                                     audit_study, audit_summary_rows, load_claims)

from conftest import CONFIG, ROOT, STUDIES

CLAIMS_SCHEMA = ROOT / "workflow" / "schemas" / "claims.schema.yaml"
SUMMARY_STUDIES = [s for s in STUDIES if CONFIG["studies"][s]["design"] == "summary_level"]


def ledger_of(name: str) -> list[dict]:
    """A study's ledger rows as the audit job makes them (workflow/scripts/audit_study.py):
    the recomputed table read back from its CSV text."""
    study = CONFIG["studies"][name]
    data = designs.load(study)
    designs.validate_checks(study, data, f"config/studies/{name}.yaml")
    claims = load_claims(Path(study["claims"]), CLAIMS_SCHEMA, study)
    stats = pd.read_csv(io.StringIO(designs.recompute(study, data, name).to_csv(index=False)))
    return designs.audit(name, study, claims, stats, data)


@pytest.mark.parametrize("name", SUMMARY_STUDIES)
def test_no_restated_or_summed_value_is_descriptive_only(name, monkeypatch):
    """Over the whole ledger: no as-reported row is `descriptive_only` while another row
    restates it (`same_as`, in either direction), or a claimed restating check (`value`,
    `sum`, `difference`) reads it; and each such value carries that check's verdict."""
    monkeypatch.chdir(ROOT)
    study = CONFIG["studies"][name]
    ledger = ledger_of(name)
    with open(ROOT / study["table"], newline="", encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    restated = {r["same_as"] for r in table if r["same_as"]} | {r["value_id"] for r in table if r["same_as"]}
    claimed = {r["_check"] for r in ledger if r.get("_check")}
    read_by = {}
    for check, spec in study["checks"].items():
        if spec.get("kind") in RESTATING_KINDS and check in claimed:
            for ref in sl.input_ids(spec):
                read_by.setdefault(ref, set()).add(check)
    main = [r for r in ledger if r["variant"] == "as_reported"]
    wrong = [r["claim_id"] for r in main if r["why_unverifiable"] == DESCRIPTIVE_ONLY
             and (r["claim_id"] in restated or r["claim_id"] in read_by)]
    assert not wrong, f"{name}: restated, summed or checked, yet descriptive_only: {wrong}"
    for value_id, checks in read_by.items():
        rows = [r for r in main if r["claim_id"] == value_id and r["statistic"] in
                {sl.claim_statistic(study["checks"][c]) for c in checks}]
        assert rows, (name, value_id, checks)
    for value_id in restated:
        assert any(r["claim_id"] == value_id and r["statistic"] == "agreement" for r in main), (name, value_id)
    assert {r["why_unverifiable"] for r in ledger} <= set(WHY_UNVERIFIABLE) | {""}


# --- throwaway studies -----------------------------------------------------------------------

COLUMNS = ["value_id", "source_file", "source_line", "location", "outcome", "quantity", "arm", "timepoint",
           "n", "reported", "value", "form", "dispersion", "same_as", "marker", "repair_note", "note"]


def write(tmp_path, rows, checks):
    """rows: (value_id, location, outcome, value, form, same_as)."""
    path = tmp_path / "summaries.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for i, (vid, loc, outcome, value, form, same_as) in enumerate(rows, start=1):
            w.writerow([vid, "paper.txt", i, loc, outcome, outcome, "a", "t", 50, value, value, form,
                        "sd" if form == "mean_dispersion" else "", same_as, "", "", ""])
    return {"design": "summary_level", "alpha": 0.05, "checks": checks, "table": str(path),
            "table_schema": str(ROOT / "workflow" / "schemas" / "summaries.schema.yaml")}


def claim(claim_id, check, printed):
    return {"claim_id": claim_id, "location": "Results", "quantity": "q", "reported": printed, "claim": printed,
            "claim_basis": "verbatim", "scale": 1.0, "check": check, "source_file": "paper.txt",
            "source_line": 9, "note": ""}


def audit(study, claims):
    rows = sl.load_summaries(study)
    sl.validate_checks(study, rows)
    stats = sl.recompute(rows, study, "synthetic")
    claim_rows = audit_study("synthetic", study, claims, stats)
    return claim_rows + audit_summary_rows("synthetic", study, rows, stats, claim_rows=claim_rows)


def main_rows(ledger, value_id):
    return [r for r in ledger if r["claim_id"] == value_id and r["variant"] == "as_reported"]


# Zang 2022's flow (Results, Study population): of 45 randomised, 37 completed, 2 were lost
# to follow-up and 6 withdrew: 37 + 2 + 6 = 45.
FLOW = [("X-DONE", "Flow", "completed", "37", "count", ""),
        ("X-LOST", "Flow", "lost", "2", "count", ""),
        ("X-WITHDRAWN", "Flow", "withdrawn", "6", "count", ""),
        ("X-AGE", "Table 1", "age", "50.1 ± 9.4", "mean_dispersion", "")]
SUM = {"flow": {"kind": "sum", "parts": ["X-DONE", "X-LOST", "X-WITHDRAWN"], "component": "count"}}


@pytest.mark.parametrize("total, verdict", [("45", "reproduced"), ("46", "discrepant")])
def test_a_summed_value_gets_the_verdict_of_its_sum(tmp_path, total, verdict):
    ledger = audit(write(tmp_path, FLOW, SUM), [claim("X-TXT-01", "flow", total)])
    assert [r["verdict"] for r in main_rows(ledger, "X-TXT-01")] == [verdict]
    for part in ("X-DONE", "X-LOST", "X-WITHDRAWN"):
        (row,) = main_rows(ledger, part)
        assert (row["verdict"], row["statistic"], row["why_unverifiable"]) == (verdict, "sum", "")
        assert row["note"].startswith("summed in X-TXT-01 (Results, line 9: '" + total + "')")
    # the mean nothing restates, sums or checks stays descriptive
    (age,) = main_rows(ledger, "X-AGE")
    assert (age["verdict"], age["why_unverifiable"]) == ("unverifiable", DESCRIPTIVE_ONLY)


def test_a_sum_nobody_claims_checks_nothing(tmp_path):
    ledger = audit(write(tmp_path, FLOW, SUM), [])
    assert {r["why_unverifiable"] for r in ledger} == {DESCRIPTIVE_ONLY}


@pytest.mark.parametrize("results, verdict", [("8.1", "reproduced"), ("8.3", "discrepant")])
def test_a_restated_value_gets_the_agreement_both_ways(tmp_path, results, verdict):
    # the abstract prints 8.1 and names the Results row as the same quantity
    rows = [("X-ABS", "Abstract", "hba1c", "8.1", "mean", "X-RES"),
            ("X-RES", "Results", "hba1c", results, "mean", "")]
    ledger = audit(write(tmp_path, rows, {}), [])
    for value_id in ("X-ABS", "X-RES"):
        (row,) = main_rows(ledger, value_id)
        assert (row["statistic"], row["verdict"]) == ("agreement", verdict)


def test_needs_raw_data_is_a_reason_of_its_own(tmp_path):
    """A rank test behind a median (IQR) is named `needs_raw_data`; the reasons stay known."""
    path = tmp_path / "claims.csv"
    header = ["claim_id", "source_file", "source_line", "location", "quantity", "reported", "claim",
              "claim_basis", "scale", "check", "why_not_recomputable", "also_in", "note"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerow(["X-T2-01", "paper.txt", 3, "Table 2", "p, Kruskal-Wallis", "p = 0.03", "",
                    "not_recomputable", 1, "", "needs_raw_data", "", "medians (IQR) only"])
    (row,) = load_claims(path, CLAIMS_SCHEMA, {"checks": {}})
    (out,) = audit_study("synthetic", {"checks": {}}, [row], pd.DataFrame(columns=["check"]))
    assert (out["verdict"], out["why_unverifiable"]) == ("unverifiable", NEEDS_RAW_DATA)
    assert NEEDS_RAW_DATA in WHY_UNVERIFIABLE
    bad = path.read_text().replace("needs_raw_data", "needs_raw")
    path.write_text(bad)
    with pytest.raises(InputError):
        load_claims(path, CLAIMS_SCHEMA, {"checks": {}})
