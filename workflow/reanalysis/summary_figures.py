"""Figures regenerated from printed summaries, and reported against recomputed p-values.

- ``time_course``: per-arm mean ± SD (or percent) over the visits, one panel per outcome,
  with the printed between-arm significance marks above the recomputed ones.
- ``forest``: each study's baseline and follow-up, mean ± dispersion or median (IQR).
- :func:`plot_pvalues`: every p-value claim of every study, printed against recomputed, one
  panel per study; for a corpus (more studies than config `studies_in_full`) one pooled panel.
- :func:`plot_discrepancies`: the findings (``findings.py``), one row each, one panel per study;
  for a corpus only the highest-ranked findings, in one panel.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.collections import LineCollection

from .figures import configure_matplotlib, save_figure
from .findings import IMPOSSIBILITY_CHECKS, TIERS, findings, is_corpus
from .ledger import read_ledger
from .rounding import NumberFormatError, parse_claim
from .summary_level import AS_REPORTED

VERDICT_COLOURS = dict(zip(["reproduced", "consistent", "discrepant", "unverifiable"],
                           sns.color_palette("colorblind", 4)))
# For a corpus the panel of discrepancies shows only the highest-ranked findings: a row per
# finding for thousands of findings took minutes to draw and was unreadable (summary.md and
# the report list them); 30 rows still fit one readable panel.
DISCREPANCY_TOP_FINDINGS = 30
# The pooled p-value panel draws thousands of ranges over each other: (line width, opacity)
# of a discrepant p's range and of a consistent one's, lighter than per study so that the
# overlap does not paint the panel over.
POOLED_STRONG_RANGE = (0.9, 0.6)
POOLED_FAINT_RANGE = (0.5, 0.08)


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
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else "ns"


def stars_for_range(value: float, low: float, high: float) -> str:
    """Marks for a recomputed p; a range whose ends differ shows both ends' marks."""
    if value == value:
        return stars_for_p(value)
    a, b = stars_for_p(low), stars_for_p(high)
    return a if a == b else f"{a}…{b}"


def _primary_rows(rows: dict) -> list:
    """Each quantity once: rows that repeat another printing (same_as) are left out."""
    return [r for r in rows.values() if not r.raw.get("same_as")]


def plot_time_course(rows: dict, claims: list[dict], stats: pd.DataFrame, study: dict, spec: dict):
    panels, times = spec["panels"], spec["timepoints"]
    arms = sorted({r.arm for r in rows.values() if r.arm != "all"})
    palette = dict(zip(arms, sns.color_palette("colorblind", len(arms))))
    ncols = min(3, len(panels))
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, 3.8 * nrows), squeeze=False)
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
            ax.errorbar(x, y, yerr=err, marker="o", ms=4, capsize=3, lw=1.4, color=palette[arm], label=arm)
        ymax = ax.get_ylim()[1]
        for check in panel.get("between_checks", []):
            cspec = study["checks"][check]
            t = times[rows[cspec["a"]].timepoint]
            printed = [c for c in claims if c["check"] == check and c["claim"]]
            rec = stats[(stats["check"] == check) & (stats["variant"] == AS_REPORTED)
                        & (stats["statistic"] == "p")]
            p_mark = stars_for_claim(printed[0]["claim"]) if printed else "–"
            r_mark = (stars_for_range(*(float(rec[k].iloc[0]) for k in ("value", "low", "high")))
                      if not rec.empty else "–")
            colour = "black" if p_mark == r_mark else "firebrick"
            ax.annotate(f"{p_mark}\n{r_mark}", (t, ymax), ha="center", va="bottom", fontsize=7,
                        color=colour, annotation_clip=False)
        ax.set_title(panel["label"], fontsize=9, pad=22)
        ax.set_xlabel(spec.get("time_unit", "weeks"), fontsize=8)
        ax.set_xticks(sorted(set(times.values())))
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7, frameon=False)
    fig.suptitle(f"{spec['title']}\nmarks above each visit: printed (top) / recomputed, as reported "
                 "(bottom); red where they differ", fontsize=9)
    fig.tight_layout()
    return fig


