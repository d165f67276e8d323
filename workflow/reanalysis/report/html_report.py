"""The self-contained HTML report: the papers (their references) and the ranked findings
first, then the figures of the findings, "Is the effect real?" (opening on its decision-
relevant results), every claim of the ledger, the verdicts per paper and every figure.

It renders three tables and computes no finding: the ledger (``results/audit/claims.csv``),
the findings table and its evidence (``results/audit/findings.csv``,
``finding_evidence.csv``). Beside each evidence row it shows what a reviewer needs to check
it, read from the transcription, the recomputation and the paper's text
(:mod:`reanalysis.findings.evidence`). The counts are :mod:`reanalysis.findings.counts`'s, the colours
:mod:`reanalysis.figures.palette`'s. Everything goes through a Jinja2 template
(``workflow/report/report.html.j2``); figures are embedded as PNG data URIs and the page
carries its own CSS and script, so it opens offline. Nothing depends on the time or the
machine, so two runs give the same bytes.

The ledger table shows one row per claim (its verdict is its worst as-reported row); opening
it shows the claim's full text and every ledger row of it (other readings, other statistics)
in a detail pane. All claims are in the page, inside a ``<template>`` (parsed, never laid
out), and the script shows one page of claims at a time, so the page stays fast with 10,000
rows.

A corpus (more studies than config ``studies_in_full``, :func:`reanalysis.findings.counts.is_corpus`)
has tens of thousands of rows and thousands of findings: there the report lists the
``REPORT_TOP_FINDINGS`` highest-ranked findings, counts the rest, gives the verdicts per
study as a compact table and leaves the rows to ``results/audit/claims.csv``.
"""
from __future__ import annotations

import base64
import html
import math
import re
from pathlib import Path

import docutils.core
import jinja2
import markupsafe
import pandas as pd
from PIL import Image

from reanalysis.beyond import questions as beyond_section
from reanalysis.engine.rounding import NumberFormatError, parse_claim
from reanalysis.figures.catalogue import PVALUE_FIGURE, figure_catalogue
from reanalysis.figures.palette import VERDICT_STYLE, css_variables
from reanalysis.figures.paper_figures import MIN_FONT_KEY
from reanalysis.figures.summary_figures import pvalue_table
from reanalysis.findings.counts import VERDICT_ORDER, claim_verdicts, counts, is_corpus, read_table
from reanalysis.findings.evidence import StudySources, load_recomputed

AS_REPORTED = "as_reported"
# the findings' figure (drawn by the report's rule from the findings table)
DISCREPANCY_FIGURE = {"study": None, "name": "discrepancies", "kind": "discrepancies",
                      "title": "Each finding's strongest evidence, printed against recomputed",
                      "caption": "discrepancies.rst"}
# For a corpus, the findings the report lists in full (with their evidence).
REPORT_TOP_FINDINGS = 50
# On-screen text of a figure is kept at least this large (CSS px): below it, the figure
# scrolls sideways inside its frame rather than shrinking further.
MIN_TEXT_PX = 9.0
FIGURE_DPI = 150
CORPUS_FIGURES = {
    "pvalues": {"title": "Printed against recomputed p-values, all studies in one panel",
                "note": "For a corpus every study's p-values are pooled in one panel, and a decision error "
                        "is ringed without its claim id; the findings above name them."},
    "discrepancies": {"title": "The strongest evidence of the highest-ranked findings",
                      "note": "For a corpus only the highest-ranked findings are drawn; every finding is in "
                              "results/audit/summary.md."},
}
# the ledger table's columns (after the open button): header, the row's field, its width
LEDGER_COLUMNS = [("paper", "label", "8.5rem"), ("claim", "claim_id", "9.5rem"), ("what", "quantity", "auto"),
                  ("printed", "reported", "10rem"), ("recomputed", "recomputed_shown", "11rem"),
                  ("verdict", "verdict", "9.5rem"), ("finding", "finding", "4.2rem")]
