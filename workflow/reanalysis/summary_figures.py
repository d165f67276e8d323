"""Figures regenerated from printed summaries, and reported against recomputed p-values.

- ``time_course``: per-arm mean ± SD (or percent) over the visits, one panel per outcome,
  with the printed between-arm significance marks above the recomputed ones.
- ``forest``: each study's baseline and follow-up, mean ± dispersion or median (IQR).
- :func:`plot_pvalues`: every p-value claim of every study, printed against recomputed.
"""
from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from .figures import configure_matplotlib, save_figure
from .rounding import parse_claim
from .summary_level import AS_REPORTED

VERDICT_COLOURS = dict(zip(["reproduced", "consistent", "discrepant", "unverifiable"],
                           sns.color_palette("colorblind", 4)))


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
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=7, frameon=False)
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


def plot_pvalues(ledger: pd.DataFrame, alpha: float = 0.05):
    """Printed p (x) against recomputed p (y), log-log, coloured by verdict.

    Points sharing a printed threshold are spread sideways (deterministically, in claim
    order) so they stay readable. A recomputed range without a single value (r unknown)
    is a bar with a hollow marker at its largest p; a decision error has a black ring.
    """
    p = pvalue_table(ledger)
    floor = 1e-12
    fig, ax = plt.subplots(figsize=(10, 6.8))
    markers = {"=": "o", "<": "<", "<=": "<", ">": ">", ">=": ">"}
    rank = p.groupby("printed_p").cumcount()
    size = p.groupby("printed_p")["printed_p"].transform("size")
    spread = 10 ** (0.5 * (rank - (size - 1) / 2) / np.maximum(size, 1))
    order = {"unverifiable": 0, "reproduced": 1, "consistent": 2, "discrepant": 3}
    for i, r in p.iterrows():
        x = r["printed_p"] * spread[i]
        colour = VERDICT_COLOURS[r["verdict"]]
        z = 2 + order[r["verdict"]]
        ranged = r["low"] == r["low"] and r["high"] == r["high"]
        if ranged:
            ax.plot([x, x], [max(r["low"], floor), max(r["high"], floor)], color=colour, lw=1.2,
                    alpha=0.6, zorder=z)
        hollow = r["value"] != r["value"]
        ax.plot(x, max(r["shown"], floor), marker=markers[r["op"]], ms=6, ls="none", zorder=z + 0.5,
                markerfacecolor="white" if hollow else colour, markeredgecolor=colour)
        if str(r["decision_error"]).lower() == "true":
            ax.plot(x, max(r["shown"], floor), marker="o", ms=11, ls="none", markerfacecolor="none",
                    markeredgecolor="black", zorder=z + 1)
    lims = (floor, 2.0)
    ax.plot(lims, lims, color="grey", lw=0.6, ls=":")
    ax.axhline(alpha, color="grey", lw=0.5)
    ax.axvline(alpha, color="grey", lw=0.5)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(1e-8, 5.0)
    ax.set_ylim(*lims)
    ax.set_xlabel("printed p (the threshold, for '<' and '>' claims); spread sideways where equal")
    ax.set_ylabel(f"recomputed p, as reported (floored at {floor:g})")
    handles = [plt.Line2D([], [], color=c, marker="o", ls="none", label=v) for v, c in VERDICT_COLOURS.items()
               if v in set(p["verdict"])]
    handles += [plt.Line2D([], [], color="grey", marker=m, ls="none", label=f"printed p {op} x")
                for op, m in (("=", "o"), ("<", "<"), (">", ">"))]
    handles += [plt.Line2D([], [], color="grey", lw=1.2, label="range over rounding (and r)"),
                plt.Line2D([], [], color="grey", marker="o", markerfacecolor="white", ls="none",
                           label="range only: largest p"),
                plt.Line2D([], [], color="black", marker="o", markerfacecolor="none", ms=10, ls="none",
                           label="decision error")]
    ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    counts = p.groupby("study").size()
    ax.set_title("Printed against recomputed p-values, all studies ("
                 + ", ".join(f"{s}: {n}" for s, n in counts.items()) + ")", fontsize=9)
    fig.tight_layout()
    return fig
