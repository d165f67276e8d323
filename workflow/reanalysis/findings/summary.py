"""summary.md: the findings table rendered, then the ledger's verdicts per study. It
computes no finding (reanalysis.findings.ranking does, into results/audit/findings.csv)."""
from __future__ import annotations

from collections import defaultdict

import pandas as pd

from reanalysis.audit.summary_level import AS_REPORTED
from reanalysis.engine.verdicts import CONSISTENT, DISCREPANT, REPRODUCED, UNVERIFIABLE

from .counts import VERDICT_ORDER, counts

# the ledger's two figures that show findings, under the results folder
FINDING_FIGURES = {"discrepancies": "figures/discrepancies.png", "pvalues": "figures/pvalues.png"}


def findings_markdown(table: pd.DataFrame, evidence: pd.DataFrame) -> list[str]:
    """The findings as markdown lines: each with its strength and consequence, its statement,
    the readings that would explain it, the claims, the evidence (printed against
    recomputed, with the paper line) and the figures that show it."""
    lines = [f"## Findings ({len(table)})", "",
             "Each root cause once, ranked by the strength of its evidence (contradiction between "
             "printings; impossible under every reading; discrepant under the stated method and every "
             "labelled reading; holds only under a labelled reading; interpreted or quoted statement; "
             "rounding-level slip; repeated values, a flag), then by consequence (decision error, "
             "headline claim) within a strength. Rules: `workflow/reanalysis/findings/ranking.py`; README, "
             "\"Findings and their evidence\".", ""]
    by_finding = defaultdict(list)
    for r in _records(evidence):
        by_finding[r["finding"]].append(r)
    for f in _records(table):
        records = by_finding.get(f["id"], [])
        consequence = f"; {f['consequence']}" if f["consequence"] else ""
        lines += [f"### {f['id']}. {f['study']}: {_md(f['title'])} ({f['strength']}{consequence})", "",
                  _md(f["statement"]), ""]
        lines.append(f"- Evidence strength: {f['strength_label']}" + (f" ({f['checks']})" if f["checks"] else ""))
        if f["readings"]:
            lines.append(f"- Readings that would explain it: {_md(f['readings'])}")
        lines.append(f"- Claims ({len(str(f['claims']).split('; '))}): " + str(f["claims"]).replace("; ", ", "))
        lines.append("- Paper lines: " + ", ".join(dict.fromkeys(
            f"{r['source_file']}:{r['source_line']}" for r in records if r["source_file"])))
        figures = [] if f["strength"] == "flag" else [FINDING_FIGURES["discrepancies"]]
        if any(r["statistic"] == "p" for r in records):
            figures.append(FINDING_FIGURES["pvalues"])
        if figures:
            lines.append("- Figures: " + ", ".join(figures))
        lines.append("- Evidence:")
        lines += [f"  - {_md(evidence_line(r))}" for r in records]
        lines.append("")
    return lines


def evidence_line(r) -> str:
    """One line of evidence: where it is printed, what is printed, what is recomputed."""
    line = (f"{r['claim_id']} ({r['location']}; {r['source_file']}:{r['source_line']}): printed `{r['reported']}`"
            + (f" (read as {r['claim']})" if r["claim"] and r["claim"] != r["reported"] else "")
            + f"; recomputed {r['recomputed'] if r['recomputed'] not in ('', 'nan') else 'nothing'}"
            + (f" ({r['method']})" if r["method"] else ""))
    if r["decision_error"] == "true":
        line += "; decision error"
    if r["reading"]:
        line += f"; under `{r['reading']}`: {r['reading_recomputed']} ({r['reading_verdict']})"
    return line


def _records(frame: pd.DataFrame) -> list[dict]:
    """A frame's rows as dicts, converted once: iterrows (a Series a row) and filtering the
    ledger per study took 28 s of a 1,000-study corpus's summary; one pass takes about 1 s."""
    return frame.to_dict("records")


