"""Write the self-contained HTML report from the ledger and the figures."""
from pathlib import Path

from reanalysis.cli import run
from reanalysis.report import write_report

sm = snakemake  # noqa: F821 (injected by Snakemake)


def main():
    figure_dir = Path(sm.config["results_dir"]) / "figures"
    rows = write_report(Path(sm.input.ledger), sm.config, figure_dir, Path(sm.input.template),
                        Path(sm.output[0]), beyond_tables=[Path(p) for p in sm.input.beyond])
    return (f"report with {rows} ledger rows, {len(sm.input.figures)} figures and "
            f"{len(sm.input.beyond)} tables of the effect section")


run(main, sm.log[0])
