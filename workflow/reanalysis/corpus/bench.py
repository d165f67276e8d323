"""Speed benchmark: the Snakemake workflow against the cost of its computations alone.

Run ``python -m reanalysis.corpus.bench [--repeats N] [--json PATH] [--repo DIR]``. Everything
runs in a temporary copy of the repository (Snakefile, workflow/, config/, raw/), so
``results/`` and ``.snakemake/`` of the real checkout are never touched.

* cold   -- ``snakemake --cores 4 -q`` from an empty results/ and .snakemake/: the
            full pipeline as a user runs it the first time (median of N).
* no-op  -- the same command again right after a cold run, when everything is up to
            date: pure Snakemake overhead (startup, parsing, DAG, mtime checks).
* floor  -- one fresh Python process that imports the libraries once and does the same
            work in memory (config, manifest, validation, recomputation, audit, figures,
            report),
            timed from outside including interpreter start: the lower bound that any
            orchestration is compared with.

Targets: cold <= 2x floor, no-op <= 1.5 s, the floor's audit compute (without imports,
figures and report) <= 1 s. The same no-op with 1,000 studies configured, and the corpus
runs at 10, 100 and 1,000 studies, are measured by ``python -m reanalysis.corpus.scale``. Exits 0
whatever the verdict; non-zero only if a run itself fails.
"""
from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COPIED = ["Snakefile", "workflow", "config", "raw"]
IGNORED = shutil.ignore_patterns("__pycache__", "*.egg-info", ".snakemake", "results")
COLD_FACTOR, NOOP_LIMIT, COMPUTE_LIMIT = 2.0, 1.5, 1.0


# The repository this module sits in (workflow/reanalysis/corpus/bench.py).
REPO = Path(__file__).resolve().parents[3]

def floor_work() -> dict:
    """The workflow's computations in one process, mirroring workflow/scripts/*.py; returns
    the seconds of the computations without imports and without figures and report."""
    import jsonschema  # noqa: F401,E401
    import matplotlib
    import pandas
    import pingouin
    import scipy
    import seaborn
    import statsmodels
    import yaml

    from reanalysis.audit import designs, ledger
    from reanalysis.figures import paper_figures as figures
    from reanalysis.figures import summary_figures
    from reanalysis.findings import ranking as findings
    from reanalysis.findings import summary
    from reanalysis.findings.counts import read_table
    from reanalysis.inputs import manifest
    from reanalysis.inputs.config import load_studies, study_file
    from reanalysis.report import html_report as report
    from reanalysis.report import letters

    config = load_studies(yaml.safe_load(Path("config/config.yaml").read_text(encoding="utf-8")))
    schema = Path("workflow/schemas/claims.schema.yaml")
    compute, drawing = 0.0, 0.0
    with tempfile.TemporaryDirectory() as outdir:
        figure_dir = Path(outdir) / "figures"
        for name in sorted(config["studies"]):
            start = time.perf_counter()
            study = config["studies"][name]
            manifest.verify(Path(config["raw_dir"]), prefix=f"{name}/")
            data = designs.load(study)
            designs.validate_checks(study, data, study_file(config, name))
            claims = ledger.load_claims(Path(study["claims"]), schema, study)
            # as workflow/scripts/audit_study.py: audited from the table as written
            stats = pandas.read_csv(io.StringIO(designs.recompute(study, data, name).to_csv(
                index=False, lineterminator="\n")))
            ledger.write_ledger(ledger.to_frame(designs.audit(name, study, claims, stats, data)),
                                Path(outdir) / f"{name}.csv")
            compute += time.perf_counter() - start
            start = time.perf_counter()
            if study["design"] == designs.SUMMARY_LEVEL:
                audited = read_table(Path(outdir) / f"{name}.csv")
                summary_figures.render_summary_figures(data, claims, stats, study, figure_dir / name, audit=audited)
            elif "figures" in study:
                data, specs = figures.with_hue(data, study)
                figures.render_figures(data, specs, figure_dir / name)
            drawing += time.perf_counter() - start
        start = time.perf_counter()
        table = ledger.merge_ledgers([Path(outdir) / f"{name}.csv" for name in sorted(config["studies"])])
        found = findings.findings(table, config["studies"])
        summary.summary_markdown(table, findings.findings_table(found), findings.evidence_table(found))
        compute += time.perf_counter() - start
        ledger.write_ledger(table, Path(outdir) / "claims.csv")
        claims_csv, findings_csv, evidence_csv = (Path(outdir) / f for f in ("claims.csv", "findings.csv",
                                                                              "finding_evidence.csv"))
        # as workflow/scripts/findings.py: the findings table, then everything renders from it
        findings.write_findings(found, findings_csv, evidence_csv)
        summary_figures.write_pvalue_figure(claims_csv, config, figure_dir / "pvalues", corpus=False)
        summary_figures.write_discrepancy_figure(read_table(findings_csv), read_table(evidence_csv),
                                                 read_table(claims_csv), config, figure_dir / "discrepancies",
                                                 corpus=False)
        start = time.perf_counter()
        tables = []
        if config.get("beyond"):
            from reanalysis.beyond import questions as beyond
            from reanalysis.inputs.config import load_beyond
            written = beyond.write_section(config, load_beyond(config), outdir, str(schema))
            tables = [p for p in written if p.suffix == ".csv"]
        beyond_s = time.perf_counter() - start
        report.write_report(claims_csv, findings_csv, evidence_csv, config, figure_dir,
                            Path("workflow/report/report.html.j2"), Path(outdir) / "report.html",
                            beyond_tables=tables)
        letters.write_letters(claims_csv, findings_csv, evidence_csv, config, Path(outdir) / "letters",
                              Path("workflow/report/letter.html.j2"))
    return {"compute_s": compute, "figures_s": drawing, "beyond_s": beyond_s}


