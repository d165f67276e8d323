"""Tests for reanalysis.engine.rounding: printed precision, tie rules, inequalities, strict parsing.

Expected values are worked by hand in the comments (decimal arithmetic), taken from
Python's ``decimal`` documentation for the tie rules, or from the paper (claims.csv
locations of Matsuoka 2025 are cited where a printed value is used).
"""
from __future__ import annotations

import statistics
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import numpy as np
import pytest

from reanalysis.engine.rounding import (
    NumberFormatError,
    parse_claim,
    parse_number,
    round_to,
    rounding_schemes_matching,
    snap,
)

D = Decimal
INF = Decimal("Infinity")


# --- values exactly half-way ---------------------------------------------------------

@pytest.mark.parametrize("value, printed, schemes", [
    # 0.125 is exact in binary (1/8). Half-up: 0.12|5 -> 0.13. Half-even: the kept
    # digit 2 is even -> 0.12.
    (0.125, "0.13", ["half_up"]),
    (0.125, "0.12", ["half_even"]),
    # 0.135: kept digit 3 is odd, so half-even also goes up -> 0.14 under both.
    (0.135, "0.14", ["half_up", "half_even"]),
    (0.135, "0.13", []),
    # Not a tie: 0.1251 -> 0.13 under both, 0.1249 -> 0.12 under both.
    (0.1251, "0.13", ["half_up", "half_even"]),
    (0.1249, "0.12", ["half_up", "half_even"]),
])
def test_half_way_schemes(value, printed, schemes):
    assert rounding_schemes_matching(value, parse_number(printed)) == schemes
    assert parse_claim(printed).holds_for(value) is bool(schemes)


def test_float_mean_of_057_058_is_still_a_tie():
    # (0.57 + 0.58) / 2 = 1.15 / 2 = 0.575 in decimal arithmetic, but the float is
    # 0.57499999999999995559..., just below the tie.
    m = statistics.fmean([0.57, 0.58])
    assert m == float(np.mean([0.57, 0.58]))
    assert D(m) < D("0.575")
    # Without snapping, quantizing the raw float would fall to 0.57:
    assert D(m).quantize(D("0.01"), rounding=ROUND_HALF_UP) == D("0.57")
    # Snapped to 12 significant digits it is the exact tie 0.575 ...
    assert snap(m) == D("0.575")
    # ... which rounds to 0.58 under both schemes (kept digit 7 is odd, so half-even
    # goes up too), and never to 0.57.
    assert rounding_schemes_matching(m, parse_number("0.58")) == ["half_up", "half_even"]
    assert rounding_schemes_matching(m, parse_number("0.57")) == []
    assert parse_claim("0.58").holds_for(m)


def test_float_mean_of_056_057_matches_either_neighbour():
    # (0.56 + 0.57) / 2 = 0.565: half-up -> 0.57; half-even keeps the even 6 -> 0.56.
    m = statistics.fmean([0.56, 0.57])
    assert snap(m) == D("0.565")
    assert rounding_schemes_matching(m, parse_number("0.57")) == ["half_up"]
    assert rounding_schemes_matching(m, parse_number("0.56")) == ["half_even"]
    assert parse_claim("0.57").holds_for(m) and parse_claim("0.56").holds_for(m)


# --- trailing zeros: the printed digits set the precision -----------------------------

@pytest.mark.parametrize("text, decimals, unit, lower, upper", [
    # unit = 10**-decimals; interval = value -/+ unit/2
    ("5.00", 2, "0.01", "4.995", "5.005"),        # 5.00 -/+ 0.005
    ("5.0", 1, "0.1", "4.95", "5.05"),            # 5.0 -/+ 0.05
    ("5", 0, "1", "4.5", "5.5"),                  # 5 -/+ 0.5
    ("61", 0, "1", "60.5", "61.5"),               # Abstract: "A total of 61 patients" (M-ABS-01)
    ("7.49", 2, "0.01", "7.485", "7.495"),        # Abstract: mean baseline HbA1c 7.49% (M-ABS-09)
    ("86.8", 1, "0.1", "86.75", "86.85"),         # a percentage printed to 0.1
    ("0.0000002", 7, "0.0000001", "0.00000015", "0.00000025"),  # Abstract: p < 0.0000002 (M-ABS-13)
    ("2e-7", 7, "0.0000001", "0.00000015", "0.00000025"),       # same number in e-notation
    ("2.0e-7", 8, "0.00000001", "0.000000195", "0.000000205"),  # one more printed digit
    ("-2.35", 2, "0.01", "-2.355", "-2.345"),     # -2.35 -/+ 0.005
])
def test_printed_precision_and_interval(text, decimals, unit, lower, upper):
    p = parse_number(text)
    assert p.text == text
    assert p.decimals == decimals
    assert p.unit == D(unit)
    assert (p.lower, p.upper) == (D(lower), D(upper))
    assert parse_claim(text).interval() == (D(lower), D(upper))


