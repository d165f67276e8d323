"""Tests for reanalysis.engine.scrutiny: GRIM, GRIM on percentages, GRIMMER and DEBIT.

Expected values come from outside the module: the example cases documented by the R
package scrutiny (../shared/reference/scrutiny, row for row), brute force over all
small data sets written here with Python's ``decimal`` (no project code), and cases
worked by hand in the comments.
"""
from __future__ import annotations

import csv
import math
from decimal import ROUND_HALF_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from itertools import combinations_with_replacement

import pytest

from conftest import SHARED
from reanalysis.engine.rounding import NumberFormatError, parse_number, round_exact, round_to, unround
from reanalysis.engine.scrutiny import (ScrutinyResult, counts_from_percent, debit, grim, grimmer,
                                        nearest_counts)

D = Decimal
REFERENCE = SHARED / "reference" / "scrutiny"


def rows(name: str) -> list[dict[str, str]]:
    with open(REFERENCE / name, newline="") as f:
        return list(csv.DictReader(f))


def truth(text: str) -> bool:
    return {"true": True, "false": False}[text.strip().lower()]


def printed(value: Fraction, decimals: int, mode: str, *, sqrt: bool = False) -> str:
    """Independent of the project: ``value`` (or its square root) printed with Python's
    decimal module at 60 significant digits. A half-way value is a terminating decimal
    (or the square of one), so it is exact at that precision and the tie rule applies."""
    with localcontext() as ctx:
        ctx.prec = 60
        v = D(value.numerator) / D(value.denominator)
        if sqrt:
            v = v.sqrt()
        return str(v.quantize(D(1).scaleb(-decimals), rounding=mode))


# --- scrutiny's documented cases, row for row ---------------------------------------

def test_reference_files_are_there():
    assert REFERENCE.is_dir(), f"scrutiny's reference cases are expected at {REFERENCE}"
    assert len(rows("grim_means.csv")) == 12
    assert len(rows("grim_percentages.csv")) == 6
    assert len(rows("debit.csv")) == 7


@pytest.mark.parametrize("row", rows("grim_means.csv"), ids=lambda r: f"{r['x']}-{r['n']}")
def test_grim_means_match_scrutiny(row):
    result = grim(row["x"], int(row["n"]))
    assert result.consistent is truth(row["consistent"]), result.reason
    assert bool(result.candidates) is result.consistent


@pytest.mark.parametrize("row", rows("grim_percentages.csv"),
                         ids=lambda r: f"{r['x_percent']}-{r['n']}")
def test_grim_percentages_match_scrutiny(row):
    result = grim(row["x_percent"], int(row["n"]), percent=True)
    assert result.consistent is truth(row["consistent"]), result.reason


@pytest.mark.parametrize("row", rows("debit.csv"), ids=lambda r: f"{r['x']}-{r['sd']}")
def test_debit_matches_scrutiny(row):
    result = debit(row["x"], row["sd"], int(row["n"]))
    assert result.consistent is truth(row["consistent"]), result.reason


# --- GRIM -----------------------------------------------------------------------------

def test_grim_reason_names_the_neighbouring_sums():
    # 4.74 * 25 = 118.5: 118/25 = 4.72 and 119/25 = 4.76 straddle it, 2 decimals apart.
    result = grim("4.74", 25)
    assert result == ScrutinyResult(
        False, "no integer sum k gives 4.74 with n = 25: 118/25 = 4.72, 119/25 = 4.76",
        D("4.735"), D("4.745"), ())


def test_grim_consistent_lists_the_sum():
    # 7.22 * 32 = 231.04; 231/32 = 7.21875 prints as 7.22.
    result = grim("7.22", 32)
    assert result.consistent and result.candidates == (231,)
    assert "231/32" in result.reason


