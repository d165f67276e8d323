"""Zang 2022's transcription as a fixture: its tables are complete, counted against the
paper. (Every study's rows are checked against its paper in test_transcription_studies.py.)
"""
import csv
import re

import pytest

from conftest import ROOT

def read(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def paper_lines(papers_dir, name):
    return (papers_dir / name).read_text(encoding="utf-8").split("\n")


def rows_of(study):
    return read(ROOT / "raw" / study / "summaries.csv") + read(ROOT / "raw" / study / "claims.csv")


def test_zang_tables_are_complete():
    rows = read(ROOT / "raw" / "zang2022" / "summaries.csv")
    table1 = [r for r in rows if r["location"].startswith("Table 1") and r["form"] != "count"]
    # Table 1 prints 10 characteristics for each of 2 arms (lines 254-272).
    assert len(table1) == 20
    table2 = [r for r in rows if r["location"].startswith("Table 2")]
    # Table 2 prints 4 visits for each of 2 arms (lines 320-326).
    assert len(table2) == 8
    claims = read(ROOT / "raw" / "zang2022" / "claims.csv")
    printed_p = {"0.8068", "0.5552", "0.4158", "0.7808", "0.7819", "0.6992", "0.7737", "0.6173",
                 "0.5905", "0.6177", "0.3607", "0.3542", "0.0268"}  # Tables 1 and 2
    assert printed_p <= {c["claim"] for c in claims}
