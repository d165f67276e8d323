"""The audit, stage 3 (``rules/audit.smk``): each design's recomputation (patient-level and
summary-level, dispatched by ``designs``) and the ledger it writes, one row per claim and
reading. May import the engine and the inputs."""
