"""statcheck's rule: recompute p from a printed test statistic and judge the printed p.

A Python version of the consistency check of the R package statcheck (Nuijten &
Epskamp, version 1.6.0: ``R/compute_p.R``, ``R/error_test.R``,
``R/decision_error_test.R``, ``R/process_stats.R``, ``R/extract_1tail.R``), for one
APA-style result at a time, e.g. ``"t(28) = 2.20, p = .03"``. Numbers are kept as
printed strings, so trailing zeros count: ``2.20`` stands for [2.195, 2.205].

* p from the statistic (``compute_p``): t, Z and r (via t = r sqrt(df / (1 - r^2)))
  two-tailed unless a one-tailed reading is asked for; F, chi-square and Q (Qw, Qb)
  upper-tailed (the tails do not apply to them).
* Error (``error_test``): the p-values at the two ends of the statistic's rounding
  interval bound the correct p. A printed ``p = x`` is an error when x lies outside
  that range once the range is rounded to x's decimals; ``p < x`` and ``p > x`` are
  compared with the unrounded range; ``ns`` is read as ``p > alpha``. A printed
  statistic with ``<`` or ``>`` (``t(28) < 2.2``) widens the range to one side.
  With ``p_zero_error`` a printed p <= 0 (``p = .000``, ``p < .000``) is an error.
* Decision error (``decision_error_test``): an error that also flips significance at
  ``alpha``, judged with the p computed at the printed statistic; ``p = alpha`` counts
  as significant when ``p_equal_alpha_sig``. A result that is not an error is never a
  decision error.
* One-tailed readings (``process_stats``): ``one_tailed_tests`` reads every t, Z and r
  one-tailed. ``one_tailed_txt`` (only without ``one_tailed_tests``): when the text
  says "one-tailed", "one-sided" or "directional" and the result is an error
  two-tailed but not one-tailed, the one-tailed reading is taken and the result counts
  as consistent.

All rounding goes through ``rounding.py``: the statistic's interval is
``Printed.lower``/``Printed.upper``, and the p range is rounded to the printed p's
precision with ``round_to``, under half-up or half-even, whichever allows more (the
project accepts both schemes; R's ``round`` is one of them up to floating-point ties).

Departures from statcheck 1.6.0, all where statcheck is off by its own definition (no
case of statcheck's test suite reaches them):

* When the statistic's interval of a t, Z or r straddles 0 (e.g. ``t(28) = 0.0``),
  the largest p over the interval is 1 (at 0); statcheck takes p at the two ends only.
* The printed p's decimals are those of the number as written, also in exponent
  notation (``1e-4`` has 4); statcheck counts the digits after a '.' only (0 here).
* The interval of a printed r is kept inside [-1, 1] (``r = 1.0`` stands for
  [0.95, 1]); statcheck's r2t gives NaN beyond 1.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

from scipy import stats

from .rounding import (SCHEMES, NumberFormatError, Printed, diagnose_numbers, format_value, parse_number,
                       round_to)

TEST_TYPES = ("t", "F", "r", "Z", "Chi2", "Q", "Qw", "Qb")
TWO_SIDED = {"t", "Z", "r"}                  # doubled for two tails, as compute_p does
ONE_DF = {"t": "df2", "r": "df2", "Chi2": "df1", "Q": "df1", "Qw": "df1", "Qb": "df1"}

# statcheck's extract_1tail: the phrase anywhere in the text.
_ONE_TAILED = re.compile(r"one.?sided|one.?tailed|directional", re.IGNORECASE)

_CHI2 = r"chi\s?-?\s?squared?|chi\s?\^?\s?[2²]|χ\s?\^?\s?[2²]?|[xX]\s?\^?\s?[2²]"
_TYPE = rf"(?P<type>{_CHI2}|Q\s?-?\s?(?:within|between|w|b)?|[tTrFzZ])"
_RESULT = re.compile(
    rf"(?<![A-Za-z0-9]){_TYPE}\s*(?:\(\s*(?P<df>[^()]*?)\s*\))?\s*"
    r"(?P<tcmp>[<>=])\s*(?P<stat>[^\s,;]+)\s*,\s*"
    r"(?:(?P<ns>(?<![A-Za-z])n\.?s\b\.?)"
    r"|p\s*(?P<pcmp>[<>=])\s*(?P<p>[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?))")
_DF_CHI2 = re.compile(r"^(?P<df>[^,]+?)(?:\s*,\s*[Nn]\s*=\s*[0-9][0-9,]*)?$")


@dataclass(frozen=True)
class ReportedTest:
    """One result as printed. ``statistic`` and ``p`` keep the printed digits;
    ``comparison`` is the p's '=', '<', '>' or 'ns' (then ``p`` is None) and
    ``test_comparison`` the statistic's. dfs follow statcheck: t and r have ``df2``;
    chi-square and Q ``df1``; F both; Z none."""

    test_type: str
    df1: float | None
    df2: float | None
    statistic: str
    comparison: str
    p: str | None
    text: str
    test_comparison: str = "="


@dataclass(frozen=True)
class StatcheckResult:
    """``computed_p`` is p at the printed statistic; ``p_low``/``p_high`` bound p over
    the statistic's rounding interval (unrounded). ``reading`` is 'two_tailed' or
    'one_tailed' (t, Z and r only differ; F, chi-square and Q are upper-tailed in both)."""

    computed_p: float
    p_low: float
    p_high: float
    error: bool
    decision_error: bool
    reading: str
    reason: str


def mentions_one_tailed(text: str) -> bool:
    """Does the text say 'one-tailed', 'one-sided' or 'directional' (statcheck's
    ``extract_1tail``, which searches the whole article)?"""
    return bool(_ONE_TAILED.search(text or ""))


# --- parsing --------------------------------------------------------------------------

def _test_type(token: str) -> str:
    t = re.sub(r"[\s\-^]", "", token)
    if t in ("t", "T"):
        return "t"
    if t in ("r", "F"):
        return t
    if t in ("z", "Z"):
        return "Z"
    if t.startswith("Q"):
        rest = t[1:].lower()
        return {"": "Q", "w": "Qw", "within": "Qw", "b": "Qb", "between": "Qb"}[rest]
    return "Chi2"


def _df(text: str, what: str, source: str) -> float:
    try:
        value = float(parse_number(text.strip()).value)
    except NumberFormatError as exc:
        raise ValueError(f"{source!r}: cannot read the {what} ({exc})") from None
    if value <= 0:
        raise ValueError(f"{source!r}: the {what} must be positive, got {text.strip()!r}")
    return value


def parse_result(text: str) -> ReportedTest:
    """Read one APA-style result: ``t(28) = 2.20, p = .03``, ``F(2, 28) = 2.20,
    p = .15``, ``r(28) = .22, p = .26``, ``chi2(28) = 22.20, p = .79`` (also χ2, X2,
    chi-square, with an optional ``, N = 100`` after the df), ``Z = 2.2, p = .03``,
    ``Q(28) = ...`` (Qw, Qb), with ``=``, ``<`` or ``>`` before the statistic and p,
    or ``ns``. Words around the result are allowed (a trailing "one-tailed" is how
    ``one_tailed_txt`` sees it). ValueError, naming the text, when there is not exactly
    one result or one of its parts cannot be read."""
    if not isinstance(text, str):
        raise ValueError(f"{text!r}: expected the printed result as a string")
    found = list(_RESULT.finditer(text))
    if not found:
        why = diagnose_numbers(text)
        raise ValueError(
            f"{text!r}: not an APA-style test result such as 't(28) = 2.20, p = .03'"
            + (f" ({why})" if why else ""))
    if len(found) > 1:
        raise ValueError(f"{text!r}: holds {len(found)} test results; pass one at a time")
    m = found[0]
    test_type = _test_type(m.group("type"))
    df_text = m.group("df")
    df1 = df2 = None
    if test_type == "Z":
        if df_text is not None:
            raise ValueError(f"{text!r}: a Z test has no degrees of freedom")
    elif df_text is None or not df_text.strip():
        raise ValueError(f"{text!r}: the {test_type} test needs its degrees of freedom in "
                         "parentheses, e.g. t(28)")
    elif test_type == "F":
        parts = df_text.split(",")
        if len(parts) != 2:
            raise ValueError(f"{text!r}: an F test needs two degrees of freedom, F(df1, df2)")
        df1, df2 = (_df(part, name, text) for part, name in zip(parts, ("df1", "df2")))
    else:
        if test_type == "Chi2":
            chi = _DF_CHI2.match(df_text)
            df_text = chi.group("df") if chi else df_text
        if "," in df_text:
            raise ValueError(f"{text!r}: the {test_type} test takes one degree-of-freedom "
                             f"value, got ({df_text})")
        value = _df(df_text, "degrees of freedom", text)
        df1, df2 = (None, value) if ONE_DF[test_type] == "df2" else (value, None)

    statistic = m.group("stat")
    try:
        stat = parse_number(statistic).value
    except NumberFormatError as exc:
        raise ValueError(f"{text!r}: cannot read the test statistic ({exc})") from None
    if test_type == "r" and abs(stat) > 1:
        raise ValueError(f"{text!r}: a correlation lies in [-1, 1], got {statistic}")
    if test_type in ("F", "Chi2", "Q", "Qw", "Qb") and stat < 0:
        raise ValueError(f"{text!r}: a {test_type} statistic cannot be negative")

    if m.group("ns") is not None:
        comparison, p = "ns", None
    else:
        comparison, p = m.group("pcmp"), m.group("p")
        try:
            p_value = parse_number(p).value
        except NumberFormatError as exc:  # pragma: no cover - the pattern admits numbers only
            raise ValueError(f"{text!r}: cannot read the p-value ({exc})") from None
        if p_value > 1:
            raise ValueError(f"{text!r}: a p-value lies in [0, 1], got {p}")
    return ReportedTest(test_type=test_type, df1=df1, df2=df2, statistic=statistic,
                        comparison=comparison, p=p, text=text,
                        test_comparison=m.group("tcmp"))


# --- p from the statistic -------------------------------------------------------------

def _one_df(test_type: str, df1, df2) -> float:
    given = [d for d in (df1, df2) if d is not None]
    if len(given) != 1:
        raise ValueError(f"a {test_type} test takes one degrees-of-freedom value "
                         f"(statcheck stores it as {ONE_DF[test_type]}); got df1={df1!r}, "
                         f"df2={df2!r}")
    return float(given[0])


def p_from_statistic(test_type: str, statistic: float, df1=None, df2=None,
                     tails: int = 2) -> float:
    """p for a test statistic, as statcheck's ``compute_p``: t and r (t = r sqrt(df /
    (1 - r^2))) from Student's t, Z from the normal, both tails when ``tails=2`` and
    the upper tail of |statistic| when ``tails=1``; F, chi-square and Q (Qw, Qb) from
    the upper tail (``tails`` does not apply to them). The single df of t, r,
    chi-square and Q may be given as df1 or df2."""
    if test_type not in TEST_TYPES:
        raise ValueError(f"unknown test type {test_type!r}; choose from {TEST_TYPES}")
    if tails not in (1, 2):
        raise ValueError(f"tails must be 1 or 2, got {tails!r}")
    x = float(statistic)
    if test_type == "F":
        if df1 is None or df2 is None:
            raise ValueError(f"an F test needs df1 and df2; got df1={df1!r}, df2={df2!r}")
        return float(stats.f.sf(x, float(df1), float(df2)))
    if test_type in ("Chi2", "Q", "Qw", "Qb"):
        return float(stats.chi2.sf(x, _one_df(test_type, df1, df2)))
    if test_type == "Z":
        one = float(stats.norm.sf(abs(x)))
    else:
        df = _one_df(test_type, df1, df2)
        if test_type == "r":
            if abs(x) > 1:
                raise ValueError(f"a correlation lies in [-1, 1], got {x}")
            x = math.inf if abs(x) == 1 else x * math.sqrt(df / (1 - x * x))
        one = float(stats.t.sf(abs(x), df))
    return min(1.0, one * tails)


# --- statcheck's error and decision-error tests --------------------------------------

def _stat_interval(test: ReportedTest, printed: Printed) -> tuple[Decimal, Decimal]:
    """The statistic's rounding interval (rounding.py's half-unit either way), for r
    kept inside [-1, 1]."""
    lo, hi = printed.lower, printed.upper
    if test.test_type == "r":
        lo, hi = max(lo, Decimal(-1)), min(hi, Decimal(1))
    return lo, hi


def _p_range(test: ReportedTest, printed: Printed, tails: int) -> tuple[float, float]:
    """Smallest and largest p over the statistic's rounding interval."""
    lo, hi = _stat_interval(test, printed)
    ends = [p_from_statistic(test.test_type, float(v), test.df1, test.df2, tails)
            for v in (lo, hi)]
    low, high = min(ends), max(ends)
    if test.test_type in TWO_SIDED and lo < 0 < hi:
        high = 1.0 if tails == 2 else 0.5           # p peaks at a statistic of 0
    return low, high


