"""Change-from-baseline effects and random-effects pooling (reanalysis.beyond.meta_analysis).

Expected values come from scipy on synthetic patient data built to have exactly the
printed means, SDs and correlation (ttest_rel / ttest_ind confidence intervals), from
brute-force grids over the rounding boxes, from formulas worked in the tests (SD of a
change, Wan et al. 2014, DerSimonian-Laird) and from a published example: Kacker RN,
Metrologia 2004;41:132-136 (nine laboratory results), with R metafor's ``rma`` output
for it as recorded in statsmodels' test suite
(statsmodels/stats/tests/results/results_meta.py: exk1_dl, exk1_metafor (PM), exk1_fe)
and Kacker's Table 1 values of tau quoted in statsmodels/stats/tests/test_meta.py. The
Hartung-Knapp-Sidik-Jonkman interval against its formula worked here and against R
metafor's ``rma(y, v, method="DL", test="knha")`` on Kacker's data (statsmodels
results_meta.py: exk1_dl_hksj).
"""
import math

import numpy as np
import pytest
from scipy import stats

from reanalysis.beyond.meta_analysis import (between_arm_change, mean_change_from_summary,
                                             median_iqr_to_mean_sd, pool_over_r,
                                             pool_random_effects, wan_eta)
from reanalysis.engine.rounding import parse_number
from reanalysis.engine.summary_stats import Box

Z975 = 1.959963984540054


def box(text: str) -> Box:
    p = parse_number(text)
    return Box(float(p.value), float(p.lower), float(p.upper))


def exact(x: float) -> Box:
    return Box(x, x, x)


def paired_data(n, m1, s1, m2, s2, r, seed=0):
    """x, y with exactly these sample means, SDs (n - 1) and Pearson correlation r."""
    z = np.random.default_rng(seed).normal(size=(n, 2))
    z -= z.mean(axis=0)
    q, _ = np.linalg.qr(z)                      # orthonormal, centred columns
    e1, e2 = q[:, 0] * math.sqrt(n - 1), q[:, 1] * math.sqrt(n - 1)
    return m1 + s1 * e1, m2 + s2 * (r * e1 + math.sqrt(1 - r * r) * e2)


def sample(n, m, s, seed=0):
    """n values with exactly this mean and SD."""
    z = np.random.default_rng(seed).normal(size=n)
    z = (z - z.mean()) / z.std(ddof=1)
    return m + s * z


# --- one-arm change ----------------------------------------------------------------------

@pytest.mark.parametrize("r", [0.0, 0.5, 0.8])
def test_mean_change_matches_ttest_rel_on_synthetic_data(r):
    x, y = paired_data(25, 10.0, 2.0, 12.0, 3.0, r)
    assert np.corrcoef(x, y)[0, 1] == pytest.approx(r, abs=1e-12)
    ci = stats.ttest_rel(y, x).confidence_interval(0.95)
    res = mean_change_from_summary((exact(10.0), exact(2.0)), (exact(12.0), exact(3.0)), 25,
                                   r_values=[r])
    row = res["by_r"][0]
    assert res["change"].value == pytest.approx(2.0)
    assert row["ci_low"].value == pytest.approx(ci.low, rel=1e-10)
    assert row["ci_high"].value == pytest.approx(ci.high, rel=1e-10)
    # by hand: SE = sqrt(s1^2 + s2^2 - 2 r s1 s2) / sqrt(n)
    se = math.sqrt(4 + 9 - 2 * r * 6) / 5
    assert row["se"].value == pytest.approx(se, rel=1e-12)
    assert row["variance"] == pytest.approx(se * se, rel=1e-12)


def test_mean_change_over_r_at_printed_values_by_hand():
    res = mean_change_from_summary((box("10.0"), box("2.0")), (box("12.0"), box("3.0")), 25)
    t = stats.t.ppf(0.975, 24)
    at = res["at_printed"]
    assert at["se_widest"] == pytest.approx((2 + 3) / 5)         # r = -1
    assert at["se_narrowest"] == pytest.approx((3 - 2) / 5)      # r = 1
    assert at["ci_widest"] == pytest.approx((2 - t * 1.0, 2 + t * 1.0))
    assert at["ci_narrowest"] == pytest.approx((2 - t * 0.2, 2 + t * 0.2))
    assert [row["r"] for row in res["by_r"]] == [0.0, 0.5, 0.8]


