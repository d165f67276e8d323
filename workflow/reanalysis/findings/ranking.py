"""Findings: the ledger's flagged claims grouped by root cause, each stated once, ranked by
the strength of their evidence.

A *flagged* claim is one whose stated reading (``as_reported``) is discrepant, is a decision
error, or whose printed inputs are impossible (``why_unverifiable = impossible_inputs``).
Flagged claims are grouped by rules applied in this order; a claim joins the first group
that takes it, so every root cause is stated once:

0. **contradiction**: claims linked by ``same_as`` in a claims file (one quantity or
   comparison printed twice) whose printings no single value satisfies, with every claim
   linked to them.
1. **definition**: a stated definition whose dependent claims do not reproduce under it
   (a ``definition_consistency`` row: "they all reproduce under: X") is grouped with every
   flagged claim of its study that the reading X (alone or crossed with another, X+...)
   makes reproduced or consistent.
2. **reading**: a labelled reading shared by flagged claims: one that, alone, makes at
   least two flagged claims of a study reproduced or consistent (without a decision error).
   The reading that takes most claims goes first (then the next, over what is left); its
   group is every claim it fits alone or crossed. Rounding schemes (the printed number read
   as truncated or double-rounded) do not group claims: they are a reading of one printed
   number, given as evidence.
3. **implied n**: claims whose notes carry one ``implied n:`` text (the arm's printed
   values impossible at its stated n), when two or more are left.
4. **restated or alike**: what is left is joined when two flagged rows are one computation
   restated (same study, method and numeric recomputed value: the same quantity printed
   twice), or the same kind of quantity in one place at one evidence strength (same study,
   location, statistic, quantity before its first comma and strength: the rows of one
   table, one sentence; a row a reading or a rounding explains stands apart from those
   none explains, so a finding's count and strength hold for every claim in it).
5. Each claim left is a finding of its own; and the ``duplicate:`` notes (repeated values)
   of a study are one finding.

**Evidence strength** (:data:`STRENGTHS`, strongest first), of a claim and of a finding
(the strongest of its claims):

- ``contradiction``: two printings of one quantity or comparison disagree for every value
  (a ``same_as`` link, or a claim that restates a printed value), both printed verbatim;
- ``impossible``: an internal check (GRIM, GRIMMER, SD feasibility, count against percent,
  median outside its IQR, impossible inputs) fails at the printed n under every reading but
  those inferred from the printed numbers themselves (config ``readings: {x: {inferred:
  true}}``: an n that makes the percentages possible cannot excuse them). Where the paper
  prints no n and the n is itself inferred (config ``n_as_reported``), the failure depends
  on that n and counts as ``discrepant``;
- ``discrepant``: no labelled reading fits;
- ``reading``: a labelled reading (not a rounding scheme, not inferred) fits;
- ``interpreted``: the claim is an interpreted or quoted statement (``claim_basis:
  interpreted``), labelled as such, whatever the data say;
- ``rounding``: every row within one unit of its last printed digit, or reproduced when the
  printed number is read as truncated or double rounded;
- ``flag``: repeated values (a flag, not a verdict).

The **consequence** (a decision error, a headline claim printed in an abstract) ranks within
a strength, never above it. Ranking: strength, then consequence, then more decision errors,
more claims, and the ledger's order. Decision errors of interpreted statements are not
counted: a verbal "significantly" is not the paper's test.

Everything here is computed from the ledger's columns and the studies' config (words for
readings and arms); nothing names a study. The findings table (:func:`findings_table`,
``results/audit/findings.csv``) and its evidence (:func:`evidence_table`) are what
summary.md, the report and the letters render.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from reanalysis.audit.ledger import CLAIM_READINGS, is_echo, stem
from reanalysis.audit.summary_level import AS_REPORTED, DUPLICATE, IMPLIED_N, IMPOSSIBLE_INPUTS
from reanalysis.engine.checks import impossibility_checks
from reanalysis.engine.rounding import NumberFormatError, format_value, parse_claim
from reanalysis.engine.verdicts import CONSISTENT, DISCREPANT, REPRODUCED

from .evidence import ReadingFit, explained_by, other_words

ROUNDING_READINGS = tuple(CLAIM_READINGS)
# internal checks whose failure makes the printed numbers impossible, by the name a
# reviewer knows them under: the engine's own, and those the check kinds declare
# (reanalysis.engine.checks, e.g. sd_feasibility's "SD infeasible")
IMPOSSIBILITY_CHECKS = {"grim": "GRIM", "grimmer": "GRIMMER", "count": "GRIM for percentages",
                        "percent": "count and percentage disagree",
                        "order": "median outside its IQR", "range_order": "median outside its range",
                        **impossibility_checks()}
# checks whose outcome depends on n
N_DEPENDENT_CHECKS = ("grim", "grimmer", "count", "percent", "sd_feasibility")
STRENGTHS = ("contradiction", "impossible", "discrepant", "reading", "interpreted", "rounding", "flag")
STRENGTH_LABELS = {
    "contradiction": "contradiction: two printings disagree",
    "impossible": "impossible under every reading",
    "discrepant": "discrepant under the stated method and every labelled reading",
    "reading": "holds only under a labelled reading",
    "interpreted": "interpreted or quoted statement",
    "rounding": "rounding-level slip",
    "flag": "repeated values (a flag, not a verdict)"}
CONTRADICTION, IMPOSSIBLE, OTHER, READING, INTERPRETED, ROUNDING, FLAG = range(len(STRENGTHS))
TIERS = STRENGTHS
CONSEQUENCES = ("decision error", "headline claim", "")
# Built-in readings of the engine, in words (a study's own readings are worded in its config)
READING_WORDS = {
    "rounding_truncate": "the printed numbers read as truncated, not rounded",
    "rounding_double": "the printed numbers read as rounded twice (first to one more decimal)",
    "welch": "Welch's unequal-variance test in place of the pooled-variance test",
    "as_sem": "± read as the standard error, not the SD",
    "welch_as_sem": "Welch's test, with ± read as the standard error",
    "fisher": "Fisher's exact test in place of chi-square",
    "yates": "chi-square with Yates' continuity correction",
    "g_test": "the G-test (likelihood ratio) in place of Pearson's chi-square",
    "fisher_freeman_halton": "the Fisher-Freeman-Halton exact test in place of chi-square",
    "newcombe": "Newcombe's (Wilson) interval in place of Wald's",
    "wilcoxon": "the Wilcoxon signed-rank test in place of the paired t-test",
    "mann_whitney": "the Mann-Whitney U test in place of the t-test",
    "spearman": "Spearman's rank correlation in place of Pearson's",
    "kendall": "Kendall's tau in place of Pearson's r",
}
# a claim checked against another printed value (a restatement): method 'value printed in X'
_RESTATED = re.compile(r"\bprinted in [A-Z]+(?:-[A-Z0-9]+)+\b")
_AGREEMENT_WITH = re.compile(r"^agreement with (\S+) ")
# the scale note of a claims row: 'scale 12 months per year'
_SCALE_WORDS = re.compile(r"scale ([0-9.]+) (\w[\w ]*?) per (\w+)")
# the method's n (summary-level: 'n = 7/7/7/7 (printed)')
_N_PRINTED = re.compile(r"n = ([0-9/]+) \(printed\)")


_UNDER = re.compile(r"they all reproduce under: ([^;]+)")
_IMPLIED = re.compile(re.escape(IMPLIED_N) + r" [^;]*(?:; (?:all are possible|no single n)[^;]*)?")
_IMPLIED_PARTS = re.compile(r"arm '(?P<arm>[^']+)' prints (?P<k>\d+) value\(s\) impossible at its "
                            r"stated n = (?P<n>\d+).*?all are possible for n in \{(?P<set>[^}]+)\}")
_DUPLICATE = re.compile(re.escape(DUPLICATE) + r" [^;]*")
_SCALE = re.compile(r"/ scale ([0-9.eE+-]+)\)")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


@dataclass
class Evidence:
    """One ledger row a finding rests on: what is printed against what is recomputed."""
    study: str
    claim_id: str
    location: str
    source: str
    quantity: str
    reported: str
    claim: str
    recomputed: str
    verdict: str
    decision_error: bool
    statistic: str
    method: str
    note: str
    reading: str = ""             # the reading that fits it, if one does
    reading_recomputed: str = ""
    reading_verdict: str = ""
    value: str = ""               # the ledger's value, low, high and why_unverifiable
    low: str = ""
    high: str = ""
    why: str = ""
    basis: str = "verbatim"       # the claims file's claim_basis (interpreted: a reading of words)

    @property
    def anchor(self) -> str:
        return claim_anchor(self.study, self.claim_id)

    @property
    def printed(self) -> str:
        """The printed value in short: the printed text when it is only numbers ('73 (86.8%)',
        '12 ± 7.6'), else the claim ('0.58', '> 0.05')."""
        if len(self.reported) <= 24 and not re.search(r"[A-Za-z]", self.reported):
            return self.reported
        return self.claim or self.reported


@dataclass
class Finding:
    study: str
    rule: str
    tier: int
    title: str
    statement: str                # the report's and summary.md's statement
    claims: list[str]
    evidence: list[Evidence]
    notes: list[str] = field(default_factory=list)
    reading: str = ""
    change: str = ""
    headline: bool = False
    decision_errors: int = 0
    checks: list[str] = field(default_factory=list)
    position: int = 0
    number: int = 0
    summary: str = ""             # one short sentence, for the letter
    consequence: str = ""         # 'decision error', 'headline claim' or ''
    readings: str = ""            # the readings that would explain it, in words

    @property
    def id(self) -> str:
        return f"F{self.number}"

    @property
    def strength(self) -> str:
        return STRENGTHS[self.tier]

    @property
    def strength_label(self) -> str:
        return STRENGTH_LABELS[self.strength]

    @property
    def anchor(self) -> str:
        return f"finding-{self.number}"

    @property
    def tier_label(self) -> str:
        return STRENGTHS[self.tier]

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(e.source for e in self.evidence if e.source))

    @property
    def links(self) -> list[tuple[str, str]]:
        """(claim id, its anchor in the report) for every claim it explains."""
        return [(c, claim_anchor(self.study, c)) for c in self.claims]

    @property
    def keys(self) -> list[str]:
        """The claims as study/claim_id (claim ids need not be unique across studies)."""
        return [f"{self.study}/{c}" for c in self.claims]


def claim_anchor(study: str, claim_id: str) -> str:
    """The id of a claim's rows in the report (letters, digits, '-', '_' and '.' only)."""
    return "claim-" + re.sub(r"[^A-Za-z0-9_.-]", "_", f"{study}--{claim_id}")


