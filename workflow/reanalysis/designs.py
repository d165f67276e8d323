"""One entry point per stage for each study design (patient-level or summary-level)."""
from __future__ import annotations

import pandas as pd

from . import ledger, patient_level, summary_level

PATIENT_LEVEL, SUMMARY_LEVEL = "patient_level", "summary_level"


def load(study: dict):
    """The study's validated data: a patient table, or the parsed printed summaries."""
    if study["design"] == SUMMARY_LEVEL:
        return summary_level.load_summaries(study)
    return patient_level.load_patient_table(study)


def validate_checks(study: dict, data) -> None:
    if study["design"] == SUMMARY_LEVEL:
        summary_level.validate_checks(study, data)
    else:
        patient_level.validate_checks(study)


def recompute(study: dict, data, name: str) -> pd.DataFrame:
    if study["design"] == SUMMARY_LEVEL:
        return summary_level.recompute(data, study, name)
    return patient_level.recompute(data, study, name)


def audit(name: str, study: dict, claims: list[dict], stats: pd.DataFrame, data=None) -> list[dict]:
    rows = ledger.audit_study(name, study, claims, stats)
    if study["design"] == SUMMARY_LEVEL:
        rows += ledger.audit_summary_rows(name, study, data if data is not None else load(study), stats)
    return rows
