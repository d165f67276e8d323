"""Byte-deterministic regeneration of paper figures (PNG + SVG)."""

from __future__ import annotations

import pathlib
import textwrap

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from .palette import group_colours

PAIRED_X = (0.0, 1.0)  # x positions of "Before" / "After"
_DPI = 150


def configure_matplotlib() -> None:
    """Select Agg and pin every rcParam that influences output bytes."""
    matplotlib.use("Agg")
    # Start from the built-in defaults so a user matplotlibrc or an earlier
    # seaborn theme cannot change the rendered bytes.
    matplotlib.rcdefaults()
    matplotlib.rcParams.update({
        "svg.hashsalt": "reanalysis-figures",  # else clip-path ids are uuid4-salted
        "svg.fonttype": "path",  # glyphs as paths: no dependence on viewer fonts
        "svg.id": None,
        "font.family": "sans-serif",
        "font.sans-serif": ["DejaVu Sans"],  # bundled with matplotlib
        "figure.dpi": _DPI,
        "savefig.dpi": _DPI,
        "savefig.bbox": None,
    })


# The PNG text key under which a figure records the size of its smallest text (points), so
# that the report can keep it at least 9 px on screen (reanalysis.report.html_report).
MIN_FONT_KEY = "MinFontPt"


def min_font_pt(fig) -> float:
    """The size (points) of the smallest visible, non-empty text in a figure."""
    sizes = [t.get_fontsize() for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip() and t.get_figure(root=True) is fig]
    return min(sizes) if sizes else 10.0


def save_figure(fig, stem: pathlib.Path) -> list[pathlib.Path]:
    """Write stem.png and stem.svg without dates/versions, close fig. The PNG records its
    smallest text size (``MIN_FONT_KEY``) and its resolution."""
    stem = pathlib.Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    # Append rather than with_suffix() so a dotted name like "fig.v2" survives.
    png, svg = (stem.with_name(stem.name + ext) for ext in (".png", ".svg"))
    try:
        fig.canvas.draw()  # tick labels exist once drawn
        fig.savefig(png, format="png", dpi=_DPI,
                    metadata={"Software": None, MIN_FONT_KEY: f"{min_font_pt(fig):g}"})
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    finally:
        plt.close(fig)
    return [png, svg]


def _palette(df, hue: str | None) -> dict:
    """Colour per hue level; sorted levels so colours do not depend on row order."""
    if hue is None:
        return {}
    return group_colours(df[hue].dropna().unique().tolist())


_OPS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def bounds_text(bounds: dict) -> str:
    """A group's bounds in words: {gte: 6.2, lt: 8.0} -> '>= 6.2 and < 8'."""
    return " and ".join(f"{_OPS[k]} {v:g}" for k, v in bounds.items())


def with_hue(df, study: dict):
    """The table and figure specs of a patient-level study, coloured by its ``hue_grouping``
    under ``hue_variant`` (default as_reported). Where the variant is not the stated
    definition, every figure carries a note of how the stated one differs (the patients it
    would put in another group) and the legend names the reading. Returns (table with the
    group column added, specs with ``labels.legend`` and ``labels.note``)."""
    from reanalysis.audit.patient_level import AS_REPORTED, group_labels

    fig = study["figures"]
    grouping, variant = fig["hue_grouping"], fig.get("hue_variant", AS_REPORTED)
    variants = study["groupings"][grouping]["variants"]
    if variant not in variants:
        raise ValueError(f"figures.hue_variant {variant!r}: grouping {grouping!r} has variants "
                         f"{sorted(variants)}")
    df = df.copy()
    df[grouping] = group_labels(df, study, grouping, variant)
    note, legend = "", grouping
    if variant != AS_REPORTED:
        stated = group_labels(df, study, grouping, AS_REPORTED)
        moved = (stated != df[grouping]).sum()
        column = study["groupings"][grouping]["column"]
        groups = "; ".join(f"{g} {bounds_text(b)}" for g, b in variants[variant].items())
        was = "; ".join(f"{g} {bounds_text(b)}" for g, b in variants[AS_REPORTED].items())
        legend = f"{grouping} ({variant})"
        note = (f"Colours: {grouping} by the reading {variant} ({column}: {groups}), the one the "
                f"printed results fit. Under the stated definition ({was}) {moved} "
                f"patient{'s' if moved != 1 else ''} would be in another group.")
    specs = {}
    for name, spec in fig["specs"].items():
        labels = dict(spec.get("labels", {}))
        if spec.get("hue") == grouping:
            labels.setdefault("legend", legend)
            if note:
                labels.setdefault("note", note)
        specs[name] = {**spec, "labels": labels}
    return df, specs


