"""The verdict palette, defined once: every figure, the report's ledger and findings, and the
letters take their verdict colours from here.

The colours are Okabe and Ito's palette for colour-blind viewers (Okabe M, Ito K. Color
Universal Design, 2008): blue for reproduced, orange for consistent, vermillion for
discrepant, grey for unverifiable; they differ in lightness as well as hue, so they stay
apart in grey scale. Figures pair each colour with a marker shape too, and the report always
writes the verdict as text beside its colour.

Each verdict has:

- ``colour``: the Okabe-Ito colour (figure marks, the swatch beside the verdict's text);
- ``ink``: a darker shade of the same hue for text and outlines on white or on the verdict's
  ``tint``, with a contrast of at least 4.5:1 (WCAG AA; tested);
- ``tint``: a light background for a row or badge of that verdict;
- ``marker``: the matplotlib marker used where a figure's marker does not already encode
  something else.
"""
from __future__ import annotations

from reanalysis.engine.verdicts import CONSISTENT, DISCREPANT, REPRODUCED, UNVERIFIABLE

VERDICT_STYLE: dict[str, dict[str, str]] = {
    REPRODUCED: {"colour": "#0072B2", "ink": "#005282", "tint": "#DCEBF5", "marker": "o"},
    CONSISTENT: {"colour": "#E69F00", "ink": "#7A4F00", "tint": "#FCEFD2", "marker": "s"},
    DISCREPANT: {"colour": "#D55E00", "ink": "#9B3D00", "tint": "#F9DDCB", "marker": "D"},
    UNVERIFIABLE: {"colour": "#999999", "ink": "#4D4D4D", "tint": "#EDEDED", "marker": "X"},
}
# a decision error (significance flips at the paper's alpha): a black ring in figures, a
# bold black label in the report
DECISION_ERROR = "#000000"
# neutral marks (a printed value's rounding interval, reference lines)
NEUTRAL = "#6E6E6E"
TEXT = "#1A1A1A"


def colour(verdict: str) -> str:
    """A verdict's Okabe-Ito colour (grey for anything that is not a verdict)."""
    return VERDICT_STYLE.get(verdict, VERDICT_STYLE[UNVERIFIABLE])["colour"]


def ink(verdict: str) -> str:
    return VERDICT_STYLE.get(verdict, VERDICT_STYLE[UNVERIFIABLE])["ink"]


def css_variables() -> str:
    """The palette as CSS custom properties (``--v-<verdict>``, ``--v-<verdict>-ink``,
    ``--v-<verdict>-tint``) for the report's and the letters' style sheets."""
    lines = []
    for verdict, style in VERDICT_STYLE.items():
        lines += [f"--v-{verdict}: {style['colour']};", f"--v-{verdict}-ink: {style['ink']};",
                  f"--v-{verdict}-tint: {style['tint']};"]
    return " ".join(lines)


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour '#RRGGBB'."""
    def channel(c: int) -> float:
        x = c / 255
        return x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# Groups, arms and time points in figures: the other Okabe-Ito colours, so that no arm is
# drawn in a verdict's colour (a recomputed mark coloured by its verdict sits beside them).
GROUP_COLOURS = ("#009E73", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
GROUP_LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)))
BASELINE, FOLLOW_UP = "#555555", "#009E73"


def group_colours(levels) -> dict:
    """A colour per group level (sorted, so that colours do not depend on row order)."""
    levels = sorted(levels, key=str)
    return {lv: GROUP_COLOURS[i % len(GROUP_COLOURS)] for i, lv in enumerate(levels)}
