"""Findings, stage 5 (``rules/findings.smk``): the ledger's flagged claims grouped by root
cause and ranked by the strength of their evidence, the evidence a reviewer needs, the one
set of counts every page states, and summary.md. May import the engine, the inputs, the
audit and the scan."""
