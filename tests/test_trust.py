"""INSPECT-SR (workflow/reanalysis/trust/inspect_sr.py): each computed check on cases worked by hand below,
two throwaway trials built by hand (clean numbers: Domain 4 "no concerns"; one impossible
percentage: "serious concerns"), the domain and overall rules, bad trust blocks, the quotes of
every study's trust sources against its paper, and the pipeline's tables for every study whose
config says it is a randomised trial (no test lists the studies).

The ledgers and findings tables here are built by hand, with the findings table's fixed
columns; no expected value depends on the current finding ids.
"""
import copy
import math
import re
import shutil
import statistics
from pathlib import Path

import pytest

from conftest import CONFIG, LEDGER_COLUMNS, ROOT, STUDIES, run_snakemake, study_papers
from reanalysis.findings.ranking import EVIDENCE_COLUMNS, FINDING_COLUMNS  # the table's fixed columns
from reanalysis.trust import inspect_sr as trust
from reanalysis.inputs.config import _schema, _validate, randomised_trials
from reanalysis.errors import InputError
from reanalysis.audit.summary_level import parse_row

RULES = trust.load_rules(CONFIG, ROOT)
TRIAL = "throwaway"


# --- hand-built inputs ---------------------------------------------------------------------

def ledger_row(claim_id, statistic, verdict, *, quantity=None, variant="as_reported", why="", error="false"):
    r = dict.fromkeys(LEDGER_COLUMNS, "")
    r.update(study=TRIAL, claim_id=claim_id, location="Table 1", quantity=quantity or f"quantity of {claim_id}",
             reported="1", claim="1", variant=variant, verdict=verdict, decision_error=error,
             why_unverifiable=why, statistic=statistic)
    return r


def finding(fid, strength, claims, checks="", title="a hand-built finding"):
    f = dict.fromkeys(FINDING_COLUMNS, "")
    f.update(id=fid, rank=fid[1:], study=TRIAL, strength=strength, strength_label=RULES["strengths"][strength],
             title=title, claims="; ".join(claims), checks=checks)
    return f


def evidence(fid, claim_id):
    e = dict.fromkeys(EVIDENCE_COLUMNS, "")
    e.update(finding=fid, study=TRIAL, claim_id=claim_id)
    return e


def summary(value_id, arm, value, form, n, dispersion=""):
    return parse_row({"value_id": value_id, "arm": arm, "outcome": "x", "timepoint": "baseline", "n": n,
                      "form": form, "value": value, "dispersion": dispersion, "_where": 1}, Path("hand.csv"))


# every ledger kind the audit maps to Domain 4, each tested and holding
CLEAN_LEDGER = [
    ledger_row("T-ABS-01", "agreement", "reproduced"),                                    # 4.4
    ledger_row("T-POP-01", "sum", "reproduced", quantity="patients randomised (total)"),   # 4.6
    ledger_row("T-AGE-A", "grim", "consistent"),                                          # 4.8
    ledger_row("T-PCT-A", "count", "consistent"),                                         # 4.8
    ledger_row("T-P-01", "p", "reproduced"),                                              # 4.9
    ledger_row("T-MED-A", "order", "consistent"),                                         # 4.10
    ledger_row("T-TXT-01", "", "unverifiable", why="descriptive_only"),                   # no check
]

# Pooled evidence for 4.7: the trial's effect -0.3 (-0.6 to 0.0) and two others whose
# intervals have half-width 0.392 = 1.96 x 0.2, so each SE is 0.2 (variance 0.04).
POOLED = {"pooled": {
    "outcomes": {"y": {"label": "Y (units)"}},
    "entries": [{"label": "Throwaway trial", "study": TRIAL, "design": "controlled", "diabetes_type": {"type": "T2DM", "source": "hand-built"},
                 "outcomes": {"y": {}}},
                {"label": "Other A", "study": "other", "design": "controlled", "diabetes_type": {"type": "T2DM", "source": "hand-built"}, "outcomes": {"y": {}}},
                {"label": "Other B", "study": "other", "design": "controlled", "diabetes_type": {"type": "T2DM", "source": "hand-built"}, "outcomes": {"y": {}}}],
    "pools": [{"label": "Y, controlled", "outcome": "y", "design": "controlled", "diabetes_type": "T2DM"}]}}
Z975 = 1.959963984540054


