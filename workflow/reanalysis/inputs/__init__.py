"""Inputs, stage 2: the checksum manifest of ``raw/``, the strict reading of its tables, the
config and its schema (composed from the engine's check kinds), and the transcription rules.
May import the engine."""