_VERDICT_RANK = {v: i for i, v in enumerate(VERDICT_ORDER)}
# evidence rows whose statistic is not a test's (integrity checks, agreement of printings)
NOT_A_TEST = ("", "agreement", "grim", "grimmer", "count", "percent", "order", "sd_feasibility", "duplicate")


def caption_html(path: Path) -> str:
    """An RST caption file (the one ``snakemake --report`` uses) rendered to HTML."""
    text = Path(path).read_text(encoding="utf-8")
    parts = docutils.core.publish_parts(text, writer="html5",
                                        settings_overrides={"report_level": 5, "halt_level": 5})
    return parts["fragment"]


def _plain(html_text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_text)).split())


def claim_anchor(study: str, claim_id: str) -> str:
    """The id of a claim's rows in the report (letters, digits, '-', '_' and '.' only)."""
    return "claim-" + re.sub(r"[^A-Za-z0-9_.-]", "_", f"{study}--{claim_id}")


def finding_anchor(finding_id: str) -> str:
    return f"finding-{str(finding_id).lstrip('F')}"


def figure_anchor(figure: dict) -> str:
    """The report's id of a figure (figure-<study or all>-<name>, figure-beyond-<name>)."""
    return f"figure-{figure.get('study') or 'all'}-{figure['name']}"


def _number(x) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v


def recomputed_text(row: dict) -> str:
    """The recomputed value, with its interval over the rounding box where there is one."""
    shown = str(row.get("recomputed", "") or "")
    low, high = _number(row.get("low")), _number(row.get("high"))
    if low == low and high == high:
        interval = f"[{low:.6g}, {high:.6g}]"
        if interval not in shown and "[" not in shown:
            shown = f"{shown} {interval}".strip()
    return shown


def printed_short(row: dict) -> str:
    """The printed value in short, for a table cell: the printed text where it is only
    numbers ('73 (86.8%)', '12 ± 7.6'), else what it claims ('0.58', '< 0.05'); the full
    text is in the claim's detail pane."""
    reported = str(row.get("reported", ""))
    if len(reported) <= 24 and not re.search(r"[A-Za-z]", reported):
        return reported
    return str(row.get("claim") or reported)


def _sort_key_claim(text: str) -> str:
    """A printed claim's number, for numeric sorting ('' where it has none)."""
    try:
        return repr(float(parse_claim(text).number.value))
    except (NumberFormatError, TypeError, ValueError):
        return ""


def _sort_key_recomputed(row: dict) -> str:
    for k in ("value", "high", "low"):
        v = _number(row.get(k))
        if v == v:
            return repr(v)
    return ""


def _embed(png: Path) -> dict:
    """A figure as a data URI, with the sizes that keep its smallest text >= MIN_TEXT_PX on
    screen: its natural width and the width below which it must scroll."""
    data = Path(png).read_bytes()
    with Image.open(png) as im:
        width, height = im.size
        font_pt = float(im.info.get(MIN_FONT_KEY, 10))
    text_px = font_pt / 72 * FIGURE_DPI
    return {"src": "data:image/png;base64," + base64.b64encode(data).decode("ascii"),
            "width": width, "height": height, "text_px": round(text_px, 2),
            # a quarter pixel to spare: the browser rounds the laid-out width
            "min_width": math.ceil(width * (MIN_TEXT_PX + 0.25) / text_px)}


def _labels(config: dict) -> dict[str, str]:
    return {s: spec.get("citation", {}).get("label", s) for s, spec in config["studies"].items()}


def citation_text(citation: dict) -> str:
    """A reference as printed: authors. Title. Journal year;volume(issue):pages. doi."""
    if not citation:
        return ""
    where = citation.get("journal", "")
    if citation.get("year"):
        where += f" {citation['year']}"
    if citation.get("volume"):
        where += f";{citation['volume']}" + (f"({citation['issue']})" if citation.get("issue") else "")
    if citation.get("pages"):
        where += f":{citation['pages']}"
    parts = [citation.get("authors", ""), " ".join(str(citation["title"]).split()), where.strip()]
    text = ". ".join(p.rstrip(".") for p in parts if p) + "."
    if citation.get("doi"):
        text += f" doi:{citation['doi']}"
    return text


