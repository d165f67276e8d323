# Figures (workflow/reanalysis/figures/): regenerated from each study's data (one job per study with figures,
# written into its own folder); a time course's significance marks are the ledger's (the
# study's audited rows), written beside it. The p-value figure of all studies comes with
# the ledger (audit.smk, rule ledger), the findings' figure with the report (report.smk).


rule figures:
    input:
        unpack(study_raw_files),
        recomputed=lambda w: part_output("recomputed", w.study),
        validated=lambda w: part_output("inputs", w.study),
        audit=lambda w: part_output("audit", w.study),
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
