"""Figures from the ledger: printed against recomputed p-values of every study, and the
panel of the findings' discrepancies (one row per finding, a panel per study). Above config
`studies_in_full` studies (a corpus) the p-values are pooled in one panel and the panel of
discrepancies shows the highest-ranked findings only (reanalysis.summary_figures)."""
from pathlib import Path

from reanalysis.cli import run
from reanalysis.summary_figures import write_ledger_figures

sm = snakemake  # noqa: F821 (injected by Snakemake)


def main():
    paths, found = write_ledger_figures(Path(sm.input.ledger), sm.config,
                                        Path(sm.output.pvalues[0]).with_suffix(""),
                                        Path(sm.output.discrepancies[0]).with_suffix(""))
    return f"wrote {len(paths)} files ({found} findings)"


run(main, sm.log[0])