def paper_context(config: dict, c) -> list[dict]:
    """Every paper: its label, short title and full reference, with its counts."""
    per = {p["study"]: p for p in c.per_study}
    out = []
    for s in sorted(config["studies"], key=lambda s: _labels(config)[s].lower()):
        spec = config["studies"][s]
        cit = spec.get("citation", {})
        p = per.get(s, {"claims": 0, "rows": 0, "findings": 0})
        out.append({"name": s, "label": cit.get("label", s), "short_title": cit.get("short_title", ""),
                    "reference": citation_text(cit) or " ".join(str(spec.get("title", s)).split()),
                    "also": " ".join(str(cit.get("also", "")).split()),
                    "design": spec["design"].replace("_", "-"), "anchor": f"paper-{s}",
                    "claims": p["claims"], "findings": p["findings"]})
    return out


# --- findings -------------------------------------------------------------------------------

def _core(label: str) -> str:
    """A panel label without its letter and unit: 'D. HbA1c (%)' -> 'HbA1c'."""
    label = re.sub(r"^[A-Z]\.\s+", "", str(label))
    return re.sub(r"\s*\([^()]*\)\s*$", "", label).strip()


def _spec(config: dict, figure: dict) -> dict | None:
    study = config.get("studies", {}).get(figure.get("study") or "", {})
    figures = study.get("figures", {})
    specs = figures.get("specs", figures) if study.get("design") == "patient_level" else figures
    return specs.get(figure["name"])


def _shows(figure: dict, spec: dict | None, study: str, rows: list[dict]) -> bool:
    """Does a study's figure show a finding's evidence rows? A patient-level figure when the
    method of a row names every column it plots; a forest of a printed table when a row is
    printed in that table; a time course when a row's quantity names one of its panels."""
    if study != figure.get("study") or spec is None:
        return False
    kind = figure["kind"]
    if kind in ("paired", "scatter"):
        columns = [spec.get(k) for k in (("before", "after") if kind == "paired" else ("x", "y"))]
        return all(columns) and any(all(col in r["method"] for col in columns) for r in rows)
    if kind == "forest":
        return any(r["location"].startswith(spec.get("location", "\0")) for r in rows)
    if kind == "time_course":
        cores = [_core(p["label"]).lower() for p in spec.get("panels", [])]
        return any(core and core in r["quantity"].lower() for r in rows for core in cores)
    return False


def _figure_links(f: dict, rows: list[dict], figures: list[dict], config: dict) -> list[dict]:
    links = []
    for fig in figures:
        kind = fig.get("kind")
        if kind == "discrepancies":
            show = f["strength"] != "flag"
        elif kind == "pvalues":
            show = any(r["statistic"] == "p" for r in rows)
        else:
            show = _shows(fig, _spec(config, fig), f["study"], rows)
        if show:
            links.append({"anchor": figure_anchor(fig), "title": fig["title"]})
    return links


def _source_lines(sources: dict, study: str, rows: list[dict]) -> None:
    for r in rows:
        src = sources[study]
        r["inputs"] = src.inputs(r["claim_id"], r["method"])
        # the test's statistic and df where the row is the test's own (not an integrity check
        # or the agreement of two printings, whose method says what was done)
        r["test"] = src.test(r["claim_id"], r["method"]) if r["statistic"] not in NOT_A_TEST else ""
        r["paper_line"] = src.line(r["source_file"], r["source_line"])
        r["anchor"] = claim_anchor(study, r["claim_id"])


