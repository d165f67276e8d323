"""The scan's grammars against statcheck's own extraction tests
(../shared/reference/statcheck/extraction.csv, EXTRACTION.md beside it): 135 rows from 109
texts, each with how many results statcheck must find under the row's options and the
parts it asserts. Every row must agree:

- no options: statcheck 1.6.0's defaults, our ``apa_only=True``;
- ``apa_style=FALSE`` (statcheck's unreleased non-APA mode): our default, broad grammar;
- ``AllPValues=TRUE``: every printed p, with or without a statistic (``find_p_values``).

Each row's expected values are statcheck's (the csv), never what this code printed. One
departure is checked as documented: statcheck's raw match of a chi-square starts one
character before the 2 (``i2(28) = ...`` for ``chi2(28) = ...``); ours starts at the
label, so statcheck's raw must end ours and the two differ only in the label.
"""
from __future__ import annotations

import csv
import re
from decimal import Decimal

import pytest

from conftest import REPORTED, SHARED
from reanalysis.engine import statcheck
from reanalysis.scan import find_p_values, find_results
from reanalysis.scan.text import normalise

EXTRACTION_CSV = SHARED / "reference" / "statcheck" / "extraction.csv"


def read_rows() -> list[dict[str, str]]:
    with open(EXTRACTION_CSV, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


ROWS = read_rows()


def found(row: dict[str, str]) -> list:
    """What our scan finds in the row's text under the row's options."""
    options = dict(item.split("=") for item in row["options"].split(";") if item)
    assert set(options) <= {"apa_style", "AllPValues"}, options
    apa_only = options.get("apa_style", "TRUE") == "TRUE"
    text = normalise(row["text"]).text
    if options.get("AllPValues") == "TRUE":
        return find_p_values(text, apa_only=apa_only)
    return find_results(text, apa_only=apa_only)


def _decimal(text: str) -> Decimal | None:
    return Decimal(text) if text else None


def disagreements(row: dict[str, str]) -> list[str]:
    """How our reading of one row differs from statcheck's test (empty when it agrees)."""
    if not row["n_expected"]:
        return []                                      # the row asserts nothing
    results = found(row)
    problems = []
    if len(results) != int(row["n_expected"]):
        problems.append(f"{len(results)} results, expected {row['n_expected']}")
    if not row["result_index"] or problems:
        return problems
    got = results[int(row["result_index"]) - 1]
    asserted = row["asserted"]
    if hasattr(got, "test"):
        test = got.test
        if row["test_type"] and test.test_type != row["test_type"]:
            problems.append(f"test_type {test.test_type}")
        for column in ("df1", "df2"):
            expected = _decimal(row[column])
            value = getattr(test, column)
            if expected is not None and (value is None or Decimal(str(value)) != expected):
                problems.append(f"{column} {value}, expected {expected}")
            if f"{column}=NA" in asserted and value is not None:
                problems.append(f"{column} {value}, expected NA")
        if row["statistic"] and Decimal(test.statistic) != Decimal(row["statistic"]):
            problems.append(f"statistic {test.statistic}")
        comparison, p = test.comparison, test.p
        tcmp = re.search(r"test_comparison(?:='| is )([<>=])", asserted)
        if tcmp and test.test_comparison != tcmp.group(1):
            problems.append(f"test_comparison {test.test_comparison}")
        raw = re.search(r"raw='([^']*)'", asserted)
        if raw:
            mine = test.text
            if not mine.endswith(raw.group(1)) or (mine != raw.group(1) and test.test_type != "Chi2"):
                problems.append(f"raw {mine!r}")
        if "error=TRUE" in asserted and not statcheck.check_reported(test).error:
            problems.append("statcheck's rule finds no error")
    else:
        comparison, p = got.comparison, got.p
    if row["reported_comparison"] and comparison != row["reported_comparison"]:
        problems.append(f"reported_comparison {comparison}")
    if row["reported_p"] and (p is None or Decimal(p) != Decimal(row["reported_p"])):
        problems.append(f"reported_p {p}")
    if "reported_p=NA" in asserted and p is not None:
        problems.append(f"reported_p {p}, expected NA")
    return problems


def row_id(i_row) -> str:
    i, row = i_row
    return f"{i + 2}:{row['text'].strip()[:40]}[{row['options'] or 'defaults'}]"


@pytest.mark.parametrize("row", ROWS, ids=[row_id(x) for x in enumerate(ROWS)])
def test_extraction_row(row):
    problems = disagreements(row)
    assert not problems, f"{row['text']!r} ({row['options'] or 'defaults'}; {row['asserted']}): {problems}"


def test_extraction_summary():
    silent = sum(not row["n_expected"] for row in ROWS)
    agree = sum(not disagreements(row) for row in ROWS if row["n_expected"])
    line = (f"statcheck extraction cases: {agree}/{len(ROWS) - silent} agree "
            f"({silent} of the {len(ROWS)} rows assert nothing)")
    print(line)
    REPORTED.append(line)  # printed at the end of every pytest run (conftest)
    assert len(ROWS) == 135, f"{EXTRACTION_CSV} has {len(ROWS)} rows, expected 135"
    assert agree == len(ROWS) - silent, line


def test_the_apa_grammar_finds_nothing_the_broad_one_misses():
    """The default (broad) grammar reads every result the APA grammar reads, identically."""
    for row in ROWS:
        text = normalise(row["text"]).text
        apa = [(f.start, f.test) for f in find_results(text, apa_only=True)]
        broad = [(f.start, f.test) for f in find_results(text, apa_only=False)]
        assert all(a in broad for a in apa), row["text"]
