"""The audit ledger: one row per (claim, variant), with verdict, reason and provenance."""
from __future__ import annotations

import difflib
import re
from pathlib import Path

import pandas as pd

from reanalysis.engine.analyses import META_ANALYSES
from reanalysis.engine.checks import KINDS
from reanalysis.engine.rounding import format_value, parse_claim
from reanalysis.engine.verdicts import (CONSISTENT, DISCREPANT, INTEGRITY_VERDICTS, REPRODUCED, UNVERIFIABLE,
                                        VERDICTS, claims_agreement, judge, judge_reading)
from reanalysis.errors import InputError
from reanalysis.inputs.tables import gather, load_schema, read_table

from .patient_level import AS_REPORTED
from .summary_level import IMPOSSIBLE_INPUTS, claim_statistic, input_ids

# Printed values that conventional rounding does not reproduce are also read as truncated
# and as double-rounded (first to one more decimal), each a labelled variant.
CLAIM_READINGS = {"rounding_truncate": "truncate", "rounding_double": "double"}

LEDGER_COLUMNS = ["study", "claim_id", "location", "quantity", "reported", "claim", "recomputed",
                  "variant", "method", "verdict", "decision_error", "why_unverifiable", "note",
                  "source_file", "source_line", "statistic", "value", "low", "high", "claim_basis"]
# Why a row is unverifiable: a claim about the paper (what it prints), or a gap of ours.
NO_DATA_PRINTED = "no_data_printed"            # the inputs a check would need are not printed
NEEDS_RAW_DATA = "needs_raw_data"              # a test on the raw data that no printed summary can
                                               # reproduce (a rank test on medians (IQR), an adjusted model)
NO_CHECK_KIND = "no_check_kind"                # printed data could test it, with a kind we lack
DESCRIPTIVE_ONLY = "descriptive_only"          # a printed value nothing else restates, sums or checks
QUOTED = "quoted_from_another_source"          # cited from another publication
VERBAL = "verbal_statement"                    # a statement without a checkable number
# IMPOSSIBLE_INPUTS (the printed inputs impossible under this reading) is no longer given:
# a check reads a percent that no count gives at its nearest count (summary_level._counts)
WHY_UNVERIFIABLE = (NO_DATA_PRINTED, NEEDS_RAW_DATA, NO_CHECK_KIND, DESCRIPTIVE_ONLY, QUOTED, VERBAL,
                    IMPOSSIBLE_INPUTS)
_WORD_NUMBERS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6"}


def load_claims(path: Path, schema_path: Path, study: dict, errors: list | None = None) -> list[dict]:
    """Claims validated against the schema and against the study's checks. With a list
    ``errors``, every faulty row's error is appended there (``check``); else the first
    raises."""
    rows = read_table(Path(path), load_schema(Path(schema_path)), errors)
    gather(errors, _check_links, path, rows)
    return [row for row in rows if gather(errors, _check_claim, row, path, study)]


