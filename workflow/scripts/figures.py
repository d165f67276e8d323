"""Regenerate a study's figures from its data (patient table or printed summaries); a time
course's marks from the study's audited rows."""
from pathlib import Path

import pandas as pd

from reanalysis.audit import designs
from reanalysis.audit.ledger import load_claims
from reanalysis.cli import run
from reanalysis.figures.paper_figures import render_figures, with_hue
from reanalysis.figures.summary_figures import render_summary_figures

sm = snakemake  # noqa: F821 (injected by Snakemake)


def main():
    out_dir = Path(sm.output[0])  # results/figures/<study>/
    out_dir.mkdir(parents=True, exist_ok=True)
    name = sm.wildcards.study
    study = sm.config["studies"][name]
    data = designs.load(study)
    if study["design"] == designs.SUMMARY_LEVEL:
        claims = load_claims(Path(sm.input.claims), Path(sm.input.claims_schema), study)
        stats = pd.read_csv(sm.input.recomputed)  # a batch's table holds other studies too
        stats = stats[stats["study"] == name].reset_index(drop=True)
        audit = pd.read_csv(sm.input.audit, dtype=str, keep_default_na=False)
        audit = audit[audit["study"] == name].reset_index(drop=True)
        paths = render_summary_figures(data, claims, stats, study, out_dir, audit=audit)
    else:
        data, specs = with_hue(data, study)
        paths = render_figures(data, specs, out_dir)
    return f"wrote {len(paths)} files"


run(main, sm.log[0])
