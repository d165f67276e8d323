"""Recomputation from printed summary statistics (means ± SD, medians (IQR), percentages).

A summary-level study has no patient data: its table (``summaries.csv``) holds what the
paper prints, one row per printed value, read as text so each number keeps its precision.
Every number stands for its rounding box; every check returns its statistic at the
printed values and its extremes over the box (``low``/``high``).

Two kinds of work, both returned as one long table by :func:`recompute`:

- **checks** from the config (t-tests, chi-square, CIs, paired tests with unknown r,
  differences, sums), each computed by its kind's module in ``reanalysis.engine.checks``, with
  labelled variants: the config's alternatives and the readings of n in ``n_sets``;
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

from reanalysis.engine import duplicates, scrutiny, statcheck
from reanalysis.engine.checks import KINDS, kind_of
from reanalysis.engine.checks._common import (AS_REPORTED, BUILT_IN_N, IMPOSSIBLE, KNOWN, POSSIBLE, PRINTED,
                                              ROUNDING, STATED, input_ids_of)
from reanalysis.engine.checks._common import n_for as _n_for
from reanalysis.engine.checks._common import n_words as _n_words
from reanalysis.engine.checks._common import stated_n as _stated_n
from reanalysis.engine.checks._common import statistic_text
from reanalysis.engine.rounding import (READINGS, Printed, describe_schemes, diagnose_numbers, input_bounds,
                                        parse_claim, parse_number)
from reanalysis.engine.summary_stats import Box
from reanalysis.errors import InputError
from reanalysis.inputs.tables import gather, load_schema, read_table

RECOMPUTED_COLUMNS = ["study", "check", "variant", "statistic", "value", "low", "high",
                      "method", "outcome", "note"]
# Outcomes of integrity checks (possible, impossible, undetermined: checks._common), mapped
# to verdicts by verdicts.INTEGRITY_VERDICTS.
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
_TEST_STATISTIC_GRAMMAR = ("'<test>(<df>) = <value>' or '<test> = <value>, df = <df>', optionally followed by "
                           "', p = <p>' (or '<', '>', 'ns'): 't(28) = 2.20', 'F(4, 76) = 0.37, P = 0.82', "
                           "'χ2(2) = 8.50', 'r(28) = .22', 'Z = 1.96', 't = 2.1, df = 28, p = 0.04'")

# A printed number is read by checks._common.ROUNDING (half-up or half-even, as
# rounding.printed_interval reads claims): the scheme of every reconstruction here.
# Other ways the paper's software may have shortened its numbers, each a labelled variant
# of the integrity checks at the as-reported n (and of printed values that do not reproduce).
OTHER_READINGS = {f"rounding_{k}": v for k, v in READINGS.items() if k not in ("as_reported", "half_down")}
# kinds that test printed rows: their result is an integrity result of one row (`row_of`)
ROW_KINDS = {name for name, kind in KINDS.items() if kind.row_of}


def input_ids(spec: dict) -> list[str]:
    """Every value_id a check reads (as its kind declares)."""
    return KINDS[spec["kind"]].inputs(spec) if spec.get("kind") in KINDS else input_ids_of(spec)


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


def run_check(spec: dict, rows: dict[str, Row], study: dict) -> list[dict]:
    """Statistics of one check variant, as records (statistic, value, low, high, method,
    note), by its kind's module (``reanalysis.engine.checks``)."""
    return kind_of(spec).run(spec, rows, study)


def claim_statistic(spec: dict) -> str:
    """The statistic a claim about this check is compared with (the kind's default)."""
    return spec.get("statistic") or kind_of(spec).claim_statistic(spec)


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
    """The components a check reads from one of its rows (as its kind declares)."""
    return kind_of(spec).components(spec, ref, row)


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
            wanted = _wanted(s, ref, row)
            missing = [c for c in wanted if c not in row.parts]
            if missing:
                raise InputError(config_file, f"check '{name}' ({s['kind']}) needs {missing[0]} "
                                 f"but {ref} is printed as {row.form}", column="kind", value=s["kind"],
                                 rule=f"a row with {', '.join(wanted)}")
            if kind_of(s).needs_n(s, ref):
                reading = s.get("n", PRINTED)
                if reading not in BUILT_IN_N and reading not in study.get("n_sets", {}):
                    raise InputError(config_file, f"check '{name}' names an unknown n reading",
                                     column="n", value=reading,
                                     rule="a key of n_sets, or 'printed', 'stated' or 'known'")
                if _n_for(row, study, reading) is None and "count" not in row.parts:
                    raise InputError(config_file, f"check '{name}' has no n for {ref} under "
                                     f"reading '{reading}'", column="n", value=reading,
                                     rule="a printed n in the row, or the arm in n_sets")
        if kind_of(s).validate:
            kind_of(s).validate(name, s, config_file)


def recompute(rows: dict[str, Row], study: dict, study_name: str) -> pd.DataFrame:
    apply_known_values(study, rows)
    records = []
    for name, spec in study["checks"].items():
        # a check of one printed row is that row's integrity result
        row_of = kind_of(spec).row_of
        label = f"row:{row_of(spec)}" if row_of else name
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
                                      "unlikely by chance (reanalysis.engine.duplicates.flag_by_chance)",
                            "outcome": FLAGGED, "note": repeated[row.value_id]})
    df = pd.DataFrame.from_records(records, columns=RECOMPUTED_COLUMNS)
    return df