def recomputed_text(row: dict) -> str:
    """The recomputed value, with its interval over the rounding box where there is one."""
    shown = str(row.get("recomputed", "") or "")
    low, high = row.get("low", ""), row.get("high", "")
    if _is_number(low) and _is_number(high):
        interval = f"[{format_value(float(low))}, {format_value(float(high))}]"
        if interval not in shown:
            shown = f"{shown} {interval}".strip()
    return shown


def _is_number(x) -> bool:
    try:
        return float(x) == float(x)
    except (TypeError, ValueError):
        return False


def short_numbers(text: str, digits: int = 4) -> str:
    """Numbers in a text at a few significant digits (for titles; the evidence keeps all)."""
    return _NUMBER.sub(lambda m: format(float(m.group()), f".{digits}g"), str(text))


def _first_clause(note: str) -> str:
    return str(note).split("; ")[0].strip()


def _list(items, limit: int = 3) -> str:
    items = list(dict.fromkeys(items))
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


# --- the claims --------------------------------------------------------------------------

@dataclass
class _Claim:
    study: str
    claim_id: str
    position: int
    rows: list[dict]                                   # every row, ledger order
    flagged: list[dict] = field(default_factory=list)  # the as-reported rows that flag it
    fits: dict[str, list[dict]] = field(default_factory=dict)  # reading -> its rows

    @property
    def key(self) -> tuple[str, str]:
        return self.study, self.claim_id

    @property
    def basis(self) -> str:
        return next((r.get("claim_basis") or "verbatim" for r in self.rows), "verbatim")

    def partners(self) -> list[str]:
        """The claims it is linked to by `same_as` (its 'agreement with X' rows)."""
        return [m.group(1) for r in self.rows if r["statistic"] == "agreement"
                and (m := _AGREEMENT_WITH.match(r["method"]))]

    def contradicted(self) -> bool:
        return any(r["statistic"] == "agreement" and r["verdict"] == DISCREPANT for r in self.rows
                   if r["variant"] == AS_REPORTED)

    def components(self, direct_only: bool = False) -> set[str]:
        """The readings (a crossed variant's parts) that fit it, rounding schemes left out."""
        out = set()
        for v in self.fits:
            parts = [v] if "+" not in v else ([] if direct_only else v.split("+"))
            out |= {p for p in parts if p not in ROUNDING_READINGS}
        return out


def _ok(row: dict) -> bool:
    return row["verdict"] in (REPRODUCED, CONSISTENT) and row["decision_error"] != "true"


def is_flagged(row: dict) -> bool:
    """An as-reported row that is discrepant, a decision error or impossible, and not the echo
    of a claim's verdict on a printed value that claim restates, sums or subtracts (that
    discrepancy is the claim's, stated once in the claim's finding)."""
    return row["variant"] == AS_REPORTED and not is_echo(row) and (
        row["verdict"] == DISCREPANT or row["decision_error"] == "true"
        or row["why_unverifiable"] == IMPOSSIBLE_INPUTS)


