"""The self-contained HTML report: every ledger row, the verdict counts and every figure.

Everything the report says is computed here from the ledger and the config, then written
through a Jinja2 template (``workflow/report/report.html.j2``); no number is typed into
the template. Figures are embedded as PNG data URIs and the page carries its own CSS and
script, so it opens offline. Nothing in it depends on the time or the machine, so two
runs give the same bytes.
"""
from __future__ import annotations

import base64
from collections import Counter
from pathlib import Path

import docutils.core
import jinja2
import pandas as pd

from . import beyond as beyond_section
from .catalogue import PVALUE_FIGURE, figure_catalogue
from .ledger import read_ledger
from .rounding import format_value
from .summary_level import AS_REPORTED
from .verdicts import CONSISTENT, DISCREPANT, REPRODUCED, UNVERIFIABLE, VERDICTS

# Rows needing a reader's eye first: decision errors, then discrepant, consistent, ...
_VERDICT_RANK = {DISCREPANT: 0, CONSISTENT: 1, REPRODUCED: 2, UNVERIFIABLE: 3}


def caption_html(path: Path) -> str:
    """An RST caption file (the one ``snakemake --report`` uses) rendered to HTML."""
    text = Path(path).read_text(encoding="utf-8")
    parts = docutils.core.publish_parts(text, writer="html5",
                                        settings_overrides={"report_level": 5, "halt_level": 5})
    return parts["fragment"]


def _data_uri(png: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(Path(png).read_bytes()).decode("ascii")


def _recomputed_text(row: pd.Series) -> str:
    """The recomputed value, with its interval over the rounding box where there is one."""
    shown = row["recomputed"]
    low, high = row["low"], row["high"]
    if low != "" and high != "":
        interval = f"[{format_value(float(low))}, {format_value(float(high))}]"
        if interval not in shown:
            shown = f"{shown} {interval}".strip()
    return shown


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


def build_context(ledger: pd.DataFrame, config: dict, figure_dir: Path, caption_dir: Path,
                  beyond_tables=()) -> dict:
    """Everything the template shows, computed from the ledger, config, figures and captions
    (and the "Is the effect real?" tables, when given)."""
    counts = verdict_counts(ledger)
    totals = {k: sum(c[k] for c in counts)
              for k in ("rows", "as_reported", *VERDICTS, "decision_errors")}
    rows = []
    for _, r in ordered_rows(ledger).iterrows():
        rows.append({**r.to_dict(), "recomputed_shown": _recomputed_text(r),
                     "source": f"{r['source_file']}:{r['source_line']}" if r["source_file"] else ""})
    findings = [r for r in rows if r["variant"] == AS_REPORTED
                and (r["verdict"] == DISCREPANT or r["decision_error"] == "true")]
    figures = []
    for fig in figure_catalogue(config) + [PVALUE_FIGURE]:
        stem = f"{fig['study']}/{fig['name']}" if fig["study"] else fig["name"]
        figures.append({**fig, "src": _data_uri(Path(figure_dir) / f"{stem}.png"),
                        "caption_html": caption_html(Path(caption_dir) / fig["caption"])})
    studies = [{"name": s, "title": " ".join(str(config["studies"][s].get("title", s)).split()),
                "design": config["studies"][s]["design"]} for s in sorted(config["studies"])]
    return {"studies": studies, "counts": counts, "totals": totals, "verdicts": VERDICTS,
            "rows": rows, "findings": findings, "figures": figures,
            "beyond": beyond_context(beyond_tables, figure_dir, caption_dir),
            "columns": ["study", "claim_id", "location", "quantity", "reported", "claim",
                        "recomputed", "variant", "method", "verdict", "decision error", "reason",
                        "source"]}


def render(context: dict, template: Path) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(template).parent),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    return env.get_template(Path(template).name).render(**context)


def write_report(ledger_csv: Path, config: dict, figure_dir: Path, template: Path, out: Path,
                 beyond_tables=()) -> int:
    """Render the report; the template's folder holds the RST captions too."""
    ledger = read_ledger(ledger_csv)
    context = build_context(ledger, config, figure_dir, Path(template).parent, beyond_tables)
    Path(out).write_text(render(context, template), encoding="utf-8")
    return len(ledger)
