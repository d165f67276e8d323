"""Merge the studies' audits into one ledger, and summarise it (with the "Is the effect
real?" rows after the ledger's sections)."""
from pathlib import Path

from reanalysis import beyond
from reanalysis.cli import run
from reanalysis.ledger import merge_ledgers, summary_markdown, write_ledger
from reanalysis.manifest import verify

sm = snakemake  # noqa: F821 (injected by Snakemake)


def main():
    signed = verify(Path(sm.config["raw_dir"]))
    ledger = merge_ledgers(sm.input.studies)
    write_ledger(ledger, sm.output.ledger)
    frames = [beyond.read_rows(p) for p in sm.input.beyond]
    figure = (f"{sm.config['results_dir']}/figures/{beyond.FIGURE_DIR}/{beyond.FIGURES[0]['name']}.png"
              if sm.config.get("beyond") else None)
    text = summary_markdown(ledger)
    if frames:
        text = text.rstrip("\n") + "\n" + beyond.summary_section(frames, figure)
    Path(sm.output.summary).write_text(text, encoding="utf-8")
    return f"{len(signed)} signed files verified; {len(ledger)} ledger rows from {len(sm.input.studies)} audit jobs"


run(main, sm.log[0])
