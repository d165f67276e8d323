"""The rules every study's transcription meets against its paper's text.

``python -m reanalysis check <study>`` and the tests (tests/studychecks.py, for every study
in config/studies/ and for a throwaway study) call the same functions, so ``check`` fails
wherever the transcription tests would. Each rule takes the repository root, the study's
config and the folder of its paper text, and returns every fault it finds (not the first
only), each naming the file, the row (data row and file line), the column, the value and
what to do. A row whose cells cannot be read at all is left to the input validation,
which names it.

- ``claims_quote_their_lines``: each claim's ``reported`` text stands at its cited line.
- ``rows_quote_their_lines``: each summary row's ``reported`` stands at its line; each
  patient row's printed cells stand on its line unless a ``repair_note`` says how the
  extraction split or merged them.
- ``values_read_what_is_printed``: without a ``repair_note``, the numbers in ``value``
  are the printed numbers of ``reported``, in order, digit for digit.
- ``transcribed_sections_are_complete``: every number printed in the config's
  ``transcription.lines`` has a row or claim quoting it (or is a label).
- ``same_as_points_at_the_same_quantity``: a ``same_as`` names a primary printing of the
  same arm and time point.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])")
# A printed power-of-ten unit ("4.9 ± 3.10 × 10^8") is a unit, not a number of the value.
POWER_OF_TEN = re.compile(r"\s*[×x]\s*10\^[-−]?\d+")
# Numbers after these words are labels ("Table 2", "Fig. 1"), not results.
LABEL = re.compile(r"(Table|Fig\.|Figure|Graphs?|type|session-)\s*$")
WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
         "seven": "7", "eight": "8", "nine": "9", "ten": "10", "no": "0", "a": "1"}
# Columns of a patient table that are ours (ids, positions, notes), not printed cells.
OWN_COLUMNS = {"row_id", "printed_position", "source_line", "repair_note", "note"}


def read_rows(path: Path) -> list[tuple[str, dict]]:
    """A CSV file's rows with where they are ("3 (line 4)"); none if it cannot be read."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            return [(f"{i} (line {reader.line_num})", row) for i, row in enumerate(reader, start=1)]
    except (OSError, UnicodeDecodeError, csv.Error):
        return []


def _line_no(row: dict) -> int | None:
    try:
        return int(str(row.get("source_line") or "").strip())
    except ValueError:
        return None


class Papers:
    """A study's paper texts, read once; a missing one is a fault named once per rule."""

    def __init__(self, folder: Path, config_file: str):
        self.folder, self.config_file = Path(folder), config_file
        self._lines: dict[str, list[str] | None] = {}
        self.faults: list[str] = []

    def line(self, name: str, number: int | None, file: str, where: str) -> str | None:
        """Line ``number`` (1-based) of paper ``name``, cited by ``file`` at row ``where``;
        None (with a fault) where the paper or the line is missing."""
        if name not in self._lines:
            path = self.folder / name
            self._lines[name] = path.read_text(encoding="utf-8").split("\n") if path.is_file() else None
            if self._lines[name] is None:
                self.faults.append(f"paper text {path} (a source_file of the transcription) not found; put it "
                                   f"there or set papers_dir in {self.config_file}")
        lines = self._lines[name]
        if lines is None or number is None:
            return None
        if not 1 <= number <= len(lines):
            self.faults.append(f"{file}, row {where}, column 'source_line': line {number} is not in {name} "
                               f"({len(lines)} lines)")
            return None
        return lines[number - 1]

    def lines(self, name: str) -> list[str]:
        self.line(name, None, "", "")  # reads the paper, or states that it is missing
        return self._lines[name] or []


def _summary_rows(root: Path, spec: dict) -> list[tuple[str, dict]]:
    return read_rows(root / spec["table"]) if spec["design"] == "summary_level" else []


def _claim_rows(root: Path, spec: dict) -> list[tuple[str, dict]]:
    return read_rows(root / spec["claims"])


def _not_quoted(file, where, r, line: str | None) -> list[str]:
    if line is None or r["reported"] in line:
        return []
    return [f"{file}, row {where}, column 'reported': {r['reported']!r} is not on line {r['source_line']} of "
            f"{r['source_file']}; quote the printed text verbatim, with its line"]


def claims_quote_their_lines(root: Path, spec: dict, papers: Papers) -> list[str]:
    """Each claim's `reported` text stands at its cited line."""
    out = []
    for where, c in _claim_rows(root, spec):
        out += _not_quoted(spec["claims"], where, c,
                           papers.line(c["source_file"], _line_no(c), spec["claims"], where))
    return out


def rows_quote_their_lines(root: Path, spec: dict, papers: Papers) -> list[str]:
    """Summary rows: `reported` stands at the line. Patient rows: every printed cell does,
    unless a repair note says how the extraction split or merged it."""
    out = []
    if spec["design"] == "summary_level":
        for where, r in _summary_rows(root, spec):
            out += _not_quoted(spec["table"], where, r,
                               papers.line(r["source_file"], _line_no(r), spec["table"], where))
        return out
    names = sorted({c["source_file"] for _, c in _claim_rows(root, spec) if c.get("source_file")})
    for where, r in read_rows(root / spec["table"]):
        if r.get("repair_note"):
            continue
        cells = [v for k, v in r.items() if k not in OWN_COLUMNS and v]
        lines = [papers.line(name, _line_no(r), spec["table"], where) for name in names]
        if not any(line is not None and all(re.search(rf"(?<![\w.]){re.escape(c)}(?![\w])", line) for c in cells)
                   for line in lines):
            out.append(f"{spec['table']}, row {where}: the printed cells {cells} do not all stand on line "
                       f"{r.get('source_line')} of {', '.join(names)}; a row the extraction split or merged "
                       "needs a repair_note saying how")
    return out