def _grid_ci(before, after, n, rs, level=0.95, steps=21):
    """Brute force: CI ends over the boxes (and the r values) on a grid."""
    (m1, s1), (m2, s2) = before, after
    t = stats.t.ppf(0.5 + level / 2, n - 1)
    g = lambda b: np.linspace(b.lower, b.upper, steps)
    a, b = np.meshgrid(g(s1), g(s2), indexing="ij")
    lows, highs, ses = [], [], []
    for r in rs:
        se = np.sqrt(np.maximum(a * a + b * b - 2 * r * a * b, 0)) / math.sqrt(n)
        for d in (m2.lower - m1.upper, m2.upper - m1.lower):
            lows.append(d - t * se)
            highs.append(d + t * se)
        ses.append(se)
    return (min(x.min() for x in lows), max(x.max() for x in lows),
            min(x.min() for x in highs), max(x.max() for x in highs),
            min(x.min() for x in ses), max(x.max() for x in ses))


def test_mean_change_box_bounds_brute_force():
    before, after = (box("10.0"), box("2.0")), (box("12.0"), box("3.0"))
    res = mean_change_from_summary(before, after, 25, r_values=[0.5])
    row = res["by_r"][0]
    lo_min, lo_max, hi_min, hi_max, se_min, se_max = _grid_ci(before, after, 25, [0.5])
    assert (row["ci_low"].lower, row["ci_low"].upper) == pytest.approx((lo_min, lo_max))
    assert (row["ci_high"].lower, row["ci_high"].upper) == pytest.approx((hi_min, hi_max))
    assert (row["se"].lower, row["se"].upper) == pytest.approx((se_min, se_max))
    assert res["change"].lower == pytest.approx(12.0 - 0.05 - 10.05)


def test_mean_change_over_all_r_brute_force():
    # equal printed SDs: at r = 1 the SD of the change can reach 0
    before, after = (box("5.0"), box("1.2")), (box("5.6"), box("1.2"))
    res = mean_change_from_summary(before, after, 16)
    lo_min, lo_max, hi_min, hi_max, se_min, se_max = _grid_ci(
        before, after, 16, np.linspace(-1, 1, 41))
    over = res["over_r"]
    assert over["se"].lower == pytest.approx(0.0, abs=1e-12) and se_min == pytest.approx(0.0)
    assert over["se"].upper == pytest.approx(se_max)
    assert (over["ci_low"].lower, over["ci_low"].upper) == pytest.approx((lo_min, lo_max))
    assert (over["ci_high"].lower, over["ci_high"].upper) == pytest.approx((hi_min, hi_max))
    assert over["envelope"] == pytest.approx((lo_min, hi_max))
    t = stats.t.ppf(0.975, 15)
    assert over["width"].upper == pytest.approx(2 * t * (1.25 + 1.25) / 4)


def test_mean_change_rejects_bad_input():
    pair = (box("1.0"), box("0.5"))
    with pytest.raises(ValueError):
        mean_change_from_summary(pair, pair, 1)
    with pytest.raises(ValueError):
        mean_change_from_summary(pair, pair, 10, r_values=[1.5])
    with pytest.raises(ValueError):
        mean_change_from_summary((1.0, 0.5), pair, 10)


# --- two arms --------------------------------------------------------------------------------

ARMS = dict(treatment=((box("10.0"), box("2.0")), (box("12.0"), box("3.0"))), n_t=25,
            control=((box("10.5"), box("2.2")), (box("11.0"), box("2.5"))), n_c=30)


@pytest.mark.parametrize("test", ["student", "welch"])
@pytest.mark.parametrize("r", [0.0, 0.5])
def test_between_arm_matches_ttest_ind_on_synthetic_changes(test, r):
    # change scores with exactly the mean and SD of change implied by r (by hand)
    sd_t = math.sqrt(2.0 ** 2 + 3.0 ** 2 - 2 * r * 2.0 * 3.0)
    sd_c = math.sqrt(2.2 ** 2 + 2.5 ** 2 - 2 * r * 2.2 * 2.5)
    ct, cc = sample(25, 2.0, sd_t, 1), sample(30, 0.5, sd_c, 2)
    ci = stats.ttest_ind(ct, cc, equal_var=test == "student").confidence_interval(0.95)
    res = between_arm_change(**ARMS, r_values=[r], test=test)
    row = res["by_r"][0]
    assert res["difference"].value == pytest.approx(1.5)
    assert row["ci_low"].value == pytest.approx(ci.low, rel=1e-10)
    assert row["ci_high"].value == pytest.approx(ci.high, rel=1e-10)
    if test == "student":
        assert row["df"].value == 53


