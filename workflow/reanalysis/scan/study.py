"""A study's papers scanned in its audit job: each printed result a ledger row, unless a
person transcribed it.

Every result the scan finds in a file the study's ``scan_text`` names (``papers.py``)
becomes a ledger row with ``claim_basis: extracted`` (said in its method and note): id
``SCAN-L<line>-<k>`` (``SCAN-<i>-L<line>-<k>`` where a study scans several files), the
exact printed text, the claim its p makes, and statcheck's verdict over the statistic's
rounding interval, two-tailed as ``as_reported`` and, for t, Z and r, one-tailed as the
labelled reading ``one_tailed``.

A result that a person also transcribed appears once: the transcribed rows win, and each
of their ledger rows notes where the scan found it. Transcribed means

- a summary row of form ``test_statistic`` in the same file whose line lies within the
  result's lines and which reads as the same test, df and printed statistic (with the claims
  of the ``reported_statistic`` checks that read it); or
- a claims row citing the same file at a line within the result's lines (its own line or
  one its ``also_in`` names) whose printed text holds the result's, or is held in it.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from reanalysis.audit.ledger import _shown
from reanalysis.audit.patient_level import AS_REPORTED
from reanalysis.engine import statcheck
from reanalysis.errors import InputError

from .core import ONE_TAILED, Result, scan_text, statistic_name
from .papers import cited_positions, paper_names
from .text import normalise, read_text

PREFIX = "SCAN"
EXTRACTED = "claim_basis: extracted"


def _flat(text: str) -> str:
    """Printed text compared as the scan reads it: repaired, white space collapsed."""
    return " ".join(normalise(text or "").text.split())


def _key(test: statcheck.ReportedTest) -> tuple:
    return test.test_type, test.df1, test.df2, Decimal(test.statistic)


def _transcribed(study: dict, claims: list[dict], data) -> tuple[list, list]:
    """(printed statistics, claims) a person transcribed: ``(file, line, key, ids)`` for each
    summary row of form test_statistic, ``(positions, flat text, claim_id)`` for each claim."""
    statistics = []
    if study["design"] == "summary_level":
        readers: dict[str, list[str]] = {}
        for name, spec in study.get("checks", {}).items():
            if spec.get("kind") == "reported_statistic":
                readers.setdefault(spec["a"], []).extend(c["claim_id"] for c in claims if c["check"] == name)
        for value_id, row in data.items():
            if row.form != "test_statistic":
                continue
            test = statcheck.parse_result(f"{row.raw['value']}, ns")
            statistics.append((row.raw["source_file"], int(row.raw["source_line"]), _key(test),
                               [value_id] + readers.get(value_id, [])))
    quoted = [(cited_positions(c["source_file"], c["source_line"], c.get("also_in")), _flat(c["reported"]),
               c["claim_id"]) for c in claims]
    return statistics, quoted


def _twin(result: Result, file: str, statistics: list, quoted: list, used: set) -> list[str]:
    """The ids of the transcription of ``result``, or [] when nobody transcribed it."""
    lines = range(result.line, result.last_line + 1)
    for source, line, key, ids in statistics:
        if source == file and line in lines and key == _key(result.test) and ids[0] not in used:
            used.add(ids[0])
            return ids
    printed = _flat(result.printed)
    for positions, text, claim_id in quoted:
        if claim_id in used or not text:
            continue
        if any(f == file and line in lines for f, line in positions) and (printed in text or text in printed):
            used.add(claim_id)
            return [claim_id]
    return []


def _found_note(result: Result, file: str) -> str:
    error = ", a decision error" if result.check.decision_error else ""
    return (f"the text scan found it at {file} line {result.line}: `{result.printed}` (statcheck's rule, "
            f"two-tailed: {result.verdict}{error})")


def _rows(study_name: str, claim_id: str, file: str, result: Result, apa_only: bool) -> list[dict]:
    test = result.test
    name = statistic_name(test)
    readings = [(AS_REPORTED, result.check, result.verdict, "two")]
    if result.one_tailed is not None:
        readings.append((ONE_TAILED, result.one_tailed, result.one_tailed_verdict, "one"))
    out = []
    for variant, check, verdict, tails in readings:
        kind = f"{tails}-tailed p" if test.test_type in statcheck.TWO_SIDED else "upper-tail p"
        notes = [check.reason, *result.notes]
        if test.comparison == "ns":
            notes.append("'ns' read as p > alpha, as statcheck reads it")
        if result.mentions_one_tailed and test.test_type in statcheck.TWO_SIDED:
            notes.append("the paper mentions a one-tailed (one-sided, directional) test")
        notes.append(f"{EXTRACTED} (found by the text scan, not transcribed)")
        out.append({
            "study": study_name, "claim_id": claim_id, "location": f"text scan, line {result.line}",
            "quantity": f"p of {name}", "reported": result.printed, "claim": result.claim,
            "recomputed": _shown(check.computed_p, (check.p_low, check.p_high)), "variant": variant,
            "method": (f"statcheck's rule: {kind} of the printed {name} over its rounding interval "
                       f"(scipy.stats); {EXTRACTED}" + (", APA grammar" if apa_only else "")),
            "verdict": verdict, "decision_error": str(check.decision_error).lower(), "why_unverifiable": "",
            "note": "; ".join(notes), "source_file": file, "source_line": result.line, "statistic": "p",
            "value": check.computed_p, "low": check.p_low, "high": check.p_high, "claim_basis": "extracted"})
    return out


def scan_study(study_name: str, study: dict, folder: Path, claims: list[dict], data,
               apa_only: bool = False) -> tuple[list[dict], dict[str, list[str]]]:
    """(ledger rows of the results nobody transcribed, {claim_id: notes} for the
    transcribed rows the scan also found)."""
    files = paper_names(study)
    statistics, quoted = _transcribed(study, claims, data)
    alpha = study.get("alpha", 0.05)
    rows, notes, used = [], {}, set()
    for i, file in enumerate(files, start=1):
        try:
            text = read_text(Path(folder) / file)
        except ValueError as exc:
            raise InputError(Path(folder) / file, f"cannot scan the paper ({exc})", key="scan_text",
                             rule="the files scan_text names (by default those the transcription cites) "
                                  "must be readable .txt, .pdf or .html files in the study's papers_dir") from None
        per_line: dict[int, int] = {}
        for result in scan_text(text, file, apa_only=apa_only, alpha=alpha):
            twin = _twin(result, file, statistics, quoted, used)
            if twin:
                for claim_id in twin:
                    notes.setdefault(claim_id, []).append(_found_note(result, file))
                continue
            per_line[result.line] = per_line.get(result.line, 0) + 1
            where = f"{PREFIX}-L{result.line}" if len(files) == 1 else f"{PREFIX}-{i}-L{result.line}"
            rows += _rows(study_name, f"{where}-{per_line[result.line]}", file, result, apa_only)
    return rows, notes


def add_scanned(rows: list[dict], study_name: str, study: dict, folder: Path, claims: list[dict], data) -> list[dict]:
    """The study's ledger rows with its scanned results: the transcribed rows the scan also
    found get a note saying where; the rest follow as rows of their own."""
    if not paper_names(study):
        return rows
    scanned, notes = scan_study(study_name, study, folder, claims, data)
    for row in rows:
        extra = notes.get(row["claim_id"])
        if extra:
            row["note"] = "; ".join(x for x in [row.get("note") or "", *extra] if x)
    return rows + scanned

