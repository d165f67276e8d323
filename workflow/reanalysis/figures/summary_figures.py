"""Figures regenerated from printed summaries, and the ledger's and findings' figures.

- ``time_course``: per-arm mean ± SD (or percent) over the visits, one panel per outcome,
  with the printed between-arm significance mark above the recomputed one; the recomputed
  mark is the ledger's: coloured by the ledger's verdict for that claim, and "–" where
  nothing was recomputed (never "ns"). The marks drawn are written beside the figure
  (``<name>.marks.csv``), so that a test can hold each to the ledger.
- ``forest``: each printed table's baseline and follow-up, mean ± dispersion or median
  (IQR), one panel per outcome, with the printed values beside each row.
- :func:`plot_pvalues`: every p-value claim, printed against recomputed, one panel per
  study; for a corpus (more studies than config `studies_in_full`) one pooled panel. Points
  that share a printed threshold are spread sideways, never across alpha: each point's
  quadrant is its ledger classification (a decision error in a shaded quadrant, nothing
  else). Returns the points it drew.
- :func:`plot_discrepancies`: one strip per finding (``results/audit/findings.csv``): its
  first evidence row, printed against recomputed on the quantity's own axis, in its units.

Every verdict colour comes from :mod:`reanalysis.figures.palette`; arm and group names from the
study's config (``arm_labels``).
"""
from __future__ import annotations

import csv
import math
import re
import textwrap
from decimal import Decimal
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection

from reanalysis.audit.ledger import stem
from reanalysis.engine.rounding import NumberFormatError, parse_claim
from reanalysis.engine.verdicts import reported_significant
from reanalysis.findings.evidence import arm_label, lead_row

from .palette import (BASELINE, DECISION_ERROR, FOLLOW_UP, GROUP_LINESTYLES, NEUTRAL, VERDICT_STYLE, colour,
                      group_colours, ink)
from .paper_figures import configure_matplotlib, save_figure

AS_REPORTED = "as_reported"
MISSING = "–"  # a mark where nothing was recomputed (or nothing printed)
# For a corpus the discrepancies figure shows only the highest-ranked findings: a strip per
# finding for thousands of findings would be unreadable (summary.md and the report list them).
DISCREPANCY_TOP_FINDINGS = 30
# The pooled p-value panel draws thousands of ranges over each other: (line width, opacity)
# of a discrepant p's range and of a consistent one's.
POOLED_STRONG_RANGE = (0.9, 0.6)
POOLED_FAINT_RANGE = (0.5, 0.08)
# How far (in decades) a point is kept from alpha's lines, and the spread of points that
# share a printed threshold.
NUDGE = 0.04
SPREAD_STEP, SPREAD_WIDTH = 0.09, 0.32
FLOOR = 1e-12          # recomputed p below this are drawn at it
MARKS_COLUMNS = ["figure", "panel", "check", "claim_id", "timepoint", "x", "printed", "printed_mark",
                 "recomputed_mark", "verdict", "value", "low", "high"]


def stars_for_claim(text: str) -> str:
    """The significance mark a printed p claim amounts to: ***, **, *, ns, or ? if unsaid."""
    c = parse_claim(text)
    x = float(c.number.value)
    if c.op in ("<", "<="):
        return "***" if x <= 0.001 else "**" if x <= 0.01 else "*" if x <= 0.05 else "?"
    if c.op in (">", ">="):
        return "ns" if x >= 0.05 else "?"
    return stars_for_p(x)


def stars_for_p(p: float) -> str:
    """***, **, * or ns for a recomputed p; "–" where there is none (NaN)."""
    if p is None or p != p:
        return MISSING
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else "ns"


def stars_for_range(value: float, low: float, high: float) -> str:
    """Marks for a recomputed p: its value's; for a range with no single value, both ends'
    marks where they differ; "–" where nothing was recomputed."""
    if value == value:
        return stars_for_p(value)
    if low != low or high != high:
        return MISSING
    a, b = stars_for_p(low), stars_for_p(high)
    return a if a == b else f"{a}…{b}"


def _num(x) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


def _primary_rows(rows: dict) -> list:
    """Each quantity once: rows that repeat another printing (same_as) are left out."""
    return [r for r in rows.values() if not r.raw.get("same_as")]


def _ledger_p_row(audit: pd.DataFrame | None, claim_id: str) -> dict | None:
    """A claim's as-reported p row of the ledger (None where the ledger has none)."""
    if audit is None or not claim_id:
        return None
    sel = audit[(audit["claim_id"] == claim_id) & (audit["variant"] == AS_REPORTED)
                & (audit["statistic"] == "p")]
    return sel.iloc[0].to_dict() if len(sel) else None


