"""All rounding logic of the project: printed numbers, their intervals, and claims.

A printed number is taken as a string, so its trailing zeros count: ``"5.00"`` claims
two decimals. One rule gives the values a printed number stands for, whether it is an
input of a check or a claim (``printed_interval``): the values that print as it when
rounded half-up or half-even, the two conventions of statistical software (half-up:
SAS, SPSS, Stata, Excel; half-even: R's ``round``, IEEE 754, Python). The interval is
closed at a half-way point that one of them rounds to the printed digit and open where
neither does: "5.00" stands for [4.995, 5.005] (4.995 -> 5.00 half-up, 5.005 -> 5.00
half-even), "35" for [34.5, 35.5) (35.5 prints as 36 both ways), "36" for [35.5, 36.5].
Half-down, which no software uses by default, is not part of it; a value that only
half-down, truncation or double rounding explains is a labelled reading.

Rounding schemes (names accepted wherever a ``schemes`` tuple is; ``describe_scheme``
says each in words): 'half_up' (ties away from zero), 'half_even' (ties to the even
digit), 'half_down' (ties toward zero), 'truncate' (digits beyond the printed ones cut
off, toward zero: "5.3" stands for [5.3, 5.4), "-5.3" for (-5.4, -5.3]) and 'double'
(half-up to one more decimal, then half-up to the printed decimals: 5.246 -> 5.25 ->
5.3, so "5.3" stands for [5.245, 5.345)). ``READINGS`` names the sets of schemes a
printed table may be read under, one ledger variant each.
A claim is a printed number with a relation: ``"0.58"`` (equal after rounding),
``"< 0.0001"``, ``"> 0.05"``; an inequality is a claim of its own and is checked as
printed, without widening it by rounding.
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

# Floats computed from decimal data carry binary noise (0.575 may come out as
# 0.57499999999999996). Values are snapped to this many significant digits before
# rounding so that an exact half stays an exact half.
SNAP_SIGNIFICANT_DIGITS = 12

# ASCII digits only: Python's \d and Decimal() would accept any Unicode digit.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_CLAIM = re.compile(r"^\s*(?P<op><=|>=|≤|≥|<|>|=)?\s*(?P<num>\S+)\s*$")
_OPS = {"≤": "<=", "≥": ">=", None: "="}
SCHEMES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}
# Half-down, truncation and double rounding are offered to the consistency tests
# (scrutiny's own default ``up_or_down`` is half-up or half-down) and to callers that
# name them, but are kept out of SCHEMES: a printed number, input or claim, is read
# under half-up and half-even only (``printed_interval``).
_MODES = {**SCHEMES, "half_down": ROUND_HALF_DOWN, "truncate": ROUND_DOWN}
# 'double' is two decimal.ROUND_HALF_UP steps (see round_to), not one decimal mode.
ALL_SCHEMES = ("half_up", "half_even", "half_down", "truncate", "double")

# Labelled readings of a printed table: each maps to the schemes under which a printed
# number is taken to stand for the true value. A caller checks a claim once per reading
# and writes one ledger variant per reading (label = the key):
#   as_reported -- conventional rounding: half-up or half-even (``printed_interval``);
#   truncate    -- the software cut the digits off (toward zero) instead of rounding;
#   half_down   -- ties were rounded toward zero only;
#   double      -- rounded twice: half-up to one more decimal, then half-up again.
READINGS: dict[str, tuple[str, ...]] = {
    "as_reported": ("half_up", "half_even"),
    "truncate": ("truncate",),
    "half_down": ("half_down",),
    "double": ("double",),
}

_DESCRIPTIONS = {
    "half_up": "half-up: to the nearest, ties away from zero (0.125 -> 0.13)",
    "half_even": "half-even: to the nearest, ties to the even digit (0.125 -> 0.12)",
    "half_down": "half-down: to the nearest, ties toward zero (0.125 -> 0.12)",
    "truncate": "truncation: the digits beyond the printed ones cut off, toward zero "
                "(5.39 -> 5.3, -5.39 -> -5.3)",
    "double": "double rounding: half-up to one more decimal, then half-up "
              "(5.246 -> 5.25 -> 5.3)",
}
_SHORT = {"half_up": "half-up", "half_even": "half-even", "half_down": "half-down",
          "truncate": "truncation", "double": "double rounding"}


class NumberFormatError(ValueError):
    """A printed number that cannot be read; the message says why."""


def _diagnose(text: str) -> str:
    if text.strip() == "":
        return "empty value"
    if "," in text and re.fullmatch(r"[+-]?\d+,\d+", text.strip()):
        return "decimal comma; use '.' as the decimal separator"
    if "\u2212" in text:
        return "unicode minus sign (U+2212); use ASCII '-'"
    if text.strip().lower().lstrip("+-") in {"nan", "inf", "infinity"}:
        return "not a finite number"
    if text != text.strip():
        return "leading or trailing white space"
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        return "non-ASCII digits"
    return "not a plain decimal number"


# A test statistic's degrees of freedom in parentheses after its name: "F(4,76)", "χ2(2, N =
# 1,120)", "t (28)". Their commas separate numbers, so they are not decimal commas.
_DF_GROUP = re.compile(r"(?<![A-Za-z])(?:[tFrzZ]|Q\s?-?\s?(?:within|between|w|b)?|χ\s?\^?\s?[2²]?"
                       r"|[xX]\s?\^?\s?[2²]|chi\s?-?\s?(?:squared?|\^?\s?[2²]))\s*\([^()]*\)")


def diagnose_numbers(text: str) -> str | None:
    """Why a text holding several numbers (e.g. '9,02 ± 1,27') cannot be read, if a known
    reason: the same diagnoses as for one number, looked for anywhere in the text (a comma
    between a test statistic's degrees of freedom, 'F(4,76)', is not a decimal comma)."""
    if re.search(r"[0-9],[0-9]", _DF_GROUP.sub("", text)):
        return "decimal comma; use '.' as the decimal separator"
    if "\u2212" in text:
        return "unicode minus sign (U+2212); use ASCII '-'"
    if re.search(r"(?i)\b(nan|inf|infinity)\b", text):
        return "not a finite number"
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        return "non-ASCII digits"
    return None


@dataclass(frozen=True)
class Printed:
    """A number as printed, with the precision its digits claim."""

    text: str
    value: Decimal

    @property
    def unit(self) -> Decimal:
        """One unit in the last printed place: 0.01 for '5.00', 1 for '61'."""
        return Decimal(1).scaleb(self.value.as_tuple().exponent)

    @property
    def decimals(self) -> int:
        return -self.value.as_tuple().exponent

    @property
    def lower(self) -> Decimal:
        return self.value - self.unit / 2

    @property
    def upper(self) -> Decimal:
        return self.value + self.unit / 2

    # Which half-way point prints as the value is decided by ``printed_interval``, the
    # one rule for inputs and claims: for a value >= 0 the lower one always (half-up:
    # 34.5 -> 35) and the upper one when the last digit is even (half-even: 36.5 -> 36;
    # 35.5 -> 36 both ways); mirrored for a negative value, since half-up rounds ties
    # away from zero (tests/test_properties.py, test_claim_endpoints_of_negative_numbers).
    @property
    def upper_included(self) -> bool:
        """Does the upper half-way point print as this value (``printed_interval``)?"""
        return printed_interval(self).upper_included

    @property
    def lower_included(self) -> bool:
        """Does the lower half-way point print as this value (``printed_interval``)?"""
        return printed_interval(self).lower_included

    def interval_text(self) -> str:
        """'[34.5, 35.5)': the values the printed number stands for."""
        return (f"{'[' if self.lower_included else '('}{self.lower}, "
                f"{self.upper}{']' if self.upper_included else ')'}")


def parse_number(text: str) -> Printed:
    """Read a printed number strictly: ASCII digits, '.', optional sign and exponent."""
    if not isinstance(text, str) or not _NUMBER.fullmatch(text):
        raise NumberFormatError(f"{text!r}: {_diagnose(str(text))}")
    return Printed(text=text, value=Decimal(text))


def snap(value: float | Decimal) -> Decimal:
    """A float as a Decimal, with binary noise below 12 significant digits removed."""
    if isinstance(value, Decimal):
        return value
    return Decimal(format(float(value), f".{SNAP_SIGNIFICANT_DIGITS}g"))


def describe_scheme(scheme: str) -> str:
    """A short human text for one rounding scheme, e.g. for a ledger note."""
    check_schemes((scheme,))
    return _DESCRIPTIONS[scheme]


def describe_schemes(schemes) -> str:
    """The schemes in a few words: 'half-up or half-down', 'truncation'."""
    return " or ".join(_SHORT[s] for s in check_schemes(schemes))


def round_to(value: float | Decimal, unit: Decimal, scheme: str) -> Decimal:
    """Round to a multiple of ``unit`` (a power of ten) with the named scheme:
    'half_up', 'half_even' or 'half_down' (ties away from / towards zero, as in
    ``decimal``), 'truncate' (toward zero, ``decimal.ROUND_DOWN``) or 'double'
    (half-up to ``unit / 10``, then half-up to ``unit``)."""
    v = snap(value)
    if scheme == "double":
        with localcontext() as ctx:
            ctx.prec = max(ctx.prec, v.adjusted() - unit.as_tuple().exponent + 5)
            return v.quantize(unit.scaleb(-1), rounding=ROUND_HALF_UP).quantize(
                unit, rounding=ROUND_HALF_UP)
    if scheme not in _MODES:
        check_schemes((scheme,))
    return v.quantize(unit, rounding=_MODES[scheme])


def truncate_to(value: float | Decimal, unit: Decimal) -> Decimal:
    return snap(value).quantize(unit, rounding=ROUND_DOWN)


def rounding_schemes_matching(value: float | Decimal, printed: Printed,
                              schemes=None) -> list[str]:
    """The rounding schemes under which ``value`` prints as ``printed``: among SCHEMES
    (half-up, half-even) by default, else among the named ``schemes``."""
    names = tuple(SCHEMES) if schemes is None else check_schemes(schemes)
    return [s for s in names if round_to(value, printed.unit, s) == printed.value]


@dataclass(frozen=True)
class Claim:
    """A printed relation: ``op`` is one of '=', '<', '<=', '>', '>='."""

    op: str
    number: Printed
    text: str

    @property
    def is_inequality(self) -> bool:
        return self.op != "="

    def interval(self) -> tuple[Decimal, Decimal]:
        """Values compatible with the claim (for '=' the rounding interval)."""
        inf = Decimal("Infinity")
        if self.op == "=":
            return self.number.lower, self.number.upper
        if self.op in ("<", "<="):
            return -inf, self.number.value
        return self.number.value, inf

    def holds_for(self, value: float | Decimal) -> bool:
        """Does a recomputed value (in printed units) satisfy the claim? For '=': is it
        in the printed number's interval (``printed_interval``, as for an input)?"""
        v = snap(value)
        x = self.number.value
        if self.op == "=":
            return printed_interval(self.number).contains(v)
        return {"<": v < x, "<=": v <= x, ">": v > x, ">=": v >= x}[self.op]

    def overlaps(self, lo: float | Decimal, hi: float | Decimal) -> bool:
        """Does some value in [lo, hi] satisfy the claim?"""
        lo, hi = snap(lo), snap(hi)
        c_lo, c_hi = self.interval()
        if self.op == "<":
            return lo < c_hi
        if self.op == ">":
            return hi > c_lo
        if self.op == "=":  # a half-way point counts only if it prints as the number
            iv = printed_interval(self.number)
            return ((lo <= c_hi if iv.upper_included else lo < c_hi)
                    and (hi >= c_lo if iv.lower_included else hi > c_lo))
        return lo <= c_hi and hi >= c_lo


def parse_claim(text: str) -> Claim:
    """Read a claim such as '0.58', '< 0.0000002', '>=1.5', '≥ 3'."""
    if not (text or "").strip():
        raise NumberFormatError(f"{text!r}: empty claim")
    m = _CLAIM.match(text)
    if not m:
        raise NumberFormatError(f"{text!r}: not a relation and a number, e.g. '< 0.0001' "
                                "(leave out the quantity's name)")
    op = _OPS.get(m.group("op"), m.group("op"))
    return Claim(op=op, number=parse_number(m.group("num")), text=text.strip())


def format_value(value: float | Decimal | None, digits: int = 6) -> str:
    """A recomputed value for the ledger: fixed significant digits, stable text."""
    if value is None:
        return ""
    v = float(value)
    if v != v:
        return "nan"
    return format(v, f".{digits}g")


def describe_rounding(value: float | Decimal, claim: Claim) -> str:
    """One phrase saying what the recomputed value prints as at the claim's precision."""
    unit = claim.number.unit
    up = round_to(value, unit, "half_up")
    even = round_to(value, unit, "half_even")
    shown = str(up) if up == even else f"{up} (half-up) / {even} (half-even)"
    return f"{format_value(value)} prints as {shown} at the printed precision"


# --- exact rounding and unrounding for the consistency tests (scrutiny.py) -----------

def check_schemes(schemes) -> tuple[str, ...]:
    """The scheme names as a tuple; ValueError for an empty or unknown one."""
    schemes = (schemes,) if isinstance(schemes, str) else tuple(schemes)
    unknown = [s for s in schemes if s not in ALL_SCHEMES]
    if not schemes or unknown:
        raise ValueError(f"rounding schemes {schemes!r}: choose from {sorted(ALL_SCHEMES)}")
    return schemes


def round_exact(value: Fraction | int, unit: Decimal, scheme: str = "half_up", *,
                sqrt: bool = False) -> Decimal:
    """Round a rational number, or with ``sqrt=True`` its square root, to a multiple of
    ``unit`` without any approximation, so that half-way cases are decided exactly.

    Rounding to ``unit`` depends only on which half-unit the value falls in and whether
    it sits exactly on a half-unit mark; the value is replaced by a decimal
    representative with the same answers (the mark itself, or the quarter between two
    marks) and that is rounded with ``round_to``. Truncation's marks (whole units) are
    among those marks; double rounding's first step is taken exactly the same way at
    ``unit / 10`` and its result, a decimal, is rounded half-up to ``unit``."""
    if scheme == "double":
        first = round_exact(value, unit.scaleb(-1), "half_up", sqrt=sqrt)
        with localcontext() as ctx:
            ctx.prec = len(first.as_tuple().digits) + 10
            return round_to(first, unit, "half_up")
    check_schemes((scheme,))
    twice = 2 * Fraction(value) / Fraction(unit)        # value in half-units
    if sqrt:
        if value < 0:
            raise ValueError(f"square root of a negative number ({value})")
        square = 2 * twice / Fraction(unit)             # (2 sqrt(value) / unit)^2
        marks = math.isqrt(math.floor(square))
        exact = marks * marks == square
    else:
        marks = math.floor(twice)
        exact = marks == twice
    quarters = 2 * marks + (0 if exact else 1)          # representative in quarter-units
    with localcontext() as ctx:
        ctx.prec = len(str(abs(quarters))) + 10
        representative = (Decimal(quarters) / 4).scaleb(unit.as_tuple().exponent)
        return round_to(representative, unit, scheme)


@dataclass(frozen=True)
class Interval:
    """Real numbers between two rational bounds, each bound included or not."""

    lower: Fraction
    upper: Fraction
    lower_included: bool = True
    upper_included: bool = True

    @property
    def empty(self) -> bool:
        return self.lower > self.upper or (
            self.lower == self.upper and not (self.lower_included and self.upper_included))

    def contains(self, value: Fraction | Decimal | int) -> bool:
        v = Fraction(value)
        return ((self.lower < v or (self.lower_included and v == self.lower))
                and (v < self.upper or (self.upper_included and v == self.upper)))

    def intersect(self, other: Interval) -> Interval | None:
        """The common part, or None when there is none."""
        if self.lower != other.lower:
            lo, lo_in = max((self.lower, self.lower_included),
                            (other.lower, other.lower_included), key=lambda b: b[0])
        else:
            lo, lo_in = self.lower, self.lower_included and other.lower_included
        if self.upper != other.upper:
            hi, hi_in = min((self.upper, self.upper_included),
                            (other.upper, other.upper_included), key=lambda b: b[0])
        else:
            hi, hi_in = self.upper, self.upper_included and other.upper_included
        out = Interval(lo, hi, lo_in, hi_in)
        return None if out.empty else out

    def affine(self, scale: Fraction | int, shift: Fraction | int = 0) -> Interval:
        """{scale * v + shift for v in self}, for scale > 0."""
        if scale <= 0:
            raise ValueError("scale must be positive")
        return Interval(self.lower * scale + shift, self.upper * scale + shift,
                        self.lower_included, self.upper_included)

    def squared(self) -> Interval | None:
        """{v**2 for the non-negative v in self} (an SD interval -> a variance interval)."""
        part = self.intersect(Interval(Fraction(0), max(self.upper, Fraction(0))))
        if part is None:
            return None
        return Interval(part.lower ** 2, part.upper ** 2,
                        part.lower_included, part.upper_included)

    def text(self, digits: int | None = None) -> str:
        """'[11.5, 12.5]', '[5.3, 5.4)': the bounds as decimals (exact when they are
        terminating decimals; else to ``digits``, default 6, significant digits)."""
        def show(b: Fraction) -> str:
            d = fraction_to_decimal(b)
            return format(float(b), f".{digits or 6}g") if d is None else format(d, "f")
        return (f"{'[' if self.lower_included else '('}{show(self.lower)}, "
                f"{show(self.upper)}{']' if self.upper_included else ')'}")

    def integers(self) -> range:
        """The integers in the interval, in order (an empty range when there are none)."""
        lo, hi = math.ceil(self.lower), math.floor(self.upper)
        if lo == self.lower and not self.lower_included:
            lo += 1
        if hi == self.upper and not self.upper_included:
            hi -= 1
        return range(lo, hi + 1)


def fraction_to_decimal(value: Fraction) -> Decimal | None:
    """The exact Decimal of a rational number, or None when it does not terminate."""
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return None
    places = max(twos, fives)
    scaled = value * 10 ** places                       # an integer now
    return Decimal(int(scaled)).scaleb(-places)


def scheme_bounds(printed: Printed, scheme: str) -> tuple[Decimal, Decimal]:
    """The two ends of the values that print as ``printed`` under one scheme (whether
    each end itself does is decided by ``unround``): value -/+ unit/2 for the half-way
    schemes; for truncation [v, v + unit] when v > 0, [v - unit, v] when v < 0 and
    [-unit, unit] for zero; for double rounding [v - 0.55 unit, v + 0.45 unit] when
    v > 0, mirrored when v < 0, and [-0.45 unit, 0.45 unit] for zero."""
    v, u = printed.value, printed.unit
    if scheme in ("half_up", "half_even", "half_down"):
        return printed.lower, printed.upper
    if scheme == "truncate":
        return (v, v + u) if v > 0 else (v - u, v) if v < 0 else (-u, u)
    if scheme == "double":
        big, small = u * Decimal("0.55"), u * Decimal("0.45")
        return (v - big, v + small) if v > 0 else (v - small, v + big) if v < 0 \
            else (-small, small)
    check_schemes((scheme,))
    raise AssertionError(scheme)


def unround(printed: Printed, schemes=("half_up", "half_down")) -> Interval:
    """The values that print as ``printed`` under at least one of the schemes (scrutiny's
    ``unround``). Each scheme's values run between the ends given by ``scheme_bounds``,
    an end included when that value itself rounds to the printed value under the
    scheme; every scheme's values hold the printed value, so their union is one
    interval (for half-up or half-down: ``printed.lower`` to ``printed.upper``)."""
    schemes = check_schemes(schemes)
    ends = [(s, *scheme_bounds(printed, s)) for s in schemes]
    lo = min(e[1] for e in ends)
    hi = max(e[2] for e in ends)
    return Interval(
        Fraction(lo), Fraction(hi),
        any(round_to(lo, printed.unit, s) == printed.value for s, a, _ in ends if a == lo),
        any(round_to(hi, printed.unit, s) == printed.value for s, _, b in ends if b == hi))


@functools.lru_cache(maxsize=4096)
def printed_interval(printed: Printed) -> Interval:
    """The values a printed number stands for: the one rule for an input of a check and
    for a claim. Those that print as it under half-up or half-even
    (``READINGS["as_reported"]``): "35" is [34.5, 35.5) (34.5 -> 35 half-up; 35.5 -> 36
    both ways), "36" is [35.5, 36.5], "-35" is (-35.5, -34.5]. Searches over a rounding
    box (``summary_level.Row.box``) run over its closure, [34.5, 35.5]: an open end is
    the limit of values inside, so a statistic's range is its infimum and supremum."""
    return unround(printed, READINGS["as_reported"])


def input_bounds(printed: Printed) -> tuple[float, float, float]:
    """(value, lower, upper) as floats: the rounding box of a printed input, the closure
    of ``printed_interval`` (see there)."""
    iv = printed_interval(printed)
    return float(printed.value), float(iv.lower), float(iv.upper)