def values_read_what_is_printed(root: Path, spec: dict, papers: Papers) -> list[str]:
    """Without a repair note the numbers in `value` are the printed numbers, in order,
    digit for digit (trailing zeros included); words such as 'two' count as printed, and a
    printed denominator ("7/10") is the row's n."""
    out = []
    for where, r in _summary_rows(root, spec):
        if r.get("repair_note") or r.get("form") == "not_available":
            continue
        reported = r.get("reported") or ""
        marker = r.get("marker") or ""
        if marker:  # "1.1 ± 0.2a": the marker is printed against the number
            if not reported.endswith(marker):
                out.append(f"{spec['table']}, row {where}, column 'marker': {marker!r} is not printed at the "
                           f"end of {reported!r}; a marker is the text printed right after the number")
                continue
            reported = reported[: -len(marker)]
        printed = NUMBER.findall(POWER_OF_TEN.sub("", reported))
        if not printed:
            printed = [WORDS[w.lower()] for w in re.findall(r"[A-Za-z]+", reported) if w.lower() in WORDS][:1]
        got = NUMBER.findall(r.get("value") or "")
        if got != printed and got + [r.get("n")] != printed:
            out.append(f"{spec['table']}, row {where}, column 'value': {r.get('value')!r} reads the numbers "
                       f"{got}, but {reported!r} prints {printed}; write the printed numbers in order, digit "
                       "for digit, or say in repair_note which PDF artefact was repaired")
    return out


def transcribed_sections_are_complete(root: Path, spec: dict, papers: Papers) -> list[str]:
    """Every result number printed in the line ranges the study's config declares
    transcribed (`transcription.lines`) has a row or a claim quoting it."""
    section = spec.get("transcription")
    if not section:
        return []
    labels = set(section.get("labels", []))
    rows = [r for _, r in _summary_rows(root, spec) + _claim_rows(root, spec)]
    names = sorted({r["source_file"] for r in rows if r.get("source_file")})
    out = []
    for name in names:
        lines = papers.lines(name)
        quoted: dict[int, list[str]] = {}
        for r in rows:
            if r.get("source_file") == name and _line_no(r) is not None:
                quoted.setdefault(_line_no(r), []).append(r.get("reported") or "")
        for first, last in section["lines"]:
            for number in range(first, min(last, len(lines)) + 1):
                line = lines[number - 1]
                if number not in quoted and len(names) > 1:
                    continue  # with several papers, a range applies where the paper is quoted
                spans = [(m.start(), m.start() + len(q)) for q in quoted.get(number, []) if q
                         for m in re.finditer(re.escape(q), line)]
                for m in NUMBER.finditer(line):
                    if any(a <= m.start() and m.end() <= b for a, b in spans):
                        continue
                    token = m.group()
                    if (token in labels or LABEL.search(line[:m.start()])
                            or re.fullmatch(r"(19|20)\d\d", token) or line[m.start() - 1:m.start()] == "["
                            or line.lstrip().startswith(("Fig.", "#p"))):
                        continue
                    out.append(f"{name} line {number}: the number {token} in the transcribed lines "
                               f"{first}-{last} (transcription.lines in {papers.config_file}) has no row in "
                               f"{spec.get('table')} or {spec['claims']} quoting it: {line.strip()[:80]!r}; "
                               "transcribe it, or list it under transcription.labels if it is a label")
    return out


def same_as_points_at_the_same_quantity(root: Path, spec: dict, papers: Papers) -> list[str]:
    """A `same_as` names a primary printing (itself without `same_as`) of the same arm and
    time point."""
    rows = {r["value_id"]: r for _, r in _summary_rows(root, spec) if r.get("value_id")}
    out = []
    for where, r in _summary_rows(root, spec):
        other = rows.get(r.get("same_as") or "")
        if other is None:
            continue  # no same_as, or an unknown id (the input validation names it)
        if (other["arm"], other["timepoint"]) != (r["arm"], r["timepoint"]):
            out.append(f"{spec['table']}, row {where}, column 'same_as': {r['same_as']} is arm "
                       f"{other['arm']!r} at {other['timepoint']!r}, this row {r['arm']!r} at "
                       f"{r['timepoint']!r}; same_as names another printing of the same quantity")
        if other.get("same_as"):
            out.append(f"{spec['table']}, row {where}, column 'same_as': {r['same_as']} has a same_as "
                       f"itself ({other['same_as']}); point at the primary printing")
    return out


RULES = [claims_quote_their_lines, rows_quote_their_lines, values_read_what_is_printed,
         transcribed_sections_are_complete, same_as_points_at_the_same_quantity]


def run(rule, root: Path, spec: dict, papers_dir: Path, config_file: str) -> list[str]:
    """One rule's faults, with any paper text it could not find."""
    papers = Papers(papers_dir, config_file)
    found = rule(Path(root), spec, papers)
    return papers.faults + found


def faults(root: Path, spec: dict, papers_dir: Path, config_file: str) -> list[str]:
    """Every rule's faults, each stated once, in rule order."""
    out: list[str] = []
    for rule in RULES:
        out += [f for f in run(rule, root, spec, papers_dir, config_file) if f not in out]
    return out
