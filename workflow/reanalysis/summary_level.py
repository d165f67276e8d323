"""Recomputation from printed summary statistics (means ± SD, medians (IQR), percentages).

A summary-level study has no patient data: its table (``summaries.csv``) holds what the
paper prints, one row per printed value, read as text so each number keeps its precision.
Every number stands for its rounding box; every check returns its statistic at the
printed values and its extremes over the box (``low``/``high``).

Two kinds of work, both returned as one long table by :func:`recompute`:

- **checks** from the config (t-tests, chi-square, CIs, paired tests with unknown r,
  differences, sums), each with labelled variants: the config's alternatives and the
  readings of n in ``n_sets``;
- **integrity** of each printed row, needing no config: percent against count (GRIM for
  proportions), GRIM/GRIMMER for outcomes the config declares integer, median inside its
  IQR, and agreement with another printing of the same quantity (``same_as``).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist

import jsonschema
import pandas as pd

from . import duplicates, feasibility, kgroup_stats, scrutiny, statcheck, summary_stats
from .inputs import InputError, gather, load_schema, read_table
from .rounding import (READINGS, Printed, describe_schemes, diagnose_numbers, input_bounds, parse_claim,
                       parse_number)
from .summary_stats import Box, Range

AS_REPORTED = "as_reported"
RECOMPUTED_COLUMNS = ["study", "check", "variant", "statistic", "value", "low", "high",
                      "method", "outcome", "note"]
# Outcomes of integrity checks, mapped to verdicts by verdicts.INTEGRITY_VERDICTS.
POSSIBLE, IMPOSSIBLE, UNDETERMINED = "possible", "impossible", "undetermined"
# a red flag that proves nothing on its own (a repeated value): the row stays as judged
FLAGGED = "flagged"
IDENTICAL, OVERLAPPING, DISJOINT = "identical", "overlapping", "disjoint"
# A check whose printed inputs are impossible under its reading of n. No check stops at
# such inputs any more: a percent that no count out of n gives is read at its nearest
# count(s) (``_counts``) and the impossibility is its own row's finding; the name stays
# as a ledger reason that older ledgers may hold.
IMPOSSIBLE_INPUTS = "impossible_inputs"

_NUM = r"-?\d+(?:\.\d+)?"
_GRAMMAR = {
    "mean_dispersion": (rf"({_NUM}) ± ({_NUM})", ("mean", "dispersion")),
    "median_iqr": (rf"({_NUM}) \(({_NUM})-({_NUM})\)", ("median", "q1", "q3")),
    "median_range": (rf"({_NUM}) \(({_NUM})-({_NUM})\)", ("median", "low", "high")),
    "count_percent": (rf"(\d+) \(({_NUM})\)", ("count", "percent")),
    "percent": (rf"({_NUM})", ("percent",)),
    "mean": (rf"({_NUM})", ("mean",)),
    "count": (r"(\d+)", ("count",)),
    "range": (rf"({_NUM})-({_NUM})", ("low", "high")),
    "value": (rf"({_NUM})", ("value",)),
    "not_available": (r"N/A", ()),
    # a printed test statistic with its df, as statcheck reads it: "t(28) = 2.20",
    # "F(4,76) = 0.37", "F(4, 76) = 0.37, P = 0.82", "χ2(2, N = 120) = 8.50", "r(28) = .22",
    # or with the df after it, "t = 2.1, df = 28, p = 0.04"; a printed p may follow
    "test_statistic": (None, ("statistic",)),
}
_STAT_NUM = r"-?(?:\d+(?:\.\d*)?|\.\d+)"
_TEST_NAME = r"(?P<name>[^\s\d(=<>,;][^(=<>,;]*?)"
_TEST_STATISTIC = re.compile(
    rf"(?:{_TEST_NAME}\s*(?P<df>\([^()]*\))?\s*(?P<op>[=<>])\s*(?P<stat>{_STAT_NUM})"
    rf"|(?P<name2>[^\s\d(=<>,;][^(=<>,;]*?)\s*(?P<op2>[=<>])\s*(?P<stat2>{_STAT_NUM}),\s*df\s*=\s*"
    rf"(?P<df2>\d+(?:\.\d+)?(?:\s*,\s*\d+(?:\.\d+)?)?))"
    rf"(?:,\s*(?:(?P<p>[pP]\s*[=<>]\s*{_STAT_NUM})|(?P<ns>ns)))?")
_TEST_STATISTIC_GRAMMAR = ("'<test>(<df>) = <value>' or '<test> = <value>, df = <df>', optionally followed by "
                           "', p = <p>' (or '<', '>', 'ns'): 't(28) = 2.20', 'F(4, 76) = 0.37, P = 0.82', "
                           "'χ2(2) = 8.50', 'r(28) = .22', 'Z = 1.96', 't = 2.1, df = 28, p = 0.04'")


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
# Other ways the paper's software may have shortened its numbers, each a labelled variant
# of the integrity checks at the as-reported n (and of printed values that do not reproduce).
OTHER_READINGS = {f"rounding_{k}": v for k, v in READINGS.items() if k not in ("as_reported", "half_down")}
_TWO_ARM = {"two_sample_t", "two_proportions", "proportion_difference_ci", "change_between_groups"}
# kinds that read an n per input row (the row's printed n or a reading from n_sets)
_USES_N = _TWO_ARM | {"paired_from_summary", "k_group_anova", "contingency", "sd_feasibility"}
INPUT_KEYS = ("a", "b", "before", "after", "a_before", "a_after", "b_before", "b_after", "range")
# kinds that test one printed row: their result is an integrity result of that row (`a`)
ROW_KINDS = {"sd_feasibility"}


def input_ids(spec: dict) -> list[str]:
    """Every value_id a check reads."""
    ids = [spec[k] for k in INPUT_KEYS if k in spec] + list(spec.get("parts", []))
    ids += list(spec.get("groups", []))
    ids += [cell for row in spec.get("table", []) for cell in row]
    return ids


@dataclass
class Row:
    """One printed summary row with its numbers parsed (component -> Printed)."""

    value_id: str
    arm: str
    outcome: str
    timepoint: str
    n: int | None
    form: str
    dispersion: str | None
    parts: dict[str, Printed]
    raw: dict = field(repr=False)
    # in a `known_values` block: (value_id, count) of the Unknown/Missing row printed in
    # the same block for this arm, and the denominator of the as-reported reading
    unknown: tuple[str, int] | None = None
    denominator: str = "stated"

    def box(self, component: str) -> Box:
        """The printed value and its rounding interval (``rounding.input_bounds``, the
        rule a claim is read by too); a count of people is exact."""
        p = self.parts[component]
        if component == "count":
            return Box(float(p.value), float(p.value), float(p.value))
        return Box(*input_bounds(p))


def parse_row(row: dict, path: Path) -> Row:
    """Parse a row's `value` by its `form`; a mismatch names the file, row and grammar."""
    pattern, names = _GRAMMAR[row["form"]]
    statistic = statistic_text(row["value"]) if row["form"] == "test_statistic" else None
    match = re.fullmatch(pattern, row["value"]) if pattern else statistic
    if not match:
        why = diagnose_numbers(row["value"])
        rule = f"grammar {pattern!r}" if pattern else f"grammar {_TEST_STATISTIC_GRAMMAR}"
        raise InputError(path, f"value does not fit its form '{row['form']}'" + (f": {why}" if why else ""),
                         row=row["_where"], column="value", value=row["value"], rule=rule)
    if row["form"] == "test_statistic":
        try:
            test = statcheck.parse_result(", ".join(statistic))
        except ValueError as exc:
            raise InputError(path, "value is not a printed test statistic", row=row["_where"], column="value",
                             value=row["value"], rule=f"statcheck's grammar, e.g. 't(28) = 2.20' ({exc})") from None
        parts = {"statistic": parse_number(test.statistic)}
    else:
        parts = {name: parse_number(text) for name, text in zip(names, match.groups())}
    # An IQR is read as printed (a median outside it is a finding, checked in integrity);
    # a printed range "8-24" must still run upwards, or its transcription is wrong.
    if "low" in parts and parts["low"].value > parts["high"].value:
        raise InputError(path, "range low above high", row=row["_where"], column="value",
                         value=row["value"], rule="low <= high")
    if row["form"] == "mean_dispersion" and not row.get("dispersion"):
        raise InputError(path, "a mean ± dispersion row needs `dispersion`", row=row["_where"],
                         column="dispersion", value=None, rule="one of sd, sem, unspecified")
    return Row(row["value_id"], row["arm"], row["outcome"], row["timepoint"], row["n"],
               row["form"], row.get("dispersion"), parts, row)