def finding_context(table: pd.DataFrame, evidence: pd.DataFrame, config: dict, figures: list[dict],
                    sources: dict, listed: int | None = None) -> list[dict]:
    """The findings in rank order, each with its evidence rows (with their printed inputs,
    test and paper line) and the figures that show it."""
    labels = _labels(config)
    by_finding = {k: g.to_dict("records") for k, g in evidence.groupby("finding", sort=False)}
    out = []
    for f in table.head(listed).to_dict("records") if listed else table.to_dict("records"):
        rows = by_finding.get(f["id"], [])
        # one row per claim and statistic, as the evidence lists them
        seen, unique = set(), []
        for r in rows:
            key = (r["claim_id"], r["statistic"])
            if key not in seen:
                seen.add(key)
                unique.append(dict(r))
        if f["study"] in sources:
            _source_lines(sources, f["study"], unique)
        claims = [c for c in str(f["claims"]).split("; ") if c]
        out.append({**f, "anchor": finding_anchor(f["id"]), "label": labels.get(f["study"], f["study"]),
                    "claims": claims, "links": [(c, claim_anchor(f["study"], c)) for c in claims],
                    "evidence": unique, "figures": _figure_links(f, unique, figures, config),
                    "number": str(f["id"]).lstrip("F")})
    return out


# --- the ledger -----------------------------------------------------------------------------

def _row_rank(row: dict) -> tuple:
    return (row["variant"] != AS_REPORTED, row["decision_error"] != "true",
            _VERDICT_RANK.get(row["verdict"], len(_VERDICT_RANK)))


def claim_groups(ledger: pd.DataFrame, finding_of: dict | None = None, labels: dict | None = None,
                 sources: dict | None = None) -> list[dict]:
    """One entry per claim (study, claim_id): its rows with the one shown by default first
    (the as-reported row, the worst of them where a claim has several: decision error,
    discrepant, consistent, reproduced, unverifiable), then its other rows in ledger order.
    Claims come in that order too (decision errors first), then in ledger order. The
    claim's verdict is :func:`reanalysis.findings.counts.claim_verdicts`'s."""
    finding_of, labels, sources = finding_of or {}, labels or {}, sources or {}
    verdicts = {(r.study, r.claim_id): (r.verdict, r.decision_error)
                for r in claim_verdicts(ledger).itertuples()}
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
        verdict, error = verdicts[(study, claim_id)]
        finding = finding_of.get((study, claim_id), "")
        src = sources.get(study)
        primary = shown[0]
        out.append({"study": study, "claim_id": claim_id, "anchor": claim_anchor(study, claim_id),
                    "rows": shown, "primary": primary, "position": members[0][0],
                    "printed": printed_short(primary),
                    "label": labels.get(study, study), "verdict": verdict, "decision_error": error,
                    "finding": finding, "finding_anchor": finding_anchor(finding) if finding else "",
                    "paper_line": src.line(primary["source_file"], primary["source_line"]) if src else "",
                    "sort": {"printed": _sort_key_claim(primary["claim"]),
                             "recomputed": _sort_key_recomputed(primary),
                             "verdict": str(_VERDICT_RANK.get(verdict, 9) - (1 if error else 0)),
                             "finding": str(finding).lstrip("F")}})
    out.sort(key=lambda g: ((not g["decision_error"]), _VERDICT_RANK.get(g["verdict"], 9), g["position"]))
    return out


# --- "Is the effect real?" ------------------------------------------------------------------

