"""INSPECT-SR: is this trial trustworthy? The tool's 21 checks answered from the audit.

INSPECT-SR (Wilkinson et al. 2025, https://inspect.sr) judges whether a randomised trial's
data can be trusted enough to enter a systematic review: 21 checks in four domains, each
answered yes (a possible problem), no, unclear or not applicable; each domain, and the trial,
judged "no concerns", "some concerns" or "serious concerns". This module answers every
check for each study whose config says it is a randomised trial (``study_type``), and says
for the others that the tool does not apply.

How each check is answered (column ``how`` of the table):

- **computed from the audit** (4.3, 4.4, 4.6, 4.8, 4.9, 4.10): the ledger's rows at the
  paper's stated reading (``results/audit/claims.csv``), mapped to checks by the kind of check
  that ran, and the findings that hold them (``results/audit/findings.csv`` and
  ``finding_evidence.csv``, read only through those files), whose evidence strength decides
  whether a problem answers yes; 4.3 from the baseline check of "Is the effect real?"
  (``results/beyond/<study>.csv``) and the repeated-values findings.
- **partly computed** (2.1, 2.2, 4.1, 4.2, 4.5, 4.7): facts a person transcribes into the
  study's ``trust:`` block (each with its source: a paper's lines and the words quoted, or an
  outside record), and a rule of the trust rules: the ethics statement's parts; registration
  against recruitment dates; baseline rows against the printed eligibility ranges (exact SD
  bounds, ``feasibility``); arm sizes against the stated allocation (the multinomial
  probability of an imbalance this large or this small, scipy; the bound blocks allow); losses
  to follow-up (none over a long trial, an improbably exact tie); the trial's effect against
  the prediction interval of the other entries of its pool (``results/beyond/corpus.csv``).
- **given by the user** (the rest of Domains 1-3, 4.11, or any partly computed check the
  study answers directly): the answer with its evidence and source; an unanswered check is
  unclear.

Every rule and threshold, and the domain judgement rule, is in the trust rules file (config
``trust_rules``, validated by ``workflow/schemas/trust.schema.yaml``) with its reason: a yes
backed by a contradiction or an impossibility makes its domain serious, any other yes some
concerns; unclear answers raise a domain or not as configured, and a domain whose every check
is unclear is "not assessed"; the overall judgement is no better than the worst domain.

Outputs: ``results/trust/<study>.csv`` (21 check rows, four domain rows, one overall row)
for every randomised trial, and ``results/trust/index.csv`` (one row per study: whether the
tool applies, with the design and its source, and the judgements). The report and the
letters render from those files with ``trust_context``, ``trust_table_markdown`` and
``domain4_sentence``, which compute nothing. Nothing here names a study.
"""
from __future__ import annotations

import csv
import itertools
import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from reanalysis.engine.rounding import unround
from reanalysis.engine.verdicts import CONSISTENT, DISCREPANT, REPRODUCED
from reanalysis.errors import InputError
from reanalysis.inputs.config import load_settings_file, randomised_trials, study_file

YES, NO, UNCLEAR, NOT_APPLICABLE = "yes", "no", "unclear", "not applicable"
ANSWERS = (YES, NO, UNCLEAR, NOT_APPLICABLE)
NO_CONCERNS, SOME, SERIOUS, NOT_ASSESSED = ("no concerns", "some concerns", "serious concerns",
                                            "not assessed")
SEVERITY = {NO_CONCERNS: 0, SOME: 1, SERIOUS: 2}

AS_REPORTED = "as_reported"          # the ledger's variant for the paper's stated reading
IMPOSSIBLE_INPUTS = "impossible_inputs"
AUDIT_CHECKS = ("4.4", "4.6", "4.8", "4.9", "4.10")
# ledger statistics of internal checks whose failure is an impossibility (GRIM, GRIMMER,
# percentages, count against percent, SD feasibility, median outside its IQR)
IMPOSSIBILITY_KINDS = ("grim", "grimmer", "count", "percent", "sd_feasibility", "order")
COMPUTED = ("4.3", *AUDIT_CHECKS, "4.7")
PARTLY = {"2.1": "ethics", "2.2": "registration", "4.1": "eligibility", "4.2": "allocation",
          "4.5": "losses"}
HOW_AUDIT = "computed from the audit"
HOW_PARTLY = "partly computed: a rule of the trust rules on facts from config"
HOW_GIVEN = "given by the user in the study's config"
HOW_NOT_GIVEN = "not given: no answer in the study's config"
HOW_RULE = "judgement rule"
# what each audit-computed check looks at, in words (evidence sentences)
AUDIT_WHAT = {
    "4.4": "values printed more than once",
    "4.6": "participant counts, flows and stated n",
    "4.8": "means, SDs and percentages checked against their n (GRIM, GRIMMER, percentages)",
    "4.9": "printed tests (p-values, confidence bounds, correlations) recomputed from their data",
    "4.10": "derived values (medians within IQRs, SDs within bounds, changes, subtotals)",
}
TRUST_SCHEMA = "workflow/schemas/trust.schema.yaml"
TABLE_COLUMNS = ["study", "level", "id", "short", "domain", "question", "answer", "strength",
                 "strength_label", "serious", "how", "findings", "claims", "source", "evidence", "rule"]
INDEX_COLUMNS = ["study", "inspect_sr", "design", "source", "overall", "domain_1", "domain_2",
                 "domain_3", "domain_4", "table"]
APPLIES, DOES_NOT_APPLY, NOT_STATED = "applies", "does not apply", "not stated"
INDEX = "index"
# the claim of a printed baseline p in a Carlisle row: "... for age (printed p 0.8068, Z-T1-01)?"
_BASELINE_P_CLAIM = re.compile(r"\(printed p [^,()]*, ([A-Z]+(?:-[A-Z0-9]+)+)\)")
_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


@dataclass
class Answer:
    """One check's answer, how it was reached, and what it rests on."""
    check: str
    answer: str
    how: str
    evidence: str
    rule: str
    strength: str = ""
    findings: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)
    source: str = ""


@dataclass
class Judgement:
    """A domain's or the trial's judgement and the rule that produced it."""
    id: str
    name: str
    level: str
    rule: str
    evidence: str


# --- rules and config ----------------------------------------------------------------------

def load_rules(config: dict, root: str | Path = ".", schema_dir: str | Path = "workflow/schemas") -> dict | None:
    """The trust rules (config key ``trust_rules``), validated like every config file; None
    when the key is unset. The strengths the rules name must be defined, and every check's
    domain must exist."""
    rules = load_settings_file(config, "trust_rules", TRUST_SCHEMA, "keys domains, checks, strengths, audit, "
                               "judgement and one per computed check", root, schema_dir)
    if rules is None:
        return None
    known = set(rules["strengths"])
    named = [("audit.yes_strengths.default", s) for s in rules["audit"]["yes_strengths"]["default"]]
    named += [(f"audit.yes_strengths.by_check.{c}", s)
              for c, ss in rules["audit"]["yes_strengths"].get("by_check", {}).items() for s in ss]
    named += [("judgement.serious.strengths", s) for s in rules["judgement"]["serious"]["strengths"]]
    named += [("audit.finding_strengths", s) for s in rules["audit"]["finding_strengths"]]
    for key, s in named:
        if s not in known:
            raise InputError(config["trust_rules"], "unknown evidence strength", key=key, value=s,
                             rule=f"one of strengths: {', '.join(known)}")
    for check, spec in rules["checks"].items():
        if spec["domain"] not in rules["domains"]:
            raise InputError(config["trust_rules"], "unknown domain", key=f"checks.{check}.domain",
                             value=spec["domain"], rule=f"one of {', '.join(rules['domains'])}")
    ids = set(rules["checks"])
    mapped = {c for spec in rules["audit"]["statistics"].values()
              for c in spec["checks"] + spec.get("participants", [])}
    mapped |= {c for cs in rules["audit"]["finding_checks"].values() for c in cs}
    mapped |= {c for cs in rules["audit"]["finding_strengths"].values() for c in cs}
    for c in sorted(mapped - ids):
        raise InputError(config["trust_rules"], "unknown check", key="audit", value=c,
                         rule=f"one of the checks: {', '.join(rules['checks'])}")
    rules["file"] = config["trust_rules"]     # for error messages
    return rules


