"""One study: verify its signed files, validate its inputs, recompute, audit its claims."""
import io
import json
from pathlib import Path

import pandas as pd

from reanalysis import designs
from reanalysis.cli import run
from reanalysis.ledger import load_claims, to_frame, write_ledger
from reanalysis.manifest import verify_study

sm = snakemake  # noqa: F821 (injected by Snakemake)


def main():
    name = sm.wildcards.study
    study = sm.config["studies"][name]
    signed = verify_study(Path(sm.config["raw_dir"]), name, designs.study_data_files(study))
    data = designs.load(study)
    designs.validate_checks(study, data, sm.input.study_config)
    claims = load_claims(Path(sm.input.claims), Path(sm.input.claims_schema), study)
    validated = {"study": name, "signed_files": signed, "table_rows": len(data), "claims": len(claims)}
    recomputed = designs.recompute(study, data, name).to_csv(index=False, lineterminator="\n")
    # audited from the table as written, exactly as the figures and any later reader see it
    stats = pd.read_csv(io.StringIO(recomputed))
    rows = designs.audit(name, study, claims, stats, data)
    # written only once everything has passed: bad input leaves no partial result
    Path(sm.output.validated).write_text(json.dumps(validated, indent=2, sort_keys=True) + "\n")
    Path(sm.output.recomputed).write_text(recomputed, encoding="utf-8")
    write_ledger(to_frame(rows), sm.output.audit)
    return f"validated {validated}; {len(stats)} statistics; {len(rows)} ledger rows"


run(main, sm.log[0])