def time_course_marks(rows: dict, claims: list[dict], stats: pd.DataFrame, audit: pd.DataFrame | None,
                      study: dict, spec: dict, name: str = "") -> list[dict]:
    """The significance marks a time-course figure draws, one per between-arm check: the
    printed mark (from the claim), and the recomputed one with the ledger's verdict (from
    the claim's as-reported p row: its value, or its range where it has no single value;
    "–" where nothing was recomputed). A check with no printed claim has no ledger row:
    its recomputed mark comes from the recomputation, with no verdict."""
    times = spec["timepoints"]
    out = []
    for panel in spec["panels"]:
        for check in panel.get("between_checks", []):
            cspec = study["checks"][check]
            timepoint = rows[cspec["a"]].timepoint
            printed = [c for c in claims if c["check"] == check and c["claim"]]
            claim_id = printed[0]["claim_id"] if printed else ""
            row = _ledger_p_row(audit, claim_id)
            if row is not None:
                value, low, high = (_num(row[k]) for k in ("value", "low", "high"))
                verdict = row["verdict"]
            else:
                rec = stats[(stats["check"] == check) & (stats["variant"] == AS_REPORTED)
                            & (stats["statistic"] == "p")]
                value, low, high = ((_num(rec[k].iloc[0]) for k in ("value", "low", "high"))
                                    if len(rec) else (math.nan,) * 3)
                verdict = ""
            out.append({"figure": name, "panel": panel["label"], "check": check, "claim_id": claim_id,
                        "timepoint": timepoint, "x": times[timepoint],
                        "printed": printed[0]["claim"] if printed else "",
                        "printed_mark": stars_for_claim(printed[0]["claim"]) if printed else MISSING,
                        "recomputed_mark": stars_for_range(value, low, high), "verdict": verdict,
                        "value": value, "low": low, "high": high})
    return out


def plot_time_course(rows: dict, claims: list[dict], stats: pd.DataFrame, study: dict, spec: dict,
                     audit: pd.DataFrame | None = None, name: str = ""):
    """Returns the figure and the marks it drew (:func:`time_course_marks`)."""
    panels, times = spec["panels"], spec["timepoints"]
    arms = sorted({r.arm for r in rows.values() if r.arm != "all"})
    palette = group_colours(arms)
    styles = {arm: GROUP_LINESTYLES[i % len(GROUP_LINESTYLES)] for i, arm in enumerate(arms)}
    marks = time_course_marks(rows, claims, stats, audit, study, spec, name)
    ncols = min(3, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.4 * ncols, 3.7 * nrows + 0.9), squeeze=False)
    for ax, panel in zip(axes.flat, panels):
        sel = [r for r in _primary_rows(rows) if r.outcome == panel["outcome"] and r.timepoint in times
               and r.form in ("mean_dispersion", "mean", "percent")]
        for i, arm in enumerate(arms):
            pts = sorted((times[r.timepoint], r) for r in sel if r.arm == arm)
            if not pts:
                continue
            x = np.array([t for t, _ in pts]) + (i - (len(arms) - 1) / 2) * 0.6
            key = "percent" if pts[0][1].form == "percent" else "mean"
            y = [float(r.parts[key].value) for _, r in pts]
            err = [float(r.parts["dispersion"].value) if "dispersion" in r.parts else 0.0 for _, r in pts]
            ax.errorbar(x, y, yerr=err, marker="o", ms=4, capsize=3, lw=1.4, ls=styles[arm],
                        color=palette[arm], label=arm_label(study, arm))
        ymax = ax.get_ylim()[1]
        for m in (m for m in marks if m["panel"] == panel["label"]):
            ax.annotate(m["printed_mark"], (m["x"], ymax), xytext=(0, 13), textcoords="offset points",
                        ha="center", va="bottom", fontsize=7.5, color="black", annotation_clip=False)
            ax.annotate(m["recomputed_mark"], (m["x"], ymax), xytext=(0, 3), textcoords="offset points",
                        ha="center", va="bottom", fontsize=7.5, annotation_clip=False,
                        color=ink(m["verdict"]) if m["verdict"] else NEUTRAL,
                        fontweight="bold" if m["verdict"] == "discrepant" else "normal")
        ax.set_title(panel["label"], fontsize=9, pad=28)
        ax.set_xlabel(spec.get("time_unit", "weeks"), fontsize=8)
        ax.set_xticks(sorted(set(times.values())))
        ax.tick_params(labelsize=7.5)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    arm_handles = axes.flat[0].get_legend_handles_labels()[0]
    verdicts = [v for v in VERDICT_STYLE if any(m["verdict"] == v for m in marks)]
    mark_handles = [plt.Line2D([], [], color=ink(v), marker="s", ls="none", label=f"recomputed: {v}")
                    for v in verdicts]
    fig.legend(handles=arm_handles + mark_handles, loc="lower center", ncol=min(6, len(arm_handles) + len(mark_handles)),
               fontsize=7.5, frameon=False)
    fig.suptitle(f"{spec['title']}\nmarks above each visit: printed (top), recomputed as reported (below, "
                 f"coloured by the ledger's verdict; {MISSING} where nothing was recomputed)", fontsize=9)
    fig.tight_layout(rect=(0, 0.5 / fig.get_figheight(), 1, 1))
    return fig, marks


def _forest_text(r) -> str:
    return str(r.raw.get("reported") or "").strip()