def test_e_notation_equals_plain_notation():
    assert parse_number("2e-7").value == parse_number("0.0000002").value == D("0.0000002")


@pytest.mark.parametrize("value, holds_5_00, holds_5_0, holds_5", [
    (5.004, True, True, True),     # 5.004 -> 5.00, 5.0, 5
    (5.04, False, True, True),     # 5.04 -> 5.04, 5.0, 5
    (5.3, False, False, True),     # 5.3 -> 5.30, 5.3, 5
    (5.6, False, False, False),    # 5.6 -> 5.60, 5.6, 6
    (4.995, True, True, True),     # lower end of [4.995, 5.005]: half-up 4.99|5 -> 5.00
    (5.005, True, True, True),     # upper end: half-even keeps the even 0 -> 5.00
    (4.9949, False, True, True),   # 4.9949 -> 4.99
    (5.0051, False, True, True),   # 5.0051 -> 5.01
])
def test_trailing_zeros_distinguish_claims(value, holds_5_00, holds_5_0, holds_5):
    assert parse_claim("5.00").holds_for(value) is holds_5_00
    assert parse_claim("5.0").holds_for(value) is holds_5_0
    assert parse_claim("5").holds_for(value) is holds_5


@pytest.mark.parametrize("value, printed", [
    (33 / 38 * 100, "86.8"),   # 33/38 = 0.868421..., 86.842...% -> 86.8
    (86.75, "86.8"),           # tie: half-up 86.8; half-even: 7 odd -> 86.8
    (86.85, "86.8"),           # tie: half-even keeps the even 8 -> 86.8 (half-up gives 86.9)
    (42 / 58 * 100, "72.4"),   # 42 male of 58 (Results para 1, M-RES-02): 72.413...% -> 72.4
])
def test_percentages_at_unit_0_1(value, printed):
    assert parse_number(printed).unit == D("0.1")
    assert parse_claim(printed).holds_for(value)


def test_percentage_outside_interval():
    # 86.86 -> 86.9 under both schemes; 86.74 -> 86.7 under both.
    assert not parse_claim("86.8").holds_for(86.86)
    assert not parse_claim("86.8").holds_for(86.74)


# --- inequalities are checked as printed, never widened -------------------------------

@pytest.mark.parametrize("text, op, number", [
    ("< 0.0001", "<", "0.0001"),
    ("<0.0001", "<", "0.0001"),
    ("> 0.05", ">", "0.05"),
    ("<= 5", "<=", "5"),
    (">= 0.05", ">=", "0.05"),
    ("≥ 6.2", ">=", "6.2"),      # Abstract: "HbA1c ≥6.2%" (M-ABS-02)
    ("≤ 5", "<=", "5"),
    ("0.58", "=", "0.58"),       # Abstract: mean reduction 0.58% (M-ABS-12)
    ("= 0.58", "=", "0.58"),
])
def test_claim_operators(text, op, number):
    c = parse_claim(text)
    assert c.op == op
    assert c.number.value == D(number)
    assert c.is_inequality is (op != "=")


