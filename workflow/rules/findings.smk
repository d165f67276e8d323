# The findings (workflow/reanalysis/findings/): the ledger's flagged claims grouped by
# root cause and ranked by the strength of their evidence, into a table of their own
# (results/audit/findings.csv, and the rows each rests on); then summary.md, rendered from
# that table and the ledger (with the "Is the effect real?" rows after its sections).


rule findings:
    input:
        ledger=LEDGER,
        beyond=BEYOND_TABLES,
        config=CONFIG_FILE,
        # the words of each study's readings and arms
        studies=STUDY_CONFIGS,
    output:
        table=report(FINDINGS, caption="../report/findings.rst", category="Audit"),
        evidence=FINDING_EVIDENCE,
        summary=report(SUMMARY, caption="../report/summary.rst", category="Audit"),
    log:
        f"{RESULTS}/logs/findings.log",
    priority: 10
    conda:
        "../envs/reanalysis.yaml"
    script:
        "../scripts/findings.py"