def plot_forest(rows: dict, spec: dict, study: dict | None = None):
    """One panel per outcome (stacked), one row per group and arm: baseline and follow-up
    as printed, the printed values written beside each row."""
    study = study or {}
    panels = spec["panels"]
    sel = [r for r in _primary_rows(rows) if r.raw["location"].startswith(spec.get("location", ""))
           and r.form in ("mean_dispersion", "median_iqr", "mean")]
    members: dict[tuple, list] = {}  # (group, arm) -> rows, in first-printed order
    for r in sel:
        members.setdefault((r.raw.get("group") or r.value_id.split("-")[1], r.arm), []).append(r)
    groups = list(members.items())

    one_group = len({g for (g, _a), _r in groups}) == 1  # one table of arms: name the arms only

    def label(group, arm):
        if arm in ("all", ""):
            return group
        return arm_label(study, arm) if one_group else f"{group} ({arm_label(study, arm)})"
    height = [0.42 * len(groups) + 0.75 for _ in panels]
    fig, axes = plt.subplots(len(panels), 1, figsize=(7.2, sum(height) + 1.0), squeeze=False,
                             gridspec_kw={"height_ratios": height})
    for ax, panel in zip(axes[:, 0], panels):
        for y, ((group, arm), group_rows) in enumerate(groups):
            points = [r for r in group_rows if r.outcome == panel["outcome"]]
            texts = []
            for r in points:
                first = r.timepoint == "baseline"
                off = -0.15 if first else 0.15
                c = BASELINE if first else FOLLOW_UP
                if r.form == "median_iqr":
                    mid, lo, hi = (float(r.parts[k].value) for k in ("median", "q1", "q3"))
                    ax.plot([lo, hi], [y + off] * 2, color=c, lw=1.2, ls="--")
                    ax.plot(mid, y + off, marker="s", color=c, ms=4)
                else:
                    mid = float(r.parts["mean"].value)
                    d = float(r.parts["dispersion"].value) if "dispersion" in r.parts else 0.0
                    ax.plot([mid - d, mid + d], [y + off] * 2, color=c, lw=1.2)
                    ax.plot(mid, y + off, marker="o", color=c, ms=4)
                texts.append(_forest_text(r) + (f" {r.raw['marker']}" if r.raw.get("marker") else ""))
            if texts:
                ax.text(1.02, y, " → ".join(texts), transform=ax.get_yaxis_transform(), fontsize=7.5,
                        va="center", ha="left", clip_on=False)
        ax.set_title(panel["label"], fontsize=9, loc="left")
        ax.tick_params(labelsize=7.5)
        ax.grid(axis="x", lw=0.3)
        ax.set_yticks(range(len(groups)), [label(g, a) for (g, a), _ in groups], fontsize=7.5)
        ax.set_ylim(len(groups) - 0.5, -0.5)
    follow_up = any(r.timepoint != "baseline" for r in sel)
    handles = [plt.Line2D([], [], color=BASELINE, marker="o", label="baseline")]
    if follow_up:
        handles.append(plt.Line2D([], [], color=FOLLOW_UP, marker="o", label="follow-up"))
    if any(r.form != "median_iqr" for r in sel):
        handles.append(plt.Line2D([], [], color="grey", ls="-", label="mean ± dispersion"))
    if any(r.form == "median_iqr" for r in sel):
        handles.append(plt.Line2D([], [], color="grey", ls="--", marker="s", label="median (IQR)"))
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=7.5, frameon=False)
    fig.suptitle(f"{spec['title']}\nright of each row: the values as printed"
                 + (" (baseline → follow-up)" if follow_up else ""), fontsize=9)
    fig.subplots_adjust(left=0.27, right=0.62, top=1 - 0.75 / fig.get_figheight(),
                        bottom=0.75 / fig.get_figheight(), hspace=0.55)
    return fig


def render_summary_figures(rows, claims, stats, study: dict, out_dir: Path,
                           audit: pd.DataFrame | None = None) -> list[Path]:
    """Every figure of a summary-level study; a time course's marks go beside it
    (``<name>.marks.csv``)."""
    configure_matplotlib()
    paths = []
    for name, spec in sorted(study.get("figures", {}).items()):
        if spec["kind"] == "time_course":
            fig, marks = plot_time_course(rows, claims, stats, study, spec, audit=audit, name=name)
            marks_path = Path(out_dir) / f"{name}.marks.csv"
            write_marks(marks, marks_path)
            paths.append(marks_path)
        else:
            fig = plot_forest(rows, spec, study)
        paths += save_figure(fig, Path(out_dir) / name)
    return paths


def _cell(x) -> str:
    if isinstance(x, float):
        return "" if x != x else repr(x)
    return str(x)


def write_marks(marks: list[dict], path: Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, MARKS_COLUMNS, lineterminator="\n")
        w.writeheader()
        for m in marks:
            w.writerow({k: _cell(m[k]) for k in MARKS_COLUMNS})


# --- printed against recomputed p-values ----------------------------------------------------

def pvalue_table(ledger: pd.DataFrame) -> pd.DataFrame:
    """As-reported p-value claims with their printed number and recomputed value or range."""
    p = ledger[(ledger["statistic"] == "p") & (ledger["variant"] == AS_REPORTED)].copy()
    claims = p["claim"].map(parse_claim)
    p["parsed"] = list(claims)
    p["printed_p"] = [float(c.number.value) for c in claims]
    p["op"] = [c.op for c in claims]
    for k in ("value", "low", "high"):
        p[k] = pd.to_numeric(p[k], errors="coerce")
    # a range with no single value (r unknown) is shown at its largest p, the conservative end
    p["shown"] = p["value"].where(p["value"].notna(), p["high"])
    p["decision_error"] = p["decision_error"].astype(str).str.lower() == "true"
    return p.sort_values(["study", "claim_id"]).reset_index(drop=True)


def _spread(keys: list) -> np.ndarray:
    """Deterministic sideways offsets (in decades) for points that share a key (a printed
    threshold), in their order: centred, at most SPREAD_WIDTH / 2 decades apart."""
    out = np.zeros(len(keys))
    groups: dict = {}
    for i, k in enumerate(keys):
        groups.setdefault(k, []).append(i)
    for members in groups.values():
        n = len(members)
        gap = min(SPREAD_STEP, SPREAD_WIDTH / max(n - 1, 1))
        for rank, i in enumerate(members):
            out[i] = (rank - (n - 1) / 2) * gap
    return out