def corpus_row(label, value, half):
    return {"study": "x", "part": "4 pooled evidence", "question": f"{label}: what is the difference in change in Y (units)?",
            "value": str(value), "low": str(value - half), "high": str(value + half)}


CORPUS = [corpus_row("Throwaway trial", -0.3, 0.3), corpus_row("Other A", -0.2, 0.2 * Z975),
          corpus_row("Other B", -0.1, 0.2 * Z975)]
CARLISLE = [{"study": TRIAL, "part": "5 baseline check (Carlisle)", "value": "0.5", "low": "", "high": "",
             "question": f"Are the 3 printed baseline p-values, combined by Stouffer, a sign that the groups are {d} than chance would make them?"}
            for d in ("more alike", "more different")]

STUDY = {
    "design": "summary_level",
    "n_sets": {"randomised": {"a": 10, "b": 10}},
    "study_type": {"randomised_trial": True, "design": "a two-arm randomised trial", "source": "the paper's title"},
    "trust": {
        "eligibility": {"criteria": [{"label": "age (years)", "range": [20, 65], "rows": ["T-AGE-A", "T-AGE-B"],
                                      "source": "the paper's Methods, inclusion criteria"}]},
        "allocation": {"method": "simple", "ratio": [1, 1], "n_set": "randomised", "source": "the paper's Methods"},
        "losses": {"follow_up_weeks": 24, "sets": [{"label": "lost to follow-up", "rows": {"a": "T-LOST-A", "b": "T-LOST-B"}}],
                   "source": "the paper's Results"},
        "answers": {"4.11": {"answer": "no", "evidence": "The protocol agrees with the paper.", "source": "the protocol"}},
    },
}
DATA = {"T-AGE-A": summary("T-AGE-A", "a", "50.0 ± 8.0", "mean_dispersion", 10, "sd"),
        "T-AGE-B": summary("T-AGE-B", "b", "48.5 ± 9.1", "mean_dispersion", 10, "sd"),
        "T-LOST-A": summary("T-LOST-A", "a", "1", "count", 10),
        "T-LOST-B": summary("T-LOST-B", "b", "2", "count", 10)}


def tables(ledger=CLEAN_LEDGER, found=(), ev=(), beyond=CARLISLE, corpus=CORPUS):
    return trust.AuditTables(list(ledger), list(found), list(ev), {TRIAL: list(beyond)}, list(corpus))


def assess(tbl=None, study=STUDY, data=DATA, shared=POOLED):
    return trust.assess(TRIAL, study, RULES, tbl or tables(), shared, data, "config/studies/throwaway.yaml")


def by_check(answers):
    return {a.check: a for a in answers}


# --- 4.2: arm sizes against the allocation ----------------------------------------------------

def test_allocation_two_arms_of_91():
    # 45 / 46 of 91 at 1:1: every split of an odd N differs by at least 1, so an imbalance
    # this large or larger is certain; this small or smaller is the splits 45/46 and 46/45,
    # 2 C(91, 45) / 2^91 (worked with integers).
    pr = trust.allocation_probabilities([45, 46], [1, 1])
    assert pr["p_large"] == pytest.approx(1.0)
    assert pr["p_small"] == pytest.approx(2 * math.comb(91, 45) / 2 ** 91, rel=1e-12)
    assert pr["exact"]


def test_allocation_eight_of_ten():
    # 8 / 2 of 10 at 1:1, |X - 5| >= 3: X in {0, 1, 2, 8, 9, 10}: 2 (1 + 10 + 45) / 1024 = 112/1024;
    # |X - 5| <= 3: all but {0, 1, 9, 10}: 1 - 2 (1 + 10) / 1024 = 1002/1024.
    pr = trust.allocation_probabilities([8, 2], [1, 1])
    assert pr["p_large"] == pytest.approx(112 / 1024, rel=1e-12)
    assert pr["p_small"] == pytest.approx(1002 / 1024, rel=1e-12)


def test_allocation_four_equal_arms():
    # 7 / 7 / 7 / 7 of 28 at 1:1:1:1: only the exact split is this even, probability
    # 28! / (7!^4 4^28) (multinomial, worked with integers); every split is at least as uneven.
    pr = trust.allocation_probabilities([7, 7, 7, 7], [1, 1, 1, 1])
    exact = math.factorial(28) / (math.factorial(7) ** 4 * 4 ** 28)
    assert pr["p_small"] == pytest.approx(exact, rel=1e-10)
    assert pr["p_large"] == pytest.approx(1.0)
    assert pr["splits"] == math.comb(31, 3)


