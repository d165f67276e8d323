"""All rounding logic of the project: printed numbers, their intervals, and claims.

A printed number is taken as a string, so its trailing zeros count: ``"5.00"`` claims
two decimals and stands for the closed interval [4.995, 5.005]. Both half-up and
half-even rounding are accepted, as statcheck and scrutiny (``up_or_down``) do.
A claim is a printed number with a relation: ``"0.58"`` (equal after rounding),
``"< 0.0001"``, ``"> 0.05"``; an inequality is a claim of its own and is checked as
printed, without widening it by rounding.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import (ROUND_DOWN, ROUND_HALF_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal,
                     localcontext)
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
# Half-down is offered to the consistency tests (scrutiny's default ``up_or_down`` is
# half-up or half-down) but is kept out of SCHEMES, so claims are still checked under
# half-up and half-even only.
_MODES = {**SCHEMES, "half_down": ROUND_HALF_DOWN}


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


def diagnose_numbers(text: str) -> str | None:
    """Why a text holding several numbers (e.g. '9,02 ± 1,27') cannot be read, if a known
    reason: the same diagnoses as for one number, looked for anywhere in the text."""
    if re.search(r"[0-9],[0-9]", text):
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

    @property
    def _even(self) -> bool:
        return int(self.value.scaleb(self.decimals)) % 2 == 0

    # Half-up rounds ties away from zero (decimal.ROUND_HALF_UP), so which half-way
    # point always prints as the value depends on the sign. The former rule (lower
    # always, upper only when even) held for values >= 0 only: -35 was given
    # [-35.5, -34.5), but -35.5 prints as -36 both ways and -34.5 as -35 under half-up,
    # so Claim.overlaps disagreed with Claim.holds_for at those points
    # (tests/test_properties.py, test_claim_endpoints_of_negative_numbers).
    @property
    def upper_included(self) -> bool:
        """Does the upper half-way point print as this value? For a value >= 0 only
        under half-even, when the last printed digit is even (35.5 prints as 36 both
        ways; 36.5 as 36 under half-even); for a negative value always, under half-up
        (-34.5 prints as -35)."""
        return self.value < 0 or self._even

    @property
    def lower_included(self) -> bool:
        """Does the lower half-way point print as this value? For a value >= 0 always,
        under half-up (34.5 prints as 35); for a negative value only under half-even,
        when the last printed digit is even (-35.5 prints as -36 both ways; -36.5 as
        -36 under half-even)."""
        return self.value >= 0 or self._even

    def interval_text(self) -> str:
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


def round_to(value: float | Decimal, unit: Decimal, scheme: str) -> Decimal:
    """Round to a multiple of ``unit`` (a power of ten) with the named scheme:
    'half_up', 'half_even' or 'half_down' (ties away from / towards zero, as in
    ``decimal``)."""
    return snap(value).quantize(unit, rounding=_MODES[scheme])


def truncate_to(value: float | Decimal, unit: Decimal) -> Decimal:
    return snap(value).quantize(unit, rounding=ROUND_DOWN)


def rounding_schemes_matching(value: float | Decimal, printed: Printed) -> list[str]:
    """The rounding schemes under which ``value`` prints as ``printed``."""
    return [s for s in SCHEMES if round_to(value, printed.unit, s) == printed.value]


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
        """Does a recomputed value (in printed units) satisfy the claim?"""
        v = snap(value)
        x = self.number.value
        if self.op == "=":
            return bool(rounding_schemes_matching(v, self.number))
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
            return ((lo <= c_hi if self.number.upper_included else lo < c_hi)
                    and (hi >= c_lo if self.number.lower_included else hi > c_lo))
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
    unknown = [s for s in schemes if s not in _MODES]
    if not schemes or unknown:
        raise ValueError(f"rounding schemes {schemes!r}: choose from {sorted(_MODES)}")
    return schemes


def round_exact(value: Fraction | int, unit: Decimal, scheme: str = "half_up", *,
                sqrt: bool = False) -> Decimal:
    """Round a rational number, or with ``sqrt=True`` its square root, to a multiple of
    ``unit`` without any approximation, so that half-way cases are decided exactly.

    Rounding to ``unit`` depends only on which half-unit the value falls in and whether
    it sits exactly on a half-unit mark; the value is replaced by a decimal
    representative with the same answers (the mark itself, or the quarter between two
    marks) and that is rounded with ``round_to``."""
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

    def integers(self) -> range:
        """The integers in the interval, in order (an empty range when there are none)."""
        lo, hi = math.ceil(self.lower), math.floor(self.upper)
        if lo == self.lower and not self.lower_included:
            lo += 1
        if hi == self.upper and not self.upper_included:
            hi -= 1
        return range(lo, hi + 1)


def unround(printed: Printed, schemes=("half_up", "half_down")) -> Interval:
    """The values that print as ``printed`` under at least one of the schemes (scrutiny's
    ``unround``): between ``printed.lower`` and ``printed.upper``, a bound included when
    that half-way value rounds to the printed value under one of the schemes."""
    schemes = check_schemes(schemes)
    lo, hi = printed.lower, printed.upper
    return Interval(
        Fraction(lo), Fraction(hi),
        any(round_to(lo, printed.unit, s) == printed.value for s in schemes),
        any(round_to(hi, printed.unit, s) == printed.value for s in schemes))
