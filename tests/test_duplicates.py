"""Tests for reanalysis.engine.duplicates: repeated printed values and repeated runs.

Expected values: scrutiny's documented ``duplicate_count`` output for its example data
``pigs4`` (vignette "Duplication analysis", https://lhdjung.github.io/scrutiny/articles/
duplicates.html, also on CRAN), and hand-built tables whose duplicates are counted by
hand in the comments. The chance of a repeat (``coincidence_chance``) against its formula
worked by hand, a seeded Monte Carlo simulation of two rounded estimates, and a brute-force
sum over the rounding cells; which repeats are flagged (``flag_by_chance``) against chances
and comparison counts worked by hand.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

from reanalysis.engine.duplicates import (coincidence_chance, find_duplicate_runs, flag_by_chance,
                                          significant_digits)

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


# --- the chance of a repeat ---------------------------------------------------------------------

def test_chance_worked_by_hand():
    # unit 1, s = sqrt(se_a^2 + se_b^2) = 1: P = erf(1 / sqrt 2) - 2 phi(0) (1 - e^-1/2)
    # = 0.6826894921 - 2 x 0.3989422804 x 0.3934693403 = 0.6826894921 - 0.3139431118 = 0.3687463804
    assert coincidence_chance(1.0, 1 / math.sqrt(2), 1 / math.sqrt(2)) == pytest.approx(0.3687463804, abs=1e-10)
    # Thakkar 2015's FPG '269.6 ± 93.04', n 10 (the review's Table 1), against a bare '269.6':
    # se 93.04 / sqrt 10 = 29.4218 and 0 (not printed); x = 0.1 / 29.4218 = 0.0033988; for
    # small x, P ~ x phi(0) = 0.0013559
    assert coincidence_chance(0.1, 93.04 / math.sqrt(10), None) == pytest.approx(0.0013559, rel=1e-4)
    # no se known: nothing can be said, the bound is 1
    assert coincidence_chance(0.1, None, None) == 1.0 and coincidence_chance(0.1, 0.0, 0.0) == 1.0
    with pytest.raises(ValueError):
        coincidence_chance(0.0, 1.0, 1.0)


@pytest.mark.parametrize("unit, se_a, se_b", [(0.1, 0.3, 0.2), (0.01, 0.05, 0.05), (1.0, 0.4, 0.1),
                                              (0.1, 0.02, 0.03)])
def test_chance_against_a_monte_carlo_simulation(unit, se_a, se_b):
    # two estimates of one true mean, the mean anywhere within a printed cell (the grid's
    # phase uniform), each rounded to the nearest multiple of the unit; 400,000 draws, seeded
    rng = np.random.default_rng(20251207)
    n = 400_000
    mu = 50 + rng.uniform(0, unit, n)
    a = np.floor((mu + rng.normal(0, se_a, n)) / unit + 0.5)
    b = np.floor((mu + rng.normal(0, se_b, n)) / unit + 0.5)
    share = float(np.mean(a == b))
    p = coincidence_chance(unit, se_a, se_b)
    assert abs(share - p) < 4 * math.sqrt(p * (1 - p) / n)


@pytest.mark.parametrize("unit, s", [(0.1, 0.3), (0.01, 0.02), (1.0, 3.0)])
def test_chance_against_brute_force_over_the_cells(unit, s):
    # exactly, for a true mean at offset u within a cell: sum over cells k of
    # P(X_a in cell k) P(X_b in cell k), here with se_a = se_b = s / sqrt 2; averaged over u
    # on a fine grid (the phase), it must equal the formula
    se = s / math.sqrt(2)
    cells = np.arange(-60, 61) * unit
    total = []
    for u in (np.arange(400) + 0.5) / 400 * unit:
        pa = stats.norm.cdf(cells + unit / 2, u, se) - stats.norm.cdf(cells - unit / 2, u, se)
        total.append(float(pa @ pa))
    assert coincidence_chance(unit, se, se) == pytest.approx(np.mean(total), rel=1e-4)
    # and as E[max(0, 1 - |D| / unit)] over D ~ N(0, s^2), by quadrature
    quad = 2 * integrate.quad(lambda d: (1 - d / unit) * stats.norm.pdf(d, 0, s), 0, unit)[0]
    assert coincidence_chance(unit, se, se) == pytest.approx(quad, rel=1e-9)


def test_chance_is_largest_at_equal_true_means():
    # with the true means apart by delta, D ~ N(delta, s^2): the chance only falls
    unit, s = 0.1, 0.25
    p0 = coincidence_chance(unit, s, 0.0)
    for delta in (0.01, 0.05, 0.2, 1.0):
        p = integrate.quad(lambda d: (1 - abs(d) / unit) * stats.norm.pdf(d, delta, s), -unit, unit)[0]
        assert p < p0


# --- which repeats are flagged ----------------------------------------------------------------------

def _rec(id_, group, pos, value, quantity, se=None, second=None, unit=None):
    unit = unit if unit is not None else 10.0 ** -len(value.split(".")[1]) if "." in value else 1.0
    rec = {"id": id_, "group": group, "position": pos, "value": value, "quantity": quantity,
           "unit": unit, "se": se}
    if second:
        rec["second"] = second
    return rec


def test_a_copied_baseline_run_is_flagged_and_a_lone_one_decimal_repeat_is_not():
    se_fpg, se_cp = 93.04 / math.sqrt(10), 0.21 / math.sqrt(10)
    records = [
        # study T prints mean ± SD (n 10); study D prints bare means: the same FPG and C-peptide
        _rec("T-FPG", "T", 1, "269.6", ("fpg", "bl"), se_fpg),
        _rec("T-CP", "T", 2, "0.22", ("cpep", "bl"), se_cp),
        _rec("T-A1C", "T", 3, "10.9", ("hba1c", "bl"), 2.15 / math.sqrt(10)),
        _rec("D-FPG", "D", 1, "269.6", ("fpg", "bl")),
        _rec("D-CP", "D", 2, "0.22", ("cpep", "bl")),
        _rec("D-A1C", "D", 3, "10.99", ("hba1c", "bl")),
        # study C: one-decimal HbA1c of 6.9 in two of its arms (medians, SE ~ 0.15)
        _rec("C1", "C/cases", 1, "6.9", ("hba1c", "bl"), 0.15),
        _rec("C2", "C/controls", 1, "6.9", ("hba1c", "bl"), 0.14),
    ]
    flags = flag_by_chance(records, alpha=0.05)
    assert [f["kind"] for f in flags] == ["value", "run"]
    value, run = flags
    assert run["ids"] == ["T-FPG", "T-CP", "D-FPG", "D-CP"]
    # chance: 0.0013559 (FPG, worked above) x 0.0599613 (C-peptide: x = 0.01 / 0.0664078 =
    # 0.150585, erf(x / sqrt 2) - (2 / x) phi(0) (1 - exp(-x^2 / 2)) = 0.0599613)
    assert run["chance"] == pytest.approx(0.0013559384 * 0.0599613211, rel=1e-6)
    # comparisons of runs: places where two consecutive values of the same quantities line up
    # in two groups: T1-T2 against D1-D2, T2-T3 against D2-D3 -> 2 (C's groups hold one value each)
    assert run["comparisons"] == 2
    assert ";" not in run["text"] and "chance at most 8.1e-05" in run["text"]
    # value comparisons (one quantity, two groups): T/D fpg, cpep, hba1c and hba1c T-C1, T-C2,
    # D-C1, D-C2, C1-C2 -> 8. In a table this small the FPG repeat alone is unlikely too:
    # 0.0013559 x 8 = 0.011 <= 0.05
    assert value["ids"] == ["T-FPG", "D-FPG"] and value["comparisons"] == 8
    assert value["adjusted"] == pytest.approx(0.0013559384 * 8, rel=1e-6)
    # the 6.9 repeat: s = sqrt(0.15^2 + 0.14^2) = 0.205183, x = 0.1 / s = 0.487370,
    # erf(x / sqrt 2) = 0.374004, (2 / x) phi(0) (1 - exp(-x^2 / 2)) = 0.183331: chance 0.190673,
    # far above 0.05 / 8
    assert coincidence_chance(0.1, 0.15, 0.14) == pytest.approx(0.190673, abs=1e-6)
    assert not [f for f in flags if "C1" in f["ids"]]


def test_a_repeated_mean_and_sd_multiplies_the_two_chances():
    # one arm's '8.12 ± 1.31' printed again for the other arm (n 45 and 44): the mean's chance
    # with se 1.31 / sqrt 45 and 1.31 / sqrt 44, times the SD's with se 1.31 / sqrt(2 x 44)
    # and 1.31 / sqrt(2 x 43)
    sd = {"text": "1.31", "unit": 0.01}
    a = _rec("A", "active", 1, "8.12", ("hba1c", "w48"), 1.31 / math.sqrt(45),
             {**sd, "se": 1.31 / math.sqrt(88)})
    b = _rec("B", "placebo", 1, "8.12", ("hba1c", "w48"), 1.31 / math.sqrt(44),
             {**sd, "se": 1.31 / math.sqrt(86)})
    flags = flag_by_chance([a, b], alpha=0.05)
    expected = (coincidence_chance(0.01, 1.31 / math.sqrt(45), 1.31 / math.sqrt(44))
                * coincidence_chance(0.01, 1.31 / math.sqrt(88), 1.31 / math.sqrt(86)))
    assert len(flags) == 1 and flags[0]["chance"] == pytest.approx(expected, rel=1e-12)
    assert flags[0]["comparisons"] == 1 and "'8.12 ± 1.31'" in flags[0]["text"]
    # a different SD: the mean alone (0.017) is still below 0.05 with one comparison...
    b2 = {**b, "second": {**sd, "text": "1.29", "se": 1.29 / math.sqrt(86)}}
    only_mean = flag_by_chance([a, b2], alpha=0.05)
    assert only_mean[0]["chance"] == pytest.approx(coincidence_chance(0.01, 1.31 / math.sqrt(45),
                                                                      1.31 / math.sqrt(44)), rel=1e-12)
    # ...but not at alpha 0.01
    assert flag_by_chance([a, b2], alpha=0.01) == []
    # the same group at another time point is a restatement's kind of repeat: never compared
    c = {**b, "group": "active", "quantity": ("hba1c", "w24")}
    assert flag_by_chance([a, c], alpha=0.05) == []


def test_the_share_of_tables_with_a_chance_flag_stays_below_alpha():
    # Monte Carlo of the flag rule: tables of 3 groups x 6 quantities whose groups share every
    # true mean (the case most favourable to coincidences), printed to 0.1 with SEs of 0.2-0.5;
    # Bonferroni over each table's comparisons keeps the share of tables with any flag <= alpha
    rng = np.random.default_rng(11)
    alpha, tables, flagged = 0.2, 400, 0
    for _ in range(tables):
        records = []
        for q in range(6):
            mu = rng.uniform(5, 10)
            for g in range(3):
                se = float(rng.uniform(0.2, 0.5))
                value = f"{np.floor((mu + rng.normal(0, se)) / 0.1 + 0.5) / 10:.1f}"
                records.append(_rec(f"G{g}Q{q}", f"g{g}", q, value, (f"q{q}", "bl"), se, unit=0.1))
        flagged += bool(flag_by_chance(records, alpha=alpha))
    share = flagged / tables
    assert share <= alpha + 3 * math.sqrt(alpha * (1 - alpha) / tables)
    assert flagged > 0          # not vacuous: with 0.1 units and these SEs, repeats do get flagged