def test_allocation_unequal_ratio_and_approximation():
    # 2:1 with N = 3: the split (2, 1) is the expected one (X^2 = 0), so this small or smaller
    # is P(2, 1) = 3 (2/3)^2 (1/3) = 4/9.
    pr = trust.allocation_probabilities([2, 1], [2, 1])
    assert pr["x2"] == 0
    assert pr["p_small"] == pytest.approx(4 / 9, rel=1e-12)
    # above max_outcomes the chi-square(1) tail: X^2 of 8 / 2 at 1:1 is (3^2 + 3^2) / 5 = 3.6
    from scipy import stats
    approx = trust.allocation_probabilities([8, 2], [1, 1], max_outcomes=5)
    assert not approx["exact"] and approx["x2"] == pytest.approx(3.6)
    assert approx["p_large"] == pytest.approx(stats.chi2.sf(3.6, 1))


def test_block_bound():
    # blocks of 4 at 1:1: within one stratum the arms differ by at most 4 / 2 = 2
    assert trust.block_bound_exceeded([45, 46], 4) == (False, 1, 2)
    assert trust.block_bound_exceeded([40, 51], 4) == (True, 11, 2)
    assert trust.block_bound_exceeded([40, 51], 4, strata=6) == (False, 11, 12)


def test_allocation_answers():
    spec = {"method": "block", "ratio": [1, 1], "n_set": "r", "block_size": 4, "source": "the paper's Methods"}
    a = trust.allocation_check(spec, {"a": 40, "b": 51}, RULES)
    assert (a.answer, a.strength) == ("yes", "impossible") and "cannot come from the stated blocks" in a.evidence
    # simple randomisation, 8 / 2: p_large 112/1024 = 0.109 is not below 0.001
    assert trust.allocation_check(dict(spec, method="simple", block_size=None), {"a": 8, "b": 2}, RULES).answer == "no"
    # 90 / 10 under simple randomisation: P(|X - 50| >= 40) is below 1e-15
    a = trust.allocation_check({**spec, "method": "simple", "block_size": None}, {"a": 90, "b": 10}, RULES)
    assert (a.answer, a.strength) == ("yes", "improbable")
    a = trust.allocation_check({**spec, "method": "not_stated", "block_size": None}, {"a": 7, "b": 7}, RULES)
    assert a.answer == "unclear" and "not stated" in a.evidence


# --- 4.5: losses to follow-up -----------------------------------------------------------------

def test_equal_losses_probability():
    # two arms of 2, one lost in each: pooled rate 2/4 = 1/2, P(X = Y) = sum_k b(k; 2, 1/2)^2
    # = (1/4)^2 + (1/2)^2 + (1/4)^2 = 6/16
    assert trust.equal_losses_probability([1, 1], [2, 2]) == pytest.approx(6 / 16)
    # no losses at all: the pooled rate is 0, so a tie at 0 is certain
    assert trust.equal_losses_probability([0, 0], [10, 10]) == pytest.approx(1.0)


def test_losses_answers():
    spec = copy.deepcopy(STUDY["trust"]["losses"])
    assert trust.losses_check(spec, DATA, RULES, "w").answer == "no"
    zero = {"T-LOST-A": summary("T-LOST-A", "a", "0", "count", 10), "T-LOST-B": summary("T-LOST-B", "b", "0", "count", 10)}
    assert trust.losses_check(dict(spec, follow_up_weeks=52), zero, RULES, "w").answer == "yes"
    assert trust.losses_check(dict(spec, follow_up_weeks=51), zero, RULES, "w").answer == "no"
    # 40 / 40 of 100 each: pooled rate 0.4, P(X = Y) = sum_k b(k; 100, 0.4)^2 ~ 1 / (2 sqrt(pi 24))
    # = 0.058 (normal approximation, variance 100 x 0.4 x 0.6 = 24): above 0.05, so no flag
    tie = {"T-LOST-A": summary("T-LOST-A", "a", "40", "count", 100), "T-LOST-B": summary("T-LOST-B", "b", "40", "count", 100)}
    p = trust.equal_losses_probability([40, 40], [100, 100])
    assert p == pytest.approx(1 / (2 * math.sqrt(math.pi * 24)), rel=0.02)
    assert trust.losses_check(spec, tie, RULES, "w").answer == "no"
    # 400 / 400 of 1000 each: variance 240, P ~ 1 / (2 sqrt(pi 240)) = 0.018 < 0.05: a flag
    big = {"T-LOST-A": summary("T-LOST-A", "a", "400", "count", 1000), "T-LOST-B": summary("T-LOST-B", "b", "400", "count", 1000)}
    a = trust.losses_check(spec, big, RULES, "w")
    assert (a.answer, a.strength) == ("yes", "improbable")


