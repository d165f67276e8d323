# Stage 2: one job per study (so that with --keep-going a broken study does not stop the
# others): verify its signed files, validate its table, claims and checks, recompute every
# statistic under every variant, and compare every claim with its recomputation. One job
# rather than three because each Python job pays its imports. Then merge into one ledger.


rule audit_study:
    input:
        unpack(study_raw_files),
    output:
        validated=f"{RESULTS}/inputs/{{study}}.json",
        recomputed=report(
            f"{RESULTS}/recomputed/{{study}}.csv",
            caption="../report/recomputed.rst",
            category="Recomputed statistics",
        ),
        audit=f"{RESULTS}/audit/studies/{{study}}.csv",
    log:
        f"{RESULTS}/logs/audit/{{study}}.log",
    conda:
        "../envs/reanalysis.yaml"
    script:
        "../scripts/audit_study.py"


rule ledger:
    input:
        studies=expand(f"{RESULTS}/audit/studies/{{study}}.csv", study=STUDIES),
        # the "Is the effect real?" rows, summarised after the ledger's sections
        beyond=BEYOND_TABLES,
        config=CONFIG_FILE,
    output:
        ledger=report(LEDGER, caption="../report/ledger.rst", category="Audit"),
        summary=report(SUMMARY, caption="../report/summary.rst", category="Audit"),
    log:
        f"{RESULTS}/logs/ledger.log",
    conda:
        "../envs/reanalysis.yaml"
    script:
        "../scripts/ledger.py"