def test_grim_items_multiply_the_granularity():
    # 4.74 with n = 25 fails for one item; with 2 items the sums are over 50
    # half-points: 237/50 = 4.74 exactly.
    assert grim("4.74", 25, items=2).candidates == (237,)
    assert "25 × 2 = 50" in grim("4.74", 25, items=2).reason


def test_grim_exact_half_way_sum_and_schemes():
    # 1/8 = 0.125 exactly: half-up -> 0.13, half-down and half-even -> 0.12.
    assert grim("0.13", 8).consistent
    assert grim("0.12", 8).consistent
    assert grim("0.13", 8, schemes=("half_up",)).consistent
    assert not grim("0.13", 8, schemes=("half_down",)).consistent
    assert not grim("0.13", 8, schemes=("half_even",)).consistent
    assert not grim("0.12", 8, schemes=("half_up",)).consistent
    # Negative means mirror: -1/8 = -0.125; decimal's half-up goes away from zero.
    assert grim("-0.13", 8, schemes=("half_up",)).candidates == (-1,)
    assert not grim("-0.13", 8, schemes=("half_down",)).consistent


def test_grim_large_n_checks_only_nearby_sums():
    # 5 with n = 1683 at 0 decimals: every k in [4.5 * 1683, 5.5 * 1683] =
    # [7573.5, 9256.5] works, i.e. 7574..9256 (1683 sums); GRIM cannot fail.
    result = grim("5", 1683)
    assert result.candidates == tuple(range(7574, 9257))
    assert "cannot fail" in result.reason
    # 7.22 with n = 1683: [7.215, 7.225] * 1683 = [12142.845, 12159.675] -> 12143..12159.
    assert grim("7.22", 1683).candidates == tuple(range(12143, 12160))
    # Even with a huge n only the fitting range is built: [0.1234555, 0.1234565] * 10^9
    # = [123455500, 123456500], both ends included (half-up or half-down) -> 1001 sums.
    assert grim("0.123456", 10**9).candidates == tuple(range(123455500, 123456501))


# --- trailing zeros -------------------------------------------------------------------

def test_trailing_zeros_change_the_verdict():
    # n = 7: 36/7 = 5.142857 prints as 5.1 but as 5.14, not 5.10.
    assert grim("5.1", 7).consistent
    assert not grim("5.10", 7).consistent
    # 18/7 = 2.571429 prints as 2.6 but as 2.57, not 2.60.
    assert grim("2.6", 7).consistent
    assert not grim("2.60", 7).consistent


def test_trailing_zeros_set_the_interval():
    assert (grim("5.00", 25).lower, grim("5.00", 25).upper) == (D("4.995"), D("5.005"))
    assert (grim("5", 25).lower, grim("5", 25).upper) == (D("4.5"), D("5.5"))
    # "5" with n = 3 allows 14/3 .. 16/3 (4.67, 5, 5.33); "5.00" only 15/3.
    assert grim("5", 3).candidates == (14, 15, 16)
    assert grim("5.00", 3).candidates == (15,)
    # The SD's zeros count too (n = 5, mean 3.00, so S = 15 and Q = 4 var + 45):
    # SD 1.6 -> 4 * [1.55^2, 1.65^2] + 45 = [54.61, 55.89] holds Q = 55, odd like S;
    # SD 1.60 -> 4 * [1.595^2, 1.605^2] + 45 = [55.1761, 55.3041] holds no integer.
    assert grimmer("3.00", "1.6", 5).consistent
    assert not grimmer("3.00", "1.60", 5).consistent


# --- percentages ----------------------------------------------------------------------

