# INSPECT-SR, "is this trial trustworthy?" (workflow/reanalysis/trust/). One job:
# results/trust/<study>.csv (21 checks, four domain judgements, the overall one) for every
# study whose own file says it is a randomised trial (`study_type`), and results/trust/index.csv
# saying for every study whether the tool applies. It reads what the audit wrote (the ledger,
# the findings table and its evidence, the "Is the effect real?" tables), the rules file that
# config/config.yaml names under `trust_rules`, and the trials' `trust:` blocks.
from reanalysis.inputs.config import randomised_trials

TRUST_RULES = [config["trust_rules"]] if config.get("trust_rules") else []
TRIALS = randomised_trials(config)
TRUST_INDEX = f"{RESULTS}/trust/index.csv"
# (none where the config names no rules file, e.g. a synthetic corpus)
TRUST_TABLES = (
    [f"{RESULTS}/trust/{s}.csv" for s in TRIALS] + [TRUST_INDEX] if TRUST_RULES else []
)

if TRUST_RULES:

    rule trust:
        input:
            ledger=LEDGER,
            findings=FINDINGS,
            evidence=FINDING_EVIDENCE,
            beyond=BEYOND_TABLES,
            beyond_config=BEYOND_CONFIG,
            rules=TRUST_RULES,
            schema="workflow/schemas/trust.schema.yaml",
            config=CONFIG_FILE,
            studies=STUDY_CONFIGS,
            # the printed rows a trial's `trust:` block names (eligibility, losses)
            tables=sorted({config["studies"][s]["table"] for s in TRIALS}),
        output:
            tables=TRUST_TABLES,
        log:
            f"{RESULTS}/logs/trust.log",
        conda:
            "../envs/reanalysis.yaml"
        script:
            "../scripts/trust.py"
