"""The audit ledger: one row per (claim, variant), with verdict, reason and provenance."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pandas as pd

from .inputs import InputError, load_schema, read_table
from .patient_level import AS_REPORTED, META_ANALYSES
from .rounding import parse_claim
from .verdicts import CONSISTENT, DISCREPANT, REPRODUCED, UNVERIFIABLE, VERDICTS, judge

LEDGER_COLUMNS = ["study", "claim_id", "location", "quantity", "reported", "claim", "recomputed",
                  "variant", "method", "verdict", "decision_error", "note",
                  "source_file", "source_line"]
_WORD_NUMBERS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6"}


def load_claims(path: Path, schema_path: Path, study: dict) -> list[dict]:
    """Claims validated against the schema and against the study's checks."""
    rows = read_table(Path(path), load_schema(Path(schema_path)))
    checks = study.get("checks", {})
    for row in rows:
        where = f"{row['_row']}"
        basis, check, claim = row["claim_basis"], row["check"], row["claim"]
        if basis == "not_recomputable":
            if check or claim:
                raise InputError(path, "a not_recomputable claim has a check or claim", row=where,
                                 column="check", value=check or claim,
                                 rule="not_recomputable rows leave check and claim empty")
            continue
        if not check or check not in checks:
            raise InputError(path, "unknown check", row=where, column="check", value=check,
                             rule="a check defined under studies.<study>.checks in config/config.yaml")
        is_meta = checks[check]["analysis"] in META_ANALYSES
        if (basis == "definition") != is_meta:
            raise InputError(path, "claim_basis does not fit the check", row=where, column="claim_basis",
                             value=basis, rule="'definition' exactly for definition_consistency checks")
        if is_meta:
            continue
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
    return rows


def _ledger_row(study_name, claim_row, **fields):
    row = {"study": study_name, "claim_id": claim_row["claim_id"], "location": claim_row["location"],
           "quantity": claim_row["quantity"], "reported": claim_row["reported"],
           "claim": claim_row["claim"] or "", "source_file": claim_row["source_file"],
           "source_line": claim_row["source_line"], "decision_error": "",
           "_check": claim_row["check"]}
    row.update(fields)
    notes = [n for n in (fields.get("note"), claim_row.get("note")) if n]
    row["note"] = "; ".join(notes)
    return row


def _interval(sel: pd.DataFrame):
    if {"low", "high"} <= set(sel.columns) and sel[["low", "high"]].notna().all(axis=None):
        return float(sel["low"].iloc[0]), float(sel["high"].iloc[0])
    return None


def audit_study(study_name: str, study: dict, claims: list[dict], stats: pd.DataFrame) -> list[dict]:
    """Ledger rows for one study: every claim, under every variant of its check."""
    alpha = study.get("alpha", 0.05)
    rows, meta = [], []
    for c in claims:
        if c["claim_basis"] == "not_recomputable":
            rows.append(_ledger_row(study_name, c, recomputed="", variant=AS_REPORTED, method="",
                                    verdict=UNVERIFIABLE, note="not recomputable from the data"))
            continue
        spec = study["checks"][c["check"]]
        if spec["analysis"] in META_ANALYSES:
            meta.append(c)
            continue
        claim = parse_claim(c["claim"])
        sel = stats[(stats["check"] == c["check"]) & (stats["statistic"] == spec["statistic"])]
        if sel.empty:
            rows.append(_ledger_row(study_name, c, recomputed="", variant=AS_REPORTED, method="",
                                    verdict=UNVERIFIABLE, note="no recomputation available"))
        for variant, group in sel.groupby("variant", sort=False):
            value = float(group["value"].iloc[0])
            interval = _interval(group)
            v = judge(claim, value, scale=c["scale"], interval=interval,
                      is_p_value=spec["statistic"] == "p", alpha=alpha)
            shown = f"{value:.6g}" if interval is None else f"{value:.6g} [{interval[0]:.6g}, {interval[1]:.6g}]"
            rows.append(_ledger_row(
                study_name, c, recomputed=shown, variant=variant, method=group["method"].iloc[0],
                verdict=v.verdict, note=v.reason,
                decision_error="" if v.decision_error is None else str(v.decision_error).lower()))
    rows.extend(_definition_rows(study_name, study, meta, rows))
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
                               verdict=verdict, note=reason))
    return out


def to_frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=LEDGER_COLUMNS)
    bad = set(df["verdict"]) - set(VERDICTS)
    if bad:
        raise ValueError(f"unknown verdicts {sorted(bad)}")
    return df


def summary_markdown(ledger: pd.DataFrame) -> str:
    """Verdict counts per study and every claim not reproduced as reported."""
    lines = ["# Audit summary", "",
             "Counts are over the `as_reported` rows (the paper's stated method); "
             "variants are in `claims.csv`.", ""]
    main = ledger[ledger["variant"] == AS_REPORTED]
    header = "| study | claims | " + " | ".join(VERDICTS) + " | decision errors |"
    lines += [header, "|" + "---|" * (len(VERDICTS) + 3)]
    for study, group in main.groupby("study", sort=True):
        counts = Counter(group["verdict"])
        errors = int((group["decision_error"] == "true").sum())
        lines.append(f"| {study} | {len(group)} | " + " | ".join(str(counts.get(v, 0)) for v in VERDICTS)
                     + f" | {errors} |")
    for study, group in main.groupby("study", sort=True):
        lines += ["", f"## {study}: claims not reproduced as reported", ""]
        flagged = group[group["verdict"].isin([DISCREPANT, CONSISTENT])]
        if flagged.empty:
            lines.append("None.")
        for _, r in flagged.iterrows():
            others = ledger[(ledger["study"] == study) & (ledger["claim_id"] == r["claim_id"])
                            & (ledger["variant"] != AS_REPORTED) & (ledger["verdict"] == REPRODUCED)]
            variants = ", ".join(others["variant"]) or "none"
            flag = " **decision error**" if r["decision_error"] == "true" else ""
            lines.append(f"- **{r['claim_id']}** ({r['location']}), {r['quantity']}: printed "
                         f"`{r['reported']}`; recomputed {r['recomputed']}: **{r['verdict']}**{flag}. "
                         f"{r['note']}. Variants that reproduce it: {variants}.")
        unverifiable = group[group["verdict"] == UNVERIFIABLE]
        lines += ["", f"{len(unverifiable)} claims are unverifiable from the data: "
                  + ", ".join(unverifiable["claim_id"]) + "."]
    return "\n".join(lines) + "\n"
