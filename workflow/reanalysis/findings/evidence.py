"""What a reviewer needs beside a finding's evidence row to check it: the printed inputs the
check read (means ± SD, n, counts, as printed), the test with its statistic and degrees of
freedom, and the paper's line itself.

Everything here is read, not computed: the inputs from the study's transcription
(``raw/<study>/summaries.csv`` and ``claims.csv``, the check's value ids in the study's
config), the statistics from the recomputation (``results/recomputed/*.csv``), the line from
the paper's text. A finding's evidence row (``results/audit/finding_evidence.csv``) says
which claim and which reading; :func:`explained_by` reads from those rows which claims of a
finding each reading explains (what the findings table, summary.md, the report and the letters
say of it).
"""
from __future__ import annotations

import csv
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from reanalysis.inputs.config import papers_dir

AS_REPORTED = "as_reported"
# the check spec's keys that name printed rows (value ids), at any depth
_VALUE_KEYS = ("a", "b", "before", "after", "a_before", "a_after", "b_before", "b_after", "parts",
               "groups", "table", "range")
_N_OF_METHOD = re.compile(r"\(n\s*=\s*(\d+)\)")


def _fmt(x: float) -> str:
    """A statistic for reading: 3 significant digits, no exponent above 1e-4."""
    if x != x:
        return ""
    if x == 0 or 1e-4 <= abs(x) < 1e6:
        text = f"{x:.3g}" if abs(x) < 1000 else f"{x:.0f}"
        return text.replace("-", "−")
    return f"{x:.2e}".replace("-", "−")


def _df(x: float) -> str:
    return str(int(round(x))) if abs(x - round(x)) < 1e-9 else f"{x:.1f}"


def _read_csv(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def arm_label(study: dict, arm: str) -> str:
    """An arm or group as the paper prints it (config ``arm_labels``), else its key."""
    return str(study.get("arm_labels", {}).get(arm, arm))


class StudySources:
    """One study's transcription, recomputation and paper text, read when first needed."""

    def __init__(self, name: str, config: dict, recomputed: pd.DataFrame | None = None,
                 root: Path = Path(".")):
        self.name = name
        self.config = config
        self.study = config["studies"].get(name, {})
        self.root = Path(root)
        self.recomputed = recomputed
        self.paper: dict[str, list[str]] = {}  # paper file -> its lines, read when first needed

    @cached_property
    def summaries(self) -> dict[str, dict]:
        path = self.study.get("table") if self.study.get("design") == "summary_level" else None
        if not path or not (self.root / path).is_file():
            return {}
        return {r["value_id"]: r for r in _read_csv(self.root / path)}

    @cached_property
    def claims(self) -> dict[str, dict]:
        path = self.study.get("claims")
        if not path or not (self.root / path).is_file():
            return {}
        return {r["claim_id"]: r for r in _read_csv(self.root / path)}

    def line(self, source_file: str, source_line) -> str:
        """The paper's text at a line (empty when the file or line is not there)."""
        if not source_file or not str(source_line).isdigit():
            return ""
        if source_file not in self.paper:
            known = self.study.get("papers_dir") or self.config.get("papers_dir")
            path = self.root / papers_dir(self.config, self.name) / source_file if known else None
            self.paper[source_file] = (path.read_text(encoding="utf-8", errors="replace").splitlines()
                                       if path is not None and path.is_file() else [])
        lines = self.paper[source_file]
        k = int(source_line)
        return " ".join(lines[k - 1].split()) if 1 <= k <= len(lines) else ""

    def check_of(self, claim_id: str) -> str:
        return (self.claims.get(claim_id) or {}).get("check", "") or ""

    def value_ids(self, claim_id: str) -> list[str]:
        """The printed rows a claim's check reads (or the row itself, for a printed value
        checked on its own: GRIM, a percentage against its count)."""
        if claim_id in self.summaries:
            return [claim_id]
        spec = self.study.get("checks", {}).get(self.check_of(claim_id), {})
        out: list[str] = []

        def walk(x):
            if isinstance(x, str):
                if x in self.summaries and x not in out:
                    out.append(x)
            elif isinstance(x, (list, tuple)):
                for y in x:
                    walk(y)
        for key in _VALUE_KEYS:
            walk(spec.get(key))
        return out

    def inputs(self, claim_id: str, method: str = "") -> list[str]:
        """The printed inputs, one line each: 'placebo, week 48: 7.51 ± 1.06 (n = 46)'. For
        a patient table, the rows the method used."""
        lines = []
        for vid in self.value_ids(claim_id):
            r = self.summaries[vid]
            where = ", ".join(x for x in (arm_label(self.study, r.get("arm", "")) if r.get("arm") not in ("", "all")
                                          else "", r.get("timepoint", "").replace("_", " ")) if x)
            n = f" (n = {r['n']})" if r.get("n") else " (n not printed)"
            lines.append(f"{where + ': ' if where else ''}{r['reported']}{n}")
        if not lines and self.study.get("design") == "patient_level" and method:
            m = _N_OF_METHOD.search(method)
            if m:
                whole = "subset: all rows" in method
                lines.append(f"the {m.group(1)} patients of the printed patient table"
                             + ("" if whole else " in this subgroup"))
        return lines

    def statistics(self, claim_id: str, variant: str = AS_REPORTED) -> dict[str, tuple[float, float, float]]:
        """The recomputed statistics of a claim's check under a reading: name -> (value, low, high)."""
        check = self.check_of(claim_id)
        if self.recomputed is None or not check:
            return {}
        sel = self.recomputed[(self.recomputed["study"] == self.name) & (self.recomputed["check"] == check)
                              & (self.recomputed["variant"] == variant)]
        return {r["statistic"]: tuple(float(r[k]) if str(r[k]) not in ("", "nan") else math.nan
                                      for k in ("value", "low", "high"))
                for _, r in sel.iterrows()}

    def test(self, claim_id: str, method: str, variant: str = AS_REPORTED) -> str:
        """The test as recomputed: its name (from the method) and its statistic with df,
        'two-sample Student t: t(89) = −0.246'."""
        name = re.split(r" from | on |;", method or "", maxsplit=1)[0].strip()
        stats = self.statistics(claim_id, variant)

        def value(key):
            v, lo, hi = stats[key]
            if v == v:
                shown = _fmt(v)
                return shown + (f" [{_fmt(lo)}, {_fmt(hi)}]" if lo == lo and hi == hi and _fmt(lo) != _fmt(hi) else "")
            return f"[{_fmt(lo)}, {_fmt(hi)}]" if lo == lo else ""

        def dof(key):
            v, lo, hi = stats[key]
            if v == v:
                return _df(v)
            if lo != lo:
                return "?"
            return _df(lo) if _df(lo) == _df(hi) else f"{_df(lo)}–{_df(hi)}"
        parts = []
        if "t" in stats and "df" in stats:
            parts.append(f"t({dof('df')}) = {value('t')}")
        elif "T" in stats and "dof" in stats:
            parts.append(f"t({dof('dof')}) = {value('T')}")
        if "F" in stats and "df1" in stats and "df2" in stats:
            parts.append(f"F({dof('df1')}, {dof('df2')}) = {value('F')}")
        for key, label in (("chi2", "χ²"), ("W", "W"), ("U", "U"), ("r", "r")):
            if key in stats and (stats[key][0] == stats[key][0] or stats[key][1] == stats[key][1]):
                parts.append(f"{label} = {value(key)}")
        if "p" in stats and value("p"):
            parts.append(f"p = {value('p')}")
        return f"{name}: {', '.join(parts)}" if parts else name


def load_recomputed(paths) -> pd.DataFrame | None:
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in paths if Path(p).is_file()]
    return pd.concat(frames, ignore_index=True) if frames else None


