# "Is the effect real?" (workflow/reanalysis/beyond/): regression to the mean, an external control, missing
# patients, pooled evidence, Carlisle's baseline check, robustness and a reverse search
# (workflow/reanalysis/beyond/questions.py). One job: every study with a `beyond` section in its
# config gets results/beyond/<study>.csv; the analyses that span studies (the file
# config/config.yaml names under `beyond`) write results/beyond/corpus.csv and the forest
# plot. Its tables go into summary.md and the report.

if BEYOND_TABLES:

    rule beyond:
        input:
            raw=BEYOND_RAW,
            validated=expand(AUDIT_OUTPUTS["inputs"], studies=AUDIT_PARTS),
            claims_schema=CLAIMS_SCHEMA,
            schema="workflow/schemas/beyond.schema.yaml",
            config=CONFIG_FILE,
            studies=STUDY_CONFIGS,
            shared=BEYOND_CONFIG,
        output:
            tables=[
                report(
                    path,
                    caption="../report/beyond.rst",
                    category="Is the effect real?",
                )
                for path in BEYOND_TABLES
            ],
            figures=[
                report(
                    path,
                    caption="../report/beyond.rst",
                    category="Is the effect real?",
                )
                for path in BEYOND_FIGURES
            ],
        log:
            f"{RESULTS}/logs/beyond.log",
        # on the path to the report (beyond -> ledger -> report): started before the
        # per-study figures, which nothing else waits for
        priority: 10
        conda:
            "../envs/reanalysis.yaml"
        script:
            "../scripts/beyond.py"
