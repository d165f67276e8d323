"""The report, stage 9 (``rules/report.smk``): the counts stated everywhere, summary.md, the
self-contained HTML report and one letter per paper. May import every earlier stage."""
