"""Adding a paper: scaffold a study (``new``) and check it on its own (``check``).

Both work from the repository root. ``new`` writes only ``raw/<study>/`` and
``config/studies/<study>.yaml``; ``check`` writes nothing. Every message says what to do.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
import time
from pathlib import Path

from reanalysis.audit.summary_level import ROW_KINDS
from reanalysis.engine.checks import example_lines
from reanalysis.errors import InputError
from reanalysis.inputs.config import STUDY_NAME, check_yaml, load_studies, study_file
from reanalysis.inputs.tables import gather, load_schema

CONFIG = Path("config/config.yaml")
SUMMARIES_SCHEMA = "workflow/schemas/summaries.schema.yaml"
CLAIMS_SCHEMA = "workflow/schemas/claims.schema.yaml"

_SUMMARY_STUB = """\
{title_note}title: >-
  {title}
design: summary_level
# The paper's text, in papers_dir (python -m reanalysis draft {study} reads it).
paper_files: [{paper_json}]
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
{kind_examples}
# figures:
#   forest_table1: {{kind: forest, title: "Table 1 as printed", location: "Table 1",
#                   panels: [{{outcome: hba1c, label: "HbA1c (%)"}}]}}
"""

_PATIENT_STUB = """\
{title_note}title: >-
  {title}
design: patient_level
# The paper's text, in papers_dir (python -m reanalysis draft {study} reads it).
paper_files: [{paper_json}]
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


# The title `new` writes where the paper's first lines hold none; `check` reports it.
TODO_TITLE = "TODO: the paper's title"
_NOT_TITLE = re.compile(r"(?:article|research(?: article)?|original (?:article|research)|review(?: article)?|"
                        r"case report|open access|not peer-reviewed version|preprint|letter|editorial|"
                        r"short communication|brief report|research paper)\W*", re.I)
_BODY = re.compile(r"(?:abstract|background|introduction|summary|objectives?|aims?|purpose|methods?|"
                   r"results?)\b", re.I)
_META = re.compile(r"(?i)\bdoi\b|https?://|www\.|\bissn\b|\breceived\b|\baccepted\b|\bpublished\b|"
                   r"\bposted\b|\bvolume\b|\bvol\.|copyright|©|licen[cs]e|correspond|e-?mail|@|\||\t|:\s*$"
                   r"|^(?:table|fig(?:ure)?\.?)\s*\d|\d\.\d|[±=<>%]")   # captions, printed results
# "Sood V, Bhansali A, ... Khandelwal N. The title. Journal 2017; ...": a citation's title
_CITATION = re.compile(r"(?:[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)* [A-Z]{1,3}\*?, ){2,}.*?"
                       r"(?:[A-Z][\w'’-]+ [A-Z]{1,3}|et al)\. (?P<title>[^.]{15,}?)\. ")


def paper_title(text: str, first_lines: int = 15) -> str | None:
    """The paper's title from its first lines, or None where none reads as one.

    A citation line ("Authors. Title. Journal ...") gives its title. Otherwise the first
    line of 4 to 40 words that starts with a capital and does not end in '.', skipping
    labels ("Research Article", "Not peer-reviewed version"), metadata (doi, dates,
    licences, "Label:"), table captions and rows, printed results ("HbA1c 9.02 ± 1.27")
    and lines of author names; the abstract or
    introduction starting first means the text holds no title."""
    lines = [re.sub(r"\s+", " ", line).strip() for line in text.split("\n")]
    for line in [line for line in lines if line][:first_lines]:
        cited = _CITATION.match(line)
        if cited:
            return cited.group("title").strip()
        if _BODY.match(line):
            return None
        words = re.findall(r"[^\W\d_][\w'’-]*", line)
        names = "," in line and all(w[0].isupper() or w in ("and", "et", "al") for w in words)
        if (_NOT_TITLE.fullmatch(line) or _META.search(line) or names or not 4 <= len(line.split()) <= 40
                or not line[0].isupper() or line.endswith(".")):
            continue
        return line[:300]
    return None


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
    title = paper_title(paper_path.read_text(encoding="utf-8"))
    title_note = "" if title else (f"# {paper_path.name} opens with no line that reads as a title: write the\n"
                                   "# paper's title below (python -m reanalysis check reports the placeholder).\n")
    fields = {"title": title or TODO_TITLE, "title_note": title_note, "study": study,
              "paper_json": json.dumps(paper_path.name, ensure_ascii=False), "papers_line": papers_line}
    _write_csv(raw / "claims.csv", _header(CLAIMS_SCHEMA))
    if design == "summary_level":
        _write_csv(raw / "summaries.csv", _header(SUMMARIES_SCHEMA))
        (raw / "ranges.yaml").write_text(_RANGES, encoding="utf-8")
        conf.write_text(_SUMMARY_STUB.format(**fields, kind_examples="\n".join(example_lines())), encoding="utf-8")
        steps = [f"transcribe every printed descriptive value into {raw}/summaries.csv",
                 f"give each outcome its range in {raw}/ranges.yaml"]
    else:
        _write_csv(raw / "table.csv", ["row_id", "printed_position", "source_line", "repair_note"])
        (raw / "table.schema.yaml").write_text(_PATIENT_SCHEMA, encoding="utf-8")
        conf.write_text(_PATIENT_STUB.format(**fields), encoding="utf-8")
        steps = [f"add the table's columns to {raw}/table.schema.yaml and {raw}/table.csv, "
                 "then one row per printed patient row"]
    steps.insert(0, f"python -m reanalysis draft {study} --out /tmp/{study}_draft.csv   (proposes rows "
                    "from the paper's text, with their lines; never writes raw/)")
    steps += [f"list every reported number in {raw}/claims.csv (p-values, totals, statements)",
              f"write the checks in {conf} (a commented example of every kind is there)",
              f"python -m reanalysis check {study}   (validates this study alone, in seconds)",
              "python -m reanalysis.inputs.manifest sign   (after review: signs raw/)",
              "snakemake --cores 4"]
    found = f"title: {title}" if title else f"title: {TODO_TITLE} (none found in the paper's first lines; write it)"
    print(f"wrote {raw}/ and {conf}\n{found}\nnext steps:")
    for i, step in enumerate(steps, 1):
        print(f"  {i}. {step}")
    return 0


