"""INSPECT-SR: results/trust/<study>.csv for every randomised trial and results/trust/index.csv
(workflow/reanalysis/trust/inspect_sr.py)."""
from pathlib import Path

from reanalysis.cli import run
from reanalysis.inputs.config import load_beyond
from reanalysis.trust import inspect_sr as trust

sm = snakemake  # noqa: F821 (injected by Snakemake)


def main():
    rules = trust.load_rules(sm.config)
    shared = load_beyond(sm.config)
    written = trust.write_tables(sm.config, rules, shared, sm.config["results_dir"])
    missing = sorted(set(map(str, sm.output.tables)) - {str(p) for p in written})
    if missing:
        raise RuntimeError(f"outputs not written: {', '.join(missing)}")
    return f"wrote {len(written)} files"


run(main, sm.log[0])
