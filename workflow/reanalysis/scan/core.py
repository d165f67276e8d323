"""Scan a text for printed test results and judge each by statcheck's rule."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

from reanalysis.engine import statcheck
from reanalysis.engine.rounding import format_value, parse_claim
from reanalysis.engine.verdicts import CONSISTENT, DISCREPANT, REPRODUCED

from .grammar import Found, find_results
from .text import normalise, read_text

ONE_TAILED = "one_tailed"


@dataclass(frozen=True)
class Result:
    """One printed result, where it is and what statcheck's rule says of it.

    ``printed`` is the exact printed text from the label to the end of the p, a line
    break shown as a space; ``line`` and ``last_line`` the lines it spans (1-based);
    ``notes`` every repair and reading its print needed. ``check`` is the two-tailed
    judgement (statcheck's default), ``one_tailed`` the one-tailed reading of a t, Z or r
    (None for F, chi-square and Q, which are upper-tailed either way)."""

    file: str
    line: int
    last_line: int
    printed: str
    found: Found
    notes: tuple[str, ...]
    check: statcheck.StatcheckResult
    verdict: str
    one_tailed: statcheck.StatcheckResult | None
    one_tailed_verdict: str | None
    claim: str
    mentions_one_tailed: bool

    @property
    def test(self) -> statcheck.ReportedTest:
        return self.found.test


def claim_text(test: statcheck.ReportedTest, alpha: float) -> str:
    """What the printed p asserts, in the grammar of rounding.parse_claim; ``ns`` is read
    as p > alpha, as statcheck reads it."""
    if test.comparison == "ns":
        return f"> {format_value(alpha)}"
    return test.p if test.comparison == "=" else f"{test.comparison} {test.p}"


def verdict_of(result: statcheck.StatcheckResult, claim: str) -> str:
    """statcheck's rule as a ledger verdict: an error is ``discrepant``; otherwise
    ``reproduced`` where the p at the printed statistic satisfies the printed p, else
    ``consistent`` (some statistic its rounding allows does)."""
    if result.error:
        return DISCREPANT
    return REPRODUCED if parse_claim(claim).holds_for(result.computed_p) else CONSISTENT


def statistic_name(test: statcheck.ReportedTest) -> str:
    """'t(28) = 2.20', 'F(2, 28) = 3.1', 'Z = 1.96' (df as read, the statistic as printed)."""
    df = [format_value(d) for d in (test.df1, test.df2) if d is not None]
    label = {"Chi2": "χ2"}.get(test.test_type, test.test_type)
    return f"{label}{'(' + ', '.join(df) + ')' if df else ''} {test.test_comparison} {test.statistic}"


def scan_text(text: str, file: str = "", *, apa_only: bool = False, alpha: float = 0.05) -> list[Result]:
    """Every result printed in ``text``, judged by statcheck's rule at ``alpha``."""
    norm = normalise(text)
    breaks = [i for i, ch in enumerate(text) if ch == "\n"]
    one_tailed_text = statcheck.mentions_one_tailed(norm.text)
    out = []
    for found in find_results(norm.text, apa_only):
        start, end = norm.span(found.start, found.end)
        printed = re.sub(r"\r?\n", " ", text[start:end])
        notes = tuple(norm.repairs(found.start, found.end)) + found.notes
        claim = claim_text(found.test, alpha)
        check = statcheck.check_reported(found.test, alpha=alpha)
        one = one_verdict = None
        if found.test.test_type in statcheck.TWO_SIDED:
            one = statcheck.check_reported(found.test, alpha=alpha, one_tailed_tests=True)
            one_verdict = verdict_of(one, claim)
        out.append(Result(file=file, line=bisect.bisect_left(breaks, start) + 1,
                          last_line=bisect.bisect_left(breaks, end - 1) + 1, printed=printed, found=found,
                          notes=notes, check=check, verdict=verdict_of(check, claim), one_tailed=one,
                          one_tailed_verdict=one_verdict, claim=claim, mentions_one_tailed=one_tailed_text))
    return out


def scan_file(path: str | Path, *, apa_only: bool = False, alpha: float = 0.05, name: str | None = None) -> list[Result]:
    """Every result in a .txt, .pdf or .html file (ValueError if it cannot be read)."""
    return scan_text(read_text(path), name if name is not None else str(path), apa_only=apa_only, alpha=alpha)
