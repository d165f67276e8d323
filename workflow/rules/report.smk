# The report (workflow/reanalysis/report/): the self-contained HTML report, the findings' figure and one letter per paper
# with findings, all rendered from the ledger and the findings table (results/audit/
# findings.csv and finding_evidence.csv); none computes a finding.


rule html_report:
    input:
        ledger=LEDGER,
        findings=FINDINGS,
        evidence=FINDING_EVIDENCE,
        # INSPECT-SR per randomised trial: a table in the report, a sentence in the letter
        trust=TRUST_TABLES,
        # the statistics beside each evidence row (the test with its df)
        recomputed=expand(AUDIT_OUTPUTS["recomputed"], studies=AUDIT_PARTS),
        figures=all_figures(),
        beyond=BEYOND_TABLES,
        beyond_figures=BEYOND_FIGURES,
        template=f"{REPORT_TEMPLATES}/report.html.j2",
        letter_template=f"{REPORT_TEMPLATES}/letter.html.j2",
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
        # the findings, one strip each: printed against recomputed
        discrepancies=[
            report(
                path,
                caption="../report/discrepancies.rst",
                category="Figures",
                subcategory="all studies",
            )
            for path in DISCREPANCY_FIGURE
        ],
        letters=directory(LETTERS),
    log:
        f"{RESULTS}/logs/report.log",
    conda:
        "../envs/reanalysis.yaml"
    script:
        "../scripts/html_report.py"