_LOCATION = ("mean", "median", "q1", "q3", "value", "low", "high")


def check_ranges(row: Row, ranges: dict, path: Path) -> None:
    """Each parsed number within its physiological or logical range (schema `value_ranges`)."""
    by_outcome = ranges.get("outcomes", {}).get(row.outcome, {})
    for component, printed in row.parts.items():
        rule = ranges.get("components", {}).get(component) or (
            by_outcome if component in _LOCATION else None)
        if not rule:
            continue
        error = jsonschema.exceptions.best_match(
            jsonschema.Draft202012Validator(rule).iter_errors(float(printed.value)))
        if error is not None:
            scope = f"every {component}" if component in ranges.get("components", {}) else \
                f"{component} of outcome '{row.outcome}'"
            raise InputError(path, f"{component} {printed.text} is out of range", row=row.raw["_where"],
                             column="value", value=row.raw["value"],
                             rule=f"{scope}: {error.validator} {error.validator_value!r}")


def load_summaries(study: dict, errors: list | None = None) -> dict[str, Row]:
    """The printed summaries, each row parsed and within its ranges. With a list
    ``errors``, every faulty row's error is appended there (``check``); else the first
    raises."""
    path = Path(study["table"])
    schema = load_schema(Path(study["table_schema"]))
    rows = read_table(path, schema, errors)
    parsed = {}
    for r in rows:
        row = gather(errors, parse_row, r, path)
        if row is not None:
            parsed[r["value_id"]] = row
    ranges = dict(schema.get("value_ranges", {}))
    if study.get("value_ranges"):
        ranges["outcomes"] = load_schema(Path(study["value_ranges"])).get("outcomes") or {}
    for r in parsed.values():
        gather(errors, check_ranges, r, ranges, path)
    known = {r["value_id"] for r in rows}
    for r in parsed.values():
        gather(errors, _check_same_as, r, known, path)
    return parsed


def _check_same_as(row: Row, known: set[str], path: Path) -> None:
    ref = row.raw.get("same_as")
    if ref and ref not in known:
        raise InputError(path, "same_as names an unknown row", row=row.raw["_where"],
                         column="same_as", value=ref, rule="a value_id of this table")


# ---------------------------------------------------------------- variants of a check

@dataclass(frozen=True)
class Variant:
    label: str
    spec: dict


def expand_check(spec: dict) -> list[Variant]:
    """The stated reading, each labelled alternative, each reading of n, and their crossings."""
    base = {k: v for k, v in spec.items() if k not in ("alternatives", "n_variants")}
    methods = [(AS_REPORTED, base)] + [(label, {**base, **alt})
                                       for label, alt in spec.get("alternatives", {}).items()]
    out = list(Variant(label, s) for label, s in methods)
    for n_set in spec.get("n_variants", []):
        for label, s in methods:
            name = f"n_{n_set}" if label == AS_REPORTED else f"{label}+n_{n_set}"
            out.append(Variant(name, {**s, "n": n_set}))
    return out


# Built-in readings of n, beside the study's n_sets: 'printed' is the as-reported n of
# each row; 'stated' the n the paper states for its arm; 'known' the stated n minus the
# Unknown or Missing count printed in the same block (`known_values` in the config).
PRINTED, STATED, KNOWN = "printed", "stated", "known"
BUILT_IN_N = (PRINTED, STATED, KNOWN)


def _stated_n(row: Row, study: dict) -> int | None:
    """The n the paper states for the row: its printed n, or where none is printed the
    study's `n_as_reported` reading, if it names one."""
    if row.n is None and study.get("n_as_reported"):
        return study["n_sets"][study["n_as_reported"]].get(row.arm)
    return row.n


