# Config validation, study lists and path helpers shared by every stage.
from snakemake.utils import min_version

from reanalysis.catalogue import PVALUE_FIGURE as _PVALUE_FIGURE, figure_catalogue
from reanalysis.config import load_studies, study_file

min_version("9.0")


# Our own validation (not snakemake.utils.validate) so that a config error names the
# file, the key path, the value and the rule, like every other input error. Every
# <study>.yaml in studies_dir becomes config["studies"][<study>].
load_studies(config, "config/config.yaml", cache=True)

RESULTS = config["results_dir"]
RAW = config["raw_dir"]
STUDIES = sorted(config["studies"])
LEDGER = f"{RESULTS}/audit/claims.csv"
SUMMARY = f"{RESULTS}/audit/summary.md"
HTML_REPORT = f"{RESULTS}/report.html"
CLAIMS_SCHEMA = "workflow/schemas/claims.schema.yaml"
# Jobs take the config files as inputs instead of `params:`, so that any edit to an
# assumption reruns what depends on it (a study's own file: that study only), and a
# no-op rerun need not hash params (which makes Snakemake import pandas).
CONFIG_FILE = "config/config.yaml"
STUDY_CONFIGS = [study_file(config, s) for s in STUDIES]
FIGURES = figure_catalogue(config)
FIGURE_STUDIES = sorted({f["study"] for f in FIGURES})


wildcard_constraints:
    study="|".join(STUDIES),


def study_raw_files(wildcards):
    """The files a study's jobs read: its transcription, schemas and config files, and the
    checksum manifest."""
    study = config["studies"][wildcards.study]
    files = {
        "table": study["table"],
        "table_schema": study["table_schema"],
        "claims": study["claims"],
        "claims_schema": CLAIMS_SCHEMA,
        "manifest": f"{RAW}/MANIFEST.sha256",
        "config": CONFIG_FILE,
        "study_config": study_file(config, wildcards.study),
    }
    if "value_ranges" in study:
        files["value_ranges"] = study["value_ranges"]
    return files


def figure_dir(study):
    return f"{RESULTS}/figures/{study}"


PVALUE_FIGURE = [
    f"{RESULTS}/figures/{_PVALUE_FIGURE['name']}.{ext}" for ext in ("png", "svg")
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