@pytest.mark.parametrize("percent, n, counts", [
    ("2.27", 44, (1,)),    # 100/44 = 2.2727 -> 2.27
    ("2.27", 46, ()),      # 100/46 = 2.1739 -> 2.17, 200/46 = 4.3478 -> 4.35
    ("13.5", 37, (5,)),    # 500/37 = 13.5135 -> 13.5 (4/37 = 10.8, 6/37 = 16.2)
    ("50", 3, ()),         # 33.3, 66.7
    ("50", 4, (2,)),
    ("0.0", 10, (0,)),
    ("100", 7, (7,)),
    ("12.5", 8, (1,)),     # 100/8 = 12.5 exactly
    ("13", 8, (1,)),       # 12.5 half-up -> 13
    ("12", 8, (1,)),       # 12.5 half-even -> 12 (kept digit 2 is even)
    ("14", 7, (1,)),       # 14.2857 -> 14
])
def test_counts_from_percent_worked_examples(percent, n, counts):
    assert counts_from_percent(percent, n) == counts


def test_counts_from_percent_against_brute_force():
    checked = 0
    for n in range(1, 41):
        for decimals in (0, 1, 2):
            unit = Fraction(1, 10 ** decimals)
            # brute force: what each count k prints as, under half-up or half-even
            expected: dict[str, set[int]] = {}
            for k in range(n + 1):
                for mode in (ROUND_HALF_UP, ROUND_HALF_EVEN):
                    expected.setdefault(printed(Fraction(100 * k, n), decimals, mode),
                                        set()).add(k)
            # ask for every printed percentage and its neighbours one unit either side
            strings = {printed(Fraction(p) + d * unit, decimals, ROUND_HALF_UP)
                       for p in list(expected) for d in (-1, 0, 1)}
            for text in strings:
                assert counts_from_percent(text, n) == tuple(
                    sorted(expected.get(text, ()))), (text, n)
                checked += 1
    assert checked > 3000


def test_grim_percent_with_half_down_default():
    # grim(percent=True) defaults to half-up or half-down: 12.5% of 8 prints as 13 or 12.
    assert grim("13", 8, percent=True).candidates == (1,)
    assert grim("12", 8, percent=True).candidates == (1,)
    assert not grim("13", 8, percent=True, schemes=("half_down",)).consistent
    # a count must lie in 0..n
    assert not grim("112.5", 8, percent=True).consistent


# --- GRIMMER --------------------------------------------------------------------------

# Worked by hand (n = 5, mean 3.00, SD 1.12): the mean fits only sum S = 15 (odd).
# SD 1.12 means SD in [1.115, 1.125], variance in [1.243225, 1.265625], and the sum of
# squares Q = (n - 1) var + S^2 / n = 4 var + 45 in [49.9729, 50.0625]: only Q = 50,
# which is even. Since x^2 has the parity of x, Q must be odd like S: inconsistent.
# With SD 1.58 instead: 4 * [1.575^2, 1.585^2] + 45 = [54.9225, 55.0489] -> Q = 55, odd:
# consistent (1, 2, 3, 4, 5 has S = 15, Q = 55, SD = sqrt(2.5) = 1.5811).
# And SD 1.00: 4 * [0.995^2, 1.005^2] + 45 = [48.9601, 49.0401] -> Q = 49, odd:
# consistent (e.g. 2, 2, 3, 4, 4: S = 15, Q = 49, variance 4/4 = 1).
def test_grimmer_worked_by_hand():
    bad = grimmer("3.00", "1.12", 5)
    assert not bad.consistent and bad.candidates == ()
    assert "50" in bad.reason and "x² ≡ x mod 2" in bad.reason
    good = grimmer("3.00", "1.58", 5)
    assert good.consistent and good.candidates == (15,)
    assert "sum of squares 55" in good.reason
    assert grimmer("3.00", "1.00", 5).consistent


def test_grimmer_no_integer_sum_of_squares():
    # n = 3, mean 2.00 -> S = 6; SD 1.50 -> 2 * [1.495^2, 1.505^2] + 12 =
    # [16.47005, 16.53005]: no integer at all.
    result = grimmer("2.00", "1.50", 3)
    assert not result.consistent
    assert "no integer sum of squares" in result.reason


def test_grimmer_fails_when_grim_fails():
    result = grimmer("4.74", "1.00", 25)
    assert not result.consistent and result.reason.startswith("GRIM fails")


