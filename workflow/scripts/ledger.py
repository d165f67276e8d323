"""Merge the studies' audits into one ledger and draw its two figures: printed against recomputed
p-values of every study, and the panel of the findings' discrepancies (one row per finding,
a panel per study). Above config `studies_in_full` studies (a corpus) the p-values are pooled
in one panel and the discrepancies panel shows the highest-ranked findings only
(reanalysis.summary_figures)."""
from pathlib import Path

from reanalysis.cli import run
from reanalysis.ledger import merge_ledgers, write_ledger
from reanalysis.manifest import verify
from reanalysis.summary_figures import write_ledger_figures

sm = snakemake  # noqa: F821 (injected by Snakemake)


def main():
    signed = verify(Path(sm.config["raw_dir"]))
    ledger = merge_ledgers(sm.input.studies)
    write_ledger(ledger, sm.output.ledger)
    paths, found = write_ledger_figures(Path(sm.output.ledger), sm.config,
                                        Path(sm.output.pvalues[0]).with_suffix(""),
                                        Path(sm.output.discrepancies[0]).with_suffix(""))
    return (f"{len(signed)} signed files verified; {len(ledger)} ledger rows from "
            f"{len(sm.input.studies)} audit jobs; {len(paths)} figure files ({found} findings)")


run(main, sm.log[0])