def timed(cmd: list[str], cwd: Path, output: bool = False):
    """Wall-clock seconds of one command (and its stdout if asked); on failure print its
    output and exit 1."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        print(f"FAILED ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout}{proc.stderr}", file=sys.stderr)
        sys.exit(1)
    return (seconds, proc.stdout) if output else seconds


def snakemake_exe() -> str:
    local = Path(sys.executable).parent / "snakemake"
    return str(local) if local.exists() else (shutil.which("snakemake") or sys.exit("snakemake not found"))


def measure(repo: Path, repeats: int) -> dict:
    snakemake = [snakemake_exe(), "--cores", "4", "-q"]
    floor_cmd = [sys.executable, "-m", "reanalysis.corpus.bench", "--floor-only"]
    cold, noop, floor, parts = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="reanalysis-bench-") as tmp:
        work = Path(tmp)
        for name in COPIED:
            src = repo / name
            (shutil.copytree(src, work / name, ignore=IGNORED) if src.is_dir() else shutil.copy2(src, work / name))
        for _ in range(repeats):
            for stale in ("results", ".snakemake"):
                shutil.rmtree(work / stale, ignore_errors=True)
            cold.append(timed(snakemake, work))
            noop.append(timed(snakemake, work))
            seconds, inner = timed(floor_cmd, work, output=True)
            floor.append(seconds)
            parts.append(json.loads(inner.strip().splitlines()[-1]))
    med = lambda key: statistics.median(p[key] for p in parts)  # noqa: E731
    return {"repeats": repeats, "cold_s": statistics.median(cold), "noop_s": statistics.median(noop),
            "floor_s": statistics.median(floor), "compute_s": med("compute_s"),
            "figures_s": med("figures_s"), "beyond_s": med("beyond_s"),
            "runs": {"cold": cold, "noop": noop, "floor": floor, "floor_parts": parts}}


def report(r: dict) -> None:
    r["cold_over_floor"] = r["cold_s"] / r["floor_s"]
    r["cold_pass"] = r["cold_over_floor"] <= COLD_FACTOR
    r["noop_pass"] = r["noop_s"] <= NOOP_LIMIT
    r["compute_pass"] = r["compute_s"] <= COMPUTE_LIMIT
    verdict = {True: "PASS", False: "FAIL"}
    print(f"median of {r['repeats']} runs        seconds")
    print(f"  cold run (snakemake)   {r['cold_s']:8.2f}")
    print(f"  no-op rerun            {r['noop_s']:8.2f}")
    print(f"  floor (one process)    {r['floor_s']:8.2f}")
    print(f"    of which audit compute (no imports, figures, report) {r['compute_s']:.2f}")
    print(f"    of which study figures                              {r['figures_s']:.2f}")
    print(f"    of which 'Is the effect real?' (simulations)        {r['beyond_s']:.2f}")
    print(f"  cold / floor           {r['cold_over_floor']:8.2f}x")
    print(f"target cold run <= {COLD_FACTOR:g}x floor: {verdict[r['cold_pass']]}")
    print(f"target no-op rerun <= {NOOP_LIMIT:g} s:  {verdict[r['noop_pass']]}")
    print(f"target audit compute <= {COMPUTE_LIMIT:g} s: {verdict[r['compute_pass']]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reanalysis.corpus.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement (median reported)")
    parser.add_argument("--json", type=Path, help="also write the numbers to this JSON file")
    parser.add_argument("--repo", type=Path, default=REPO)
    parser.add_argument("--floor-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.floor_only:  # internal: the floor process, run with cwd = repository copy
        print(json.dumps(floor_work()))
        return 0
    result = measure(args.repo.resolve(), max(1, args.repeats))
    report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