def _known_n(row: Row, study: dict) -> int | None:
    """Of known values: the stated n minus the block's printed Unknown/Missing count."""
    stated = _stated_n(row, study)
    return None if row.unknown is None or stated is None else stated - row.unknown[1]


def _n_for(row: Row, study: dict, n_reading: str) -> int | None:
    """A row's n under a reading: 'printed', its as-reported n (the stated n, or of known
    values where the config or the row says its percentages are); 'stated'; 'known'; or
    an n_set's n for its arm."""
    if n_reading == PRINTED:
        return _known_n(row, study) if row.denominator == KNOWN else _stated_n(row, study)
    if n_reading == STATED:
        return _stated_n(row, study)
    if n_reading == KNOWN:
        return _known_n(row, study)
    return study["n_sets"][n_reading].get(row.arm)


def _n_words(rows: list[Row], study: dict, n_reading: str) -> str:
    """How a check's n was read, for its method text: the reading, and where a row's n
    is of known values, the stated n and the Unknown count it subtracts."""
    known = [r for r in rows if r.unknown is not None
             and (n_reading == KNOWN or (n_reading == PRINTED and r.denominator == KNOWN))]
    if not known:
        return n_reading
    return f"{n_reading}; of known values: " + ", ".join(
        f"{_stated_n(r, study)} - {r.unknown[1]} unknown ({r.unknown[0]})" for r in known)


def apply_known_values(study: dict, rows: dict[str, Row],
                       config_file: str = "config/studies/<study>.yaml") -> None:
    """Attach to each row of a `known_values` block the Unknown/Missing count printed in
    its block for its arm (same arm, time point and group), and the denominator of its
    as-reported reading: the block's `as_reported` (default 'stated'), or the row's own
    `denominator` column. Idempotent; a bad block names the config key, a bad column the
    table's row."""
    for r in rows.values():
        r.unknown, r.denominator = None, STATED
    for block, spec in (study.get("known_values") or {}).items():
        key = f"known_values.{block}"
        unknowns: dict[tuple, Row] = {}
        for uid in spec["unknown"]:
            if uid not in rows:
                raise InputError(config_file, "known_values names an unknown row", key=f"{key}.unknown",
                                 value=uid, rule=f"a value_id of {study['table']}")
            u = rows[uid]
            if "count" not in u.parts:
                raise InputError(config_file, f"the Unknown/Missing row {uid} prints no count",
                                 key=f"{key}.unknown", value=u.raw["value"],
                                 rule="a row of form count or count_percent")
            where = (u.raw.get("group") or "", u.arm, u.timepoint)
            if where in unknowns:
                raise InputError(config_file, "two Unknown/Missing rows for one arm and time point",
                                 key=f"{key}.unknown", value=uid,
                                 rule=f"one per arm, time point and group ({unknowns[where].value_id} is the other)")
            unknowns[where] = u
        for rid in spec["rows"]:
            if rid not in rows:
                raise InputError(config_file, "known_values names an unknown row", key=f"{key}.rows",
                                 value=rid, rule=f"a value_id of {study['table']}")
            r = rows[rid]
            u = unknowns.get((r.raw.get("group") or "", r.arm, r.timepoint))
            if "percent" not in r.parts or rid in spec["unknown"] or u is None:
                raise InputError(config_file, f"row {rid} cannot be read of known values", key=f"{key}.rows",
                                 value=rid, rule="a row printing a percent, other than the Unknown rows, "
                                                 "with an Unknown row of its arm, time point and group")
            count, stated = int(u.parts["count"].value), _stated_n(r, study)
            if stated is None or count >= stated:
                raise InputError(config_file, f"the Unknown count of {u.value_id} leaves no known values "
                                 f"of {rid}", key=f"{key}.unknown", value=u.raw["value"],
                                 rule=f"fewer than the stated n ({stated})")
            r.unknown = (u.value_id, count)
            r.denominator = r.raw.get("denominator") or spec.get("as_reported", STATED)
    for r in rows.values():
        if r.raw.get("denominator") == KNOWN and r.unknown is None:
            raise InputError(study["table"], "denominator 'known' outside a known_values block",
                             row=r.raw["_where"], column="denominator", value=KNOWN,
                             rule="list the row under known_values.<block>.rows in the study's config")


def _sd_box(row: Row, n: int, reading: str) -> tuple[Box, str]:
    """The dispersion as an SD box: the printed reading, or read as SD, or as SEM."""
    box = row.box("dispersion")
    as_printed = row.dispersion if reading == "printed" else reading
    if as_printed == "sem":
        f = math.sqrt(n)
        return Box(box.value * f, box.lower * f, box.upper * f), "± read as SEM (SD = SEM·√n)"
    if as_printed == "unspecified":
        return box, "± read as SD (the paper does not say)"
    return box, "± read as SD"


def _counts(row: Row, n: int, schemes=ROUNDING) -> tuple[tuple[int, ...], str]:
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


def _nearest_cells(cells: list[list]) -> tuple[list[list], list[str]]:
    """A contingency table's printed cells with each percent that no count out of its n
    gives replaced by its nearest count(s) (as ``_counts``), and the notes saying so."""
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


def _range_record(stat: str, r: Range, method: str, note: str = "") -> dict:
    return {"statistic": stat, "value": r.value, "low": r.lower, "high": r.upper,
            "method": method, "note": note}


def _exact(stat: str, value: float, method: str, note: str = "") -> dict:
    return {"statistic": stat, "value": value, "low": None, "high": None, "method": method, "note": note}


