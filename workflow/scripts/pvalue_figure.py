"""Figures from the ledger: printed against recomputed p-values of every study, and the
panel of the findings' discrepancies (one row per finding, a panel per study)."""
from pathlib import Path

import pandas as pd

from reanalysis.cli import run
from reanalysis.figures import configure_matplotlib, save_figure
from reanalysis.findings import findings
from reanalysis.ledger import read_ledger
from reanalysis.summary_figures import plot_discrepancies, plot_pvalues

sm = snakemake  # noqa: F821 (injected by Snakemake)


def main():
    configure_matplotlib()
    ledger = pd.read_csv(sm.input.ledger, keep_default_na=False, na_values=[""])
    paths = save_figure(plot_pvalues(ledger), Path(sm.output.pvalues[0]).with_suffix(""))
    found = findings(read_ledger(sm.input.ledger))
    paths += save_figure(plot_discrepancies(found), Path(sm.output.discrepancies[0]).with_suffix(""))
    return f"wrote {len(paths)} files ({len(found)} findings)"


run(main, sm.log[0])