def _claims(ledger: pd.DataFrame) -> dict[tuple[str, str], _Claim]:
    claims: dict[tuple[str, str], _Claim] = {}
    for i, row in enumerate(ledger.astype(str).to_dict("records")):
        key = (row["study"], row["claim_id"])
        if key not in claims:
            claims[key] = _Claim(row["study"], row["claim_id"], i, [])
        claims[key].rows.append(row)
    for c in claims.values():
        c.flagged = [r for r in c.rows if is_flagged(r)]
        if not c.flagged:
            continue
        needed = {r["statistic"] for r in c.flagged}
        by_variant: dict[str, dict[str, dict]] = {}
        for r in c.rows:
            if r["variant"] != AS_REPORTED:
                by_variant.setdefault(r["variant"], {}).setdefault(r["statistic"], r)
        for variant, rows in by_variant.items():
            if all(s in rows and _ok(rows[s]) for s in needed):
                c.fits[variant] = [rows[s] for s in sorted(needed)]
    return claims


# --- the rules ---------------------------------------------------------------------------

def _members(pending: list[_Claim], reading: str) -> list[_Claim]:
    """The claims a reading fits alone, and those it fits crossed with another (X+Y) when
    no reading fits them alone (a claim another reading fits alone belongs with that one)."""
    return [c for c in pending if reading in c.components(direct_only=True)
            or (reading in c.components() and not c.components(direct_only=True))]


def _fitting_variant(c: _Claim, reading: str) -> str | None:
    """The variant that fits the claim for a reading: the reading alone, else the first
    crossed variant holding it."""
    if reading in c.fits:
        return reading
    return next((v for v in c.fits if reading in v.split("+")), None)


def _method_change(before: str, after: str, context: int = 8) -> str:
    """What a reading changes in the method text: 'severe = x > 8 (n=12) → severe = x ≥ 8
    (n=13)', the changed words with the words before them back to a clause boundary."""
    a, b = before.split(), after.split()
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if i == len(a) == len(b):
        return ""
    j = 0
    while j < min(len(a), len(b)) - i and a[-1 - j] == b[-1 - j]:
        j += 1
    start = i
    while start > 0 and i - start < context and not a[start - 1].endswith((",", ";", ":")):
        start -= 1
    left = " ".join(a[start:len(a) - j]).rstrip(";,")
    right = " ".join(b[start:len(b) - j]).rstrip(";,")
    return f"{left} → {right}"


def _changes(members: list[_Claim], reading: str) -> list[str]:
    """The method changes a reading makes, the most frequent first."""
    counts: dict[str, int] = {}
    for c in members:
        variant = _fitting_variant(c, reading)
        if variant is None:
            continue
        for row in c.fits[variant]:
            stated = next((r for r in c.flagged if r["statistic"] == row["statistic"]), None)
            if stated is not None and stated["method"] and row["method"]:
                change = _method_change(stated["method"], row["method"])
                if change:
                    counts[change] = counts.get(change, 0) + 1
    return sorted(counts, key=lambda k: (-counts[k], len(k)))


def _evidence(c: _Claim, reading: str = "") -> list[Evidence]:
    out = []
    variant = _fitting_variant(c, reading) if reading else None
    if variant is None:
        # the reading that fits best, as evidence: a non-rounding reading first
        fitting = sorted(c.fits, key=lambda v: (any(p in ROUNDING_READINGS for p in v.split("+")),
                                               "+" in v, c.rows.index(c.fits[v][0])))
        variant = fitting[0] if fitting else None
    fits = {r["statistic"]: r for r in c.fits.get(variant, [])} if variant else {}
    for r in c.flagged:
        v = fits.get(r["statistic"])
        out.append(Evidence(
            study=r["study"], claim_id=r["claim_id"], location=r["location"],
            source=f"{r['source_file']}:{r['source_line']}" if r["source_file"] else "",
            quantity=r["quantity"], reported=r["reported"], claim=r["claim"],
            recomputed=recomputed_text(r), verdict=r["verdict"],
            decision_error=r["decision_error"] == "true", statistic=r["statistic"],
            method=r["method"], note=r["note"], reading=variant if v else "",
            reading_recomputed=recomputed_text(v) if v else "", reading_verdict=v["verdict"] if v else "",
            value=r["value"], low=r["low"], high=r["high"], why=r["why_unverifiable"],
            basis=r.get("claim_basis") or "verbatim"))
    return out


def _notes(members: list[_Claim], pattern=_IMPLIED) -> list[str]:
    return list(dict.fromkeys(m.group(0) for c in members for r in c.flagged
                              for m in pattern.finditer(r["note"])))


def _is_rounding_level(c: _Claim) -> bool:
    """Within one unit of the last printed decimal, or reproduced read as truncated or
    double rounded (for an impossibility check, possible: its best verdict is consistent)."""
    if any(v in ROUNDING_READINGS and all(r["verdict"] == REPRODUCED or (
            r["verdict"] == CONSISTENT and r["statistic"] in IMPOSSIBILITY_CHECKS) for r in rows)
           for v, rows in c.fits.items()):
        return True
    for r in c.flagged:
        if r["decision_error"] == "true" or not _is_number(r["value"]):
            return False
        try:
            claim = parse_claim(r["claim"])
        except NumberFormatError:
            return False
        if claim.op != "=" or claim.number.decimals < 1:
            return False  # a bound, or a whole number (a count one off is not rounding)
        scale = float(m.group(1)) if (m := _SCALE.search(r["note"])) else 1.0
        if abs(float(r["value"]) / scale - float(claim.number.value)) > float(claim.number.unit) * 1.000001:
            return False
    return True


class Words:
    """What the studies' config says about readings and arms, for the findings' words: each
    reading in words with its code label in brackets, whether it is inferred from the printed
    numbers, and each arm's name as the paper prints it."""

    def __init__(self, studies: dict | None = None):
        self.studies = studies or {}
        self.rows: dict[tuple[str, str], dict] = {}  # each claim's as-reported row (set by findings)

    def _readings(self, study: str) -> dict:
        return self.studies.get(study, {}).get("readings", {}) or {}

    def reading(self, study: str, label: str, code: bool = True) -> str:
        parts = []
        for part in label.split("+"):
            spec = self._readings(study).get(part, {})
            parts.append(spec.get("words") or READING_WORDS.get(part) or part.replace("_", " "))
        text = " and ".join(parts)
        return f"{text} (`{label}`)" if code else text

    def plausibility(self, study: str, label: str) -> str:
        return " ".join(self._readings(study).get(p, {}).get("plausibility", "") for p in label.split("+")).strip()

    def inferred(self, study: str, label: str) -> bool:
        return any(self._readings(study).get(p, {}).get("inferred", False) for p in label.split("+"))

    def arm(self, study: str, arm: str) -> str:
        return (self.studies.get(study, {}).get("arm_labels", {}) or {}).get(arm, arm)

    def n_inferred(self, study: str) -> str:
        """The n set standing in for an n the paper does not print (config n_as_reported)."""
        return self.studies.get(study, {}).get("n_as_reported", "") or ""


