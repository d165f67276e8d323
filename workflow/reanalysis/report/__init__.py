"""The report, stage 9 (``rules/report.smk``): the self-contained HTML report and one letter
per paper with findings, rendered from the findings table and the counts. May import every
earlier stage."""