def plot_forest(rows: dict, spec: dict):
    panels = spec["panels"]
    sel = [r for r in _primary_rows(rows) if r.raw["location"].startswith(spec.get("location", ""))
           and r.form in ("mean_dispersion", "median_iqr", "mean")]
    members: dict[tuple, list] = {}  # (group, arm) -> rows, in first-printed order
    for r in sel:
        members.setdefault((r.raw.get("group") or r.value_id.split("-")[1], r.arm), []).append(r)
    groups = list(members.items())
    fig, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels), 0.5 * len(groups) + 1.8),
                             squeeze=False, sharey=True)
    colours = sns.color_palette("colorblind", 2)
    for ax, panel in zip(axes.flat, panels):
        for y, ((label, arm), group_rows) in enumerate(groups):
            points = [r for r in group_rows if r.outcome == panel["outcome"]]
            for r in points:
                first = r.timepoint == "baseline"
                off = -0.15 if first else 0.15
                c = colours[0] if first else colours[1]
                if r.form == "median_iqr":
                    mid, lo, hi = (float(r.parts[k].value) for k in ("median", "q1", "q3"))
                    ax.plot([lo, hi], [y + off] * 2, color=c, lw=1.2, ls="--")
                    ax.plot(mid, y + off, marker="s", color=c, ms=4)
                else:
                    mid = float(r.parts["mean"].value)
                    d = float(r.parts["dispersion"].value) if "dispersion" in r.parts else 0.0
                    ax.plot([mid - d, mid + d], [y + off] * 2, color=c, lw=1.2)
                    ax.plot(mid, y + off, marker="o", color=c, ms=4)
                if r.raw.get("marker"):
                    ax.annotate(r.raw["marker"], (mid, y + off), xytext=(3, 2),
                                textcoords="offset points", fontsize=6)
        ax.set_title(panel["label"], fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(axis="x", lw=0.3)
    axes.flat[0].set_yticks(range(len(groups)))
    axes.flat[0].set_yticklabels([f"{label} ({arm})" for (label, arm), _ in groups], fontsize=7)
    axes.flat[0].invert_yaxis()
    handles = [plt.Line2D([], [], color=colours[0], marker="o", label="baseline"),
               plt.Line2D([], [], color=colours[1], marker="o", label="follow-up"),
               plt.Line2D([], [], color="grey", ls="-", label="mean ± dispersion"),
               plt.Line2D([], [], color="grey", ls="--", marker="s", label="median (IQR)")]
    fig.legend(handles=handles, loc="lower center", ncol=5, fontsize=7, frameon=False)
    fig.suptitle(spec["title"], fontsize=9)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def render_summary_figures(rows, claims, stats, study: dict, out_dir: Path) -> list[Path]:
    configure_matplotlib()
    paths = []
    for name, spec in sorted(study.get("figures", {}).items()):
        if spec["kind"] == "time_course":
            fig = plot_time_course(rows, claims, stats, study, spec)
        else:
            fig = plot_forest(rows, spec)
        paths += save_figure(fig, Path(out_dir) / name)
    return paths


def pvalue_table(ledger: pd.DataFrame) -> pd.DataFrame:
    """As-reported p-value claims with their printed number and recomputed value or range."""
    p = ledger[(ledger["statistic"] == "p") & (ledger["variant"] == AS_REPORTED)].copy()
    claims = p["claim"].map(parse_claim)
    p["printed_p"] = [float(c.number.value) for c in claims]
    p["op"] = [c.op for c in claims]
    for k in ("value", "low", "high"):
        p[k] = pd.to_numeric(p[k], errors="coerce")
    # a range with no single value (r unknown) is shown at its largest p, the conservative end
    p["shown"] = p["value"].where(p["value"].notna(), p["high"])
    return p.sort_values(["study", "claim_id"]).reset_index(drop=True)


def _spread(keys: list, step: float = 0.09, width: float = 0.32) -> np.ndarray:
    """Deterministic sideways offsets (in decades) for points that share a key (a printed
    threshold), in their order: centred, at most +-width/2 decades apart."""
    out = np.zeros(len(keys))
    groups: dict = {}
    for i, k in enumerate(keys):
        groups.setdefault(k, []).append(i)
    for members in groups.values():
        n = len(members)
        gap = min(step, width / max(n - 1, 1))
        for rank, i in enumerate(members):
            out[i] = (rank - (n - 1) / 2) * gap
    return out


def _log_axes(ax, x_lo: float, x_hi: float, y_lo: float) -> None:
    """Both p axes logarithmic, up to 2 (above p = 1, so that 1 is inside)."""
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, 2.0)
    ax.tick_params(labelsize=7)


