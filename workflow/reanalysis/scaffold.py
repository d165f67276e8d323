"""Adding a paper: scaffold a study (``new``) and check it on its own (``check``).

Both work from the repository root. ``new`` writes only ``raw/<study>/`` and
``config/studies/<study>.yaml``; ``check`` writes nothing. Every message says what to do.
"""
from __future__ import annotations

import csv
import io
import re
import os
import sys
import time
from pathlib import Path

import yaml

from .config import STUDY_NAME, check_yaml, load_studies, study_file
from .inputs import InputError, load_schema
from .summary_level import ROW_KINDS

CONFIG = Path("config/config.yaml")
SUMMARIES_SCHEMA = "workflow/schemas/summaries.schema.yaml"
CLAIMS_SCHEMA = "workflow/schemas/claims.schema.yaml"

_SUMMARY_STUB = """\
title: >-
  {title}
design: summary_level
# The paper's text: {paper_name} in papers_dir.
{papers_line}table: raw/{study}/summaries.csv
table_schema: workflow/schemas/summaries.schema.yaml
claims: raw/{study}/claims.csv
# Physiological and logical ranges of this study's outcomes (every outcome needs one).
value_ranges: raw/{study}/ranges.yaml
# Line ranges of the paper transcribed in full: every number printed there must have a row
# in summaries.csv or claims.csv (the tests check it), except the label numbers listed.
# transcription:
#   lines: [[1, 40]]
#   labels: ["1"]
# The paper's significance level, with where it says so.
alpha: 0.05
# significance_levels: [0.05, 0.01, 0.001]
# Readings of n per arm. A row's printed n is the as_reported reading; each set is a
# labelled variant (n_<set>) of the checks that list it in n_variants.
# n_sets:
#   randomised: {{treatment: 45, placebo: 46}}
# Percentages of known values: a block whose table prints an Unknown or Missing count; its
# percentages are then of the stated n minus that count (as_reported: known), or that is
# the labelled reading n_known (as_reported: stated, the default).
# known_values:
#   race: {{rows: [X-RACE-WHITE-A, X-RACE-WHITE-B], unknown: [X-RACE-UNK-A, X-RACE-UNK-B],
#          as_reported: known}}
# integer_outcomes:
#   age: {{items: 1, why: "age in whole years"}}
checks: {{}}
# One entry per recomputable quantity; claims.csv names the check in its `check` column.
# The paper's stated test is the main reading; `alternatives` are labelled variants.
# Every kind, with its fields (ids are value_id's of summaries.csv):
#
#   between_arms_t:      {{kind: two_sample_t, a: X-T1-AGE-A, b: X-T1-AGE-B, test: student,
#                         alternatives: {{welch: {{test: welch}}, as_sem: {{dispersion: sem}}}},
#                         n_variants: [randomised]}}
#   k_groups:            {{kind: k_group_anova, groups: [X-AGE-G1, X-AGE-G2, X-AGE-G3], test: anova,
#                         alternatives: {{welch: {{test: welch}}, as_sem: {{dispersion: sem}}}}}}
#   proportions:         {{kind: two_proportions, a: X-MALE-A, b: X-MALE-B, test: chi2,
#                         alternatives: {{yates: {{test: chi2_yates}}, fisher: {{test: fisher}}}}}}
#   counts_table:        {{kind: contingency, table: [[X-M-G1, X-M-G2], [X-F-G1, X-F-G2]], test: chi2,
#                         alternatives: {{g: {{test: g_test}}, exact: {{test: fisher_freeman_halton}}}}}}
#   rate_difference_ci:  {{kind: proportion_difference_ci, a: X-W48-A, b: X-W48-B, level: 0.95,
#                         method: wald, bound: lower, alternatives: {{newcombe: {{method: newcombe}}}}}}
#   within_arm:          {{kind: paired_from_summary, before: X-BL-A, after: X-W48-A, dispersion: printed}}
#   change_between_arms: {{kind: change_between_groups, a_before: X-BL-A, a_after: X-W48-A,
#                         b_before: X-BL-B, b_after: X-W48-B, test: student}}
#   printed_statistic:   {{kind: reported_statistic, a: X-TXT-T, alternatives: {{one_tailed: {{tails: 1}}}}}}
#   sd_possible:         {{kind: sd_feasibility, a: X-ONSET, range: X-ONSET-RANGE}}
#   sd_within_follow_up: {{kind: sd_feasibility, a: X-DURATION, bounds: [0, 48], why: "48-week follow-up"}}
#   change:              {{kind: difference, a: X-BL-A, b: X-W48-A, component: mean}}
#   total:               {{kind: sum, parts: [X-N-A, X-N-B], component: count}}
#   restated:            {{kind: value, a: X-TXT-N, component: count}}
# figures:
#   forest_table1: {{kind: forest, title: "Table 1 as printed", location: "Table 1",
#                   panels: [{{outcome: hba1c, label: "HbA1c (%)"}}]}}
"""

