"""What the check kinds share: the readings of n, the SD box, counts from printed
percents, and the record shapes of a check's results. No kind-specific logic here."""
from __future__ import annotations

import math
import re

from .. import scrutiny
from ..rounding import READINGS
from ..summary_stats import Box, Range

AS_REPORTED = "as_reported"
# Outcomes of integrity checks, mapped to verdicts by verdicts.INTEGRITY_VERDICTS.
POSSIBLE, IMPOSSIBLE, UNDETERMINED = "possible", "impossible", "undetermined"
_STAT_NUM = r"-?(?:\d+(?:\.\d*)?|\.\d+)"
_TEST_NAME = r"(?P<name>[^\s\d(=<>,;][^(=<>,;]*?)"
_TEST_STATISTIC = re.compile(
    rf"(?:{_TEST_NAME}\s*(?P<df>\([^()]*\))?\s*(?P<op>[=<>])\s*(?P<stat>{_STAT_NUM})"
    rf"|(?P<name2>[^\s\d(=<>,;][^(=<>,;]*?)\s*(?P<op2>[=<>])\s*(?P<stat2>{_STAT_NUM}),\s*df\s*=\s*"
    rf"(?P<df2>\d+(?:\.\d+)?(?:\s*,\s*\d+(?:\.\d+)?)?))"
    rf"(?:,\s*(?:(?P<p>[pP]\s*[=<>]\s*{_STAT_NUM})|(?P<ns>ns)))?")


def statistic_text(value: str) -> tuple[str, str] | None:
    """A `test_statistic` row's value as statcheck reads it: (the statistic with its df,
    't(28) = 2.20'; the printed p as 'p = 0.82', or 'ns' where none is printed), or None
    where the value does not fit the form's grammar."""
    m = _TEST_STATISTIC.fullmatch(value)
    if not m:
        return None
    if m.group("name") is not None:
        text = f"{m.group('name')}{m.group('df') or ''} {m.group('op')} {m.group('stat')}"
    else:
        text = f"{m.group('name2')}({m.group('df2')}) {m.group('op2')} {m.group('stat2')}"
    p = m.group("p")
    return text, "p" + p[1:] if p else "ns"
# A printed number stands for the values that print as it half-up or half-even
# (rounding.printed_interval, the rule for claims too): the scheme of every
# reconstruction here.
ROUNDING = READINGS["as_reported"]

INPUT_KEYS = ("a", "b", "before", "after", "a_before", "a_after", "b_before", "b_after", "range")


def input_ids_of(spec: dict) -> list[str]:
    """Every value_id a check reads (the default of a kind's ``inputs``)."""
    ids = [spec[k] for k in INPUT_KEYS if k in spec] + list(spec.get("parts", []))
    ids += list(spec.get("groups", []))
    ids += [cell for row in spec.get("table", []) for cell in row]
    return ids


# Built-in readings of n, beside the study's n_sets: 'printed' is the as-reported n of
# each row; 'stated' the n the paper states for its arm; 'known' the stated n minus the
# Unknown or Missing count printed in the same block (`known_values` in the config).
PRINTED, STATED, KNOWN = "printed", "stated", "known"
BUILT_IN_N = (PRINTED, STATED, KNOWN)


def stated_n(row, study: dict) -> int | None:
    """The n the paper states for the row: its printed n, or where none is printed the
    study's `n_as_reported` reading, if it names one."""
    if row.n is None and study.get("n_as_reported"):
        return study["n_sets"][study["n_as_reported"]].get(row.arm)
    return row.n


def known_n(row, study: dict) -> int | None:
    """Of known values: the stated n minus the block's printed Unknown/Missing count."""
    stated = stated_n(row, study)
    return None if row.unknown is None or stated is None else stated - row.unknown[1]


def n_for(row, study: dict, n_reading: str) -> int | None:
    """A row's n under a reading: 'printed', its as-reported n (the stated n, or of known
    values where the config or the row says its percentages are); 'stated'; 'known'; or
    an n_set's n for its arm."""
    if n_reading == PRINTED:
        return known_n(row, study) if row.denominator == KNOWN else stated_n(row, study)
    if n_reading == STATED:
        return stated_n(row, study)
    if n_reading == KNOWN:
        return known_n(row, study)
    return study["n_sets"][n_reading].get(row.arm)


def n_words(rows: list, study: dict, n_reading: str) -> str:
    """How a check's n was read, for its method text: the reading, and where a row's n
    is of known values, the stated n and the Unknown count it subtracts."""
    known = [r for r in rows if r.unknown is not None
             and (n_reading == KNOWN or (n_reading == PRINTED and r.denominator == KNOWN))]
    if not known:
        return n_reading
    return f"{n_reading}; of known values: " + ", ".join(
        f"{stated_n(r, study)} - {r.unknown[1]} unknown ({r.unknown[0]})" for r in known)