# --- 4.1: eligibility ---------------------------------------------------------------------------

def test_eligibility_mean_outside_the_range():
    # age 67.2 (at least 67.15 before rounding) in a trial of ages 20-65
    bad, why = trust.eligibility_row(summary("A", "a", "67.2 ± 3.0", "mean_dispersion", 30, "sd"), 30, 20, 65)
    assert bad and "outside 20-65" in why
    # an open upper end: C-peptide >= 1; a mean of 0.95 (at most 0.955) cannot come from values >= 1
    assert trust.eligibility_row(summary("C", "a", "0.95", "mean", 30), 30, 1, None)[0]
    assert not trust.eligibility_row(summary("C", "a", "2.01", "mean", 30), 30, 1, None)[0]


def test_eligibility_sd_bounds():
    # 20 values at 0.5 and 25 at 0.9 (n 45, within 0.5-1.0): mean 0.7222, SD 0.2010 (statistics
    # module), printed 0.72 ± 0.20: possible.
    values = [0.5] * 20 + [0.9] * 25
    printed = f"{statistics.mean(values):.2f} ± {statistics.stdev(values):.2f}"
    assert printed == "0.72 ± 0.20"
    assert not trust.eligibility_row(summary("I", "a", printed, "mean_dispersion", 45, "sd"), 45, 0.5, 1.0)[0]
    # An SD of 0.30: by the Bhatia-Davis inequality the variance of values in [0.5, 1.0] with
    # mean m <= 0.725 is at most (1.0 - m)(m - 0.5) <= 0.275 x 0.225 = 0.061875, so the sample
    # SD is at most sqrt(45/44 x 0.061875) = 0.2516 < 0.295: impossible.
    assert math.sqrt(45 / 44 * 0.275 * 0.225) < 0.295
    bad, why = trust.eligibility_row(summary("I", "a", "0.72 ± 0.30", "mean_dispersion", 45, "sd"), 45, 0.5, 1.0)
    assert bad and "no 45 values" in why


# --- 2.1, 2.2 -------------------------------------------------------------------------------------

def test_registration_timing():
    assert trust.registration_timing("2014-12", "2015-10") == "in time"
    assert trust.registration_timing("2016-01", "2015-10") == "late"
    assert trust.registration_timing("2015-10", "2015-10") == "same month"
    assert trust.registration_timing("2015-10-20", "2015-10-05") == "late"
    assert trust.registration_timing("2015-10-01", "2015-10-05") == "in time"


def test_registration_and_ethics_answers():
    src = "the paper's Methods"
    block = {"registration": {"registry_id": "NCT00000000", "registered_on": "2016-01", "source": src},
             "recruitment": {"start": "2015-10", "end": "2016-12", "source": src}}
    assert trust.registration_check(block, RULES).answer == "yes"
    block["registration"]["registered_on"] = None
    assert trust.registration_check(block, RULES).answer == "unclear"
    block["registration"]["registry_id"] = None
    assert trust.registration_check(block, RULES).answer == "yes"
    full = {"committee": "a committee", "approval_number": "1", "approval_date": "2014-01", "source": src}
    assert trust.ethics_check(full, RULES).answer == "no"
    assert trust.ethics_check(dict(full, approval_date=None), RULES).answer == "unclear"
    assert trust.ethics_check(dict(full, committee=None, approval_number=None, approval_date=None), RULES).answer == "yes"


def test_recruitment_rate():
    # October 2015 to December 2018 is 3 x 12 + 3 = 39 months (both ends counted); 91 / 39 = 2.33
    block = {"recruitment": {"start": "2015-10", "end": "2018-12", "sites": 1, "screened": 183, "source": "s" * 10}}
    text = trust.recruitment_rate(block, {"a": 45, "b": 46})
    assert "91 randomised over 39 months" in text and "2.33 a month" in text and "183 screened" in text


# --- 4.7: effects against the pooled evidence -----------------------------------------------------