def _relative(path: Path) -> str:
    try:
        return Path(os.path.relpath(path, Path.cwd())).as_posix()
    except ValueError:
        return path.as_posix()


def check_study(study: str) -> int:
    """Validate one study's config and transcription without running the pipeline: the
    input validation the pipeline runs and every transcription rule the tests run
    (reanalysis.inputs.transcription), each fault reported, not the first only."""
    from reanalysis.audit import designs
    from reanalysis.audit.ledger import load_claims
    from reanalysis.inputs import transcription
    from reanalysis.inputs.manifest import verify_study

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
    except InputError as exc:
        return _report(study, [str(exc)], [], start)
    spec = config["studies"][study]
    errors: list[InputError] = []
    data = gather(errors, designs.load, spec, errors)
    if data is not None:
        designs.validate_checks(spec, data, str(path), errors, _unreadable(spec, data))
    claims = gather(errors, load_claims, Path(spec["claims"]), Path(CLAIMS_SCHEMA), spec, errors)
    problems += [str(e) + _hint(e, study) for e in errors]
    papers = Path(spec.get("papers_dir", config["papers_dir"]))
    problems += transcription.faults(Path("."), spec, papers, str(path))
    problems += _config_problems(spec, papers, path)
    if data is not None and claims is not None:
        notes += _coverage_notes(spec, data, claims)
    try:
        verify_study(Path(config["raw_dir"]), study, designs.study_data_files(spec))
    except InputError as exc:
        notes.append(f"not signed yet: {exc} (sign after review: python -m reanalysis.inputs.manifest sign)")
    return _report(study, problems, notes, start)


def _unreadable(spec: dict, data) -> frozenset:
    """value_ids of summary rows whose own fault is reported (checks naming them wait)."""
    if spec["design"] != "summary_level":
        return frozenset()
    from reanalysis.inputs.transcription import read_rows
    return frozenset(r["value_id"] for _, r in read_rows(Path(spec["table"])) if r.get("value_id") not in data)


def _hint(exc: InputError, study: str) -> str:
    if "no data rows" in str(exc):
        return (f" (transcribe the paper's rows; python -m reanalysis draft {study} proposes them "
                "with their lines)")
    return ""


def _config_problems(spec: dict, papers: Path, path: Path) -> list[str]:
    """The title is not the placeholder `new` leaves; the paper files it names exist."""
    out = []
    if spec["title"].strip().startswith(TODO_TITLE.split(":")[0]):
        out.append(f"{path}, key 'title': still the placeholder {spec['title'].strip()!r}; write the paper's "
                   "title (new found none in the paper's first lines)")
    for name in spec.get("paper_files", []):
        if not (papers / name).is_file():
            out.append(f"{path}, key 'paper_files': paper text {papers / name} not found; put it there "
                       "or set papers_dir")
    return out


def _report(study: str, problems: list[str], notes: list[str], start: float) -> int:
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
