"""Verify a study's raw files against the manifest, then validate its table and claims."""
import json
from pathlib import Path

from reanalysis import designs
from reanalysis.cli import run
from reanalysis.ledger import load_claims
from reanalysis.manifest import verify_study

sm = snakemake  # noqa: F821 (injected by Snakemake)


def main():
    study = sm.config["studies"][sm.wildcards.study]
    signed = verify_study(Path(sm.config["raw_dir"]), sm.wildcards.study, designs.study_data_files(study))
    data = designs.load(study)
    designs.validate_checks(study, data, sm.input.study_config)
    claims = load_claims(Path(sm.input.claims), Path(sm.input.claims_schema), study)
    report = {"study": sm.wildcards.study, "signed_files": signed,
              "table_rows": len(data), "claims": len(claims)}
    Path(sm.output[0]).write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    return f"validated {report}"


run(main, sm.log[0])
