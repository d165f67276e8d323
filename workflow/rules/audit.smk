# The audit (workflow/reanalysis/audit/, with scan/ for the paper's text): one job per study (so that with --keep-going a broken study does not stop the
# others), or per batch of `studies_per_job` studies for a large corpus: verify its signed
# files, validate its table, claims and checks, recompute every statistic under every
# variant, and compare every claim with its recomputation. One job rather than three
# because each Python job pays its imports. Then merge into one ledger.


rule audit_study:
    input:
        unpack(part_raw_files),
    output:
        validated=AUDIT_OUTPUTS["inputs"],
        recomputed=report(
            AUDIT_OUTPUTS["recomputed"],
            caption="../report/recomputed.rst",
            category="Recomputed statistics",
        ),
        audit=AUDIT_OUTPUTS["audit"],
    log:
        f"{RESULTS}/logs/audit/{{studies}}.log",
    conda:
        "../envs/reanalysis.yaml"
    script:
        "../scripts/audit_study.py"


rule ledger:
    input:
        studies=expand(AUDIT_OUTPUTS["audit"], studies=AUDIT_PARTS),
        config=CONFIG_FILE,
        # every signed file checked again here, so that a change to the manifest alone
        # (which no study's job takes) is still caught
        manifest=f"{RAW}/MANIFEST.sha256",
    output:
        ledger=report(LEDGER, caption="../report/ledger.rst", category="Audit"),
        # drawn from the ledger in the same job (one interpreter start and one step fewer
        # on the way to the report): printed against recomputed p-values of all studies
        pvalues=[
            report(
                path,
                caption="../report/pvalues.rst",
                category="Figures",
                subcategory="all studies",
            )
            for path in PVALUE_FIGURE
        ],
    log:
        f"{RESULTS}/logs/ledger.log",
    # on the path to the report (beyond -> ledger -> report): started before the
    # per-study figures, which nothing else waits for
    priority: 10
    conda:
        "../envs/reanalysis.yaml"
    script:
        "../scripts/ledger.py"