def test_grimmer_items_only_grim():
    result = grimmer("3.00", "1.12", 5, items=2)
    assert result.consistent == grim("3.00", 5, items=2).consistent
    assert "items = 1" in result.reason


def all_data(n: int, top: int):
    """Every multiset of n integers in 0..top, with its sum and sum of squares."""
    for data in combinations_with_replacement(range(top + 1), n):
        yield sum(data), sum(v * v for v in data)


def produced_pairs(n: int, top: int, mean_decimals: int, sd_decimals: int) -> set:
    """(mean, SD) strings that some data set prints as, rounding half-up or half-down."""
    out = set()
    for s, q in all_data(n, top):
        mean = Fraction(s, n)
        variance = Fraction(n * q - s * s, n * (n - 1))
        for m_mode in (ROUND_HALF_UP, ROUND_HALF_DOWN):
            for s_mode in (ROUND_HALF_UP, ROUND_HALF_DOWN):
                out.add((printed(mean, mean_decimals, m_mode),
                         printed(variance, sd_decimals, s_mode, sqrt=True)))
    return out


TOP = 7


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
@pytest.mark.parametrize("decimals", [(2, 2), (1, 1), (2, 1), (1, 2)])
def test_grimmer_accepts_everything_real_data_produce(n, decimals):
    pairs = produced_pairs(n, TOP, *decimals)
    rejected = [p for p in pairs if not grimmer(p[0], p[1], n).consistent]
    assert not rejected


@pytest.mark.parametrize("n", [3, 4, 5])
def test_grimmer_rejects_pairs_real_data_cannot_produce(n):
    """Within the region where data in 0..TOP are the only possible data, GRIMMER never
    rejects a produced pair and does reject unproduced ones that pass GRIM."""
    pairs = produced_pairs(n, TOP, 2, 2)
    # A value deviates from the mean by at most SD * (n - 1) / sqrt(n); integer values
    # then stay in 0..TOP when the mean's interval widened by that stays in (-1, TOP + 1).
    means = sorted({m for m, _ in pairs}, key=Decimal)
    flagged = unflagged_impossible = 0
    for m in means:
        for hundredths in range(0, 300):
            sd = f"{hundredths / 100:.2f}"
            reach = (hundredths + 0.5) / 100 * (n - 1) / math.sqrt(n)
            if not (float(m) - 0.005 - reach > -1 and float(m) + 0.005 + reach < TOP + 1):
                continue
            verdict = grimmer(m, sd, n).consistent
            possible = (m, sd) in pairs
            assert verdict or not possible, (m, sd)
            if not verdict:
                flagged += 1
            elif not possible:
                unflagged_impossible += 1   # GRIMMER is a necessary condition only
    assert flagged > 1000   # about 4700-5200 per n; the misses are 32, 9 and 0
    # specific unproduced pairs that pass GRIM and fail GRIMMER
    if n == 5:
        assert ("3.00", "1.12") not in pairs and ("3.00", "1.58") in pairs
    if n == 3:
        assert ("2.00", "1.50") not in pairs and grim("2.00", 3).consistent
        assert not grimmer("2.00", "1.50", 3).consistent


# --- DEBIT ----------------------------------------------------------------------------

def test_debit_interior_maximum_at_one_half():
    # Mean "0.5" means p in [0.45, 0.55]. With n = 1000 the SD sqrt(1000/999 p (1 - p))
    # is sqrt(1000/999 * 0.2475) = 0.497743 at both ends (prints 0.498) but
    # sqrt(1000/999 * 0.25) = 0.500250 at p = 0.5 (prints 0.500).
    ends = {round(math.sqrt(1000 / 999 * p * (1 - p)), 3) for p in (0.45, 0.55)}
    assert ends == {0.498}
    assert round(math.sqrt(1000 / 999 * 0.25), 3) == 0.5
    result = debit("0.5", "0.500", 1000)
    assert result.consistent, result.reason
    assert "p = 0.5" in result.reason
    assert 500 in result.candidates
    # Above the maximum: 0.501 is reached by no p.
    assert not debit("0.5", "0.501", 1000).consistent
    # Below the range: 0.497 < 0.497743 at the ends.
    assert not debit("0.5", "0.497", 1000).consistent


