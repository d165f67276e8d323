"""Rounding-aware reanalysis of published clinical statistics.

One subpackage a stage, in the order the Snakefile runs them; a stage imports only earlier
ones (tests/test_layout.py): ``engine``, ``inputs``, ``audit``, ``scan``, ``findings``,
``figures``, ``beyond``, ``trust``, ``report``; then the tools outside the pipeline,
``corpus`` and ``onboarding``. At the top: ``errors`` (the input error every stage raises),
``cli`` (the Snakemake scripts' entry point) and ``__main__`` (``python -m reanalysis``).
"""
