"""Audit every study's claims against its recomputation; write the ledger and summary."""
from pathlib import Path

import pandas as pd

from reanalysis import designs
from reanalysis.cli import run
from reanalysis.ledger import load_claims, summary_markdown, to_frame

sm = snakemake  # noqa: F821 (injected by Snakemake)


def main():
    rows = []
    for recomputed in sm.input.recomputed:
        name = Path(recomputed).stem  # results/recomputed/<study>.csv
        study = sm.config["studies"][name]
        claims = load_claims(Path(study["claims"]), Path(sm.input.claims_schema), study)
        rows += designs.audit(name, study, claims, pd.read_csv(recomputed))
    ledger = to_frame(rows)
    ledger.to_csv(sm.output.ledger, index=False, lineterminator="\n")
    Path(sm.output.summary).write_text(summary_markdown(ledger), encoding="utf-8")
    return f"{len(ledger)} ledger rows"


run(main, sm.log[0])