@pytest.mark.parametrize("claim, value, holds", [
    ("< 0.0001", 0.00009999, True),
    ("< 0.0001", 0.0001, False),       # strict
    ("< 0.0001", 0.00010001, False),   # rounds to 0.0001 at 4 decimals, but is not < 0.0001
    ("<= 0.0001", 0.0001, True),
    ("<= 0.0001", 0.00010001, False),
    ("> 0.05", 0.05, False),           # strict
    ("> 0.05", 0.0500001, True),
    ("> 0.05", 0.049, False),
    (">= 0.05", 0.05, True),
    (">= 0.05", 0.0499999, False),
    ("≥ 6.2", 6.2, True),
    ("≥ 6.2", 6.19, False),
    ("≤ 5", 5.0, True),
    ("≤ 5", 5.01, False),
    ("> 3", 35.5 / 12, False),         # 35.5 months = 2.958... years
    ("> 3", 37 / 12, True),            # 37 months = 3.083... years
])
def test_inequality_holds_for(claim, value, holds):
    assert parse_claim(claim).holds_for(value) is holds


def test_inequality_not_widened_by_rounding():
    # 0.00010001 rounded to the printed unit 0.0001 is 0.0001 under both schemes ...
    assert round_to(0.00010001, D("0.0001"), "half_up") == D("0.0001")
    assert round_to(0.00010001, D("0.0001"), "half_even") == D("0.0001")
    # ... but the claim "< 0.0001" is a claim about the value, not its rounding.
    assert not parse_claim("< 0.0001").holds_for(0.00010001)


@pytest.mark.parametrize("claim, interval", [
    ("< 0.0001", (-INF, D("0.0001"))),
    ("<= 5", (-INF, D("5"))),
    ("> 0.05", (D("0.05"), INF)),
    ("≥ 6.2", (D("6.2"), INF)),
])
def test_inequality_interval_is_half_line(claim, interval):
    assert parse_claim(claim).interval() == interval


@pytest.mark.parametrize("claim, lo, hi, meets", [
    ("< 0.0001", 0.0001, 0.0002, False),   # strict: touching the bound is not enough
    ("<= 0.0001", 0.0001, 0.0002, True),
    ("< 0.0001", 0.00005, 0.0002, True),
    ("> 0.05", 0.01, 0.05, False),
    ("> 0.05", 0.01, 0.0500001, True),
    (">= 0.05", 0.01, 0.05, True),
    ("0.58", 0.57, 0.5749, False),         # [0.57, 0.5749] vs [0.575, 0.585]
    ("0.58", 0.57, 0.575, True),           # touches the closed interval
    ("0.58", 0.585, 0.59, True),
    ("0.58", 0.5851, 0.59, False),
])
def test_overlaps(claim, lo, hi, meets):
    assert parse_claim(claim).overlaps(lo, hi) is meets


# --- very small p-values ----------------------------------------------------------------

@pytest.mark.parametrize("claim, value, holds", [
    ("0.0000002", 2.4e-7, True),     # 2.4e-7 -> 2e-7 at unit 1e-7
    ("0.0000002", 1.5e-7, True),     # tie: half-up -> 2e-7; half-even: kept 1 is odd -> 2e-7
    ("0.0000002", 2.6e-7, False),    # -> 3e-7
    ("2e-7", 2.4e-7, True),
    ("2e-7", 2.6e-7, False),
    ("< 0.0000002", 1.36e-7, True),  # Abstract: moderate group p < 0.0000002 (M-ABS-13)
    ("< 0.0000002", 1.9999e-7, True),
    ("< 0.0000002", 2e-7, False),
    ("< 0.0000002", 2.0000001e-7, False),
    ("< 0.0001", 1e-30, True),
])
def test_very_small_p(claim, value, holds):
    assert parse_claim(claim).holds_for(value) is holds


def test_snap_keeps_small_values_relative():
    # Snapping is to 12 significant digits, not 12 decimals: tiny values survive.
    assert snap(1.5e-7) == D("1.5e-7")
    assert snap(1.23456789e-12) == D("1.23456789e-12")


# --- negative statistics ------------------------------------------------------------------