_PATIENT_STUB = """\
title: >-
  {title}
design: patient_level
# The paper's text: {paper_name} in papers_dir.
{papers_line}table: raw/{study}/table.csv
# Column rules of the patient table (types, ranges): raw/{study}/table.schema.yaml.
table_schema: raw/{study}/table.schema.yaml
claims: raw/{study}/claims.csv
# The paper's significance level, with where it says so.
alpha: 0.05
# derived: {{reduction: {{difference: [before, after]}}}}
# groupings:
#   severity: {{column: before, variants: {{as_reported: {{moderate: {{lte: 8.0}}, severe: {{gt: 8.0}}}}}}}}
# methods: {{paired_test: {{as_reported: paired_t, wilcoxon: wilcoxon}},
#           correlation: {{as_reported: pearson, spearman: spearman}}}}
checks: {{}}
# Every kind, with its fields (columns of the table):
#   n:          {{analysis: count, statistic: n}}
#   mean_age:   {{analysis: mean, column: age, statistic: value}}
#   median:     {{analysis: median, column: months, statistic: value}}
#   q1:         {{analysis: quantile, column: months, q: 0.25, statistic: value}}
#   paired_p:   {{analysis: paired_test, before: before, after: after, statistic: p}}
#   r:          {{analysis: correlation, x: dose, y: reduction, statistic: r}}
#   difference: {{analysis: two_group_test, column: reduction, group_a: severity.severe,
#                group_b: severity.moderate, statistic: mean_difference}}
"""

_PATIENT_SCHEMA = """\
# One row per printed patient row. `type` converts the transcribed text strictly; the
# other keys are JSON Schema rules on the converted value; `nullable` allows an empty cell.
description: one row per patient, as printed
columns:
  row_id: {type: string, pattern: "^P[0-9]{2,3}$", unique: true}
  printed_position: {type: integer, minimum: 1, unique: true}
  source_line: {type: integer, minimum: 1, unique: true}
  # add one entry per printed column, e.g.
  # age: {type: integer, minimum: 0, maximum: 120, description: "years"}
  repair_note: {type: string, nullable: true}
"""

_RANGES = """\
# Physiological and logical ranges of this study's printed numbers, per outcome (JSON
# Schema keywords), checked against the location components (mean, median, q1, q3,
# value, low, high). Percent, SD, count and n ranges are common to every study.
outcomes: {}
#  hba1c: {minimum: 3, maximum: 20}   # %
"""


def _header(schema_path: str) -> list[str]:
    return list(load_schema(Path(schema_path))["columns"])