def plot_pvalues(ledger: pd.DataFrame, alpha: float = 0.05, pooled: bool = False):
    """Printed p (x) against recomputed p (y), log-log, one panel per study (``pooled``: one
    panel of every study, see :func:`plot_pooled_pvalues`).

    The shaded quadrants are where significance at alpha flips (a decision error there has
    a black ring and its claim id). Points that share a printed threshold ('< 0.05') are
    spread sideways. A recomputed range (rounding box, unknown r) is drawn only where it
    matters: where it crosses alpha, or where only the range makes the claim consistent;
    a range with no single value is shown at its largest p (hollow marker).
    """
    if pooled:
        return plot_pooled_pvalues(ledger, alpha)
    every = pvalue_table(ledger)
    # a p with nothing recomputed (its inputs impossible as stated) has no point to draw
    p = every[every["shown"].notna()].reset_index(drop=True)
    missing = every[every["shown"].isna()].groupby("study").size()
    floor = 1e-12
    studies = sorted(p["study"].unique())
    ncols = 2 if len(studies) > 1 else 1
    nrows = max(1, math.ceil(len(studies) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(6.2 * ncols, 4.9 * nrows), squeeze=False)
    markers = {"=": "o", "<": "<", "<=": "<", ">": ">", ">=": ">"}
    order = {"unverifiable": 0, "reproduced": 1, "consistent": 2, "discrepant": 3}
    for ax, study in zip(axes.flat, studies):
        sub = p[p["study"] == study].reset_index(drop=True)
        x = sub["printed_p"].to_numpy() * 10 ** _spread(list(zip(sub["printed_p"], sub["op"])))
        y = np.maximum(sub["shown"].to_numpy(), floor)
        lows = np.maximum(sub["low"].fillna(sub["shown"]).fillna(floor).to_numpy(), floor)
        x_lo, x_hi = max(min(x.min() / 4, alpha / 10), floor), 2.0
        y_lo = max(min(lows.min(), y.min(), alpha) / 4, floor)
        # where significance flips: printed below alpha and recomputed above, or the reverse
        ax.fill_between([x_lo, alpha], alpha, 2.0, color="#d62728", alpha=0.07, lw=0, zorder=0)
        ax.fill_between([alpha, x_hi], y_lo, alpha, color="#d62728", alpha=0.07, lw=0, zorder=0)
        ax.plot([floor, 2.0], [floor, 2.0], color="grey", lw=0.6, ls=":", zorder=1)
        ax.axhline(alpha, color="grey", lw=0.6, zorder=1)
        ax.axvline(alpha, color="grey", lw=0.6, zorder=1)
        labelled = []
        for i, r in sub.iterrows():
            colour = VERDICT_COLOURS[r["verdict"]]
            z = 2 + order[r["verdict"]]
            error = str(r["decision_error"]).lower() == "true"
            ranged = r["low"] == r["low"] and r["high"] == r["high"]
            crosses = ranged and r["low"] < alpha < r["high"]
            if ranged and (error or r["verdict"] == "discrepant" or crosses):
                # in full where the verdict turns on it; faint where the claim is only
                # consistent with part of a range that crosses alpha
                strong = error or r["verdict"] == "discrepant"
                ax.plot([x[i], x[i]], [max(r["low"], floor), max(r["high"], floor)], color=colour,
                        lw=1.3 if strong else 0.7, alpha=0.8 if strong else 0.22, zorder=z,
                        solid_capstyle="butt")
            hollow = r["value"] != r["value"]
            ax.plot(x[i], y[i], marker=markers[r["op"]], ms=5.5, ls="none", zorder=z + 0.5,
                    markerfacecolor="white" if hollow else colour, markeredgecolor=colour, markeredgewidth=1)
            if error:
                ax.plot(x[i], y[i], marker="o", ms=11, ls="none", markerfacecolor="none",
                        markeredgecolor="black", markeredgewidth=1.2, zorder=z + 1)
                labelled.append((x[i], y[i], r["claim_id"]))
        # labels of decision errors close together are stacked, each with a leader line
        labelled.sort(key=lambda t: (-t[1], t[0]))
        for k, (lx, ly, text) in enumerate(labelled):
            near = [j for j, (ox, oy, _) in enumerate(labelled[:k])
                    if abs(math.log10(ox / lx)) < 0.4 and abs(math.log10(oy / ly)) < 0.8]
            ax.annotate(text, (lx, ly), xytext=(12, 8 - 11 * len(near)), textcoords="offset points",
                        fontsize=6.5, color="black", zorder=10, va="center",
                        arrowprops={"arrowstyle": "-", "lw": 0.5, "color": "black"} if near else None)
        _log_axes(ax, x_lo, x_hi, y_lo)
        n_disc = int((sub["verdict"] == "discrepant").sum())
        n_err = int((sub["decision_error"].astype(str).str.lower() == "true").sum())
        gone = int(missing.get(study, 0))
        ax.set_title(f"{study}: {len(sub)} printed p ({n_disc} discrepant, {n_err} decision "
                     f"error{'s' if n_err != 1 else ''})"
                     + (f"; {gone} not recomputable" if gone else ""), fontsize=8.5)
        ax.set_xlabel("printed p (the threshold for '<' and '>')", fontsize=7.5)
        ax.set_ylabel("recomputed p, as reported", fontsize=7.5)
    for ax in list(axes.flat)[len(studies):]:
        ax.set_visible(False)
    fig.legend(handles=_pvalue_handles(p), loc="lower center", ncol=5, fontsize=7, frameon=False)
    fig.suptitle(f"Printed against recomputed p-values, per study (alpha {alpha:g}; recomputed values "
                 f"below {floor:g} drawn at {floor:g}; shared thresholds spread sideways)", fontsize=9)
    fig.tight_layout(rect=(0, 0.07, 1, 0.97))
    return fig


def _pvalue_handles(p: pd.DataFrame) -> list:
    """The p-value figure's legend: the verdicts drawn, the marker shapes, ranges and rings."""
    handles = [plt.Line2D([], [], color=c, marker="o", ls="none", label=v) for v, c in VERDICT_COLOURS.items()
               if v in set(p["verdict"])]
    handles += [plt.Line2D([], [], color="grey", marker=m, ls="none", label=f"printed p {op} x")
                for op, m in (("=", "o"), ("<", "<"), (">", ">"))]
    handles += [plt.Line2D([], [], color="grey", lw=1.3, label="range of a discrepant p"),
                plt.Line2D([], [], color="grey", lw=0.7, alpha=0.3, label="range crossing alpha (consistent)"),
                plt.Line2D([], [], color="grey", marker="o", markerfacecolor="white", ls="none",
                           label="range only: its largest p"),
                plt.Line2D([], [], color="black", marker="o", markerfacecolor="none", ms=10, ls="none",
                           label="decision error (shaded: significance flips)")]
    return handles


def plot_pooled_pvalues(ledger: pd.DataFrame, alpha: float = 0.05):
    """Every study's p-values in one panel, for a corpus (tens of thousands of p-values):
    the encoding of :func:`plot_pvalues` (marker shape: what was printed; colour: the
    verdict; shaded: significance flips; black ring: a decision error; bars: the ranges
    that matter; hollow: a range with no single value) without the claim ids, which would
    cover the panel (the findings name them). Drawn vectorised, one scatter per verdict,
    marker and fill, and one collection of bars per verdict and weight, so it takes seconds."""
    every = pvalue_table(ledger)
    p = every[every["shown"].notna()].reset_index(drop=True)
    gone = len(every) - len(p)
    floor = 1e-12
    fig, ax = plt.subplots(figsize=(9, 7.4))
    markers = {"=": "o", "<": "<", "<=": "<", ">": ">", ">=": ">"}
    order = {"unverifiable": 0, "reproduced": 1, "consistent": 2, "discrepant": 3}
    # points that share a printed threshold spread sideways, over the whole corpus
    x = p["printed_p"].to_numpy(float) * 10 ** _spread(list(zip(p["printed_p"], p["op"])))
    y = np.maximum(p["shown"].to_numpy(float), floor)
    low, high = p["low"].to_numpy(float), p["high"].to_numpy(float)
    lows = np.maximum(p["low"].fillna(p["shown"]).fillna(floor).to_numpy(float), floor)
    verdict = p["verdict"].to_numpy()
    marker = p["op"].map(markers).to_numpy()
    error = (p["decision_error"].astype(str).str.lower() == "true").to_numpy()
    hollow = p["value"].isna().to_numpy()
    ranged = ~np.isnan(low) & ~np.isnan(high)
    with np.errstate(invalid="ignore"):
        crosses = ranged & (low < alpha) & (alpha < high)
    strong = error | (verdict == "discrepant")
    x_lo, x_hi = (max(min(x.min() / 4, alpha / 10), floor), 2.0) if len(p) else (alpha / 10, 2.0)
    y_lo = max(min(lows.min(), y.min(), alpha) / 4, floor) if len(p) else alpha / 4
    ax.fill_between([x_lo, alpha], alpha, 2.0, color="#d62728", alpha=0.07, lw=0, zorder=0)
    ax.fill_between([alpha, x_hi], y_lo, alpha, color="#d62728", alpha=0.07, lw=0, zorder=0)
    ax.plot([floor, 2.0], [floor, 2.0], color="grey", lw=0.6, ls=":", zorder=1)
    ax.axhline(alpha, color="grey", lw=0.6, zorder=1)
    ax.axvline(alpha, color="grey", lw=0.6, zorder=1)
    for v, z in sorted(((v, 2 + k) for v, k in order.items()), key=lambda t: t[1]):
        colour = VERDICT_COLOURS[v]
        mine = verdict == v
        # bars in full where the verdict turns on them, faint where a consistent claim's
        # range crosses alpha; thinner and lighter than per study, as thousands overlap
        for sel, (lw, opacity) in ((mine & ranged & strong, POOLED_STRONG_RANGE),
                                   (mine & ranged & crosses & ~strong, POOLED_FAINT_RANGE)):
            if sel.any():
                bars = np.stack([np.column_stack([x[sel], np.maximum(low[sel], floor)]),
                                 np.column_stack([x[sel], np.maximum(high[sel], floor)])], axis=1)
                ax.add_collection(LineCollection(bars, colors=[colour], linewidths=lw, alpha=opacity,
                                                 zorder=z, capstyle="butt"))
        for m in ("o", "<", ">"):
            for empty in (False, True):
                sel = mine & (marker == m) & (hollow == empty)
                if sel.any():
                    ax.scatter(x[sel], y[sel], marker=m, s=4 ** 2, linewidths=0.7, zorder=z + 0.5,
                               facecolors="white" if empty else [colour], edgecolors=[colour])
    if error.any():
        ax.scatter(x[error], y[error], marker="o", s=9 ** 2, facecolors="none", edgecolors="black",
                   linewidths=1.0, zorder=6)
    _log_axes(ax, x_lo, x_hi, y_lo)
    n_disc = int((p["verdict"] == "discrepant").sum())
    n_err = int(error.sum())
    n_studies, n_with = ledger["study"].nunique(), every["study"].nunique()
    ax.set_title(f"{n_studies} studies pooled: {len(every)} printed p"
                 + (f" from {n_with} of them" if n_with != n_studies else "")
                 + f" ({n_disc} discrepant, {n_err} decision error{'s' if n_err != 1 else ''})"
                 + (f"; {gone} not recomputable, not drawn" if gone else ""), fontsize=8.5)
    ax.set_xlabel("printed p (the threshold for '<' and '>')", fontsize=7.5)
    ax.set_ylabel("recomputed p, as reported", fontsize=7.5)
    fig.legend(handles=_pvalue_handles(p), loc="lower center", ncol=5, fontsize=7, frameon=False)
    fig.suptitle(f"Printed against recomputed p-values, all {n_studies} studies in one panel\n(alpha {alpha:g}; "
                 f"recomputed values below {floor:g} drawn at {floor:g}; shared thresholds spread sideways;\n"
                 "decision errors ringed but not labelled: the findings name them)", fontsize=9)
    fig.tight_layout(rect=(0, 0.08, 1, 0.95))
    return fig


TIER_COLOURS = dict(zip(TIERS, ["#c0392b", "#e67e22", "#7d3c98", "#2471a3", "#5d6d7e", "#7f8c8d", "#7f8c8d"]))


def discrepancy_offset(e) -> tuple[float, float, float, str] | None:
    """How far a finding's row is from what was printed, in units of the printed number's
    last digit (for a bound, how far past it): (value, low, high, marker), or None when
    nothing numeric was recomputed (an impossibility, a definition)."""
    if (e.statistic in IMPOSSIBILITY_CHECKS and e.statistic != "percent") or e.why or not e.statistic:
        return None  # an integrity check's value is its outcome; a percent has a number
    text = e.claim
    if e.statistic == "percent" and (m := re.search(r"\(([-\d.]+)\)\s*$", text)):
        text = m.group(1)  # 'count (percent)': the percent is what was recomputed
    try:
        claim = parse_claim(text)
    except (NumberFormatError, TypeError):
        return None
    scale = float(m.group(1)) if (m := re.search(r"/ scale ([0-9.eE+-]+)\)", e.note)) else 1.0
    ref, unit = float(claim.number.value), float(claim.number.unit)

    def num(x):
        try:
            return float(x) / scale
        except (TypeError, ValueError):
            return float("nan")
    value, low, high = num(e.value), num(e.low), num(e.high)
    if value != value:
        if low != low:
            return None
        value = low if abs(low - ref) < abs(high - ref) else high
    if low != low:
        low = high = value
    shift = lambda v: (v - ref) / unit  # noqa: E731
    return shift(value), shift(low), shift(high), "o" if claim.op == "=" else ("<" if "<" in claim.op else ">")


def _clip_text(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1].rstrip() + "…"


def _finding_points(rows: list) -> tuple[list, float]:
    """Each claim of each finding once with its offset (:func:`discrepancy_offset`), and the
    symlog axis limit: a power of ten past the largest offset."""
    limit = 1.0
    points = []
    for f in rows:
        seen = set()
        for e in f.evidence:
            if e.claim_id in seen:
                continue
            seen.add(e.claim_id)
            points.append((f, e, discrepancy_offset(e)))
            if points[-1][2] is not None:
                limit = max(limit, *(abs(v) for v in points[-1][2][:3] if v == v))
    return points, 10 ** math.ceil(math.log10(limit * 1.5))


def _draw_findings(ax, side, mine: list, points: list) -> None:
    """One row per finding on ``ax`` (its claims at their offsets, with ranges) and in the
    ``side`` strip (claims with nothing numeric recomputed)."""
    ax.axvspan(-0.5, 0.5, color="#2ca02c", alpha=0.12, lw=0, zorder=0)
    ax.axvline(0, color="grey", lw=0.6, zorder=1)
    for y, f in enumerate(mine):
        colour = TIER_COLOURS[f.tier_label]
        ax.axhline(y, color="#eeeeee", lw=0.6, zorder=0)
        side.axhline(y, color="#eeeeee", lw=0.6, zorder=0)
        own = [(e, off) for g, e, off in points if g is f]
        n = len(own)
        for k, (e, off) in enumerate(own):
            dy = 0.0 if n == 1 else (k - (n - 1) / 2) * min(0.12, 0.6 / (n - 1))
            edge = "black" if e.decision_error else colour
            if off is None:
                side.plot(0.5 + (k % 7 - 3) * 0.11, y + dy, marker="X", ms=5, ls="none", color=colour,
                          markeredgecolor=edge, markeredgewidth=0.8 if e.decision_error else 0.3, zorder=3)
                continue
            value, low, high, marker = off
            if high - low > 0:
                ax.plot([low, high], [y + dy, y + dy], color=colour, lw=1.2, alpha=0.7, zorder=2)
            ax.plot(value, y + dy, marker=marker, ms=5, ls="none", color=colour, markeredgecolor=edge,
                    markeredgewidth=1.1 if e.decision_error else 0.4, zorder=3)


def _side_strip(side, first: bool) -> None:
    side.set_xlim(0, 1)
    side.set_xticks([])
    if first:
        side.set_title("nothing numeric", fontsize=7)
    side.tick_params(axis="y", left=False, labelleft=False)
    side.set_facecolor("#f7f7f7")


_OFFSET_LABEL = ("recomputed minus printed, in units of the printed number's last digit "
                 "(symlog; for '<' and '>' claims: how far past the printed bound)\n"
                 "green band: rounds to the printed value; right: no number recomputed "
                 "(an impossible value, a stated definition)")


def _finding_legend(fig, rows: list) -> None:
    handles = [plt.Line2D([], [], color=c, marker="o", ls="none", label=t)
               for t, c in TIER_COLOURS.items() if t != "flag" and any(f.tier_label == t for f in rows)]
    handles += [plt.Line2D([], [], color="grey", marker=m, ls="none", label=label)
                for m, label in (("o", "printed '='"), (">", "printed bound"), ("X", "nothing numeric"))]
    handles += [plt.Line2D([], [], color="white", marker="o", markeredgecolor="black", ls="none",
                           label="row that flips significance")]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=6.5, frameon=False)