def run_check(spec: dict, rows: dict[str, Row], study: dict) -> list[dict]:
    """Statistics of one check variant, as records (statistic, value, low, high, method, note)."""
    kind = spec["kind"]
    n_reading = spec.get("n", "printed")
    schemes = ROUNDING
    get = rows.__getitem__

    if kind == "two_sample_t":
        a, b = get(spec["a"]), get(spec["b"])
        n1, n2 = _n_for(a, study, n_reading), _n_for(b, study, n_reading)
        s1, how = _sd_box(a, n1, spec.get("dispersion", "printed"))
        s2, _ = _sd_box(b, n2, spec.get("dispersion", "printed"))
        test = spec.get("test", "student")
        res = summary_stats.ttest_from_summary(a.box("mean"), s1, n1, b.box("mean"), s2, n2, test)
        method = (f"two-sample {test.title()} t from printed mean ± SD, n = {n1}/{n2} "
                  f"({_n_words([a, b], study, n_reading)}); {how}")
        return [_range_record(k, v, method) for k, v in res.items()]

    if kind in ("two_proportions", "proportion_difference_ci"):
        a, b = get(spec["a"]), get(spec["b"])
        n1, n2 = _n_for(a, study, n_reading), _n_for(b, study, n_reading)
        (ca, note_a), (cb, note_b) = _counts(a, n1, schemes), _counts(b, n2, schemes)
        where = f"n = {n1}/{n2} ({_n_words([a, b], study, n_reading)})"
        counts_note = "; ".join(x for x in (
            f"counts {'/'.join(map(str, ca))} of {n1} and {'/'.join(map(str, cb))} of {n2}",
            note_a, note_b) if x)
        if kind == "two_proportions":
            test = spec.get("test", "chi2")
            ps = [summary_stats.two_proportions(x, n1, y, n2, test)["p"] for x in ca for y in cb]
            method = f"{_TEST_NAMES[test]} on a 2x2 table, {where}"
            return [_spread("p", ps, method, counts_note)]
        m, level = spec.get("method", "wald"), spec.get("level", 0.95)
        cis = [summary_stats.proportion_difference_ci(x, n1, y, n2, m, level) for x in ca for y in cb]
        index = 0 if spec["bound"] == "lower" else 1
        method = f"{level:.0%} CI of the difference in proportions ({m.title()}), {where}"
        return [_spread(spec["bound"], [ci[index] for ci in cis], method, counts_note)]

    if kind == "paired_from_summary":
        before, after = get(spec["before"]), get(spec["after"])
        n = _n_for(after, study, n_reading)
        s0, how = _sd_box(before, n, spec.get("dispersion", "printed"))
        s1, _ = _sd_box(after, n, spec.get("dispersion", "printed"))
        args = (before.box("mean"), s0, after.box("mean"), s1, n)
        res = summary_stats.paired_from_summary(*args)
        method = (f"paired t from printed mean ± SD, r unknown in [-1, 1], n = {n} "
                  f"({_n_words([after], study, n_reading)}); {how}")
        out = [_range_record(k, v, method) for k, v in res.items()]
        at_printed = summary_stats.paired_from_summary(*(_point(b) if isinstance(b, Box) else b for b in args))
        out.append(_at_printed(at_printed["p"], method))
        for level in study.get("significance_levels", [study["alpha"]]):
            out.append(_range_record(f"r_threshold_{level:g}", summary_stats.r_threshold(*args, level),
                                     method, f"p < {level:g} needs r above this"))
        return out

    if kind == "change_between_groups":
        ab, aa, bb, ba = (get(spec[k]) for k in ("a_before", "a_after", "b_before", "b_after"))
        n1, n2 = _n_for(aa, study, n_reading), _n_for(ba, study, n_reading)
        boxes = []
        for row, n in ((ab, n1), (aa, n1), (bb, n2), (ba, n2)):
            sd, how = _sd_box(row, n, spec.get("dispersion", "printed"))
            boxes.append((row.box("mean"), sd))
        test = spec.get("test", "student")
        res = summary_stats.change_between_groups(*boxes, n1, n2, test)
        method = (f"{test.title()} t on the change from baseline, SD of change from an unknown "
                  f"within-arm r in [-1, 1], n = {n1}/{n2} ({_n_words([aa, ba], study, n_reading)}); {how}")
        at_printed = summary_stats.change_between_groups(*((_point(m), _point(s)) for m, s in boxes),
                                                         n1, n2, test)
        return [_range_record(k, v, method) for k, v in res.items()] + [_at_printed(at_printed["p"], method)]

    if kind == "k_group_anova":
        groups = [get(g) for g in spec["groups"]]
        ns = [_n_for(g, study, n_reading) for g in groups]
        sds = [_sd_box(g, n, spec.get("dispersion", "printed")) for g, n in zip(groups, ns)]
        test = spec.get("test", "anova")
        res = kgroup_stats.anova_from_summary([g.box("mean") for g in groups], [s for s, _ in sds], ns,
                                              "fisher" if test == "anova" else "welch")
        name = "one-way ANOVA (F, pooled variance)" if test == "anova" else "Welch's one-way ANOVA"
        method = (f"{name} across {len(groups)} groups from printed mean ± SD, "
                  f"n = {'/'.join(map(str, ns))} ({_n_words(groups, study, n_reading)}); {sds[0][1]}")
        return [_range_record(k, v, method) for k, v in res.items()]

    if kind == "contingency":
        test = spec.get("test", "chi2")
        cells, ns, used = [], [], []
        for line in spec["table"]:
            out_line = []
            for ref in line:
                row = get(ref)
                used.append(row)
                n = _n_for(row, study, n_reading)
                out_line.append(int(row.parts["count"].value) if "count" in row.parts
                                else (row.parts["percent"].text, n))
                ns.append(n)
            cells.append(out_line)
        cells, nearest = _nearest_cells(cells)
        try:
            tables = list(kgroup_stats.contingency_from_printed(cells, schemes=schemes))
        except ValueError as exc:   # more tables fit the printed cells than we enumerate
            return [_exact("p", math.nan, f"{_TEST_NAMES[test]}, {n_reading}", str(exc))]
        shape = f"{len(cells)}x{len(cells[0])}"
        method = f"{_TEST_NAMES[test]} on the {shape} table of printed counts ({_n_words(used, study, n_reading)})"
        if len(tables) == 1:
            res = kgroup_stats.contingency_test(tables[0], test)
            table_text = "; ".join(" ".join(map(str, r)) for r in tables[0])
            return [_exact("p", res["p"], method, "; ".join(
                [f"table [{table_text}]"] + ([res["note"]] if res["note"] else []) + nearest))]
        r = kgroup_stats.contingency_range(tables, test)
        return [_range_record("p", r, method, "; ".join(
            [f"{len(tables)} tables of counts fit the printed percents"] + nearest))]

    if kind == "reported_statistic":
        row = get(spec["a"])
        tails = spec.get("tails", 2)
        text = statistic_text(row.raw["value"])[0]
        res = statcheck.statistic_p_range(text, tails)
        method = (f"p from the printed {text} ({'two' if tails == 2 else 'one'}-tailed), over "
                  f"the statistic's rounding interval (statcheck's rule)")
        return [_range_record("p", Range(res["p"], res["low"], res["high"]), method)]

    if kind == "sd_feasibility":
        return [_sd_feasibility(spec, get(spec["a"]), rows, study, n_reading, schemes)]

    if kind == "count_of_groups":
        where = spec["location"]
        groups = sorted({r.raw.get("group") for r in rows.values()
                         if r.raw["location"].startswith(where) and r.raw.get("group")})
        return [_exact("value", float(len(groups)), f"distinct `group` among rows at '{where}'",
                       f"{len(groups)} groups: {', '.join(groups)}")]

    component = spec.get("component", "mean")
    if kind == "difference":
        a, b = get(spec["a"]), get(spec["b"])
        r = summary_stats.difference(a.box(component), b.box(component))
        return [_range_record("difference", r, f"{component} of {a.value_id} minus {b.value_id}")]
    if kind == "sum":
        parts = [get(p) for p in spec["parts"]]
        boxes = [p.box(component) for p in parts]
        total = Range(sum(x.value for x in boxes), sum(x.lower for x in boxes), sum(x.upper for x in boxes))
        method = f"sum of {component} over {', '.join(p.value_id for p in parts)}"
        if all(x.lower == x.upper for x in boxes):
            return [_exact("sum", total.value, method)]
        return [_range_record("sum", total, method)]
    if kind == "value":
        a = get(spec["a"])
        box = a.box(component)
        return [_exact("value", box.value, f"{component} printed in {a.value_id}")]
    raise ValueError(f"unknown check kind {kind!r}")


