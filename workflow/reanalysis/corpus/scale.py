"""How the workflow scales: synthetic corpora of growing size, audited by Snakemake.

``python -m reanalysis.corpus.scale [--sizes 10,100,1000] [--seed 1] [--cores N] [--repeats R] [--workdir DIR]``

For each size N, a corpus written by ``reanalysis.corpus.synth`` (two-arm trials of Zang's size and
patient-level studies; audited ``studies_per_job`` studies a job, as synth configures it) is
run with ``snakemake --cores N --snakefile <repo>/Snakefile --directory DIR``, the default
target: ledger, summary, the p-value and findings figures, the report and the letter
(synthetic studies have no per-study figures). Printed per size, in wall-clock seconds:

* cold    -- from an empty results/ and .snakemake/; and its seconds per study;
* no-op   -- the same command again, everything up to date (median of R);
* one edit -- after a reviewed edit of one study's raw file (a comment added to its value
             ranges, the manifest signed again): the rerun, and how many audit jobs it ran.

Targets: the 1,000-study cold run within 5 minutes; every no-op within 1.5 s. Exits 0
whatever the verdict; non-zero only if a run itself fails.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reanalysis.inputs import manifest

from . import synth
from .validity import repo_root, snakemake_command

COLD_LIMIT_1000, NOOP_LIMIT = 300.0, 1.5


def _run(cmd: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"FAILED ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-4000:]}")
    return seconds, proc.stdout + proc.stderr


def edit_one_study(workdir: Path) -> str:
    """A harmless reviewed edit of the first summary-level study's value ranges; its name."""
    ranges = sorted((workdir / "raw").glob("*/ranges.yaml"))[0]
    ranges.write_text(ranges.read_text(encoding="utf-8") + "# reviewed again\n", encoding="utf-8")
    manifest.sign(workdir / "raw")
    return ranges.parent.name


def measure(size: int, seed: int, cores: int, repeats: int, workdir: Path) -> dict:
    synth.generate(workdir, size, seed, force=(workdir / "truth.csv").is_file())
    command = [snakemake_command(), "--cores", str(cores), "--snakefile", str(repo_root() / "Snakefile"),
               "--directory", str(workdir)]
    cold, log = _run(command)
    jobs = len(re.findall(r"^(?:local)?rule audit_study:", log, re.M))
    noop = statistics.median(_run(command)[0] for _ in range(repeats))
    edited = edit_one_study(workdir)
    rerun, log = _run(command)
    rerun_jobs = re.findall(r"wildcards: studies=(\S+)", log)
    return {"studies": size, "audit_jobs": jobs, "cold_s": cold, "per_study_s": cold / size,
            "noop_s": noop, "edited": edited, "edit_s": rerun, "edit_jobs": rerun_jobs}


def report(rows: list[dict]) -> bool:
    print("| studies | audit jobs | cold run, s | s per study | no-op, s | one study edited: rerun, s |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['studies']:,} | {r['audit_jobs']} | {r['cold_s']:.1f} | {r['per_study_s']:.3f} | "
              f"{r['noop_s']:.2f} | {r['edit_s']:.1f} ({len(r['edit_jobs'])} audit job: "
              f"{', '.join(r['edit_jobs'])}) |")
    ok = True
    big = [r for r in rows if r["studies"] >= 1000]
    for r in big:
        passed = r["cold_s"] <= COLD_LIMIT_1000
        ok &= passed
        print(f"target {r['studies']:,} studies within {COLD_LIMIT_1000:g} s: {'PASS' if passed else 'FAIL'}")
    passed = all(r["noop_s"] <= NOOP_LIMIT for r in rows)
    print(f"target no-op within {NOOP_LIMIT:g} s at every size: {'PASS' if passed else 'FAIL'}")
    return ok and passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reanalysis.corpus.scale", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,100,1000", help="corpus sizes, comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1, help="snakemake --cores")
    parser.add_argument("--repeats", type=int, default=3, help="no-op runs per size (median reported)")
    parser.add_argument("--workdir", help="where the corpora go (default: a temporary folder, removed)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory(prefix="reanalysis-scale-") as tmp:
        base = Path(args.workdir) if args.workdir else Path(tmp)
        rows = []
        for size in sizes:
            rows.append(measure(size, args.seed, args.cores, max(1, args.repeats), base / f"corpus{size}"))
            print(f"{size} studies: cold {rows[-1]['cold_s']:.1f} s", file=sys.stderr)
    print(f"cores {args.cores}, seed {args.seed}; wall-clock seconds")
    report(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