def plot_discrepancies(found: list, top: int | None = None):
    """One panel per study, one row per finding (F-numbers as in the report; repeated
    values, a flag, left out): each flagged claim at its distance from the printed value in
    units of the last printed digit (symlog), with its rounding-box range; claims with no
    numeric recomputation (an impossible value, a definition) in the right-hand strip.

    With ``top`` (a corpus), only the ``top`` highest-ranked findings, in one panel
    (:func:`plot_top_discrepancies`)."""
    if top is not None:
        return plot_top_discrepancies(found, top)
    rows = [f for f in found if f.rule != "duplicates"]
    studies = list(dict.fromkeys(sorted(f.study for f in rows)))
    heights = [max(1, sum(f.study == s for f in rows)) + 1.1 for s in studies] or [1]
    fig = plt.figure(figsize=(11, 0.27 * sum(heights) + 1.6))
    grid = fig.add_gridspec(len(heights), 2, height_ratios=heights, width_ratios=[6, 1], hspace=0.45,
                            wspace=0.03)
    points, limit = _finding_points(rows)
    main_axes = []
    for row, study in enumerate(studies):
        ax = fig.add_subplot(grid[row, 0], sharex=main_axes[0] if main_axes else None)
        side = fig.add_subplot(grid[row, 1], sharey=ax)
        main_axes.append(ax)
        mine = [f for f in rows if f.study == study]
        _draw_findings(ax, side, mine, points)
        labels = [f"{f.id} {_clip_text(f.title, 58)}" for f in mine]
        ax.set_yticks(range(len(mine)), labels, fontsize=6.5)
        ax.set_ylim(len(mine) - 0.5, -0.5)
        ax.set_xscale("symlog", linthresh=1, linscale=0.6)
        ax.set_xlim(-limit, limit)
        ax.set_title(f"{study}: {sum(len(f.claims) for f in mine)} claims in {len(mine)} "
                     f"finding{'s' if len(mine) != 1 else ''}", fontsize=8.5, loc="left")
        ax.tick_params(axis="x", labelsize=6.5, labelbottom=row == len(studies) - 1)
        _side_strip(side, row == 0)
    if main_axes:
        main_axes[-1].set_xlabel(_OFFSET_LABEL, fontsize=7)
    _finding_legend(fig, rows)
    fig.suptitle("Discrepancies by finding, one panel per study (as reported; F-numbers as in the report)",
                 fontsize=9)
    fig.subplots_adjust(left=0.36, right=0.985, top=1 - 0.7 / fig.get_figheight(),
                        bottom=1.0 / fig.get_figheight())
    return fig