def place_pvalues(p: pd.DataFrame, alphas: dict | None = None, alpha: float = 0.05,
                  by: tuple = ("study",)) -> pd.DataFrame:
    """Where each p is drawn (x: printed, y: recomputed, both log), kept on its side of
    alpha: the side the printed claim states (``verdicts.reported_significant``), spread
    sideways only within it; a recomputed p on the other side only where the ledger calls
    it a decision error. A claim that is not a decision error but whose recomputed value
    lies across alpha (consistent: its range reaches the printed side) is drawn just on the
    printed side (``moved``); a printed bound that states no side (p < 0.1 at alpha 0.05)
    is drawn on its recomputed p's side. Returns one row per point: study, claim_id,
    verdict, decision_error, alpha, x, y, said (True: significant, False: not, None),
    moved."""
    alphas = alphas or {}
    out = []
    keys = [tuple(r[k] for k in by) + (r["printed_p"], r["op"]) for _, r in p.iterrows()]
    offsets = _spread(keys)
    # a group of points sharing a threshold is shifted as a whole to stay on its side
    shift: dict = {}
    rows = list(p.iterrows())
    for (i, r), key, off in zip(rows, keys, offsets):
        a = float(alphas.get(r["study"], alpha))
        said = reported_significant(r["parsed"], a)
        if said is None:
            continue
        edge = math.log10(a) + (-NUDGE if said else NUDGE)
        lx = math.log10(r["printed_p"]) + off
        need = (lx - edge) if said else (edge - lx)
        shift[key] = max(shift.get(key, 0.0), need if need > 0 else 0.0)
    for (i, r), key, off in zip(rows, keys, offsets):
        a = float(alphas.get(r["study"], alpha))
        la = math.log10(a)
        said = reported_significant(r["parsed"], a)
        error = bool(r["decision_error"])
        y = max(float(r["shown"]), FLOOR)
        moved = False
        if said is None:
            side = y < a
        else:
            side = said
            rec = y < a
            if not error and rec != said:
                y, moved = 10 ** (la - NUDGE if said else la + NUDGE), True
            elif error and rec == said:
                low = max(_num(r["low"]), FLOOR) if r["low"] == r["low"] else math.nan
                y = low if (low == low and (low < a) != said) else 10 ** (la + NUDGE if said else la - NUDGE)
                moved = True
        if y == a:
            y = 10 ** (la + NUDGE) if (said is False or (said is None and not side)) else 10 ** (la - NUDGE)
        lx = math.log10(r["printed_p"]) + off
        if said is not None:
            lx += -shift.get(key, 0.0) if said else shift.get(key, 0.0)
        else:
            lx = min(lx, la - NUDGE) if side else max(lx, la + NUDGE)
        out.append({"study": r["study"], "claim_id": r["claim_id"], "verdict": r["verdict"],
                    "decision_error": error, "alpha": a, "x": 10 ** lx, "y": y, "said": said,
                    "moved": moved, "op": r["op"], "printed_p": r["printed_p"], "value": r["value"],
                    "low": r["low"], "high": r["high"]})
    return pd.DataFrame(out, columns=["study", "claim_id", "verdict", "decision_error", "alpha", "x", "y",
                                      "said", "moved", "op", "printed_p", "value", "low", "high"])


def _log_axes(ax, x_lo: float, x_hi: float, y_lo: float) -> None:
    """Both p axes logarithmic, up to 2 (above p = 1, so that 1 is inside)."""
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, 2.0)
    ax.tick_params(labelsize=7.5)


def _flip_quadrants(ax, alpha: float, x_lo: float, x_hi: float, y_lo: float) -> None:
    """Shade where significance flips (printed below alpha and recomputed above, or the
    reverse) and draw alpha's lines."""
    shade = VERDICT_STYLE["discrepant"]["tint"]
    ax.fill_between([x_lo, alpha], alpha, 2.0, color=shade, lw=0, zorder=0)
    ax.fill_between([alpha, x_hi], y_lo, alpha, color=shade, lw=0, zorder=0)
    ax.plot([FLOOR, 2.0], [FLOOR, 2.0], color="grey", lw=0.6, ls=":", zorder=1)
    ax.axhline(alpha, color="grey", lw=0.6, zorder=1)
    ax.axvline(alpha, color="grey", lw=0.6, zorder=1)


_MARKERS = {"=": "o", "<": "<", "<=": "<", ">": ">", ">=": ">"}
_ORDER = {"unverifiable": 0, "reproduced": 1, "consistent": 2, "discrepant": 3}