def test_debit_one_sided_interval_uses_the_ends():
    # Mean 0.19 (p in [0.185, 0.195]) with n = 1683: SD from sqrt(1683/1682 * 0.185 *
    # 0.815) = 0.3884 to sqrt(1683/1682 * 0.195 * 0.805) = 0.3963 -> 0.39 or 0.40 only.
    assert debit("0.19", "0.39", 1683).consistent
    assert debit("0.19", "0.40", 1683).consistent
    assert not debit("0.19", "0.38", 1683).consistent
    assert not debit("0.19", "0.41", 1683).consistent


def test_debit_rejects_non_binary_means():
    assert not debit("1.20", "0.40", 50).consistent
    assert debit("0.00", "0.00", 50).consistent        # all zeros


@pytest.mark.parametrize("n", range(2, 80))
def test_debit_accepts_everything_binary_data_produce(n):
    for k in range(n + 1):
        mean = Fraction(k, n)
        variance = Fraction(n, n - 1) * mean * (1 - mean)
        for mode in (ROUND_HALF_UP, ROUND_HALF_DOWN):
            x, sd = printed(mean, 2, mode), printed(variance, 2, mode, sqrt=True)
            result = debit(x, sd, n)
            assert result.consistent and k in result.candidates, (x, sd, n, result.reason)


# --- input checks and the rounding helpers used -------------------------------------

def test_bad_inputs():
    with pytest.raises(ValueError):
        grim("1.5", 0)
    with pytest.raises(ValueError):
        grimmer("1.5", "0.5", 1)
    with pytest.raises(ValueError):
        debit("0.5", "0.5", 1)
    with pytest.raises(ValueError):
        grim("1.5", 10, schemes=("half_sideways",))
    with pytest.raises(NumberFormatError):
        grim("1,5", 10)


def test_rounding_helpers():
    unit = D("0.01")
    # 1/8 = 0.125 exactly
    schemes = ("half_up", "half_down", "half_even")
    assert [round_exact(Fraction(1, 8), unit, s) for s in schemes] == [D("0.13"), D("0.12"),
                                                                       D("0.12")]
    assert round_to(D("0.125"), unit, "half_down") == D("0.12")
    # sqrt(1/16) = 0.25 exactly; sqrt(2) = 1.41421356...
    assert round_exact(Fraction(1, 16), D("0.1"), "half_up", sqrt=True) == D("0.3")
    assert round_exact(Fraction(1, 16), D("0.1"), "half_down", sqrt=True) == D("0.2")
    assert round_exact(2, D("0.0001"), sqrt=True) == D("1.4142")
    # "0.5" is [0.45, 0.55): half-up takes the lower tie, half-down the upper, both both.
    iv = unround(parse_number("0.5"), ("half_up",))
    assert (iv.lower_included, iv.upper_included) == (True, False)
    iv = unround(parse_number("0.5"), ("half_up", "half_down"))
    assert (iv.lower, iv.upper, iv.lower_included, iv.upper_included) == (
        Fraction(9, 20), Fraction(11, 20), True, True)


# --- truncation and double rounding ---------------------------------------------------
#
# Independent printers with Python's decimal module (no project code): truncation is
# decimal.ROUND_DOWN (toward zero); double rounding is ROUND_HALF_UP to one more
# decimal, then ROUND_HALF_UP again.

from decimal import ROUND_DOWN  # noqa: E402

from reanalysis.engine.scrutiny import implied_n, implied_n_reason  # noqa: E402