def test_prediction_interval():
    # effects -0.2 and -0.1, variances 0.04: weights 25 each, Q = 25 (0.05^2) x 2 = 0.125 < 1 so
    # tau^2 = 0; pooled -0.15 with SE sqrt(1/50) = 0.141421; 95% PI -0.15 +- 1.959964 x 0.141421
    pi = trust.prediction_interval([-0.2, -0.1], [0.04, 0.04])
    assert pi["tau2"] == 0
    assert pi["estimate"] == pytest.approx(-0.15)
    assert pi["low"] == pytest.approx(-0.15 - Z975 * math.sqrt(1 / 50))
    assert pi["high"] == pytest.approx(-0.15 + Z975 * math.sqrt(1 / 50))


def test_effects_answers():
    # -0.3 (-0.6 to 0.0) meets the interval -0.427 to 0.127 above: no
    assert trust.effects_check(TRIAL, RULES, POOLED, CORPUS).answer == "no"
    # -1.5 (-2.0 to -1.0) lies wholly below it: yes
    far = [corpus_row("Throwaway trial", -1.5, 0.5), *CORPUS[1:]]
    a = trust.effects_check(TRIAL, RULES, POOLED, far)
    assert (a.answer, a.strength) == ("yes", "improbable")
    # one other entry only: not comparable
    assert trust.effects_check(TRIAL, RULES, POOLED, CORPUS[:2]).answer == "unclear"
    assert trust.effects_check("nobody", RULES, POOLED, CORPUS).answer == "unclear"


# --- 4.3, 4.4, 4.6, 4.8, 4.9, 4.10 from a hand-built audit -----------------------------------------

def test_audit_checks_on_clean_rows():
    got = by_check(assess())
    for check in ("4.3", "4.4", "4.6", "4.8", "4.9", "4.10"):
        assert got[check].answer == "no", (check, got[check].evidence)
        assert got[check].how == trust.HOW_AUDIT
    # the claims behind each "no" are named: 4.8 rests on the GRIM and percentage rows
    assert got["4.8"].claims == ["T-AGE-A", "T-PCT-A"]
    assert "All 2 means" in got["4.8"].evidence


def test_impossible_percentage_answers_yes_with_its_finding():
    ledger = CLEAN_LEDGER + [ledger_row("T-PCT-B", "count", "discrepant")]
    got = by_check(assess(tables(ledger, [finding("F1", "impossible", ["T-PCT-B"], "GRIM for percentages")],
                                 [evidence("F1", "T-PCT-B")])))
    a = got["4.8"]
    assert (a.answer, a.strength, a.findings, a.claims) == ("yes", "impossible", ["F1"], ["T-PCT-B"])
    assert "1 of 3" in a.evidence and "F1 (impossible under every reading; GRIM for percentages)" in a.evidence


def test_strength_decides_yes():
    # a p that only a labelled reading reproduces: 4.9 lists it but answers no
    ledger = CLEAN_LEDGER + [ledger_row("T-P-02", "p", "discrepant")]
    got = by_check(assess(tables(ledger, [finding("F2", "reading", ["T-P-02"])], [evidence("F2", "T-P-02")])))
    assert got["4.9"].answer == "no" and got["4.9"].findings == ["F2"] and "F2" in got["4.9"].evidence
    # the same p under no reading: yes, discrepant
    got = by_check(assess(tables(ledger, [finding("F2", "discrepant", ["T-P-02"])], [evidence("F2", "T-P-02")])))
    assert (got["4.9"].answer, got["4.9"].strength) == ("yes", "discrepant")
    # a rounding-level slip never answers yes
    ledger = CLEAN_LEDGER + [ledger_row("T-PCT-C", "percent", "discrepant")]
    got = by_check(assess(tables(ledger, [finding("F3", "rounding", ["T-PCT-C"])], [evidence("F3", "T-PCT-C")])))
    assert got["4.8"].answer == "no"