def plot_pvalues(ledger: pd.DataFrame, alpha: float = 0.05, pooled: bool = False,
                 alphas: dict | None = None, labels: dict | None = None):
    """Printed p (x) against recomputed p (y), log-log, one panel per study (``pooled``:
    one panel of every study, see :func:`plot_pooled_pvalues`). Returns the figure and the
    points drawn (:func:`place_pvalues`).

    The shaded quadrants are where significance at alpha flips; a decision error is there,
    with a black ring and its claim id, and nothing else is. A recomputed range (rounding
    box, unknown r) is drawn where it matters: where it crosses alpha, or where only the
    range makes the claim consistent; a range with no single value is shown at its largest
    p (hollow marker)."""
    if pooled:
        return plot_pooled_pvalues(ledger, alpha, alphas=alphas)
    labels = labels or {}
    every = pvalue_table(ledger)
    p = every[every["shown"].notna()].reset_index(drop=True)
    missing = every[every["shown"].isna()].groupby("study").size()
    points = place_pvalues(p, alphas, alpha)
    studies = sorted(p["study"].unique())
    ncols = 2 if len(studies) > 1 else 1
    nrows = max(1, math.ceil(len(studies) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(6.0 * ncols, 4.9 * nrows + 0.9), squeeze=False)
    for ax, study in zip(axes.flat, studies):
        mine = points[points["study"] == study].reset_index(drop=True)
        a = float(mine["alpha"].iloc[0])
        x, y = mine["x"].to_numpy(), mine["y"].to_numpy()
        lows = np.maximum(mine["low"].fillna(pd.Series(y)).to_numpy(float), FLOOR)
        x_lo, x_hi = max(min(x.min() / 4, a / 10), FLOOR), 2.0
        y_lo = max(min(lows.min(), y.min(), a) / 4, FLOOR)
        _flip_quadrants(ax, a, x_lo, x_hi, y_lo)
        labelled = []
        for i, r in mine.iterrows():
            c = colour(r["verdict"])
            z = 2 + _ORDER.get(r["verdict"], 0)
            error = bool(r["decision_error"])
            ranged = r["low"] == r["low"] and r["high"] == r["high"]
            crosses = ranged and r["low"] < a < r["high"]
            if ranged and (error or r["verdict"] == "discrepant" or crosses or r["moved"]):
                strong = error or r["verdict"] == "discrepant"
                ax.plot([x[i], x[i]], [max(r["low"], FLOOR), max(r["high"], FLOOR)], color=c,
                        lw=1.3 if strong else 0.8, alpha=0.85 if strong else 0.45, zorder=z,
                        solid_capstyle="butt")
            hollow = r["value"] != r["value"] or r["moved"]
            ax.plot(x[i], y[i], marker=_MARKERS[r["op"]], ms=5.5, ls="none", zorder=z + 0.5,
                    markerfacecolor="white" if hollow else c, markeredgecolor=c, markeredgewidth=1.1)
            if error:
                ax.plot(x[i], y[i], marker="o", ms=11, ls="none", markerfacecolor="none",
                        markeredgecolor=DECISION_ERROR, markeredgewidth=1.2, zorder=z + 1)
                labelled.append((x[i], y[i], r["claim_id"]))
        # labels of decision errors close together are stacked, each with a leader line
        labelled.sort(key=lambda t: (-t[1], t[0]))
        for k, (lx, ly, text) in enumerate(labelled):
            near = [j for j, (ox, oy, _) in enumerate(labelled[:k])
                    if abs(math.log10(ox / lx)) < 0.4 and abs(math.log10(oy / ly)) < 0.8]
            ax.annotate(text, (lx, ly), xytext=(12, 8 - 11 * len(near)), textcoords="offset points",
                        fontsize=7, color="black", zorder=10, va="center",
                        arrowprops={"arrowstyle": "-", "lw": 0.5, "color": "black"} if near else None)
        _log_axes(ax, x_lo, x_hi, y_lo)
        n_disc = int((mine["verdict"] == "discrepant").sum())
        n_err = int(mine["decision_error"].sum())
        gone = int(missing.get(study, 0))
        ax.set_title(f"{labels.get(study, study)}: {len(mine)} printed p\n({n_disc} discrepant, {n_err} "
                     f"decision error{'s' if n_err != 1 else ''}"
                     + (f"; {gone} not recomputable, not drawn" if gone else "") + ")", fontsize=8.5)
        ax.set_xlabel("printed p (for '<' and '>': the bound)", fontsize=7.5)
        ax.set_ylabel("recomputed p, as reported", fontsize=7.5)
    for ax in list(axes.flat)[len(studies):]:
        ax.set_visible(False)
    fig.legend(handles=_pvalue_handles(p), loc="lower center", ncol=4, fontsize=7.5, frameon=False)
    fig.suptitle(f"Printed against recomputed p-values (alpha {alpha:g}; recomputed values below {FLOOR:g} "
                 f"drawn at {FLOOR:g}; shared thresholds spread sideways, never across alpha)", fontsize=9)
    fig.tight_layout(rect=(0, 0.85 / fig.get_figheight(), 1, 1 - 0.1 / fig.get_figheight()))
    return fig, points


def _pvalue_handles(p: pd.DataFrame) -> list:
    """The p-value figure's legend: the verdicts drawn, the marker shapes, ranges and rings."""
    handles = [plt.Line2D([], [], color=colour(v), marker="o", ls="none", label=v)
               for v in VERDICT_STYLE if v in set(p["verdict"])]
    handles += [plt.Line2D([], [], color="grey", marker=m, ls="none", label=f"printed p {op} x")
                for op, m in (("=", "o"), ("<", "<"), (">", ">"))]
    handles += [plt.Line2D([], [], color="grey", lw=1.3, label="range of a discrepant p"),
                plt.Line2D([], [], color="grey", lw=0.8, alpha=0.45, label="range crossing alpha"),
                plt.Line2D([], [], color="grey", marker="o", markerfacecolor="white", ls="none",
                           label="hollow: a range, at its end on the printed side or its largest p"),
                plt.Line2D([], [], color=DECISION_ERROR, marker="o", markerfacecolor="none", ms=10, ls="none",
                           label="decision error (shaded: significance flips)")]
    return handles


def plot_pooled_pvalues(ledger: pd.DataFrame, alpha: float = 0.05, alphas: dict | None = None):
    """Every study's p-values in one panel, for a corpus (tens of thousands of p-values):
    the encoding of :func:`plot_pvalues` without the claim ids, which would cover the panel
    (the findings name them). Drawn vectorised, one scatter per verdict, marker and fill,
    and one collection of bars per verdict and weight, so it takes seconds. Returns the
    figure and the points drawn."""
    every = pvalue_table(ledger)
    p = every[every["shown"].notna()].reset_index(drop=True)
    gone = len(every) - len(p)
    # points that share a printed threshold spread sideways, over the whole corpus
    points = place_pvalues(p, alphas, alpha, by=())
    fig, ax = plt.subplots(figsize=(9, 7.4))
    x, y = points["x"].to_numpy(float), points["y"].to_numpy(float)
    low, high = points["low"].to_numpy(float), points["high"].to_numpy(float)
    lows = np.maximum(np.where(np.isnan(low), y, low), FLOOR)
    verdict = points["verdict"].to_numpy()
    marker = points["op"].map(_MARKERS).to_numpy()
    error = points["decision_error"].to_numpy(bool)
    hollow = (points["value"].isna() | points["moved"]).to_numpy(bool)
    ranged = ~np.isnan(low) & ~np.isnan(high)
    with np.errstate(invalid="ignore"):
        crosses = ranged & (low < alpha) & (alpha < high)
    strong = error | (verdict == "discrepant")
    x_lo, x_hi = (max(min(x.min() / 4, alpha / 10), FLOOR), 2.0) if len(p) else (alpha / 10, 2.0)
    y_lo = max(min(lows.min(), y.min(), alpha) / 4, FLOOR) if len(p) else alpha / 4
    _flip_quadrants(ax, alpha, x_lo, x_hi, y_lo)
    for v, z in sorted(((v, 2 + k) for v, k in _ORDER.items()), key=lambda t: t[1]):
        c = colour(v)
        mine = verdict == v
        for sel, (lw, opacity) in ((mine & ranged & strong, POOLED_STRONG_RANGE),
                                   (mine & ranged & crosses & ~strong, POOLED_FAINT_RANGE)):
            if sel.any():
                bars = np.stack([np.column_stack([x[sel], np.maximum(low[sel], FLOOR)]),
                                 np.column_stack([x[sel], np.maximum(high[sel], FLOOR)])], axis=1)
                ax.add_collection(LineCollection(bars, colors=[c], linewidths=lw, alpha=opacity,
                                                 zorder=z, capstyle="butt"))
        for m in ("o", "<", ">"):
            for empty in (False, True):
                sel = mine & (marker == m) & (hollow == empty)
                if sel.any():
                    ax.scatter(x[sel], y[sel], marker=m, s=4 ** 2, linewidths=0.7, zorder=z + 0.5,
                               facecolors="white" if empty else [c], edgecolors=[c])
    if error.any():
        ax.scatter(x[error], y[error], marker="o", s=9 ** 2, facecolors="none", edgecolors=DECISION_ERROR,
                   linewidths=1.0, zorder=6)
    _log_axes(ax, x_lo, x_hi, y_lo)
    n_disc = int((p["verdict"] == "discrepant").sum())
    n_err = int(error.sum())
    n_studies, n_with = ledger["study"].nunique(), every["study"].nunique()
    ax.set_title(f"{n_studies} studies pooled: {len(every)} printed p"
                 + (f" from {n_with} of them" if n_with != n_studies else "")
                 + f" ({n_disc} discrepant, {n_err} decision error{'s' if n_err != 1 else ''})"
                 + (f"; {gone} not recomputable, not drawn" if gone else ""), fontsize=8.5)
    ax.set_xlabel("printed p (for '<' and '>': the bound)", fontsize=7.5)
    ax.set_ylabel("recomputed p, as reported", fontsize=7.5)
    fig.legend(handles=_pvalue_handles(p), loc="lower center", ncol=4, fontsize=7, frameon=False)
    fig.suptitle(f"Printed against recomputed p-values, all {n_studies} studies in one panel\n(alpha {alpha:g}; "
                 f"recomputed values below {FLOOR:g} drawn at {FLOOR:g}; shared thresholds spread sideways, never "
                 "across alpha;\ndecision errors ringed but not labelled: the findings name them)", fontsize=9)
    fig.tight_layout(rect=(0, 0.1, 1, 0.95))
    return fig, points


# --- the findings, printed against recomputed ------------------------------------------------

_SCALE = re.compile(r"/ scale ([0-9.eE+-]+)\)")
_UNIT = re.compile(r"\(([^()]*)\)\s*$")


def unit_of(quantity: str, statistic: str = "") -> str:
    """The unit a quantity is printed in ('median follow-up (months)' -> 'months'), 'p' for
    a p-value, '' where none is printed."""
    if statistic == "p" or quantity.startswith("p,"):
        return "p"
    m = _UNIT.search(stem(quantity))
    if m is None:  # 'decrease in mean HbA1c ..., UC-MSC (percentage points)': the unit ends the text
        tail = _UNIT.search(quantity)
        m = tail if tail and len(tail.group(1)) <= 24 and not re.search(r"[=,]|test", tail.group(1)) else None
    unit = m.group(1) if m else ""
    if statistic == "percent" or "% of patients" in quantity or "n (%)" in quantity:
        return "%"
    return "" if unit.startswith("unit not printed") or unit in ("N", "n", "count") else unit


def printed_against_recomputed(ev: dict, ledger_row: dict | None) -> dict | None:
    """An evidence row as numbers: the printed claim (op, value and rounding interval) and
    the recomputed value and range in printed units, or None where nothing numeric was
    recomputed (an impossibility, a definition, a value no count gives)."""
    if ledger_row is None or ev["statistic"] in ("", "grim", "grimmer", "count", "order", "sd_feasibility",
                                                 "agreement"):
        return None
    text = ev["claim"]
    if ev["statistic"] == "percent" and (m := re.search(r"\(([-\d.]+)\)\s*$", text)):
        text = m.group(1)  # 'count (percent)': the percent is what was recomputed
    try:
        claim = parse_claim(text)
    except (NumberFormatError, TypeError):
        return None
    scale = float(m.group(1)) if (m := _SCALE.search(ledger_row.get("note", ""))) else 1.0
    value, low, high = (_num(ledger_row.get(k)) / scale for k in ("value", "low", "high"))
    if value != value and low != low:
        return None
    lo, hi = claim.interval()
    return {"op": claim.op, "printed": float(claim.number.value), "printed_low": float(lo),
            "printed_high": float(hi), "value": value, "low": low, "high": high}


def _ledger_rows(ledger: pd.DataFrame) -> dict:
    main = ledger[ledger["variant"] == AS_REPORTED]
    out = {}
    for r in main.to_dict("records"):
        out.setdefault((r["study"], r["claim_id"], r["statistic"]), r)
    return out


def discrepancy_rows(table: pd.DataFrame, evidence: pd.DataFrame, ledger: pd.DataFrame,
                     top: int | None = None) -> list[dict]:
    """One row per finding (flags left out; with ``top``, the ``top`` highest-ranked): its
    strongest evidence row (:func:`reanalysis.findings.evidence.lead_row`, the one its letter states),
    printed against recomputed from the ledger, with its unit."""
    rows = table[table["strength"] != "flag"]
    if top is not None:
        rows = rows.head(top)
    by_finding = {k: g for k, g in evidence.groupby("finding", sort=False)}
    ledger_of = _ledger_rows(ledger)
    out = []
    for f in rows.to_dict("records"):
        ev_rows = by_finding.get(f["id"])
        if ev_rows is None or not len(ev_rows):
            continue
        ev = lead_row(f, ev_rows.to_dict("records"))
        row = ledger_of.get((ev["study"], ev["claim_id"], ev["statistic"]))
        numbers = printed_against_recomputed(ev, row)
        n_claims = len([c for c in str(f["claims"]).split("; ") if c])
        out.append({"finding": f["id"], "study": f["study"], "claim_id": ev["claim_id"],
                    "strength": f["strength_label"], "consequence": f["consequence"],
                    "quantity": ev["quantity"], "location": ev["location"], "unit": unit_of(ev["quantity"], ev["statistic"]),
                    "reported": ev["reported"], "claim": ev["claim"], "recomputed": ev["recomputed"],
                    "verdict": (row or ev)["verdict"], "decision_error": ev["decision_error"] == "true",
                    "note": ev["note"], "others": n_claims - 1, "numbers": numbers})
    return out


def _clip(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[:n - 1].rstrip(" ,;") + "…"


def _fmt(x: float) -> str:
    if x != x:
        return ""
    if x == 0 or 1e-4 <= abs(x) < 1e6:
        return f"{x:.4g}".replace("-", "−")
    return f"{x:.2e}".replace("-", "−")


def _limits(d: dict, log: bool) -> tuple[float, float]:
    vals = [v for v in (d["printed"], d["value"], d["low"], d["high"]) if v == v and math.isfinite(v)]
    vals += [v for v in (d["printed_low"], d["printed_high"]) if math.isfinite(v)]
    if log:
        vals = [max(v, FLOOR) for v in vals]
        lo, hi = math.log10(min(vals)), math.log10(max(vals))
        pad = max(0.3, 0.12 * (hi - lo))
        return 10 ** (lo - pad), 10 ** (hi + pad)
    lo, hi = min(vals), max(vals)
    pad = 0.15 * (hi - lo) if hi > lo else max(abs(hi) * 0.05, 0.5)
    return lo - pad, hi + pad


def _draw_strip(ax, d: dict, log: bool) -> None:
    """A printed value against its recomputation on one axis: the printed value's rounding
    interval (or the region its bound allows) grey, the recomputed value in its verdict's
    colour with its range."""
    x_lo, x_hi = _limits(d["numbers"], log)
    n = d["numbers"]
    if log:
        ax.set_xscale("log")
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(-1, 1)
    lo, hi = max(n["printed_low"], x_lo), min(n["printed_high"], x_hi)
    ax.axvspan(lo, hi if hi > lo else lo, color="#D9D9D9", lw=0, zorder=0)
    ax.axvline(n["printed"], color=NEUTRAL, lw=1.0, zorder=1)
    c = colour(d["verdict"])
    if n["low"] == n["low"] and n["high"] == n["high"] and n["high"] > n["low"]:
        ax.plot([max(n["low"], x_lo), min(n["high"], x_hi)], [0, 0], color=c, lw=2.2, zorder=2,
                solid_capstyle="butt")
    shown = n["value"] if n["value"] == n["value"] else None
    if shown is not None:
        ax.plot(min(max(shown, x_lo), x_hi), 0, marker=VERDICT_STYLE.get(d["verdict"], {}).get("marker", "o"),
                ms=7, color=c, markeredgecolor=DECISION_ERROR if d["decision_error"] else c, zorder=3)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="x", labelsize=7.5, pad=1.5)


def _wrap(text: str, width: int = 72) -> list[str]:
    return textwrap.wrap(" ".join(str(text).split()), width) or [""]


def plot_discrepancies(table: pd.DataFrame, evidence: pd.DataFrame, ledger: pd.DataFrame,
                       labels: dict | None = None, top: int | None = None):
    """One block per finding in rank order (flags left out; with ``top``, a corpus, the
    ``top`` highest-ranked): its strongest evidence row, the printed value (grey: its
    rounding interval, or the region its bound allows; a line at the printed value) against
    the recomputed value (its verdict's colour and marker, with its range over the rounding
    box; a black edge for a decision error) on the quantity's own axis, in its units; a row
    with nothing numeric recomputed (an impossibility, a definition) as text. Drawn narrow
    (4.2 in), so that it fits a phone's width with its text legible. Returns the figure and
    the rows."""
    labels = labels or {}
    rows = discrepancy_rows(table, evidence, ledger, top)
    line, strip, axis, gap, width = 0.155, 0.26, 0.40, 0.24, 4.2
    blocks = []
    for d in rows:
        head = (f"{d['finding']} · {labels.get(d['study'], d['study'])}"
                + (f" · {d['consequence']}" if d["consequence"] else ""))
        what = _wrap(f"{d['strength']}: {stem(d['quantity'])} ({d['location']})")[:2]
        more = f"; and {d['others']} more claim{'s' if d['others'] != 1 else ''}" if d["others"] else ""
        if d["numbers"] is not None:
            n = d["numbers"]
            unit = "" if d["unit"] in ("", "p") else (d["unit"] if d["unit"] == "%" else f" {d['unit']}")
            printed = f"{'' if n['op'] == '=' else n['op'] + ' '}{_fmt(n['printed'])}{unit}"
            rec = (_fmt(n["value"]) if n["value"] == n["value"]
                   else f"between {_fmt(n['low'])} and {_fmt(n['high'])}")
            rng = (f" [{_fmt(n['low'])}, {_fmt(n['high'])}]" if n["value"] == n["value"] and n["low"] == n["low"]
                   and _fmt(n["low"]) != _fmt(n["high"]) else "")
            result = _wrap(f"printed {printed}; recomputed {rec}{rng}{unit} ({d['verdict']}){more}")
        else:
            result = _wrap(f"printed {_clip(d['reported'], 40)}: {str(d['note']).split('; ')[0]}{more}")[:3]
        height = line * (1 + len(what) + len(result)) + (strip + axis if d["numbers"] is not None else 0) + gap
        blocks.append((d, head, what, result, height))
    title_h = 0.62
    total = title_h + sum(b[-1] for b in blocks) + 0.1
    fig = plt.figure(figsize=(width, max(total, 1.2)))
    H = fig.get_figheight()
    left = 0.12 / width
    fig.text(left, 1 - 0.1 / H, "Each finding's strongest evidence: printed (grey: what\nthe printed value "
             "allows) against recomputed (coloured by\nits verdict, with its range), in the quantity's units",
             fontsize=8.5, va="top", ha="left")
    y = H - title_h  # inches from the bottom, top of the next block
    for d, head, what, result, height in blocks:
        fig.text(left, (y - 0.02) / H, head, fontsize=8, fontweight="bold", va="top", ha="left")
        for k, text in enumerate(what):
            fig.text(left, (y - line * (1 + k)) / H, text, fontsize=7.5, va="top", ha="left")
        y_text = y - line * (1 + len(what))
        if d["numbers"] is not None:
            ax = fig.add_axes((left + 0.02, (y_text - 0.05 - strip) / H, 1 - 2 * left - 0.04, strip / H))
            n = d["numbers"]
            ends = [max(v, FLOOR) for v in (n["printed"], n["value"], n["low"], n["high"]) if v == v]
            # a log axis where the values span more than a decade, else a linear one
            log = d["unit"] == "p" and math.log10(max(ends) / min(ends)) > 1
            _draw_strip(ax, d, log)
            if log:
                ax.xaxis.set_minor_formatter(plt.NullFormatter())
            ax.set_xlabel(("p-value (log scale)" if log else "p-value") if d["unit"] == "p"
                          else (d["unit"] or "as printed (no unit printed)"),
                          fontsize=7.5, labelpad=1)
            y_text -= strip + axis
        for k, text in enumerate(result):
            fig.text(left, (y_text - line * k - 0.02) / H, text, fontsize=7.5, va="top", ha="left",
                     color=ink(d["verdict"]))
        y -= height
    if not rows:
        fig.text(left, 0.5, "No findings.", fontsize=9)
    return fig, rows


# --- the figures of the ledger and the findings, written --------------------------------------

def _labels(config: dict) -> dict:
    return {s: spec.get("citation", {}).get("label", s) for s, spec in config.get("studies", {}).items()}


def _alphas(config: dict) -> dict:
    return {s: spec.get("alpha", 0.05) for s, spec in config.get("studies", {}).items()}


def write_pvalue_figure(ledger_csv: Path, config: dict, stem: Path, corpus: bool) -> tuple[list, pd.DataFrame]:
    """The p-value figure (drawn by the ``ledger`` rule) at ``stem`` (.png and .svg): per
    study, or pooled for a corpus. Returns the paths and the points drawn."""
    configure_matplotlib()
    ledger = pd.read_csv(ledger_csv, keep_default_na=False, na_values=[""])
    fig, points = plot_pvalues(ledger, pooled=corpus, alphas=_alphas(config), labels=_labels(config))
    return save_figure(fig, Path(stem)), points


def write_discrepancy_figure(table: pd.DataFrame, evidence: pd.DataFrame, ledger: pd.DataFrame, config: dict,
                             stem: Path, corpus: bool) -> tuple[list, list]:
    """The findings' figure (drawn by the report's rule) at ``stem``: every finding, or for
    a corpus the highest-ranked. Returns the paths and the rows drawn."""
    configure_matplotlib()
    fig, rows = plot_discrepancies(table, evidence, ledger, _labels(config),
                                   top=DISCREPANCY_TOP_FINDINGS if corpus else None)
    return save_figure(fig, Path(stem)), rows