def test_negative_tie_rounding():
    # The module maps half_up to decimal.ROUND_HALF_UP, which the Python docs define as
    # "round to nearest with ties going away from zero": -2.34|5 -> -2.35.
    # ROUND_HALF_EVEN keeps the even kept digit 4: -2.345 -> -2.34.
    from reanalysis.engine.rounding import SCHEMES
    assert SCHEMES == {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}
    unit = D("0.01")
    assert round_to(-2.345, unit, "half_up") == D("-2.35")
    assert round_to(-2.345, unit, "half_even") == D("-2.34")
    # The float -2.345 is -2.34500000000000019..., so without snapping both schemes
    # would give -2.35:
    assert D(-2.345) < D("-2.345")
    assert D(-2.345).quantize(unit, rounding=ROUND_HALF_EVEN) == D("-2.35")


@pytest.mark.parametrize("x, unit", [
    (2.345, "0.01"), (0.125, "0.01"), (86.85, "0.1"), (35.5, "1"), (1.5e-7, "1e-7"),
])
@pytest.mark.parametrize("scheme", ["half_up", "half_even"])
def test_rounding_is_symmetric_about_zero(x, unit, scheme):
    # Both decimal tie rules are symmetric: round(-x) == -round(x).
    assert round_to(-x, D(unit), scheme) == -round_to(x, D(unit), scheme)


def test_negative_t_matches_either_neighbour():
    t = -2.345
    assert rounding_schemes_matching(t, parse_number("-2.35")) == ["half_up"]
    assert rounding_schemes_matching(t, parse_number("-2.34")) == ["half_even"]
    assert parse_claim("-2.35").holds_for(t)
    assert parse_claim("-2.34").holds_for(t)
    assert not parse_claim("-2.36").holds_for(t)
    assert not parse_claim("2.35").holds_for(t)


# --- strict parsing ----------------------------------------------------------------------

@pytest.mark.parametrize("text, reason", [
    ("7,5", "decimal comma"),
    ("\u22121.2", "unicode minus"),          # "−1.2"
    ("nan", "not a finite number"),
    ("NaN", "not a finite number"),
    ("inf", "not a finite number"),
    ("-inf", "not a finite number"),
    ("Infinity", "not a finite number"),
    ("", "empty value"),
    (" 5", "white space"),
    ("5 ", "white space"),
    ("5%", "not a plain decimal number"),
    ("1_000", "not a plain decimal number"),
])
def test_parse_number_rejects(text, reason):
    with pytest.raises(NumberFormatError) as err:
        parse_number(text)
    assert reason in str(err.value)
    assert repr(text) in str(err.value)      # the message quotes the offending text


def test_number_format_error_is_value_error():
    assert issubclass(NumberFormatError, ValueError)


def test_parse_number_rejects_non_strings():
    with pytest.raises(NumberFormatError):
        parse_number(5.0)


@pytest.mark.parametrize("text", [
    "\u0663\u0665",   # Arabic-Indic digits "٣٥" (35)
    "\uff13\uff15",   # fullwidth digits "３５"
    "0.\u09eb",       # Bengali digit five after an ASCII "0."
])
def test_parse_number_rejects_non_ascii_digits(text):
    # parse_number's docstring: "Read a printed number strictly: ASCII digits, '.',
    # optional sign and exponent." Python's regex \d and Decimal() both accept any
    # Unicode decimal digit, so these must be rejected explicitly.
    with pytest.raises(NumberFormatError):
        parse_number(text)


def test_parse_claim_errors():
    with pytest.raises(NumberFormatError, match="empty"):
        parse_claim("")
    with pytest.raises(NumberFormatError, match="unicode minus"):
        parse_claim("< \u22121.2")
    with pytest.raises(NumberFormatError, match="decimal comma"):
        parse_claim("≥ 6,2")


def test_parse_claim_with_text_before_the_operator_is_not_called_empty():
    # "p < 0.0001" (the operator preceded by a name) is not a valid claim, but it is not
    # empty either; NumberFormatError's contract is that "the message says why".
    with pytest.raises(NumberFormatError) as err:
        parse_claim("p < 0.0001")
    assert "empty" not in str(err.value)


def test_claim_strips_surrounding_space_but_number_does_not():
    # A claim cell may be padded; a bare number may not.
    assert parse_claim("  0.58 ").number.value == D("0.58")
    with pytest.raises(NumberFormatError, match="white space"):
        parse_number(" 0.58")


