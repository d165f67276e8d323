# Stage 4: compare every claim with its recomputation; write the ledger and summary.


rule audit:
    input:
        recomputed=expand(f"{RESULTS}/recomputed/{{study}}.csv", study=STUDIES),
        claims=[config["studies"][s]["claims"] for s in STUDIES],
        claims_schema=CLAIMS_SCHEMA,
        config=CONFIG_FILE,
    output:
        ledger=report(LEDGER, caption="../report/ledger.rst", category="Audit"),
        summary=report(SUMMARY, caption="../report/summary.rst", category="Audit"),
    log:
        f"{RESULTS}/logs/audit.log",
    conda:
        "../envs/reanalysis.yaml"
    script:
        "../scripts/audit.py"