def test_participant_rows_and_implied_n():
    # a sum of participants is 4.6; any other sum is 4.10
    ledger = CLEAN_LEDGER + [ledger_row("T-POP-02", "sum", "discrepant", quantity="placebo patients who did not complete, against Table 3"),
                             ledger_row("T-SUB-01", "sum", "discrepant", quantity="HbA1c reduction, subgroups against the whole")]
    got = by_check(assess(tables(ledger)))
    assert got["4.6"].answer == "yes" and got["4.6"].claims == ["T-POP-02"]
    assert got["4.10"].answer == "yes" and got["4.10"].claims == ["T-SUB-01"]
    # in no finding: the strength comes from the ledger and the evidence says so
    assert got["4.6"].strength == "discrepant" and "in no finding" in got["4.6"].evidence
    # "patients with an event" is an event count, not a participant number
    view = trust._StudyAudit(TRIAL, tables(), RULES)
    assert view.checks_of(ledger_row("E", "sum", "reproduced", quantity="patients with cerebral infarction")) == ["4.10"]
    assert view.checks_of(ledger_row("E", "agreement", "reproduced", quantity="patients in the arm (N)")) == ["4.4", "4.6"]
    # a finding whose checks include 'implied n' answers 4.6, with no participant row of its own
    got = by_check(assess(tables(CLEAN_LEDGER, [finding("F4", "reading", ["T-AGE-A"], "GRIM; implied n")],
                                 [evidence("F4", "T-AGE-A")])))
    assert (got["4.6"].answer, got["4.6"].strength, got["4.6"].findings) == ("yes", "reading", ["F4"])


def test_contradiction_and_flags():
    ledger = CLEAN_LEDGER + [ledger_row("T-ABS-02", "agreement", "discrepant")]
    got = by_check(assess(tables(ledger, [finding("F5", "contradiction", ["T-ABS-02"], "contradiction")],
                                 [evidence("F5", "T-ABS-02")])))
    assert (got["4.4"].answer, got["4.4"].strength) == ("yes", "contradiction")
    # repeated values (a flag) answer 4.3; a combined baseline p below 0.05 does too
    got = by_check(assess(tables(found=[finding("F6", "flag", ["T-AGE-A", "T-AGE-B"])])))
    assert (got["4.3"].answer, got["4.3"].strength) == ("yes", "flag")
    low = [dict(CARLISLE[0], value="0.01"), CARLISLE[1]]
    a = by_check(assess(tables(beyond=low)))["4.3"]
    assert (a.answer, a.strength) == ("yes", "improbable") and "more alike" in a.evidence
    assert RULES["carlisle"]["caution"] in a.evidence


def test_unmapped_statistic_stops():
    with pytest.raises(InputError, match="no check is mapped"):
        assess(tables(CLEAN_LEDGER + [ledger_row("T-NEW", "a_new_kind", "reproduced")]))


# --- the throwaway trials ---------------------------------------------------------------------------

def judged(tbl):
    answers = assess(tbl)
    domains = trust.judge_domains(answers, RULES)
    return answers, {d.id: d for d in domains}, trust.judge_overall(domains)


def test_throwaway_trial_with_clean_numbers_has_no_concerns_in_domain_4():
    answers, domains, overall = judged(tables())
    assert [a.answer for a in answers if a.check.startswith("4.")] == ["no"] * 11
    assert domains["D4"].level == "no concerns"
    # Domains 1-3 were not answered: every check unclear, so not assessed, and the overall
    # judgement rests on Domain 4
    assert {domains[d].level for d in ("D1", "D2", "D3")} == {"not assessed"}
    assert overall.level == "no concerns" and "Domains 1, 2, 3 not assessed" in overall.rule


def test_throwaway_trial_with_an_impossible_percentage_has_serious_concerns():
    ledger = CLEAN_LEDGER + [ledger_row("T-PCT-B", "count", "discrepant")]
    _, domains, overall = judged(tables(ledger, [finding("F1", "impossible", ["T-PCT-B"], "GRIM for percentages")],
                                        [evidence("F1", "T-PCT-B")]))
    assert domains["D4"].level == "serious concerns" and "4.8" in domains["D4"].rule
    assert overall.level == "serious concerns"


def test_domain_rules():
    def a(check, answer, strength=""):
        return trust.Answer(check, answer, trust.HOW_GIVEN, "e" * 10, "r", strength)

    def d2(*answers, rules=RULES):
        return {d.id: d for d in trust.judge_domains(list(answers), rules)}["D2"].level

    rest = [a(c, "no") for c in ("2.2", "2.3", "2.4", "2.5")]
    assert d2(a("2.1", "no"), *rest) == "no concerns"
    assert d2(a("2.1", "yes", "given"), *rest) == "some concerns"
    assert d2(a("2.1", "yes", "impossible"), *rest) == "serious concerns"
    assert d2(a("2.1", "unclear"), *rest) == "some concerns"               # judgement.unclear: raises
    ignored = copy.deepcopy(RULES)
    ignored["judgement"]["unclear"]["rule"] = "ignored"
    assert d2(a("2.1", "unclear"), *rest, rules=ignored) == "no concerns"
    assert d2(*[a(c, "unclear") for c in ("2.1", "2.2", "2.3", "2.4", "2.5")]) == "not assessed"
    # a retraction is serious whatever backs it (judgement.serious.checks)
    d1 = {d.id: d for d in trust.judge_domains([a("1.1", "yes", "given")], RULES)}["D1"]
    assert d1.level == "serious concerns"
    # the overall judgement is no better than the worst domain
    js = [trust.Judgement("D1", "", "some concerns", "", ""), trust.Judgement("D2", "", "no concerns", "", "")]
    assert trust.judge_overall(js).level == "some concerns"


