"""Regenerate a patient-level study's figures from its table."""
from pathlib import Path

from reanalysis.cli import run
from reanalysis.figures import render_figures
from reanalysis.patient_level import group_labels, load_patient_table

sm = snakemake  # noqa: F821 (injected by Snakemake)


def main():
    name = Path(sm.output[0]).parent.name  # results/figures/<study>/<figure>.png
    study = sm.config["studies"][name]
    table = load_patient_table(study)
    grouping = study["figures"]["hue_grouping"]
    table[grouping] = group_labels(table, study, grouping)
    paths = render_figures(table, study["figures"]["specs"], Path(sm.output[0]).parent)
    return f"wrote {len(paths)} files"


run(main, sm.log[0])
