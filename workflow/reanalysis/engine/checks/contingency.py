"""Test of an r x c table whose cells are printed counts, or percents read back to counts out of n."""
from __future__ import annotations

import math

from .. import kgroup_stats
from . import register
from ._common import (ROUNDING, TEST_NAMES, VALUE_ID, count_or_percent, exact, n_for, n_words, nearest_cells,
                      range_record)


def _cells(spec: dict, rows: dict, study: dict, n_reading: str) -> tuple[list, list]:
    """The table as printed: a count, or (percent text, n), a cell; and the rows read."""
    cells, used = [], []
    for line in spec["table"]:
        out_line = []
        for ref in line:
            row = rows[ref]
            used.append(row)
            n = n_for(row, study, n_reading)
            out_line.append(int(row.parts["count"].value) if "count" in row.parts
                            else (row.parts["percent"].text, n))
        cells.append(out_line)
    return cells, used


@register("contingency", note=__doc__.split("\n")[0], needs=count_or_percent, reads_n=True,
          fields={"table": {"type": "array", "minItems": 2,
                            "items": {"type": "array", "items": VALUE_ID, "minItems": 2}},
                  "test": {"enum": ["chi2", "chi2_yates", "fisher", "g_test", "fisher_freeman_halton"]}},
          # commented examples in the stub of a new study (python -m reanalysis new)
          examples={
              "counts_table": ("{kind: contingency, table: [[X-M-G1, X-M-G2], [X-F-G1, X-F-G2]], test: chi2,",
                               "alternatives: {g: {test: g_test}, exact: {test: fisher_freeman_halton}}}"),
          },
          no_synthetic=("the synthetic trial's categorical outcomes are yes/no by arm (2 x 2: arms_binary); "
                        "it prints no r x c table"))
def run(spec: dict, rows: dict, study: dict) -> list[dict]:
    n_reading = spec.get("n", "printed")
    test = spec.get("test", "chi2")
    cells, used = _cells(spec, rows, study, n_reading)
    cells, nearest = nearest_cells(cells)
    try:
        tables = list(kgroup_stats.contingency_from_printed(cells, schemes=ROUNDING))
    except ValueError as exc:   # more tables fit the printed cells than we enumerate
        return [exact("p", math.nan, f"{TEST_NAMES[test]}, {n_reading}", str(exc))]
    shape = f"{len(cells)}x{len(cells[0])}"
    method = f"{TEST_NAMES[test]} on the {shape} table of printed counts ({n_words(used, study, n_reading)})"
    if len(tables) == 1:
        res = kgroup_stats.contingency_test(tables[0], test)
        table_text = "; ".join(" ".join(map(str, r)) for r in tables[0])
        return [exact("p", res["p"], method, "; ".join(
            [f"table [{table_text}]"] + ([res["note"]] if res["note"] else []) + nearest))]
    r = kgroup_stats.contingency_range(tables, test)
    return [range_record("p", r, method, "; ".join(
        [f"{len(tables)} tables of counts fit the printed percents"] + nearest))]