def _grid_arm(r, test, steps=11):
    """Brute force on a grid of the four SD boxes and the two ends of the difference."""
    (tm0, ts0), (tm1, ts1) = ARMS["treatment"]
    (cm0, cs0), (cm1, cs1) = ARMS["control"]
    g = lambda b: np.linspace(b.lower, b.upper, steps)
    a0, a1, b0, b1 = np.meshgrid(g(ts0), g(ts1), g(cs0), g(cs1), indexing="ij")
    sa = np.sqrt(a0 * a0 + a1 * a1 - 2 * r * a0 * a1)
    sb = np.sqrt(b0 * b0 + b1 * b1 - 2 * r * b0 * b1)
    if test == "student":
        se, df = np.sqrt(((24 * sa * sa + 29 * sb * sb) / 53) * (1 / 25 + 1 / 30)), 53
    else:
        va, vb = sa * sa / 25, sb * sb / 30
        se, df = np.sqrt(va + vb), (va + vb) ** 2 / (va * va / 24 + vb * vb / 29)
    h = stats.t.ppf(0.975, df) * se
    d_lo = tm1.lower - tm0.upper - (cm1.upper - cm0.lower)
    d_hi = tm1.upper - tm0.lower - (cm1.lower - cm0.upper)
    return (d_lo - h.max(), d_hi - h.min(), d_lo + h.min(), d_hi + h.max())


@pytest.mark.parametrize("test", ["student", "welch"])
def test_between_arm_box_bounds_brute_force(test):
    res = between_arm_change(**ARMS, r_values=[0.5], test=test)
    row = res["by_r"][0]
    lo_min, lo_max, hi_min, hi_max = _grid_arm(0.5, test)
    # the grid's points lie in the box: the bounds hold them, and are attained closely
    assert row["ci_low"].lower <= lo_min + 1e-12 and row["ci_low"].upper >= lo_max - 1e-12
    assert row["ci_high"].lower <= hi_min + 1e-12 and row["ci_high"].upper >= hi_max - 1e-12
    assert (row["ci_low"].lower, row["ci_low"].upper) == pytest.approx((lo_min, lo_max),
                                                                       abs=1e-3)
    assert (row["ci_high"].lower, row["ci_high"].upper) == pytest.approx((hi_min, hi_max),
                                                                         abs=1e-3)


def test_between_arm_over_r_holds_every_r():
    res = between_arm_change(**ARMS, r_values=[0.0, 0.5, 0.8])
    over = res["over_r"]
    for row in res["by_r"]:
        assert over["ci_low"].lower <= row["ci_low"].lower
        assert over["ci_high"].upper >= row["ci_high"].upper
        assert over["se"].lower <= row["se"].lower <= row["se"].upper <= over["se"].upper
    # r = -1 in both arms at the box corners gives the largest SE (by hand)
    sa, sb = 2.05 + 3.05, 2.25 + 2.55
    assert over["se"].upper == pytest.approx(
        math.sqrt((24 * sa * sa + 29 * sb * sb) / 53 * (1 / 25 + 1 / 30)))


# --- Wan et al. 2014 ------------------------------------------------------------------------------

def test_wan_formula_by_hand():
    n = 30
    eta = 2 * stats.norm.ppf((0.75 * n - 0.125) / (n + 0.25))
    assert wan_eta(n) == pytest.approx(eta, rel=1e-12)
    res = median_iqr_to_mean_sd(50.0, 40.0, 62.0, n)
    assert res["mean"].value == pytest.approx((40 + 50 + 62) / 3)
    assert res["sd"].value == pytest.approx(22 / eta)
    # as n grows eta tends to 2 Phi^-1(0.75) = 1.349: the Cochrane Handbook's IQR / 1.35
    assert wan_eta(10 ** 7) == pytest.approx(2 * stats.norm.ppf(0.75), abs=1e-6)
    assert wan_eta(10 ** 7) == pytest.approx(1.35, abs=2e-3)