def test_rendering(tmp_path):
    answers, domains, overall = judged(tables())
    rows = trust.table_rows(TRIAL, RULES, answers, list(domains.values()), overall)
    trust.write_csv(rows, tmp_path / "trust" / f"{TRIAL}.csv", trust.TABLE_COLUMNS)
    trust.write_csv([{"study": TRIAL, "inspect_sr": trust.APPLIES, "design": "d", "source": "s", "overall": overall.level,
                      "table": f"trust/{TRIAL}.csv"},
                     {"study": "series", "inspect_sr": trust.DOES_NOT_APPLY, "design": "a single-arm series",
                      "source": "paper.txt line 3: \"one arm\""},
                     {"study": "unknown", "inspect_sr": trust.NOT_STATED}],
                    tmp_path / "trust" / "index.csv", trust.INDEX_COLUMNS)
    md = trust.trust_table_markdown(TRIAL, tmp_path)
    assert sum(line.startswith("| ") for line in md.splitlines()) == 22      # the header and 21 checks
    assert "- Overall: **no concerns**" in md
    assert trust.domain4_sentence(TRIAL, tmp_path) == ("INSPECT-SR Domain 4 (results in the study): no concerns: "
                                                       "all 11 checks answered no or not applicable.")
    assert trust.domain4_sentence("series", tmp_path) == ("INSPECT-SR does not apply: this study is not a randomised "
                                                          "trial (a single-arm series; paper.txt line 3: \"one arm\").")
    assert trust.domain4_sentence("unknown", tmp_path).startswith("INSPECT-SR was not applied: the study's config "
                                                                  "does not say whether it is a randomised trial")
    ctx = trust.trust_context(TRIAL, tmp_path)
    assert ctx["applies"] and len(ctx["checks"]) == 21 and len(ctx["domains"]) == 4


# --- bad trust blocks -----------------------------------------------------------------------------

def test_bad_trust_blocks():
    study = copy.deepcopy(STUDY)
    study["trust"]["eligibility"]["criteria"][0]["rows"] = ["T-NOPE"]
    with pytest.raises(InputError, match="config/studies/throwaway.yaml, key 'trust.eligibility.criteria.0.rows'.*T-NOPE"):
        assess(study=study)
    study = copy.deepcopy(STUDY)
    study["trust"]["answers"]["4.2"] = {"answer": "no", "evidence": "e" * 10, "source": "s" * 10}
    with pytest.raises(InputError, match="a check given twice"):
        assess(study=study)
    study = copy.deepcopy(STUDY)
    study["trust"]["allocation"]["ratio"] = [1, 1, 1]
    with pytest.raises(InputError, match="one ratio term per arm"):
        assess(study=study)
    schema = _schema(ROOT / "workflow" / "schemas" / "study.schema.yaml")["$defs"]
    schema_doc = {"$defs": schema, **schema["trust"]}
    with pytest.raises(InputError, match="source"):            # a "no" needs its source
        _validate({"answers": {"1.1": {"answer": "no", "evidence": "Nothing was found."}}}, "x.yaml", schema_doc)
    with pytest.raises(InputError, match="4.4"):               # the audit's checks are not given by hand
        _validate({"answers": {"4.4": {"answer": "no", "evidence": "Nothing was found."}}}, "x.yaml", schema_doc)


# --- the real config ----------------------------------------------------------------------------------

def _normalised(text: str, hyphen: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"-\s*\n\s*", hyphen, text)).strip()