def _md(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def summary_markdown(ledger: pd.DataFrame, table: pd.DataFrame, evidence: pd.DataFrame) -> str:
    """The findings first (from the findings table: each root cause once, ranked, with the
    claims it explains, the evidence and the paper lines), then the verdict counts per
    study; per study the discrepant claims with their finding, the only-consistent claims
    with their reasons, the readings that reproduce each printed p, and the unverifiable
    ids. Computes no finding: it renders the ledger and the findings table."""
    finding_of = {}
    for f in _records(table):
        for c in str(f["claims"]).split("; "):
            finding_of.setdefault((f["study"], c), f["id"])
    total = counts(ledger, table)  # the one set of counts the report and the letters state too
    lines = ["# Audit summary", "", total.sentence(), "",
             "Findings first; then the claims per study by verdict (a claim's verdict is its worst "
             "`as_reported` row: the paper's stated method and n; every other reading is a labelled "
             "variant row in `claims.csv`) and each study's claims. Figure paths are under the "
             "results folder.", ""]
    lines += findings_markdown(table, evidence)
    lines += _verdict_counts(total)
    readings = _other_readings(ledger)
    by_study = defaultdict(list)
    for r in _records(ledger[ledger["variant"] == AS_REPORTED]):
        by_study[r["study"]].append(r)
    for study, group in sorted(by_study.items()):
        lines += ["", f"## {study}", ""]
        lines += _discrepant_lines(study, group, finding_of)
        lines += _consistent_lines(study, group, readings)
        lines += _pvalue_lines(study, group, readings)
        lines += _unverifiable_lines(group)
    return "\n".join(lines) + "\n"


def _verdict_counts(total) -> list[str]:
    """The table of claims per verdict, one row a study."""
    lines = ["## Verdicts per study", "", "Claims per verdict (the report's table of counts):", ""]
    header = "| study | claims | rows | " + " | ".join(VERDICT_ORDER) + " | decision errors | findings |"
    lines += [header, "|" + "---|" * (len(VERDICT_ORDER) + 5)]
    for p in total.per_study:
        lines.append(f"| {p['study']} | {p['claims']} | {p['rows']} | "
                     + " | ".join(str(p[v]) for v in VERDICT_ORDER)
                     + f" | {p['decision_errors']} | {p['findings']} |")
    return lines


def _other_readings(ledger: pd.DataFrame) -> dict:
    """Each claim's other readings (variant, verdict), in ledger order, by (study, claim id):
    gathered once, not filtered out of the whole ledger per claim."""
    readings = defaultdict(list)
    for key in zip(ledger["study"], ledger["claim_id"], ledger["variant"], ledger["verdict"]):
        if key[2] != AS_REPORTED:
            readings[key[:2]].append(key[2:])
    return readings


def _reproducing(readings: dict, study: str, claim_id) -> str:
    """The other readings under which a claim is reproduced, or consistent, in words."""
    others = readings.get((study, claim_id), [])
    found = []
    for verdict, label in ((REPRODUCED, "reproduced"), (CONSISTENT, "consistent")):
        variants = dict.fromkeys(variant for variant, v in others if v == verdict)
        if variants:
            found.append(f"{label} under {', '.join(variants)}")
    return "; ".join(found) or "none"


def _discrepant_lines(study: str, group: list[dict], finding_of: dict) -> list[str]:
    """A study's discrepant claims, each with the finding that states it."""
    discrepant = [r for r in group if r["verdict"] == DISCREPANT]
    lines = [f"### Discrepant ({len(discrepant)})", ""]
    if not discrepant:
        return lines + ["None."]
    lines += ["Each is stated, with its reason, in the finding named.", "",
              "| claim | printed | recomputed | decision error | finding |", "|---|---|---|---|---|"]
    for r in discrepant:
        number = finding_of.get((study, r["claim_id"]))
        lines.append(f"| {r['claim_id']} | `{_md(r['reported'])}` | {_md(r['recomputed'])} | "
                     f"{'yes' if r['decision_error'] == 'true' else ''} | "
                     f"{number or ''} |")
    return lines


def _consistent_lines(study: str, group: list[dict], readings: dict) -> list[str]:
    """A study's only-consistent claims, with their reasons and other readings."""
    consistent = [r for r in group if r["verdict"] == CONSISTENT]
    lines = ["", f"### Consistent only ({len(consistent)})", "",
             "Possible within the printed precision (or for some unknown r), not reproduced "
             "exactly.", ""]
    if not consistent:
        return lines + ["None."]
    lines += ["| claim | printed | recomputed | method | reason | other readings |",
              "|---|---|---|---|---|---|"]
    return lines + _claim_rows(study, consistent, readings, lambda r: (
        f"{_md(r['recomputed'])} | {_md(r['method'])} | {_md(r['note'])}"))


def _pvalue_lines(study: str, group: list[dict], readings: dict) -> list[str]:
    """A study's printed p-values and the readings that reproduce them (none if it prints none)."""
    pvals = [r for r in group if r.get("statistic") == "p"]
    if not pvals:
        return []
    lines = ["", f"### Printed p-values and the readings that reproduce them ({len(pvals)})", "",
             "| claim | printed | read as | as reported: recomputed | verdict | other readings |",
             "|---|---|---|---|---|---|"]
    return lines + _claim_rows(study, pvals, readings, lambda r: (
        f"p {_md(r['claim'])} | {_md(r['recomputed'])} | {r['verdict']}"))


def _claim_rows(study: str, claims: list[dict], readings: dict, cells) -> list[str]:
    """A table's row per claim: its id, what is printed, the middle ``cells(row)`` and the
    other readings that reproduce it."""
    return [f"| {r['claim_id']} | `{_md(r['reported'])}` | {cells(r)} | "
            f"{_reproducing(readings, study, r['claim_id'])} |" for r in claims]


def _unverifiable_lines(group: list[dict]) -> list[str]:
    """A study's unverifiable claims, grouped by the reason."""
    by_reason = defaultdict(list)
    for r in group:
        if r["verdict"] == UNVERIFIABLE:
            by_reason[r["why_unverifiable"]].append(r["claim_id"])
    lines = ["", f"### Unverifiable ({sum(map(len, by_reason.values()))})", ""]
    if not by_reason:
        lines.append("None.")
    for why, ids in sorted(by_reason.items()):
        lines.append(f"- {why.replace('_', ' ') or 'no reason given'} ({len(ids)}): "
                     + ", ".join(dict.fromkeys(ids)) + ".")
    return lines