def test_wan_box_bounds_by_corners():
    m, a, b = box("50"), box("40"), box("62")
    res = median_iqr_to_mean_sd(m, a, b, 30)
    eta = wan_eta(30)
    means = [(x + y + z) / 3 for x in (a.lower, a.upper) for y in (m.lower, m.upper)
             for z in (b.lower, b.upper)]
    sds = [(z - x) / eta for x in (a.lower, a.upper) for z in (b.lower, b.upper)]
    assert (res["mean"].lower, res["mean"].upper) == pytest.approx((min(means), max(means)))
    assert (res["sd"].lower, res["sd"].upper) == pytest.approx((min(sds), max(sds)))
    with pytest.raises(ValueError):
        median_iqr_to_mean_sd(30.0, 40.0, 62.0, 30)


# --- pooling ----------------------------------------------------------------------------------------

def _dl_by_hand(y, v):
    y, v = np.asarray(y, float), np.asarray(v, float)
    k = len(y)
    w = 1 / v
    fe = (w * y).sum() / w.sum()
    q = (w * (y - fe) ** 2).sum()
    c = w.sum() - (w * w).sum() / w.sum()
    tau2 = max(0.0, (q - (k - 1)) / c)
    wr = 1 / (v + tau2)
    re = (wr * y).sum() / wr.sum()
    se = math.sqrt(1 / wr.sum())
    return dict(fe=fe, fe_se=math.sqrt(1 / w.sum()), q=q, tau2=tau2, re=re, se=se,
                i2=max(0.0, (q - (k - 1)) / q), q_p=stats.chi2.sf(q, k - 1),
                weights=wr / wr.sum(), raw_tau2=(q - (k - 1)) / c)


def test_dl_against_hand_computation():
    y, v = [0.10, 0.30, 0.55, 0.20, -0.05], [0.010, 0.020, 0.030, 0.015, 0.012]
    h = _dl_by_hand(y, v)
    assert h["tau2"] > 0
    res = pool_random_effects(y, v, ["a", "b", "c", "d", "e"], method="dl")
    assert res["k"] == 5 and res["q_df"] == 4
    assert res["q"] == pytest.approx(h["q"], rel=1e-12)
    assert res["q_p"] == pytest.approx(h["q_p"], rel=1e-10)
    assert res["tau2"] == pytest.approx(h["tau2"], rel=1e-12)
    assert res["i2"] == pytest.approx(h["i2"], rel=1e-12)
    assert res["random"]["estimate"] == pytest.approx(h["re"], rel=1e-12)
    assert res["random"]["se"] == pytest.approx(h["se"], rel=1e-12)
    assert res["random"]["ci_low"] == pytest.approx(h["re"] - Z975 * h["se"], rel=1e-12)
    assert res["random"]["ci_high"] == pytest.approx(h["re"] + Z975 * h["se"], rel=1e-12)
    assert res["fixed"]["estimate"] == pytest.approx(h["fe"], rel=1e-12)
    assert res["fixed"]["se"] == pytest.approx(h["fe_se"], rel=1e-12)
    assert list(res["weights_random"].values()) == pytest.approx(list(h["weights"]))


def test_dl_truncates_negative_tau2():
    # Q < k - 1: DerSimonian-Laird's tau^2 is 0 and random = fixed effect
    y, v = [1.00, 1.01, 0.99], [0.1, 0.2, 0.1]
    h = _dl_by_hand(y, v)
    assert h["raw_tau2"] < 0
    res = pool_random_effects(y, v, method="dl")
    assert res["tau2"] == 0.0 and res["i2"] == 0.0
    assert res["tau2_untruncated"] == pytest.approx(h["raw_tau2"], rel=1e-10)
    assert res["random"]["estimate"] == pytest.approx(h["fe"], rel=1e-12)
    assert res["random"]["se"] == pytest.approx(h["fe_se"], rel=1e-12)
    assert res["random"] == pytest.approx(res["fixed"])


KACKER_Y = [61.00, 61.40, 62.21, 62.30, 62.34, 62.60, 62.70, 62.84, 65.90]
KACKER_V = [0.2025, 1.2100, 0.0900, 0.2025, 0.3844, 0.5625, 0.0676, 0.0225, 1.8225]


