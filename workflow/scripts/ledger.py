"""Merge the studies' audits into one ledger and draw its figure: printed against recomputed
p-values of every study (above config `studies_in_full` studies, a corpus, pooled in one
panel; reanalysis.figures.summary_figures). The findings' figure is drawn with the report, from the
findings table."""
from pathlib import Path

from reanalysis.audit.ledger import merge_ledgers, write_ledger
from reanalysis.cli import run
from reanalysis.figures.summary_figures import write_pvalue_figure
from reanalysis.findings.counts import is_corpus
from reanalysis.inputs.manifest import verify

sm = snakemake  # noqa: F821 (injected by Snakemake)


def main():
    signed = verify(Path(sm.config["raw_dir"]))
    ledger = merge_ledgers(sm.input.studies)
    write_ledger(ledger, sm.output.ledger)
    paths, _ = write_pvalue_figure(Path(sm.output.ledger), sm.config, Path(sm.output.pvalues[0]).with_suffix(""),
                                   corpus=is_corpus(ledger, sm.config))
    return (f"{len(signed)} signed files verified; {len(ledger)} ledger rows from "
            f"{len(sm.input.studies)} audit jobs; {len(paths)} figure files")


run(main, sm.log[0])