def _sources(node, path=""):
    if isinstance(node, dict):
        if {"file", "lines", "quote"} <= set(node):
            yield path, node
        for k, v in node.items():
            yield from _sources(v, f"{path}.{k}" if path else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _sources(v, f"{path}.{i}")


@pytest.mark.parametrize("study", STUDIES)
def test_trust_sources_quote_the_paper(study, papers_dir):
    """Every source of a study's study_type and trust block that quotes its paper finds the
    words at the lines given (line-end hyphenation and spacing aside)."""
    st = CONFIG["studies"][study]
    found = list(_sources({"study_type": st.get("study_type", {}), "trust": st.get("trust", {})}))
    for where, src in found:
        lines = (study_papers(CONFIG, study) / src["file"]).read_text(encoding="utf-8").splitlines()
        a, b = src["lines"]
        text = "\n".join(lines[a - 1:b])
        quote = re.sub(r"\s+", " ", src["quote"])
        assert quote in _normalised(text, "") or quote in _normalised(text, "-"), (where, src)


def test_every_study_says_whether_it_is_a_randomised_trial():
    # the index says for each study whether INSPECT-SR applies, with its design and source
    for study in STUDIES:
        assert "study_type" in CONFIG["studies"][study], study
    assert randomised_trials(CONFIG), "at least one configured study is a randomised trial"


@pytest.fixture(scope="module")
def trust_run(finished_run, tmp_path_factory):
    """The trust stage run by Snakemake on a copy of the finished run. Until the findings stage
    (issue 18) writes results/audit/findings.csv, an empty findings table with its fixed
    columns stands in: every problem's strength then comes from the ledger."""
    workdir = tmp_path_factory.mktemp("trust") / "run"
    shutil.copytree(finished_run, workdir, symlinks=True)
    audit = workdir / "results" / "audit"
    for name, columns in (("findings.csv", FINDING_COLUMNS), ("finding_evidence.csv", EVIDENCE_COLUMNS)):
        if not (audit / name).exists():
            trust.write_csv([], audit / name, columns)
    result = run_snakemake(workdir, f"{CONFIG['results_dir']}/trust/index.csv")
    assert result.returncode == 0, result.stderr[-3000:]
    return workdir / CONFIG["results_dir"] / "trust"


def test_real_trials_answer_all_21_checks(trust_run):
    trials = randomised_trials(CONFIG)
    index = {r["study"]: r for r in trust.read_csv(trust_run / "index.csv")}
    assert sorted(index) == STUDIES
    for study in STUDIES:
        row = index[study]
        if study not in trials:
            assert row["inspect_sr"] == trust.DOES_NOT_APPLY and row["design"] and row["source"]
            assert not (trust_run / f"{study}.csv").exists()
            continue
        rows = trust.read_csv(trust_run / f"{study}.csv")
        checks = [r for r in rows if r["level"] == "check"]
        assert [r["id"] for r in checks] == list(RULES["checks"])
        for r in checks:
            assert r["answer"] in trust.ANSWERS and r["evidence"] and r["rule"], r
            assert r["how"] in (trust.HOW_AUDIT, trust.HOW_PARTLY, trust.HOW_GIVEN, trust.HOW_NOT_GIVEN), r
            if r["how"] == trust.HOW_AUDIT and r["answer"] in ("yes", "no"):
                assert r["findings"] or r["claims"], r           # every computed answer names what it rests on
            if r["how"] == trust.HOW_GIVEN and r["answer"] != "unclear":
                assert r["source"], r
        domains = [r for r in rows if r["level"] == "domain"]
        assert [r["answer"] for r in domains] == [row[f"domain_{d}"] for d in "1234"]
        assert all(r["answer"] in (trust.NO_CONCERNS, trust.SOME, trust.SERIOUS, trust.NOT_ASSESSED) and r["rule"]
                   for r in domains)
        overall = next(r for r in rows if r["level"] == "overall")
        assert overall["answer"] == row["overall"] and overall["rule"].startswith("no better than the worst domain")
        assert trust.domain4_sentence(study, trust_run.parent).startswith("INSPECT-SR Domain 4")


def test_trust_tables_are_deterministic(trust_run, tmp_path, monkeypatch):
    """The package, run again on the same audit, writes the pipeline's bytes."""
    from reanalysis.inputs.config import load_beyond

    monkeypatch.chdir(ROOT)
    tbl = trust.read_audit(trust_run.parent, randomised_trials(CONFIG))
    written = trust.write_tables(CONFIG, RULES, load_beyond(CONFIG), tmp_path, tbl)
    for path in written:
        assert path.read_bytes() == (trust_run / path.name).read_bytes(), path.name