def _round_p(value: float, unit: Decimal, widest) -> Decimal:
    """Round a p to the printed p's precision under every accepted scheme of
    rounding.py and keep the most lenient (``widest`` is min or max)."""
    return widest(round_to(value, unit, s) for s in SCHEMES)


# statcheck's decision_error_test, one entry per (pEqualAlphaSig, test comparison,
# p comparison); arguments are the reported p, the computed p and alpha.
_DECISION = {
    (True, "=", "="): lambda r, c, a: (r <= a < c) or (r > a >= c),
    (True, "=", "<"): lambda r, c, a: r <= a < c,
    (True, "=", ">"): lambda r, c, a: r >= a >= c,
    (True, "<", "="): lambda r, c, a: r <= a <= c,
    (True, "<", "<"): lambda r, c, a: r <= a <= c,
    (True, "<", ">"): lambda r, c, a: False,
    (True, ">", "="): lambda r, c, a: r > a >= c,
    (True, ">", "<"): lambda r, c, a: False,
    (True, ">", ">"): lambda r, c, a: r >= a >= c,
    (False, "=", "="): lambda r, c, a: (r < a <= c) or (r >= a > c),
    (False, "=", "<"): lambda r, c, a: r <= a <= c,
    (False, "=", ">"): lambda r, c, a: r >= a > c,
    (False, "<", "="): lambda r, c, a: r < a <= c,
    (False, "<", "<"): lambda r, c, a: r <= a <= c,
    (False, "<", ">"): lambda r, c, a: False,
    (False, ">", "="): lambda r, c, a: r >= a >= c,
    (False, ">", "<"): lambda r, c, a: False,
    (False, ">", ">"): lambda r, c, a: r >= a >= c,
}


