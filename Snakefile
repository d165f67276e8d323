# Reproducible, rounding-aware reanalysis of published clinical statistics.
# Run: snakemake --cores 4. Stages live in workflow/rules/, their logic in workflow/reanalysis/<stage>/.
# Shared settings: config/config.yaml; one file per study: config/studies/<study>.yaml.

from reanalysis.inputs.config import check_yaml

# Snakemake would only say the file is not valid YAML; this names the line.
check_yaml("config/config.yaml")


configfile: "config/config.yaml"


# In stage order, as the package is laid out (workflow/reanalysis/<stage>/).
include: "workflow/rules/common.smk"
include: "workflow/rules/audit.smk"
include: "workflow/rules/findings.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/beyond.smk"
include: "workflow/rules/trust.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        LEDGER,
        FINDINGS,
        SUMMARY,
        all_figures(),
        BEYOND_TABLES,
        BEYOND_FIGURES,
        HTML_REPORT,
        TRUST_TABLES,
        LETTERS,
