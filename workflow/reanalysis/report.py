"""The self-contained HTML report: the ranked findings first, then their figures, the "Is
the effect real?" section, every claim of the ledger and every figure; and the letter.

Everything the report says is computed here from the ledger and the config, then written
through a Jinja2 template (``workflow/report/report.html.j2``); no number is typed into
the template. The findings come from :mod:`reanalysis.findings`. Figures are embedded as
PNG data URIs and the page carries its own CSS and script, so it opens offline. Nothing
in it depends on the time or the machine, so two runs give the same bytes.

The ledger table shows one row per claim (its ``as_reported`` row); its other rows (other
readings, and other statistics of the same claim) are folded under it. All rows are in the
page, inside a ``<template>`` (parsed, never laid out), and the script shows one page of
claims at a time, so the page stays fast with 10,000 rows.

A corpus (more studies in the ledger than config ``studies_in_full``, see
:func:`reanalysis.findings.is_corpus`) has tens of thousands of rows and thousands of
findings: there the report summarises. It lists the ``REPORT_TOP_FINDINGS`` highest-ranked
findings and counts the rest, gives the verdicts per study as a compact table and leaves the
rows to ``results/audit/claims.csv`` (and every finding to ``results/audit/summary.md``); the
letter gives the ``LETTER_TOP_FINDINGS`` highest-ranked findings and counts the rest.
"""
from __future__ import annotations

import base64
import re
from collections import Counter
from pathlib import Path

import docutils.core
import jinja2
import markupsafe
import pandas as pd

from . import beyond as beyond_section
from .catalogue import PVALUE_FIGURE, figure_catalogue
from .findings import (DISCREPANCY_FIGURE, STUDIES_IN_FULL, claim_anchor, figure_links, finding_of_claims,
                       findings, is_corpus, letter_markdown, recomputed_text)
from .ledger import read_ledger
from .summary_level import AS_REPORTED
from .verdicts import CONSISTENT, DISCREPANT, REPRODUCED, UNVERIFIABLE, VERDICTS

# Rows needing a reader's eye first: decision errors, then discrepant, consistent, ...
_VERDICT_RANK = {DISCREPANT: 0, CONSISTENT: 1, REPRODUCED: 2, UNVERIFIABLE: 3}
# the ledger table's columns (after the fold button), and those clipped to one line
COLUMNS = ["study", "claim_id", "location", "quantity", "reported", "claim", "recomputed", "variant",
           "method", "verdict", "decision error", "reason", "source", "finding"]
LONG = {"location", "quantity", "reported", "recomputed", "method", "reason"}
# For a corpus, the findings the report lists in full (with their evidence): the worst are
# what a reader acts on, and thousands of them would make a page of tens of megabytes; the
# rest are counted, and summary.md has every one.
REPORT_TOP_FINDINGS = 50
# For a corpus, the findings the letter gives a paragraph each: a letter an editor reads to
# the end; the rest are counted.
LETTER_TOP_FINDINGS = 20
# For a corpus the figures of the findings are drawn otherwise than their captions (the RST
# files ``snakemake --report`` also uses) describe: their titles and a note say how.
CORPUS_FIGURES = {
    "pvalues": {"title": "Printed against recomputed p-values, all studies in one panel",
                "note": "For a corpus every study's p-values are pooled in one panel, and a decision error "
                        "is ringed without its claim id; the findings above name them."},
    "discrepancies": {"title": "Discrepancies of the highest-ranked findings",
                      "note": "For a corpus only the highest-ranked findings are drawn, in one panel, each "
                              "labelled with its study (the figure's title says how many of how many); every "
                              "finding is in results/audit/summary.md."},
}


def caption_html(path: Path) -> str:
    """An RST caption file (the one ``snakemake --report`` uses) rendered to HTML."""
    text = Path(path).read_text(encoding="utf-8")
    parts = docutils.core.publish_parts(text, writer="html5",
                                        settings_overrides={"report_level": 5, "halt_level": 5})
    return parts["fragment"]


