# Stage 5: the self-contained HTML report, from the ledger and every figure, and the
# one-page letter to the editor (both open on the findings, reanalysis/findings.py).


rule html_report:
    input:
        ledger=LEDGER,
        figures=all_figures(),
        finding_figures=DISCREPANCY_FIGURE,
        beyond=BEYOND_TABLES,
        beyond_figures=BEYOND_FIGURES,
        template=f"{REPORT_TEMPLATES}/report.html.j2",
        captions=sorted(
            {f"{REPORT_TEMPLATES}/{f['caption']}" for f in FIGURES}
            | {
                f"{REPORT_TEMPLATES}/pvalues.rst",
                f"{REPORT_TEMPLATES}/beyond.rst",
                f"{REPORT_TEMPLATES}/discrepancies.rst",
            }
        ),
        # (not every study's file as well: the titles it reads come with the ledger, whose
        # audit jobs each take their study's file; 1,000 more inputs slow every no-op)
        config=CONFIG_FILE,
    output:
        html=HTML_REPORT,
        letter=f"{RESULTS}/letter.md",
    log:
        f"{RESULTS}/logs/report.log",
    conda:
        "../envs/reanalysis.yaml"
    script:
        "../scripts/html_report.py"
