# Stage 1: verify the checksum manifest, then validate every raw table and claims file.


rule validate_inputs:
    input:
        unpack(study_raw_files),
    output:
        f"{RESULTS}/inputs/{{study}}.json",
    log:
        f"{RESULTS}/logs/validate_inputs/{{study}}.log",
    conda:
        "../envs/reanalysis.yaml"
    script:
        "../scripts/validate_inputs.py"
