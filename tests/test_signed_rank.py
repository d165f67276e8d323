"""The exact signed-rank p counted in closed form equals scipy's exact permutation test
(scipy.stats.wilcoxon, method 'auto', which permutes all 2^n sign flips when there are
ties or zeros and n <= 13), on random tied data and on Matsuoka's severity subgroups."""
import numpy as np
import pandas as pd
import pytest
import scipy.stats as st

from conftest import CONFIG, ROOT
from reanalysis.engine.analyses.paired_test import scipy_permutes as _scipy_permutes, signed_rank_p


@pytest.mark.parametrize("seed", range(20))
def test_equals_scipys_permutation_test_on_tied_data(seed):
    rng = np.random.default_rng(seed)
    d = rng.integers(-4, 5, size=int(rng.integers(4, 14))) / 2.0   # many ties and zeros
    if (d != 0).sum() == 0:
        d[0] = 1.5
    assert _scipy_permutes(pd.Series(d)) == (len(d) <= 13)
    assert signed_rank_p(d) == pytest.approx(st.wilcoxon(d).pvalue, rel=1e-12, abs=0)


def test_equals_scipy_on_the_small_subgroups_of_a_patient_table():
    # Matsuoka's table as a fixture: its severe subgroup (baseline > 8.0) has n = 12 and ties
    spec = CONFIG["studies"]["matsuoka2025"]
    df = pd.read_csv(ROOT / spec["table"])
    d = (df.hba1c_before - df.hba1c_after).round(10)
    for subset in (d[df.hba1c_before > 8.0], d[df.hba1c_before >= 8.0]):
        assert _scipy_permutes(subset)
        assert signed_rank_p(subset) == pytest.approx(st.wilcoxon(subset).pvalue, rel=1e-12)


def test_small_case_worked_by_hand():
    # d = 1, 2, -3: ranks 1, 2, 3; T+ = 3; the 8 sign patterns give T+ = 0,1,2,3,3,4,5,6;
    # P(T+ <= 3) = 5/8, P(T+ >= 3) = 5/8: p = min(1, 2 * 5/8) = 1. With a tie (1, 1, 3):
    # ranks 1.5, 1.5, 3, T+ = 3 (two positive): sums 0,1.5,1.5,3,3,4.5,4.5,6: P(<=3) = 5/8.
    assert signed_rank_p([1.0, 2.0, -3.0]) == 1.0
    assert signed_rank_p([1.0, 1.0, -3.0]) == 1.0
    # d = 1, 2, 3, 4 all positive: T+ = 10, only 1 of 16 patterns: p = 2/16
    assert signed_rank_p([1.0, 2.0, 3.0, 4.0]) == pytest.approx(2 / 16)
