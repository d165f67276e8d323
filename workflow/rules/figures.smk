# Stage 3: figures regenerated from each study's data (one job per study with figures),
# and the printed-against-recomputed p-values of all studies (from the ledger).

for _study in FIGURE_STUDIES:

    rule:
        name:
            f"figures_{_study}"
        input:
            table=config["studies"][_study]["table"],
            claims=config["studies"][_study]["claims"],
            claims_schema=CLAIMS_SCHEMA,
            recomputed=f"{RESULTS}/recomputed/{_study}.csv",
            validated=f"{RESULTS}/inputs/{_study}.json",
            config=CONFIG_FILE,
        output:
            [
                report(path, caption=caption, category="Figures", subcategory=_study)
                for path, caption in study_figures(_study)
            ],
        log:
            f"{RESULTS}/logs/figures/{_study}.log",
        conda:
            "../envs/reanalysis.yaml"
        script:
            "../scripts/figures.py"


rule pvalue_figure:
    input:
        ledger=LEDGER,
        config=CONFIG_FILE,
    output:
        [
            report(path, caption="../report/pvalues.rst", category="Figures", subcategory="all studies")
            for path in PVALUE_FIGURE
        ],
    log:
        f"{RESULTS}/logs/figures/pvalues.log",
    conda:
        "../envs/reanalysis.yaml"
    script:
        "../scripts/pvalue_figure.py"
