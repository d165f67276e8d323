"""Onboarding, outside the pipeline: ``python -m reanalysis new|check|draft`` scaffolds a study,
checks it on its own and drafts its transcription from the paper's text. May import every
pipeline stage."""