def _claim_strength(c: _Claim, words: Words, claims: dict) -> int:
    """A flagged claim's evidence strength (module docstring)."""
    if c.basis == "interpreted":
        return INTERPRETED
    rows = c.flagged
    disjoint = [m.group(1) for r in rows if r["statistic"] == "agreement" and r["verdict"] == DISCREPANT
                and (m := _AGREEMENT_WITH.match(r["method"]))]
    if any(claims.get((c.study, p)) is None or claims[(c.study, p)].basis != "interpreted" for p in disjoint):
        return CONTRADICTION
    if any(r["verdict"] == DISCREPANT and _RESTATED.search(r["method"]) for r in rows):
        return CONTRADICTION
    others = [r for r in rows if r["statistic"] != "agreement"]
    if not others:
        return INTERPRETED  # contradicted only by an interpreted statement
    if _is_rounding_level(c):
        return ROUNDING
    plausible = [x for x in c.components() if not words.inferred(c.study, x)]
    plausible += [x.strip() for r in others for m in [_UNDER.search(r["note"])] if m
                  for x in m.group(1).split(",") if not words.inferred(c.study, x.strip())]
    if plausible:
        return READING
    failed = [r["statistic"] for r in others if r["statistic"] in IMPOSSIBILITY_CHECKS and r["verdict"] == DISCREPANT]
    impossible = failed or any(r["why_unverifiable"] == IMPOSSIBLE_INPUTS or _IMPLIED.search(r["note"])
                               for r in others)
    if impossible:
        if words.n_inferred(c.study) and all(x in N_DEPENDENT_CHECKS for x in failed):
            return OTHER  # impossible only at an n the paper does not print
        return IMPOSSIBLE
    return OTHER


def _tier(members: list[_Claim], notes: list[str], words: Words, claims: dict) -> tuple[int, bool, int, list[str]]:
    rows = [r for c in members for r in c.flagged]
    counted = [r for c in members if c.basis != "interpreted" for r in c.flagged]
    errors = sum(r["decision_error"] == "true" for r in counted)
    headline = any("abstract" in r["location"].lower() for r in rows)
    checks = ["contradiction"] if any(c.contradicted() for c in members) else []
    checks += list(dict.fromkeys(IMPOSSIBILITY_CHECKS[r["statistic"]] for r in rows
                                 if r["statistic"] in IMPOSSIBILITY_CHECKS and r["verdict"] == DISCREPANT))
    if any(r["why_unverifiable"] == IMPOSSIBLE_INPUTS for r in rows):
        checks.append("impossible inputs")
    if notes:
        checks.append("implied n")
    flagged = [c for c in members if c.flagged]
    tier = min((_claim_strength(c, words, claims) for c in flagged), default=OTHER)
    return tier, headline, errors, checks


def _make(rule: str, members: list[_Claim], words: Words, claims: dict, reading: str = "",
          extra_notes=()) -> Finding:
    members = sorted(members, key=lambda c: c.position)
    notes = list(dict.fromkeys([*extra_notes, *_notes(members)]))
    tier, headline, errors, checks = _tier(members, notes, words, claims)
    evidence = [e for c in members for e in (_evidence(c, reading) if c.flagged else [_note_evidence(c)])]
    f = Finding(study=members[0].study, rule=rule, tier=tier, title="", statement="",
                claims=[c.claim_id for c in members], evidence=evidence, notes=notes,
                reading=reading, headline=headline, decision_errors=errors, checks=checks,
                position=members[0].position)
    f.consequence = CONSEQUENCES[0] if errors else CONSEQUENCES[1] if headline else ""
    if reading:
        f.change = "; ".join(_changes(members, reading)[:2])
    f.title, f.statement, f.summary = _describe(f, members, words)
    f.readings = _readings_text(f, members, words)
    return f


def _readings_text(f: Finding, members: list[_Claim], words: Words) -> str:
    """The readings that would explain a finding, in words, with how plausible each is; a
    reading that explains only some of its claims says how many and which
    (:func:`reanalysis.findings.evidence.explained_by`), and the claims none explains are
    counted."""
    if f.tier == CONTRADICTION:
        return "none: no reading of the data makes both printings true"
    explained = explained_by(vars(e) for e in f.evidence)
    fits = list(explained.fits)
    if not fits and f.reading and not explained.claims:  # a definition alone: its note names the reading
        fits = [ReadingFit(f.reading, ())]
    out, said = [], set()
    for fit in fits:
        text = words.reading(f.study, fit.reading)
        if explained.whole is None and explained.claims:
            last = fit is fits[-1] and len(fits) > 1 and not explained.rest
            which = f" ({_list(fit.claims)})" if len(fit.claims) <= 3 else ""
            text += ", for " + (other_words(len(fit.claims), which[2:-1]) if last else
                                f"{len(fit.claims)} of its {len(explained.claims)} claims{which}")
        how = words.plausibility(f.study, fit.reading)
        if words.inferred(f.study, fit.reading):
            how = how or "inferred from the printed numbers themselves, so it explains them and does not excuse them"
        out.append(f"{text}: {how}" if how and how not in said else text)
        said.add(how)
    if out and explained.rest:
        rest = explained.rest
        out.append("no labelled reading explains " + other_words(len(rest), _list(rest) if len(rest) <= 3 else ""))
    return "; ".join(out)


# --- the words ---------------------------------------------------------------------------

def _implied(notes: list[str]) -> dict | None:
    for note in notes:
        m = _IMPLIED_PARTS.search(note)
        if m:
            stated = int(m.group("n"))
            options = sorted((int(x) for x in m.group("set").split(",")), key=lambda n: (abs(n - stated), n))
            return {"arm": m.group("arm"), "k": int(m.group("k")), "n": stated, "options": options}
    return None


def _unit(quantity: str) -> str:
    m = re.search(r"\(([^()]*)\)\s*$", stem(quantity))
    return m.group(1) if m else ""


def in_printed_units(e: Evidence) -> str:
    """The recomputed value in the units the claim is printed in, where the claim has a scale
    (a claim in years of a quantity the data give in months): '5.667 years (68 months)'."""
    m = _SCALE.search(e.note)
    if not m or not _is_number(e.value):
        return short_numbers(e.recomputed)
    scale, value = float(m.group(1)), float(e.value)
    if scale == 1:
        return short_numbers(e.recomputed)
    words = _SCALE_WORDS.search(e.note)
    data_unit, printed_unit = (words.group(2), words.group(3)) if words else ("in the data's units", "")
    printed_unit = _unit(e.quantity) or printed_unit
    return f"{format(value / scale, '.4g')} {printed_unit} ({format_value(value)} {data_unit})".replace("  ", " ")