def _check_claim(row: dict, path: Path, study: dict) -> bool:
    """A claim row against the study's checks: raises InputError naming the fault."""
    checks = study.get("checks", {})
    where = row["_where"]
    basis, check, claim = row["claim_basis"], row["check"], row["claim"]
    if basis == "not_recomputable":
        if check or claim:
            raise InputError(path, "a not_recomputable claim has a check or claim", row=where,
                             column="check", value=check or claim,
                             rule="not_recomputable rows leave check and claim empty")
        if not row.get("why_not_recomputable"):
            raise InputError(path, "a not_recomputable claim says why", row=where,
                             column="why_not_recomputable", value=row.get("why_not_recomputable"),
                             rule="one of no_data_printed, needs_raw_data, descriptive_only, "
                                  "quoted_from_another_source, verbal_statement, no_check_kind (the paper "
                                  "gives nothing to check it with, its test needs the raw data, or a kind "
                                  "we lack)")
        return True
    if not check:
        raise InputError(path, "empty check", row=where, column="check", value=check,
                         rule="a recomputable claim names a check defined under `checks:` in "
                              "config/studies/<study>.yaml; a number nothing can recompute needs "
                              "claim_basis not_recomputable and an empty claim")
    if check not in checks:
        near = difflib.get_close_matches(check, list(checks), n=1)
        raise InputError(path, "unknown check" + (f" (did you mean '{near[0]}'?)" if near else ""),
                         row=where, column="check", value=check,
                         rule="a check defined under `checks:` in config/studies/<study>.yaml")
    is_meta = checks[check].get("analysis") in META_ANALYSES
    if (basis == "definition") != is_meta:
        raise InputError(path, "claim_basis does not fit the check", row=where, column="claim_basis",
                         value=basis, rule="'definition' exactly for definition_consistency checks")
    if is_meta:
        return True
    if not claim:
        raise InputError(path, "empty claim", row=where, column="claim", value=claim,
                         rule="recomputable claims state what they assert")
    if basis == "verbatim":
        number = parse_claim(claim).number.text
        printed = re.sub(r"\b(" + "|".join(_WORD_NUMBERS) + r")\b",
                         lambda m: _WORD_NUMBERS[m.group(1)], row["reported"])
        if not re.search(r"(?<![\d.])" + re.escape(number) + r"(?![\d])", printed):
            raise InputError(path, "the claim's number is not in the printed text", row=where,
                             column="claim", value=claim,
                             rule="verbatim claims quote a number printed in 'reported'")
    return True


def _check_links(path, rows: list[dict]) -> None:
    """A `same_as` link names another claim of the file that asserts something checkable."""
    by_id = {r["claim_id"]: r for r in rows}
    for row in rows:
        ref = row.get("same_as")
        if not ref:
            continue
        other = by_id.get(ref)
        rule = "the claim_id of another claim of this file about the same quantity or comparison"
        if other is None or ref == row["claim_id"]:
            raise InputError(path, "same_as names an unknown claim" if other is None else "same_as names itself",
                             row=row["_where"], column="same_as", value=ref, rule=rule)
        for r in (row, other):
            if not r["claim"] or r["claim_basis"] in ("definition", "not_recomputable"):
                raise InputError(path, "same_as links a claim that asserts no value", row=row["_where"],
                                 column="same_as", value=ref,
                                 rule=f"{rule}; both claims state a value or bound ({r['claim_id']} does not)")


def _agreement_rows(study_name: str, claims: list[dict]) -> list[dict]:
    """Two printed claims linked by `same_as` (one quantity or comparison printed twice):
    a row on each, 'disjoint' (discrepant) when no value satisfies both, whatever the data."""
    by_id = {c["claim_id"]: c for c in claims}
    out = []
    for c in claims:
        other = by_id.get(c.get("same_as") or "")
        if other is None:
            continue
        outcome, reason = claims_agreement(parse_claim(c["claim"]), c["scale"],
                                           parse_claim(other["claim"]), other["scale"])
        for this, that in ((c, other), (other, c)):
            out.append(_ledger_row(study_name, this, recomputed=outcome, variant=AS_REPORTED,
                                   method=f"agreement with {that['claim_id']} ({that['location']}, line "
                                          f"{that['source_line']}: '{that['reported']}')",
                                   verdict=INTEGRITY_VERDICTS[outcome], statistic="agreement", note=reason))
    return out


def _ledger_row(study_name, claim_row, **fields):
    row = {"study": study_name, "claim_id": claim_row["claim_id"], "location": claim_row["location"],
           "quantity": claim_row["quantity"], "reported": claim_row["reported"],
           "claim": claim_row["claim"] or "", "source_file": claim_row["source_file"],
           "source_line": claim_row["source_line"], "decision_error": "", "why_unverifiable": "",
           "_check": claim_row["check"], "claim_basis": claim_row.get("claim_basis") or "verbatim"}
    row.update(fields)
    notes = [n for n in (fields.get("note"), claim_row.get("note")) if n]
    row["note"] = "; ".join(notes)
    return row


