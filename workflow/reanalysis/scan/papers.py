"""Which paper files a study's scan reads (light: the Snakefile asks it for the audit job's
inputs, so it imports nothing heavy).

``scan_text`` in a study's config: ``true`` (the default) scans every file its transcription
cites: the ``source_file`` of its claims and summary rows, and files named in a claim's
``also_in``, and the ``paper_files`` that ``new`` records (so a study with no rows yet is
scanned too); a list of file names scans those; ``false`` scans nothing. Files lie in the
study's papers_dir.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

from reanalysis.errors import InputError

_POSITION = re.compile(r"(?P<file>[\w.-]+\.(?:txt|pdf|html?|md))|\bline (?P<line>\d+)")


def cited_positions(source_file: str, source_line, also_in: str | None) -> list[tuple[str, int]]:
    """(file, line) of a transcribed row: its own line, and every 'FILE line N [and line M]'
    of its also_in (a line without a file is in the row's own file)."""
    line = str(source_line).strip()
    out = [(source_file, int(line))] if source_file and line.isdigit() else []
    current = source_file
    for m in _POSITION.finditer(also_in or ""):
        if m.group("file"):
            current = m.group("file")
        elif current:
            out.append((current, int(m.group("line"))))
    return out


def _cited_files(path: str) -> set[str]:
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except OSError:
        return set()        # a missing table is reported by its own validation
    # only plain file names: any other value is named by the table's own validation
    return {f for r in rows for f, _ in cited_positions(r.get("source_file") or "", r.get("source_line") or "",
                                                         r.get("also_in"))
            if re.fullmatch(r"[^/\\]+", f)}


def paper_names(study: dict) -> list[str]:
    """The file names (in the study's papers_dir) its scan reads, sorted."""
    setting = study.get("scan_text", True)
    if setting is False:
        return []
    if isinstance(setting, list):
        return sorted(dict.fromkeys(setting))
    names = set(study.get("paper_files", []))
    for key in ("claims", "table"):
        if study.get(key):
            names |= _cited_files(study[key])
    return sorted(names)


def papers_folder(config: dict, name: str) -> Path:
    return Path(config["studies"][name].get("papers_dir", config["papers_dir"]))


def paper_paths(config: dict, name: str, study_file: str | None = None) -> list[str]:
    """The paths of the files a study's scan reads; InputError naming the study's config
    when one is missing."""
    folder = papers_folder(config, name)
    out = []
    for file in paper_names(config["studies"][name]):
        path = folder / file
        if not path.is_file():
            raise InputError(study_file or f"{config.get('studies_dir', 'config/studies')}/{name}.yaml",
                             "a paper to scan is not found", key="scan_text", value=str(path),
                             rule="scan_text: true scans the files the transcription cites (source_file, "
                                  "also_in), a list scans the files named; each must be in the study's "
                                  "papers_dir (or set scan_text: false)")
        out.append(str(path))
    return out
