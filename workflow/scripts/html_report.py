"""Write the self-contained HTML report, the findings' figure and one letter per paper with
findings, from the ledger and the findings table."""
from pathlib import Path

from reanalysis.cli import run
from reanalysis.figures.summary_figures import write_discrepancy_figure
from reanalysis.findings.counts import is_corpus, read_table
from reanalysis.report.html_report import write_report
from reanalysis.report.letters import write_letters

sm = snakemake  # noqa: F821 (injected by Snakemake)


def main():
    figure_dir = Path(sm.config["results_dir"]) / "figures"
    ledger = read_table(sm.input.ledger)
    table, evidence = read_table(sm.input.findings), read_table(sm.input.evidence)
    _, drawn = write_discrepancy_figure(table, evidence, ledger, sm.config,
                                        Path(sm.output.discrepancies[0]).with_suffix(""),
                                        corpus=is_corpus(ledger, sm.config))
    context = write_report(Path(sm.input.ledger), Path(sm.input.findings), Path(sm.input.evidence), sm.config,
                           figure_dir, Path(sm.input.template), Path(sm.output.html),
                           beyond_tables=[Path(p) for p in sm.input.beyond], recomputed=sm.input.recomputed)
    letters = write_letters(Path(sm.input.ledger), Path(sm.input.findings), Path(sm.input.evidence), sm.config,
                            Path(sm.output.letters), Path(sm.input.letter_template))
    return (f"report: {context['headline']} {len(drawn)} findings drawn; "
            f"{len(letters) // 2} letters")


run(main, sm.log[0])