def _present(record: dict, key: str) -> bool:
    return key in record and not pd.isna(record[key])


def _interval(records: list[dict]):
    """(low, high) of the first record when every record has both, else None."""
    if all(_present(r, "low") and _present(r, "high") for r in records):
        return float(records[0]["low"]), float(records[0]["high"])
    return None


def _shown(value: float, interval) -> str:
    if interval is None:
        return f"{value:.6g}"
    if value != value:
        return f"range [{interval[0]:.6g}, {interval[1]:.6g}]"
    return f"{value:.6g} [{interval[0]:.6g}, {interval[1]:.6g}]"


def _r_text(r: float) -> str:
    if r <= -1.0:
        return "every r in [-1, 1]"
    if r == float("inf"):
        return "no r in [-1, 1]"
    return f"r > {r:.3f}"


def _r_note(claim, of_check: list[dict], variant: str) -> str:
    """For a paired test with r unknown: the within-subject r the printed claim needs."""
    level = claim.number.text
    statistic = f"r_threshold_{float(level):g}"
    sel = [r for r in of_check if r["variant"] == variant and r["statistic"] == statistic]
    if not sel or claim.op == "=":
        return ""
    r, lo, hi = (float(sel[0][k]) for k in ("value", "low", "high"))
    text = f"p < {level} for {_r_text(r)} at the printed values"
    if (lo, hi) != (r, r):
        text += f" (over the rounding box the bound on r runs from {_r_text(lo)} to {_r_text(hi)})"
    return text


def _by_check(stats: pd.DataFrame) -> dict[str, list[dict]]:
    """The recomputed statistics as records, split by check once, in table order: a claim
    looks its rows up here rather than filtering the frame again (that filtering was most
    of the audit's time)."""
    columns = list(stats.columns)
    out: dict[str, list[dict]] = {}
    # as stats.to_dict("records") (Python floats, str, nan), built column-wise: faster
    for values in zip(*(stats[c].tolist() for c in columns)):
        record = dict(zip(columns, values))
        out.setdefault(record["check"], []).append(record)
    return out


def _by_variant(records: list[dict]) -> dict[str, list[dict]]:
    """Records grouped by variant, in order of first appearance (as groupby(sort=False))."""
    out: dict[str, list[dict]] = {}
    for r in records:
        if not pd.isna(r["variant"]):
            out.setdefault(r["variant"], []).append(r)
    return out


