"""Recompute every statistic of every check variant for one study."""
from reanalysis.cli import run
from reanalysis.patient_level import load_patient_table, recompute

sm = snakemake  # noqa: F821 (injected by Snakemake)


def main():
    study = sm.config["studies"][sm.wildcards.study]
    table = load_patient_table(study)
    stats = recompute(table, study, sm.wildcards.study)
    stats.to_csv(sm.output[0], index=False, lineterminator="\n")
    return f"{len(stats)} statistics from {len(table)} rows"


run(main, sm.log[0])