def plot_top_discrepancies(found: list, top: int = DISCREPANCY_TOP_FINDINGS):
    """For a corpus: the ``top`` highest-ranked findings in their own ranking order (repeated
    values, a flag, left out), one row each in one panel, labelled with their study; the
    encoding of :func:`plot_discrepancies`. A row per finding of a corpus would be thousands
    of rows; the title says how many findings there are and where all of them are."""
    rows = [f for f in found if f.rule != "duplicates"][:top]
    fig = plt.figure(figsize=(11, 0.27 * (max(1, len(rows)) + 1.1) + 2.0))
    grid = fig.add_gridspec(1, 2, width_ratios=[6, 1], wspace=0.03)
    ax = fig.add_subplot(grid[0, 0])
    side = fig.add_subplot(grid[0, 1], sharey=ax)
    points, limit = _finding_points(rows)
    _draw_findings(ax, side, rows, points)
    ax.set_yticks(range(len(rows)), [f"{f.id} {f.study}: {_clip_text(f.title, 50)}" for f in rows], fontsize=6.5)
    ax.set_ylim(max(1, len(rows)) - 0.5, -0.5)
    ax.set_xscale("symlog", linthresh=1, linscale=0.6)
    ax.set_xlim(-limit, limit)
    n_studies = len({f.study for f in rows})
    ax.set_title(f"{sum(len(f.claims) for f in rows)} claims in {len(rows)} finding{'s' if len(rows) != 1 else ''} "
                 f"of {n_studies} stud{'ies' if n_studies != 1 else 'y'}", fontsize=8.5, loc="left")
    ax.tick_params(axis="x", labelsize=6.5)
    ax.set_xlabel(_OFFSET_LABEL, fontsize=7)
    _side_strip(side, True)
    _finding_legend(fig, rows)
    fig.suptitle(f"Discrepancies by finding: the {len(rows)} highest-ranked of {len(found)} findings; all are in "
                 "summary.md\n(as reported; F-numbers as in the report; repeated values, a flag, left out)",
                 fontsize=9)
    fig.subplots_adjust(left=0.36, right=0.985, top=1 - 0.85 / fig.get_figheight(),
                        bottom=1.25 / fig.get_figheight())
    return fig


def write_ledger_figures(ledger_csv: Path, config: dict, pvalues: Path, discrepancies: Path) -> tuple[list, int]:
    """The figures drawn from the ledger (drawn by the ``ledger`` rule): the p-values at
    ``pvalues`` and the panel of discrepancies at ``discrepancies`` (stems; .png and .svg are
    written). Per study up to config `studies_in_full` studies, else pooled and the top
    findings only. Returns the paths written and the number of findings."""
    configure_matplotlib()
    ledger = pd.read_csv(ledger_csv, keep_default_na=False, na_values=[""])
    corpus = is_corpus(ledger, config)
    paths = save_figure(plot_pvalues(ledger, pooled=corpus), Path(pvalues))
    found = findings(read_ledger(ledger_csv), config.get("studies"))
    paths += save_figure(plot_discrepancies(found, top=DISCREPANCY_TOP_FINDINGS if corpus else None),
                         Path(discrepancies))
    return paths, len(found)
