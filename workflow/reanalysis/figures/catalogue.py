"""Which figures the workflow draws, with their titles and caption files.

Read by the Snakefile when it builds its job graph (so it imports nothing heavy) and by
the HTML report, so both list the same figures with the same captions.
"""
from __future__ import annotations

PVALUE_FIGURE = {"study": None, "name": "pvalues", "kind": "pvalues",
                 "title": "Printed against recomputed p-values, all studies",
                 "caption": "pvalues.rst"}
# One RST caption per kind of figure, in workflow/report/.
CAPTION_OF_KIND = {"paired": "figure.rst", "scatter": "figure.rst",
                   "time_course": "time_course.rst", "forest": "forest.rst"}


def figure_catalogue(config: dict) -> list[dict]:
    """Every study figure (study, name, kind, title, caption file), sorted by study and name.

    Patient-level studies list figures under ``figures.specs``; summary-level ones directly.
    """
    out = []
    for study in sorted(config["studies"]):
        figures = config["studies"][study].get("figures", {})
        specs = figures.get("specs", {}) if config["studies"][study]["design"] == "patient_level" else figures
        for name in sorted(specs):
            spec = specs[name]
            title = spec.get("title") or spec.get("labels", {}).get("title", name)
            out.append({"study": study, "name": name, "kind": spec["kind"], "title": title,
                        "caption": CAPTION_OF_KIND[spec["kind"]]})
    return out