def printed_as(value: Fraction, decimals: int, scheme: str, *, sqrt: bool = False) -> str:
    if scheme == "truncate":
        return printed(value, decimals, ROUND_DOWN, sqrt=sqrt)
    if scheme == "double":
        first = printed(value, decimals + 1, ROUND_HALF_UP, sqrt=sqrt)
        return str(D(first).quantize(D(1).scaleb(-decimals), rounding=ROUND_HALF_UP))
    return printed(value, decimals, {"half_up": ROUND_HALF_UP, "half_down": ROUND_HALF_DOWN,
                                     "half_even": ROUND_HALF_EVEN}[scheme], sqrt=sqrt)


def test_grim_truncate_worked_by_hand():
    # Truncation keeps [5.19, 5.20): k/21 in it means k in [108.99, 109.2), so k = 109
    # (109/21 = 5.190476... cut to 5.19).
    ks = [k for k in range(0, 21 * 10) if Fraction(k, 21) >= Fraction("5.19")
          and Fraction(k, 21) < Fraction("5.20")]
    assert ks == [109]
    assert grim("5.19", 21, schemes=("truncate",)).candidates == (109,)
    # 110/21 = 5.238095...: truncated 5.23, rounded 5.24. So "5.23" fits n = 21 only
    # when truncated ([5.23, 5.24) * 21 = [109.83, 110.04) holds 110), and "5.24" only
    # when rounded ([5.235, 5.245] * 21 = [109.935, 110.145] holds 110; truncation's
    # [5.24, 5.25) * 21 = [110.04, 110.25) holds no integer).
    assert printed_as(Fraction(110, 21), 2, "truncate") == "5.23"
    assert printed_as(Fraction(110, 21), 2, "half_up") == "5.24"
    truncated = grim("5.23", 21, schemes=("truncate",))
    assert truncated.candidates == (110,)
    assert (truncated.lower, truncated.upper) == (D("5.23"), D("5.24"))
    assert "truncation" in truncated.reason
    assert not grim("5.23", 21).consistent
    assert grim("5.24", 21).candidates == (110,)
    assert not grim("5.24", 21, schemes=("truncate",)).consistent


def test_grim_double_worked_by_hand():
    # 320/61 = 5.245901...: double rounding 5.25 -> 5.3; single rounding 5.2.
    # "5.3" by double rounding is [5.245, 5.345): * 61 = [319.945, 326.045) -> 320..326;
    # by single rounding [5.25, 5.35] * 61 = [320.25, 326.35] -> 321..326.
    assert printed_as(Fraction(320, 61), 1, "double") == "5.3"
    assert printed_as(Fraction(320, 61), 1, "half_up") == "5.2"
    assert grim("5.3", 61, schemes=("double",)).candidates == tuple(range(320, 327))
    assert grim("5.3", 61).candidates == tuple(range(321, 327))


@pytest.mark.parametrize("scheme", ["truncate", "double"])
def test_grim_new_schemes_against_brute_force(scheme):
    """For n = 1..30 and 1 or 2 decimals, the sums GRIM accepts for a printed mean are
    exactly those whose k / n prints as it (means from -2 to 12). A zero is a zero
    whatever its sign: decimal prints -0.04 truncated as "-0.0", and "0.0" is taken to
    stand for both sides, so the printed texts are compared by value."""
    checked = 0
    for n in range(1, 31):
        for decimals in (1, 2):
            expected: dict[Decimal, set[int]] = {}
            for k in range(-2 * n, 12 * n + 1):
                expected.setdefault(D(printed_as(Fraction(k, n), decimals, scheme)),
                                    set()).add(k)
            unit = Fraction(1, 10 ** decimals)
            texts = {printed(Fraction(t) + dd * unit, decimals, ROUND_HALF_UP)
                     for t in expected if -1 <= Fraction(t) <= 11 for dd in (-1, 0, 1)}
            for text in texts:
                assert grim(text, n, schemes=(scheme,)).candidates == tuple(
                    sorted(expected.get(D(text), ()))), (text, n)
                checked += 1
    assert checked > 2000