# evidence rows whose check finds a printed value impossible (the strongest row of an
# 'impossible' finding)
IMPOSSIBILITY_STATISTICS = ("count", "grim", "grimmer", "percent", "sd_feasibility", "order")


def lead_row(f: dict, rows: list[dict]) -> dict | None:
    """The evidence row that states a finding (in a letter, in the findings' figure): the
    first of a contradiction (its first printing), the first impossibility of an impossible
    finding, else the first decision error, else the first row (the findings table lists a
    finding's strongest evidence first)."""
    if not rows:
        return None
    if f["strength"] == "impossible":
        found = next((r for r in rows if r["statistic"] in IMPOSSIBILITY_STATISTICS), None)
        if found is not None:
            return found
    if f["strength"] == "contradiction":
        return rows[0]
    return next((r for r in rows if r["decision_error"] == "true"), rows[0])


# a reading's verdicts under which a claim holds
HOLDS = ("reproduced", "consistent")


@dataclass(frozen=True)
class ReadingFit:
    """A labelled reading ('as_sem', crossed: 'fisher+n_implied') and the claims of a finding
    it makes hold (reproduced or consistent), in the finding's order."""
    reading: str
    claims: tuple[str, ...]


@dataclass(frozen=True)
class Explained:
    """Which of a finding's failing claims each labelled reading makes hold."""
    claims: tuple[str, ...]         # the claims that fail as stated, in the finding's order
    fits: tuple[ReadingFit, ...]    # the readings that make some of them hold, most claims first

    @property
    def rest(self) -> tuple[str, ...]:
        """The failing claims no reading makes hold."""
        fitted = {c for fit in self.fits for c in fit.claims}
        return tuple(c for c in self.claims if c not in fitted)

    @property
    def whole(self) -> ReadingFit | None:
        """The one reading under which every failing claim holds, if there is one."""
        return self.fits[0] if len(self.fits) == 1 and not self.rest else None


def _field(row: Mapping, key: str) -> str:
    value = row.get(key, "")
    return str(value).lower() if key == "decision_error" else value


def explained_by(rows) -> Explained:
    """Which claims of one finding each labelled reading explains, from the finding's evidence
    rows (``finding_evidence.csv`` rows, or the fields of the findings' Evidence): a row's
    ``reading`` and ``reading_verdict``. The claims counted are those that fail as stated (a
    row neither reproduced nor consistent, or a decision error); a printing that holds as
    stated is not, nor a printed definition (a row without a statistic: what a definition's
    reading replaces, not a value it explains). A claim holds under a reading when every
    failing row of it does. Each claim's row names one reading (the finding's own where it
    fits, else the best; reanalysis.findings.ranking), so a claim is counted under one."""
    failing: dict[str, list] = {}
    for r in rows:
        holds = _field(r, "verdict") in HOLDS and _field(r, "decision_error") != "true"
        if _field(r, "statistic") and not holds:
            failing.setdefault(_field(r, "claim_id"), []).append(r)
    fits: dict[str, list[str]] = {}
    for claim, mine in failing.items():
        readings = {_field(r, "reading") for r in mine}
        if len(readings) == 1 and "" not in readings and all(_field(r, "reading_verdict") in HOLDS for r in mine):
            fits.setdefault(readings.pop(), []).append(claim)
    ranked = sorted(fits.items(), key=lambda kv: -len(kv[1]))  # stable: the first seen first among equals
    return Explained(tuple(failing), tuple(ReadingFit(r, tuple(c)) for r, c in ranked))


def other_words(k: int, which: str = "") -> str:
    """The rest of a finding's claims: 'the other 14', 'the other one (Group I)'."""
    return ("the other one" if k == 1 else f"the other {k}") + (f" ({which})" if which else "")