@dataclass(frozen=True)
class _Judgement:
    computed_p: float
    p_low: float
    p_high: float
    error: bool
    decision_error: bool
    why: str                 # what the printed p allows and why error / not


def _judge(test: ReportedTest, tails: int, alpha: float, p_zero_error: bool,
           p_equal_alpha_sig: bool) -> _Judgement:
    printed = parse_number(test.statistic)
    computed = p_from_statistic(test.test_type, float(printed.value), test.df1, test.df2,
                                tails)
    low, high = _p_range(test, printed, tails)

    tcmp, pcmp = test.test_comparison, test.comparison
    if pcmp == "ns":                       # statcheck: 'ns' is p > alpha
        pcmp, reported = ">", Decimal(str(alpha))
        shown = f"ns (read as p > {format_value(alpha)})"
    else:
        reported = parse_number(test.p).value
        shown = f"p {pcmp} {test.p}"
    rep = float(reported)                  # R compares doubles

    if p_zero_error and reported <= 0:
        error = True
        why = f"{shown} claims p <= 0, which no test gives (pZeroError)"
    elif pcmp == "=":
        # rounded comparison: the p range at the printed p's decimals
        p_unit = parse_number(test.p).unit
        r_low, r_high = _round_p(low, p_unit, min), _round_p(high, p_unit, max)
        if tcmp == "=":
            error = reported < r_low or reported > r_high
            span = f"from {r_low} to {r_high}"
        elif tcmp == "<":                  # the statistic may be smaller: p larger
            error = reported < r_high
            span = f"of at least {r_high}"
        else:                              # the statistic may be larger: p smaller
            error = reported > r_low
            span = f"of at most {r_low}"
        why = (f"rounded to the printed {-p_unit.as_tuple().exponent} decimals that "
               f"allows p {span}, and {shown} is {'not ' if error else ''}among them")
    elif (tcmp, pcmp) in (("<", ">"), (">", "<")):
        error = False
        why = f"{shown} cannot contradict a statistic printed with '{tcmp}'"
    else:
        # unrounded comparison with the end of the range that the claim faces
        if pcmp == "<":
            bound, label = (low, "smallest") if tcmp == "=" else (high, "largest")
            error = rep < bound
        else:
            bound, label = (high, "largest") if tcmp == "=" else (low, "smallest")
            error = rep > bound
        why = (f"{shown} {'excludes' if error else 'admits'} the {label} p "
               f"{format_value(bound)} (compared unrounded)")
    why += ": error" if error else ": consistent"

    decision = False
    if error:                              # only an error can be a decision error
        decision = bool(_DECISION[(bool(p_equal_alpha_sig), tcmp, pcmp)](
            rep, computed, float(alpha)))
        sig = "<=" if p_equal_alpha_sig else "<"
        why += (f"; {'a' if decision else 'not a'} decision error at alpha = "
                f"{format_value(alpha)} (significant means p {sig} alpha; computed p "
                f"{format_value(computed)})")
    return _Judgement(computed, low, high, bool(error), decision, why)


