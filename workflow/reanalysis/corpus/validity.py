"""How well does the audit find known errors? Generate a synthetic corpus, audit it, score it.

``python -m reanalysis.corpus.validity [--studies N] [--seed S] [--workdir DIR] [--error-rate R]``

1. writes a corpus with ``reanalysis.corpus.synth`` into DIR (a new temporary folder by default);
2. runs the pipeline on it, up to the ledger and its summary (in batches of the corpus's
   ``studies_per_job`` studies a job): ``snakemake --cores 2 --snakefile <repo>/Snakefile
   --directory DIR results/audit/claims.csv results/audit/summary.md`` (the Snakefile reads
   config/config.yaml and the schemas relative to DIR; the scripts import the installed
   ``reanalysis`` package);
3. joins the ledger's ``as_reported`` rows with DIR/truth.csv and prints, per kind of error
   (and where it was injected), the share detected, and over the clean items the share
   judged discrepant (false discrepant) and the share flagged as repeated values. It writes
   the same table to DIR/validity.md and one line per printed item to DIR/validity.csv.

What counts as detected is fixed per kind (DETECTION); only ``as_reported`` ledger rows (the
paper's stated method and n) count, never an alternative reading. Exit status 0 when the
targets hold: no clean item discrepant, and every injection the corpus marks
``must_detect`` detected (decision errors the printed numbers show: every one on a test
they determine, and a paired p from printed means ± SD where no within-patient r and no
rounding of them gives a p on the printed side of alpha;
impossible values, percent slips, truncated percentages and patient-level values, wrong n,
repeated values that chance makes unlikely, and any error in a value that is printed twice).
"""
from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from reanalysis.audit.ledger import is_echo
from reanalysis.engine.checks import KINDS
from reanalysis.errors import InputError

from . import synth

LEDGER = "results/audit/claims.csv"
SUMMARY = "results/audit/summary.md"
AS_REPORTED = "as_reported"
DUPLICATE_NOTE = "duplicate:"

# What counts as detecting each kind: the ledger's as_reported rows of which printed items.
DETECTION = {
    "mistyped_mean": "an as_reported row of the mistyped item, or of any item checked against it "
                     "(the t-test p, the paired p, the printed decrease, the other printing), is discrepant",
    "mistyped_sd": "as for mistyped_mean",
    "wrong_p": "the p-value's as_reported row is discrepant",
    "decision_error": "the p-value's as_reported row is discrepant with decision_error true",
    "grim_impossible": "the row's as_reported GRIM row (statistic grim) is discrepant",
    "percent_slip": "the row's as_reported percent row (statistic percent: count / n) is discrepant",
    "truncation": "the item's as_reported row is discrepant (a percent: statistic percent)",
    "wrong_n": "an as_reported row of the n itself or of any item printed with it (percentages, GRIM, "
               "the total, tests) is discrepant",
    "sd_infeasible": "the row's as_reported sd_feasibility row is discrepant",
    "duplicate": "the repeated row's as_reported ledger row is flagged (its note names a 'duplicate:' "
                 "finding); a repeated value is a red flag, not a verdict, and is raised only where "
                 "chance makes the repeat unlikely (must-detect only there)",
}


def repo_root() -> Path:
    """The repository (synth is workflow/reanalysis/corpus/synth.py in it)."""
    return Path(synth.__file__).resolve().parents[3]


def snakemake_command() -> str:
    beside = Path(sys.executable).parent / "snakemake"
    return str(beside) if beside.is_file() else (shutil.which("snakemake") or "snakemake")


def run_pipeline(workdir: Path, cores: int = 2, snakefile: Path | None = None) -> subprocess.CompletedProcess:
    """The pipeline on the corpus in ``workdir``, up to the merged ledger and its summary."""
    snakefile = snakefile or repo_root() / "Snakefile"
    return subprocess.run([snakemake_command(), "--cores", str(cores), "--snakefile", str(snakefile),
                           "--directory", str(workdir), LEDGER, SUMMARY],
                          capture_output=True, text=True)


