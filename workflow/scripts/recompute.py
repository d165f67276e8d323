"""Recompute every statistic of every check variant for one study."""
from reanalysis import designs
from reanalysis.cli import run

sm = snakemake  # noqa: F821 (injected by Snakemake)


def main():
    study = sm.config["studies"][sm.wildcards.study]
    data = designs.load(study)
    stats = designs.recompute(study, data, sm.wildcards.study)
    stats.to_csv(sm.output[0], index=False, lineterminator="\n")
    return f"{len(stats)} statistics from {len(data)} rows"


run(main, sm.log[0])
