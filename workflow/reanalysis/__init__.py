"""Rounding-aware reanalysis of published clinical statistics.

Modules: ``rounding`` (all rounding logic), ``verdicts`` (claim against recomputation),
``inputs`` and ``manifest`` (strict reading and integrity of ``raw/``),
``patient_level`` (recomputation from patient tables), ``ledger`` (the audit ledger),
``figures`` (deterministic plots), ``bench`` (speed benchmark).
"""