def audit_study(study_name: str, study: dict, claims: list[dict], stats: pd.DataFrame) -> list[dict]:
    """Ledger rows for one study: every claim, under every variant of its check."""
    alpha = study.get("alpha", 0.05)
    rows, meta = [], []
    by_check = _by_check(stats)
    for c in claims:
        if c["claim_basis"] == "not_recomputable":
            rows.append(_ledger_row(study_name, c, recomputed="", variant=AS_REPORTED, method="",
                                    verdict=UNVERIFIABLE, why_unverifiable=c.get("why_not_recomputable") or "",
                                    note="not recomputable from the data"))
            continue
        spec = study["checks"][c["check"]]
        if spec.get("analysis") in META_ANALYSES:
            meta.append(c)
            continue
        claim = parse_claim(c["claim"])
        statistic = claim_statistic(spec) if "kind" in spec else spec["statistic"]
        of_check = by_check.get(c["check"], [])
        sel = [r for r in of_check if r["statistic"] == statistic]
        if not sel:
            rows.append(_ledger_row(study_name, c, recomputed="", variant=AS_REPORTED, method="",
                                    verdict=UNVERIFIABLE, why_unverifiable=NO_CHECK_KIND,
                                    note="no recomputation available"))
        printed_of = _by_variant([r for r in of_check if r["statistic"] == f"{statistic}_at_printed"])
        for variant, group in _by_variant(sel).items():
            first = group[0]
            value = float(first["value"])
            interval = _interval(group)
            printed = printed_of.get(variant)
            at_printed = _interval(printed) if printed else None
            v = judge(claim, value, scale=c["scale"], interval=interval,
                      is_p_value=statistic == "p", alpha=alpha, at_printed=at_printed)
            notes = [v.reason]
            if isinstance(first.get("note"), str):
                notes.append(first["note"])
            if spec.get("kind") in KINDS and KINDS[spec["kind"]].r_thresholds and statistic == "p":
                notes.append(_r_note(claim, of_check, variant))
            why = ""
            if v.verdict == UNVERIFIABLE:
                impossible = "outcome" in first and first["outcome"] == IMPOSSIBLE_INPUTS
                why = IMPOSSIBLE_INPUTS if impossible else NO_CHECK_KIND
            rows.append(_ledger_row(
                study_name, c, recomputed=_shown(value, interval), variant=variant, why_unverifiable=why,
                method=first["method"], verdict=v.verdict, note="; ".join(n for n in notes if n),
                decision_error="" if v.decision_error is None else str(v.decision_error).lower(),
                statistic=statistic, value=value, low=interval[0] if interval else None,
                high=interval[1] if interval else None))
            if (variant == AS_REPORTED and claim.op == "=" and value == value
                    and v.verdict in (CONSISTENT, DISCREPANT)):
                # the printed value read as truncated or double-rounded: labelled readings
                for label, scheme in CLAIM_READINGS.items():
                    r = judge_reading(claim, value, scheme, scale=c["scale"], interval=interval)
                    rows.append(_ledger_row(
                        study_name, c, recomputed=_shown(value, interval), variant=label,
                        method=first["method"], verdict=r.verdict, note=r.reason,
                        statistic=statistic, value=value, low=interval[0] if interval else None,
                        high=interval[1] if interval else None))
    rows.extend(_definition_rows(study_name, study, meta, rows))
    rows.extend(_agreement_rows(study_name, claims))
    order = {c["claim_id"]: i for i, c in enumerate(claims)}
    return sorted(rows, key=lambda r: order[r["claim_id"]])


def _definition_rows(study_name, study, meta_claims, rows):
    """A stated definition holds if the claims that depend on it reproduce under it."""
    out = []
    for c in meta_claims:
        spec = study["checks"][c["check"]]
        checks, readings = spec["checks"], list(study["groupings"][spec["grouping"]]["variants"])
        by_variant: dict[str, list[str]] = {}
        for r in rows:
            # Only the grouping's readings count, each with the stated test.
            if r["_check"] in checks and r["variant"] in readings:
                by_variant.setdefault(r["variant"], []).append(r["verdict"])
        summary = {v: f"{sum(x == REPRODUCED for x in verdicts)}/{len(verdicts)}"
                   for v, verdicts in by_variant.items()}
        shown = "; ".join(f"{v}: {s} reproduced" for v, s in summary.items())
        stated = by_variant.get(AS_REPORTED, [])
        full = [v for v, verdicts in by_variant.items() if verdicts and all(x == REPRODUCED for x in verdicts)]
        if stated and all(x == REPRODUCED for x in stated):
            verdict, reason = REPRODUCED, "the dependent claims reproduce under the stated definition"
        elif not stated:
            verdict, reason = UNVERIFIABLE, "no dependent claim was recomputed"
        else:
            verdict = DISCREPANT
            reason = ("the dependent claims do not all reproduce under the stated definition"
                      + (f"; they all reproduce under: {', '.join(full)}" if full else ""))
        out.append(_ledger_row(study_name, c, recomputed=shown, variant=AS_REPORTED,
                               method=f"definition consistency over checks {', '.join(checks)}",
                               verdict=verdict, note=reason,
                               why_unverifiable=NO_CHECK_KIND if verdict == UNVERIFIABLE else ""))
    return out


