"""A synthetic corpus: simulated papers, truthfully summarised, with errors of known kinds.

``python -m reanalysis.corpus.synth --studies N --seed S --out DIR [--error-rate R] [--ensure KIND,...]``
writes a self-contained mini-repository in the project's own input format:

- ``DIR/config/config.yaml`` (shared settings; ``papers_dir: papers``) and
  ``DIR/config/studies/<study>.yaml``, one per study;
- ``DIR/raw/<study>/...`` and ``DIR/raw/MANIFEST.sha256`` (signed with
  ``reanalysis.inputs.manifest.sign``);
- ``DIR/papers/<study>.txt``: the generated plain-text paper; every printed value and claim
  stands verbatim at the line its transcription cites;
- ``DIR/workflow/schemas/``: a copy of the engine's schemas (the config and the summary
  studies name them by path relative to the repository root, so the corpus runs with
  ``snakemake --snakefile <repo>/Snakefile --directory DIR``);
- ``DIR/truth.csv``: one row per printed summary row and per claim (see TRUTH_COLUMNS):
  clean, the error injected into it, or affected by an error injected elsewhere (a
  p-value computed from a mean that was then mistyped), with what a correct audit must say.

Two designs, alternating (every third study is patient-level):

- summary-level: a two-arm randomised trial (active vs placebo, n 40-50 per arm, as in a
  phase II trial of Zang's size) printing mean ± SD per arm and time point (2 decimals),
  n (%) counts (percent to 2 decimals), a median (IQR), a printed range, and p-values of
  Student's two-sample t-test, Pearson's chi-square on a 2x2 table and the paired t-test of
  each arm against baseline (whose within-patient r is in the data, not in the paper),
  printed to 3 or 4 decimals or as "< 0.001";
- patient-level: a table of patients (sex, age, HbA1c before and after, months observed)
  with claims on it: n, means and SDs, paired-t p overall and in two severity subgroups,
  a two-group t-test between them, a correlation, the follow-up's median and range.

Every printed number is derived from data simulated with a seeded ``numpy`` Generator
(``default_rng([seed, study_index])``), so the same seed gives a byte-identical corpus.
Then errors are injected, each printed item with probability ``error_rate`` (see KINDS);
one error's footprint (the item and every printed item checked against it) never
overlaps another's, so each detection is attributable.

The generator checks its own injections independently of the engine (its own GRIM, the
Bhatia-Davis bound on an SD, exact rounding with ``decimal``/``fractions``).

Kinds of error (KINDS), each only where it is an error of that kind and nothing else:
mistyped_mean / mistyped_sd (one digit of a printed mean or SD changed; an age mean stays
GRIM-possible), wrong_p (a p off by a factor of 3-10, same side of alpha), decision_error
(a p on the other side of alpha; in summary-level studies only for true p <= 0.02 or >= 0.1,
so that the rounding of the inputs cannot bridge alpha), grim_impossible (an age mean no n
whole numbers can have), percent_slip (the percent of an n (%) not count / n), truncation
(a percent or a patient-level mean truncated where that differs from rounding), wrong_n (an
arm's printed N, and the n of every row printed for that arm, off by 1-3; or the total of a
patient-level study), sd_infeasible (the SD of the insulin-free onset, whose range is
printed, above the largest SD any sample in that range can have), duplicate (one arm's
mean ± SD printed again for the other arm at the same outcome and time point; must-detect only
where chance makes the repeat unlikely: its chance, worked out by quadrature in
``_duplicate_chance`` apart from the engine, times the study's number of comparisons, at
most alpha).

truth.csv, one row per printed summary row and claim:

- ``study``, ``design``, ``id`` (value_id or claim_id, as in the ledger's claim_id),
  ``table`` (summaries or claims), ``where`` (the form of the row and whether it is printed
  twice, or the test behind a claim), ``printed`` (the printed text);
- ``error``: ``clean``, a kind of KINDS (injected here), or ``affected`` (checked against an
  error injected into ``caused_by``);
- ``expected``: what a correct audit says: ``not_discrepant`` (clean), ``discrepant``
  (injected), ``either`` (affected);
- ``must_detect``: ``true`` where the error is detectable by construction (an impossible
  value, an exact recomputation, a value printed twice, a p far from alpha; a paired p
  from printed means ± SD only where no within-patient r in [-1, 1] and no rounding of
  those values gives a p on the printed side of alpha (a decision error) or one that
  rounds to the printed p (a wrong p), worked in ``_paired_p_span``);
  ``false`` where it may lie within what the rounding of other printed values, or an
  unprinted r, allows;
- ``decision_error``: ``true`` for an injected decision error, ``false`` for a clean or
  wrongly printed p on the right side of alpha;
- ``detect_rule``, ``detect_by``, ``detect_statistic``: what counts as detected: an
  as_reported ledger row of one of the ``detect_by`` ids that is discrepant (restricted to
  the target's rows of ``detect_statistic`` where given), discrepant with a decision error,
  or flagged as a repeated value (``reanalysis.corpus.validity`` applies them);
- ``digit`` (last or other, for a mistyped digit), ``correct`` (what a correct paper
  prints there), ``detail`` (the error in words).
"""
from __future__ import annotations

import argparse
import csv
import io
import math
import shutil
import sys
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from pathlib import Path

import numpy as np
import yaml
from scipy import stats

from reanalysis.engine.checks import kind_of, synthetic_kind
from reanalysis.inputs import manifest

ALPHA = 0.05
# Kinds of injected error, with what counts as detecting each (validity.DETECTION says the same
# per kind in words).
KINDS = {
    "mistyped_mean": "one digit of a printed mean changed",
    "mistyped_sd": "one digit of a printed SD changed",
    "wrong_p": "a printed p-value off by a factor of 3-10, on the same side of alpha",
    "decision_error": "a printed p-value on the other side of alpha",
    "grim_impossible": "a mean of an integer outcome (age) that no n integers can have",
    "percent_slip": "the percent of an n (%) does not match count / n",
    "truncation": "a value truncated instead of rounded (where the two differ)",
    "wrong_n": "the n printed for an arm (or the whole sample) is not the n of the data",
    "sd_infeasible": "an SD larger than any sample within its printed range can have",
    "duplicate": "one arm's mean ± SD printed again for the other arm",
}
SUMMARY_KINDS = tuple(KINDS)
PATIENT_KINDS = ("mistyped_mean", "mistyped_sd", "wrong_p", "decision_error", "truncation", "wrong_n")

TRUTH_COLUMNS = [
    "study", "design", "id", "table", "where", "error", "caused_by", "expected", "must_detect",
    "decision_error", "detect_rule", "detect_by", "detect_statistic", "digit", "printed",
    "correct", "detail"]
# expected: not_discrepant (clean), discrepant (injected), either (affected by an injection
# elsewhere: the audit may or may not see the inconsistency on this row).
NOT_DISCREPANT, DISCREPANT, EITHER = "not_discrepant", "discrepant", "either"
CLEAN, AFFECTED = "clean", "affected"

SUMMARY_COLUMNS = ["value_id", "source_file", "source_line", "location", "outcome", "quantity", "arm",
                   "timepoint", "n", "reported", "value", "form", "dispersion", "same_as", "marker",
                   "repair_note", "note"]
CLAIM_COLUMNS = ["claim_id", "source_file", "source_line", "location", "quantity", "reported", "claim",
                 "claim_basis", "scale", "check", "also_in", "note"]
PATIENT_COLUMNS = ["row_id", "printed_position", "source_line", "sex", "age", "hba1c_before",
                   "hba1c_after", "months_observed", "repair_note"]


# ---------------------------------------------------------------- numbers as papers print them

def _dec(x) -> Decimal:
    """An exact Decimal of a Fraction (to 50 digits), int or Decimal; a float by its repr."""
    if isinstance(x, Decimal):
        return x
    if isinstance(x, Fraction):
        with localcontext() as ctx:
            ctx.prec = 50
            return Decimal(x.numerator) / Decimal(x.denominator)
    if isinstance(x, (int, np.integer)):
        return Decimal(int(x))
    return Decimal(repr(float(x)))


def fmt(x, decimals: int, rounding=ROUND_HALF_UP) -> str:
    """x printed to ``decimals`` places (half-up, as papers round; or truncated)."""
    d = _dec(x).quantize(Decimal(1).scaleb(-decimals), rounding=rounding)
    if d == 0:
        d = abs(d)
    return format(d, "f")


def roundings(x, decimals: int) -> set[str]:
    """Every correct printing of x: half-up and half-even (they differ only on a tie)."""
    return {fmt(x, decimals, ROUND_HALF_UP), fmt(x, decimals, ROUND_HALF_EVEN)}


