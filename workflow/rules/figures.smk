# Stage 3: figures regenerated from each study's data (one job per study with figures,
# written into its own folder). The two figures drawn from the ledger (p-values of all
# studies, the findings' discrepancies) come with it (audit.smk, rule ledger).


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