def _write_csv(path: Path, header: list[str]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(header)
    path.write_text(out.getvalue(), encoding="utf-8")


def new_study(study: str, design: str, paper: str) -> int:
    """Scaffold raw/<study>/ and config/studies/<study>.yaml; print the next steps."""
    config = check_yaml(CONFIG)
    if not STUDY_NAME.match(study):
        print(f"study name {study!r}: use lower-case letters, digits and _, starting with a letter",
              file=sys.stderr)
        return 2
    paper_path = Path(paper)
    if not paper_path.is_file():
        print(f"--paper {paper}: file not found; give the path of the paper's plain-text file",
              file=sys.stderr)
        return 2
    raw = Path(config["raw_dir"]) / study
    conf = Path(study_file(config, study))
    for path in (raw, conf):
        if path.exists():
            print(f"{path} already exists; choose another study name, or edit it", file=sys.stderr)
            return 2
    shared = Path(config["papers_dir"]).resolve()
    own_dir = paper_path.resolve().parent
    papers_line = "" if own_dir == shared else f"papers_dir: {_relative(own_dir)}\n"
    raw.mkdir(parents=True)
    first = next((line.strip() for line in paper_path.read_text(encoding="utf-8").split("\n")
                  if line.strip()), study)
    title = re.sub(r"\s+", " ", first)[:300]
    fields = {"title": title, "study": study, "paper_name": paper_path.name, "papers_line": papers_line}
    _write_csv(raw / "claims.csv", _header(CLAIMS_SCHEMA))
    if design == "summary_level":
        _write_csv(raw / "summaries.csv", _header(SUMMARIES_SCHEMA))
        (raw / "ranges.yaml").write_text(_RANGES, encoding="utf-8")
        conf.write_text(_SUMMARY_STUB.format(**fields), encoding="utf-8")
        steps = [f"transcribe every printed descriptive value into {raw}/summaries.csv "
                 f"(python -m reanalysis draft {study} proposes rows with their lines)",
                 f"give each outcome its range in {raw}/ranges.yaml"]
    else:
        _write_csv(raw / "table.csv", ["row_id", "printed_position", "source_line", "repair_note"])
        (raw / "table.schema.yaml").write_text(_PATIENT_SCHEMA, encoding="utf-8")
        conf.write_text(_PATIENT_STUB.format(**fields), encoding="utf-8")
        steps = [f"add the table's columns to {raw}/table.schema.yaml and {raw}/table.csv, "
                 "then one row per printed patient row"]
    steps += [f"list every reported number in {raw}/claims.csv (p-values, totals, statements)",
              f"write the checks in {conf} (a commented example of every kind is there)",
              f"python -m reanalysis check {study}   (validates this study alone, in seconds)",
              "python -m reanalysis.manifest sign   (after review: signs raw/)",
              "snakemake --cores 4"]
    print(f"wrote {raw}/ and {conf}\nnext steps:")
    for i, step in enumerate(steps, 1):
        print(f"  {i}. {step}")
    return 0


def _relative(path: Path) -> str:
    try:
        return Path(os.path.relpath(path, Path.cwd())).as_posix()
    except ValueError:
        return path.as_posix()


def check_study(study: str) -> int:
    """Validate one study's config and transcription without running the pipeline."""
    from . import designs
    from .ledger import load_claims
    from .manifest import verify_study

    start = time.perf_counter()
    problems, notes = [], []
    try:
        config = check_yaml(CONFIG)
        path = Path(study_file(config, study))
        if not path.is_file():
            known = sorted(p.stem for p in Path(config["studies_dir"]).glob("*.yaml"))
            raise InputError(path, "no such study", value=study,
                             rule=f"a file config/studies/<study>.yaml; known: {', '.join(known)}; "
                                  f"python -m reanalysis new {study} ... writes one")
        config = load_studies(config, only=study)
        spec = config["studies"][study]
        data = designs.load(spec)
        designs.validate_checks(spec, data, str(path))
        claims = load_claims(Path(spec["claims"]), Path(CLAIMS_SCHEMA), spec)
        problems += _paper_problems(config, study, spec, data, claims)
        notes += _coverage_notes(spec, data, claims)
        try:
            verify_study(Path(config["raw_dir"]), study, designs.study_data_files(spec))
        except InputError as exc:
            notes.append(f"not signed yet: {exc} (sign after review: python -m reanalysis.manifest sign)")
    except InputError as exc:
        hint = (f" (transcribe the paper's rows; python -m reanalysis draft {study} proposes them "
                "with their lines)") if "no data rows" in str(exc) else ""
        problems.append(str(exc) + hint)
    for note in notes:
        print(f"note: {note}")
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    took = time.perf_counter() - start
    if problems:
        print(f"{study}: {len(problems)} problem(s) ({took:.1f} s)", file=sys.stderr)
        return 1
    print(f"{study}: config and transcription valid ({took:.1f} s)")
    return 0


def _paper_problems(config, study, spec, data, claims) -> list[str]:
    """Every transcribed row quotes its paper's line verbatim."""
    papers = Path(spec.get("papers_dir", config["papers_dir"]))
    rows = [(spec["claims"], c["_where"], c) for c in claims]
    if spec["design"] == "summary_level":
        rows += [(spec["table"], r.raw["_where"], r.raw) for r in data.values()]
    out, missing = [], {}
    for file, where, r in rows:
        paper = papers / r["source_file"]
        if not paper.is_file():
            missing.setdefault(paper, []).append(f"{file}, row {where}")
            continue
        lines = paper.read_text(encoding="utf-8").split("\n")
        n = int(r["source_line"])
        if not 1 <= n <= len(lines) or r["reported"] not in lines[n - 1]:
            out.append(f"{file}, row {where}, column 'reported': {r['reported']!r} is not on line {n} of "
                       f"{r['source_file']}; quote the printed text verbatim, with its line")
    for paper, where in missing.items():
        out.insert(0, f"{where[0]}, column 'source_file' (and {len(where) - 1} more rows): paper text "
                      f"{paper} not found; put it there or set papers_dir in config/studies/{study}.yaml")
    return out


def _coverage_notes(spec, data, claims) -> list[str]:
    notes = []
    used = {c["check"] for c in claims if c.get("check")}
    # checks of one printed row (sd_feasibility) are that row's own verdict, named by no claim
    unused = sorted(name for name, c in spec.get("checks", {}).items()
                    if name not in used and c.get("kind") not in ROW_KINDS)
    if unused:
        notes.append(f"checks no claim names (their statistics are still recomputed): {', '.join(unused)}")
    if spec["design"] == "summary_level":
        ranges = load_schema(Path(spec["value_ranges"])).get("outcomes") or {} if spec.get("value_ranges") else {}
        located = {r.outcome for r in data.values()
                   if any(k in r.parts for k in ("mean", "median", "value", "low"))}
        missing = sorted(located - set(ranges))
        if missing:
            notes.append(f"outcomes without a physiological range in {spec.get('value_ranges')}: "
                         f"{', '.join(missing)} (add e.g. `{missing[0]}: {{minimum: 0}}`)")
    return notes