_TEST_NAMES = {"chi2": "Pearson chi-square (no continuity correction)",
               "chi2_yates": "chi-square with Yates' correction", "fisher": "Fisher's exact test",
               "g_test": "G-test (log-likelihood ratio)",
               "fisher_freeman_halton": "Fisher-Freeman-Halton exact test"}


def _point(box: Box) -> Box:
    """A printed number taken as exact (its value alone, not its rounding interval)."""
    return Box(box.value, box.value, box.value)


def _at_printed(r: Range, method: str) -> dict:
    """The claim's statistic at the printed inputs, where an unknown (r) still spans a range."""
    return {"statistic": "p_at_printed", "value": math.nan, "low": r.lower, "high": r.upper,
            "method": method, "note": "p at the printed values, over the unknown r"}


def _sd_feasibility(spec: dict, row: Row, rows: dict, study: dict, n_reading: str, schemes) -> dict:
    """Can n values within the known bounds have the printed mean and SD?"""
    n = _n_for(row, study, n_reading)
    observed = "range" in spec
    if observed:
        lo_hi = rows[spec["range"]]
        lower, upper = lo_hi.parts["low"].text, lo_hi.parts["high"].text
        bounds = f"the printed range {lower}–{upper} ({spec['range']}), its ends observed"
    else:
        lower, upper = (str(b) for b in spec["bounds"])
        bounds = f"bounds {lower}–{upper}" + (f" ({spec['why']})" if spec.get("why") else "")
    res = feasibility.sd_feasibility(row.parts["mean"].text, row.parts["dispersion"].text, n, lower, upper,
                                     integer=spec.get("integer", False), observed_range=observed,
                                     schemes=schemes)
    outcome = POSSIBLE if res.feasible else IMPOSSIBLE if res.feasible is False else UNDETERMINED
    return {"statistic": "sd_feasibility", "value": None, "low": res.sd_min, "high": res.sd_max,
            "method": f"SD feasibility ({res.method}), n = {n} ({n_reading}), {bounds}",
            "outcome": outcome, "note": res.reason}


def _spread(stat: str, values: list[float], method: str, note: str) -> dict:
    if len(values) == 1:
        return _exact(stat, values[0], method, note)
    return {"statistic": stat, "value": math.nan, "low": min(values), "high": max(values),
            "method": method, "note": note + "; several counts fit the printed percents"}


def claim_statistic(spec: dict) -> str:
    """The statistic a claim about this check is compared with (the kind's default)."""
    return spec.get("statistic") or {
        "two_sample_t": "p", "two_proportions": "p", "paired_from_summary": "p",
        "change_between_groups": "p", "difference": "difference", "sum": "sum", "value": "value",
        "k_group_anova": "p", "contingency": "p", "reported_statistic": "p", "count_of_groups": "value",
        "proportion_difference_ci": spec.get("bound", "lower"),
    }[spec["kind"]]


# ---------------------------------------------------------------- integrity of each row

def _readings_of_n(row: Row, study: dict):
    """(n, reading in words, variant label): the as-reported n first (the printed n; where
    none is printed, the study's n_as_reported reading; of known values where so
    configured); then, in a known_values block, the other denominator (n_known or
    n_stated); then each n_set's n. A reading whose n is the as-reported one adds
    nothing and is left out; readings that share another n each keep their own name."""
    first = _n_for(row, study, PRINTED)
    if first is not None:
        if row.denominator == KNOWN:
            words = _n_words([row], study, PRINTED)
        else:
            words = study["n_as_reported"] if row.n is None and study.get("n_as_reported") else PRINTED
        yield first, words, AS_REPORTED
    others = ([KNOWN if row.denominator == STATED else STATED] if row.unknown is not None else [])
    for reading in others + list(study.get("n_sets", {})):
        n = _n_for(row, study, reading)
        if n is None or n == first:
            continue
        yield n, _n_words([row], study, reading), f"n_{reading}"


IMPLIED_N = "implied n:"   # marks the finding in a note (the summary lists each once)