def _data_uri(png: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(Path(png).read_bytes()).decode("ascii")


def ordered_rows(ledger: pd.DataFrame) -> pd.DataFrame:
    """Decision errors first, then discrepant, consistent, reproduced, unverifiable;
    within each, the paper's stated reading before its variants; then the ledger's order."""
    key = pd.DataFrame({
        "error": (ledger["decision_error"] != "true").astype(int),
        "verdict": ledger["verdict"].map(_VERDICT_RANK),
        "variant": (ledger["variant"] != AS_REPORTED).astype(int),
        "position": range(len(ledger)),
    })
    order = key.sort_values(["error", "verdict", "variant", "position"], kind="stable").index
    return ledger.loc[order]


def _row_rank(row: dict) -> tuple:
    return (row["variant"] != AS_REPORTED, row["decision_error"] != "true",
            _VERDICT_RANK.get(row["verdict"], 4))


def claim_groups(ledger: pd.DataFrame, finding_of: dict | None = None) -> list[dict]:
    """One entry per claim (study, claim_id): its rows with the one shown by default first
    (the as-reported row, the worst of them where a claim has several: decision error,
    discrepant, consistent, reproduced, unverifiable), then its other rows in ledger order.
    Claims are ordered like rows in :func:`ordered_rows`, by their first row."""
    finding_of = finding_of or {}
    groups: dict[tuple[str, str], list[tuple[int, dict]]] = {}
    for i, row in enumerate(ledger.to_dict("records")):
        groups.setdefault((row["study"], row["claim_id"]), []).append((i, row))
    out = []
    for (study, claim_id), members in groups.items():
        first = min(members, key=lambda m: (_row_rank(m[1]), m[0]))
        rows = [first[1]] + [r for i, r in members if i != first[0]]
        shown = [{**r, "recomputed_shown": recomputed_text(r),
                  "source": f"{r['source_file']}:{r['source_line']}" if r["source_file"] else ""}
                 for r in rows]
        out.append({"study": study, "claim_id": claim_id, "anchor": claim_anchor(study, claim_id),
                    "rows": shown, "primary": shown[0], "position": members[0][0],
                    "finding": finding_of.get((study, claim_id), "")})
    out.sort(key=lambda g: (_row_rank({**g["primary"], "variant": AS_REPORTED}), g["position"]))
    return out


def verdict_counts(ledger: pd.DataFrame) -> list[dict]:
    """Per study: as-reported rows by verdict, decision errors, and all rows."""
    out = []
    for study, group in ledger.groupby("study", sort=True):
        main = group[group["variant"] == AS_REPORTED]
        counts = Counter(main["verdict"])
        out.append({"study": study, "rows": len(group), "as_reported": len(main),
                    **{v: counts.get(v, 0) for v in VERDICTS},
                    "decision_errors": int((main["decision_error"] == "true").sum())})
    return out


def beyond_context(tables, figure_dir: Path, caption_dir: Path) -> dict:
    """The "Is the effect real?" section: its rows (results/beyond/*.csv) in part order, and
    its figures (results/figures/beyond/), each drawn when the section has rows."""
    frames = [beyond_section.read_rows(p) for p in tables]
    frames = [f for f in frames if len(f)]
    if not frames:
        return {"rows": [], "figures": [], "parts": []}
    rows = pd.concat(frames, ignore_index=True)
    order = {label: i for i, label in enumerate(beyond_section.PARTS.values())}
    rows = rows.iloc[sorted(range(len(rows)), key=lambda i: (order.get(rows["part"].iat[i], len(order)), i))]
    shown = [{**r, "shown": beyond_section.shown(r["value"], r["low"], r["high"])}
             for r in rows.to_dict("records")]
    figures = []
    for fig in beyond_section.FIGURES:
        png = Path(figure_dir) / beyond_section.FIGURE_DIR / f"{fig['name']}.png"
        if png.is_file():
            figures.append({**fig, "study": "", "src": _data_uri(png),
                            "caption_html": caption_html(Path(caption_dir) / fig["caption"])})
    return {"rows": shown, "figures": figures, "parts": list(beyond_section.PARTS.values())}


def _figure(fig: dict, figure_dir: Path, caption_dir: Path) -> dict:
    stem = f"{fig['study']}/{fig['name']}" if fig["study"] else fig["name"]
    return {**fig, "src": _data_uri(Path(figure_dir) / f"{stem}.png"),
            "caption_html": caption_html(Path(caption_dir) / fig["caption"])}


def _titles(config: dict) -> dict[str, str]:
    return {s: " ".join(str(spec.get("title", s)).split()) for s, spec in config["studies"].items()}


def build_context(ledger: pd.DataFrame, config: dict, figure_dir: Path, caption_dir: Path,
                  beyond_tables=()) -> dict:
    """Everything the template shows, computed from the ledger, config, figures and captions
    (and the "Is the effect real?" tables, when given)."""
    counts = verdict_counts(ledger)
    totals = {k: sum(c[k] for c in counts)
              for k in ("rows", "as_reported", *VERDICTS, "decision_errors")}
    found = findings(ledger, config["studies"])
    corpus = is_corpus(ledger, config)
    # a corpus lists no ledger rows (claims.csv has them) and only the top-ranked findings
    claims = [] if corpus else claim_groups(ledger, finding_of_claims(found))
    listed = found[:REPORT_TOP_FINDINGS] if corpus else found
    # the figures of the findings (the panel of discrepancies where it was drawn, and the
    # p-values), then every study's figures
    overview = [f for f in (DISCREPANCY_FIGURE, PVALUE_FIGURE)
                if f is PVALUE_FIGURE or (Path(figure_dir) / f"{f['name']}.png").is_file()]
    overview = [_figure(f, figure_dir, caption_dir) for f in overview]
    if corpus:
        overview = [{**f, **CORPUS_FIGURES.get(f["name"], {})} for f in overview]
    figures = [_figure(f, figure_dir, caption_dir) for f in figure_catalogue(config)]
    beyond = beyond_context(beyond_tables, figure_dir, caption_dir)
    figure_links(listed, config, overview + figures, beyond["rows"], beyond["figures"])
    titles = _titles(config)
    studies = [{"name": s, "title": titles[s], "design": config["studies"][s]["design"]}
               for s in sorted(config["studies"])]
    n_claims = len(ledger.drop_duplicates(["study", "claim_id"])) if corpus else len(claims)
    return {"studies": studies, "counts": counts, "totals": totals, "verdicts": VERDICTS,
            "findings": found, "claims": claims, "n_claims": n_claims,
            "corpus": corpus, "listed_findings": listed,
            "studies_in_full": int(config.get("studies_in_full", STUDIES_IN_FULL)),
            "designs": Counter(s["design"].replace("_", "-") for s in studies),
            "flagged_claims": sum(len(f.claims) for f in found if f.rule != "duplicates"),
            "tier_summary": tier_summary(found),
            "overview_figures": overview, "figures": figures, "beyond": beyond,
            "columns": COLUMNS, "long": LONG}


_TIER_WORDS = {"contradiction": ("contradiction", "contradictions"),
               "impossible": ("impossibility", "impossibilities"),
               "discrepant": ("discrepancy under every reading", "discrepancies under every reading"),
               "reading": ("claim group that holds only under a labelled reading",
                           "claim groups that hold only under a labelled reading"),
               "interpreted": ("interpreted statement", "interpreted statements"),
               "rounding": ("rounding-level slip", "rounding-level slips"),
               "flag": ("flag of repeated values", "flags of repeated values")}


def tier_summary(found) -> str:
    """'3 decision errors, 5 headline claims, ...' over the findings, in rank order."""
    counts = Counter(f.tier_label for f in found)
    return ", ".join(f"{n} {_TIER_WORDS[t][n != 1]}" for t, n in counts.items())


def _ticks(text) -> markupsafe.Markup:
    """Escaped text with `code` spans."""
    escaped = str(markupsafe.escape(text))
    return markupsafe.Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped))


def render(context: dict, template: Path) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(template).parent),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["ticks"] = _ticks
    return env.get_template(Path(template).name).render(**context)


def write_report(ledger_csv: Path, config: dict, figure_dir: Path, template: Path, out: Path,
                 beyond_tables=()) -> int:
    """Render the report; the template's folder holds the RST captions too."""
    ledger = read_ledger(ledger_csv)
    context = build_context(ledger, config, figure_dir, Path(template).parent, beyond_tables)
    Path(out).write_text(render(context, template), encoding="utf-8")
    return len(ledger)


def write_letter(ledger_csv: Path, config: dict, out: Path) -> int:
    """The one-page letter to the editor (results/letter.md); returns its findings."""
    ledger = read_ledger(ledger_csv)
    found = findings(ledger, config["studies"])
    top = LETTER_TOP_FINDINGS if is_corpus(ledger, config) else None
    Path(out).write_text(letter_markdown(found, ledger, _titles(config), top=top), encoding="utf-8")
    return len(found)
