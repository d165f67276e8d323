"""Tests for reanalysis.duplicates: repeated printed values and repeated runs.

Expected values: scrutiny's documented ``duplicate_count`` output for its example data
``pigs4`` (vignette "Duplication analysis", https://lhdjung.github.io/scrutiny/articles/
duplicates.html, also on CRAN), and hand-built tables whose duplicates are counted by
hand in the comments.
"""
from __future__ import annotations

import pytest

from reanalysis.duplicates import find_duplicate_runs, significant_digits

# scrutiny's pigs4 (columns snout, tail, wings; five rows), as printed in the vignette
PIGS4 = {
    "snout": ["4.73", "8.13", "4.22", "4.22", "5.17"],
    "tail": ["6.88", "7.33", "5.17", "7.57", "8.13"],
    "wings": ["6.09", "8.27", "4.40", "5.92", "5.17"],
}


def pigs4_records():
    return [{"id": f"{col}{row + 1}", "group": col, "position": row, "value": v}
            for col, values in PIGS4.items() for row, v in enumerate(values)]


def test_value_counts_match_scrutiny_duplicate_count_on_pigs4():
    # The vignette's duplicate_count(pigs4): 5.17 frequency 3, locations snout, tail,
    # wings (locations_n 3); 4.22 frequency 2 in snout only (1); 8.13 frequency 2 in
    # snout, tail (2); the other eight values once.
    found = {f["values"]: f for f in find_duplicate_runs(pigs4_records())
             if f["kind"] == "value"}
    assert set(found) == {("5.17",), ("4.22",), ("8.13",)}
    assert (found[("5.17",)]["count"], found[("5.17",)]["groups"],
            found[("5.17",)]["groups_n"]) == (3, ["snout", "tail", "wings"], 3)
    assert (found[("4.22",)]["count"], found[("4.22",)]["groups"],
            found[("4.22",)]["groups_n"]) == (2, ["snout"], 1)
    assert (found[("8.13",)]["count"], found[("8.13",)]["groups"],
            found[("8.13",)]["groups_n"]) == (2, ["snout", "tail"], 2)
    assert found[("5.17",)]["ids"] == ["snout5", "tail3", "wings5"]
    # ordered by falling frequency, as duplicate_count orders its table
    first = find_duplicate_runs(pigs4_records())[0]
    assert first["values"] == ("5.17",) and "3 times" in first["reason"]
    # no run: no two consecutive values recur together
    assert not [f for f in find_duplicate_runs(pigs4_records()) if f["kind"] == "run"]


def baseline_rows():
    """Two studies' baseline tables as (mean, SD) rows in printed order. Study B prints
    study A's rows 1-2 ("8.4 ± 0.6", "7.3 ± 0.8") again as its rows 2-3; its row 4 differs
    from A's row 3 in the mean (9.2 vs 9.1)."""
    a = [("8.4", "0.6"), ("7.3", "0.8"), ("9.1", "1.2")]
    b = [("6.4", "0.6"), ("8.4", "0.6"), ("7.3", "0.8"), ("9.2", "1.2")]
    rows = []
    for study, table in (("A", a), ("B", b)):
        for pos, (m, sd) in enumerate(table, start=1):
            rows.append({"id": f"{study}{pos}", "group": study, "position": pos,
                         "mean": m, "sd": sd})
    return rows


def test_run_of_baseline_rows_printed_again():
    found = find_duplicate_runs(baseline_rows(), key_fields=("mean", "sd"))
    runs = [f for f in found if f["kind"] == "run"]
    assert len(runs) == 1
    run = runs[0]
    assert run["values"] == [("8.4", "0.6"), ("7.3", "0.8")]
    assert run["length"] == 2 and run["count"] == 2
    assert run["ids"] == [["A1", "A2"], ["B2", "B3"]]
    assert run["groups"] == ["A", "B"] and run["groups_n"] == 2
    assert "8.4 | 0.6" in run["reason"] and "2 places" in run["reason"]
    # the pairs themselves are repeated values too (each twice); the SD "0.6" alone is
    # not a key here, so A1/B1's shared SD does not count
    values = {f["values"]: f["count"] for f in found if f["kind"] == "value"}
    assert values == {("8.4", "0.6"): 2, ("7.3", "0.8"): 2}
    # with min_run = 3 the run of two is not reported
    assert not [f for f in find_duplicate_runs(baseline_rows(), key_fields=("mean", "sd"),
                                               min_run=3) if f["kind"] == "run"]


