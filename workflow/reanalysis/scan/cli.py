"""``python -m reanalysis scan FILE... [--csv OUT] [--apa-only] [--alpha A]``: every printed
test result in each file, judged by statcheck's rule, as a table (and all columns in a CSV).

The default grammar is the broad one (APA and common non-APA forms, PDF artefacts);
``--apa-only`` reads only what statcheck 1.6.0 reads by default. Exit status 0 when every
file was read (whatever the verdicts), 2 when a file cannot be read.
"""
from __future__ import annotations

import argparse
import csv
import sys

from reanalysis.engine import statcheck
from reanalysis.engine.rounding import format_value
from reanalysis.engine.verdicts import CONSISTENT, DISCREPANT, REPRODUCED

from .core import Result, scan_file

CSV_COLUMNS = ["file", "line", "last_line", "printed", "test_type", "df1", "df2", "test_comparison", "statistic",
               "reported_comparison", "reported_p", "claim", "computed_p", "p_low", "p_high", "verdict", "error",
               "decision_error", "one_tailed_p_low", "one_tailed_p_high", "one_tailed_verdict",
               "one_tailed_decision_error", "mentions_one_tailed", "notes", "reason"]
HEADER = ("line", "statistic", "df", "printed p", "recomputed p [range]", "verdict", "decision error", "one-tailed")


def _g(x: float) -> str:
    return format(x, ".4g")


def table_row(r: Result) -> tuple[str, ...]:
    t = r.test
    label = {"Chi2": "χ2"}.get(t.test_type, t.test_type)
    df = ", ".join(format_value(d) for d in (t.df1, t.df2) if d is not None)
    printed = "ns" if t.comparison == "ns" else f"{t.comparison} {t.p}"
    c = r.check
    one = "" if r.one_tailed is None else r.one_tailed_verdict + (", decision error" if r.one_tailed.decision_error
                                                                  else "")
    lines = str(r.line) if r.line == r.last_line else f"{r.line}-{r.last_line}"
    return (lines, f"{label} {t.test_comparison} {t.statistic}", df, printed,
            f"{_g(c.computed_p)} [{_g(c.p_low)}, {_g(c.p_high)}]", r.verdict, "yes" if c.decision_error else "", one)


def format_table(results: list[Result]) -> str:
    rows = [HEADER] + [table_row(r) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    out = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def summary_line(file: str, results: list[Result], alpha: float) -> str:
    counts = {v: sum(r.verdict == v for r in results) for v in (REPRODUCED, CONSISTENT, DISCREPANT)}
    decisions = sum(r.check.decision_error for r in results)
    return (f"{file}: {len(results)} result{'s' if len(results) != 1 else ''}: "
            + ", ".join(f"{n} {v}" for v, n in counts.items())
            + f"; {decisions} decision error{'s' if decisions != 1 else ''} (two-tailed, alpha {format_value(alpha)})")


def csv_row(r: Result) -> dict:
    t, c, o = r.test, r.check, r.one_tailed
    return {"file": r.file, "line": r.line, "last_line": r.last_line, "printed": r.printed,
            "test_type": t.test_type, "df1": "" if t.df1 is None else format_value(t.df1),
            "df2": "" if t.df2 is None else format_value(t.df2), "test_comparison": t.test_comparison,
            "statistic": t.statistic, "reported_comparison": t.comparison, "reported_p": t.p or "",
            "claim": r.claim, "computed_p": repr(c.computed_p), "p_low": repr(c.p_low), "p_high": repr(c.p_high),
            "verdict": r.verdict, "error": str(c.error).lower(), "decision_error": str(c.decision_error).lower(),
            "one_tailed_p_low": "" if o is None else repr(o.p_low),
            "one_tailed_p_high": "" if o is None else repr(o.p_high),
            "one_tailed_verdict": r.one_tailed_verdict or "",
            "one_tailed_decision_error": "" if o is None else str(o.decision_error).lower(),
            "mentions_one_tailed": str(r.mentions_one_tailed).lower(), "notes": "; ".join(r.notes),
            "reason": c.reason}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reanalysis scan", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", metavar="FILE", help="a .txt, .pdf or .html file")
    parser.add_argument("--csv", metavar="OUT", help="write every result, all columns, to this CSV file")
    parser.add_argument("--apa-only", action="store_true",
                        help="read only what statcheck 1.6.0 reads by default (APA style)")
    parser.add_argument("--alpha", type=float, default=0.05, help="significance level (default 0.05)")
    args = parser.parse_args(argv)
    if not 0 < args.alpha < 1:
        parser.error("--alpha must lie in (0, 1)")
    found = []
    for file in args.files:
        try:
            results = scan_file(file, apa_only=args.apa_only, alpha=args.alpha)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        found += results
        print(f"== {file}")
        if results:
            print(format_table(results))
            noted = [r for r in results if r.notes]
            for r in noted:
                print(f"  line {r.line}: {'; '.join(r.notes)}")
        print(summary_line(file, results, args.alpha))
        if any(r.mentions_one_tailed and r.test.test_type in statcheck.TWO_SIDED for r in results):
            print("  the text mentions a one-tailed test: see the one-tailed column")
        print()
    if args.csv:
        with open(args.csv, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(csv_row(r) for r in found)
        print(f"{len(found)} results written to {args.csv}")
    return 0