# GRIMMER under truncation, by hand (n = 5, mean "3.00"): truncation keeps [3.00, 3.01),
# so the sum is S = 15 (15/5 = 3; 16/5 = 3.2). Data 2, 3, 3, 3, 4 have Q = 4 + 27 + 16 =
# 47 and variance (47 - 45) / 4 = 0.5, SD 0.70711: truncated 0.70, rounded 0.71.
# SD "0.70" truncated: [0.70, 0.71) -> Q = 4 var + 45 in [4 * 0.49 + 45, 4 * 0.5041 + 45)
#   = [46.96, 47.0164): Q = 47, odd like S: consistent.
# SD "0.70" rounded: [0.695, 0.705] -> Q in [46.9321, 46.9881]: no integer: inconsistent.
# SD "0.71" truncated: [0.71, 0.72) -> Q in [47.0164, 47.0736): no integer: inconsistent.
# SD "0.71" rounded: [0.705, 0.715] -> Q in [46.9881, 47.0449]: Q = 47: consistent.
def test_grimmer_truncate_worked_by_hand():
    assert grimmer("3.00", "0.70", 5, schemes=("truncate",)).consistent
    assert not grimmer("3.00", "0.70", 5).consistent
    assert not grimmer("3.00", "0.71", 5, schemes=("truncate",)).consistent
    assert grimmer("3.00", "0.71", 5).consistent
    # the same verdicts by brute force over all 5 integers in 0..7
    pairs = {(printed_as(Fraction(s, 5), 2, "truncate"),
              printed_as(Fraction(5 * q - s * s, 20), 2, "truncate", sqrt=True))
             for s, q in all_data(5, TOP)}
    assert ("3.00", "0.70") in pairs and ("3.00", "0.71") not in pairs


@pytest.mark.parametrize("scheme", ["truncate", "double"])
@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_grimmer_new_schemes_accept_everything_real_data_produce(scheme, n):
    for s, q in all_data(n, TOP):
        mean = Fraction(s, n)
        variance = Fraction(n * q - s * s, n * (n - 1))
        x = printed_as(mean, 2, scheme)
        sd = printed_as(variance, 2, scheme, sqrt=True)
        result = grimmer(x, sd, n, schemes=(scheme,))
        assert result.consistent and s in result.candidates, (x, sd, result.reason)


def test_debit_truncate_accepts_binary_data():
    for n in range(2, 40):
        for k in range(n + 1):
            p = Fraction(k, n)
            x = printed_as(p, 2, "truncate")
            sd = printed_as(Fraction(n, n - 1) * p * (1 - p), 2, "truncate", sqrt=True)
            assert debit(x, sd, n, schemes=("truncate",)).consistent, (x, sd, n)


# --- implied n ---------------------------------------------------------------------------

# Zang 2022 (../shared/papers/001_9beb37517b88e50d.txt) prints the placebo arm as
# N = 46, but its Table 2 percentages of the placebo arm are 2.27, 9.09, 9.09 and 4.55,
# and Table 1 prints the males as "30 (68.18%)". By hand, with 44 people:
#   1/44 = 2.2727...%  -> 2.27;  4/44 = 9.0909...% -> 9.09;  2/44 = 4.5454...% -> 4.55;
#   30/44 = 68.1818...% -> 68.18.
# With 46 people 2.27 is impossible: 1/46 = 2.1739...% and 2/46 = 4.3478...%.
ZANG_PLACEBO = [("2.27", "percent", 1), ("9.09", "percent", 1), ("9.09", "percent", 1),
                ("4.55", "percent", 1), ("68.18", "percent", 1)]