def _grim_values(row: Row, n: int, study: dict) -> list[tuple[str, str, int]]:
    """The printed percents and integer-outcome means of a row that fail GRIM at n."""
    out = []
    if row.form == "percent" or (row.form == "count_percent"
                                 and int(row.parts["count"].value) not in
                                 scrutiny.counts_from_percent(row.parts["percent"].text, n, ROUNDING)):
        out.append((row.parts["percent"].text, "percent", 1))
    spec = study.get("integer_outcomes", {}).get(row.outcome)
    if spec and row.form in ("mean_dispersion", "mean"):
        out.append((row.parts["mean"].text, "mean", spec["items"]))
    return [v for v in out if not scrutiny.implied_n([v], range(n, n + 1), ROUNDING)]


def implied_n_by_arm(rows: dict[str, Row], study: dict) -> dict[str, str]:
    """The implied-n search: for each arm (and its as-reported n), the printed values that
    are impossible at that n, and the n under which all of them are possible (searched
    from 2 to twice the stated n). Returns, for each such row, the finding in words."""
    failing: dict[tuple[str, int], list[tuple[str, tuple]]] = {}
    for row in rows.values():
        n = _n_for(row, study, "printed")
        if n is None or row.form not in ("percent", "count_percent", "mean_dispersion", "mean"):
            continue
        for value in _grim_values(row, n, study):
            failing.setdefault((row.arm, n), []).append((row.value_id, value))
    out = {}
    for (arm, n), items in sorted(failing.items()):
        values = [v for _, v in items]
        searched = range(2, 2 * n + 1)
        fits = scrutiny.implied_n(values, searched, ROUNDING)
        shown = ", ".join(f"{t}%" if kind == "percent" else t for t, kind, _ in values)
        where = (f"all are possible for n in {{{', '.join(map(str, fits))}}}" if fits
                 else "no single n makes them all possible")
        text = (f"{IMPLIED_N} arm '{arm}' prints {len(values)} value(s) impossible at its stated "
                f"n = {n} ({shown}); {where} (searched n = 2-{2 * n})")
        for value_id, _ in items:
            out[value_id] = text
    return out


DUPLICATE = "duplicate:"   # marks the finding in a note
_CENTRE = ("mean", "median", "value")
# the SD of a normal sample is IQR / (2 Phi^-1(0.75)) = IQR / 1.349
_IQR_PER_SD = 2 * NormalDist().inv_cdf(0.75)


def _standard_errors(row: Row, n: int | None) -> tuple[float | None, float | None]:
    """(SE of the printed centre, SE of the printed dispersion) for the chance of a repeat
    (duplicates.flag_by_chance); None where the row does not give it. A ± the paper does
    not call SD or SE is read as an SD, which gives the smaller SE and so the larger chance;
    a median's SE is taken as a mean's, SD / sqrt(n) with SD = IQR / 1.349, below a
    median's own (sqrt(pi / 2) larger under normality), again the larger chance. A
    printed dispersion d has SE d / sqrt(2 (n - 1)) (normal samples)."""
    if not n or n < 2:
        return None, None
    if row.form == "mean_dispersion":
        d = float(row.parts["dispersion"].value)
        centre = d if row.dispersion == "sem" else d / math.sqrt(n)
        return centre, d / math.sqrt(2 * (n - 1))
    if row.form == "median_iqr":
        sd = float(row.parts["q3"].value - row.parts["q1"].value) / _IQR_PER_SD
        return sd / math.sqrt(n), None
    return None, None


def duplicate_findings(rows: dict[str, Row], study: dict) -> dict[str, str]:
    """Printed numbers repeated where chance makes it unlikely (scrutiny's duplicate_count
    finds the repeats; duplicates.flag_by_chance says which are unlikely): the same centre
    value (mean, median or bare value, as printed) for two arms or groups at one outcome
    and time point, and the same run of two or more consecutive centre values printed for
    two groups or arms, each pair of the same quantities. A repeat is flagged where its
    chance, times the number of such comparisons in the table, is at most the study's
    alpha. Restatements of one quantity (same group, arm, outcome and time point) are not
    compared."""
    records = []
    for i, row in enumerate(rows.values()):
        centre = next((row.parts[k] for k in _CENTRE if k in row.parts), None)
        if centre is None:
            continue
        se, se_dispersion = _standard_errors(row, _n_for(row, study, "printed"))
        record = {"id": row.value_id, "group": f"{row.raw.get('group') or ''}/{row.arm}", "position": i,
                  "value": centre.text, "quantity": (row.outcome, row.timepoint),
                  "unit": float(centre.unit), "se": se}
        if row.form == "mean_dispersion":
            spread = row.parts["dispersion"]
            record["second"] = {"text": spread.text, "unit": float(spread.unit), "se": se_dispersion}
        records.append(record)
    out: dict[str, list[str]] = {}
    for flag in duplicates.flag_by_chance(records, float(study["alpha"])):
        for i in flag["ids"]:
            out.setdefault(i, []).append(f"{DUPLICATE} {flag['text']}")
    return {i: "; ".join(dict.fromkeys(texts)) for i, texts in out.items()}


def integrity(row: Row, rows: dict[str, Row], study: dict) -> list[dict]:
    """Internal-consistency results for one printed row, each a record with a variant."""
    out = []
    schemes = ROUNDING
    if row.form == "percent":
        for n, reading, label in _readings_of_n(row, study):
            out.append({"variant": label, **_percent_check(row, n, reading, schemes)})
            if label == AS_REPORTED:
                out += [{"variant": name, **_percent_check(row, n, reading, other)}
                        for name, other in OTHER_READINGS.items()]
    elif row.form == "count_percent":
        for n, reading, label in _readings_of_n(row, study):
            rec = _percent_check(row, n, reading, schemes)
            out.append({"variant": label, **rec})
            if label == AS_REPORTED and not parse_claim(row.parts["percent"].text).holds_for(rec["value"]):
                # printed count / n does not print as the printed percent: read the percent
                # as truncated and as rounded twice (the ledger judges each reading)
                out += [{"variant": name, **rec, "method": rec["method"] + _read_as(other)}
                        for name, other in OTHER_READINGS.items()]
    if row.form in _MEDIAN_BOUNDS:
        out.append({"variant": AS_REPORTED, **_median_order(row)})
    if False:
        q1, med, q3 = (row.parts[k].value for k in ("q1", "median", "q3"))
        ok = q1 <= med <= q3
        out.append({"variant": AS_REPORTED, "statistic": "order", "value": None, "low": None,
                    "high": None, "method": "median inside its interquartile range",
                    "outcome": POSSIBLE if ok else IMPOSSIBLE,
                    "note": (f"Q1 {q1} ≤ median {med} ≤ Q3 {q3}" if ok else
                             f"median {med} lies outside its printed IQR {q1}–{q3}")})
    spec = study.get("integer_outcomes", {}).get(row.outcome)
    if spec and row.form in ("mean_dispersion", "mean"):
        for n, reading, label in _readings_of_n(row, study):
            out += [{"variant": label, **rec}
                    for rec in _integer_checks(row, n, reading, spec["items"], schemes)]
            if label == AS_REPORTED:
                out += [{"variant": name, **rec} for name, other in OTHER_READINGS.items()
                        for rec in _integer_checks(row, n, reading, spec["items"], other)]
    ref = row.raw.get("same_as")
    if ref:
        out.append({"variant": AS_REPORTED, **_agreement(row, rows[ref])})
    # a row that another row restates (its `same_as` names this one) gets the same check
    for other in rows.values():
        if other.raw.get("same_as") == row.value_id and other.value_id != ref:
            out.append({"variant": AS_REPORTED, **_agreement(row, other)})
    return out


