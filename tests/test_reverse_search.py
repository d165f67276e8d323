"""Tests for reanalysis.beyond.reverse_search (exploratory).

A hand-built frame where one known subset gives the printed value, worked by hand in
the comments; the number of recipes counted by hand; the chance reading H * f worked
by hand. Every match's value is re-derived in the test with decimal arithmetic.
"""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from reanalysis.beyond.reverse_search import (count_standard_candidates, groupings_from_study,
                                              search, standard_candidates, statistic_function)

ROOT = Path(__file__).resolve().parents[1]

# Six patients. Changes (before - after): 0.3, 0.5, 0.9, 1.5, 1.8, 1.86.
# The three with dose >= 1500 have changes 1.5, 1.8, 1.86: sum 5.16, mean 1.72.
FRAME = pd.DataFrame({
    "before": [7.0, 7.5, 8.0, 9.0, 9.5, 10.0],
    "after": [6.7, 7.0, 7.1, 7.5, 7.7, 8.14],
    "dose": [100, 500, 1000, 1500, 2000, 2000],
})
SEX = {"sex": {"M": np.array([True, False, True, False, True, False]),
               "F": np.array([False, True, False, True, False, True])}}


def prints_as(value, text):
    """Half-up or half-even rounding with decimal, by hand."""
    d = Decimal(text)
    unit = Decimal(1).scaleb(d.as_tuple().exponent)
    v = Decimal(repr(round(value, 12)))
    return d in (v.quantize(unit, ROUND_HALF_UP), v.quantize(unit, ROUND_HALF_EVEN))


def test_known_subset_is_found():
    cands = standard_candidates(FRAME, SEX, ["dose"], [1000, 1500], before="before",
                                after="after", max_drop=1)
    res = search(FRAME, "1.72", cands)
    found = {m["description"] for m in res["matches"]}
    # dose >= 1500 and dose > 1000 select the same three rows
    assert "mean of change (before - after); subset: dose >= 1500" in found
    assert "mean of change (before - after); subset: dose > 1000" in found
    # every match really prints as 1.72 (recomputed here from the subset it names)
    for m in res["matches"]:
        assert prints_as(m["value"], "1.72"), m
    assert res["label"] == "exploratory"
    # not a match: all rows, mean change = (0.3+0.5+0.9+1.5+1.8+1.86)/6 = 6.86/6 = 1.1433
    row = res["evaluations"].set_index("description").loc[
        "mean of change (before - after); subset: all rows"]
    assert row["value"] == pytest.approx(6.86 / 6) and not row["matches"]


def test_hypothesis_count_is_exact():
    # Subsets: all rows (1) + 2 groups + 2 thresholds x 4 operators (8) = 11.
    # Per subset: 2 measures x (mean, median, mean without 1 largest, without 1 smallest)
    # = 8. 11 * 8 = 88.
    cands = standard_candidates(FRAME, SEX, ["dose"], [1000, 1500], before="before",
                                after="after", max_drop=1)
    assert len(cands) == 88 == count_standard_candidates(2, 2, 1)
    res = search(FRAME, "1.72", cands)
    assert res["n_hypotheses"] == 88
    # max_drop = 3, thresholds on two columns by dict: S = 1 + 2 + 4 * (2 + 1) = 15,
    # per subset 2 * (2 + 6) = 16 -> 240
    cands = standard_candidates(FRAME, SEX, ["dose", "before"],
                                {"dose": [1000, 1500], "before": [8.0]},
                                before="before", after="after", max_drop=3)
    assert len(cands) == 240 == count_standard_candidates(2, 3, 3)


def test_statistics_by_hand():
    # dose <= 1000: rows 1-3, changes 0.3, 0.5, 0.9; percent changes
    # 100*0.3/7 = 4.2857, 100*0.5/7.5 = 6.6667, 100*0.9/8 = 11.25.
    cands = standard_candidates(FRAME, {}, ["dose"], [1000], before="before",
                                after="after", max_drop=1)
    res = search(FRAME, "0.4", cands)
    ev = res["evaluations"].set_index("description")["value"]
    s = "subset: dose <= 1000"
    assert ev[f"median of change (before - after); {s}"] == pytest.approx(0.5)
    assert ev[f"mean_without_1_largest of change (before - after); {s}"] == pytest.approx(0.4)
    assert ev[f"mean_without_1_smallest of change (before - after); {s}"] == pytest.approx(0.7)
    assert ev[f"mean of percent change 100*(before - after)/before; {s}"] == \
        pytest.approx((30 / 7 + 50 / 7.5 + 11.25) / 3)   # 7.4008
    # '0.4' is matched by the mean without the largest (0.3, 0.5 -> 0.4)
    assert any(m["description"] == f"mean_without_1_largest of change (before - after); {s}"
               for m in res["matches"])


