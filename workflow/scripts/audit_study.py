"""Audit one study's claims against its recomputation: its rows of the ledger."""
from pathlib import Path

import pandas as pd

from reanalysis import designs
from reanalysis.cli import run
from reanalysis.ledger import load_claims, to_frame, write_ledger

sm = snakemake  # noqa: F821 (injected by Snakemake)


def main():
    name = sm.wildcards.study
    study = sm.config["studies"][name]
    claims = load_claims(Path(sm.input.claims), Path(sm.input.claims_schema), study)
    rows = designs.audit(name, study, claims, pd.read_csv(sm.input.recomputed))
    write_ledger(to_frame(rows), sm.output[0])
    return f"{len(rows)} ledger rows"


run(main, sm.log[0])