# Checks that determine a printed value from others: a value they restate, sum, or take as
# a term of a printed difference is checked by each claim on them, and gets its verdict.
RESTATING_KINDS = {name: kind.restates for name, kind in KINDS.items() if kind.restates}
_ECHO = re.compile("^(?:" + "|".join(sorted(map(re.escape, set(RESTATING_KINDS.values())))) + r") in claim \S+:")


def is_echo(row: dict) -> bool:
    """Is this a printed value's row that carries a restating claim's verdict (its method
    'summed in claim X: ...')? The discrepancy is that claim's, not the value's own."""
    return bool(_ECHO.match(str(row.get("method") or "")))


def _restating_claims(study: dict, claim_rows: list[dict]) -> dict[str, list[tuple[str, str, dict]]]:
    """For each value_id a restating check reads: (check, verb, the as-reported ledger row
    of each claim on that check)."""
    by_check: dict[str, list[dict]] = {}
    for r in claim_rows:
        if r["variant"] == AS_REPORTED and r.get("_check") and r.get("method"):
            by_check.setdefault(r["_check"], []).append(r)
    out: dict[str, list[tuple[str, str, dict]]] = {}
    for name, spec in study["checks"].items():
        verb = RESTATING_KINDS.get(spec.get("kind"))
        for ref in dict.fromkeys(input_ids(spec)) if verb else ():
            out.setdefault(ref, []).extend((name, verb, c) for c in by_check.get(name, []))
    return out


def _restated_row(study_name: str, base: dict, name: str, verb: str, c: dict, used: str) -> dict:
    """A printed value's row carrying the verdict of a claim whose check restates or sums it."""
    where = f"{c['claim_id']} ({c['location']}, line {c['source_line']}: '{c['reported']}')"
    note = (f"{verb} in {where}, whose check '{name}' is {c['verdict']} as reported"
            + (f": {c['note']}" if c["note"] else ""))
    return _ledger_row(study_name, base, recomputed=c["recomputed"], variant=AS_REPORTED,
                       method=f"{verb} in claim {c['claim_id']}: {c['method']}", verdict=c["verdict"],
                       why_unverifiable=c["why_unverifiable"], statistic=c["statistic"],
                       note="; ".join(x for x in (note, used) if x),
                       value=c.get("value"), low=c.get("low"), high=c.get("high"))


