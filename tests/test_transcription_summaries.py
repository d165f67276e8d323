"""The summary-level transcriptions (Zang 2022, the 2018 review, the case report) against
the papers' own text: every row quotes its line verbatim, every value reads what is
printed, and every result number printed in the transcribed sections has a row.
"""
import csv
import re

import pytest

from conftest import ROOT

STUDIES = {
    # study: (paper file, transcribed line ranges (inclusive), tokens that are labels or
    # definitions rather than results, wherever no row quotes them)
    "zang2022": ("001_9beb37517b88e50d.txt",
                 # Abstract; Study population, Table 1, Efficacy, Table 2; Table 3
                 [(1, 21), (237, 406), (475, 486)],
                 # visit labels (weeks 9, 20, 32, 48); the primary endpoint's definition
                 # (HbA1c < 7.0%, insulin reduction >= 50%); the CI level (95%); "4-week
                 # intervals"; "type 2"
                 {"9", "20", "32", "48", "7.0", "50", "95", "4", "2"}),
    "review2018": ("000_4aacfbfd51c94d35.txt",
                   # Table 1 and Table 2 with their notes
                   [(444, 470), (592, 629)],
                   # follow-up labels (6, 12, 24, 27 months); the figure number
                   {"6", "12", "24", "27", "1"}),
    "casereport": ("004_4e3c86b716ca0b14.txt",
                   # Abstract; Case report, therapy and Results with the graph captions
                   [(1, 16), (50, 125), (142, 160)],
                   # "type 1"; "Graphs 1 and 2"
                   {"1", "2"}),
}
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])")
# Labels: numbers after these words, four-digit years, and reference numbers in brackets.
LABEL = re.compile(r"(Table|Fig\.|Figure|Graphs?|type|session-)\s*$")


def read(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def paper_lines(papers_dir, name):
    return (papers_dir / name).read_text(encoding="utf-8").split("\n")


def rows_of(study):
    return read(ROOT / "raw" / study / "summaries.csv") + read(ROOT / "raw" / study / "claims.csv")


@pytest.mark.parametrize("study", sorted(STUDIES))
def test_every_row_quotes_its_line_verbatim(papers_dir, study):
    for r in rows_of(study):
        line = paper_lines(papers_dir, r["source_file"])[int(r["source_line"]) - 1]
        assert r["reported"] in line, (r.get("value_id") or r["claim_id"], line)


@pytest.mark.parametrize("study", sorted(STUDIES))
def test_values_read_what_is_printed_unless_a_repair_is_noted(study):
    """Without a repair note the numbers in `value` are the printed numbers, in order,
    digit for digit (trailing zeros included); words such as 'two' count as printed, and a
    printed denominator ("7/10") is the row's n."""
    words = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
             "seven": "7", "eight": "8", "nine": "9", "ten": "10", "no": "0", "a": "1"}
    for r in read(ROOT / "raw" / study / "summaries.csv"):
        if r["repair_note"] or r["form"] == "not_available":
            continue
        reported = r["reported"]
        if r["marker"]:  # "1.1 ± 0.2a": the marker is printed against the number
            assert reported.endswith(r["marker"]), r["value_id"]
            reported = reported[: -len(r["marker"])]
        printed = NUMBER.findall(reported)
        if not printed:
            printed = [words[w.lower()] for w in re.findall(r"[A-Za-z]+", reported)
                       if w.lower() in words][:1]
        got = NUMBER.findall(r["value"])
        # "7/10 patients": the denominator is the row's n, not part of the value
        assert got == printed or got + [r["n"]] == printed, (r["value_id"], r["reported"], r["value"])


@pytest.mark.parametrize("study", sorted(STUDIES))
def test_every_result_number_in_the_transcribed_sections_has_a_row(papers_dir, study):
    paper, ranges, labels = STUDIES[study]
    lines = paper_lines(papers_dir, paper)
    quoted: dict[int, list[str]] = {}
    for r in rows_of(study):
        if r["source_file"] == paper:
            quoted.setdefault(int(r["source_line"]), []).append(r["reported"])
    missing = []
    for first, last in ranges:
        for number in range(first, last + 1):
            line = lines[number - 1]
            spans = [(m.start(), m.start() + len(q)) for q in quoted.get(number, [])
                     for m in re.finditer(re.escape(q), line)]
            for m in NUMBER.finditer(line):
                if any(a <= m.start() and m.end() <= b for a, b in spans):
                    continue
                token = m.group()
                if (token in labels or LABEL.search(line[:m.start()])
                        or re.fullmatch(r"(19|20)\d\d", token) or line[m.start() - 1:m.start()] == "["
                        or line.lstrip().startswith(("Fig.", "#p"))):
                    continue
                missing.append((number, token, line.strip()[:80]))
    assert not missing


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


def test_same_as_points_at_the_same_quantity():
    for study in STUDIES:
        rows = {r["value_id"]: r for r in read(ROOT / "raw" / study / "summaries.csv")}
        for r in rows.values():
            if r["same_as"]:
                other = rows[r["same_as"]]
                assert (other["arm"], other["timepoint"]) == (r["arm"], r["timepoint"]), r["value_id"]
                assert not other["same_as"], "same_as points at a primary printing"