def _printed_vs(evidence: list[Evidence]) -> tuple[str, str]:
    """The printed values (with their units where the quantities differ in them, or where a
    claim is printed in other units than the data) and the recomputed ones, a few of each."""
    units = {_unit(e.quantity) for e in evidence}
    printed = [f"{e.printed} ({_unit(e.quantity)})" if (len(units) > 1 or _SCALE.search(e.note)) and _unit(e.quantity)
               else e.printed for e in evidence]
    return _list(printed), _list([in_printed_units(e) for e in evidence])


def _tried(members: list[_Claim]) -> list[str]:
    return list(dict.fromkeys(r["variant"] for c in members for r in c.rows if r["variant"] != AS_REPORTED))


def _readings_sentence(ev: list[Evidence], members: list[_Claim], words: Words) -> str:
    """Which labelled readings fit which claims (in words), and which were tried for the rest."""
    parts = []
    study = members[0].study if members else ""
    for reading in dict.fromkeys(e.reading for e in ev if e.reading):
        got = [e for e in ev if e.reading == reading]
        for verdict, verb in ((REPRODUCED, "reproduce"), (CONSISTENT, "become possible")):
            ids = list(dict.fromkeys(e.claim_id for e in got if e.reading_verdict == verdict))
            if ids:
                verb = verb if len(ids) > 1 else {"reproduce": "reproduces", "become possible": "becomes possible"}[verb]
                parts.append(f"with {words.reading(study, reading)}, {_list(ids, 4)} {verb}")
    fitted = {e.claim_id for e in ev if e.reading}
    rest = [c for c in members if c.claim_id not in fitted and c.flagged]
    tried = _tried(rest)
    if all(_whole(r["claim"]) for c in rest for r in c.flagged):
        tried = [t for t in tried if t not in ROUNDING_READINGS]  # a count is not rounded
    if rest and tried:
        whom = "it" if len(members) == 1 else "the others" if fitted else "them"
        shown = [words.reading(study, t) for t in tried[:4]]
        more = f" and {len(tried) - 4} more" if len(tried) > 4 else ""
        parts.append(f"no labelled reading reproduces {whom} (tried: {'; '.join(shown)}{more})")
    text = "; ".join(parts)
    return f" {text[:1].upper()}{text[1:]}." if text else ""


def _whole(claim: str) -> bool:
    try:
        return parse_claim(claim).number.decimals <= 0
    except NumberFormatError:
        return False


def _errors_sentence(n: int) -> str:
    if n > 1:
        return f" {n} of them flip significance at the paper's alpha (decision errors)."
    return " It flips significance at the paper's alpha (a decision error)." if n else ""


def _test_name(method: str) -> str:
    """A method's test, without its inputs: 'one-way ANOVA (F, pooled variance) across 4
    groups from printed mean ± SD, n = ...' -> 'one-way ANOVA (F, pooled variance) across 4 groups'."""
    return re.split(r" from | with the printed |; |, n = ", str(method))[0].strip()


def _method(e: Evidence, words: Words) -> str:
    """The method text, with an n that stands in for an unprinted one said to be so."""
    n_set = words.n_inferred(e.study)
    if n_set and _N_PRINTED.search(e.method):
        source = words.reading(e.study, f"n_{n_set}", code=False)
        return _N_PRINTED.sub(lambda m: f"n = {m.group(1)} (not printed: {source})", e.method)
    return e.method


def _main_row(c: _Claim) -> dict | None:
    """A claim's own as-reported row (not its agreement with another printing)."""
    return next((r for r in c.rows if r["variant"] == AS_REPORTED and r["statistic"] != "agreement"), None)


def _describe_contradiction(f: Finding, members: list[_Claim], words: Words) -> tuple[str, str, str]:
    printings = [(c, _main_row(c)) for c in members]
    printings = [(c, r) for c, r in printings if r is not None]
    clash = [(c, r) for c, r in printings if c.contradicted()] or printings
    quantity = clash[0][1]["quantity"]
    name = stem(quantity) if len(stem(quantity)) > 12 else quantity
    first = {}
    for _, r in clash:
        first.setdefault((r["claim"], _unit(r["quantity"])), r["location"])
    # printings in different units ('35' months, '> 3' years) each name their own
    mixed = len({unit for _, unit in first}) > 1
    if mixed:
        name = re.sub(r"\s*\([^()]*\)\s*$", "", name)
    printed = [f"'{claim}'" + (f" {unit}" if mixed and unit else "") + f" ({location})"
               for (claim, unit), location in list(first.items())[:3]]
    interpreted = f.tier != CONTRADICTION
    title = (f"{name}: printed as " + " and as ".join(dict.fromkeys(printed))
             + (" — an interpreted statement against a printed value" if interpreted
                else " — the printings contradict each other"))
    shown = "; ".join(f"{r['location']} (line {r['source_line']}): '{r['reported']}'"
                      + (" (an interpreted statement)" if c.basis == "interpreted" else "")
                      for c, r in printings[:6])
    data = []
    for c, r in printings:
        if r["recomputed"] and r["verdict"] in (REPRODUCED, CONSISTENT, DISCREPANT):
            data.append(f"{c.claim_id} '{r['claim']}' is {r['verdict']} (recomputed "
                        f"{in_printed_units(_row_evidence(r))})")
    method = _test_name(next((r["method"] for _, r in printings if r["method"]), ""))
    lead = ("One quantity is printed " + str(len(printings)) + " times and no value satisfies every printing: "
            if not interpreted else
            "A statement, read as a claim about a printed quantity, contradicts that quantity as printed: ")
    statement = (lead + shown + "." + ("" if interpreted else " This needs no assumption about the data.")
                 + (f" Against the printed data ({method}): {'; '.join(data)}." if data else "")
                 + _errors_sentence(f.decision_errors))
    summary = (f"The paper prints {name} as " + " and as ".join(dict.fromkeys(
        f"'{r['reported']}' ({r['location']})" for _, r in clash[:3]))
               + "; no value satisfies both." + (f" The printed data: {'; '.join(data[:2])}." if data else ""))
    return title, statement, summary


def _row_evidence(r: dict) -> Evidence:
    return Evidence(study=r["study"], claim_id=r["claim_id"], location=r["location"], source="",
                    quantity=r["quantity"], reported=r["reported"], claim=r["claim"],
                    recomputed=recomputed_text(r), verdict=r["verdict"], decision_error=False,
                    statistic=r["statistic"], method=r["method"], note=r["note"], value=r["value"])