def _note(fig, labels: dict) -> None:
    """A figure note under the axes (labels['note']), wrapped."""
    if labels.get("note"):
        width = int(fig.get_figwidth() * 12.5)      # characters of 7-point text per line
        fig.supxlabel(textwrap.fill(labels["note"], width), fontsize=7, ha="center")


def plot_paired(df, before: str, after: str, hue: str | None, id_col: str, labels: dict) -> Figure:
    """One line per patient from before to after, plus per-group mean lines."""
    palette = _palette(df, hue)
    fig, ax = plt.subplots(figsize=(5, 5), layout="constrained")
    for _, row in df.iterrows():
        colour = palette.get(row[hue], "grey") if hue else "grey"
        # gid tags the patient in the SVG and lets tests find these lines.
        ax.plot(PAIRED_X, [row[before], row[after]], color=colour, alpha=0.35,
                lw=0.8, gid=f"patient-{row[id_col]}")
    # Means over complete pairs only, so both ends describe the same patients.
    complete = df.dropna(subset=[before, after])
    groups = complete.groupby(hue, sort=True) if hue else [("all patients", complete)]
    for level, sub in groups:
        ax.plot(PAIRED_X, [sub[before].mean(), sub[after].mean()], color=palette.get(level, "black"),
                lw=3, marker="o", ms=7, zorder=3, gid=f"mean-{level}",
                label=f"{level} mean (n={len(sub)})")
    ax.set_xticks(PAIRED_X, ["Before", "After"])
    ax.set_xlim(-0.25, 1.25)
    ax.set_xlabel(labels.get("x", ""))
    ax.set_ylabel(labels.get("y", f"{before} / {after}"))
    ax.set_title(labels.get("title", f"{before} vs {after}"))
    ax.legend(title=labels.get("legend", hue), loc="best", frameon=False)
    _note(fig, labels)
    return fig


def plot_scatter(df, x: str, y: str, hue: str | None, labels: dict, log_x: bool = False) -> Figure:
    """Scatter of y on x with an all-points OLS line and a y=0 reference."""
    palette = _palette(df, hue)
    fig, ax = plt.subplots(figsize=(6, 4.5), layout="constrained")
    # Legend is built by hand so it always contains the hue levels and the fit.
    sns.scatterplot(data=df, x=x, y=y, hue=hue, hue_order=list(palette) or None,
                    palette=palette or None, color=None if hue else "grey",
                    alpha=0.75, s=30, legend=False, ax=ax)
    ax.axhline(0, color="black", lw=0.8, ls=":")
    handles = [Line2D([], [], ls="", marker="o", color=c, label=str(lv)) for lv, c in palette.items()]
    pts = df[[x, y]].astype(float).dropna()
    if log_x:
        ax.set_xscale("log")
        pts = pts[pts[x] > 0]
    if len(pts) >= 2 and pts[x].nunique() >= 2:
        # Fit on the displayed scale so the line is straight on the axes.
        xs = np.log10(pts[x]) if log_x else pts[x]
        slope, intercept = np.polyfit(xs, pts[y], 1)
        grid = np.linspace(xs.min(), xs.max(), 100)
        ax.plot(10 ** grid if log_x else grid, intercept + slope * grid, color="black", lw=1.5)
        fit_label = f"OLS fit (slope {slope:.3g}{' per log10 unit' if log_x else ''})"
        handles.append(Line2D([], [], color="black", lw=1.5, label=fit_label))
    ax.set_xlabel(labels.get("x", x))
    ax.set_ylabel(labels.get("y", y))
    ax.set_title(labels.get("title", f"{y} vs {x}"))
    if handles:
        ax.legend(handles=handles, title=labels.get("legend", hue), loc="best", frameon=False)
    _note(fig, labels)
    return fig


_PLOTTERS = {"paired": plot_paired, "scatter": plot_scatter}


def render_figures(df, specs: dict, outdir: pathlib.Path) -> list[pathlib.Path]:
    """Render every spec (sorted by name) to outdir/<name>.{png,svg}."""
    configure_matplotlib()
    # Validate all kinds first so a bad spec leaves no partial output behind.
    for name in sorted(specs):
        kind = specs[name].get("kind")
        if kind not in _PLOTTERS:
            raise ValueError(f"figure {name!r}: unknown kind {kind!r} "
                             f"(expected one of {sorted(_PLOTTERS)})")
    paths: list[pathlib.Path] = []
    for name in sorted(specs):
        kwargs = {k: v for k, v in specs[name].items() if k != "kind"}
        kwargs.setdefault("labels", {})
        fig = _PLOTTERS[specs[name]["kind"]](df, **kwargs)
        paths += save_figure(fig, pathlib.Path(outdir) / name)
    return paths
