"""One set of counts, computed once, for everything that states them: the report, summary.md,
the letters and the README.

- **papers**: studies in the ledger;
- **claims**: distinct (study, claim_id) in the ledger (a printed claim, however many ways it
  is checked);
- **rows**: ledger rows (a claim has one row per check and reading);
- **as-reported rows**: rows of the paper's stated method and n (``as_reported``);
- **findings**: rows of ``results/audit/findings.csv``, and the papers that have one.

A claim's verdict is that of its worst as-reported row (a decision error, then discrepant,
consistent, reproduced, unverifiable): the verdict the report's ledger shows for it and
filters by, and the one the counts per verdict count. Nothing here computes a finding; the
findings are counted from their table.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from reanalysis.engine.verdicts import CONSISTENT, DISCREPANT, REPRODUCED, UNVERIFIABLE

AS_REPORTED = "as_reported"
VERDICT_ORDER = (DISCREPANT, CONSISTENT, REPRODUCED, UNVERIFIABLE)
_RANK = {v: i for i, v in enumerate(VERDICT_ORDER)}


@dataclass(frozen=True)
class Counts:
    papers: int
    claims: int
    rows: int
    as_reported_rows: int
    findings: int
    papers_with_findings: int
    decision_errors: int                      # claims whose verdict is a decision error
    by_verdict: dict = field(default_factory=dict)   # claims per verdict
    per_study: tuple = ()                     # one dict per study, sorted by study

    def sentence(self) -> str:
        """The one sentence every output states its counts in."""
        return headline(self)


def _worst(rows: pd.DataFrame) -> tuple[str, bool]:
    """A claim's verdict: its worst as-reported row (any row where it has none)."""
    main = rows[rows["variant"] == AS_REPORTED]
    main = main if len(main) else rows
    error = bool((main["decision_error"] == "true").any())
    verdict = min(main["verdict"], key=lambda v: _RANK.get(v, len(_RANK)))
    return verdict, error


def claim_verdicts(ledger: pd.DataFrame) -> pd.DataFrame:
    """One row per claim (study, claim_id, in ledger order) with its verdict and whether it
    is a decision error: its worst as-reported row (any row where it has none), as
    :func:`_worst` says, in one pass over the ledger rather than a group at a time."""
    keys = ["study", "claim_id"]
    df = ledger[keys].copy()
    df["main"] = (ledger["variant"] == AS_REPORTED).to_numpy()
    df["rank"] = ledger["verdict"].map(_RANK).fillna(len(_RANK)).to_numpy()
    df["error"] = (ledger["decision_error"] == "true").to_numpy()
    groups = df.groupby(keys, sort=False)
    has_main = groups["main"].transform("any")
    judged = df[df["main"] | ~has_main].groupby(keys, sort=False).agg(rank=("rank", "min"), error=("error", "any"))
    sizes = groups.agg(rows=("main", "size"), as_reported_rows=("main", "sum"))
    out = sizes.join(judged).reset_index()
    out["verdict"] = [VERDICT_ORDER[int(r)] if int(r) < len(VERDICT_ORDER) else "" for r in out["rank"]]
    out["decision_error"] = out["error"].astype(bool)
    out["as_reported_rows"] = out["as_reported_rows"].astype(int)
    return out[["study", "claim_id", "verdict", "decision_error", "rows", "as_reported_rows"]]


def counts(ledger: pd.DataFrame, findings: pd.DataFrame) -> Counts:
    """The counts of a ledger (``results/audit/claims.csv``, read as text) and its findings
    table (``results/audit/findings.csv``)."""
    claims = claim_verdicts(ledger)
    per_study = []
    for study, group in claims.groupby("study", sort=True):
        per_study.append({"study": study, "claims": len(group), "rows": int(group["rows"].sum()),
                          "as_reported_rows": int(group["as_reported_rows"].sum()),
                          **{v: int((group["verdict"] == v).sum()) for v in VERDICT_ORDER},
                          "decision_errors": int(group["decision_error"].sum()),
                          "findings": int((findings["study"] == study).sum()) if len(findings) else 0})
    return Counts(papers=int(ledger["study"].nunique()), claims=len(claims), rows=len(ledger),
                  as_reported_rows=int((ledger["variant"] == AS_REPORTED).sum()),
                  findings=len(findings),
                  papers_with_findings=int(findings["study"].nunique()) if len(findings) else 0,
                  decision_errors=int(claims["decision_error"].sum()),
                  by_verdict={v: int((claims["verdict"] == v).sum()) for v in VERDICT_ORDER},
                  per_study=tuple(per_study))


def _n(k: int, one: str, many: str | None = None) -> str:
    return f"{k} {one if k == 1 else (many or one + 's')}"


def headline(c: Counts) -> str:
    """'772 printed claims (1665 ledger rows) in 5 papers; 21 findings, in 4 of the papers.'"""
    found = (f"{_n(c.findings, 'finding')}, in {c.papers_with_findings} of the papers" if c.findings
             else "no findings")
    return (f"{_n(c.claims, 'printed claim')} ({_n(c.rows, 'ledger row')}) in {_n(c.papers, 'paper')}; "
            f"{found}.")


def read_table(path) -> pd.DataFrame:
    """A CSV of the audit (the ledger, the findings table, its evidence) as text, blanks as ''."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


# Up to this many studies in the ledger (config `studies_in_full`, the schema's default) the
# report lists every ledger row and the p-value figure has a panel per study; above it the
# ledger is a corpus and they summarise.
STUDIES_IN_FULL = 12


def is_corpus(ledger: pd.DataFrame, config: dict) -> bool:
    """Does the ledger hold more studies than config `studies_in_full`?"""
    return ledger["study"].nunique() > int(config.get("studies_in_full", STUDIES_IN_FULL))