def _read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def score(ledger_rows: list[dict], truth_rows: list[dict]) -> list[dict]:
    """Each truth row with what the audit said: ``discrepant`` (some as_reported row of the
    item is), ``flagged`` (its note names a repeated value), ``decision`` (a discrepant row
    with decision_error true) and, for an injection, ``detected`` by its kind's rule."""
    by_item: dict[tuple, list[dict]] = defaultdict(list)
    for r in ledger_rows:
        # a value's row that carries a restating claim's verdict is that claim's, not the value's
        if r["variant"] == AS_REPORTED and not is_echo(r):
            by_item[(r["study"], r["claim_id"])].append(r)
    ids = {(r["study"], r["claim_id"]) for r in ledger_rows}
    out = []
    for t in truth_rows:
        key = (t["study"], t["id"])
        rows = by_item.get(key, [])
        res = {**t, "in_ledger": key in ids,
               "verdicts": ";".join(sorted({r["verdict"] for r in rows})),
               "discrepant": any(r["verdict"] == "discrepant" for r in rows),
               "decision": any(r["verdict"] == "discrepant" and r["decision_error"] == "true" for r in rows),
               "flagged": any(DUPLICATE_NOTE in r["note"] for r in rows),
               "detected": ""}
        if t["error"] not in (synth.CLEAN, synth.AFFECTED):
            res["at_item"] = res["discrepant"]
            if t["detect_rule"] == "flagged":
                detected = res["flagged"]
            elif t["detect_rule"] == "decision_error":
                detected = res["decision"]
            elif t["detect_statistic"]:
                detected = any(r["verdict"] == "discrepant" and r["statistic"] == t["detect_statistic"]
                               for r in rows)
            else:
                detected = any(r["verdict"] == "discrepant"
                               for i in t["detect_by"].split(";") for r in by_item.get((t["study"], i), []))
            res["detected"] = detected
        out.append(res)
    return out


def _share(k: int, n: int) -> str:
    return f"{k}/{n} ({100 * k / n:.0f}%)" if n else "0/0"


def _detected(rows: list[dict]) -> str:
    return _share(sum(bool(r["detected"]) for r in rows), len(rows))


def summarise(scored: list[dict]) -> dict:
    injected = [r for r in scored if r["error"] not in (synth.CLEAN, synth.AFFECTED)]
    clean = [r for r in scored if r["error"] == synth.CLEAN]
    affected = [r for r in scored if r["error"] == synth.AFFECTED]
    must = [r for r in injected if r["must_detect"] == "true"]
    return {
        "injected": len(injected), "detected": sum(bool(r["detected"]) for r in injected),
        "must_detect": len(must), "must_detected": sum(bool(r["detected"]) for r in must),
        "clean": len(clean), "false_discrepant": sum(r["discrepant"] for r in clean),
        "false_flagged": sum(r["flagged"] for r in clean),
        "affected": len(affected), "affected_discrepant": sum(r["discrepant"] for r in affected),
        "missing": [f"{r['study']}/{r['id']}" for r in scored if not r["in_ledger"]],
        "decision_errors": sum(r["error"] == "decision_error" for r in injected),
        "decision_errors_detected": sum(bool(r["detected"]) for r in injected if r["error"] == "decision_error"),
        "decision_errors_shown": sum(r["error"] == "decision_error" for r in must),
        "decision_errors_shown_detected": sum(bool(r["detected"]) for r in must if r["error"] == "decision_error"),
    }


