"""Corpus tools, outside the pipeline: a synthetic corpus with errors of known kinds, and the
validity, scale and speed benchmarks run over it. May import every pipeline stage."""
