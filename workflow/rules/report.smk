# Stage 5: the self-contained HTML report, from the ledger and every figure.


rule html_report:
    input:
        ledger=LEDGER,
        figures=all_figures(),
        beyond=BEYOND_TABLES,
        beyond_figures=BEYOND_FIGURES,
        template="workflow/report/report.html.j2",
        captions=sorted(
            {f"workflow/report/{f['caption']}" for f in FIGURES}
            | {"workflow/report/pvalues.rst", "workflow/report/beyond.rst"}
        ),
        config=CONFIG_FILE,
        studies=STUDY_CONFIGS,
    output:
        HTML_REPORT,
    log:
        f"{RESULTS}/logs/report.log",
    conda:
        "../envs/reanalysis.yaml"
    script:
        "../scripts/html_report.py"