def report(scored: list[dict], header: str = "") -> str:
    """The detection table, the clean items, the undetected injections (Markdown)."""
    s = summarise(scored)
    injected = [r for r in scored if r["error"] not in (synth.CLEAN, synth.AFFECTED)]
    lines = [header, ""] if header else []
    lines += ["## Detection per kind of injected error", "",
              "Only as_reported ledger rows count. `must` = injections the corpus marks as detectable "
              "by construction.", "",
              "| kind | injected into | digit | injected | detected | must detect: detected |",
              "|---|---|---|---|---|---|"]
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in injected:
        groups[(r["error"], r["where"], r["digit"])].append(r)
    for kind in synth.KINDS:
        rows = [r for r in injected if r["error"] == kind]
        if not rows:
            lines.append(f"| **{kind}** | (none injected) | | 0 | | |")
            continue
        must = [r for r in rows if r["must_detect"] == "true"]
        lines.append(f"| **{kind}** | all | | {len(rows)} | {_detected(rows)} | {_detected(must)} |")
        for (k, where, digit), sub in sorted(groups.items()):
            if k != kind:
                continue
            sub_must = [r for r in sub if r["must_detect"] == "true"]
            lines.append(f"| | {where} | {digit} | {len(sub)} | {_detected(sub)} | {_detected(sub_must)} |")
    lines += ["", "What counts as detected:", ""]
    lines += [f"- {k}: {v}" for k, v in DETECTION.items()]
    lines += ["", "## Clean and affected items", "",
              f"- clean printed items (no error injected, none checked against an injected one): {s['clean']}; "
              f"discrepant (false discrepant): {_share(s['false_discrepant'], s['clean'])}; "
              f"flagged as repeated values (a red flag, not a verdict): {_share(s['false_flagged'], s['clean'])}",
              f"- affected items (checked against an injected error elsewhere; either verdict is right): "
              f"{s['affected']}; discrepant: {_share(s['affected_discrepant'], s['affected'])}",
              f"- decision errors detected: {_share(s['decision_errors_detected'], s['decision_errors'])}; "
              f"of those the printed numbers show (no rounding of them, and no unprinted within-patient r, "
              f"gives a p on the printed side of alpha): "
              f"{_share(s['decision_errors_shown_detected'], s['decision_errors_shown'])}",
              f"- all injections marked must-detect: {_share(s['must_detected'], s['must_detect'])}"]
    if s["missing"]:
        lines.append(f"- printed items without a ledger row: {', '.join(s['missing'])}")
    false = [r for r in scored if r["error"] == synth.CLEAN and r["discrepant"]]
    if false:
        lines += ["", "### False discrepant (clean items the audit calls discrepant)", ""]
        lines += [f"- {r['study']}/{r['id']} ({r['where']}): printed `{r['printed']}`" for r in false]
    missed = [r for r in injected if not r["detected"]]
    if missed:
        printed = {(r["study"], r["id"]): r["printed"] for r in scored}
        reasons = {id(r): why_unseen(r, printed) for r in missed}
        lines += ["", f"### Why some errors were not seen ({len(missed)})", "",
                  "Each undetected injection is compatible with everything else the paper prints, "
                  "for the reason given:", "", "| reason | kind | n |", "|---|---|---|"]
        counts: dict[tuple, int] = defaultdict(int)
        for r in missed:
            counts[(reasons[id(r)], r["error"])] += 1
        lines += [f"| {why} | {kind} | {n} |" for (why, kind), n in sorted(counts.items())]
        lines += ["", f"### Not detected ({len(missed)})", ""]
        for r in missed:
            flag = " **(marked must-detect)**" if r["must_detect"] == "true" else ""
            digit = f", {r['digit']} digit" if r["digit"] else ""
            lines.append(f"- {r['study']}/{r['id']} {r['error']} ({r['where']}{digit}){flag}: {r['detail']}; "
                         f"audit: {r['verdicts'] or 'no as_reported row'}; {reasons[id(r)]}")
    return "\n".join(lines) + "\n"


def why_unseen(r: dict, printed: dict) -> str:
    """Why an injected error left every check consistent (by what else reads the item)."""
    if r["must_detect"] == "true":
        return "NOT EXPECTED: detectable by construction (an engine or generator fault)"
    # a claim's `where` is its check's kind: a p that depends on something unprinted (its
    # kind's generator declares what) can be wrong where no audit of the printed numbers sees it
    synthetic = getattr(KINDS.get(r["where"]), "synthetic", None)
    if synthetic and synthetic.unprinted:
        allowed = ("a p on the printed side of alpha, so no flip can be shown (the printed p itself may "
                   "still be discrepant)" if r["error"] == "decision_error"
                   else "a p that rounds to the printed one")
        return (f"{synthetic.unprinted} gives {allowed}, as the generator works out apart from the engine; "
                "no audit of the printed numbers can see it")
    if r["error"] == "duplicate":
        return ("one arm's mean ± SD printed for the other: two arms of this size print the same "
                "mean ± SD by chance often enough that, over the table's comparisons, the repeat is "
                "within what chance gives (as the generator works out apart from the engine); a flag "
                "there would be a coincidence as often as an error")
    others = [i for i in r["detect_by"].split(";") if i != r["id"]]
    if not others:
        return "only the SD-feasibility check reads this value, and the changed value is still feasible"
    tests = [printed[(r["study"], i)] for i in others if (r["study"], i) in printed]
    if tests and all("<" in t for t in tests):
        return "every check that reads it prints an inequality (p < 0.001) that the changed value still meets"
    if r["digit"] == "last":
        return ("a change in the last printed digit: the recomputed p, difference or test over the rounding "
                "box still meets the printed one")
    return ("the checks that read it are insensitive to the change (e.g. an SD when the two means are "
            "close, so p stays near 1) and still meet the printed values")


# ---------------------------------------------------------------- printed test statistics

SCAN_PREFIX = "SCAN"
# Targets of the text scan on the synthetic papers' statistics sections.
RECALL_TARGET = PRECISION_TARGET = 0.99


