# Stage 3: figures regenerated from each patient-level table (one job per study).

for _study in PATIENT_LEVEL:

    rule:
        name:
            f"figures_{_study}"
        input:
            table=config["studies"][_study]["table"],
            validated=f"{RESULTS}/inputs/{_study}.json",
            config=CONFIG_FILE,
        output:
            [
                report(path, caption="../report/figure.rst", category="Figures", subcategory=_study)
                for path in figure_files(_study)
            ],
        log:
            f"{RESULTS}/logs/figures/{_study}.log",
        conda:
            "../envs/reanalysis.yaml"
        script:
            "../scripts/figures.py"