# --- truncation and double rounding as schemes; labelled readings ------------------------
#
# Independent printers (integer arithmetic on exact fractions, no project code):
#   truncation to d decimals: sign(x) * floor(|x| 10^d) / 10^d
#   half-up to d decimals:    sign(x) * floor(|x| 10^d + 1/2) / 10^d (ties away from zero)
#   double rounding:          half-up to d + 1 decimals, then half-up to d decimals

from fractions import Fraction  # noqa: E402
import math  # noqa: E402

from reanalysis.engine.rounding import (  # noqa: E402
    ALL_SCHEMES, READINGS, check_schemes, describe_scheme, round_exact, unround,
)


def _sign(x: Fraction) -> int:
    return -1 if x < 0 else 1


def indep_truncate(x: Fraction, d: int) -> Fraction:
    return _sign(x) * Fraction(math.floor(abs(x) * 10 ** d), 10 ** d)


def indep_half_up(x: Fraction, d: int) -> Fraction:
    return _sign(x) * Fraction(math.floor(abs(x) * 10 ** d + Fraction(1, 2)), 10 ** d)


def indep_double(x: Fraction, d: int) -> Fraction:
    return indep_half_up(indep_half_up(x, d + 1), d)


INDEPENDENT = {"truncate": indep_truncate, "double": indep_double}


def test_independent_printers_on_the_briefs_examples():
    # 5.246 -> 5.25 -> 5.3 by double rounding, 5.2 by single half-up rounding;
    # truncation cuts 5.39 to 5.3 and -5.39 to -5.3 (toward zero).
    assert indep_double(Fraction("5.246"), 1) == Fraction("5.3")
    assert indep_half_up(Fraction("5.246"), 1) == Fraction("5.2")
    assert indep_truncate(Fraction("5.39"), 1) == Fraction("5.3")
    assert indep_truncate(Fraction("-5.39"), 1) == Fraction("-5.3")


@pytest.mark.parametrize("scheme", ["truncate", "double"])
@pytest.mark.parametrize("d", [0, 1, 2])
def test_unround_new_schemes_brute_force(scheme, d):
    """On a grid of exact rationals (steps of 1/200 of the printed unit, covering
    +-1.25 units around each printed value), unround(printed, (scheme,)) holds exactly
    the values that the independent printer turns into the printed value."""
    rounder = INDEPENDENT[scheme]
    unit = Fraction(1, 10 ** d)
    checked = 0
    for j in range(-25, 26):
        text = str(D(j).scaleb(-d))              # e.g. '-0.25', '0.00', '13'
        v = Fraction(j, 10 ** d)
        interval = unround(parse_number(text), (scheme,))
        for i in range(-250, 251):
            x = v + i * unit / 200
            assert interval.contains(x) is (rounder(x, d) == v), (scheme, text, x)
            # round_exact (rationals) and round_to (decimals) agree with the printer
            assert Fraction(round_exact(x, D(1).scaleb(-d), scheme)) == rounder(x, d)
            checked += 1
    assert checked == 51 * 501


@pytest.mark.parametrize("text, scheme, interval", [
    # truncation: "5.3" is [5.3, 5.4); "-5.3" is (-5.4, -5.3]; zero is (-0.1, 0.1)
    ("5.3", "truncate", (Fraction("5.3"), Fraction("5.4"), True, False)),
    ("-5.3", "truncate", (Fraction("-5.4"), Fraction("-5.3"), False, True)),
    ("0.0", "truncate", (Fraction("-0.1"), Fraction("0.1"), False, False)),
    # double: 5.245 -> 5.25 -> 5.3 (included); 5.345 -> 5.35 -> 5.4 (excluded), so
    # "5.3" is [5.245, 5.345) (5.349 -> 5.35 -> 5.4 already)
    ("5.3", "double", (Fraction("5.245"), Fraction("5.345"), True, False)),
    ("-5.3", "double", (Fraction("-5.345"), Fraction("-5.245"), False, True)),
    ("12", "double", (Fraction("11.45"), Fraction("12.45"), True, False)),
])
def test_unround_new_schemes_by_hand(text, scheme, interval):
    iv = unround(parse_number(text), (scheme,))
    assert (iv.lower, iv.upper, iv.lower_included, iv.upper_included) == interval