def score_statistics(ledger_rows: list[dict], stat_truth: list[dict]) -> tuple[list[dict], dict]:
    """Each printed statistic of synth's stat_truth.csv with the as_reported ledger row the
    text scan made of it (same study, line and exact printed text), and the counts:
    extraction recall and precision, clean statistics called discrepant, and per kind the
    injections detected (discrepant; for a decision error, discrepant with decision_error
    true)."""
    scanned = {(r["study"], str(r["source_line"]), r["reported"]): r for r in ledger_rows
               if r["claim_id"].startswith(SCAN_PREFIX) and r["variant"] == AS_REPORTED}
    truth_keys = {(t["study"], str(t["line"]), t["printed"]) for t in stat_truth}
    out = []
    for t in stat_truth:
        r = scanned.get((t["study"], str(t["line"]), t["printed"]))
        discrepant = r is not None and r["verdict"] == "discrepant"
        decision = discrepant and r["decision_error"] == "true"
        detected = "" if t["error"] == synth.CLEAN else (decision if t["error"] == "stat_decision_error"
                                                         else discrepant)
        out.append({**t, "found": r is not None, "verdict": r["verdict"] if r else "", "discrepant": discrepant,
                    "decision": decision, "detected": detected})
    injected = [r for r in out if r["error"] != synth.CLEAN]
    counts = {"statistics": len(out), "found": sum(r["found"] for r in out), "extracted": len(scanned),
              "extracted_true": sum(k in truth_keys for k in scanned),
              "clean": sum(r["error"] == synth.CLEAN for r in out),
              "clean_found": sum(r["error"] == synth.CLEAN and r["found"] for r in out),
              "false_discrepant": sum(r["error"] == synth.CLEAN and r["discrepant"] for r in out),
              "must_detect": sum(r["must_detect"] == "true" for r in injected),
              "must_detected": sum(r["must_detect"] == "true" and bool(r["detected"]) for r in injected),
              "false_positives": sorted(f"{k[0]} line {k[1]}: {k[2]}" for k in scanned if k not in truth_keys),
              "missed": [f"{r['study']} line {r['line']}: {r['printed']}" for r in out if not r["found"]]}
    counts["recall"] = counts["found"] / counts["statistics"] if counts["statistics"] else 1.0
    counts["precision"] = counts["extracted_true"] / counts["extracted"] if counts["extracted"] else 1.0
    counts["decision_errors"] = sum(r["error"] == "stat_decision_error" for r in injected)
    counts["decision_errors_detected"] = sum(r["error"] == "stat_decision_error" and bool(r["detected"])
                                             for r in injected)
    return out, counts


def statistics_report(scored: list[dict], counts: dict) -> str:
    """The text scan's part of the report (Markdown)."""
    c = counts
    lines = ["## Printed test statistics (the text scan)", "",
             "Each synthetic paper ends with test statistics printed in its text and transcribed nowhere "
             "(APA and non-APA forms, split lines, PDF artefacts, flattened tables; and decoys with a p but no "
             "checkable statistic). The audit job's text scan must find each one (same line, same exact text) "
             "and judge it by statcheck's rule; only its as_reported (two-tailed) row counts.", "",
             f"- extraction recall: {_share(c['found'], c['statistics'])} (target {RECALL_TARGET:.0%}); "
             f"precision: {_share(c['extracted_true'], c['extracted'])} (target {PRECISION_TARGET:.0%})",
             f"- clean statistics called discrepant (false discrepant): {_share(c['false_discrepant'], c['clean_found'])}"
             f" of those found",
             f"- injected decision errors detected: {_share(c['decision_errors_detected'], c['decision_errors'])}; "
             f"all injections marked must-detect: {_share(c['must_detected'], c['must_detect'])}", "",
             "| kind | injected | detected | must detect: detected |", "|---|---|---|---|"]
    for kind, text in synth.STAT_KINDS.items():
        rows = [r for r in scored if r["error"] == kind]
        must = [r for r in rows if r["must_detect"] == "true"]
        lines.append(f"| **{kind}** ({text}) | {len(rows)} | {_detected(rows)} | {_detected(must)} |")
    lines += ["", "An injection is must-detect when, by statcheck's definition worked in the generator apart from "
              "the engine, no statistic the printed one rounds from gives a p that prints as the printed p (and, "
              "for a decision error, the significance flips at the p of the printed statistic); a wrong df or a "
              "slip in the last digit of p can stay within what the statistic's rounding allows."]
    missed = [r for r in scored if r["error"] != synth.CLEAN and not r["detected"]]
    if missed:
        lines += ["", f"### Injections not detected ({len(missed)})", ""]
        lines += [f"- {r['study']} line {r['line']} {r['error']}"
                  f"{' **(marked must-detect)**' if r['must_detect'] == 'true' else ''}: `{r['printed']}`: "
                  f"{r['detail']}; audit: {r['verdict'] or 'not found'}" for r in missed]
    if c["missed"]:
        lines += ["", "### Statistics the scan did not find", ""] + [f"- {m}" for m in c["missed"]]
    if c["false_positives"]:
        lines += ["", "### Rows the scan made of no printed statistic", ""] + [f"- {m}" for m in c["false_positives"]]
    return "\n".join(lines) + "\n"


