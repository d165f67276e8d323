"""Group the ledger's flagged claims into findings, ranked by evidence strength; write the
findings table and its evidence; render summary.md from them and the ledger."""
from pathlib import Path

from reanalysis.audit.ledger import read_ledger
from reanalysis.beyond import questions as beyond
from reanalysis.cli import run
from reanalysis.findings.ranking import findings, read_findings, write_findings
from reanalysis.findings.summary import summary_markdown

sm = snakemake  # noqa: F821 (injected by Snakemake)


def main():
    ledger = read_ledger(sm.input.ledger)
    found = findings(ledger, sm.config["studies"])
    write_findings(found, sm.output.table, sm.output.evidence)
    table, evidence = read_findings(sm.output.table), read_findings(sm.output.evidence)
    text = summary_markdown(ledger, table, evidence)
    frames = [beyond.read_rows(p) for p in sm.input.beyond]
    figure = (f"{sm.config['results_dir']}/figures/{beyond.FIGURE_DIR}/{beyond.FIGURES[0]['name']}.png"
              if sm.config.get("beyond") else None)
    if frames:
        text = text.rstrip("\n") + "\n" + beyond.summary_section(frames, figure)
    Path(sm.output.summary).write_text(text, encoding="utf-8")
    return f"{len(found)} findings from {len(ledger)} ledger rows; summary.md"


run(main, sm.log[0])
