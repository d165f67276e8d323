# Config validation, study lists and path helpers shared by every stage.
import os
from pathlib import Path

from snakemake.utils import min_version

from reanalysis.figures.catalogue import (
    PVALUE_FIGURE as _PVALUE_FIGURE,
    figure_catalogue,
)
from reanalysis.inputs.config import (
    STUDY_NAME as _STUDY_NAME,
    audit_parts,
    load_studies,
    study_file,
)
from reanalysis.scan.papers import paper_paths as _scanned_papers

min_version("9.0")


# Our own validation (not snakemake.utils.validate) so that a config error names the
# file, the key path, the value and the rule, like every other input error. Every
# <study>.yaml in studies_dir becomes config["studies"][<study>].
load_studies(config, "config/config.yaml", cache=True)

RESULTS = config["results_dir"]
STUDY_NAME_PATTERN = _STUDY_NAME.pattern.strip("^$")
RAW = config["raw_dir"]
STUDIES = sorted(config["studies"])
LEDGER = f"{RESULTS}/audit/claims.csv"
SUMMARY = f"{RESULTS}/audit/summary.md"
FINDINGS = f"{RESULTS}/audit/findings.csv"
FINDING_EVIDENCE = f"{RESULTS}/audit/finding_evidence.csv"
HTML_REPORT = f"{RESULTS}/report.html"
# one letter per paper with findings (<study>.md and .html)
LETTERS = f"{RESULTS}/letters"
CLAIMS_SCHEMA = "workflow/schemas/claims.schema.yaml"
# the report's template and captions are part of the workflow, not of the data: found
# beside this Snakefile even when Snakemake runs in another --directory (a corpus)
REPORT_TEMPLATES = os.path.relpath(Path(workflow.basedir) / "workflow" / "report")
# Jobs take the config files as inputs instead of `params:`, so that any edit to an
# assumption reruns what depends on it (a study's own file: that study only), and a
# no-op rerun need not hash params (which makes Snakemake import pandas).
CONFIG_FILE = "config/config.yaml"
STUDY_CONFIGS = [study_file(config, s) for s in STUDIES]
FIGURES = figure_catalogue(config)
FIGURE_STUDIES = sorted({f["study"] for f in FIGURES})


# the studies of each audit job (config `studies_per_job`; one study a job by default)
AUDIT_PARTS = audit_parts(config)
PART_OF = {s: part for part, members in AUDIT_PARTS.items() for s in members}


# The form of a study's name (and so of a batch's), not the list of names: with 1,000
# studies a regex of every name costs more to compile than the whole DAG. A name not
# configured still fails: the input functions look it up in the config.
wildcard_constraints:
    study=STUDY_NAME_PATTERN,
    studies=STUDY_NAME_PATTERN,


def study_raw_files(wildcards):
    """The files a study's jobs read: its transcription, schemas and config files. Not the
    checksum manifest, which every study shares: re-signing after an edit to one study
    would rerun all of them. The audit job still checks its study's files against the
    manifest, and the ledger job, which takes the manifest, checks every file."""
    return raw_files_of(wildcards.study)


def raw_files_of(name):
    study = config["studies"][name]
    files = {
        "table": study["table"],
        "table_schema": study["table_schema"],
        "claims": study["claims"],
        "claims_schema": CLAIMS_SCHEMA,
        "config": CONFIG_FILE,
        "study_config": study_file(config, name),
    }
    if "value_ranges" in study:
        files["value_ranges"] = study["value_ranges"]
    return files


def part_raw_files(wildcards):
    """What one audit job reads: the files of each of its studies, once each."""
    per_study = [raw_files_of(s) for s in AUDIT_PARTS[wildcards.studies]]
    shared = ("claims_schema", "config")
    files = {k: per_study[0][k] for k in shared}
    files["studies"] = sorted(
        {v for f in per_study for k, v in f.items() if k not in shared}
    )
    # the paper files each study's text scan reads (config `scan_text`)
    files["papers"] = sorted(
        {
            p
            for s in AUDIT_PARTS[wildcards.studies]
            for p in _scanned_papers(config, s, study_file(config, s))
        }
    )
    return files


def part_output(kind, study):
    """The audit job's output of `kind` ("inputs", "recomputed", "audit") for a study."""
    return AUDIT_OUTPUTS[kind].format(studies=PART_OF[study])


# what each audit job writes, for its studies together
AUDIT_OUTPUTS = {
    "inputs": f"{RESULTS}/inputs/{{studies}}.json",
    "recomputed": f"{RESULTS}/recomputed/{{studies}}.csv",
    "audit": f"{RESULTS}/audit/studies/{{studies}}.csv",
}


def figure_dir(study):
    return f"{RESULTS}/figures/{study}"


PVALUE_FIGURE = [
    f"{RESULTS}/figures/{_PVALUE_FIGURE['name']}.{ext}" for ext in ("png", "svg")
]
DISCREPANCY_FIGURE = [
    f"{RESULTS}/figures/discrepancies.{ext}" for ext in ("png", "svg")
]


def all_figures():
    """Every study's figure folder, and the all-studies p-value figure."""
    return [figure_dir(s) for s in FIGURE_STUDIES] + PVALUE_FIGURE


# "Is the effect real?" (workflow/rules/beyond.smk): the studies with a
# `beyond` section, the shared file of the analyses that span studies, and the outputs.
BEYOND_STUDIES = [s for s in STUDIES if config["studies"][s].get("beyond")]
BEYOND_CONFIG = [config["beyond"]] if config.get("beyond") else []
BEYOND_TABLES = [f"{RESULTS}/beyond/{s}.csv" for s in BEYOND_STUDIES] + [
    f"{RESULTS}/beyond/corpus.csv" for _ in BEYOND_CONFIG
]
BEYOND_FIGURES = [
    f"{RESULTS}/figures/beyond/pooled_forest.{ext}"
    for _ in BEYOND_CONFIG
    for ext in ("png", "svg")
]

# every study's transcription and claims (the section reads the studies it names)
BEYOND_RAW = sorted(
    {config["studies"][s][k] for s in STUDIES for k in ("table", "claims")}
)
