"""Is the effect real? Every study's `beyond` rows, the rows that span studies and the
forest plot (workflow/reanalysis/beyond/questions.py)."""
from pathlib import Path

from reanalysis.beyond import questions as beyond
from reanalysis.cli import run
from reanalysis.inputs.config import load_beyond

sm = snakemake  # noqa: F821 (injected by Snakemake)


def main():
    shared = load_beyond(sm.config)
    written = beyond.write_section(sm.config, shared, sm.config["results_dir"], sm.input.claims_schema)
    expected = {Path(p) for p in [*sm.output.tables, *sm.output.figures]}
    missing = sorted(str(p) for p in expected - set(written))
    if missing:
        raise RuntimeError(f"outputs not written: {', '.join(missing)}")
    return f"wrote {len(written)} files"


run(main, sm.log[0])