def statistics_targets_met(counts: dict) -> bool:
    return (counts["recall"] >= RECALL_TARGET and counts["precision"] >= PRECISION_TARGET
            and counts["false_discrepant"] == 0 and counts["must_detected"] == counts["must_detect"]
            and counts["decision_errors_detected"] == counts["decision_errors"])


def targets_met(scored: list[dict], stat_counts: dict | None = None) -> bool:
    s = summarise(scored)
    return (s["false_discrepant"] == 0 and s["must_detected"] == s["must_detect"] and not s["missing"]
            and (stat_counts is None or statistics_targets_met(stat_counts)))


SCORED_COLUMNS = synth.TRUTH_COLUMNS + ["in_ledger", "verdicts", "discrepant", "decision", "flagged", "detected"]


def write_scored(scored: list[dict], path: Path) -> None:
    write_rows(scored, SCORED_COLUMNS, path)


def validate(workdir: Path, studies: int, seed: int, error_rate: float = 0.1, ensure=(), cores: int = 2,
             snakefile: Path | None = None) -> tuple[list[dict], str]:
    """Generate, audit and score one corpus; return the scored items, the report and the text
    scan's counts (score_statistics)."""
    workdir = Path(workdir)
    force = (workdir / "truth.csv").is_file()
    synth.generate(workdir, studies, seed, error_rate, ensure, force=force)
    start = time.perf_counter()
    result = run_pipeline(workdir, cores, snakefile)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"the pipeline failed on {workdir} (exit {result.returncode}):\n"
                           f"{result.stderr[-4000:]}")
    ledger = _read(workdir / LEDGER)
    scored = score(ledger, _read(workdir / "truth.csv"))
    stats_scored, stat_counts = score_statistics(ledger, _read(workdir / synth.STAT_TRUTH))
    header = (f"# Validity on a synthetic corpus: {studies} studies, seed {seed}, error rate {error_rate:g}"
              + (f", ensured kinds {', '.join(ensure)}" if ensure else "")
              + f"; pipeline run by snakemake up to the ledger and its summary in {seconds:.0f} s")
    text = report(scored, header) + "\n" + statistics_report(stats_scored, stat_counts)
    (workdir / "validity.md").write_text(text, encoding="utf-8")
    write_scored(scored, workdir / "validity.csv")
    write_rows(stats_scored, STAT_SCORED_COLUMNS, workdir / "validity_statistics.csv")
    return scored, text, stat_counts


STAT_SCORED_COLUMNS = synth.STAT_TRUTH_COLUMNS + ["found", "verdict", "discrepant", "decision", "detected"]


def write_rows(rows: list[dict], columns: list[str], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        for r in rows:
            writer.writerow({k: str(v).lower() if isinstance(v, bool) else v for k, v in r.items()})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reanalysis.corpus.validity", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--studies", type=int, default=12, help="number of studies (default 12)")
    parser.add_argument("--seed", type=int, default=1, help="seed (default 1)")
    parser.add_argument("--workdir", help="where the corpus and its results go (default: a new temporary "
                                          "folder, kept); an earlier corpus there is replaced")
    parser.add_argument("--error-rate", type=float, default=0.1, help="see python -m reanalysis.corpus.synth")
    parser.add_argument("--ensure", default="", help="error kinds the corpus must contain, comma-separated")
    parser.add_argument("--cores", type=int, default=2, help="snakemake --cores (default 2)")
    parser.add_argument("--snakefile", help="the pipeline's Snakefile (default: the repository's)")
    args = parser.parse_args(argv)
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="reanalysis-validity-"))
    if workdir.exists() and any(workdir.iterdir()) and not (workdir / "truth.csv").is_file():
        print(f"error: {workdir} is not empty and holds no synthetic corpus", file=sys.stderr)
        return 2
    ensure = [k for k in args.ensure.split(",") if k]
    try:
        scored, text, stat_counts = validate(workdir, args.studies, args.seed, args.error_rate, ensure,
                                             args.cores, Path(args.snakefile) if args.snakefile else None)
    except (RuntimeError, ValueError, InputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(text, end="")
    print(f"\ncorpus, ledger and scores in {workdir} (validity.md, validity.csv, validity_statistics.csv)")
    return 0 if targets_met(scored, stat_counts) else 1


if __name__ == "__main__":
    sys.exit(main())
