"""One entry point per stage for each study design (patient-level or summary-level)."""
from __future__ import annotations

import pandas as pd
from threadpoolctl import threadpool_limits

from . import ledger, patient_level, summary_level

PATIENT_LEVEL, SUMMARY_LEVEL = "patient_level", "summary_level"


def load(study: dict, errors: list | None = None):
    """The study's validated data: a patient table, or the parsed printed summaries. With a
    list ``errors``, every faulty row's error is appended there (``check``)."""
    if study["design"] == SUMMARY_LEVEL:
        return summary_level.load_summaries(study, errors)
    return patient_level.load_patient_table(study, errors)


def validate_checks(study: dict, data, config_file: str, errors: list | None = None,
                    unreadable: frozenset = frozenset()) -> None:
    if study["design"] == SUMMARY_LEVEL:
        summary_level.validate_checks(study, data, config_file, errors, unreadable)
    else:
        patient_level.validate_checks(study, config_file, errors)


# Files under workflow/ are the engine's shared schemas; every other file a study reads is
# its own and must be signed under raw/<study>/.
_STUDY_FILE_KEYS = ("table", "table_schema", "claims", "value_ranges")


def study_data_files(study: dict) -> list[str]:
    """The files of a study's own that must be signed in raw/MANIFEST.sha256."""
    return [study[k] for k in _STUDY_FILE_KEYS
            if study.get(k) and not str(study[k]).startswith("workflow/")]


def recompute(study: dict, data, name: str) -> pd.DataFrame:
    # BLAS on one thread: the rounding-box searches make thousands of tiny BLAS calls
    # (inside scipy's L-BFGS-B), and on a busy two-core machine BLAS's thread pool made
    # them cost more than the work (the five studies: 1.5 s -> 0.9 s). The numbers are
    # the same, and no longer depend on how many cores BLAS may use.
    with threadpool_limits(limits=1, user_api="blas"):
        if study["design"] == SUMMARY_LEVEL:
            return summary_level.recompute(data, study, name)
        return patient_level.recompute(data, study, name)


def audit(name: str, study: dict, claims: list[dict], stats: pd.DataFrame, data=None) -> list[dict]:
    rows = ledger.audit_study(name, study, claims, stats)
    if study["design"] == SUMMARY_LEVEL:
        rows += ledger.audit_summary_rows(name, study, data if data is not None else load(study), stats,
                                          claim_rows=rows)
    return rows