def _strength_rank(rules: dict, strength: str) -> int:
    order = list(rules["strengths"])
    return order.index(strength) if strength in order else len(order)


def _label(rules: dict, strength: str) -> str:
    return rules["strengths"].get(strength, strength)


def source_text(source) -> str:
    """A source as one line: 'file lines a-b: "quote"', or the text given."""
    if isinstance(source, dict):
        a, b = source["lines"]
        lines = f"line {a}" if a == b else f"lines {a}-{b}"
        return f"{source['file']} {lines}: \"{source['quote']}\""
    return str(source or "")


# --- what the audit wrote ------------------------------------------------------------------

def read_csv(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@dataclass
class AuditTables:
    """The audit's outputs this stage reads: the ledger, the findings table and its evidence,
    the beyond rows of each study and of the corpus."""
    ledger: list[dict]
    findings: list[dict]
    evidence: list[dict]
    beyond: dict[str, list[dict]] = field(default_factory=dict)
    corpus: list[dict] = field(default_factory=list)


def read_audit(results_dir: str | Path, studies) -> AuditTables:
    results_dir = Path(results_dir)
    beyond = {}
    for s in studies:
        path = results_dir / "beyond" / f"{s}.csv"
        if path.is_file():
            beyond[s] = read_csv(path)
    corpus = results_dir / "beyond" / "corpus.csv"
    return AuditTables(read_csv(results_dir / "audit" / "claims.csv"),
                       read_csv(results_dir / "audit" / "findings.csv"),
                       read_csv(results_dir / "audit" / "finding_evidence.csv"),
                       beyond, read_csv(corpus) if corpus.is_file() else [])


class _StudyAudit:
    """One study's ledger rows and findings, indexed for the checks."""

    def __init__(self, name: str, tables: AuditTables, rules: dict):
        self.name, self.rules = name, rules
        rows = [r for r in tables.ledger if r["study"] == name]
        self.as_reported = [r for r in rows if r["variant"] == AS_REPORTED]
        self.variants: dict[str, list[dict]] = {}
        for r in rows:
            self.variants.setdefault(r["claim_id"], []).append(r)
        self.findings = {f["id"]: f for f in tables.findings if f["study"] == name}
        self.of_claim: dict[str, list[str]] = {}
        for e in tables.evidence:
            if e["study"] == name and e["finding"] in self.findings:
                ids = self.of_claim.setdefault(e["claim_id"], [])
                if e["finding"] not in ids:
                    ids.append(e["finding"])
        audit = rules["audit"]
        self.pattern = re.compile(audit["participant_quantity"]["pattern"])
        unknown = sorted({r["statistic"] for r in self.as_reported}
                         - set(audit["statistics"]) - set(audit["not_mapped"]))
        if unknown:
            raise InputError(rules.get("file", "the trust rules"), "a ledger statistic no check is mapped to",
                             key="audit.statistics",
                             value=unknown[0], rule="map it to checks in audit.statistics, or list it in "
                                                    "audit.not_mapped with the reason")

    def checks_of(self, row: dict) -> list[str]:
        spec = self.rules["audit"]["statistics"].get(row["statistic"])
        if spec is None:
            return []
        if "participants" in spec and self.pattern.search(row["quantity"]):
            return spec["participants"]
        return spec["checks"]

    def strengths_of(self, row: dict) -> list[tuple[str, str]]:
        """(strength, finding id) for each finding holding the claim; for a claim no finding
        holds, one strength read from the ledger (finding id empty)."""
        held = self.of_claim.get(row["claim_id"], [])
        if held:
            return [(self.findings[f]["strength"], f) for f in held]
        others = [v for v in self.variants.get(row["claim_id"], []) if v["variant"] != AS_REPORTED]
        if any(v["verdict"] in (REPRODUCED, CONSISTENT) and v["decision_error"] != "true" for v in others):
            return [("reading", "")]
        # the kinds whose failure is, by definition, two printings that disagree or an
        # impossibility (README, "How to read the ledger": discrepant)
        if row["statistic"] == "agreement":
            return [("contradiction", "")]
        if row["statistic"] in IMPOSSIBILITY_KINDS or row["why_unverifiable"] == IMPOSSIBLE_INPUTS:
            return [("impossible", "")]
        return [("discrepant", "")]

    def findings_answering(self, check: str) -> list[str]:
        """Findings whose impossibility checks or strength the rules map to this check."""
        audit = self.rules["audit"]
        out = []
        for fid, f in self.findings.items():
            names = [c.strip() for c in f.get("checks", "").split(";") if c.strip()]
            if any(check in audit["finding_checks"].get(c, []) for c in names) \
                    or check in audit["finding_strengths"].get(f["strength"], []):
                out.append(fid)
        return out


def _is_tested(row: dict) -> bool:
    return row["verdict"] in (REPRODUCED, CONSISTENT, DISCREPANT) or row["why_unverifiable"] == IMPOSSIBLE_INPUTS


def _is_problem(row: dict) -> bool:
    return (row["verdict"] == DISCREPANT or row["why_unverifiable"] == IMPOSSIBLE_INPUTS
            or row["decision_error"] == "true")


def _list(items, limit: int = 4) -> str:
    items = list(dict.fromkeys(items))
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"


def _g(x: float, digits: int = 3) -> str:
    return format(float(x), f".{digits}g")


def _finding_text(view: _StudyAudit, fid: str, check: str = "") -> str:
    """'F4 (holds only under a labelled reading; implied n): <title>': the finding, its
    strength and, where its own checks tie it to ``check``, which of them."""
    f = view.findings[fid]
    title = f.get("title", "").rstrip(".")
    names = [c.strip() for c in f.get("checks", "").split(";") if c.strip()]
    tied = [c for c in names if check in view.rules["audit"]["finding_checks"].get(c, [])] if check else []
    label = f.get("strength_label") or _label(view.rules, f["strength"])
    return f"{fid} ({label}{'; ' + ', '.join(tied) if tied else ''}): {title}"


# --- Domain 4 from the audit ---------------------------------------------------------------

def _yes_strengths(rules: dict, check: str) -> list[str]:
    ys = rules["audit"]["yes_strengths"]
    return ys.get("by_check", {}).get(check, ys["default"])


def audit_check(check: str, view: _StudyAudit) -> Answer:
    """Checks 4.4, 4.6, 4.8, 4.9, 4.10: the as-reported ledger rows of the kinds mapped to the
    check, and the findings mapped to it by their checks; yes when a problem's strength is
    one the rules accept for the check."""
    rules = view.rules
    what = AUDIT_WHAT[check]
    tested = [r for r in view.as_reported if check in view.checks_of(r) and _is_tested(r)]
    items = []    # (strength, finding id, claim id)
    for r in tested:
        if _is_problem(r):
            items += [(s, f, r["claim_id"]) for s, f in view.strengths_of(r)]
    linked = view.findings_answering(check)
    for fid in linked:
        claims = [c.strip() for c in view.findings[fid].get("claims", "").split(";") if c.strip()]
        items += [(view.findings[fid]["strength"], fid, c) for c in claims] or [(view.findings[fid]["strength"], fid, "")]
    ys = _yes_strengths(rules, check)
    rule = (f"yes when a problem among the {what.split(' (')[0]} rests on evidence of strength "
            f"{', '.join(ys)} (trust rules: audit.statistics, audit.finding_checks, audit.yes_strengths)")
    if not tested and not linked:
        return Answer(check, UNCLEAR, HOW_AUDIT, f"No {what.split(' (')[0]} are in the transcribed text, so "
                      "the audit cannot answer this check.", rule)
    yes = [i for i in items if i[0] in ys]
    other = [i for i in items if i[0] not in ys]
    n_problem_rows = len({r["claim_id"] for r in tested if _is_problem(r)})
    if yes:
        strongest = min((s for s, _, _ in yes), key=lambda s: _strength_rank(rules, s))
        fids = sorted({f for _, f, _ in yes if f}, key=lambda f: (_strength_rank(rules, view.findings[f]["strength"]),
                                                                  int(view.findings[f].get("rank") or 0)))
        claims = list(dict.fromkeys(c for _, _, c in yes if c))
        if n_problem_rows:
            head, sep = f"{n_problem_rows} of {len(tested)} {what} fail at the stated reading", "; "
        elif tested:
            head, sep = f"All {len(tested)} {what} hold at the stated reading, but", " "
        else:
            head, sep = f"None of the {what.split(' (')[0]} is printed as a row of its own, but", " "
        shown = "; ".join(_finding_text(view, f, check) for f in fids[:2])
        unheld = [c for s, f, c in yes if not f]
        tail = (f"{sep}{shown}" if shown else "") + (
            f"; {_list(unheld)} (in no finding: strength from the ledger, {_label(rules, strongest)})" if unheld else "")
        return Answer(check, YES, HOW_AUDIT, f"{head}{tail}.", rule, strongest, fids, claims,
                      "results/audit/claims.csv; results/audit/findings.csv; results/audit/finding_evidence.csv")
    text = f"All {len(tested)} {what} hold at the stated reading" if tested else f"No {what} fail"
    if other:
        fids = sorted({f for _, f, _ in other if f}, key=lambda f: int(view.findings[f].get("rank") or 0))
        labels = [_label(rules, s) for s in sorted({s for s, _, _ in other}, key=lambda s: _strength_rank(rules, s))]
        claims = list(dict.fromkeys(c for _, _, c in other if c))
        text = (f"{len(tested) - n_problem_rows} of {len(tested)} {what} hold at the stated reading; "
                f"the problems ({_list(fids) if fids else _list(claims)}) are of a strength that does not "
                f"answer yes here: {'; '.join(labels)}")
    else:
        claims = [r["claim_id"] for r in tested]
    return Answer(check, NO, HOW_AUDIT, text + ".", rule, "", sorted({f for _, f, _ in other if f}),
                  list(dict.fromkeys(claims)), "results/audit/claims.csv; results/audit/findings.csv")


def _printed_p(text: str) -> float | None:
    """A p as the beyond rows write it ('0.204', '< 0.0002')."""
    m = re.fullmatch(r"\s*(<|<=)?\s*([0-9.eE+-]+)\s*", str(text))
    if not m:
        return None
    try:
        return float(m.group(2))
    except ValueError:
        return None


def baseline_check(view: _StudyAudit, beyond_rows: list[dict]) -> Answer:
    """Check 4.3: the combined Carlisle tests of the beyond section (both directions, at the
    printed p-values and with simulated ones) and the repeated-values findings."""
    rules = view.rules
    spec = rules["carlisle"]
    alpha = spec["alpha"]
    rule = (f"yes when a combined baseline test gives p < {_g(alpha)} in either direction "
            "(trust rules: carlisle), or a repeated-values finding is mapped to 4.3 "
            "(audit.finding_strengths); never serious by itself")
    rows = [r for r in beyond_rows if "baseline check" in r.get("part", "")]
    combined = [r for r in rows if re.search(r"more (alike|different) than chance", r["question"])]
    flags = view.findings_answering("4.3")
    claims = list(dict.fromkeys(c for r in rows for c in _BASELINE_P_CLAIM.findall(r["question"])))
    if not combined and not flags:
        return Answer("4.3", UNCLEAR, HOW_AUDIT, "No baseline check is configured for this study (its "
                      "config's beyond.carlisle) and no repeated values were flagged, so the audit "
                      "cannot answer this check.", rule)
    parts, hits = [], []
    for r in combined:
        p = _printed_p(r["value"])
        direction = "more alike" if "more alike" in r["question"] else "more different"
        basis = "simulated p-values" if "simulated" in r["question"] else "printed p-values"
        if p is None:
            continue
        parts.append(f"{basis}, {direction} than chance: {_g(p)}")
        if p < alpha:
            hits.append(f"the groups look {direction} than chance from the {basis} (p {_g(p)} < {_g(alpha)})")
    flag_claims = [c.strip() for f in flags for c in view.findings[f].get("claims", "").split(";") if c.strip()]
    source = "results/beyond/" + view.name + ".csv (part 5 baseline check)" if combined else ""
    if hits or flags:
        said = "; ".join(hits + [_finding_text(view, f) for f in flags])
        strength = min((["improbable"] if hits else []) + [view.findings[f]["strength"] for f in flags],
                       key=lambda s: _strength_rank(rules, s))
        return Answer("4.3", YES, HOW_AUDIT, f"{said[:1].upper()}{said[1:]} (combined: {'; '.join(parts) or 'none'}). "
                      f"Caution: {spec['caution']}.", rule, strength, flags, claims + flag_claims, source)
    return Answer("4.3", NO, HOW_AUDIT, f"No combined baseline test falls below {_g(alpha)} ({'; '.join(parts)}) "
                  "and no repeated values were flagged. Caution: " + spec["caution"] + ".", rule, "", [],
                  claims, source)


# --- partly computed ------------------------------------------------------------------------

def _month(text: str) -> tuple[int, int, int | None]:
    m = _DATE.match(text)
    return int(m.group(1)), int(m.group(2)), int(m.group(3)) if m.group(3) else None


def _date_words(text: str) -> str:
    y, m, d = _month(text)
    return f"{d} {_MONTHS[m - 1]} {y}" if d else f"{_MONTHS[m - 1]} {y}"


def registration_timing(registered_on: str, start: str) -> str:
    """'late', 'in time' or 'same month': the first registry version against the start of
    recruitment, compared at the coarser of the two dates' precision."""
    ry, rm, rd = _month(registered_on)
    sy, sm, sd = _month(start)
    if (ry, rm) != (sy, sm):
        return "late" if (ry, rm) > (sy, sm) else "in time"
    if rd is None or sd is None:
        return "same month"
    return "late" if rd > sd else "in time"


def ethics_check(spec: dict, rules: dict) -> Answer:
    parts = {"the committee": spec["committee"], "the approval number": spec["approval_number"],
             "the approval date": spec["approval_date"]}
    given = [f"{k} ({v})" for k, v in parts.items() if v]
    missing = [k for k, v in parts.items() if not v]
    rule = rules["ethics"]["rule"] + " (trust rules: ethics)"
    if not missing:
        return Answer("2.1", NO, HOW_PARTLY, f"The paper prints {_list(given, 3)}.", rule, "", [], [],
                      source_text(spec["source"]))
    if not given:
        return Answer("2.1", YES, HOW_PARTLY, "The paper prints no committee, approval number or date.",
                      rule, "given", [], [], source_text(spec["source"]))
    return Answer("2.1", UNCLEAR, HOW_PARTLY, f"The paper prints {_list(given, 3)} but not "
                  f"{' or '.join(missing)}: partly reported.", rule, "", [], [], source_text(spec["source"]))


def registration_check(trust: dict, rules: dict) -> Answer:
    reg = trust["registration"]
    rec = trust.get("recruitment")
    rule = rules["registration"]["rule"] + " (trust rules: registration)"
    source = "; ".join(source_text(x["source"]) for x in (reg, rec) if x)
    if not reg["registry_id"]:
        return Answer("2.2", YES, HOW_PARTLY, "No registration of the trial was found.", rule, "given", [], [], source)
    if not reg["registered_on"]:
        return Answer("2.2", UNCLEAR, HOW_PARTLY, f"Registered as {reg['registry_id']}, but the date of the "
                      "registry's first version is not given, so it cannot be set against the start of recruitment.",
                      rule, "", [], [], source)
    if not rec or not rec["start"]:
        return Answer("2.2", UNCLEAR, HOW_PARTLY, f"Registered as {reg['registry_id']} on "
                      f"{_date_words(reg['registered_on'])}; the start of recruitment is not given.",
                      rule, "", [], [], source)
    when = registration_timing(reg["registered_on"], rec["start"])
    said = (f"Registered as {reg['registry_id']} on {_date_words(reg['registered_on'])}; recruitment "
            f"started {_date_words(rec['start'])}")
    if when == "late":
        return Answer("2.2", YES, HOW_PARTLY, said + ": registered after recruitment began.", rule, "given",
                      [], [], source)
    if when == "in time":
        return Answer("2.2", NO, HOW_PARTLY, said + ": registered before recruitment began.", rule, "", [], [], source)
    return Answer("2.2", UNCLEAR, HOW_PARTLY, said + ": the same month, so the order is not known.", rule, "",
                  [], [], source)


def recruitment_rate(trust: dict, arms: dict | None) -> str:
    """'91 randomised over 39 months (October 2015 to December 2018) at 1 site: 2.33 a
    month; 183 screened', from the recruitment facts and the allocation's arm sizes."""
    rec = trust.get("recruitment")
    if not rec or not rec["start"] or not rec["end"]:
        return ""
    sy, sm, _ = _month(rec["start"])
    ey, em, _ = _month(rec["end"])
    months = (ey * 12 + em) - (sy * 12 + sm) + 1
    parts = []
    if arms:
        n = sum(arms.values())
        sites = rec.get("sites")
        where = f" at {sites} site{'s' if sites != 1 else ''}" if sites else ""
        parts.append(f"{n} randomised over {months} months ({_date_words(rec['start'])} to "
                     f"{_date_words(rec['end'])}){where}: {_g(n / months)} a month"
                     + (f", {_g(n / months / sites)} a month per site" if sites and sites > 1 else ""))
    if rec.get("screened"):
        parts.append(f"{rec['screened']} screened")
    return "; ".join(parts)


def allocation_probabilities(counts, ratio, max_outcomes: int = 1_000_000) -> dict:
    """How unusual the arm sizes are under simple randomisation at the stated ratio:
    Pearson's X^2 of the sizes against N x ratio, and the probability of an X^2 at least as
    large (``p_large``) and at most as large (``p_small``), summed exactly over every
    split of N (multinomial, scipy) when there are at most ``max_outcomes`` splits, else from
    the chi-square(k - 1) distribution (``exact`` False). X^2 is compared in integers, so
    ties are exact."""
    import numpy as np
    from scipy import stats

    counts = [int(c) for c in counts]
    ratio = [int(r) for r in ratio]
    if len(counts) != len(ratio) or len(counts) < 2:
        raise ValueError("need one ratio term per arm, and two or more arms")
    n, k, total = sum(counts), len(counts), sum(ratio)
    lcm = math.lcm(*ratio)

    def scaled(x):  # N * R * lcm * X^2, an integer
        x = np.asarray(x, dtype=np.int64)
        return sum((total * x[..., i] - n * ratio[i]) ** 2 * (lcm // ratio[i]) for i in range(k))

    observed = int(scaled(counts))
    x2 = observed / (n * total * lcm)
    probs = [r / total for r in ratio]
    outcomes = math.comb(n + k - 1, k - 1)
    if outcomes <= max_outcomes:
        if k == 2:
            first = np.arange(n + 1)
            splits = np.stack([first, n - first], axis=1)
            pmf = stats.binom.pmf(first, n, probs[0])
        else:
            bars = np.array(list(itertools.combinations(range(n + k - 1), k - 1)), dtype=np.int64)
            edges = np.hstack([np.full((len(bars), 1), -1), bars, np.full((len(bars), 1), n + k - 1)])
            splits = np.diff(edges, axis=1) - 1
            pmf = stats.multinomial.pmf(splits, n, probs)
        s = scaled(splits)
        return {"x2": x2, "p_large": float(min(1.0, pmf[s >= observed].sum())),
                "p_small": float(min(1.0, pmf[s <= observed].sum())), "exact": True, "splits": outcomes}
    return {"x2": x2, "p_large": float(stats.chi2.sf(x2, k - 1)), "p_small": float(stats.chi2.cdf(x2, k - 1)),
            "exact": False, "splits": outcomes}


def block_bound_exceeded(counts, block_size: int, strata: int = 1) -> tuple[bool, int, float]:
    """Equal allocation in blocks: within a stratum two arms differ by at most block_size / k
    (the last, incomplete block), so overall by at most strata x block_size / k. Returns
    (exceeded, largest difference, bound)."""
    k = len(counts)
    diff = max(counts) - min(counts)
    bound = strata * block_size / k
    return diff > bound, diff, bound


def allocation_check(spec: dict, arms: dict, rules: dict) -> Answer:
    cfg = rules["allocation"]
    counts, ratio = list(arms.values()), spec["ratio"]
    rule = cfg["rule"] + f" (trust rules: allocation, alpha {_g(cfg['alpha'])})"
    source = source_text(spec["source"])
    shown = " / ".join(str(c) for c in counts)
    ratio_text = ":".join(str(r) for r in ratio)
    pr = allocation_probabilities(counts, ratio, cfg["max_outcomes"])
    how = "" if pr["exact"] else " (chi-square approximation)"
    chance = (f"under simple randomisation an imbalance this large or larger has probability {_g(pr['p_large'])}, "
              f"this small or smaller {_g(pr['p_small'])}{how}")
    head = f"Arms {shown} of {sum(counts)} ({ratio_text}, {spec['method'].replace('_', ' ')} allocation"
    method = spec["method"]
    if method == "block" or spec.get("block_size"):
        if len(set(ratio)) > 1:
            return Answer("4.2", UNCLEAR, HOW_PARTLY, f"{head}, blocks of {spec['block_size']}): the bound blocks "
                          f"allow is computed for equal allocation only; {chance}.", rule, "", [], [], source)
        exceeded, diff, bound = block_bound_exceeded(counts, spec["block_size"], spec.get("strata", 1))
        strata = spec.get("strata", 1)
        said = (f"{head}, blocks of {spec['block_size']}, {strata} strat{'a' if strata > 1 else 'um'}): the arms "
                f"differ by {diff}, blocks allow at most {_g(bound)}")
        if exceeded:
            return Answer("4.2", YES, HOW_PARTLY, f"{said}, so these sizes cannot come from the stated blocks; "
                          f"{chance}.", rule, "impossible", [], [], source)
        if method == "block":
            return Answer("4.2", NO, HOW_PARTLY, f"{said}; {chance}.", rule, "", [], [], source)
    if method == "simple":
        low = min(pr["p_large"], pr["p_small"])
        ans, strength = (YES, "improbable") if low < cfg["alpha"] else (NO, "")
        return Answer("4.2", ans, HOW_PARTLY, f"{head}): {chance}.", rule, strength, [], [], source)
    if method in ("stratified", "minimisation", "block"):
        ans, strength = (YES, "improbable") if pr["p_large"] < cfg["alpha"] else (NO, "")
        return Answer("4.2", ans, HOW_PARTLY, f"{head}{', no block size printed' if not spec.get('block_size') else ''}): "
                      f"{chance}; {method} allocation balances at least as well as simple randomisation, so "
                      "only a large imbalance would be a flag.", rule, strength, [], [], source)
    return Answer("4.2", UNCLEAR, HOW_PARTLY, f"Arms {shown} of {sum(counts)} ({ratio_text}); the allocation "
                  f"method is not stated: {chance}, while blocks would make sizes this even expected.",
                  rule, "", [], [], source)


def equal_losses_probability(losses, ns) -> float:
    """P(every arm loses exactly the same number), each arm's losses binomial with its n
    at the pooled loss rate (scipy)."""
    import numpy as np
    from scipy import stats

    p = sum(losses) / sum(ns)
    k = np.arange(min(ns) + 1)
    joint = np.ones_like(k, dtype=float)
    for n in ns:
        joint = joint * stats.binom.pmf(k, n, p)
    return float(joint.sum())


def _summary_row(data: dict, value_id: str, where: str, key: str):
    if value_id not in data:
        raise InputError(where, "unknown value_id", key=key, value=value_id,
                         rule="a value_id of the study's summaries table")
    return data[value_id]


def losses_check(spec: dict, data: dict, rules: dict, where: str) -> Answer:
    cfg = rules["losses"]
    rule = cfg["rule"] + f" (trust rules: losses, {cfg['long_follow_up_weeks']:g} weeks, alpha {_g(cfg['equal_alpha'])})"
    source = source_text(spec["source"])
    weeks = spec["follow_up_weeks"]
    arms, claims, said, flagged = None, [], [], []
    totals: dict[str, int] = {}
    for i, s in enumerate(spec["sets"]):
        if arms is None:
            arms = list(s["rows"])
        elif list(s["rows"]) != arms:
            raise InputError(where, "every set of losses names the same arms, in the same order",
                             key=f"trust.losses.sets.{i}.rows", value=list(s["rows"]), rule=f"arms {arms}")
        rows = [_summary_row(data, v, where, f"trust.losses.sets.{i}.rows") for v in s["rows"].values()]
        for r in rows:
            if r.form != "count" or r.n is None:
                raise InputError(where, "a loss is a printed count of an arm with its n",
                                 key=f"trust.losses.sets.{i}.rows", value=r.value_id, rule="form count, with n")
        counts = [int(r.parts["count"].value) for r in rows]
        ns = [int(r.n) for r in rows]
        claims += [r.value_id for r in rows]
        for a, c in zip(arms, counts):
            totals[a] = totals.get(a, 0) + c
        text = f"{s['label']} {' / '.join(map(str, counts))}"
        if len(set(counts)) == 1 and counts[0] > 0:
            p = equal_losses_probability(counts, ns)
            text += f" (a tie this exact has probability {_g(p)})"
            if p < cfg["equal_alpha"]:
                flagged.append(f"{s['label']}: the same count in every arm, probability {_g(p)} < {_g(cfg['equal_alpha'])}")
        said.append(text)
    lost = f"{'; '.join(said)} over {weeks:g} weeks (arms {' / '.join(arms)})"
    if all(t == 0 for t in totals.values()) and weeks >= cfg["long_follow_up_weeks"]:
        return Answer("4.5", YES, HOW_PARTLY, f"No participant was lost in any arm over {weeks:g} weeks.", rule,
                      "pattern", [], claims, source)
    if flagged:
        return Answer("4.5", YES, HOW_PARTLY, f"{lost}: {'; '.join(flagged)}.", rule, "improbable", [], claims, source)
    return Answer("4.5", NO, HOW_PARTLY, f"{lost}: neither none lost over a long follow-up nor an improbable tie.",
                  rule, "", [], claims, source)


def _row_n(study: dict, row) -> int | None:
    if row.n is not None:
        return int(row.n)
    n_set = study.get("n_as_reported")
    return study.get("n_sets", {}).get(n_set, {}).get(row.arm) if n_set else None


_LOCATIONS = ("mean", "median", "q1", "q3", "value", "low", "high")


def eligibility_row(row, n: int | None, lower, upper) -> tuple[bool, str]:
    """(contradicts, what was found) for one printed baseline row against an eligibility
    range [lower, upper] (None: open). Every printed location (mean, median, quartile, range
    end) must allow a value in the range (its rounding interval taken into account); a mean
    ± SD must be possible for n values within the range (exact bounds, ``feasibility``)."""
    from reanalysis.engine import feasibility

    for comp in _LOCATIONS:
        if comp not in row.parts:
            continue
        printed = row.parts[comp]
        interval = unround(printed)
        if (lower is not None and interval.upper < Fraction(str(lower))) or \
                (upper is not None and interval.lower > Fraction(str(upper))):
            return True, f"{row.value_id}: {comp} {printed.text} lies outside {_range_text(lower, upper)}"
    if (row.form == "mean_dispersion" and row.dispersion == "sd" and lower is not None and upper is not None
            and n is not None and n >= 2):
        res = feasibility.sd_feasibility(row.parts["mean"].text, row.parts["dispersion"].text, int(n), lower, upper)
        if res.feasible is False:
            return True, (f"{row.value_id}: no {n} values within {_range_text(lower, upper)} have mean "
                          f"{row.parts['mean'].text} and SD {row.parts['dispersion'].text} (the SD can be at most "
                          f"{_g(res.sd_max, 4) if res.sd_max is not None else 'none'})")
    return False, ""


def _range_text(lower, upper) -> str:
    if lower is None:
        return f"at most {upper:g}"
    if upper is None:
        return f"at least {lower:g}"
    return f"{lower:g}-{upper:g}"


def eligibility_check(spec: dict, study: dict, data: dict, rules: dict, where: str) -> Answer:
    rule = rules["eligibility"]["rule"] + " (trust rules: eligibility)"
    found, claims, sources = [], [], []
    for i, crit in enumerate(spec["criteria"]):
        lower, upper = crit["range"]
        sources.append(source_text(crit["source"]))
        for vid in crit["rows"]:
            row = _summary_row(data, vid, where, f"trust.eligibility.criteria.{i}.rows")
            claims.append(vid)
            bad, why = eligibility_row(row, _row_n(study, row), lower, upper)
            if bad:
                found.append(f"{crit['label']}: {why}")
    source = "; ".join(sources)
    if found:
        return Answer("4.1", YES, HOW_PARTLY, f"{'; '.join(found)}.", rule, "impossible", [], claims, source)
    labels = _list([c["label"] for c in spec["criteria"]], 8)
    return Answer("4.1", NO, HOW_PARTLY, f"All {len(claims)} baseline rows fit the {len(spec['criteria'])} printed "
                  f"eligibility ranges ({labels}): every mean inside, every SD possible for values inside.",
                  rule, "", [], claims, source)


def prediction_interval(effects, variances, level: float = 0.95) -> dict:
    """Random-effects (DerSimonian-Laird) pool of the effects and the normal prediction
    interval mu +- z sqrt(se^2 + tau^2) (``meta_analysis.pool_random_effects``, statsmodels)."""
    from scipy import stats

    from reanalysis.beyond.meta_analysis import pool_random_effects

    res = pool_random_effects(effects, variances, method="dl", level=level)
    mu, se, tau2 = res["random"]["estimate"], res["random"]["se"], res["tau2"]
    half = stats.norm.ppf(0.5 + level / 2) * math.sqrt(se ** 2 + tau2)
    return {"estimate": mu, "se": se, "tau2": tau2, "low": mu - half, "high": mu + half}


def _float(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def effects_check(name: str, rules: dict, shared: dict | None, corpus: list[dict]) -> Answer:
    """Check 4.7: each entry of this trial in the pooled evidence against the prediction
    interval of the other entries of every pool it belongs to."""
    from scipy import stats

    cfg = rules["effects"]
    rule = cfg["rule"] + f" (trust rules: effects, level {_g(cfg['level'])})"
    pooled = (shared or {}).get("pooled")
    mine = [e for e in (pooled or {}).get("entries", []) if e["study"] == name]
    if not mine:
        return Answer("4.7", UNCLEAR, HOW_PARTLY, "This trial has no entry in the pooled evidence (config beyond: "
                      "pooled.entries), so its effects cannot be set against the field's.", rule)
    z = stats.norm.ppf(0.5 + cfg["level"] / 2)

    def row_of(entry, outcome):
        label = pooled["outcomes"][outcome]["label"]
        for r in corpus:
            if r["question"].startswith(f"{entry['label']}: ") and f"in {label}?" in r["question"]:
                v, lo, hi = (_float(r[k]) for k in ("value", "low", "high"))
                return (v, lo, hi) if None not in (v, lo, hi) else None
        return None

    yes, no, unclear = [], [], []
    for entry in mine:
        for outcome in entry["outcomes"]:
            own = row_of(entry, outcome)
            label = pooled["outcomes"][outcome]["label"]
            for pool in pooled.get("pools", []):
                if pool["outcome"] != outcome or pool["design"] != entry["design"] or \
                        pool["diabetes_type"] != entry["diabetes_type"]["type"]:
                    continue
                # the pool's own members: one design and one type of diabetes
                others = [e for e in pooled["entries"] if e["study"] != name and outcome in e["outcomes"]
                          and e["design"] == pool["design"]
                          and e["diabetes_type"]["type"] == pool["diabetes_type"]]
                got = [(e["label"], row_of(e, outcome)) for e in others]
                got = [(lab, r) for lab, r in got if r is not None and r[2] > r[1]]
                if own is None or len(got) < cfg["min_other_entries"]:
                    unclear.append(f"{label} (pool '{pool['label']}': {len(got)} other entr{'y' if len(got) == 1 else 'ies'} "
                                   f"with an interval, {cfg['min_other_entries']} needed)")
                    continue
                pi = prediction_interval([r[0] for _, r in got], [((r[2] - r[1]) / (2 * z)) ** 2 for _, r in got],
                                         cfg["level"])
                v, lo, hi = own
                text = (f"{label}: {_g(v)} ({_g(lo)} to {_g(hi)}) against the prediction interval "
                        f"{_g(pi['low'])} to {_g(pi['high'])} of the {len(got)} other entries of pool '{pool['label']}'")
                (yes if hi < pi["low"] or lo > pi["high"] else no).append(text)
    source = "results/beyond/corpus.csv (part 4 pooled evidence); config beyond: pooled"
    if yes:
        return Answer("4.7", YES, HOW_PARTLY, "Wholly outside: " + "; ".join(yes) + ".", rule, "improbable", [], [], source)
    if no:
        tail = f"; not comparable: {'; '.join(unclear)}" if unclear else ""
        return Answer("4.7", NO, HOW_PARTLY, "Within reach of the field's other evidence: " + "; ".join(no) + tail + ".",
                      rule, "", [], [], source)
    return Answer("4.7", UNCLEAR, HOW_PARTLY, "Not comparable: " + "; ".join(unclear) + ".", rule, "", [], [], source)


# --- one trial -----------------------------------------------------------------------------

def given_answer(check: str, spec: dict) -> Answer:
    return Answer(check, spec["answer"], HOW_GIVEN, spec["evidence"], "the user's answer, with its source",
                  "given" if spec["answer"] == YES else "", [], [], source_text(spec.get("source", "")))


def assess(name: str, study: dict, rules: dict, tables: AuditTables, shared: dict | None = None,
           data: dict | None = None, config_file: str = "") -> list[Answer]:
    """The 21 answers for one randomised trial, in the rules' order of checks."""
    where = config_file or f"config for {name}"
    trust = study.get("trust", {})
    given = trust.get("answers", {})
    view = _StudyAudit(name, tables, rules)
    arms = None
    if trust.get("allocation"):
        n_set = trust["allocation"]["n_set"]
        if n_set not in study.get("n_sets", {}):
            raise InputError(where, "unknown n_set", key="trust.allocation.n_set", value=n_set,
                             rule=f"one of this study's n_sets: {', '.join(study.get('n_sets', {})) or 'none'}")
        arms = study["n_sets"][n_set]
        if len(arms) != len(trust["allocation"]["ratio"]):
            raise InputError(where, "one ratio term per arm", key="trust.allocation.ratio",
                             value=trust["allocation"]["ratio"], rule=f"{len(arms)} terms, for arms {', '.join(arms)}")
    needs_rows = [k for k in ("eligibility", "losses") if trust.get(k)]
    if needs_rows and data is None:
        raise InputError(where, "printed rows are needed", key=f"trust.{needs_rows[0]}",
                         rule="a summary-level study (value_ids of its summaries table)")
    answers = []
    for check in rules["checks"]:
        block = PARTLY.get(check)
        if block and block in trust and check in given:
            raise InputError(where, "a check given twice", key=f"trust.answers.{check}",
                             rule=f"answer {check} either with trust.{block} or in trust.answers, not both")
        if check in AUDIT_CHECKS:
            a = audit_check(check, view)
        elif check == "4.3":
            a = baseline_check(view, tables.beyond.get(name, []))
        elif check == "4.7":
            a = effects_check(name, rules, shared, tables.corpus)
        elif check in given:
            a = given_answer(check, given[check])
            if check == "2.4":
                rate = recruitment_rate(trust, arms)
                if rate:
                    a.evidence = a.evidence.rstrip(".") + f" (computed: {rate})."
        elif block and block in trust:
            if check == "2.1":
                a = ethics_check(trust["ethics"], rules)
            elif check == "2.2":
                a = registration_check(trust, rules)
            elif check == "4.1":
                a = eligibility_check(trust["eligibility"], study, data, rules, where)
            elif check == "4.2":
                a = allocation_check(trust["allocation"], arms, rules)
            else:
                a = losses_check(trust["losses"], data, rules, where)
        else:
            a = Answer(check, UNCLEAR, HOW_NOT_GIVEN, "Nobody has answered this check in the study's config "
                       "(trust.answers), and the audit cannot.", "an unanswered check is unclear")
        answers.append(a)
    return answers


def judge_domains(answers: list[Answer], rules: dict) -> list[Judgement]:
    """Each domain's judgement by the rules' judgement section (see the module docstring)."""
    serious = rules["judgement"]["serious"]
    raises = rules["judgement"]["unclear"]["rule"] == "raises"
    out = []
    for d, name in rules["domains"].items():
        mine = [a for a in answers if rules["checks"][a.check]["domain"] == d]
        yes = [a for a in mine if a.answer == YES]
        bad = [a for a in yes if makes_serious(a, rules)]
        unclear = [a.check for a in mine if a.answer == UNCLEAR]

        def said(items):
            return ", ".join(f"{a.check} ({_label(rules, a.strength) if a.strength else 'yes'}"
                             + (f": {_list(a.findings, 3)}" if a.findings else "") + ")" for a in items)

        evidence = "; ".join(x for x in (f"yes: {said(yes)}" if yes else "",
                                         f"unclear: {', '.join(unclear)}" if unclear else "") if x) \
            or f"every check answered no or not applicable ({', '.join(a.check for a in mine)})"
        if bad:
            level = SERIOUS
            groups: dict[str, list[str]] = {}
            for a in bad:
                key = _label(rules, a.strength) if a.strength in serious["strengths"] else "a check whose yes is serious"
                groups.setdefault(key, []).append(a.check)
            why = "; ".join(f"{' and '.join(cs)}: {label}" for label, cs in groups.items())
            rule = (f"a yes on evidence that makes a domain serious ({why}); judgement.serious: a yes of strength "
                    f"{' or '.join(serious['strengths'])}" + (f", or to check {', '.join(serious['checks'])}"
                                                             if serious["checks"] else ""))
        elif yes:
            level = SOME
            rule = (f"yes to {', '.join(a.check for a in yes)}, none on evidence of strength "
                    f"{' or '.join(serious['strengths'])} (judgement.serious)")
        elif unclear and len(unclear) == len(mine):
            level = NOT_ASSESSED
            rule = "every check of the domain is unclear"
        elif unclear and raises:
            level = SOME
            rule = f"no yes, but {len(unclear)} unclear, which raise it (judgement.unclear: raises)"
        else:
            level = NO_CONCERNS
            rule = ("every check answered no or not applicable" if not unclear else
                    f"no yes; {len(unclear)} unclear, which do not raise it (judgement.unclear: ignored)")
        out.append(Judgement(f"D{d}", name, level, rule, evidence))
    return out


def judge_overall(domains: list[Judgement]) -> Judgement:
    """No better than the worst assessed domain; domains not assessed are named."""
    assessed = [d for d in domains if d.level != NOT_ASSESSED]
    skipped = [d.id[1:] for d in domains if d.level == NOT_ASSESSED]
    note = f"; Domain{'s' if len(skipped) > 1 else ''} {', '.join(skipped)} not assessed" if skipped else ""
    if not assessed:
        return Judgement("overall", "Overall", NOT_ASSESSED, "no domain could be judged", "")
    worst = max(SEVERITY[d.level] for d in assessed)
    level = next(k for k, v in SEVERITY.items() if v == worst)
    which = [d for d in assessed if d.level == level]
    named = ", ".join(f"Domain {d.id[1:]}" for d in which)
    return Judgement("overall", "Overall", level, f"no better than the worst domain ({named}: {level}){note}",
                     "; ".join(f"Domain {d.id[1:]}: {d.level}" for d in domains))


# --- tables --------------------------------------------------------------------------------

def makes_serious(a: Answer, rules: dict) -> bool:
    """Does this answer make its domain serious (judgement.serious)?"""
    serious = rules["judgement"]["serious"]
    return a.answer == YES and (a.strength in serious["strengths"] or a.check in serious["checks"])


def table_rows(name: str, rules: dict, answers: list[Answer], domains: list[Judgement],
               overall: Judgement) -> list[dict]:
    rows = []
    for a in answers:
        spec = rules["checks"][a.check]
        rows.append({"study": name, "level": "check", "id": a.check, "short": spec["short"],
                     "domain": spec["domain"], "question": spec["question"], "answer": a.answer,
                     "strength": a.strength, "strength_label": _label(rules, a.strength) if a.strength else "",
                     "serious": "true" if makes_serious(a, rules) else "", "how": a.how,
                     "findings": "; ".join(a.findings), "claims": "; ".join(dict.fromkeys(a.claims)),
                     "source": a.source, "evidence": a.evidence, "rule": a.rule})
    for j in [*domains, overall]:
        rows.append({"study": name, "level": "domain" if j.id != "overall" else "overall", "id": j.id,
                     "short": "", "domain": j.id[1:] if j.id != "overall" else "", "question": j.name,
                     "answer": j.level, "strength": "", "strength_label": "", "serious": "", "how": HOW_RULE, "findings": "", "claims": "", "source": "",
                     "evidence": j.evidence, "rule": j.rule})
    return rows


def write_csv(rows: list[dict], path: Path, columns: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return path


def _design(study: dict) -> tuple[str, str]:
    st = study.get("study_type")
    if not st:
        return "", ""
    return st["design"], source_text(st["source"])


def write_tables(config: dict, rules: dict, shared: dict | None, results_dir: str | Path,
                 tables: AuditTables | None = None, data: dict | None = None) -> list[Path]:
    """results/trust/<study>.csv for every randomised trial and results/trust/index.csv for
    every study; returns the paths written."""
    results_dir = Path(results_dir)
    trials = randomised_trials(config)
    tables = tables or read_audit(results_dir, trials)
    if data is None:
        from reanalysis.audit import designs
        data = {s: designs.load(config["studies"][s]) for s in trials
                if config["studies"][s]["design"] == "summary_level"
                and any(k in config["studies"][s].get("trust", {}) for k in ("eligibility", "losses"))}
    written, index = [], []
    for name in sorted(config["studies"]):
        study = config["studies"][name]
        design, source = _design(study)
        if name not in trials:
            index.append({"study": name, "inspect_sr": DOES_NOT_APPLY if design else NOT_STATED,
                          "design": design, "source": source,
                          "overall": "", "domain_1": "", "domain_2": "", "domain_3": "", "domain_4": "", "table": ""})
            continue
        answers = assess(name, study, rules, tables, shared, data.get(name), study_file(config, name))
        domains = judge_domains(answers, rules)
        overall = judge_overall(domains)
        path = write_csv(table_rows(name, rules, answers, domains, overall), results_dir / "trust" / f"{name}.csv",
                         TABLE_COLUMNS)
        written.append(path)
        levels = {f"domain_{d.id[1:]}": d.level for d in domains}
        index.append({"study": name, "inspect_sr": APPLIES, "design": design, "source": source,
                      "overall": overall.level, **levels, "table": f"trust/{name}.csv"})
    written.append(write_csv(index, results_dir / "trust" / f"{INDEX}.csv", INDEX_COLUMNS))
    return written


def output_paths(config: dict, results_dir: str | Path) -> list[str]:
    """What write_tables writes (for the workflow)."""
    return [f"{results_dir}/trust/{s}.csv" for s in randomised_trials(config)] + [f"{results_dir}/trust/{INDEX}.csv"]


# --- rendering (the report and the letters call these; they compute nothing) ---------------

def _index_row(study: str, results_dir: str | Path) -> dict:
    path = Path(results_dir) / "trust" / f"{INDEX}.csv"
    for row in read_csv(path):
        if row["study"] == study:
            return row
    raise KeyError(f"{study} is not in {path}")


def not_applicable_sentence(row: dict) -> str:
    """Why a study has no INSPECT-SR table, from its row of the index."""
    if row["inspect_sr"] == NOT_STATED:
        return ("INSPECT-SR was not applied: the study's config does not say whether it is a randomised "
                "trial (no study_type).")
    return (f"INSPECT-SR does not apply: this study is not a randomised trial ({row['design']}"
            + (f"; {row['source']}" if row["source"] else "") + ").")


def trust_context(study: str, results_dir: str | Path) -> dict:
    """Everything the report needs for one study: whether INSPECT-SR applies (and why not),
    the 21 check rows, the four domain rows, the overall row, the Domain 4 sentence and the
    compact Markdown table."""
    idx = _index_row(study, results_dir)
    if idx["inspect_sr"] != APPLIES:
        return {"study": study, "applies": False, "reason": not_applicable_sentence(idx)}
    rows = read_csv(Path(results_dir) / idx["table"])
    return {"study": study, "applies": True, "reason": "",
            "checks": [r for r in rows if r["level"] == "check"],
            "domains": [r for r in rows if r["level"] == "domain"],
            "overall": next(r for r in rows if r["level"] == "overall"),
            "domain4_sentence": _domain4_sentence(rows),
            "markdown": _markdown(rows)}


def _basis(row: dict) -> str:
    if row["how"] == HOW_GIVEN:
        return "given by the user"
    if row["how"] == HOW_NOT_GIVEN:
        return "not given"
    ids = row["findings"].split("; ") if row["findings"] else []
    if row["answer"] == YES and ids:
        return _list(ids, 4)
    if row["answer"] == YES and row["claims"]:
        return _list(row["claims"].split("; "), 3)
    return "computed" if row["how"] == HOW_AUDIT else "partly computed"


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _markdown(rows: list[dict]) -> str:
    checks = [r for r in rows if r["level"] == "check"]
    lines = ["| check | | answer | strength | behind it |", "|---|---|---|---|---|"]
    for r in checks:
        lines.append(f"| {r['id']} | {_md(r['short'])} | {r['answer']} | {_md(r['strength_label'])} | "
                     f"{_md(_basis(r))} |")
    lines.append("")
    for r in rows:
        if r["level"] == "domain":
            lines.append(f"- Domain {r['domain']} ({r['question']}): **{r['answer']}** ({_md(r['rule'])})")
    overall = next(r for r in rows if r["level"] == "overall")
    lines.append(f"- Overall: **{overall['answer']}** ({_md(overall['rule'])})")
    return "\n".join(lines) + "\n"


def _domain4_sentence(rows: list[dict]) -> str:
    """'INSPECT-SR Domain 4 (results in the study): serious concerns, from checks 4.8 (integer
    data, F11) and 4.10 (other contradictions, F12), impossible under every reading; also 4.6
    (participant numbers, F4), holds only under a labelled reading.'"""
    d4 = next(r for r in rows if r["level"] == "domain" and r["domain"] == "4")
    checks = [r for r in rows if r["level"] == "check" and r["domain"] == "4"]
    yes = [r for r in checks if r["answer"] == YES]
    unclear = [r["id"] for r in checks if r["answer"] == UNCLEAR]
    head = f"INSPECT-SR Domain 4 (results in the study): {d4['answer']}"
    if not yes:
        if d4["answer"] == NO_CONCERNS:
            return f"{head}: all {len(checks)} checks answered no or not applicable" + (
                f" ({len(unclear)} unclear)." if unclear else ".")
        return f"{head}: no check answered yes; unclear: {', '.join(unclear)}."
    groups: dict[str, list[dict]] = {}
    for r in sorted(yes, key=lambda r: r["serious"] != "true"):
        groups.setdefault(r["strength_label"] or "yes", []).append(r)

    def one(r):
        behind = _basis(r)
        return f"{r['id']} ({r['short']}" + (f", {behind}" if behind not in ("computed", "partly computed") else "") + ")"

    parts = [f"{' and '.join(one(r) for r in rs)}, {label}" for label, rs in groups.items()]
    first = f"check{'s' if len(groups[next(iter(groups))]) > 1 else ''} {parts[0]}"
    return f"{head}, from {first}" + "".join(f"; also {p}" for p in parts[1:]) + "."


def trust_table_markdown(study: str, results_dir: str | Path) -> str:
    """A compact Markdown table of the 21 checks with the domain and overall judgements, or
    the sentence saying INSPECT-SR does not apply."""
    ctx = trust_context(study, results_dir)
    return ctx["markdown"] if ctx["applies"] else ctx["reason"] + "\n"


def trust_sentence_for_letter(study: str, results_dir: str | Path) -> str:
    """The Domain 4 sentence of a randomised trial's letter, or '' where INSPECT-SR does not
    apply or was not run (no results/trust/index.csv, e.g. a synthetic corpus)."""
    if not (Path(results_dir) / "trust" / f"{INDEX}.csv").is_file():
        return ""
    try:
        ctx = trust_context(study, results_dir)
    except KeyError:
        return ""
    if not ctx["applies"]:
        return ""
    d4 = next(r for r in ctx["domains"] if r["domain"] == "4")
    yes = [r for r in ctx["checks"] if r["domain"] == "4" and r["answer"] == YES]
    yes.sort(key=lambda r: r["serious"] != "true")
    named = [f"{r['id']} ({r['short']})" for r in yes]
    behind = (f", from check{'s' if len(named) > 1 else ''} "
              + (", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else named[0])) if named else ""
    return ("In the terms of INSPECT-SR, Cochrane's tool for judging a trial's trustworthiness, the results "
            f"reported in this trial (its Domain 4) raise {d4['answer']}{behind}; the table is in our report.")


def domain4_sentence(study: str, results_dir: str | Path) -> str:
    """One sentence for a letter: the Domain 4 judgement and the checks behind it."""
    ctx = trust_context(study, results_dir)
    return ctx["domain4_sentence"] if ctx["applies"] else ctx["reason"]