def test_round_to_new_schemes():
    unit = D("0.1")
    assert round_to(5.246, unit, "double") == D("5.3")
    assert round_to(5.246, unit, "half_up") == D("5.2")
    assert round_to(5.344, unit, "double") == D("5.3")     # 5.344 -> 5.34 -> 5.3
    assert round_to(5.345, unit, "double") == D("5.4")     # 5.345 -> 5.35 -> 5.4
    assert round_to(5.39, unit, "truncate") == D("5.3")
    assert round_to(-5.39, unit, "truncate") == D("-5.3")
    assert round_to(-5.246, unit, "double") == D("-5.3")   # away from zero both times


def test_rounding_schemes_matching_takes_schemes():
    # 5.246 prints as 5.3 only by double rounding; as 5.2 by the others.
    p53, p52 = parse_number("5.3"), parse_number("5.2")
    assert rounding_schemes_matching(5.246, p53, ALL_SCHEMES) == ["double"]
    assert rounding_schemes_matching(5.246, p52, ALL_SCHEMES) == [
        "half_up", "half_even", "half_down", "truncate"]
    # the default stays half-up and half-even, so claims are checked as before
    assert rounding_schemes_matching(5.246, p53) == []


def test_union_of_schemes_is_one_interval():
    # half-up or truncation: [5.25, 5.35] U [5.3, 5.4) = [5.25, 5.4)
    iv = unround(parse_number("5.3"), ("half_up", "truncate"))
    assert (iv.lower, iv.upper, iv.lower_included, iv.upper_included) == (
        Fraction("5.25"), Fraction("5.4"), True, False)


def test_readings_and_descriptions():
    # Issue 18, item 6: one rule for a printed number, input or claim. Inputs were read
    # half-up or half-down (the closed [34.5, 35.5] for "35") and claims half-up or
    # half-even ([34.5, 35.5)); both are now half-up or half-even (printed_interval).
    assert READINGS["as_reported"] == ("half_up", "half_even")
    assert READINGS["truncate"] == ("truncate",)
    assert READINGS["double"] == ("double",)
    for schemes in READINGS.values():
        assert check_schemes(schemes) == schemes
    for scheme in ALL_SCHEMES:
        assert describe_scheme(scheme)
    assert "toward zero" in describe_scheme("truncate")
    assert "5.246 -> 5.25 -> 5.3" in describe_scheme("double")
    with pytest.raises(ValueError):
        describe_scheme("bankers")
    with pytest.raises(ValueError):
        round_to(1.5, D("1"), "bankers")


def _indep_sqrt_floor(v: Fraction, d: int) -> int:
    """floor(sqrt(v) 10^d), exactly: the integer square root of floor(v 10^(2d))."""
    return math.isqrt(math.floor(v * 10 ** (2 * d)))


def _indep_sqrt_half_up(v: Fraction, d: int) -> int:
    """floor(sqrt(v) 10^d + 1/2): one more than floor(y) when y >= floor(y) + 1/2,
    decided on squares (y = sqrt(v) 10^d >= 0)."""
    kept = _indep_sqrt_floor(v, d)
    return kept + (v * 10 ** (2 * d) >= Fraction(2 * kept + 1, 2) ** 2)


@pytest.mark.parametrize("d", [0, 1, 2])
def test_round_exact_sqrt_new_schemes(d):
    """round_exact(v, sqrt=True) under truncation and double rounding agrees with exact
    integer-square-root printers, on squares of grid points (where ties sit) and
    between them."""
    for num in range(0, 3000, 7):
        for den in (1, 3, 4, 400):
            v = Fraction(num, den)
            trunc = Fraction(_indep_sqrt_floor(v, d), 10 ** d)
            once = _indep_sqrt_half_up(v, d + 1)               # in units of 10^-(d+1)
            double = Fraction(math.floor(Fraction(once, 10) + Fraction(1, 2)), 10 ** d)
            unit = D(1).scaleb(-d)
            assert Fraction(round_exact(v, unit, "truncate", sqrt=True)) == trunc, v
            assert Fraction(round_exact(v, unit, "double", sqrt=True)) == double, v