def check_reported(test: ReportedTest, *, one_tailed_txt: bool = False,
                   one_tailed_tests: bool = False, alpha: float = 0.05,
                   p_zero_error: bool = True, p_equal_alpha_sig: bool = True,
                   one_tailed_in_txt: bool | None = None) -> StatcheckResult:
    """Judge a printed p against the printed statistic as statcheck does, with its
    options (``OneTailedTxt``, ``OneTailedTests``, ``alpha``, ``pZeroError``,
    ``pEqualAlphaSig``). ``one_tailed_in_txt`` says whether the article mentions a
    one-tailed test; by default the result's own text is searched (statcheck searches
    the whole article, so pass the article's answer from ``mentions_one_tailed``)."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha!r}")
    options = dict(alpha=alpha, p_zero_error=p_zero_error,
                   p_equal_alpha_sig=p_equal_alpha_sig)
    one_tailed = bool(one_tailed_tests)
    judged = _judge(test, 1 if one_tailed else 2, **options)
    note = ""
    if one_tailed_tests and test.test_type in TWO_SIDED:
        note = " (OneTailedTests: every t, Z and r is read one-tailed)"
    if one_tailed_txt and not one_tailed_tests and judged.error:
        mentioned = (mentions_one_tailed(test.text) if one_tailed_in_txt is None
                     else bool(one_tailed_in_txt))
        if mentioned:
            one = _judge(test, 1, **options)
            if not one.error:
                judged, one_tailed = one, True
                note = (" (OneTailedTxt: an error two-tailed, but the text mentions a "
                        "one-tailed test and the one-tailed reading fits, so it is taken)")
    reading = "one_tailed" if one_tailed else "two_tailed"
    lo, hi = _stat_interval(test, parse_number(test.statistic))
    if test.test_type in TWO_SIDED:
        kind = f"{reading.replace('_', '-')} p"
    else:
        kind = "upper-tail p"
    if test.test_type == "Z":
        name = "Z"
    elif test.test_type == "F":
        name = f"F({_fmt_df(test.df1)}, {_fmt_df(test.df2)})"
    else:
        name = f"{test.test_type}({_fmt_df(test.df1 if test.df1 is not None else test.df2)})"
    reason = (f"{name} {test.test_comparison} {test.statistic} stands for "
              f"[{lo}, {hi}], giving {kind} from {format_value(judged.p_low)} "
              f"to {format_value(judged.p_high)} ({format_value(judged.computed_p)} at the "
              f"printed value){note}; {judged.why}")
    return StatcheckResult(computed_p=judged.computed_p, p_low=judged.p_low,
                           p_high=judged.p_high, error=judged.error,
                           decision_error=judged.decision_error, reading=reading,
                           reason=reason)


def _fmt_df(df: float | None) -> str:
    return "" if df is None else format_value(df)


# --- for the summary-level engine: a printed statistic without its p -------------------

def statistic_p_range(text: str, tails: int = 2) -> dict:
    """p from a printed statistic alone (``t(28) = 2.20``, ``F(2, 28) = 3.1``,
    ``χ2(1) = 4.2``, ``Z = 1.96``, ``r(28) = .22``): p at the printed statistic and its
    range over the statistic's rounding interval, statcheck's rule. The printed p is
    judged elsewhere, as every claim is. Returns keys test, p, low, high."""
    test = parse_result(f"{text}, ns")
    printed = parse_number(test.statistic)
    p = p_from_statistic(test.test_type, float(printed.value), test.df1, test.df2, tails)
    low, high = _p_range(test, printed, tails)
    return {"test": test, "p": p, "low": low, "high": high}
