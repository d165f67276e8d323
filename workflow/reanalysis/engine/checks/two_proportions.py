"""Chi-square or Fisher test of two printed proportions (counts, or percents of n)."""
from __future__ import annotations

from scipy import stats

from .. import summary_stats
from . import Synthetic, register
from ._common import ROUNDING, TEST_NAMES, VALUE_ID, count_or_percent, counts, n_for, n_words, spread


def counts_of_two(spec: dict, rows: dict, study: dict) -> tuple:
    """The counts each arm's printed row allows at its n, where in words, and the note
    (shared with proportion_difference_ci)."""
    n_reading = spec.get("n", "printed")
    a, b = rows[spec["a"]], rows[spec["b"]]
    n1, n2 = n_for(a, study, n_reading), n_for(b, study, n_reading)
    (ca, note_a), (cb, note_b) = counts(a, n1, ROUNDING), counts(b, n2, ROUNDING)
    where = f"n = {n1}/{n2} ({n_words([a, b], study, n_reading)})"
    note = "; ".join(x for x in (
        f"counts {'/'.join(map(str, ca))} of {n1} and {'/'.join(map(str, cb))} of {n2}",
        note_a, note_b) if x)
    return ca, n1, cb, n2, where, note


def _chi2_p(a: int, n1: int, b: int, n2: int) -> float:
    if a + b in (0, n1 + n2):
        return 1.0
    return float(stats.chi2_contingency([[a, n1 - a], [b, n2 - b]], correction=False).pvalue)


def _synthetic(rng, ids: dict, data: dict) -> tuple[dict, float]:
    """The arms compared by Pearson's chi-square (no correction); the true p from the simulated
    counts (scipy)."""
    spec = {"kind": "two_proportions", "a": ids["a"], "b": ids["b"], "test": "chi2"}
    a, b = data["a"], data["b"]
    return spec, _chi2_p(int(a.sum()), len(a), int(b.sum()), len(b))


@register("two_proportions", note=__doc__.split("\n")[0], needs=count_or_percent, reads_n=True,
          fields={"a": VALUE_ID, "b": VALUE_ID, "test": {"enum": ["chi2", "chi2_yates", "fisher"]}},
          # commented examples in the stub of a new study (python -m reanalysis new)
          examples={
              "proportions": ("{kind: two_proportions, a: X-MALE-A, b: X-MALE-B, test: chi2,",
                              "alternatives: {yates: {test: chi2_yates}, fisher: {test: fisher}}}"),
          },
          # the printed counts fix the p: every wrong p shows
          synthetic=Synthetic("arms_binary", _synthetic, exact_p=True))
def run(spec: dict, rows: dict, study: dict) -> list[dict]:
    ca, n1, cb, n2, where, note = counts_of_two(spec, rows, study)
    test = spec.get("test", "chi2")
    ps = [summary_stats.two_proportions(x, n1, y, n2, test)["p"] for x in ca for y in cb]
    return [spread("p", ps, f"{TEST_NAMES[test]} on a 2x2 table, {where}", note)]