def _describe(f: Finding, members: list[_Claim], words: Words) -> tuple[str, str, str]:
    """The finding's title, its statement (report, summary.md) and a short summary (letter),
    in the words of its rule."""
    describe = {"contradiction": _describe_contradiction, "definition": _describe_definition,
                "reading": _describe_reading, "implied_n": _describe_implied_n,
                "duplicates": _describe_duplicates}.get(f.rule, _describe_values)
    return describe(f, members, words)


def _describe_definition(f: Finding, members: list[_Claim], words: Words) -> tuple[str, str, str]:
    """A stated definition the dependent claims do not fit, and the reading they all fit."""
    change = _changes(members, f.reading) if f.reading else []
    named = words.reading(f.study, f.reading) if f.reading else ""
    definition = next(e for e in f.evidence if not e.statistic)
    title = (f"{stem(definition.quantity)}: the claims that depend on it hold only with "
             f"{named}, not as stated")
    statement = (f"The stated {stem(definition.quantity)} ('{definition.reported}') does not fit "
                 f"the printed data ({definition.recomputed}): every dependent claim reproduces "
                 f"with {named}" + (f" ({'; '.join(change[:2])})" if change else "") + _partly(f, words)
                 + f". Claims concerned: {_list(f.claims, 6)}.{_errors_sentence(f.decision_errors)}")
    summary = (f"{_plural(len(f.claims), 'claim')} print the stated definition or depend on it; all "
               f"dependent claims reproduce with {change[0] if change else named}{_partly(f, words)}.")
    return title, statement, summary


def _describe_reading(f: Finding, members: list[_Claim], words: Words) -> tuple[str, str, str]:
    """Claims that fail as stated and hold under one labelled reading (an n the printed
    numbers imply, or another)."""
    ids = _list(f.claims, 6)
    errors = _errors_sentence(f.decision_errors)
    change = _changes(members, f.reading) if f.reading else []
    named = words.reading(f.study, f.reading) if f.reading else ""
    how = f" ({change[0]})" if change else ""
    implied = _implied(f.notes)
    if implied:
        arm = words.arm(f.study, implied["arm"])
        alt = (" (or " + ", ".join(map(str, implied["options"][1:])) + ")"
               if len(implied["options"]) > 1 else "")
        title = (f"{arm} arm: the printed numbers fit n = {implied['options'][0]}, "
                 f"not the stated n = {implied['n']}")
        statement = (f"{implied['k']} values printed for the {arm} arm are impossible at "
                     f"its stated n = {implied['n']} and all possible at n = {implied['options'][0]}"
                     f"{alt}. {_plural(len(f.claims), 'claim')} that fail as stated reproduce or "
                     f"become possible with {named}{how}{_partly(f, words)}: {ids}.{errors}")
        summary = (f"{_plural(len(f.claims), 'claim')} that fail at n = {implied['n']} (percentages, "
                   f"integer means, tests and intervals) hold at n = {implied['options'][0]}"
                   f"{_partly(f, words)}.{errors}")
        return title, statement, summary
    printed, recomputed = _printed_vs(f.evidence)
    tests = _tests_sentence(f.evidence, words)
    title = f"{_plural(len(f.claims), 'claim')} hold only with {words.reading(f.study, f.reading, code=False)}"
    statement = (f"{_plural(len(f.claims), 'claim')} ({ids}) fail as stated: printed {printed} "
                 f"against recomputed {recomputed}.{tests} All reproduce or become possible with "
                 f"{named}{how}{_partly(f, words)}.{errors}")
    summary = (f"They fail as stated and reproduce or become possible with "
               f"{change[0] if change else named}{_partly(f, words)}.{errors}")
    return title, statement, summary


def _partly(f: Finding, words: Words) -> str:
    """Where the finding's own reading alone does not make every claim hold
    (:func:`reanalysis.findings.evidence.explained_by`): ', 1 of them (Z-T2-01) only together
    with Fisher's exact test', and the claims no reading makes hold; else ''."""
    explained = explained_by(vars(e) for e in f.evidence)
    whole = explained.whole
    if not explained.claims or (whole is not None and whole.reading == f.reading):
        return ""
    parts = []
    for fit in explained.fits:
        if fit.reading == f.reading:
            continue
        which = f"{len(fit.claims)} of them ({_list(fit.claims)})"
        also = [x for x in fit.reading.split("+") if x != f.reading]
        parts.append(f"{which} only together with {words.reading(f.study, '+'.join(also))}"
                     if len(also) < len(fit.reading.split("+")) else
                     f"{which} with {words.reading(f.study, fit.reading)} instead")
    if explained.rest:
        parts.append(f"{len(explained.rest)} of them ({_list(explained.rest)}) under no labelled reading")
    return ", " + "; ".join(parts)


def _describe_implied_n(f: Finding, members: list[_Claim], words: Words) -> tuple[str, str, str]:
    """Values of one arm impossible at its stated n (one implied-n note)."""
    implied = _implied(f.notes)
    title = (f"{words.arm(f.study, implied['arm'])} arm: values impossible at the stated n = {implied['n']}"
             if implied else f"{_plural(len(f.claims), 'value')} impossible at the stated n")
    statement = f"{f.notes[0]}. Claims concerned: {_list(f.claims, 6)}.{_errors_sentence(f.decision_errors)}"
    return title, statement, f"{f.notes[0]}."


def _describe_duplicates(f: Finding, members: list[_Claim], words: Words) -> tuple[str, str, str]:
    """Printed values repeated across arms or groups (a flag)."""
    title = f"{_plural(len(f.notes), 'repeat')} of printed values across arms or groups, unlikely by chance"
    shown = "; ".join(n.removeprefix(DUPLICATE).strip() for n in f.notes[:3])
    more = f"; and {len(f.notes) - 3} more" if len(f.notes) > 3 else ""
    statement = ("The same printed values appear for different arms or groups, which chance makes "
                 f"unlikely (a flag, not a verdict): {shown}{more}.")
    return title, statement, f"{shown}{more}."


