# Stage 3: figures regenerated from each study's data (one job per study with figures,
# written into its own folder), and from the ledger: the printed-against-recomputed
# p-values of all studies and the panel of the findings' discrepancies.


rule figures:
    input:
        unpack(study_raw_files),
        recomputed=lambda w: part_output("recomputed", w.study),
        validated=lambda w: part_output("inputs", w.study),
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
        pvalues=[
            report(
                path,
                caption="../report/pvalues.rst",
                category="Figures",
                subcategory="all studies",
            )
            for path in PVALUE_FIGURE
        ],
        # the findings (reanalysis/findings.py), one row each, a panel per study
        discrepancies=[
            report(
                f"{RESULTS}/figures/discrepancies.{ext}",
                caption="../report/discrepancies.rst",
                category="Figures",
                subcategory="all studies",
            )
            for ext in ("png", "svg")
        ],
    log:
        f"{RESULTS}/logs/figures/pvalues.log",
    # on the path to the report (beyond -> ledger -> p-value figure -> report):
    # started before the per-study figures, which nothing else waits for
    priority: 10
    conda:
        "../envs/reanalysis.yaml"
    script:
        "../scripts/pvalue_figure.py"