def test_published_example_kacker_dl_and_fe_against_metafor():
    # R metafor rma(y, v, method="DL") and method="FE" (statsmodels results_meta.py)
    res = pool_random_effects(KACKER_Y, KACKER_V, method="dl")
    assert res["random"]["estimate"] == pytest.approx(62.3901386044504, abs=1e-10)
    assert res["random"]["se"] == pytest.approx(0.245749668040304, abs=1e-10)
    assert res["random"]["ci_low"] == pytest.approx(61.9084781058787, abs=1e-9)
    assert res["random"]["ci_high"] == pytest.approx(62.8717991030221, abs=1e-9)
    assert res["tau2"] == pytest.approx(0.288049246973751, abs=1e-10)
    assert res["q"] == pytest.approx(24.801897741835, abs=1e-9)
    assert res["q_p"] == pytest.approx(0.00167935146372742, abs=1e-12)
    assert 100 * res["i2"] == pytest.approx(67.744403741711, abs=1e-8)
    assert res["fixed"]["estimate"] == pytest.approx(62.5833970939982, abs=1e-10)
    assert res["fixed"]["se"] == pytest.approx(0.107845705498231, abs=1e-10)
    assert res["fixed"]["ci_low"] == pytest.approx(62.3720233953344, abs=1e-9)
    # Kacker (2004) Table 1: tau_DL = 0.5359 (agreement to 1e-3, as statsmodels notes)
    assert math.sqrt(res["tau2"]) == pytest.approx(0.5359, abs=1e-3)
    # and the hand computation agrees
    # (statsmodels' Q, sum w y^2 - (sum w y)^2 / sum w, loses a few digits at y ~ 62)
    assert res["tau2"] == pytest.approx(_dl_by_hand(KACKER_Y, KACKER_V)["tau2"], rel=1e-9)


def test_published_example_kacker_pm_against_metafor():
    # R metafor rma(y, v, method="PM", control=list(tol=1e-9)); Kacker tau_PM = 0.8399
    res = pool_random_effects(KACKER_Y, KACKER_V, method="pm")
    assert res["tau2"] == pytest.approx(0.705395309224248, abs=1e-9)
    assert res["random"]["estimate"] == pytest.approx(62.4076199113286, abs=1e-9)
    assert res["random"]["se"] == pytest.approx(0.338030602684471, abs=1e-9)
    assert res["random"]["ci_low"] == pytest.approx(61.7450921043947, abs=1e-8)
    assert res["random"]["ci_high"] == pytest.approx(63.0701477182625, abs=1e-8)
    assert math.sqrt(res["tau2"]) == pytest.approx(0.8399, abs=6e-5)
    assert abs(res["pm_equation"]) < 1e-8


def _hksj_by_hand(y, v):
    """Hartung & Knapp (2001), Sidik & Jonkman (2002): the DL random-effects estimate, its
    variance sum w_i (y_i - mu)^2 / ((k - 1) sum w_i), w_i = 1 / (v_i + tau^2), a t(k - 1)
    quantile."""
    h = _dl_by_hand(y, v)
    y, v = np.asarray(y, float), np.asarray(v, float)
    k = len(y)
    w = 1 / (v + h["tau2"])
    se = math.sqrt((w * (y - h["re"]) ** 2).sum() / ((k - 1) * w.sum()))
    t = stats.t.ppf(0.975, k - 1)
    return h["re"], se, h["re"] - t * se, h["re"] + t * se


@pytest.mark.parametrize("y, v", [
    ([0.10, 0.30, 0.55, 0.20, -0.05], [0.010, 0.020, 0.030, 0.015, 0.012]),   # tau^2 > 0
    ([1.00, 1.01, 0.99], [0.1, 0.2, 0.1]),                                    # tau^2 truncated at 0
    ([-1.4, -0.8], [0.04, 0.09]),                                             # two studies, t with 1 df
])
def test_hksj_against_hand_computation(y, v):
    est, se, lo, hi = _hksj_by_hand(y, v)
    res = pool_random_effects(y, v, method="dl")["random_hksj"]
    assert res["estimate"] == pytest.approx(est, rel=1e-12)
    assert res["se"] == pytest.approx(se, rel=1e-10)
    assert (res["ci_low"], res["ci_high"]) == pytest.approx((lo, hi), rel=1e-10)
    assert res["df"] == len(y) - 1


