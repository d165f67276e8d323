"""Printed against recomputed p-values of every study, from the ledger."""
from pathlib import Path

import pandas as pd

from reanalysis.cli import run
from reanalysis.figures import configure_matplotlib, save_figure
from reanalysis.summary_figures import plot_pvalues

sm = snakemake  # noqa: F821 (injected by Snakemake)


def main():
    configure_matplotlib()
    ledger = pd.read_csv(sm.input.ledger, keep_default_na=False, na_values=[""])
    paths = save_figure(plot_pvalues(ledger), Path(sm.output[0]).with_suffix(""))
    return f"wrote {len(paths)} files"


run(main, sm.log[0])