def test_chance_reading_by_hand():
    cands = standard_candidates(FRAME, SEX, ["dose"], [1000, 1500], before="before",
                                after="after", max_drop=1)
    res = search(FRAME, "1.72", cands, plausible_range=(0.0, 5.0))
    ch = res["chance"]
    # '1.72' stands for an interval of width 0.01; over [0, 5]: f = 0.01 / 5 = 0.002.
    assert ch["f"] == pytest.approx(0.002)
    assert ch["expected_chance_matches"] == pytest.approx(res["n_evaluated"] * 0.002)
    assert ch["expected_chance_matches_distinct"] == pytest.approx(res["n_distinct"] * 0.002)
    assert ch["p_at_least_one_if_independent"] == \
        pytest.approx(1 - 0.998 ** res["n_distinct"])
    assert "H*f" in ch["reading"] and "Exploratory" in ch["reading"]
    # an inequality claim covers part of the range: '> 4' on [0, 5] -> f = 1/5
    assert search(FRAME, "> 4", cands, plausible_range=(0.0, 5.0))["chance"]["f"] == \
        pytest.approx(0.2)


def test_undefined_recipes_counted_but_not_evaluated():
    # dose > 2000 is empty: its 8 recipes are tried (counted) but have no value.
    cands = standard_candidates(FRAME, {}, ["dose"], [2000], before="before",
                                after="after", max_drop=1)
    res = search(FRAME, "1.72", cands)
    assert res["n_hypotheses"] == (1 + 4) * 8 == 40
    # Only dose > 2000 is empty (its 8 recipes are NaN); the smallest other subset,
    # dose >= 2000, has 2 rows, enough to drop one.
    assert res["n_evaluated"] == 40 - 8


def test_custom_candidates_with_masks_and_names():
    frame = FRAME.assign(change=FRAME["before"] - FRAME["after"])
    cands = [{"description": "high dose, mean", "subset": frame["dose"].to_numpy() >= 1500,
              "column": "change", "statistic": "mean"},
             {"description": "everyone, max", "subset": None, "column": "change",
              "statistic": np.max}]
    res = search(frame, "1.72", cands)
    assert res["n_hypotheses"] == 2
    assert [m["description"] for m in res["matches"]] == ["high dose, mean"]
    assert res["matches"][0]["n"] == 3


def test_bad_inputs():
    with pytest.raises(ValueError):
        statistic_function("mode")
    with pytest.raises(ValueError):
        standard_candidates(FRAME, {}, ["weight"], [1.0], before="before", after="after")
    with pytest.raises(ValueError):
        search(FRAME, "1.72", [{"description": "x", "subset": np.array([True]),
                                "column": "dose", "statistic": "mean"}])


def test_groupings_from_the_matsuoka_config():
    # config/studies/matsuoka2025.yaml: severity as_reported moderate = 6.2 <= before <= 8.
    study = yaml.safe_load((ROOT / "config/studies/matsuoka2025.yaml").read_text())
    df = pd.read_csv(ROOT / "raw/matsuoka2025/table1_patients.csv")
    g = groupings_from_study(df, study)
    assert set(g) == {"severity[as_reported]", "severity[severe_ge_8]", "dose[as_reported]"}
    moderate = ((df["hba1c_before"] >= 6.2) & (df["hba1c_before"] <= 8.0)).to_numpy()
    assert (g["severity[as_reported]"]["moderate"] == moderate).all()
    cands = standard_candidates(df, g, ["dose_million_cells"], [1000, 1500], max_drop=3)
    # groups: 2 + 2 + 3 = 7; S = 1 + 7 + 8 = 16; 16 * 2 * 8 = 256
    assert len(cands) == 256
    res = search(df, "1.72", cands, plausible_range=(0.0, 3.0))
    assert res["n_hypotheses"] == 256
    for m in res["matches"]:
        assert prints_as(m["value"], "1.72")