def _describe_values(f: Finding, members: list[_Claim], words: Words) -> tuple[str, str, str]:
    """A value restated, values of one kind in one place, or a single value: printed against
    recomputed, with the readings that fit."""
    ev = f.evidence
    lead = ev[0]
    name = (lead.quantity if len(f.claims) == 1 and len(lead.quantity) <= 80 else stem(lead.quantity)) or lead.claim_id
    title = _values_title(f, name, words)
    why = _first_clause(lead.note)
    method = _method(lead, words)
    printed, recomputed = _printed_vs(ev)
    ids = _list(f.claims, 6)
    tests = _tests_sentence(ev, words)
    errors = _errors_sentence(f.decision_errors)
    if f.rule == "restated":
        statement = (f"One quantity is printed {len(f.claims)} times ({ids}) as {printed}; the data give "
                     f"{recomputed} ({method}).")
    elif len(f.claims) > 1:
        statement = (f"{_plural(len(f.claims), 'claim')} of one kind ({ids}): printed {printed} against "
                     f"recomputed {recomputed} ({method if not tests else 'tests below'}); e.g. "
                     f"{lead.claim_id}: {why}.{tests}")
    else:
        statement = (f"Printed '{lead.reported}' against recomputed {in_printed_units(lead)} ({method}): "
                     f"{why}.")
    if f.tier == INTERPRETED:
        statement = ("An interpreted statement (a reading of the paper's words, given in the claims file's note; "
                     "not the paper's own test): " + statement[:1].lower() + statement[1:])
    readings = _readings_sentence(ev, members, words)
    if len(f.claims) > 1:
        summary = f"Recomputed by {_test_name(method)}.{readings}{errors}"
    else:
        summary = f"{why[:1].upper()}{why[1:]}.{readings if lead.reading else ''}{errors}"
    return title, statement + readings + errors, summary


def _values_title(f: Finding, name: str, words: Words) -> str:
    """The title of a value restated, of values of one kind, or of a single value."""
    ev = f.evidence
    lead = ev[0]
    printed, recomputed = _printed_vs(ev)
    impossible = [e for e in ev if e.statistic in IMPOSSIBILITY_CHECKS]
    labels = ", ".join(dict.fromkeys(IMPOSSIBILITY_CHECKS[e.statistic] for e in impossible))
    if len(f.claims) > 3 and all(e.statistic == "p" for e in ev):
        no_reading = not any(e.reading_verdict == REPRODUCED for e in ev)
        title = (f"{lead.location}: {_plural(len(f.claims), 'printed p-value')} "
                 + ("that no reading reproduces" if no_reading else "not reproduced as stated"))
    elif impossible and len(impossible) == len(ev):
        verb = "impossible" if f.tier == IMPOSSIBLE else f"impossible at {_n_words(f, words)}"
        title = (f"{name}: printed {printed} {'is' if len(f.claims) == 1 else 'are'} {verb} ({labels})"
                 if len(f.claims) <= 3 else f"{name}: {len(f.claims)} printed values {verb} ({labels})")
    else:
        title = f"{name}: printed {printed}, recomputed {recomputed}"
    if f.tier == INTERPRETED:
        title += " (an interpreted statement)"
    restated = [(e, m) for e in ev if (m := _RESTATED.search(e.method))]
    if f.tier == CONTRADICTION and restated:
        e, m = restated[0]
        other = words.rows.get((f.study, m.group(0).removeprefix("printed in ")))
        where = f"{other['location']}, line {other['source_line']}" if other else m.group(0)
        title = (f"{name}: printed {printed} ({lead.location}, line {lead.source.rpartition(':')[2]}) "
                 f"but {recomputed} in {where} — the printings contradict each other")
    return title


def _n_words(f: Finding, words: Words) -> str:
    n_set = words.n_inferred(f.study)
    return f"the inferred n ({words.reading(f.study, 'n_' + n_set, code=False)})" if n_set else "the stated n"


def _tests_sentence(ev: list[Evidence], words: Words) -> str:
    """Where the claims of a finding were recomputed by different tests, each claim's test."""
    tests: dict[str, list[str]] = {}
    for e in ev:
        if e.method:
            tests.setdefault(_test_name(_method(e, words)), []).append(e.claim_id)
    if len(tests) < 2:
        return ""
    return " Tests: " + "; ".join(f"{_list(dict.fromkeys(ids), 4)} by {t}" for t, ids in tests.items()) + "."


# --- grouping ----------------------------------------------------------------------------

class _Union:
    def __init__(self, items):
        self.parent = {i: i for i in items}

    def find(self, x):
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a, b):
        a, b = self.find(a), self.find(b)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def findings(ledger: pd.DataFrame, studies: dict | None = None) -> list[Finding]:
    """The ledger's findings, each root cause once, ranked by evidence strength and
    numbered F1, F2, ... ``studies``: config["studies"] (words for readings and arms).
    The rules (module docstring) apply in order; each takes its claims out of ``left``."""
    words = Words(studies)
    claims = _claims(ledger)
    words.rows = {k: next((r for r in c.rows if r["variant"] == AS_REPORTED), c.rows[0]) for k, c in claims.items()}
    flagged = [c for c in claims.values() if c.flagged]
    left = {c.key: c for c in flagged}
    out = _contradictions(claims, left, words)
    out += _definitions(flagged, left, words, claims)
    out += _shared_readings(flagged, left, words, claims)
    out += _implied_groups(left, words, claims)
    out += _restated_or_alike(left, words, claims)
    out += _repeated_values(claims, words)
    out.sort(key=lambda f: (f.tier, CONSEQUENCES.index(f.consequence), -f.decision_errors, -len(f.claims),
                            f.position))
    for i, f in enumerate(out, 1):
        f.number = i
    return out


def _contradictions(claims: dict, left: dict, words: Words) -> list[Finding]:
    """Rule 0: printings of one quantity that contradict each other, with every printing linked."""
    union = _Union(list(claims))
    for c in claims.values():
        for other in c.partners():
            if (c.study, other) in claims:
                union.join(c.key, (c.study, other))
    components: dict[tuple[str, str], list[_Claim]] = {}
    for c in claims.values():
        components.setdefault(union.find(c.key), []).append(c)
    out = []
    for members in components.values():
        if any(c.contradicted() and c.key in left for c in members):
            for c in members:
                left.pop(c.key, None)
            out.append(_make("contradiction", members, words, claims))
    return out


def _definitions(flagged: list[_Claim], left: dict, words: Words, claims: dict) -> list[Finding]:
    """Rule 1: a stated definition, and the claims its reading fits."""
    definitions: dict[tuple[str, tuple[str, ...]], list[_Claim]] = {}
    for c in flagged:
        for r in c.flagged:
            m = _UNDER.search(r["note"])
            if m:
                readings = tuple(x.strip() for x in m.group(1).split(","))
                definitions.setdefault((c.study, readings), []).append(c)
                break
    out = []
    for (study, readings), defs in definitions.items():
        members = [c for c in defs if c.key in left]
        members += [c for c in left.values() if c.study == study and c not in members
                    and any(x in c.components() for x in readings)]
        for c in members:
            left.pop(c.key, None)
        out.append(_make("definition", members, words, claims, reading=readings[0]))
    return out


