# Config validation, study lists and path helpers shared by every stage.
from snakemake.utils import min_version, validate

min_version("9.0")


validate(config, "../schemas/config.schema.yaml")

RESULTS = config["results_dir"]
RAW = config["raw_dir"]
STUDIES = sorted(config["studies"])
PATIENT_LEVEL = [s for s in STUDIES if config["studies"][s]["design"] == "patient_level"]
LEDGER = f"{RESULTS}/audit/claims.csv"
SUMMARY = f"{RESULTS}/audit/summary.md"
CLAIMS_SCHEMA = "workflow/schemas/claims.schema.yaml"
# Jobs take the config file as an input instead of `params:`, so that any edit to an
# assumption reruns what depends on it, and a no-op rerun need not hash params
# (which makes Snakemake import pandas).
CONFIG_FILE = "config/config.yaml"


wildcard_constraints:
    study="|".join(STUDIES),


def study_raw_files(wildcards):
    """The transcribed files a study's jobs read, plus the checksum manifest."""
    study = config["studies"][wildcards.study]
    return {
        "table": study["table"],
        "table_schema": study["table_schema"],
        "claims": study["claims"],
        "claims_schema": CLAIMS_SCHEMA,
        "manifest": f"{RAW}/MANIFEST.sha256",
        "config": CONFIG_FILE,
    }


def figure_names(study):
    """Patient-level studies list figures under `specs`; summary-level ones directly."""
    figures = config["studies"][study].get("figures", {})
    return sorted(figures.get("specs", {}) if study in PATIENT_LEVEL else figures)


def figure_files(study):
    names = figure_names(study)
    return [f"{RESULTS}/figures/{study}/{name}.{ext}" for name in names for ext in ("png", "svg")]


FIGURE_STUDIES = [s for s in STUDIES if figure_names(s)]
PVALUE_FIGURE = [f"{RESULTS}/figures/pvalues.{ext}" for ext in ("png", "svg")]


def all_figures():
    return [path for study in FIGURE_STUDIES for path in figure_files(study)] + PVALUE_FIGURE