def test_runs_are_maximal_and_unordered_positions_are_sorted():
    # Group X: 1.23 4.56 7.89 0.12; group Y (positions given out of order): 9.99, then
    # 1.23 4.56 7.89. One maximal run of three, not also its sub-runs of two.
    x = ["1.23", "4.56", "7.89", "0.12"]
    y = {3: "4.56", 1: "9.99", 4: "7.89", 2: "1.23"}
    records = [{"id": f"x{i}", "group": "X", "position": i, "value": v}
               for i, v in enumerate(x)]
    records += [{"id": f"y{p}", "group": "Y", "position": p, "value": v}
                for p, v in y.items()]
    runs = [f for f in find_duplicate_runs(records) if f["kind"] == "run"]
    assert [r["values"] for r in runs] == [[("1.23",), ("4.56",), ("7.89",)]]
    assert runs[0]["ids"] == [["x0", "x1", "x2"], ["y2", "y3", "y4"]]


def test_run_repeated_within_one_group_without_overlap():
    # One column: 2.15 3.48 | 5.01 | 2.15 3.48 -> a run of two at positions 0 and 3.
    # A constant stretch 6.66 6.66 6.66 only overlaps itself: no run.
    values = ["2.15", "3.48", "5.01", "2.15", "3.48", "6.66", "6.66", "6.66"]
    records = [{"id": i, "group": "T", "position": i, "value": v} for i, v in enumerate(values)]
    runs = [f for f in find_duplicate_runs(records) if f["kind"] == "run"]
    assert [(r["values"], r["ids"]) for r in runs] == [
        ([("2.15",), ("3.48",)], [[0, 1], [3, 4]])]


def test_trailing_zeros_and_trivial_values():
    records = [
        {"id": 1, "group": "a", "position": 1, "value": "8.40"},
        {"id": 2, "group": "b", "position": 1, "value": "8.4"},    # not the same as 8.40
        {"id": 3, "group": "a", "position": 2, "value": "10"},     # 1 significant digit
        {"id": 4, "group": "b", "position": 2, "value": "10"},
        {"id": 5, "group": "a", "position": 3, "value": "22"},     # 2 significant digits
        {"id": 6, "group": "b", "position": 3, "value": "22"},
        {"id": 7, "group": "a", "position": 4, "value": "NA"},
        {"id": 8, "group": "b", "position": 4, "value": "NA"},
        {"id": 9, "group": "a", "position": 5, "value": ""},       # a gap
        {"id": 10, "group": "b", "position": 5, "value": None},
    ]
    values = lambda **kw: {f["values"]: f["count"]              # noqa: E731
                           for f in find_duplicate_runs(records, **kw) if f["kind"] == "value"}
    assert values() == {("22",): 2}
    assert values(ignore_integers=True) == {}
    assert values(ignore=["22"]) == {}
    assert values(min_digits=1) == {("10",): 2, ("22",): 2}
    # runs: "10", "22" follow each other in both groups; "10" is trivial but "22" is
    # not, so the run is reported; "NA" (no digit) and the empty cells are gaps that end it
    runs = [f for f in find_duplicate_runs(records) if f["kind"] == "run"]
    assert [r["values"] for r in runs] == [[("10",), ("22",)]]
    assert runs[0]["ids"] == [[3, 5], [4, 6]]
    # a run of trivial values only is not reported
    assert not [f for f in find_duplicate_runs(records, ignore=["22"]) if f["kind"] == "run"]


@pytest.mark.parametrize("text, digits", [
    ("8.4", 2), ("10", 1), ("10.0", 3), ("0.05", 1), ("0.050", 2), ("12", 2),
    ("100", 1), ("8.4 ± 0.6", 3), ("NA", 0), ("-3.20", 3), ("2.0e-7", 2),
])
def test_significant_digits(text, digits):
    assert significant_digits(text) == digits


def test_bad_min_run():
    with pytest.raises(ValueError):
        find_duplicate_runs([], min_run=1)
