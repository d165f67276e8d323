"""Write the self-contained HTML report from the ledger and the figures, and the letter."""
from pathlib import Path

from reanalysis.cli import run
from reanalysis.report import write_letter, write_report

sm = snakemake  # noqa: F821 (injected by Snakemake)


def main():
    figure_dir = Path(sm.config["results_dir"]) / "figures"
    rows = write_report(Path(sm.input.ledger), sm.config, figure_dir, Path(sm.input.template),
                        Path(sm.output.html), beyond_tables=[Path(p) for p in sm.input.beyond])
    found = write_letter(Path(sm.input.ledger), sm.config, Path(sm.output.letter))
    return (f"report with {rows} ledger rows, {found} findings, "
            f"{len(sm.input.figures) + len(sm.input.finding_figures)} figures and "
            f"{len(sm.input.beyond)} tables of the effect section; letter with its findings")


run(main, sm.log[0])
