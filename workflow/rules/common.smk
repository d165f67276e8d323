# Config validation, study lists and path helpers shared by every stage.
from snakemake.utils import min_version

from reanalysis.catalogue import PVALUE_FIGURE as _PVALUE_FIGURE, figure_catalogue
from reanalysis.config import validate_config

min_version("9.0")


# Our own validation (not snakemake.utils.validate) so that a config error names the
# file, the key path, the value and the rule, like every other input error.
validate_config(config, "config/config.yaml", "workflow/schemas/config.schema.yaml")

RESULTS = config["results_dir"]
RAW = config["raw_dir"]
STUDIES = sorted(config["studies"])
LEDGER = f"{RESULTS}/audit/claims.csv"
SUMMARY = f"{RESULTS}/audit/summary.md"
HTML_REPORT = f"{RESULTS}/report.html"
CLAIMS_SCHEMA = "workflow/schemas/claims.schema.yaml"
# Jobs take the config file as an input instead of `params:`, so that any edit to an
# assumption reruns what depends on it, and a no-op rerun need not hash params
# (which makes Snakemake import pandas).
CONFIG_FILE = "config/config.yaml"
FIGURES = figure_catalogue(config)


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


def figure_paths(figure, ext):
    stem = f"{figure['study']}/{figure['name']}" if figure["study"] else figure["name"]
    return f"{RESULTS}/figures/{stem}.{ext}"


def study_figures(study):
    """(path, caption file) of every file of a study's figures."""
    return [
        (figure_paths(f, ext), f"../report/{f['caption']}")
        for f in FIGURES
        if f["study"] == study
        for ext in ("png", "svg")
    ]


FIGURE_STUDIES = sorted({f["study"] for f in FIGURES})
PVALUE_FIGURE = [figure_paths(_PVALUE_FIGURE, ext) for ext in ("png", "svg")]
# every figure the workflow draws, the all-studies p-value figure included
ALL_FIGURES = FIGURES + [_PVALUE_FIGURE]


def all_figures(exts=("png", "svg")):
    return [figure_paths(f, ext) for f in ALL_FIGURES for ext in exts]