def test_published_example_kacker_hksj_against_metafor():
    # R metafor rma(y, v, method="DL", test="knha") (statsmodels results_meta.py, exk1_dl_hksj)
    res = pool_random_effects(KACKER_Y, KACKER_V, method="dl")["random_hksj"]
    assert res["estimate"] == pytest.approx(62.3901386044504, abs=1e-10)
    assert res["se"] == pytest.approx(0.29477605699879, abs=1e-10)
    assert res["ci_low"] == pytest.approx(61.710383798052, abs=1e-9)
    assert res["ci_high"] == pytest.approx(63.0698934108488, abs=1e-9)
    assert res["se"] == pytest.approx(_hksj_by_hand(KACKER_Y, KACKER_V)[1], rel=1e-9)


def _effects_by_hand(r):
    """Each study's change and its variance at within-patient correlation r: an effect as
    given, or after - before with variance (s1^2 + s2^2 - 2 r s1 s2) / n."""
    y, v = [], []
    for s in STUDIES:
        if "effect" in s:
            y.append(s["effect"])
            v.append(s["variance"])
            continue
        (m1, s1), (m2, s2) = s["before"], s["after"]
        y.append(m2.value - m1.value)
        v.append((s1.value ** 2 + s2.value ** 2 - 2 * r * s1.value * s2.value) / s["n"])
    return y, v


def test_pool_over_r_gives_the_hksj_envelope():
    rs = [0.0, 0.5, 0.8]
    res = pool_over_r(STUDIES, r_values=rs, method="dl")
    lows, highs = [], []
    for r in rs:
        y, v = _effects_by_hand(r)
        _, _, lo, hi = _hksj_by_hand(y, v)
        lows.append(lo)
        highs.append(hi)
    assert res["hksj_envelope"] == pytest.approx((min(lows), max(highs)), rel=1e-10)
    assert (res["hksj_ci_low"].lower, res["hksj_ci_high"].upper) == res["hksj_envelope"]


def test_pool_rejects_bad_input():
    with pytest.raises(ValueError):
        pool_random_effects([1.0], [0.1])
    with pytest.raises(ValueError):
        pool_random_effects([1.0, 2.0], [0.1, 0.0])
    with pytest.raises(ValueError):
        pool_random_effects([1.0, 2.0], [0.1, 0.2], method="reml")


# --- pooling over r ---------------------------------------------------------------------------------

STUDIES = [
    {"label": "A", "before": (box("10.0"), box("2.0")), "after": (box("12.0"), box("3.0")),
     "n": 25},
    {"label": "B", "before": (box("11.2"), box("2.5")), "after": (box("11.9"), box("2.4")),
     "n": 40},
    {"label": "C", "before": (box("9.8"), box("1.9")), "after": (box("12.5"), box("2.8")),
     "n": 18},
    {"label": "D", "effect": 1.0, "variance": 0.09},
]


def test_pool_over_r_by_hand():
    rs = [0.0, 0.5, 0.8]
    res = pool_over_r(STUDIES, r_values=rs, method="dl")
    estimates, lows = [], []
    for r, row in zip(rs, res["by_r"]):
        y, v = _effects_by_hand(r)
        h = _dl_by_hand(y, v)
        assert row["r"] == r
        assert row["pooled"]["random"]["estimate"] == pytest.approx(h["re"], rel=1e-10)
        assert row["pooled"]["tau2"] == pytest.approx(h["tau2"], rel=1e-10, abs=1e-15)
        estimates.append(h["re"])
        lows.append(h["re"] - Z975 * h["se"])
    assert (res["random_estimate"].lower, res["random_estimate"].upper) == \
        pytest.approx((min(estimates), max(estimates)), rel=1e-10)
    assert res["envelope"][0] == pytest.approx(min(lows), rel=1e-10)
    assert math.isnan(res["random_estimate"].value)


def test_pool_over_r_refuses_mixed_effects():
    arm = {"before": (box("10.0"), box("2.0")), "after": (box("12.0"), box("3.0")), "n": 25}
    two = {"label": "T", "treatment": arm, "control": arm}
    with pytest.raises(ValueError):
        pool_over_r([STUDIES[0], two])
    res = pool_over_r([two, {**two, "label": "U"}], r_values=[0.5])
    assert res["by_r"][0]["pooled"]["random"]["estimate"] == pytest.approx(0.0)
