"""Checks every study gets, whatever its design: its transcription stands in its paper.

Each function takes the repository root, the loaded config and a study name, so the same
checks run on the studies in config/studies/ (test_transcription_studies.py) and on a
throwaway study added in a temporary copy (test_new_study.py). Expected values come from
the paper's own text: each transcribed row must quote its cited line verbatim.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

from conftest import study_papers

NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])")
# Labels: numbers after these words, four-digit years, and reference numbers in brackets.
POWER_OF_TEN = re.compile(r"\s*[×x]\s*10\^[-−]?\d+")
LABEL = re.compile(r"(Table|Fig\.|Figure|Graphs?|type|session-)\s*$")
WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
         "seven": "7", "eight": "8", "nine": "9", "ten": "10", "no": "0", "a": "1"}
# Columns of a patient table that are ours (ids, positions, notes), not printed cells.
OWN_COLUMNS = {"row_id", "printed_position", "source_line", "repair_note", "note"}


def read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def paper_lines(root: Path, config: dict, study: str, name: str) -> list[str]:
    path = study_papers(config, study, root) / name
    assert path.is_file(), f"{study}: paper text {path} not found (papers_dir in its config)"
    return path.read_text(encoding="utf-8").split("\n")


def _study(config, study):
    return config["studies"][study]


def summary_rows(root, config, study) -> list[dict]:
    s = _study(config, study)
    return read(root / s["table"]) if s["design"] == "summary_level" else []


def claim_rows(root, config, study) -> list[dict]:
    return read(root / _study(config, study)["claims"])


def check_claims_quote_their_lines(root, config, study):
    """Each claim's `reported` text stands at its cited line."""
    for c in claim_rows(root, config, study):
        line = paper_lines(root, config, study, c["source_file"])[int(c["source_line"]) - 1]
        assert c["reported"] in line, (study, c["claim_id"], c["reported"], line)


def check_rows_quote_their_lines(root, config, study):
    """Summary rows: `reported` stands at the line. Patient rows: every printed cell does,
    unless a repair note says how the extraction split or merged it."""
    s = _study(config, study)
    if s["design"] == "summary_level":
        for r in summary_rows(root, config, study):
            line = paper_lines(root, config, study, r["source_file"])[int(r["source_line"]) - 1]
            assert r["reported"] in line, (study, r["value_id"], r["reported"], line)
        return
    table = read(root / s["table"])
    papers = {c["source_file"] for c in claim_rows(root, config, study)}
    for r in table:
        cells = [v for k, v in r.items() if k not in OWN_COLUMNS and v]
        lines = [paper_lines(root, config, study, p)[int(r["source_line"]) - 1] for p in sorted(papers)]
        if r.get("repair_note"):
            continue
        assert any(all(re.search(rf"(?<![\w.]){re.escape(c)}(?![\w])", line) for c in cells)
                   for line in lines), (study, r, lines)


def check_values_read_what_is_printed(root, config, study):
    """Without a repair note the numbers in `value` are the printed numbers, in order,
    digit for digit (trailing zeros included); words such as 'two' count as printed, and a
    printed denominator ("7/10") is the row's n."""
    for r in summary_rows(root, config, study):
        if r["repair_note"] or r["form"] == "not_available":
            continue
        reported = r["reported"]
        if r.get("marker"):  # "1.1 ± 0.2a": the marker is printed against the number
            assert reported.endswith(r["marker"]), r["value_id"]
            reported = reported[: -len(r["marker"])]
        # a printed power-of-ten unit ("4.9 ± 3.10 × 10^8") is a unit, not a number of the value
        printed = NUMBER.findall(POWER_OF_TEN.sub("", reported))
        if not printed:
            printed = [WORDS[w.lower()] for w in re.findall(r"[A-Za-z]+", reported)
                       if w.lower() in WORDS][:1]
        got = NUMBER.findall(r["value"])
        assert got == printed or got + [r["n"]] == printed, (study, r["value_id"], r["reported"], r["value"])


def check_transcribed_sections_are_complete(root, config, study):
    """Every result number printed in the line ranges the study's config declares
    transcribed (`transcription.lines`) has a row or a claim quoting it."""
    s = _study(config, study)
    spec = s.get("transcription")
    if not spec:
        return
    labels = set(spec.get("labels", []))
    rows = summary_rows(root, config, study) + claim_rows(root, config, study)
    papers = sorted({r["source_file"] for r in rows})
    missing = []
    for paper in papers:
        lines = paper_lines(root, config, study, paper)
        quoted: dict[int, list[str]] = {}
        for r in rows:
            if r["source_file"] == paper:
                quoted.setdefault(int(r["source_line"]), []).append(r["reported"])
        for first, last in spec["lines"]:
            for number in range(first, min(last, len(lines)) + 1):
                line = lines[number - 1]
                if number not in quoted and len(papers) > 1:
                    continue  # with several papers, a range applies where the paper is quoted
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
                    missing.append((paper, number, token, line.strip()[:80]))
    assert not missing, (study, missing[:10])


def check_same_as_points_at_the_same_quantity(root, config, study):
    rows = {r["value_id"]: r for r in summary_rows(root, config, study)}
    for r in rows.values():
        if r["same_as"]:
            other = rows[r["same_as"]]
            assert (other["arm"], other["timepoint"]) == (r["arm"], r["timepoint"]), r["value_id"]
            assert not other["same_as"], "same_as points at a primary printing"


ALL_CHECKS = [check_claims_quote_their_lines, check_rows_quote_their_lines,
              check_values_read_what_is_printed, check_transcribed_sections_are_complete,
              check_same_as_points_at_the_same_quantity]