# A median and the two numbers printed around it: its IQR, or its range (smallest and largest
# value), each with the statistic of its order check and the words for it.
_MEDIAN_BOUNDS = {"median_iqr": ("q1", "q3", "order", "interquartile range", "IQR", "Q1", "Q3"),
                  "median_range": ("low", "high", "range_order", "range", "range", "min", "max")}


def _median_order(row: Row) -> dict:
    """A median lies between its Q1 and Q3, or between the smallest and largest value.
    Printed numbers at their precision: the median is impossible only when no value it
    rounds from lies between values the bounds round from."""
    lo_key, hi_key, statistic, what, short, lo_name, hi_name = _MEDIAN_BOUNDS[row.form]
    lo, med, hi = row.parts[lo_key], row.parts["median"], row.parts[hi_key]
    ok = lo.lower <= med.upper and med.lower <= hi.upper
    order = f"{lo_name} {lo.text} ≤ median {med.text} ≤ {hi_name} {hi.text}"
    if ok and med.value > hi.value:
        order = (f"median {med.text} is above {hi_name} {hi.text} as printed, but both may be {hi.upper} "
                 "before rounding")
    elif ok and med.value < lo.value:
        order = (f"median {med.text} is below {lo_name} {lo.text} as printed, but both may be {lo.lower} "
                 "before rounding")
    return {"statistic": statistic, "value": None, "low": None, "high": None,
            "method": f"median inside its {what}", "outcome": POSSIBLE if ok else IMPOSSIBLE,
            "note": order if ok else f"median {med.text} lies outside its printed {short} {lo.text}–{hi.text}"}


def _percent_check(row: Row, n: int, reading: str, schemes) -> dict:
    percent = row.parts["percent"]
    if "count" in row.parts:
        count = int(row.parts["count"].value)
        value = 100 * count / n
        return {"statistic": "percent", "value": value, "low": None, "high": None,
                "method": f"count / n · 100 with the printed count {count} and n = {n} ({reading})",
                "outcome": "", "note": ""}
    res = scrutiny.grim(percent.text, n, percent=True, schemes=schemes)
    counts = scrutiny.counts_from_percent(percent.text, n, schemes)
    ok = bool(counts)
    note = (f"count {'/'.join(map(str, counts))} of {n} gives {percent.text}%" if ok
            else f"no integer count out of n = {n} gives {percent.text}%; {res.reason}")
    return {"statistic": "count", "value": counts[0] if len(counts) == 1 else None,
            "low": min(counts) if counts else None, "high": max(counts) if counts else None,
            "method": f"GRIM for percentages, n = {n} ({reading}){_read_as(schemes)}",
            "outcome": POSSIBLE if ok else IMPOSSIBLE, "note": note}


def _read_as(schemes) -> str:
    """How the printed numbers are read, where not by conventional rounding."""
    return "" if tuple(schemes) == tuple(ROUNDING) else f", printed numbers read as {describe_schemes(schemes)}"


def _integer_checks(row: Row, n: int, reading: str, items: int, schemes) -> list[dict]:
    mean = row.parts["mean"].text
    g = scrutiny.grim(mean, n, items=items, schemes=schemes)
    where = f"n = {n} ({reading}){_read_as(schemes)}"
    out = [{"statistic": "grim", "value": None, "low": None, "high": None,
            "method": f"GRIM, integer data ({items} item{'s' if items > 1 else ''}), {where}",
            "outcome": POSSIBLE if g.consistent else IMPOSSIBLE, "note": g.reason}]
    if row.form == "mean_dispersion" and row.dispersion in ("sd", "unspecified"):
        gm = scrutiny.grimmer(mean, row.parts["dispersion"].text, n, items=items, schemes=schemes)
        out.append({"statistic": "grimmer", "value": None, "low": None, "high": None,
                    "method": f"GRIMMER, integer data, {where}",
                    "outcome": POSSIBLE if gm.consistent else IMPOSSIBLE, "note": gm.reason})
    return out


def _agreement(row: Row, other: Row) -> dict:
    """Two printings of one quantity: identical, overlapping rounding intervals, or disjoint."""
    common = [k for k in row.parts if k in other.parts]
    verdicts, notes = [], []
    for k in common:
        a, b = row.parts[k], other.parts[k]
        if a.decimals == b.decimals:
            # one number prints one way at one precision: equal or not at all
            verdicts.append(IDENTICAL if a.value == b.value else DISJOINT)
            if a.value != b.value:
                notes.append(f"{k} {a.text} vs {b.text}: differ at the same precision")
        elif (a.lower <= b.lower and b.upper <= a.upper) or (b.lower <= a.lower and a.upper <= b.upper):
            # the coarser printing is a rounding of the finer one
            verdicts.append(IDENTICAL)
            notes.append(f"{k} {a.text} and {b.text} differ only in precision")
        elif a.lower <= b.upper and b.lower <= a.upper:
            verdicts.append(OVERLAPPING)
            notes.append(f"{k} {a.text} vs {b.text}: rounding intervals overlap")
        else:
            verdicts.append(DISJOINT)
            notes.append(f"{k} {a.text} vs {b.text}: no common value")
    if not common:
        outcome, notes = DISJOINT, [f"no common component between forms {row.form} and {other.form}"]
    else:
        outcome = DISJOINT if DISJOINT in verdicts else OVERLAPPING if OVERLAPPING in verdicts else IDENTICAL
    text = "; ".join(notes) or f"same as {other.value_id} ({other.raw['location']}, line {other.raw['source_line']})"
    return {"statistic": "agreement", "value": None, "low": None, "high": None,
            "method": f"agreement with {other.value_id} ({other.raw['location']})",
            "outcome": outcome, "note": text}