def sd_box(row, n: int, reading: str) -> tuple[Box, str]:
    """The dispersion as an SD box: the printed reading, or read as SD, or as SEM."""
    box = row.box("dispersion")
    as_printed = row.dispersion if reading == "printed" else reading
    if as_printed == "sem":
        f = math.sqrt(n)
        return Box(box.value * f, box.lower * f, box.upper * f), "± read as SEM (SD = SEM·√n)"
    if as_printed == "unspecified":
        return box, "± read as SD (the paper does not say)"
    return box, "± read as SD"


def counts(row, n: int, schemes=ROUNDING) -> tuple[tuple[int, ...], str]:
    """Counts a row allows, and a note: the printed count, or every count its percent
    rounds from; where no count out of n gives the printed percent, the count(s) whose
    percent is nearest it (``scrutiny.nearest_counts``), so that the check still runs at
    this n, and the note says so (the impossibility is the row's own finding)."""
    if "count" in row.parts:
        return (int(row.parts["count"].value),), ""
    text = row.parts["percent"].text
    found = scrutiny.counts_from_percent(text, n, schemes)
    if found:
        return found, ""
    near = scrutiny.nearest_counts(text, n)
    return near, (f"no count out of n = {n} gives the printed {text}% ({row.value_id}, "
                  f"impossible on its own row); read at the count nearest it: "
                  + " or ".join(f"{k}/{n} = {100 * k / n:.4g}%" for k in near))


def nearest_cells(cells: list[list]) -> tuple[list[list], list[str]]:
    """A contingency table's printed cells with each percent that no count out of its n
    gives replaced by its nearest count(s) (as ``counts``), and the notes saying so."""
    out, notes = [], []
    for line in cells:
        row_out = []
        for cell in line:
            if isinstance(cell, tuple) and not scrutiny.counts_from_percent(cell[0], cell[1], ROUNDING):
                near = scrutiny.nearest_counts(cell[0], cell[1])
                notes.append(f"no count out of n = {cell[1]} gives the printed {cell[0]}%; read at the "
                             f"count nearest it: " + " or ".join(f"{k}/{cell[1]}" for k in near))
                row_out.append(list(near))
            else:
                row_out.append(cell)
        out.append(row_out)
    return out, notes


def range_record(stat: str, r: Range, method: str, note: str = "") -> dict:
    return {"statistic": stat, "value": r.value, "low": r.lower, "high": r.upper,
            "method": method, "note": note}


def exact(stat: str, value: float, method: str, note: str = "") -> dict:
    return {"statistic": stat, "value": value, "low": None, "high": None, "method": method, "note": note}




TEST_NAMES = {"chi2": "Pearson chi-square (no continuity correction)",
               "chi2_yates": "chi-square with Yates' correction", "fisher": "Fisher's exact test",
               "g_test": "G-test (log-likelihood ratio)",
               "fisher_freeman_halton": "Fisher-Freeman-Halton exact test"}


def point(box: Box) -> Box:
    """A printed number taken as exact (its value alone, not its rounding interval)."""
    return Box(box.value, box.value, box.value)


def at_printed(r: Range, method: str) -> dict:
    """The claim's statistic at the printed inputs, where an unknown (r) still spans a range."""
    return {"statistic": "p_at_printed", "value": math.nan, "low": r.lower, "high": r.upper,
            "method": method, "note": "p at the printed values, over the unknown r"}



def spread(stat: str, values: list[float], method: str, note: str) -> dict:
    if len(values) == 1:
        return exact(stat, values[0], method, note)
    return {"statistic": stat, "value": math.nan, "low": min(values), "high": max(values),
            "method": method, "note": note + "; several counts fit the printed percents"}



# Schema fragments that several kinds' fields use
VALUE_ID = {"$ref": "#/$defs/value_id"}
VALUE_IDS = {"type": "array", "items": VALUE_ID, "minItems": 2}
# how the printed ± is read: as printed (the row's `dispersion`), or as SD or SEM
DISPERSION = {"enum": ["printed", "sd", "sem"]}
COMPONENT = {"enum": ["mean", "dispersion", "median", "q1", "q3", "count", "percent", "value", "low", "high"]}
T_TESTS = {"enum": ["student", "welch"]}
MEAN_SD = ("mean", "dispersion")


def count_or_percent(spec: dict, ref: str, row) -> tuple:
    """A row of counts read as printed, or its percent read back to counts out of n."""
    return () if "count" in row.parts else ("percent",)


def of_component(spec: dict, ref: str, row) -> tuple:
    """The one component a check of printed values reads (`component`, default mean)."""
    return (spec.get("component", "mean"),)