def decimals_of(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def p_claim(p: float, decimals: int) -> str:
    """A p-value as printed: 'p < 0.001' below 0.001, else to 3 or 4 decimals."""
    return "< 0.001" if p < 0.001 else fmt(p, decimals)


def grim_possible(mean_text: str, n: int) -> bool:
    """Can n integers have a mean printing as ``mean_text`` (rounded up or down)?"""
    m = Decimal(mean_text)
    half = Decimal(1).scaleb(-decimals_of(mean_text)) / 2
    lo, hi = (m - half) * n, (m + half) * n
    return math.ceil(lo) <= math.floor(hi)


def exact_mean_sd(values) -> tuple[Fraction, Decimal]:
    """Mean and sample SD (n - 1) of decimal data, exactly (the SD to 40 digits)."""
    xs = [Fraction(str(v)) for v in values]
    n = len(xs)
    mean = sum(xs) / n
    var = sum((x - mean) ** 2 for x in xs) / (n - 1)
    with localcontext() as ctx:
        ctx.prec = 40
        sd = (Decimal(var.numerator) / Decimal(var.denominator)).sqrt()
    return mean, sd


def mistype(text: str, rng, ok) -> tuple[str, str] | None:
    """``text`` with one digit changed (a random place, a random other digit) such that
    ``ok(new)``; returns (new text, 'last' or 'other' digit), or None."""
    places = [i for i, ch in enumerate(text) if ch.isdigit()]
    integer_digits = len(text.split(".")[0].lstrip("-"))
    for i in rng.permutation(places):
        i = int(i)
        digits = [d for d in "0123456789" if d != text[i]]
        if i == places[0] and integer_digits > 1:
            digits.remove("0")          # no leading zero: '52.31' never becomes '02.31'
        for d in rng.permutation(digits):
            new = text[:i] + str(d) + text[i + 1:]
            if ok(new):
                return new, "last" if i == places[-1] else "other"
    return None


# ---------------------------------------------------------------- printed items

@dataclass
class Row:
    """One printed descriptive value of a summary-level study (a row of summaries.csv)."""

    value_id: str
    location: str
    outcome: str
    quantity: str
    arm: str
    timepoint: str
    n: int | None
    form: str
    parts: dict
    dispersion: str | None = None
    same_as: str | None = None
    unit: str = ""
    note: str = ""
    exact: dict = field(default_factory=dict)

    def value(self) -> str:
        p = self.parts
        return {"mean_dispersion": lambda: f"{p['mean']} ± {p['dispersion']}",
                "count_percent": lambda: f"{p['count']} ({p['percent']})",
                "median_iqr": lambda: f"{p['median']} ({p['q1']}-{p['q3']})",
                "range": lambda: f"{p['low']}-{p['high']}",
                "count": lambda: p["count"]}[self.form]()

    def reported(self) -> str:
        p = self.parts
        if self.form == "count":
            return f"(N = {p['count']})"
        if self.form == "count_percent":
            return f"{p['count']} ({p['percent']}%)"
        if self.form == "range":
            return f"{p['low']}–{p['high']}{self.unit}"
        return self.value() + self.unit

    @property
    def id(self) -> str:
        return self.value_id


@dataclass
class Claim:
    """One printed claim (a row of claims.csv)."""

    claim_id: str
    location: str
    quantity: str
    check: str
    claim: str
    style: str             # table_p | text_p | value
    template: str = "{}"
    exact: object = None   # the true value (p, mean, ...)
    decimals: int | None = None
    stat: str = ""         # p, mean, sd, count, difference, sum, r, median, min, max
    test: str = ""         # which computation: its check's kind (summary-level) or patient:<analysis>

    def reported(self) -> str:
        if self.style == "table_p":
            shown = self.claim
        elif self.style == "text_p":
            shown = "p " + (self.claim if self.claim[0] in "<>" else f"= {self.claim}")
        else:
            shown = self.claim
        return self.template.format(shown)

    @property
    def id(self) -> str:
        return self.claim_id


@dataclass
class Study:
    name: str
    design: str
    rng: np.random.Generator
    title: str
    rows: dict = field(default_factory=dict)       # value_id -> Row (summary-level)
    claims: dict = field(default_factory=dict)     # claim_id -> Claim
    checks: dict = field(default_factory=dict)
    lines: list = field(default_factory=list)      # each a list of str | Row | Claim
    config: dict = field(default_factory=dict)     # the study's settings besides checks
    patients: list = field(default_factory=list)   # patient-level table rows
    extra_files: dict = field(default_factory=dict)
    p_decimals: int = 4
    injections: list = field(default_factory=list)  # truth records of injected errors
    affected: dict = field(default_factory=dict)    # id -> (kind, injected id)
    used: set = field(default_factory=set)          # ids inside some injection's footprint
    stats: list = field(default_factory=list)       # PrintedStat: the statistics section
    decoys: list = field(default_factory=list)      # its lines that print no checkable result
    stat_rng: object = None                         # the section's own generator
    stat_truth: list = field(default_factory=list)  # rows of stat_truth.csv

    def line(self, *segments) -> None:
        self.lines.append(list(segments))

    def add_row(self, row: Row) -> Row:
        self.rows[row.value_id] = row
        return row

    def add_claim(self, claim: Claim) -> Claim:
        self.claims[claim.claim_id] = claim
        return claim

    def items(self) -> list:
        return list(self.rows.values()) + list(self.claims.values())


# ---------------------------------------------------------------- summary-level trial

# Physiological and logical ranges of the summary-level outcomes (raw/<study>/ranges.yaml);
# an injected error stays inside them, or input validation would stop the study.
SUMMARY_RANGES = {
    "age": {"minimum": 0, "maximum": 120},
    "bmi": {"minimum": 10, "maximum": 80},
    "diabetes_duration": {"minimum": 0},
    "fpg": {"exclusiveMinimum": 0},
    "hba1c": {"minimum": 3, "maximum": 20},
    "insulin_free_onset": {"minimum": 0},
    "n_randomised": {"minimum": 1},
}
ARMS = ("active", "placebo")
# The places of the trial where a check kind's generator makes the check and the truth of its
# claim (reanalysis.engine.checks.SYNTHETIC_CASES says what each offers; one kind declares each).
CONTINUOUS, BINARY, WITHIN_ARM = "arms_continuous", "arms_binary", "within_arm"
TOTAL, CHANGE, BOUNDED = "total", "change", "bounded_sample"
ARM_CODE = {"active": "ACT", "placebo": "PLA"}
ARM_LABEL = {"active": "Active", "placebo": "Placebo"}
WEEKS = (12, 24, 48)


def _simulate_arm(rng, n: int, effect: float) -> dict:
    age = np.clip(np.rint(rng.normal(54, 9, n)), 25, 80).astype(int)
    male = rng.random(n) < 0.55
    bmi = np.clip(rng.normal(26.5, 3.8, n), 17, 45)
    duration = np.exp(rng.normal(math.log(8), 0.5, n))
    person = rng.normal(0, 0.35, n)            # a patient's own response: r between visits
    hba1c = {0: np.clip(rng.normal(8.6, 1.1, n), 6.5, 13.0)}
    for week in WEEKS:
        fall = effect * min(1.0, week / 24)
        hba1c[week] = np.clip(hba1c[0] - fall + person + rng.normal(0, 0.5 + 0.3 * week / 48, n), 4.5, 16)
    fpg0 = np.clip(rng.normal(9.8, 2.3, n), 5, 20)
    fpg48 = np.clip(fpg0 - 0.9 * effect + rng.normal(0, 1.5, n), 3.5, 25)
    return {"age": age, "male": male, "bmi": bmi, "duration": duration, "hba1c": hba1c,
            "fpg": {0: fpg0, 48: fpg48}}


@dataclass
class _Paper:
    """A summary-level paper being built: its study, arms' n and simulated patients, and the
    helpers that add its printed rows and claims (claims numbered per section)."""

    s: Study
    n: dict
    sim: dict
    claim_no: dict = field(default_factory=lambda: {"T1": 0, "T2": 0, "ABS": 0, "TXT": 0})

    def mean_sd_row(self, vid, location, outcome, quantity, arm, timepoint, x, unit="", integer=False,
                    n_row=None):
        if integer:
            m, sd = exact_mean_sd([int(v) for v in x])
        else:
            m, sd = float(np.mean(x)), float(np.std(x, ddof=1))
        return self.s.add_row(Row(vid, location, outcome, quantity, arm, timepoint, n_row or len(x),
                                  "mean_dispersion", {"mean": fmt(m, 2), "dispersion": fmt(sd, 2)},
                                  dispersion="sd", unit=unit, exact={"mean": m, "sd": sd},
                                  note="Data are mean ± SD"))

    def count_row(self, vid, location, outcome, quantity, arm, timepoint, count, n_row):
        return self.s.add_row(Row(vid, location, outcome, quantity, arm, timepoint, n_row, "count_percent",
                                  {"count": str(count), "percent": fmt(Fraction(100 * count, n_row), 2)},
                                  exact={"count": count, "percent": Fraction(100 * count, n_row)}))

    def claim(self, section, location, quantity, check, text, style, template="{}", **kw):
        self.claim_no[section] += 1
        return self.s.add_claim(Claim(f"S-{section}-{self.claim_no[section]:02d}", location, quantity, check,
                                      text, style, template, **kw))

    def p_of(self, check, p, section, location, quantity, style="table_p", template="{}"):
        pd_ = self.s.p_decimals
        return self.claim(section, location, quantity, check, p_claim(p, pd_), style, template, exact=p,
                          decimals=pd_, stat="p", test=self.s.checks[check]["kind"])

    def check(self, name, case, ids, data):
        """The check named ``name`` on the printed rows ``ids`` (value_ids by role), made by the
        kind whose generator takes ``case`` (the registry's), from the simulated ``data`` behind
        them: it joins the study's checks, and the true value of its statistic is returned."""
        spec, value = synthetic_kind(case).synthetic.generate(self.s.rng, ids, data)
        self.s.checks[name] = spec
        return value

    def stated(self, check, value, text, quantity, template):
        """The Results text's claim of its check's statistic (the kind's), ``value`` printed as ``text``."""
        spec = self.s.checks[check]
        return self.claim("TXT", "Results", quantity, check, text, "value", template, exact=value,
                          decimals=decimals_of(text), stat=kind_of(spec).claim_statistic(spec), test=spec["kind"])

    def arms_compared(self, check, case, cells, data):
        """A check comparing the arms' printed cells; the true p."""
        return self.check(check, case, {"a": cells["active"].value_id, "b": cells["placebo"].value_id},
                          {"a": data["active"], "b": data["placebo"]})


def _summary_table1(b: _Paper) -> tuple[dict, list, dict]:
    """Table 1, baseline: the arms' N, four continuous outcomes (t-tests), male patients
    (chi-square) and the duration of diabetes (median (IQR)). Returns the header cells, the
    printed lines (label, cells, p claim) and the baseline rows by outcome."""
    s, sim, n, C = b.s, b.sim, b.n, ARM_CODE
    header = {arm: s.add_row(Row(f"S-T1-N-{C[arm]}", "Table 1", "n_randomised",
                                 "patients in the arm (N), Table 1 header", arm, "baseline", n[arm], "count",
                                 {"count": str(n[arm])})) for arm in ARMS}
    t1 = []   # (label, cells, p claim) in printed order
    continuous = [("age", "Age (years)", "age (years), mean ± SD", lambda a: sim[a]["age"], True),
                  ("bmi", "BMI (kg/m2)", "BMI (kg/m2), mean ± SD", lambda a: sim[a]["bmi"], False),
                  ("hba1c", "HbA1c (%)", "HbA1c (%), mean ± SD", lambda a: sim[a]["hba1c"][0], False),
                  ("fpg", "FPG (mmol/L)", "fasting plasma glucose (mmol/L), mean ± SD",
                   lambda a: sim[a]["fpg"][0], False)]
    base_rows = {}
    for outcome, label, quantity, data, integer in continuous:
        cells = {arm: b.mean_sd_row(f"S-T1-{outcome.upper()}-{C[arm]}", "Table 1", outcome, quantity, arm,
                                    "baseline", data(arm), integer=integer) for arm in ARMS}
        base_rows[outcome] = cells
        check = f"t1_{outcome}"
        p = b.arms_compared(check, CONTINUOUS, cells, {arm: data(arm) for arm in ARMS})
        t1.append((label, cells, b.p_of(check, p, "T1", "Table 1",
                                        f"p, active vs placebo, {quantity.split(',')[0]} at baseline "
                                        "(Student two-sample t-test)")))
        if outcome == "age":
            t1 += _summary_sex_and_duration(b)
    return header, t1, base_rows


def _summary_sex_and_duration(b: _Paper) -> list:
    """Table 1's male patients (chi-square) and duration of diabetes (median (IQR)) lines."""
    s, sim, n, C = b.s, b.sim, b.n, ARM_CODE
    males = {arm: b.count_row(f"S-T1-MALE-{C[arm]}", "Table 1", "male", "male patients, n (%)", arm,
                              "baseline", int(sim[arm]["male"].sum()), n[arm]) for arm in ARMS}
    p = b.arms_compared("t1_male", BINARY, males, {arm: sim[arm]["male"] for arm in ARMS})
    lines = [("Male, n (%)", males, b.p_of("t1_male", p, "T1", "Table 1",
                                           "p, active vs placebo, male patients (chi-squared test)"))]
    duration = {}
    for arm in ARMS:
        q1, med, q3 = np.percentile(sim[arm]["duration"], [25, 50, 75])
        duration[arm] = s.add_row(Row(
            f"S-T1-DUR-{C[arm]}", "Table 1", "diabetes_duration",
            "duration of diabetes (years), median (IQR)", arm, "baseline", n[arm], "median_iqr",
            {"median": fmt(med, 1), "q1": fmt(q1, 1), "q3": fmt(q3, 1)}))
    lines.append(("Diabetes duration (years)", duration, None))
    return lines


def _summary_table2(b: _Paper) -> tuple[list, dict]:
    """Table 2, follow-up: HbA1c each week and FPG at week 48 (t-tests), patients at target
    (chi-square). Returns the printed lines and the follow-up rows by (outcome, week)."""
    sim, n, C = b.sim, b.n, ARM_CODE
    t2 = []
    follow = {}
    for week in WEEKS:
        cells = {arm: b.mean_sd_row(f"S-T2-HBA1C-W{week}-{C[arm]}", "Table 2", "hba1c", "HbA1c (%), mean ± SD",
                                    arm, f"week_{week}", sim[arm]["hba1c"][week]) for arm in ARMS}
        follow[("hba1c", week)] = cells
        check = f"t2_hba1c_week_{week}"
        p = b.arms_compared(check, CONTINUOUS, cells, {arm: sim[arm]["hba1c"][week] for arm in ARMS})
        t2.append((f"HbA1c at week {week} (%)", cells,
                   b.p_of(check, p, "T2", "Table 2",
                          f"p, active vs placebo, HbA1c at week {week} (Student two-sample t-test)")))
    cells = {arm: b.mean_sd_row(f"S-T2-FPG-W48-{C[arm]}", "Table 2", "fpg",
                                "fasting plasma glucose (mmol/L), mean ± SD", arm, "week_48", sim[arm]["fpg"][48])
             for arm in ARMS}
    follow[("fpg", 48)] = cells
    p = b.arms_compared("t2_fpg_week_48", CONTINUOUS, cells, {arm: sim[arm]["fpg"][48] for arm in ARMS})
    t2.append(("FPG at week 48 (mmol/L)", cells,
               b.p_of("t2_fpg_week_48", p, "T2", "Table 2",
                      "p, active vs placebo, FPG at week 48 (Student two-sample t-test)")))
    at_target = {arm: sim[arm]["hba1c"][48] < 7.0 for arm in ARMS}
    cells = {arm: b.count_row(f"S-T2-TARGET-W48-{C[arm]}", "Table 2", "hba1c_lt7",
                              "patients with HbA1c < 7.0% at week 48, n (%)", arm, "week_48",
                              int(at_target[arm].sum()), n[arm])
             for arm in ARMS}
    p = b.arms_compared("t2_target_week_48", BINARY, cells, at_target)
    t2.append(("HbA1c < 7.0% at week 48, n (%)", cells,
               b.p_of("t2_target_week_48", p, "T2", "Table 2",
                      "p, active vs placebo, patients with HbA1c < 7.0% at week 48 (chi-squared test)")))
    return t2, follow


def _summary_within_arm(b: _Paper, base_rows: dict, follow: dict) -> dict:
    """Within-arm tests against baseline (paired t on the patients; r is in the data only):
    the checks, and the true p by (outcome, arm)."""
    paired = {}
    for outcome, week in (("hba1c", 48), ("fpg", 48)):
        for arm in ARMS:
            data = b.sim[arm][outcome]
            paired[(outcome, arm)] = b.check(
                f"vsbl_{outcome}_{arm}", WITHIN_ARM,
                {"before": base_rows[outcome][arm].value_id, "after": follow[(outcome, week)][arm].value_id},
                {"before": data[0], "after": data[week]})
    return paired


def _summary_abstract(b: _Paper, base_rows: dict, follow: dict, paired: dict) -> tuple[dict, dict]:
    """The abstract restates the HbA1c means (same_as the tables) and the within-arm p."""
    abstract = {}
    for arm in ARMS:
        for tp, src in (("baseline", base_rows["hba1c"][arm]), ("week_48", follow[("hba1c", 48)][arm])):
            tag = "BL" if tp == "baseline" else "W48"
            abstract[(arm, tp)] = b.s.add_row(Row(
                f"S-ABS-HBA1C-{tag}-{ARM_CODE[arm]}", "Abstract", "hba1c", "HbA1c (%), mean ± SD", arm, tp, src.n,
                "mean_dispersion", dict(src.parts), dispersion="sd", same_as=src.value_id, unit="%",
                exact=dict(src.exact)))
    abs_p = {arm: b.p_of(f"vsbl_hba1c_{arm}", paired[("hba1c", arm)], "ABS", "Abstract",
                         f"p, {arm} arm, HbA1c at week 48 vs baseline (paired t-test)", "text_p", "({})")
             for arm in ARMS}
    return abstract, abs_p


def _summary_text(b: _Paper, header: dict, base_rows: dict, follow: dict, paired: dict) -> dict:
    """The Results text: the randomised total (TOTAL), each arm's HbA1c decrease (CHANGE),
    the FPG within-arm p, and the insulin-free patients of the active arm with their onset
    (mean ± SD and range: BOUNDED)."""
    s, sim, n, rng = b.s, b.sim, b.n, b.s.rng
    total = b.check("randomised_total", TOTAL, {"parts": [header[a].value_id for a in ARMS]},
                    {"parts": [n[a] for a in ARMS]})
    out = {"total": b.stated("randomised_total", total, str(total), "patients randomised (total)",
                             "A total of {} patients")}
    decrease = {}
    for arm in ARMS:
        check = f"hba1c_decrease_{arm}"
        d = b.check(check, CHANGE, {"a": base_rows["hba1c"][arm].value_id, "b": follow[("hba1c", 48)][arm].value_id},
                    {"a": sim[arm]["hba1c"][0], "b": sim[arm]["hba1c"][48]})
        template = "{} percentage points in the active arm" if arm == "active" else "{} in the placebo arm"
        decrease[arm] = b.stated(check, d, fmt(d, 2), f"decrease in mean HbA1c, baseline to week 48, {arm} arm "
                                 "(percentage points)", template)
    out["decrease"] = decrease
    out["fpg_p"] = {arm: b.p_of(f"vsbl_fpg_{arm}", paired[("fpg", arm)], "TXT", "Results",
                                f"p, {arm} arm, FPG at week 48 vs baseline (paired t-test)", "text_p",
                                "({}) in the " + arm + " arm") for arm in ARMS}
    # insulin-free patients of the active arm: how many, when (mean ± SD, range)
    k = int(rng.integers(4, 10))
    while True:
        onset = rng.integers(4, 41, k)
        if len(set(onset.tolist())) > 2:
            break
    out["free"] = b.count_row("S-TXT-FREE-ACT", "Results", "insulin_free", "patients insulin-free, n (%)",
                              "active", "week_48", k, n["active"])
    m, sd = exact_mean_sd([int(v) for v in onset])
    out["onset"] = s.add_row(Row("S-TXT-ONSET-ACT", "Results", "insulin_free_onset",
                                 "onset of insulin independence (weeks), mean ± SD", "active", "week_48", k,
                                 "mean_dispersion", {"mean": fmt(m, 2), "dispersion": fmt(sd, 2)}, dispersion="sd",
                                 exact={"mean": m, "sd": sd}))
    out["range"] = s.add_row(Row("S-TXT-ONSET-RANGE-ACT", "Results", "insulin_free_onset",
                                 "onset of insulin independence (weeks), range", "active", "week_48", k, "range",
                                 {"low": str(int(onset.min())), "high": str(int(onset.max()))}, unit=" weeks"))
    b.check("onset_sd", BOUNDED, {"a": out["onset"].value_id, "range": out["range"].value_id}, {"a": onset})
    return out


def _summary_lines(s: Study, header, t1, t2, abstract, abs_p, text) -> None:
    """The paper, line by line."""
    s.line(f"Synthetic paper {s.name}: {s.title}")
    s.line("Machine-generated for testing the reanalysis pipeline: every number is simulated.")
    s.line("")
    s.line("Abstract")
    s.line("Methods: adults with type 2 diabetes were randomised to active treatment or placebo "
           "and followed for 48 weeks.")
    for arm in ARMS:
        s.line(f"Results: in the {arm} arm HbA1c went from ", abstract[(arm, "baseline")], " at baseline to ",
               abstract[(arm, "week_48")], " at week 48 ", abs_p[arm], ".")
    s.line("")
    s.line("Results")
    s.line(text["total"], " were randomised; Table 1 gives their baseline characteristics.")
    s.line("Table 1. Baseline characteristics (mean ± SD, n (%) or median (IQR)).")
    s.line("| Characteristic | Active ", header["active"], " | Placebo ", header["placebo"], " | p |")
    for label, cells, p in t1:
        s.line(f"| {label} | ", cells["active"], " | ", cells["placebo"], " | ", *( [p] if p else ["-"]), " |")
    s.line("Table 2. HbA1c and FPG during follow-up (mean ± SD) and patients at target, n (%).")
    s.line("| Outcome | Active | Placebo | p |")
    for label, cells, p in t2:
        s.line(f"| {label} | ", cells["active"], " | ", cells["placebo"], " | ", p, " |")
    s.line("The decrease in mean HbA1c from baseline to week 48 was ", text["decrease"]["active"], " and ",
           text["decrease"]["placebo"], ".")
    s.line("Compared with baseline, FPG at week 48 differed ", text["fpg_p"]["active"], " and ",
           text["fpg_p"]["placebo"], ".")
    s.line(text["free"], " patients of the active arm became insulin-free, after ", text["onset"], " weeks (range ",
           text["range"], ").")


def build_summary(name: str, rng, seed: int) -> Study:
    """A simulated two-arm trial printed as a summary-level paper: its rows, claims, checks
    (each made by the kind that generates its case: CONTINUOUS, BINARY, WITHIN_ARM, TOTAL,
    CHANGE, BOUNDED), text and config. The sections are built in a fixed order, so the draws
    from ``rng`` are."""
    n = {arm: int(rng.integers(40, 51)) for arm in ARMS}
    effect = {"active": float(rng.uniform(0.3, 1.4)), "placebo": float(rng.uniform(-0.1, 0.5))}
    sim = {arm: _simulate_arm(rng, n[arm], effect[arm]) for arm in ARMS}
    s = Study(name, "summary_level", rng, f"Synthetic two-arm trial {name}: active treatment vs placebo "
                                          f"in type 2 diabetes, 48 weeks (simulated; seed {seed})")
    s.p_decimals = int(rng.choice([3, 4]))
    b = _Paper(s, n, sim)
    header, t1, base_rows = _summary_table1(b)
    t2, follow = _summary_table2(b)
    paired = _summary_within_arm(b, base_rows, follow)
    abstract, abs_p = _summary_abstract(b, base_rows, follow, paired)
    text = _summary_text(b, header, base_rows, follow, paired)
    _summary_lines(s, header, t1, t2, abstract, abs_p, text)
    last = len(s.lines)
    s.config = {
        "title": s.title,
        "design": "summary_level",
        "table": f"raw/{name}/summaries.csv",
        "table_schema": "workflow/schemas/summaries.schema.yaml",
        "claims": f"raw/{name}/claims.csv",
        "value_ranges": f"raw/{name}/ranges.yaml",
        "transcription": {"lines": [[4, last]], "labels": ["2", "12", "24", "48", "7.0"]},
        "alpha": ALPHA,
        "significance_levels": [ALPHA],
        "integer_outcomes": {"age": {"items": 1, "why": "age in whole years"}},
    }
    s.extra_files["ranges.yaml"] = yaml.safe_dump({"outcomes": SUMMARY_RANGES}, sort_keys=False)
    return s


# ---------------------------------------------------------------- patient-level study

def _simulate_patients(rng):
    """A single-arm cohort: n, sex, age, HbA1c before and after (printed to 0.1), months
    observed, and who is severe (HbA1c above 8.0), redrawn until each group has 4 or more."""
    while True:
        n = int(rng.integers(24, 61))
        sex = np.where(rng.random(n) < 0.6, "M", "F")
        age = np.clip(np.rint(rng.normal(60, 10, n)), 30, 85).astype(int)
        before = np.round(np.clip(rng.normal(7.9, 1.1, n), 6.2, 12.5), 1)
        reduction = 0.2 + 0.45 * (before - 7.0) + rng.normal(0, 0.6, n)
        after = np.round(np.clip(before - reduction, 4.5, 12.0), 1)
        months = rng.integers(6, 69, n)
        severe = before > 8.0
        if 4 <= severe.sum() <= n - 4:
            break
    return n, sex, age, before, after, months, severe


def _patient_checks() -> dict:
    """The patient-level checks of the synthetic paper's claims (by claim check name)."""
    hb = {"before": "hba1c_before", "after": "hba1c_after"}
    sub = lambda g: {"subset": f"severity.{g}"}  # noqa: E731
    return {
        "n_patients": {"analysis": "count", "statistic": "n"},
        "n_male": {"analysis": "count", "where": {"sex": "M"}, "statistic": "n"},
        "age_mean": {"analysis": "mean", "column": "age", "statistic": "value"},
        "age_min": {"analysis": "min", "column": "age", "statistic": "value"},
        "age_max": {"analysis": "max", "column": "age", "statistic": "value"},
        "hba1c_before_mean": {"analysis": "mean", "column": hb["before"], "statistic": "value"},
        "hba1c_before_sd": {"analysis": "sd", "column": hb["before"], "statistic": "value"},
        "hba1c_after_mean": {"analysis": "mean", "column": hb["after"], "statistic": "value"},
        "hba1c_after_sd": {"analysis": "sd", "column": hb["after"], "statistic": "value"},
        "mean_reduction": {"analysis": "mean", "column": "hba1c_reduction", "statistic": "value"},
        "overall_paired_p": {"analysis": "paired_test", **hb, "statistic": "p"},
        "moderate_mean_reduction": {"analysis": "mean", "column": "hba1c_reduction", **sub("moderate"),
                                    "statistic": "value"},
        "moderate_paired_p": {"analysis": "paired_test", **hb, **sub("moderate"), "statistic": "p"},
        "severe_mean_reduction": {"analysis": "mean", "column": "hba1c_reduction", **sub("severe"),
                                  "statistic": "value"},
        "severe_paired_p": {"analysis": "paired_test", **hb, **sub("severe"), "statistic": "p"},
        "severe_vs_moderate_p": {"analysis": "two_group_test", "column": "hba1c_reduction",
                                 "group_a": "severity.severe", "group_b": "severity.moderate", "statistic": "p"},
        "baseline_reduction_r": {"analysis": "correlation", "x": hb["before"], "y": "hba1c_reduction",
                                 "statistic": "r"},
        "baseline_reduction_p": {"analysis": "correlation", "x": hb["before"], "y": "hba1c_reduction",
                                 "statistic": "p"},
        "months_median": {"analysis": "median", "column": "months_observed", "statistic": "value"},
        "months_min": {"analysis": "min", "column": "months_observed", "statistic": "value"},
        "months_max": {"analysis": "max", "column": "months_observed", "statistic": "value"},
    }


def _patient_lines(s: Study, c: dict, n: int, sex, age, texts: dict, months) -> None:
    """The paper, line by line: the Results text with its claims, and Table 1, one patient a line."""
    s.line(f"Synthetic paper {s.name}: {s.title}")
    s.line("Machine-generated for testing the reanalysis pipeline: every number is simulated.")
    s.line("")
    s.line("Results")
    s.line(c["n"], " with type 2 diabetes were treated; ", c["male"], "; ", c["age"], " (", c["age_min"], ", ",
           c["age_max"], ").")
    s.line("Mean HbA1c was ", c["b_mean"], " ", c["b_sd"], " and ", c["a_mean"], " ", c["a_sd"], ", ",
           c["red"], " ", c["p"], ".")
    s.line("In the moderate group (baseline HbA1c at most 8.0%) ", c["mod_red"], " ", c["mod_p"], ";")
    s.line("in the severe group (baseline HbA1c above 8.0%) ", c["sev_red"], " ", c["sev_p"], ".")
    s.line("The reduction differed between the severe and the moderate group ", c["grp_p"], ".")
    s.line("Baseline HbA1c correlated with the reduction (", c["r"], ", ", c["r_p"], ").")
    s.line("Follow-up lasted ", c["med"], " (", c["mo_min"], ", ", c["mo_max"], ").")
    s.line("")
    s.line("Table 1. Patients: sex, age (years), HbA1c before and after (%), months observed.")
    s.line("| # | Sex | Age | HbA1c before | HbA1c after | Months |")
    first = len(s.lines) + 1
    for i in range(n):
        s.line(f"| {i + 1} | {sex[i]} | {age[i]} | {texts['before'][i]} | {texts['after'][i]} | {months[i]} |")
        s.patients.append({"row_id": f"P{i + 1:03d}", "printed_position": i + 1, "source_line": first + i,
                           "sex": str(sex[i]), "age": int(age[i]), "hba1c_before": texts["before"][i],
                           "hba1c_after": texts["after"][i], "months_observed": int(months[i]),
                           "repair_note": ""})


def _patient_config(s: Study) -> None:
    """The study's config and its patient table's column schema."""
    name = s.name
    s.config = {
        "title": s.title,
        "design": "patient_level",
        "table": f"raw/{name}/patients.csv",
        "table_schema": f"raw/{name}/table.schema.yaml",
        "claims": f"raw/{name}/claims.csv",
        "alpha": ALPHA,
        "derived": {"hba1c_reduction": {"difference": ["hba1c_before", "hba1c_after"]}},
        "groupings": {"severity": {"column": "hba1c_before", "variants": {
            "as_reported": {"moderate": {"lte": 8.0}, "severe": {"gt": 8.0}}}}},
        "methods": {"paired_test": {"as_reported": "paired_t"}, "correlation": {"as_reported": "pearson"},
                    "two_group_test": {"as_reported": "student_t"}},
    }
    s.extra_files["table.schema.yaml"] = yaml.safe_dump({
        "description": f"{name}: one row per patient of the synthetic Table 1",
        "columns": {
            "row_id": {"type": "string", "pattern": "^P[0-9]{3}$", "unique": True},
            "printed_position": {"type": "integer", "minimum": 1, "unique": True},
            "source_line": {"type": "integer", "minimum": 1, "unique": True},
            "sex": {"type": "string", "enum": ["M", "F"]},
            "age": {"type": "integer", "minimum": 0, "maximum": 120},
            "hba1c_before": {"type": "number", "minimum": 3, "maximum": 20},
            "hba1c_after": {"type": "number", "minimum": 3, "maximum": 20},
            "months_observed": {"type": "integer", "minimum": 0},
            "repair_note": {"type": "string", "nullable": True},
        }}, sort_keys=False)


@dataclass
class _Cohort:
    """A patient-level paper being built: its study, its patients' printed values (texts)
    and the numbers the engine reads of them, and the helpers that add the claims of its
    Results text (numbered in order)."""

    s: Study
    n: int
    texts: dict
    severe: np.ndarray
    number: int = 0

    def __post_init__(self):
        # the numbers the engine reads: floats of the printed cells; derived columns rounded to 10
        self.before = np.array([float(t) for t in self.texts["before"]])
        self.after = np.array([float(t) for t in self.texts["after"]])
        self.reduction = np.round(self.before - self.after, 10)
        self.moderate = ~self.severe
        self.exact_reduction = [Fraction(x) - Fraction(y) for x, y in zip(self.texts["before"], self.texts["after"])]

    def claim(self, quantity, check, value, style, template="{}", **kw):
        self.number += 1
        return self.s.add_claim(Claim(f"P-RES-{self.number:02d}", "Results", quantity, check, value, style, template,
                                      **kw))

    def whole(self, quantity, check, value, template, stat):
        """A count, a minimum or a maximum: a whole number, exactly."""
        return self.claim(quantity, check, str(value), "value", template, exact=value, decimals=0, stat=stat,
                          test=f"patient:{stat}")

    def mean(self, quantity, check, values, decimals, template):
        m = sum(Fraction(str(v)) for v in values) / len(values)
        return self.claim(quantity, check, fmt(m, decimals), "value", template, exact=m, decimals=decimals,
                          stat="mean", test="patient:mean")

    def sd(self, quantity, check, values, template):
        _, sd = exact_mean_sd(values)
        return self.claim(quantity, check, fmt(sd, 2), "value", template, exact=sd, decimals=2, stat="sd",
                          test="patient:sd")

    def p(self, quantity, check, p, test, template="({})"):
        pd_ = self.s.p_decimals
        return self.claim(quantity, check, p_claim(p, pd_), "text_p", template, exact=p, decimals=pd_, stat="p",
                          test=test)

    def reduction_mean(self, quantity, check, mask, template):
        vals = [v for v, keep in zip(self.exact_reduction, mask) if keep]
        m = sum(vals) / len(vals)
        return self.claim(quantity, check, fmt(m, 2), "value", template, exact=m, decimals=2, stat="mean",
                          test="patient:mean")


def _patient_descriptives(co: _Cohort, sex, age) -> dict:
    """The Results text's claims on who was treated: N, men, age, HbA1c before and after."""
    texts, c = co.texts, {}
    c["n"] = co.whole("patients treated (N)", "n_patients", co.n, "A total of {} patients", "count")
    c["male"] = co.whole("men (n)", "n_male", int((sex == "M").sum()), "{} were men", "count")
    c["age"] = co.mean("mean age (years)", "age_mean", age.tolist(), 1, "mean age {} years")
    c["age_min"] = co.whole("youngest patient (years)", "age_min", int(age.min()), "youngest {} years", "min")
    c["age_max"] = co.whole("oldest patient (years)", "age_max", int(age.max()), "oldest {} years", "max")
    c["b_mean"] = co.mean("mean HbA1c before treatment (%)", "hba1c_before_mean", texts["before"], 2, "{}% before")
    c["b_sd"] = co.sd("SD of HbA1c before treatment (%)", "hba1c_before_sd", texts["before"], "(SD {})")
    c["a_mean"] = co.mean("mean HbA1c after treatment (%)", "hba1c_after_mean", texts["after"], 2,
                          "{}% after treatment")
    c["a_sd"] = co.sd("SD of HbA1c after treatment (%)", "hba1c_after_sd", texts["after"], "(SD {})")
    return c


def _patient_tests(co: _Cohort) -> dict:
    """The Results text's claims on the reduction: its means and paired tests overall and by
    severity, the two groups compared, its correlation with baseline."""
    b, a, red, mod, severe, c = co.before, co.after, co.reduction, co.moderate, co.severe, {}
    c["red"] = co.reduction_mean("mean HbA1c reduction, all patients (percentage points)", "mean_reduction",
                                 [True] * co.n, "a mean reduction of {} percentage points")
    c["p"] = co.p("p, paired t-test before vs after, all patients", "overall_paired_p",
                  float(stats.ttest_rel(b, a).pvalue), "patient:paired_test", "({}, paired t-test)")
    c["mod_red"] = co.reduction_mean("mean HbA1c reduction, moderate group (percentage points)",
                                     "moderate_mean_reduction", mod, "the mean reduction was {} percentage points")
    c["mod_p"] = co.p("p, paired t-test, moderate group", "moderate_paired_p",
                      float(stats.ttest_rel(b[mod], a[mod]).pvalue), "patient:paired_test")
    c["sev_red"] = co.reduction_mean("mean HbA1c reduction, severe group (percentage points)",
                                     "severe_mean_reduction", severe, "it was {} percentage points")
    c["sev_p"] = co.p("p, paired t-test, severe group", "severe_paired_p",
                      float(stats.ttest_rel(b[severe], a[severe]).pvalue), "patient:paired_test")
    c["grp_p"] = co.p("p, reduction severe vs moderate (Student two-sample t-test)", "severe_vs_moderate_p",
                      float(stats.ttest_ind(red[severe], red[mod]).pvalue), "patient:two_group_test",
                      "({}, two-sample t-test)")
    r, p_r = stats.pearsonr(b, red)
    c["r"] = co.claim("Pearson r, baseline HbA1c with reduction", "baseline_reduction_r", fmt(float(r), 2),
                      "value", "r = {}", exact=float(r), decimals=2, stat="r", test="patient:correlation")
    c["r_p"] = co.p("p, Pearson correlation of baseline HbA1c with reduction", "baseline_reduction_p",
                    float(p_r), "patient:correlation", "{}")
    return c


def _patient_follow_up(co: _Cohort, months) -> dict:
    """The Results text's claims on the follow-up: its median, shortest and longest."""
    n, c = co.n, {}
    med = Fraction(int(np.sort(months)[(n - 1) // 2]) + int(np.sort(months)[n // 2]), 2)
    c["med"] = co.claim("median follow-up (months)", "months_median", fmt(med, 0 if med.denominator == 1 else 1),
                        "value", "a median of {} months", exact=med, decimals=0 if med.denominator == 1 else 1,
                        stat="median", test="patient:median")
    c["mo_min"] = co.whole("shortest follow-up (months)", "months_min", int(months.min()), "shortest {} months",
                           "min")
    c["mo_max"] = co.whole("longest follow-up (months)", "months_max", int(months.max()), "longest {} months",
                           "max")
    return c


def build_patient(name: str, rng, seed: int) -> Study:
    """A simulated single-arm cohort printed as a patient-level paper: its patients, the
    claims of its Results text with their truth, checks, lines and config."""
    n, sex, age, before, after, months, severe = _simulate_patients(rng)
    texts = {"before": [f"{v:.1f}" for v in before], "after": [f"{v:.1f}" for v in after]}
    s = Study(name, "patient_level", rng, f"Synthetic single-arm study {name}: HbA1c before and after a "
                                          f"single cell infusion (simulated; seed {seed})")
    s.p_decimals = int(rng.choice([3, 4]))
    co = _Cohort(s, n, texts, severe)
    c = {**_patient_descriptives(co, sex, age), **_patient_tests(co), **_patient_follow_up(co, months)}
    s.checks = _patient_checks()
    _patient_lines(s, c, n, sex, age, texts, months)
    _patient_config(s)
    return s


# ---------------------------------------------------------------- dependencies and footprints

def touch(s: Study, item_id: str) -> set[str]:
    """The printed items whose audit reads ``item_id``: itself, the claims of every check
    that takes it as input (for a check of one row, its kind's ``row_of``, that row), and
    its other printings."""
    out = {item_id}
    if item_id not in s.rows:
        return out
    for name, spec in s.checks.items():
        kind = kind_of(spec)
        if item_id in kind.inputs(spec):
            if kind.row_of:
                out.add(kind.row_of(spec))
            out |= {c.claim_id for c in s.claims.values() if c.check == name}
    row = s.rows[item_id]
    if row.same_as:
        out.add(row.same_as)
    out |= {r.value_id for r in s.rows.values() if r.same_as == item_id}
    return out


def _ok_ranges(row: Row, component: str, text: str) -> bool:
    """Does a changed number stay inside the ranges the input validation enforces?"""
    x = Decimal(text)
    if component == "dispersion":
        return x >= 0
    rule = SUMMARY_RANGES.get(row.outcome, {})
    return (x >= rule.get("minimum", x) and x <= rule.get("maximum", x)
            and ("exclusiveMinimum" not in rule or x > rule["exclusiveMinimum"]))


# ---------------------------------------------------------------- injections

@dataclass
class Injection:
    kind: str
    target: str
    footprint: set
    where: str
    must_detect: bool
    detect_rule: str          # discrepant | decision_error | flagged
    detect_by: list
    detect_statistic: str = ""
    digit: str = ""
    printed: str = ""
    correct: str = ""
    detail: str = ""
    decision_error: str = ""
    apply: object = None      # a function that changes the printed item(s)


def _row_where(s: Study, row: Row) -> str:
    twice = row.same_as or any(r.same_as == row.value_id for r in s.rows.values())
    return f"{row.form}, printed {'twice' if twice else 'once'}"


def _claim_where(c: Claim) -> str:
    return c.test


def _judging(s: Study, kind: str) -> list[tuple[dict, object]]:
    """The study's checks whose kind injects the error ``kind`` into the row it judges (its
    generator's ``error``), each with its kind."""
    out = []
    for spec in s.checks.values():
        checker = kind_of(spec)
        if checker.synthetic and checker.synthetic.error == kind:
            out.append((spec, checker))
    return out


def _candidates(s: Study, kind: str) -> list:
    rows = list(s.rows.values())
    claims = list(s.claims.values())
    if s.design == "patient_level":
        if kind in ("mistyped_mean", "truncation"):
            return [c for c in claims if c.stat == "mean"]
        if kind == "mistyped_sd":
            return [c for c in claims if c.stat == "sd"]
        if kind in ("wrong_p", "decision_error"):
            return [c for c in claims if c.stat == "p"]
        if kind == "wrong_n":
            return [c for c in claims if c.check == "n_patients"]
        return []
    judging = _judging(s, kind)
    if judging:
        return [s.rows[checker.row_of(spec)] for spec, checker in judging]
    if kind in ("mistyped_mean", "mistyped_sd"):
        return [r for r in rows if r.form == "mean_dispersion"]
    if kind in ("wrong_p", "decision_error"):
        return [c for c in claims if c.stat == "p"]
    if kind == "grim_impossible":
        return [r for r in rows if r.outcome == "age" and r.form == "mean_dispersion"]
    if kind in ("percent_slip", "truncation"):
        return [r for r in rows if r.form == "count_percent"]
    if kind == "wrong_n":
        return [r for r in rows if r.form == "count" and r.location == "Table 1"]
    if kind == "duplicate":
        return [r for r in rows if r.form == "mean_dispersion" and r.location in ("Table 1", "Table 2")]
    return []


def _propose(s: Study, kind: str, item, rng) -> Injection | None:
    """An injection of ``kind`` into ``item`` (not yet applied), or None if it cannot be made."""
    if isinstance(item, Claim):
        propose = _CLAIM_PROPOSALS.get(kind)
        return propose(s, kind, item, rng) if propose else None
    row: Row = item
    fp = touch(s, row.value_id)
    where = _row_where(s, row)
    judged = [spec for spec, checker in _judging(s, kind) if checker.row_of(spec) == row.value_id]
    if judged:
        return _judged_error(s, kind, row, fp, where, judged[0], rng)
    propose = _ROW_PROPOSALS.get(kind)
    return propose(s, kind, row, fp, where, rng) if propose else None


_WORD = {"mean": "mean", "dispersion": "SD"}


def _mistyped_row(s: Study, kind: str, row: Row, fp: set, where: str, rng) -> Injection | None:
    """One digit of a printed mean or SD changed, within the validated ranges."""
    comp = "mean" if kind == "mistyped_mean" else "dispersion"
    old = row.parts[comp]

    def ok(new, row=row, comp=comp):
        if not _ok_ranges(row, comp, new):
            return False
        # an integer outcome's mean stays GRIM-possible: that would be another kind of error
        return not (row.outcome == "age" and comp == "mean" and not grim_possible(new, row.n))
    got = mistype(old, rng, ok)
    if got is None:
        return None
    new, digit = got
    twice = where.endswith("twice")
    return Injection(kind, row.value_id, fp, where, twice, "discrepant", sorted(fp), digit=digit,
                     printed=new, correct=old,
                     detail=f"{_WORD[comp]} {old} printed as {new} "
                            f"(change {abs(Decimal(new) - Decimal(old))})",
                     apply=lambda: row.parts.__setitem__(comp, new))


def _grim_impossible(s: Study, kind: str, row: Row, fp: set, where: str, rng) -> Injection | None:
    """An age mean that no n whole numbers can have, within 0.12 of the true one."""
    old = row.parts["mean"]
    unit = Decimal("0.01")
    options = [Decimal(old) + k * unit for k in list(range(-12, 0)) + list(range(1, 13))]
    options = [format(x, "f") for x in options if not grim_possible(format(x, "f"), row.n)]
    if not options:
        return None
    new = str(rng.choice(options))
    return Injection(kind, row.value_id, fp, where, True, "discrepant", [row.value_id], "grim",
                     printed=new, correct=old,
                     detail=f"mean age {old} printed as {new}: no {row.n} whole numbers have a mean "
                            f"that rounds to {new}",
                     apply=lambda: row.parts.__setitem__("mean", new))


def _percent_error(s: Study, kind: str, row: Row, fp: set, where: str, rng) -> Injection | None:
    """The percent of an n (%) truncated (where that differs from rounding) or slipped."""
    count, n = int(row.parts["count"]), row.n
    exact = Fraction(100 * count, n)
    old = row.parts["percent"]
    if kind == "truncation":
        new = fmt(exact, 2, ROUND_DOWN)
        if new in roundings(exact, 2):
            return None
        detail = f"{count}/{n} = {_dec(exact):.6f}% truncated to {new} (rounds to {old})"
    else:
        options = [fmt(Fraction(100 * (count + d), n), 2) for d in (-2, -1, 1, 2) if 0 <= count + d <= n]
        slip = mistype(old, rng, lambda t: 0 <= Decimal(t) <= 100)
        options += [slip[0]] if slip else []
        options = [o for o in options if o not in roundings(exact, 2) and 0 <= Decimal(o) <= 100]
        if not options:
            return None
        new = str(rng.choice(options))
        detail = f"{count} of {n} printed as {new}% (count / n = {_dec(exact):.4f}%)"
    return Injection(kind, row.value_id, fp, where, True, "discrepant", [row.value_id], "percent",
                     printed=new, correct=old, detail=detail,
                     apply=lambda: row.parts.__setitem__("percent", new))


def _judged_error(s: Study, kind: str, row: Row, fp: set, where: str, spec: dict, rng) -> Injection:
    """An impossible value of a check kind's own (its generator's ``inject``) in the row its
    check judges; detected on the check's statistic."""
    checker = kind_of(spec)
    component, value, why = checker.synthetic.inject(rng, spec, s.rows)
    old = row.parts[component]
    new = fmt(value, decimals_of(old))
    return Injection(kind, row.value_id, fp, where, True, "discrepant", [row.value_id],
                     checker.claim_statistic(spec), printed=new, correct=old,
                     detail=f"{_WORD[component]} {old} printed as {new}; {why}",
                     apply=lambda: row.parts.__setitem__(component, new))


def _duplicate(s: Study, kind: str, row: Row, fp: set, where: str, rng) -> Injection | None:
    """The other arm's mean ± SD at the same outcome and time point printed for this arm."""
    other = next((r for r in s.rows.values() if r.location == row.location and r.outcome == row.outcome
                  and r.timepoint == row.timepoint and r.arm != row.arm and r.form == row.form), None)
    if other is None or other.parts == row.parts:
        return None
    if row.outcome == "age" and not grim_possible(other.parts["mean"], row.n):
        return None     # stay a pure duplicate, not also a GRIM error
    old, new = row.value(), other.value()
    parts = dict(other.parts)
    chance, comparisons = _duplicate_chance(s, row, other)
    must = chance * comparisons <= ALPHA
    why = (f"chance of one arm printing the other's mean ± SD at most {chance:.2g}, times "
           f"{comparisons} comparisons = {chance * comparisons:.2g}"
           + (f" <= {ALPHA:g}" if must else f" > {ALPHA:g}: as likely as a coincidence"))
    return Injection(kind, row.value_id, fp | touch(s, other.value_id), where, must, "flagged",
                     [row.value_id],
                     "duplicate", printed=new, correct=old,
                     detail=f"{row.arm} arm prints {new}, the {other.arm} arm's values ({other.value_id}); "
                            f"its own are {old}; {why}",
                     apply=lambda: row.parts.update(parts))


def _wrong_n(s: Study, kind: str, row: Row, fp: set, where: str, rng) -> Injection:
    """An arm's printed N, and the n of every row printed for that arm, off by 1-3."""
    arm, n = row.arm, row.n
    counts = [int(r.parts["count"]) for r in s.rows.values() if r.arm == arm and r.form == "count_percent"]
    deltas = [d for d in (-3, -2, -1, 1, 2, 3) if n + d >= max(counts + [2])]
    d = int(rng.choice(deltas))
    new_n = n + d
    changed = [r for r in s.rows.values() if r.arm == arm and r.n == n]
    fp = set().union(*(touch(s, r.value_id) for r in changed))
    fp |= {c.claim_id for c in s.claims.values() if c.check == "randomised_total"}

    def apply(changed=changed, new_n=new_n, row=row):
        for r in changed:
            r.n = new_n
        row.parts["count"] = str(new_n)
    return Injection(kind, row.value_id, fp, "count (arm header)", True, "discrepant", sorted(fp),
                     printed=str(new_n), correct=str(n),
                     detail=f"{arm} arm: N = {new_n} printed (header and the n of its {len(changed)} rows); "
                            f"the data have {n}",
                     apply=apply)


_ROW_PROPOSALS = {"mistyped_mean": _mistyped_row, "mistyped_sd": _mistyped_row,
                  "grim_impossible": _grim_impossible, "percent_slip": _percent_error,
                  "truncation": _percent_error, "duplicate": _duplicate, "wrong_n": _wrong_n}


def _rounding_interval(text: str) -> tuple[float, float]:
    """The values a printed number rounds from: its value +- half a unit of its last digit."""
    half = 0.5 * 10.0 ** -decimals_of(text)
    return float(text) - half, float(text) + half


def _repeat_chance(unit: float, se_a: float, se_b: float) -> float:
    """The chance that two independent estimates with these SEs and equal true means print
    the same at ``unit`` (the grid's phase uniform): E[max(0, 1 - |D| / unit)], D ~ N(0,
    se_a^2 + se_b^2), by quadrature; worked here apart from the engine's closed form
    (reanalysis.engine.duplicates.coincidence_chance)."""
    from scipy import integrate

    s = math.hypot(se_a, se_b)
    return 2 * integrate.quad(lambda d: (1 - d / unit) * stats.norm.pdf(d, 0, s), 0, unit,
                              epsabs=0, epsrel=1e-12)[0]


def _duplicate_chance(s: Study, row: Row, other: Row) -> tuple[float, int]:
    """For ``row`` printing ``other``'s mean ± SD: the chance that two arms of these sizes
    print the same mean and the same SD (SE of a mean SD / sqrt n, of an SD SD / sqrt(2 (n -
    1)); the two independent), and the number of comparisons the audit's search makes in
    this study: pairs of printed centre values (means, medians) of one outcome and time
    point in two arms."""
    mean, sd = Decimal(other.parts["mean"]), Decimal(other.parts["dispersion"])
    d = float(sd)
    chance = (_repeat_chance(float(Decimal(1).scaleb(mean.as_tuple().exponent)),
                             d / math.sqrt(row.n), d / math.sqrt(other.n))
              * _repeat_chance(float(Decimal(1).scaleb(sd.as_tuple().exponent)),
                               d / math.sqrt(2 * (row.n - 1)), d / math.sqrt(2 * (other.n - 1))))
    centres = [r for r in s.rows.values() if r.form in ("mean_dispersion", "median_iqr")]
    comparisons = sum(a.outcome == b.outcome and a.timepoint == b.timepoint and a.arm != b.arm
                      for i, a in enumerate(centres) for b in centres[i + 1:])
    return chance, comparisons


def _significant_as_printed(text: str) -> bool | None:
    """Does a printed p ('0.2310', '< 0.05', '> 0.05') claim significance at ALPHA? None where
    the values it rounds from lie on both sides ('0.050')."""
    if text.startswith(">"):
        return False if float(text[1:]) >= ALPHA else None
    if text.startswith("<"):
        return True if float(text[1:]) <= ALPHA else None
    low, high = _rounding_interval(text)
    if high <= ALPHA:
        return True
    return False if low >= ALPHA else None


def _synthetic_of(s: Study, c: Claim):
    """The generator of the kind behind a summary-level claim's check; None for a
    patient-level claim (recomputed exactly from the printed patients)."""
    return None if s.design == "patient_level" else kind_of(s.checks[c.check]).synthetic


def _p_span(s: Study, c: Claim) -> tuple[float, float]:
    """The smallest and largest p that the printed inputs of the claim's check allow (its
    kind's generator's ``p_span``, over what each printed number rounds from)."""
    spec = s.checks[c.check]
    return kind_of(spec).synthetic.p_span(spec, s.rows, _rounding_interval)


def _mistyped_claim(s: Study, kind: str, c: Claim, rng) -> Injection | None:
    """One digit of a patient-level mean or SD changed."""
    got = mistype(c.claim, rng, lambda t: t not in roundings(c.exact, c.decimals) and Decimal(t) >= 0
                  and (c.check not in ("hba1c_before_mean", "hba1c_after_mean") or 3 <= Decimal(t) <= 20))
    if got is None:
        return None
    new, digit = got
    return Injection(kind, c.claim_id, {c.claim_id}, _claim_where(c), True, "discrepant", [c.claim_id],
                     digit=digit, printed=new, correct=c.claim, detail=f"{c.stat} {c.claim} printed as {new}",
                     apply=lambda: setattr(c, "claim", new))


def _truncated_claim(s: Study, kind: str, c: Claim, rng) -> Injection | None:
    new = fmt(c.exact, c.decimals, ROUND_DOWN)
    if new in roundings(c.exact, c.decimals):
        return None
    return Injection(kind, c.claim_id, {c.claim_id}, _claim_where(c), True, "discrepant", [c.claim_id],
                     printed=new, correct=c.claim, detail=f"{c.stat} {_dec(c.exact):.6f} truncated to {new} "
                                                          f"(rounds to {c.claim})",
                     apply=lambda: setattr(c, "claim", new))


def _wrong_n_claim(s: Study, kind: str, c: Claim, rng) -> Injection:
    n = int(c.exact)
    new = str(n + int(rng.choice([-3, -2, -1, 1, 2, 3])))
    return Injection(kind, c.claim_id, {c.claim_id}, "patient:count", True, "discrepant", [c.claim_id],
                     printed=new, correct=c.claim, detail=f"N {n} printed as {new}",
                     apply=lambda: setattr(c, "claim", new))


def _wrong_p(s: Study, kind: str, c: Claim, rng) -> Injection | None:
    """A p off by a factor of 3-10 on the same side of alpha; must-detect where the printed
    numbers fix the p (patient-level, or the kind's ``exact_p``), or where no value its
    kind's ``p_span`` allows rounds to the printed one."""
    if c.claim.startswith("<"):
        return None
    p = float(c.exact)
    decimals = c.decimals
    options = []
    for _ in range(20):
        f = float(rng.uniform(3, 10))
        for q in (p * f, p / f):
            text = fmt(q, decimals)
            if 0.001 <= q <= 0.99 and (q < ALPHA) == (p < ALPHA) and text not in roundings(p, decimals) \
                    and abs(math.log(float(text) / p)) >= math.log(3):
                options.append(text)
    if not options:
        return None
    new = options[0]
    synthetic = _synthetic_of(s, c)
    must = synthetic is None or synthetic.exact_p
    if synthetic is not None and synthetic.p_span:
        # seen only if nothing unprinted and no rounding of the printed inputs gives a p
        # that rounds to the printed one
        p_low, p_high = _p_span(s, c)
        low, high = _rounding_interval(new)
        must = high < p_low or low > p_high
    return Injection(kind, c.claim_id, {c.claim_id}, _claim_where(c), must, "discrepant", [c.claim_id],
                     printed=new, correct=c.claim, decision_error="false",
                     detail=f"p {p:.6g} printed as {new} (same side of {ALPHA})",
                     apply=lambda: setattr(c, "claim", new))


def _flipped_p(s: Study, kind: str, c: Claim, rng) -> Injection | None:
    """A decision error: a printed p on the other side of alpha, far from it; must-detect
    where the printed numbers fix the p, where its kind says a far flip shows
    (``flip_shows``), or where no value its kind's ``p_span`` allows is on the printed side."""
    p = float(c.exact)
    decimals = c.decimals
    if s.design == "summary_level" and not (p <= 0.02 or p >= 0.1):
        return None     # near alpha, rounded inputs may allow either side
    if p < ALPHA:
        q = float(rng.uniform(0.06, 0.95))
        new = "> 0.05" if rng.random() < 0.2 else fmt(q, decimals)
    else:
        q = float(rng.uniform(0.001, 0.04))
        new = str(rng.choice(["< 0.05", "< 0.01"])) if rng.random() < 0.2 else fmt(q, decimals)
    synthetic = _synthetic_of(s, c)
    must = synthetic is None or synthetic.exact_p or synthetic.flip_shows
    if synthetic is not None and synthetic.p_span:
        # what the p depends on is not printed: a flip is an error the paper shows only if
        # nothing unprinted and no rounding of the printed inputs gives a p on its side of alpha
        p_low, p_high = _p_span(s, c)
        side = _significant_as_printed(new)
        must = side is not None and (p_low > ALPHA if side else p_high < ALPHA)
    return Injection(kind, c.claim_id, {c.claim_id}, _claim_where(c), must, "decision_error", [c.claim_id],
                     printed=new, correct=c.claim, decision_error="true",
                     detail=f"p {p:.6g} ({'significant' if p < ALPHA else 'not significant'} at {ALPHA}) "
                            f"printed as {new}",
                     apply=lambda: setattr(c, "claim", new))


_CLAIM_PROPOSALS = {"mistyped_mean": _mistyped_claim, "mistyped_sd": _mistyped_claim,
                    "truncation": _truncated_claim, "wrong_n": _wrong_n_claim, "wrong_p": _wrong_p,
                    "decision_error": _flipped_p}


def inject_one(s: Study, kinds, rng) -> Injection | None:
    """Inject one error: a random kind among those with a free target, a random target."""
    for kind in rng.permutation(list(kinds)):
        kind = str(kind)
        cands = _candidates(s, kind)
        for i in rng.permutation(len(cands)):
            item = cands[int(i)]
            if item.id in s.used or touch(s, item.id) & s.used:
                continue
            inj = _propose(s, kind, item, rng)
            if inj is None or inj.footprint & s.used:
                continue
            inj.apply()
            s.used |= inj.footprint
            s.injections.append(inj)
            for other in sorted(inj.footprint - {inj.target}):
                s.affected[other] = (kind, inj.target)
            return inj
    return None


def inject(s: Study, rate: float) -> None:
    kinds = SUMMARY_KINDS if s.design == "summary_level" else PATIENT_KINDS
    count = int(s.rng.binomial(len(s.items()), rate)) if rate > 0 else 0
    for _ in range(count):
        if inject_one(s, kinds, s.rng) is None:
            break


# ---------------------------------------------------------------- printed test statistics (the text scan)

# Each paper ends with a section of test statistics printed in the text and transcribed
# nowhere (the text scan, reanalysis.scan, must find them): t, F, chi-square, r, z and Q
# with their p, in APA and non-APA forms, some split across lines, some with PDF artefacts
# (a minus as U+2212, 'p ˂ 0.001', 'χ²', ligatures in the words around), some in a table
# flattened into text; and decoys that print a p but no checkable statistic. Drawn with a
# generator of their own (seed, study index, 2), so the rest of the corpus is the same as
# without them. Kinds of error injected into them (STAT_KINDS), each judged here, apart
# from the engine, by statcheck's definition (the p over the printed statistic's rounding
# interval, with scipy):
STAT_KINDS = {
    "stat_wrong_p": "a printed p off by a factor of 3-10 from the statistic's p, on the same side of alpha",
    "stat_decision_error": "a printed p on the other side of alpha from the statistic's p",
    "stat_wrong_df": "printed degrees of freedom that are not the test's",
    "stat_rounding_slip": "the printed p truncated instead of rounded, or one unit off in its last digit",
}
STAT_TRUTH_COLUMNS = ["study", "line", "printed", "layout", "test_type", "df1", "df2", "statistic", "p",
                      "error", "expected", "must_detect", "decision_error", "correct", "detail"]
_STAT_TYPES = ("t", "t", "t", "F", "F", "Chi2", "Chi2", "r", "Z", "Q")
_LAYOUTS = ("apa", "clinical", "df_after", "table", "paren")
_PREFIXES = ("The change in HbA1c differed between the arms, ", "Fasting glucose fell over the year, ",
             "The eﬀect of dose was signiﬁcant in the per-protocol set, ", "Across the four sites ",
             "Adherence was related to age, ", "In a sensitivity analysis the diﬀerence remained, ",
             "Insulin needs ﬂuctuated by season, ", "The prespeciﬁed subgroup showed ")
_SUFFIXES = (".", "; see the supplement.", ", as prespeciﬁed.", " (post hoc).")
_ROW_LABELS = ("Change in HbA1c", "Fasting glucose", "Body weight", "Insulin dose", "C-peptide")


@dataclass
class PrintedStat:
    """One printed test result of the statistics section (before and after its error)."""

    test: str
    df1: object
    df2: object
    x: float                 # the test's statistic, unrounded
    stat: str                # as printed (rounded)
    p_true: float
    p: str                   # what the p part prints: '0.031', '< 0.001', '> 0.05', 'ns'
    p_decimals: int
    layout: str
    split: bool
    pdf: bool
    style: dict
    error: str = CLEAN
    must_detect: bool = False
    correct: str = ""
    detail: str = ""
    line: int = 0
    printed: str = ""


def _stat_p(test: str, x: float, df1, df2) -> float:
    """p of a statistic as statcheck computes it (two-tailed t, r, z; upper tail F, chi2, Q)."""
    if test == "t":
        return float(2 * stats.t.sf(abs(x), df2))
    if test == "r":
        if abs(x) >= 1:
            return 0.0
        return float(2 * stats.t.sf(abs(x) * math.sqrt(df2 / (1 - x * x)), df2))
    if test == "Z":
        return float(2 * stats.norm.sf(abs(x)))
    if test == "F":
        return float(stats.f.sf(x, df1, df2))
    return float(stats.chi2.sf(x, df1))


def _stat_span(st: PrintedStat) -> tuple[float, float]:
    """The smallest and largest p over the printed statistic's rounding interval."""
    lo, hi = _rounding_interval(st.stat)
    if st.test == "r":
        lo, hi = max(lo, -1.0), min(hi, 1.0)
    ends = [_stat_p(st.test, v, st.df1, st.df2) for v in (lo, hi)]
    low, high = min(ends), max(ends)
    if st.test in ("t", "r", "Z") and lo < 0 < hi:
        high = 1.0
    return low, high


def _stat_error(st: PrintedStat) -> tuple[bool, bool]:
    """(an error, a decision error) by statcheck's definitions, worked here: an '=' p is an
    error when no p over the statistic's rounding interval rounds to it (half-up or
    half-even); '<' and '>' are compared unrounded; 'ns' is p > alpha. A decision error is
    an error whose printed p and the p at the printed statistic lie on two sides of alpha."""
    low, high = _stat_span(st)
    at = _stat_p(st.test, float(st.stat), st.df1, st.df2)
    if st.p in ("ns",) or st.p.startswith(">"):
        bound = ALPHA if st.p == "ns" else float(st.p[1:])
        error, significant = not high > bound, False
    elif st.p.startswith("<"):
        bound = float(st.p[1:])
        error, significant = not low < bound, bound <= ALPHA
    else:
        d = decimals_of(st.p)
        low_r = min(Decimal(t) for t in roundings(low, d))
        high_r = max(Decimal(t) for t in roundings(high, d))
        error = not low_r <= Decimal(st.p) <= high_r
        significant = Decimal(st.p) <= Decimal(str(ALPHA))
    return error, error and significant != (at <= ALPHA)


def _new_stat(rng) -> PrintedStat:
    test = str(rng.choice(_STAT_TYPES))
    df1 = df2 = None
    if test == "t":
        df2 = float(round(float(rng.uniform(30, 120)), 1)) if rng.random() < 0.2 else float(rng.integers(20, 150))
        x = float(rng.uniform(0.2, 4.5)) * (1 if rng.random() < 0.6 else -1)
    elif test == "F":
        df1, df2 = float(rng.integers(1, 5)), float(rng.integers(30, 150))
        x = float(rng.uniform(0.3, 9))
    elif test in ("Chi2", "Q"):
        df1 = float(rng.integers(1, 5)) if test == "Chi2" else float(rng.integers(3, 13))
        x = float(rng.uniform(0.2, 16)) if test == "Chi2" else float(rng.uniform(1, 30))
    elif test == "r":
        df2 = float(rng.integers(20, 150))
        x = float(rng.uniform(-0.55, 0.55))
    else:
        x = float(rng.uniform(0.2, 4)) * (1 if rng.random() < 0.6 else -1)
    decimals = 2 if test == "r" else int(rng.choice([2, 2, 2, 2, 2, 2, 2, 2, 1, 3]))
    stat = fmt(x, decimals)
    p = _stat_p(test, x, df1, df2)
    d = int(rng.choice([3, 3, 3, 2, 4]))
    floor = 0.001 if d >= 3 else 0.01
    if p < floor:
        p_text = f"< {fmt(floor, 3 if d >= 3 else 2)}"
    elif p > ALPHA and rng.random() < 0.1:
        p_text = "ns"
    else:
        p_text = fmt(p, d)
    layout = str(rng.choice(_LAYOUTS))
    if layout == "df_after" and test == "Z":
        layout = "apa"
    style = {"apa_zero": rng.random() < 0.5, "capital": rng.random() < 0.4,
             "label": {"t": "t", "F": "F", "r": "r", "Q": "Q", "Z": str(rng.choice(["z", "Z"])),
                       "Chi2": str(rng.choice(["χ2", "chi2", "X2", "chi-square"]))}[test],
             "n": int(rng.integers(60, 200)) if test == "Chi2" and rng.random() < 0.3 else None,
             "prefix": str(rng.choice(_PREFIXES)), "suffix": str(rng.choice(_SUFFIXES)),
             "row": str(rng.choice(_ROW_LABELS)), "split_at": float(rng.random())}
    return PrintedStat(test, df1, df2, x, stat, p, p_text, d, layout, layout != "table" and rng.random() < 0.2,
                       rng.random() < 0.3, style)


def _inject_stat(st: PrintedStat, kind: str, rng) -> bool:
    """Inject ``kind`` into a clean printed statistic; False where it cannot take it."""
    d = st.p_decimals
    if kind == "stat_wrong_p":
        if st.p == "ns" or st.p[0] in "<>":
            return False
        options = []
        for _ in range(20):
            f = float(rng.uniform(3, 10))
            for q in (st.p_true * f, st.p_true / f):
                text = fmt(q, d)
                if 0.001 <= q <= 0.99 and (q < ALPHA) == (st.p_true < ALPHA) and float(text) > 0 \
                        and text not in roundings(st.p_true, d) and abs(math.log(float(text) / st.p_true)) >= math.log(3):
                    options.append(text)
        if not options:
            return False
        new, detail = options[0], f"p {st.p_true:.6g} printed as {options[0]}"
    elif kind == "stat_decision_error":
        if ALPHA - 0.03 < st.p_true < 0.1:
            return False            # near alpha: the statistic's rounding may allow either side
        if st.p_true < ALPHA:
            new = "ns" if rng.random() < 0.1 else "> 0.05" if rng.random() < 0.15 else fmt(rng.uniform(0.06, 0.95), d)
        else:
            new = str(rng.choice(["< 0.05", "< 0.01"])) if rng.random() < 0.2 else fmt(rng.uniform(0.001, 0.04), max(d, 3))
        detail = f"p {st.p_true:.6g} ({'significant' if st.p_true < ALPHA else 'not significant'}) printed as {new}"
    elif kind == "stat_wrong_df":
        if st.test == "Z":
            return False
        which = "df1" if st.test in ("Chi2", "Q") or (st.test == "F" and rng.random() < 0.5) else "df2"
        old = getattr(st, which)
        choices = [v for v in (old * 2, old // 2, old + 10, old - 10, old + 1, old + 2) if v >= 1 and v != old]
        new_df = float(round(rng.choice(choices), 1))
        setattr(st, which, new_df)
        st.correct = f"{which} {format_value_df(old)}"
        st.detail = f"{which} {format_value_df(old)} printed as {format_value_df(new_df)}"
        st.error = kind
        st.must_detect = _stat_error(st)[0]
        return True
    else:   # stat_rounding_slip
        if st.p == "ns" or st.p[0] in "<>":
            return False
        trunc = fmt(st.p_true, d, ROUND_DOWN)
        if trunc not in roundings(st.p_true, d):
            new, how = trunc, "truncated"
        else:
            step = Decimal(1).scaleb(-d) * (1 if rng.random() < 0.5 else -1)
            new, how = format(Decimal(st.p) + step, "f"), "one unit off in its last digit"
            if Decimal(new) <= 0:
                return False
        detail = f"p {st.p_true:.6g} printed as {new} ({how}; rounds to {st.p})"
    st.correct, st.p, st.detail, st.error = st.p, new, detail, kind
    error, decision = _stat_error(st)
    st.must_detect = error and (decision or kind != "stat_decision_error")
    return True


def format_value_df(df) -> str:
    return str(int(df)) if float(df).is_integer() else str(df)


def _render_stat(st: PrintedStat) -> tuple[str, str, str]:
    """(text before, the exact printed result, text after) of one statistic's sentence."""
    s = st.style
    minus = "−" if st.pdf else "-"
    value = st.stat.replace("-", minus)
    label = "χ²" if st.pdf and st.test == "Chi2" else s["label"]
    dfs = [format_value_df(d) for d in (st.df1, st.df2) if d is not None]
    if st.test == "Chi2" and s["n"]:
        dfs.append(f"N = {s['n']}")
    df = f"({', '.join(dfs)})" if dfs else ""
    zero = st.layout == "apa" and s["apa_zero"]
    p = st.p
    if p == "ns":
        p_part = "ns"
    else:
        op, number = (p[0], p[1:].strip()) if p[0] in "<>" else ("=", p)
        if zero and number.startswith("0."):
            number = number[1:]
        if st.pdf and op in "<>":
            op = {"<": "˂", ">": "˃"}[op]
        p_part = f"{'P' if s['capital'] and st.layout != 'apa' else 'p'} {op} {number}"
    if st.layout == "df_after":
        df_text = ", ".join(format_value_df(d) for d in (st.df1, st.df2) if d is not None)
        result = f"{label} = {value}, df = {df_text}, {p_part}"
    elif st.layout == "table":
        result = f"{label}{df} = {value} | {p_part}"
        return f"| {s['row']} | ", result, " |"
    elif st.layout == "paren":
        result = f"{label}{df} = {value}; {p_part}"
        return s["prefix"].rstrip(" ,") + " (", result, ")."
    else:
        result = f"{label}{df} = {value}, {p_part}"
    return s["prefix"], result, s["suffix"]


_DECOYS = ("A correlation of r = {r} (p = {p}) was seen without its df.", "HR 0.{a} (95% CI 0.{b}–0.{c}), p = {p}.",
           "The t-test gave t = {t}, p = {p} (no df printed).", "Hotelling's T2 = {t}, p = {p}.",
           "OR = 1.{a}, P < 0.05 in {n} patients (n = {n}, p = {p}).")


def add_statistics(s: Study, rng, error_rate: float) -> None:
    """The clean printed statistics of the section, then errors at ``error_rate``."""
    s.stats = [_new_stat(rng) for _ in range(int(rng.integers(5, 9)))]
    s.decoys = [str(rng.choice(_DECOYS)).format(
        r=fmt(rng.uniform(0.1, 0.6), 2), p=fmt(rng.uniform(0.001, 0.2), 3), a=int(rng.integers(10, 99)),
        b=int(rng.integers(10, 50)), c=int(rng.integers(50, 99)), t=fmt(rng.uniform(0.5, 4), 2),
        n=int(rng.integers(20, 200))) for _ in range(int(rng.integers(1, 4)))]
    s.stat_rng = rng
    for st in s.stats:
        if rng.random() < error_rate:
            for kind in rng.permutation(list(STAT_KINDS)):
                if _inject_stat(st, str(kind), rng):
                    break


def ensure_statistic(s: Study, kind: str) -> bool:
    """Inject ``kind`` into a clean statistic of the study, if one can take it."""
    for st in s.stats:
        if st.error == CLEAN and _inject_stat(st, kind, s.stat_rng):
            return True
    return False


def _write_statistics(s: Study) -> list[dict]:
    """The section's lines (after every transcribed line) and its truth rows."""
    s.line("")
    s.line("Further results (printed in the text; transcribed nowhere)")
    order = list(range(len(s.stats))) + [None] * len(s.decoys)
    decoys = iter(s.decoys)
    out = []
    for i in order:
        if i is None:
            s.line(next(decoys))
            continue
        st = s.stats[i]
        before, result, after = _render_stat(st)
        st.line, st.printed = len(s.lines) + 1, result
        spaces = [k for k, ch in enumerate(result) if ch == " "]
        if st.split and spaces:
            k = spaces[int(st.style["split_at"] * len(spaces))]
            s.line(before + result[:k])
            s.line(result[k + 1:] + after)
        else:
            s.line(before + result + after)
        error, decision = _stat_error(st)
        assert not error or st.error != CLEAN, f"{s.name}: a clean statistic is an error: {result}"
        injected = st.error != CLEAN
        out.append({"study": s.name, "line": st.line, "printed": result,
                    "layout": st.layout + (", split" if st.split else "") + (", pdf" if st.pdf else ""),
                    "test_type": st.test, "df1": "" if st.df1 is None else format_value_df(st.df1),
                    "df2": "" if st.df2 is None else format_value_df(st.df2), "statistic": st.stat, "p": st.p,
                    "error": st.error, "expected": DISCREPANT if injected else NOT_DISCREPANT,
                    "must_detect": str(st.must_detect).lower() if injected else "",
                    "decision_error": str(decision).lower(), "correct": st.correct, "detail": st.detail})
    return out


# ---------------------------------------------------------------- writing the corpus

def _render(s: Study) -> tuple[str, dict]:
    """The paper's text and the line of every printed item."""
    out, where = [], {}
    for number, segments in enumerate(s.lines, start=1):
        text = []
        for seg in segments:
            if isinstance(seg, str):
                text.append(seg)
            else:
                assert seg.id not in where, f"{seg.id} printed twice"
                where[seg.id] = number
                text.append(seg.reported())
        out.append("".join(text))
    return "\n".join(out) + "\n", where


def _csv(rows: list[dict], columns: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in columns})
    return buf.getvalue()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def _truth_rows(s: Study) -> list[dict]:
    injected = {i.target: i for i in s.injections}
    out = []
    for item in s.items():
        table = "summaries" if isinstance(item, Row) else "claims"
        where = _row_where(s, item) if isinstance(item, Row) else _claim_where(item)
        printed = item.reported()
        base = {"study": s.name, "design": s.design, "id": item.id, "table": table, "where": where,
                "printed": printed}
        if item.id in injected:
            i = injected[item.id]
            out.append({**base, "where": i.where, "error": i.kind, "caused_by": "", "expected": DISCREPANT,
                        "must_detect": str(i.must_detect).lower(), "decision_error": i.decision_error,
                        "detect_rule": i.detect_rule, "detect_by": ";".join(i.detect_by),
                        "detect_statistic": i.detect_statistic, "digit": i.digit, "correct": i.correct,
                        "detail": i.detail})
        elif item.id in s.affected:
            kind, target = s.affected[item.id]
            out.append({**base, "error": AFFECTED, "caused_by": target, "expected": EITHER,
                        "detail": f"checked against {target} ({kind})"})
        else:
            out.append({**base, "error": CLEAN, "expected": NOT_DISCREPANT,
                        "decision_error": "false" if isinstance(item, Claim) and item.stat == "p" else ""})
    return out


def write_study(s: Study, out: Path) -> list[dict]:
    s.stat_truth = _write_statistics(s)
    paper, lines = _render(s)
    source = f"{s.name}.txt"
    _write(out / "papers" / source, paper)
    raw = out / "raw" / s.name
    claims = [{"claim_id": c.claim_id, "source_file": source, "source_line": lines[c.claim_id],
               "location": c.location, "quantity": c.quantity, "reported": c.reported(), "claim": c.claim,
               "claim_basis": "verbatim", "scale": 1, "check": c.check, "also_in": "", "note": ""}
              for c in s.claims.values()]
    _write(raw / "claims.csv", _csv(claims, CLAIM_COLUMNS))
    if s.design == "summary_level":
        rows = [{"value_id": r.value_id, "source_file": source, "source_line": lines[r.value_id],
                 "location": r.location, "outcome": r.outcome, "quantity": r.quantity, "arm": r.arm,
                 "timepoint": r.timepoint, "n": r.n, "reported": r.reported(), "value": r.value(),
                 "form": r.form, "dispersion": r.dispersion, "same_as": r.same_as, "note": r.note}
                for r in s.rows.values()]
        _write(raw / "summaries.csv", _csv(rows, SUMMARY_COLUMNS))
    else:
        _write(raw / "patients.csv", _csv(s.patients, PATIENT_COLUMNS))
    for name, text in s.extra_files.items():
        _write(raw / name, text)
    # the text scan reads the paper (its statistics section is transcribed nowhere)
    config = {**s.config, "scan_text": [source], "checks": s.checks}
    header = (f"# {s.name}: a synthetic {s.design.replace('_', '-')} study written by "
              f"python -m reanalysis.corpus.synth (simulated data; errors listed in truth.csv)\n")
    _write(out / "config" / "studies" / f"{s.name}.yaml",
           header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=100))
    return _truth_rows(s)


def schema_dir() -> Path:
    """The engine's schemas (workflow/schemas beside the package; this file is
    workflow/reanalysis/corpus/synth.py)."""
    return Path(__file__).resolve().parents[2] / "schemas"


def study_names(studies: int) -> list[str]:
    width = max(3, len(str(studies)))
    return [f"syn{i + 1:0{width}d}" for i in range(studies)]


def design_of(index: int) -> str:
    return "patient_level" if index % 3 == 1 else "summary_level"


def build(studies: int, seed: int, error_rate: float, ensure=()) -> list[Study]:
    """The studies, simulated and summarised, then their errors: first one of each kind in
    ``ensure`` (in the first study that can take it), then the random ones."""
    out = []
    for i, name in enumerate(study_names(studies)):
        rng = np.random.default_rng([seed, i])
        builder = build_patient if design_of(i) == "patient_level" else build_summary
        out.append(builder(name, rng, seed))
        add_statistics(out[-1], np.random.default_rng([seed, i, 2]), error_rate)
    for kind in ensure:
        if kind in STAT_KINDS:
            if not any(ensure_statistic(s, kind) for s in out):
                raise ValueError(f"no study of this corpus could take an error of kind {kind!r}")
            continue
        for s in out:
            kinds = SUMMARY_KINDS if s.design == "summary_level" else PATIENT_KINDS
            if kind in kinds and inject_one(s, [kind], s.rng) is not None:
                break
        else:
            raise ValueError(f"no study of this corpus could take an error of kind {kind!r}")
    for s in out:
        inject(s, error_rate)
    return out


# A corpus is audited in batches (config `studies_per_job`): per study, a job would pay an
# interpreter start and imports, several times its compute for a study of Zang's size. At
# most 50 studies a job (an edit to one study reruns its batch), and at least four jobs, so
# that a small corpus still spreads over the cores.
STUDIES_PER_JOB, MIN_JOBS = 50, 4


def studies_per_job(studies: int) -> int:
    return max(1, min(STUDIES_PER_JOB, math.ceil(studies / MIN_JOBS)))

STAT_TRUTH = "stat_truth.csv"
_OURS = ("config", "raw", "papers", "workflow", "truth.csv", STAT_TRUTH, "results", ".snakemake")


def generate(out: str | Path, studies: int = 12, seed: int = 1, error_rate: float = 0.1,
             ensure=(), force: bool = False, per_job: int | None = None) -> list[dict]:
    """Write the corpus into ``out``; return the rows of truth.csv."""
    out = Path(out)
    per_job = studies_per_job(studies) if per_job is None else per_job
    if studies < 1 or per_job < 1:
        raise ValueError("studies and studies_per_job must be at least 1")
    unknown = set(ensure) - set(KINDS) - set(STAT_KINDS)
    if unknown:
        raise ValueError(f"unknown error kinds {sorted(unknown)}; known: {', '.join([*KINDS, *STAT_KINDS])}")
    if out.exists() and any(out.iterdir()):
        if not force:
            raise FileExistsError(f"{out} is not empty (use --force to replace a corpus there)")
        for name in _OURS:
            path = out / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
    out.mkdir(parents=True, exist_ok=True)
    _write(out / "config" / "config.yaml",
           f"# A synthetic corpus written by python -m reanalysis.corpus.synth: {studies} studies, seed {seed}, "
           f"error rate {error_rate:g}.\n# Shared settings, as in the repository's config/config.yaml; "
           "the papers are in papers/.\n"
           "raw_dir: raw\nresults_dir: results\nstudies_dir: config/studies\npapers_dir: papers\n"
           f"# studies audited by one job\nstudies_per_job: {per_job}\n")
    for path in sorted(schema_dir().glob("*.yaml")):
        _write(out / "workflow" / "schemas" / path.name, path.read_text(encoding="utf-8"))
    truth, stat_truth = [], []
    for s in build(studies, seed, error_rate, ensure):
        truth += write_study(s, out)
        stat_truth += s.stat_truth
    manifest.sign(out / "raw")
    _write(out / "truth.csv", _csv(truth, TRUTH_COLUMNS))
    _write(out / STAT_TRUTH, _csv(stat_truth, STAT_TRUTH_COLUMNS))
    return truth


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reanalysis.corpus.synth", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--studies", type=int, default=12, help="number of studies (default 12)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the simulation (default 1)")
    parser.add_argument("--out", required=True, help="the corpus folder (created; must be empty)")
    parser.add_argument("--error-rate", type=float, default=0.1,
                        help="probability that a printed item gets an error (default 0.1)")
    parser.add_argument("--ensure", default="",
                        help="comma-separated error kinds the corpus must contain at least once")
    parser.add_argument("--force", action="store_true", help="replace a corpus already in --out")
    parser.add_argument("--studies-per-job", type=int,
                        help=f"studies audited by one Snakemake job (default: the studies over {MIN_JOBS}, "
                             f"at most {STUDIES_PER_JOB})")
    args = parser.parse_args(argv)
    if not 0 <= args.error_rate <= 1:
        parser.error("--error-rate must lie in [0, 1]")
    ensure = [k for k in args.ensure.split(",") if k]
    try:
        truth = generate(args.out, args.studies, args.seed, args.error_rate, ensure, args.force,
                         args.studies_per_job)
    except (FileExistsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    injected = [t for t in truth if t["error"] not in (CLEAN, AFFECTED)]
    counts = ", ".join(f"{k} {sum(t['error'] == k for t in injected)}" for k in KINDS)
    print(f"wrote {args.out}: {args.studies} studies, {len(truth)} printed items, {len(injected)} injected "
          f"errors ({counts})")
    with open(Path(args.out) / STAT_TRUTH, newline="", encoding="utf-8") as fh:
        stat_truth = list(csv.DictReader(fh))
    counts = ", ".join(f"{k} {sum(t['error'] == k for t in stat_truth)}" for k in STAT_KINDS)
    print(f"and {len(stat_truth)} printed test statistics for the text scan ({counts})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