# ---------------------------------------------------------------- the study

def _wanted(spec: dict, ref: str, row: Row) -> tuple:
    """The components a check reads from one of its rows."""
    kind = spec["kind"]
    if kind in ("two_proportions", "proportion_difference_ci", "contingency"):
        return () if "count" in row.parts else ("percent",)
    if kind in ("difference", "sum", "value"):
        return (spec.get("component", "mean"),)
    if kind == "sd_feasibility":
        return ("low", "high") if ref == spec.get("range") else ("mean", "dispersion")
    return ()


_NEEDS = {"two_sample_t": ("mean", "dispersion"), "paired_from_summary": ("mean", "dispersion"),
          "change_between_groups": ("mean", "dispersion"), "k_group_anova": ("mean", "dispersion"),
          "reported_statistic": ("statistic",)}


def validate_checks(study: dict, rows: dict[str, Row], config_file: str = "config/studies/<study>.yaml",
                    errors: list | None = None, unreadable: frozenset = frozenset()) -> None:
    """Every value a check names exists, has the components it needs, and has an n. With
    a list ``errors``, each check's fault is appended there; else the first raises. A
    check naming an ``unreadable`` row (whose own fault is reported) is not judged."""
    apply_known_values(study, rows, config_file)
    for name, spec in study["checks"].items():
        if not unreadable.intersection(i for v in expand_check(spec) for i in input_ids(v.spec)):
            gather(errors, _validate_check, name, spec, study, rows, config_file)
    for fig, spec in study.get("figures", {}).items():
        for panel in spec.get("panels", []):
            for check in panel.get("between_checks", []):
                if check not in study["checks"]:
                    gather(errors, _unknown_marked_check, config_file, fig, check)


def _unknown_marked_check(config_file: str, fig: str, check: str) -> None:
    raise InputError(config_file, f"figure '{fig}' marks an unknown check", column="between_checks",
                     value=check, rule="a check of this study")


def _validate_check(name: str, spec: dict, study: dict, rows: dict[str, Row], config_file: str) -> None:
    for v in expand_check(spec):
        s = v.spec
        for ref in input_ids(s):
            if ref not in rows:
                raise InputError(config_file, f"check '{name}' names an unknown value", column="a/b",
                                 value=ref, rule=f"a value_id of {study['table']}")
            row = rows[ref]
            wanted = _NEEDS.get(s["kind"]) or _wanted(s, ref, row)
            missing = [c for c in wanted if c not in row.parts]
            if missing:
                raise InputError(config_file, f"check '{name}' ({s['kind']}) needs {missing[0]} "
                                 f"but {ref} is printed as {row.form}", column="kind", value=s["kind"],
                                 rule=f"a row with {', '.join(wanted)}")
            if s["kind"] in _USES_N and ref != s.get("range"):
                reading = s.get("n", PRINTED)
                if reading not in BUILT_IN_N and reading not in study.get("n_sets", {}):
                    raise InputError(config_file, f"check '{name}' names an unknown n reading",
                                     column="n", value=reading,
                                     rule="a key of n_sets, or 'printed', 'stated' or 'known'")
                if _n_for(row, study, reading) is None and "count" not in row.parts:
                    raise InputError(config_file, f"check '{name}' has no n for {ref} under "
                                     f"reading '{reading}'", column="n", value=reading,
                                     rule="a printed n in the row, or the arm in n_sets")
        if s["kind"] == "sd_feasibility" and ("range" in s) == ("bounds" in s):
            raise InputError(config_file, f"check '{name}' needs exactly one of `range` and `bounds`",
                             column="range/bounds", value=None,
                             rule="range: the value_id of a printed range whose ends were observed; "
                                  "bounds: [lower, upper] known otherwise (a follow-up, a scale)")
        if s["kind"] == "proportion_difference_ci" and "bound" not in s:
            raise InputError(config_file, f"check '{name}' needs `bound`", column="bound",
                             value=None, rule="lower or upper")


def recompute(rows: dict[str, Row], study: dict, study_name: str) -> pd.DataFrame:
    apply_known_values(study, rows)
    records = []
    for name, spec in study["checks"].items():
        # a check of one printed row is that row's integrity result
        label = f"row:{spec['a']}" if spec["kind"] in ROW_KINDS else name
        for v in expand_check(spec):
            for rec in run_check(v.spec, rows, study):
                records.append({"study": study_name, "check": label, "variant": v.label,
                                "outcome": "", **rec})
    implied = implied_n_by_arm(rows, study)
    repeated = duplicate_findings(rows, study)
    for row in rows.values():
        for rec in integrity(row, rows, study):
            if rec["variant"] == AS_REPORTED and rec.get("outcome") == IMPOSSIBLE and row.value_id in implied:
                rec = {**rec, "note": f"{rec['note']}; {implied[row.value_id]}"}
            records.append({"study": study_name, "check": f"row:{row.value_id}", **rec})
        if row.value_id in repeated:
            records.append({"study": study_name, "check": f"row:{row.value_id}", "variant": AS_REPORTED,
                            "statistic": "duplicate", "value": None, "low": None, "high": None,
                            "method": "repeated printed values (scrutiny's duplicate_count), flagged where "
                                      "unlikely by chance (reanalysis.duplicates.flag_by_chance)",
                            "outcome": FLAGGED, "note": repeated[row.value_id]})
    df = pd.DataFrame.from_records(records, columns=RECOMPUTED_COLUMNS)
    return df