def audit_summary_rows(study_name: str, study: dict, rows: dict, stats: pd.DataFrame,
                       claim_rows: list[dict] = ()) -> list[dict]:
    """Ledger rows for every printed descriptive value of a summary-level study. A value
    that a restating check (``RESTATING_KINDS``) reads gets the verdict of each claim on
    that check (``claim_rows``: the study's claim rows from ``audit_study``); a value
    nothing restates, sums or checks is `descriptive_only`."""
    by_check = _by_check(stats)
    restating = _restating_claims(study, list(claim_rows))
    users: dict[str, list[str]] = {}
    for name, spec in study["checks"].items():
        for ref in input_ids(spec):
            users.setdefault(ref, []).append(name)
    out = []
    for value_id, row in rows.items():
        raw = row.raw
        base = {"claim_id": value_id, "location": raw["location"],
                "quantity": f"{raw['quantity']} ({raw['arm']}, {raw['timepoint']}"
                            + (f", n = {raw['n']}" if raw["n"] else "") + ")",
                "reported": raw["reported"], "claim": raw["value"], "check": None,
                "source_file": raw["source_file"], "source_line": raw["source_line"],
                "note": "; ".join(x for x in (raw.get("repair_note"), raw.get("note")) if x)}
        used = f"input to checks: {', '.join(sorted(set(users[value_id])))}" if value_id in users else ""
        of_row = by_check.get(f"row:{value_id}", [])
        # a repeated value is a red flag, not a verdict: it goes into the row's notes
        flags = [r for r in of_row if r["statistic"] == "duplicate"]
        checks = [r for r in of_row if r["statistic"] != "duplicate"]
        if flags:
            used = "; ".join(x for x in (str(flags[0]["note"]), used) if x)
        if checks and AS_REPORTED not in {r["variant"] for r in checks}:
            # e.g. a percent printed without an n: only other readings of n could be tried
            out.append(_ledger_row(study_name, base, recomputed="", variant=AS_REPORTED, method="",
                                   verdict=UNVERIFIABLE, statistic="", why_unverifiable=NO_DATA_PRINTED,
                                   note="; ".join(x for x in ("no n is printed for this value; see "
                                                              "the n_* variants", used) if x)))
        restated = [_restated_row(study_name, base, name, verb, c, used)
                    for name, verb, c in restating.get(value_id, [])]
        if not checks and not restated:
            out.append(_ledger_row(study_name, base, recomputed="", variant=AS_REPORTED, method="",
                                   verdict=UNVERIFIABLE, statistic="", why_unverifiable=DESCRIPTIVE_ONLY,
                                   note="; ".join(x for x in ("descriptive value; nothing else restates, "
                                                              "sums or checks it", used) if x)))
            continue
        for rec in checks:
            if rec["statistic"] == "percent":
                printed = parse_claim(row.parts["percent"].text)
                scheme = CLAIM_READINGS.get(rec["variant"])   # read as truncated or rounded twice
                v = (judge_reading(printed, float(rec["value"]), scheme) if scheme
                     else judge(printed, float(rec["value"])))
                verdict, reason, shown = v.verdict, v.reason, f"{float(rec['value']):.6g}"
            else:
                verdict, reason = INTEGRITY_VERDICTS[rec["outcome"]], rec["note"]
                shown = rec["outcome"]
                if rec["statistic"] == "count" and rec["outcome"] == "possible":
                    shown = f"count {format_value(rec['low'])}" + (
                        "" if rec["low"] == rec["high"] else f"–{format_value(rec['high'])}")
                if rec["statistic"] == "sd_feasibility":
                    shown = f"{rec['outcome']}: SD can be {float(rec['low']):.4g}–{float(rec['high']):.4g}"
            out.append(_ledger_row(study_name, base, recomputed=shown, variant=rec["variant"],
                                   why_unverifiable=NO_CHECK_KIND if verdict == UNVERIFIABLE else "",
                                   method=rec["method"], verdict=verdict, statistic=rec["statistic"],
                                   note="; ".join(x for x in (reason, used) if x),
                                   value=rec["value"], low=rec["low"], high=rec["high"]))
        out += restated
    return out


def to_frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=LEDGER_COLUMNS)
    bad = set(df["verdict"]) - set(VERDICTS)
    if bad:
        raise ValueError(f"unknown verdicts {sorted(bad)}")
    return df


def write_ledger(ledger: pd.DataFrame, path) -> None:
    ledger.to_csv(path, index=False, lineterminator="\n")


def read_ledger(path) -> pd.DataFrame:
    """A ledger as written, every cell as its text (so a merge rewrites the same bytes)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def merge_ledgers(paths) -> pd.DataFrame:
    """The studies' ledgers in one table, in the order given (sorted study names)."""
    frames = [read_ledger(p) for p in paths]
    for path, frame in zip(paths, frames):
        if list(frame.columns) != LEDGER_COLUMNS:
            raise ValueError(f"{path}: ledger columns {list(frame.columns)} != {LEDGER_COLUMNS}")
    merged = pd.concat(frames, ignore_index=True)
    bad = set(merged["verdict"]) - set(VERDICTS)
    if bad:
        raise ValueError(f"unknown verdicts {sorted(bad)}")
    return merged


def stem(quantity: str) -> str:
    """A ledger quantity's name before its first comma outside parentheses ('p, UC-MSC vs placebo,
    HbA1c at week 32' -> 'p'; 'age (unit not printed), mean ± SD (group_1)' -> 'age (unit
    not printed)')."""
    depth = 0
    for i, ch in enumerate(quantity):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            return quantity[:i].strip()
    return quantity.strip()
