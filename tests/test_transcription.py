"""The transcription of Matsuoka 2025 against the paper's own text.

Expected values are quoted from the preprint (../shared/papers/002_28f57e7d270adcc8.txt)
with their location; the computations are done here with the standard library only,
independently of the package under test.
"""
import csv
import statistics
from decimal import ROUND_HALF_UP, Decimal

import pytest

from conftest import ROOT
from reanalysis.inputs import transcription

TABLE = ROOT / "raw" / "matsuoka2025" / "table1_patients.csv"
CLAIMS = ROOT / "raw" / "matsuoka2025" / "claims.csv"
PAPER = "002_28f57e7d270adcc8.txt"
CELLS = ["sex", "age", "dose_million_cells", "hba1c_before", "hba1c_after", "months_observed"]


def rows():
    with open(TABLE, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def paper_lines(papers_dir, name=PAPER):
    return (papers_dir / name).read_text(encoding="utf-8").split("\n")


def half_up(x, places):
    return str(Decimal(str(x)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def test_table_has_every_printed_row_in_order():
    table = rows()
    assert len(table) == 58  # Table 1 prints 14 + 36 + 8 patient rows
    assert [int(r["printed_position"]) for r in table] == list(range(1, 59))
    assert len({r["row_id"] for r in table}) == 58


def test_each_row_matches_its_printed_line(papers_dir):
    """Every cell equals the printed cell; merged cells are split only where noted."""
    lines = paper_lines(papers_dir)
    for r in rows():
        printed = [c.strip() for c in lines[int(r["source_line"]) - 1].strip().strip("|").split("|")]
        ours = [r[c] for c in CELLS]
        if r["repair_note"]:
            # The last block prints "after months" in one cell and leaves the last empty.
            assert printed[4] == f"{r['hba1c_after']} {r['months_observed']}", r["row_id"]
            assert printed[5] == "", r["row_id"]
            assert f"'{printed[4]}'" in r["repair_note"], r["row_id"]
            assert printed[:4] == ours[:4], r["row_id"]
        else:
            assert printed[:6] == ours, r["row_id"]


def test_table_rederives_the_descriptives_the_paper_prints():
    table = rows()
    # Results, paragraph 1 (line 80): "42 male and 16 female patients".
    assert sum(r["sex"] == "M" for r in table) == 42
    assert sum(r["sex"] == "F" for r in table) == 16
    ages = [int(r["age"]) for r in table]
    # Line 80: "a mean age of 63.3 years (range: 42 to 89 years)".
    assert half_up(statistics.fmean(ages), 1) == "63.3"
    assert (min(ages), max(ages)) == (42, 89)
    before = [Decimal(r["hba1c_before"]) for r in table]
    after = [Decimal(r["hba1c_after"]) for r in table]
    # Results, paragraph 2 (line 82): "the mean HbA1c level was 7.49%, with values
    # ranging from 6.3% to 12.4% ... decreased to 6.7%, with a post-treatment range of
    # 4.6% to 10.9%". Decimal arithmetic is exact here.
    assert half_up(sum(before) / len(before), 2) == "7.49"
    assert (str(min(before)), str(max(before))) == ("6.3", "12.4")
    assert half_up(sum(after) / len(after), 1) == "6.7"
    assert (str(min(after)), str(max(after))) == ("4.6", "10.9")
    months = sorted(int(r["months_observed"]) for r in table)
    # Line 82: "individual follow-up periods ranging from 6 to 68 months";
    # Figure 1 text (line 169): "Median follow-up duration: 35.5 months".
    assert (months[0], months[-1]) == (6, 68)
    assert statistics.median(months) == 35.5


def test_claims_quote_the_paper_verbatim(papers_dir):
    """Each claim's `reported` text stands at its cited line (the rule every study meets,
    reanalysis.inputs.transcription, which `check` runs too) and, in this transcription's
    convention, at `also_in` ("<file> line <n>", unless it says the text printed there)."""
    with open(CLAIMS, newline="", encoding="utf-8") as fh:
        claims = list(csv.DictReader(fh))
    assert len(claims) >= 60
    spec = {"claims": CLAIMS.relative_to(ROOT).as_posix(), "design": "patient_level"}
    assert transcription.run(transcription.claims_quote_their_lines, ROOT, spec, papers_dir, "config") == []
    for c in claims:
        if c["also_in"] and "(printed" not in c["also_in"]:
            name, _, rest = c["also_in"].partition(" line ")
            other = paper_lines(papers_dir, name)[int(rest.split()[0]) - 1]
            assert c["reported"] in other, c["claim_id"]


@pytest.mark.parametrize("quantity_check", [
    # The minimum coverage, by check name.
    "n_patients", "n_male", "n_female", "age_mean", "age_min", "age_max", "dose_min",
    "dose_max", "dose_median", "hba1c_before_mean", "hba1c_before_min", "hba1c_before_max",
    "hba1c_after_mean", "hba1c_after_min", "hba1c_after_max", "overall_paired_p",
    "moderate_mean_reduction", "moderate_paired_p", "severe_mean_reduction", "severe_paired_p",
    "severity_definition", "dose_trend_p", "dose_ge1500_mean_reduction",
    "dose_lt1000_mean_reduction", "duration_reduction_r", "months_median", "months_q1",
    "months_q3", "months_min", "months_max",
])
def test_claims_cover_the_required_quantities(quantity_check):
    with open(CLAIMS, newline="", encoding="utf-8") as fh:
        assert any(c["check"] == quantity_check for c in csv.DictReader(fh))


def test_both_printed_medians_are_claims():
    with open(CLAIMS, newline="", encoding="utf-8") as fh:
        medians = {c["claim"] for c in csv.DictReader(fh) if c["check"] == "months_median"}
    # Abstract and Results print "35 months"; the Figure 1 text prints "35.5 months".
    assert {"35", "35.5"} <= medians
