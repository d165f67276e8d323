# Stage 3: figures regenerated from each study's data (one job per study with figures,
# written into its own folder), and the printed-against-recomputed p-values of all
# studies (from the ledger).


rule figures:
    input:
        unpack(study_raw_files),
        recomputed=f"{RESULTS}/recomputed/{{study}}.csv",
        validated=f"{RESULTS}/inputs/{{study}}.json",
    output:
        report(
            directory(f"{RESULTS}/figures/{{study}}"),
            patterns=["{name}.png", "{name}.svg"],
            caption="../report/figures.rst",
            category="Figures",
            subcategory="{study}",
        ),
    log:
        f"{RESULTS}/logs/figures/{{study}}.log",
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
            report(
                path,
                caption="../report/pvalues.rst",
                category="Figures",
                subcategory="all studies",
            )
            for path in PVALUE_FIGURE
        ],
    log:
        f"{RESULTS}/logs/figures/pvalues.log",
    conda:
        "../envs/reanalysis.yaml"
    script:
        "../scripts/pvalue_figure.py"
