# Stage 2: recompute every statistic, under every variant, from the validated table.


rule recompute:
    input:
        unpack(study_raw_files),
        validated=f"{RESULTS}/inputs/{{study}}.json",
    output:
        report(
            f"{RESULTS}/recomputed/{{study}}.csv",
            caption="../report/recomputed.rst",
            category="Recomputed statistics",
        ),
    log:
        f"{RESULTS}/logs/recompute/{{study}}.log",
    conda:
        "../envs/reanalysis.yaml"
    script:
        "../scripts/recompute.py"