def _shared_readings(flagged: list[_Claim], left: dict, words: Words, claims: dict) -> list[Finding]:
    """Rule 2: readings shared by two or more claims, the one fitting most first."""
    out = []
    for study in dict.fromkeys(c.study for c in flagged):
        while True:
            pending = [c for c in left.values() if c.study == study]
            direct: dict[str, int] = {}
            for c in pending:
                for x in c.components(direct_only=True):
                    direct[x] = direct.get(x, 0) + 1
            eligible = [x for x, n in direct.items() if n >= 2]
            if not eligible:
                break
            size = {x: len(_members(pending, x)) for x in eligible}
            best = min(eligible, key=lambda x: (-size[x], -direct[x], x))
            members = _members(pending, best)
            for c in members:
                del left[c.key]
            out.append(_make("reading", members, words, claims, reading=best))
    return out


def _implied_groups(left: dict, words: Words, claims: dict) -> list[Finding]:
    """Rule 3: one implied-n note over two or more claims."""
    by_note: dict[tuple[str, str], list[_Claim]] = {}
    for c in left.values():
        for note in dict.fromkeys(m.group(0) for r in c.flagged for m in _IMPLIED.finditer(r["note"])):
            by_note.setdefault((c.study, note), []).append(c)
    out = []
    for (study, note), members in by_note.items():
        members = [c for c in members if c.key in left]
        if len(members) >= 2:
            for c in members:
                del left[c.key]
            out.append(_make("implied_n", members, words, claims, extra_notes=[note]))
    return out


def _restated_or_alike(left: dict, words: Words, claims: dict) -> list[Finding]:
    """Rule 4: one computation restated, or one kind of quantity in one place; and rule 5's
    first part, each claim left a finding of its own."""
    union = _Union(list(left))
    seen: dict[tuple, tuple[str, str]] = {}
    for key, c in left.items():
        # Alike claims join only at one evidence strength: a claim that a reading or a
        # rounding explains is not counted among those no reading explains.
        strength = _claim_strength(c, words, claims)
        for r in c.flagged:
            keys = ([("place", c.study, r["location"], r["statistic"], stem(r["quantity"]), strength)]
                    if stem(r["quantity"]) else [])
            if r["method"] and _NUMBER.match(r["recomputed"]):  # a number, not 'impossible'
                keys.append(("computation", c.study, r["method"], r["recomputed"]))
            for k in keys:
                if k in seen:
                    union.join(seen[k], key)
                else:
                    seen[k] = key
    groups: dict[tuple[str, str], list[_Claim]] = {}
    for key, c in left.items():
        groups.setdefault(union.find(key), []).append(c)
    out = []
    for members in groups.values():
        if len(members) == 1:
            rule = "single"
        else:
            computations = {(r["method"], r["recomputed"]) for c in members for r in c.flagged}
            rule = "restated" if len(computations) == 1 else "alike"
        out.append(_make(rule, members, words, claims))
    return out


def _repeated_values(claims: dict, words: Words) -> list[Finding]:
    """Rule 5's second part: repeated values (the duplicate notes), one finding per study."""
    duplicates: dict[str, dict[str, list[_Claim]]] = {}
    for c in claims.values():
        for r in c.rows:
            if r["variant"] == AS_REPORTED:
                for m in _DUPLICATE.finditer(r["note"]):
                    duplicates.setdefault(c.study, {}).setdefault(m.group(0), []).append(c)
    out = []
    for study, notes in duplicates.items():
        members = list({c.key: c for cs in notes.values() for c in cs}.values())
        members.sort(key=lambda c: c.position)
        f = Finding(study=study, rule="duplicates", tier=FLAG, title="", statement="",
                    claims=[c.claim_id for c in members], notes=list(notes), position=members[0].position,
                    evidence=[_note_evidence(c) for c in members])
        f.title, f.statement, f.summary = _describe(f, members, words)
        out.append(f)
    return out


def _note_evidence(c: _Claim) -> Evidence:
    r = next(r for r in c.rows if r["variant"] == AS_REPORTED)
    return Evidence(study=r["study"], claim_id=r["claim_id"], location=r["location"],
                    source=f"{r['source_file']}:{r['source_line']}" if r["source_file"] else "",
                    quantity=r["quantity"], reported=r["reported"], claim=r["claim"],
                    recomputed=recomputed_text(r), verdict=r["verdict"], decision_error=False,
                    statistic=r["statistic"], method=r["method"], note=r["note"])


# --- the findings table ------------------------------------------------------------------

FINDING_COLUMNS = ["id", "rank", "study", "strength", "strength_label", "consequence", "decision_errors",
                   "headline", "rule", "title", "statement", "summary", "claims", "checks", "printed",
                   "recomputed", "readings", "locations"]
EVIDENCE_COLUMNS = ["finding", "study", "claim_id", "location", "source_file", "source_line", "quantity",
                    "reported", "claim", "recomputed", "verdict", "decision_error", "statistic", "method",
                    "note", "reading", "reading_recomputed", "reading_verdict"]


def findings_table(found: list[Finding]) -> pd.DataFrame:
    """One row per finding, in rank order: what summary.md, the report and the letters render."""
    rows = []
    for f in found:
        printed, recomputed = _printed_vs(f.evidence) if f.rule != "duplicates" else ("", "")
        rows.append({"id": f.id, "rank": f.number, "study": f.study, "strength": f.strength,
                     "strength_label": f.strength_label, "consequence": f.consequence,
                     "decision_errors": f.decision_errors, "headline": str(f.headline).lower(),
                     "rule": f.rule, "title": f.title, "statement": f.statement, "summary": f.summary,
                     "claims": "; ".join(f.claims), "checks": "; ".join(f.checks), "printed": printed,
                     "recomputed": recomputed, "readings": f.readings,
                     "locations": "; ".join(dict.fromkeys(e.location for e in f.evidence))})
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def evidence_table(found: list[Finding]) -> pd.DataFrame:
    """One row per (finding, claim row it rests on), in the findings' order."""
    rows = []
    for f in found:
        for e in f.evidence:
            source_file, _, source_line = e.source.rpartition(":")
            rows.append({"finding": f.id, "study": e.study, "claim_id": e.claim_id, "location": e.location,
                         "source_file": source_file, "source_line": source_line, "quantity": e.quantity,
                         "reported": e.reported, "claim": e.claim, "recomputed": e.recomputed,
                         "verdict": e.verdict, "decision_error": str(e.decision_error).lower(),
                         "statistic": e.statistic, "method": e.method, "note": e.note, "reading": e.reading,
                         "reading_recomputed": e.reading_recomputed, "reading_verdict": e.reading_verdict})
    return pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)


def write_findings(found: list[Finding], table_path, evidence_path) -> None:
    findings_table(found).to_csv(table_path, index=False, lineterminator="\n")
    evidence_table(found).to_csv(evidence_path, index=False, lineterminator="\n")


def read_findings(path) -> pd.DataFrame:
    """A findings or evidence table as written, every cell as its text."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)