def _magnitude(value) -> float:
    """A result's value as a number: a float, or the number of a bound ('< 0.0002')."""
    if isinstance(value, (int, float)):
        return float(value)
    m = re.search(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", str(value))
    return float(m.group()) if m else math.nan


def key_results(rows: list[dict]) -> list[dict]:
    """The decision-relevant results of "Is the effect real?", one line each: an indirect
    external control (a comparison across studies), each random-effects pool, each study's
    Carlisle check combined over its variables (the more extreme of its two tails), and
    the regression to the mean of a whole cohort (its first selection with an interval).
    The other rows are detail (per-variable, per-arm and robustness rows, exploratory
    searches)."""
    part = {k: v for k, v in beyond_section.PARTS.items()}
    out, carlisle, rtm = [], {}, set()
    for r in rows:
        if r["part"] == part.get(2) and " vs " in str(r["study"]):
            out.append(r)
        elif r["part"] == part.get(4) and r["study"] == "pooled":
            out.append(r)
        elif r["part"] == part.get(5) and "combined" in r["question"].lower() + r["reading"].lower():
            best = carlisle.get(r["study"])
            value = _magnitude(r["value"])
            if value == value and (best is None or value < _magnitude(best["value"])):
                carlisle[r["study"]] = r
        elif (r["part"] == part.get(1) and r["study"] not in rtm and r["low"] == r["low"]
              and r["high"] == r["high"]):
            rtm.add(r["study"])
            out.append(r)
    out += list(carlisle.values())
    order = {label: i for i, label in enumerate(part.values())}
    return sorted(out, key=lambda r: order.get(r["part"], len(order)))


def beyond_context(tables, figure_dir: Path, caption_dir: Path, labels: dict) -> dict:
    """The "Is the effect real?" section: its key results, its rows in part order, and its
    figures."""
    frames = [beyond_section.read_rows(p) for p in tables]
    frames = [f for f in frames if len(f)]
    if not frames:
        return {"rows": [], "figures": [], "parts": [], "key": []}
    rows = pd.concat(frames, ignore_index=True)
    order = {label: i for i, label in enumerate(beyond_section.PARTS.values())}
    rows = rows.iloc[sorted(range(len(rows)), key=lambda i: (order.get(rows["part"].iat[i], len(order)), i))]
    shown = [{**r, "shown": beyond_section.shown(r["value"], r["low"], r["high"]),
              "label": " vs ".join(labels.get(s, s) for s in str(r["study"]).split(" vs "))}
             for r in rows.to_dict("records")]
    figures = []
    for fig in beyond_section.FIGURES:
        png = Path(figure_dir) / beyond_section.FIGURE_DIR / f"{fig['name']}.png"
        if png.is_file():
            caption = caption_html(Path(caption_dir) / fig["caption"])
            figures.append({**fig, "study": "", **_embed(png), "caption_html": caption,
                            "alt": f"{fig['title']}. {_plain(caption)}"})
    return {"rows": shown, "figures": figures, "parts": list(beyond_section.PARTS.values()),
            "key": key_results(shown)}


# --- figures --------------------------------------------------------------------------------

def _figure(fig: dict, figure_dir: Path, caption_dir: Path, alt: str = "") -> dict:
    stem = f"{fig['study']}/{fig['name']}" if fig["study"] else fig["name"]
    caption = caption_html(Path(caption_dir) / fig["caption"])
    return {**fig, **_embed(Path(figure_dir) / f"{stem}.png"), "caption_html": caption,
            "alt": alt or f"{fig['title']}. {_plain(caption)}"}


def _pvalue_alt(ledger: pd.DataFrame, labels: dict) -> str:
    """What the p-value figure shows, in words: per paper, its printed p and decision errors."""
    p = pvalue_table(ledger)
    parts = []
    for study, g in p.groupby("study", sort=True):
        errors = g[g["decision_error"]]["claim_id"].tolist()
        parts.append(f"{labels.get(study, study)}: {len(g)} printed p-values, {len(errors)} decision error"
                     + ("s" if len(errors) != 1 else "") + (f" ({', '.join(errors)})" if errors else ""))
    return "Printed against recomputed p-values, log scales, one panel per paper. " + "; ".join(parts) + "."


def _discrepancy_alt(found: list[dict]) -> str:
    items = [f"{f['id']} ({f['label']}): {f['title']}" for f in found if f["strength"] != "flag"][:30]
    return ("Each finding's strongest evidence, printed against recomputed on the quantity's own axis. "
            + "; ".join(items) + ".")


def trust_tables(config: dict, papers: list[dict]) -> list[dict]:
    """Each paper's INSPECT-SR context (a trial's 21 checks and judgements, or why it does not
    apply), where the trust stage ran (results/trust/index.csv)."""
    # The trust stage, imported only where it wrote its tables.
    from reanalysis.trust.inspect_sr import trust_context
    results = Path(config.get("results_dir", "results"))
    if not (results / "trust" / "index.csv").is_file():
        return []
    out = []
    for p in papers:
        try:
            ctx = trust_context(p["name"], results)
        except KeyError:
            continue
        out.append({**ctx, "label": p["label"]})
    return out


def build_context(ledger: pd.DataFrame, table: pd.DataFrame, evidence: pd.DataFrame, config: dict,
                  figure_dir: Path, caption_dir: Path, beyond_tables=(), recomputed: pd.DataFrame | None = None,
                  root: Path = Path(".")) -> dict:
    """Everything the template shows, read from the ledger, the findings table and its
    evidence, the config, the figures and captions (and the "Is the effect real?" tables)."""
    c = counts(ledger, table)
    corpus = is_corpus(ledger, config)
    labels = _labels(config)
    studies = sorted(set(table["study"]) | set(ledger["study"]))
    sources = {s: StudySources(s, config, recomputed, root) for s in studies if s in config["studies"]}
    listed = REPORT_TOP_FINDINGS if corpus else None
    overview = []
    if (Path(figure_dir) / f"{DISCREPANCY_FIGURE['name']}.png").is_file():
        overview.append(DISCREPANCY_FIGURE)
    overview.append(PVALUE_FIGURE)
    figures = figure_catalogue(config)
    found = finding_context(table, evidence, config, overview + figures, sources, listed)
    overview = [_figure(f, figure_dir, caption_dir,
                        _discrepancy_alt(found) if f["kind"] == "discrepancies" else _pvalue_alt(ledger, labels))
                for f in overview]
    if corpus:
        overview = [{**f, **CORPUS_FIGURES.get(f["name"], {})} for f in overview]
    figures = [_figure(f, figure_dir, caption_dir) for f in figures]
    for f in figures:
        f["label"] = labels.get(f["study"], f["study"])
    finding_of: dict = {}
    for f in table.to_dict("records"):
        for claim in str(f["claims"]).split("; "):
            finding_of.setdefault((f["study"], claim), f["id"])
    claims = [] if corpus else claim_groups(ledger, finding_of, labels, sources)
    papers = paper_context(config, c)
    return {"papers": papers, "trust": trust_tables(config, papers), "without_findings": [p for p in papers if not p["findings"]],
            "counts": c, "headline": c.sentence(), "verdicts": list(VERDICT_STYLE), "palette_css": css_variables(),
            "findings": found, "n_findings": len(table), "claims": claims, "corpus": corpus,
            "studies_in_full": int(config.get("studies_in_full", 12)),
            "strengths": list(dict.fromkeys(table["strength_label"])) if len(table) else [],
            "overview_figures": overview, "figures": figures,
            "beyond": beyond_context(beyond_tables, figure_dir, caption_dir, labels),
            "columns": LEDGER_COLUMNS, "labels": labels}


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


def read_inputs(ledger_csv: Path, findings_csv: Path, evidence_csv: Path) -> tuple:
    return read_table(ledger_csv), read_table(findings_csv), read_table(evidence_csv)


def write_report(ledger_csv: Path, findings_csv: Path, evidence_csv: Path, config: dict, figure_dir: Path,
                 template: Path, out: Path, beyond_tables=(), recomputed=()) -> dict:
    """Render the report; the template's folder holds the RST captions too. Returns the
    context it rendered."""
    ledger, table, evidence = read_inputs(ledger_csv, findings_csv, evidence_csv)
    context = build_context(ledger, table, evidence, config, figure_dir, Path(template).parent, beyond_tables,
                            load_recomputed(recomputed))
    Path(out).write_text(render(context, template), encoding="utf-8")
    return context
