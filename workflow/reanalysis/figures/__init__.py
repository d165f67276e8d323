"""Figures, stage 6 (``rules/figures.smk``): the verdict palette, byte-deterministic drawing,
the paper figures regenerated from patient data, and those from printed summaries, the ledger
and the findings. May import every earlier stage."""
