"""Merge the studies' audits into one ledger, and summarise it."""
from pathlib import Path

from reanalysis.cli import run
from reanalysis.ledger import merge_ledgers, summary_markdown, write_ledger

sm = snakemake  # noqa: F821 (injected by Snakemake)


def main():
    ledger = merge_ledgers(sm.input.studies)
    write_ledger(ledger, sm.output.ledger)
    Path(sm.output.summary).write_text(summary_markdown(ledger), encoding="utf-8")
    return f"{len(ledger)} ledger rows from {len(sm.input.studies)} studies"


run(main, sm.log[0])