def test_implied_n_zang_placebo_by_hand():
    for text, k in [("2.27", 1), ("9.09", 4), ("4.55", 2), ("68.18", 30)]:
        assert printed(Fraction(100 * k, 44), 2, ROUND_HALF_UP) == text
    assert printed(Fraction(100, 46), 2, ROUND_HALF_UP) == "2.17"
    assert printed(Fraction(200, 46), 2, ROUND_HALF_UP) == "4.35"
    fits = implied_n(ZANG_PLACEBO, range(40, 51))
    assert 44 in fits and 46 not in fits
    # every n in 40..50 by brute force over the counts, half-up or half-down
    expected = [n for n in range(40, 51) if all(
        any(printed(Fraction(100 * k, n), 2, mode) == text
            for k in range(n + 1) for mode in (ROUND_HALF_UP, ROUND_HALF_DOWN))
        for text, _, _ in ZANG_PLACEBO)]
    assert fits == expected


def test_implied_n_reason_and_means():
    reason = implied_n_reason(ZANG_PLACEBO, range(44, 47))
    assert "n = 44" in reason and "1/44" in reason
    assert "n = 46 fails at 2.27%" in reason
    # a mean and a percentage together: 7.22 needs 231/32 (7.21875) with n = 32, and
    # 12.5% of 32 is 4/32; with n = 33 no sum gives 7.22 (238/33 = 7.2121, 239/33 = 7.2424)
    values = [("7.22", "mean", 1), ("12.5", "percent", 1)]
    assert implied_n(values, range(32, 34)) == [32]
    with pytest.raises(ValueError):
        implied_n([("7.22", "median", 1)], range(1, 3))


def test_counts_and_implied_n_agree_with_grim():
    """counts_from_percent and implied_n skip GRIM's reasons: same counts, same verdicts."""
    from reanalysis.engine.scrutiny import implied_n
    schemes_list = [("half_up", "half_even"), ("half_up", "half_down"), ("truncate",)]
    for schemes in schemes_list:
        for percent in ("0", "0.0", "2.2", "12.5", "33.3", "50", "66.7", "99.9", "100", "100.0"):
            for n in (1, 2, 3, 7, 9, 45, 46, 101, 1000):
                assert counts_from_percent(percent, n, schemes) == \
                    grim(percent, n, percent=True, schemes=schemes).candidates
        values = [("12.5", "percent", 1), ("3.45", "mean", 1), ("2.17", "mean", 3)]
        fits = implied_n(values, range(2, 90), schemes)
        assert fits == [n for n in range(2, 90)
                        if all(grim(t, n, items=i, percent=kind == "percent",
                                    schemes=schemes).consistent for t, kind, i in values)]
    with pytest.raises(ValueError):
        counts_from_percent("12.5", 0)


# --- the nearest counts of an impossible percent (issue 18, item 5) ---------------------------

@pytest.mark.parametrize("percent, n, expected", [
    # Zang 2022, placebo n = 46 (Table 2, abstract): 2/46 = 4.348%, 3/46 = 6.522%; 4.55 is
    # 0.202 above the first and 1.972 below the second
    ("4.55", 46, (2,)),
    # 1/46 = 2.174%, 2/46 = 4.348%: 2.27 is 0.096 and 2.078 away
    ("2.27", 46, (1,)),
    # 13/46 = 28.261%, 14/46 = 30.435%: 29.55 is 1.289 and 0.885 away
    ("29.55", 46, (14,)),
    # 11/46 = 23.913%, 12/46 = 26.087%: 25.00 lies 1.087 from each (11.5/46 = 25 exactly)
    ("25.00", 46, (11, 12)),
    # a percent some count gives: that count is also the nearest (8/55 = 14.545%)
    ("14.5", 55, (8,)),
    # the ends: nothing below 0 or above n
    ("0.4", 3, (0,)),
    ("99.9", 3, (3,)),
])
def test_nearest_counts(percent, n, expected):
    assert nearest_counts(percent, n) == expected
