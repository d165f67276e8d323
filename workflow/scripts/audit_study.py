"""One study, or a batch of them: verify its signed files, validate its inputs, recompute,
audit its claims."""
import io
import json
from pathlib import Path

import pandas as pd

from reanalysis.audit import designs
from reanalysis.audit.ledger import load_claims, to_frame, write_ledger
from reanalysis.cli import run
from reanalysis.inputs.config import audit_parts, study_file
from reanalysis.inputs.manifest import verify_study
from reanalysis.scan.papers import papers_folder
from reanalysis.scan.study import add_scanned

sm = snakemake  # noqa: F821 (injected by Snakemake)


def audit_one(name):
    """(what was validated, the recomputed table as CSV text, the ledger frame) of a study."""
    study = sm.config["studies"][name]
    signed = verify_study(Path(sm.config["raw_dir"]), name, designs.study_data_files(study))
    data = designs.load(study)
    designs.validate_checks(study, data, study_file(sm.config, name))
    claims = load_claims(Path(study["claims"]), Path(sm.input.claims_schema), study)
    validated = {"study": name, "signed_files": signed, "table_rows": len(data), "claims": len(claims)}
    recomputed = designs.recompute(study, data, name).to_csv(index=False, lineterminator="\n")
    # audited from the table as written, exactly as the figures and any later reader see it
    stats = pd.read_csv(io.StringIO(recomputed))
    rows = designs.audit(name, study, claims, stats, data)
    # the printed test statistics of its paper (scan_text), each a row unless transcribed
    rows = add_scanned(rows, name, study, papers_folder(sm.config, name), claims, data)
    return validated, recomputed, to_frame(rows)


def main():
    names = audit_parts(sm.config)[sm.wildcards.studies]
    results = [audit_one(name) for name in names]
    validated = [r[0] for r in results]
    if len(names) == 1:
        recomputed, ledger = results[0][1], results[0][2]
    else:  # a batch: the studies' tables one after another, in name order
        recomputed = pd.concat([pd.read_csv(io.StringIO(r[1])) for r in results]).to_csv(
            index=False, lineterminator="\n")
        ledger = pd.concat([r[2] for r in results], ignore_index=True)
    # written only once everything has passed: bad input leaves no partial result
    text = json.dumps(validated[0] if len(names) == 1 else validated, indent=2, sort_keys=True)
    Path(sm.output.validated).write_text(text + "\n")
    Path(sm.output.recomputed).write_text(recomputed, encoding="utf-8")
    write_ledger(ledger, sm.output.audit)
    return f"validated {len(names)} studies; {len(ledger)} ledger rows"


run(main, sm.log[0])
