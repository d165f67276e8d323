# Stage 5: the self-contained HTML report, from the ledger and every figure.


rule html_report:
    input:
        ledger=LEDGER,
        figures=all_figures(exts=["png"]),
        template="workflow/report/report.html.j2",
        captions=sorted({f"workflow/report/{f['caption']}" for f in ALL_FIGURES}),
        config=CONFIG_FILE,
    output:
        HTML_REPORT,
    log:
        f"{RESULTS}/logs/report.log",
    conda:
        "../envs/reanalysis.yaml"
    script:
        "../scripts/html_report.py"
