"""Findings (workflow/reanalysis/findings/ranking.py) from a small hand-built ledger, every grouping
and the ranking worked out by hand below; the findings table; and summary.md opening on
the findings.

The ledger holds one study, "s", with flagged claims (as reported: discrepant, a decision
error, or impossible inputs) of every kind a rule groups, and claims that are not flagged:

- D-1 a stated definition whose dependent claims "all reproduce under: alt_def"; X-1 reproduces
  under alt_def (and when read as truncated), X-2 only under alt_def crossed with welch.
  Rule 1 (definition): {D-1, X-1, X-2}.
- N-1 (a percent printed in the abstract), N-2 (GRIM, with an implied-n note), N-3 (a p whose
  inputs are impossible as stated) and O-2 are fitted by the reading n_alt alone; O-1 (a
  decision error) and O-2 by other_n alone. n_alt fits 4, other_n 2, so n_alt goes first and
  takes O-2; other_n is then left with O-1 alone, which is not a shared reading.
  Rule 2 (reading): {N-1, N-2, N-3, O-2}.
- I-1, I-2 carry one implied-n note and no reading fits them. Rule 3: {I-1, I-2}.
- R-1 (abstract) and R-2 (results): one computation (method, recomputed 58) restated, printed
  61. P-1, P-2: two p-values of one kind in Table 9. Rule 4: {R-1, R-2}, {P-1, P-2}.
- O-1, S-1, C-1 (a count one off: not rounding) and Q-1 (1.55 printed, 1.5583 recomputed:
  within one unit of the last decimal) are single.
- U-1, U-2 carry one duplicate note (not flagged): rule 5, repeated values.
- K-1 reproduces, W-1 is consistent: no finding.
- G-1 (abstract, '> 0.05', a decision error) and G-2 (results, '< 0.01', reproduced) are linked
  by `same_as`: their agreement rows are disjoint. Rule 0 (contradiction): {G-1, G-2}.
- T-1 is an interpreted statement ('significantly') with a decision error: single.

The study's config (WORDS) says n_alt is inferred from the printed numbers, and names the arm
'pbo' "placebo". Evidence strength of each claim, by hand:
- G-1, G-2: contradiction (both verbatim, disjoint).
- N-1 (percent), N-2 (GRIM), N-3 (impossible inputs): only the inferred n_alt fits:
  impossible. O-2: other_n (not inferred) fits: a reading. The n_alt finding: impossible.
- I-1, I-2: impossible (no reading fits). R-1, R-2, P-1, P-2, S-1, C-1: discrepant.
- O-1: a reading (other_n). D-1 ("reproduce under: alt_def"), X-2 (alt_def+welch): a reading;
  X-1 is rounding-level (reproduced read as truncated); the definition finding: a reading.
- T-1: interpreted (its decision error not counted). Q-1: rounding-level. U: a flag.

Ranked by strength, then consequence (decision error, headline, none), then more decision
errors, more claims, ledger order: G (contradiction, decision error); n_alt (impossible,
headline); I (impossible); R (discrepant, headline); P, S-1, C-1 (discrepant); O-1 (reading,
decision error); definition (reading); T-1 (interpreted); Q-1 (rounding); U (flag).
"""

import pandas as pd
import pytest

from reanalysis.findings.counts import STUDIES_IN_FULL, is_corpus
from reanalysis.findings.evidence import ReadingFit, explained_by
from reanalysis.findings.ranking import (FINDING_COLUMNS, claim_anchor, evidence_table, findings,
                                         findings_table, stem)
from reanalysis.audit.ledger import LEDGER_COLUMNS
from reanalysis.findings.summary import summary_markdown

WORDS = {"s": {"arm_labels": {"pbo": "placebo"},
               "readings": {"n_alt": {"words": "n = 44, the n the percentages imply", "inferred": True}}}}

IMPLIED = ("implied n: arm 'pbo' prints 2 value(s) impossible at its stated n = 20 (4.55%, 50.45); "
           "all are possible for n in {19, 38} (searched n = 2-40)")
IMPLIED_B = ("implied n: arm 'b' prints 2 value(s) impossible at its stated n = 10 (2.27%, 3.33); "
             "all are possible for n in {9} (searched n = 2-20)")
DUPLICATE = "duplicate: '6.9' is printed 2 times, in 2 groups (x/a, y/b): ids U-1, U-2"


def row(claim_id, verdict, variant="as_reported", *, location="Results", statistic="value", claim="1",
        value="", recomputed="", method="m", note="", decision_error="", why="", quantity=None, line="7",
        basis="verbatim"):
    r = dict.fromkeys(LEDGER_COLUMNS, "")
    r["claim_basis"] = basis
    r.update(study="s", claim_id=claim_id, location=location, quantity=quantity or f"quantity of {claim_id}",
             reported=f"printed {claim}", claim=claim, recomputed=recomputed, variant=variant, method=method,
             verdict=verdict, decision_error=decision_error, why_unverifiable=why, note=note,
             source_file="paper.txt", source_line=line, statistic=statistic, value=value)
    return r


LEDGER = pd.DataFrame([
    # rule 1: a stated definition, and the claims its reading fits
    row("D-1", "discrepant", location="Methods", statistic="", claim="", quantity="subgroup definition",
        recomputed="as_reported: 0/2 reproduced; alt_def: 2/2 reproduced", method="definition consistency",
        note="the dependent claims do not all reproduce under the stated definition; they all "
             "reproduce under: alt_def", line="3"),
    row("X-1", "discrepant", location="Results, para 2", claim="0.58", value="0.5935", recomputed="0.5935",
        method="mean; subset: a > 8 (n=12)", line="10"),
    row("X-1", "reproduced", "rounding_truncate", location="Results, para 2", claim="0.58", value="0.5935"),
    row("X-1", "reproduced", "alt_def", location="Results, para 2", claim="0.58", value="0.5804",
        recomputed="0.5804", method="mean; subset: a ≥ 8 (n=13)"),
    row("X-2", "discrepant", location="Results, para 2", statistic="p", claim="0.0122", value="0.0195",
        recomputed="0.0195", method="paired t; subset: a > 8 (n=12)", line="11"),
    row("X-2", "discrepant", "alt_def", location="Results, para 2", statistic="p", claim="0.0122"),
    row("X-2", "reproduced", "alt_def+welch", location="Results, para 2", statistic="p", claim="0.0122",
        recomputed="0.0122", method="Welch t; subset: a ≥ 8 (n=13)"),
    # rule 2: a shared reading (n_alt fits four, other_n two)
    row("N-1", "discrepant", location="Abstract", statistic="percent", claim="68.18", value="65.2",
        recomputed="65.2", method="count / n with n = 46 (printed)", line="2"),
    row("N-1", "reproduced", "n_alt", location="Abstract", statistic="percent", claim="68.18",
        recomputed="68.18", method="count / n with n = 44 (n_alt)"),
    row("N-2", "discrepant", location="Table 1", statistic="grim", claim="50.45", recomputed="impossible",
        method="GRIM, n = 46 (printed)", note=f"no integer sum gives 50.45; {IMPLIED}", line="20"),
    row("N-2", "consistent", "n_alt", location="Table 1", statistic="grim", claim="50.45",
        recomputed="possible", method="GRIM, n = 44 (n_alt)"),
    row("N-3", "unverifiable", location="Table 2", statistic="p", claim="< 0.05", why="impossible_inputs",
        recomputed="nan", method="chi-square, n = 46 (printed)", line="30"),
    row("N-3", "reproduced", "n_alt", location="Table 2", statistic="p", claim="< 0.05",
        recomputed="0.03", method="chi-square, n = 44 (n_alt)"),
    row("O-1", "discrepant", location="Results", statistic="p", claim="> 0.05", value="0.045",
        recomputed="0.045", decision_error="true", method="t, n = 45/46 (printed)",
        quantity="p, week 32", line="40"),
    row("O-1", "reproduced", "other_n", location="Results", statistic="p", claim="> 0.05",
        recomputed="0.07", method="t, n = 37/36 (completers)"),
    row("O-2", "discrepant", location="Table 3", statistic="p", claim="0.4158", value="0.4057",
        recomputed="0.4057", method="t, n = 45/46 (printed)", line="50"),
    row("O-2", "reproduced", "n_alt", location="Table 3", statistic="p", claim="0.4158", recomputed="0.4158"),
    row("O-2", "reproduced", "other_n", location="Table 3", statistic="p", claim="0.4158", recomputed="0.4158"),
    # rule 3: one implied-n note, no reading fits
    row("I-1", "discrepant", location="Table 4", statistic="count", claim="2.27", recomputed="impossible",
        method="GRIM for percentages, n = 10", note=f"no count gives 2.27%; {IMPLIED_B}", quantity="AE a, %",
        line="60"),
    row("I-2", "discrepant", location="Table 5", statistic="grim", claim="3.33", recomputed="impossible",
        method="GRIM, n = 10", note=f"no sum gives 3.33; {IMPLIED_B}", quantity="score, mean", line="61"),
    # rule 4: one computation restated; one kind of quantity in one place
    row("R-1", "discrepant", location="Abstract, Methods", statistic="n", claim="61", value="58", recomputed="58",
        method="row count; subset: all rows (n=58)", quantity="patients enrolled (N)", line="1"),
    row("R-2", "discrepant", location="Results", statistic="n", claim="61", value="58", recomputed="58",
        method="row count; subset: all rows (n=58)", quantity="patients included (N)", line="80"),
    row("P-1", "discrepant", location="Table 9", statistic="p", claim="0.351", value="0.275", recomputed="0.275",
        method="ANOVA", quantity="p, age", line="90"),
    row("P-2", "discrepant", location="Table 9", statistic="p", claim="0.592", value="0.553", recomputed="0.553",
        method="ANOVA", quantity="p, sex", line="91"),
    # single
    row("S-1", "discrepant", location="Results", claim="1.72", value="0.8575", recomputed="0.8575",
        quantity="mean reduction, dose high", line="100"),
    row("C-1", "discrepant", location="Text", claim="2", value="3", recomputed="3", quantity="patients treated",
        line="110"),
    row("Q-1", "discrepant", location="Discussion", claim="1.55", value="1.5583", recomputed="1.5583",
        quantity="mean reduction, severe", line="120"),
    # repeated values: a flag on rows that are not discrepant
    row("U-1", "consistent", location="Table 6", note=DUPLICATE, line="130"),
    row("U-2", "unverifiable", location="Table 6", note=DUPLICATE, why="descriptive_only", line="131"),
    # not flagged
    row("K-1", "reproduced"),
    row("W-1", "consistent"),
    row("W-1", "discrepant", "n_alt"),
    # rule 0: two printings of one comparison that contradict each other
    row("G-1", "discrepant", location="Abstract", statistic="p", claim="> 0.05", value="0.001",
        recomputed="0.001", decision_error="true", method="paired t, n = 20 (printed)",
        quantity="p, arm b, week 48 vs baseline", line="5"),
    row("G-1", "discrepant", location="Abstract", statistic="agreement", claim="> 0.05", recomputed="disjoint",
        method="agreement with G-2 (Results, line 45: 'p < 0.01')", quantity="p, arm b, week 48 vs baseline",
        line="5"),
    row("G-2", "reproduced", location="Results", statistic="p", claim="< 0.01", value="0.001", recomputed="0.001",
        method="paired t, n = 20 (printed)", quantity="p, arm b, week 48 vs baseline", line="45"),
    row("G-2", "discrepant", location="Results", statistic="agreement", claim="< 0.01", recomputed="disjoint",
        method="agreement with G-1 (Abstract, line 5: 'p > 0.05')", quantity="p, arm b, week 48 vs baseline",
        line="45"),
    # an interpreted statement ('significantly') that the data do not support
    row("T-1", "discrepant", location="Text", statistic="p", claim="< 0.05", value="0.2", recomputed="0.2",
        decision_error="true", quantity="p, a quoted trial", line="140", basis="interpreted"),
], columns=LEDGER_COLUMNS)


@pytest.fixture(scope="module")
def found():
    return findings(LEDGER, WORDS)


def test_groupings_and_ranking_worked_by_hand(found):
    got = [(f.number, f.rule, f.tier_label, f.claims) for f in found]
    assert got == [
        (1, "contradiction", "contradiction", ["G-1", "G-2"]),
        (2, "reading", "impossible", ["N-1", "N-2", "N-3", "O-2"]),
        (3, "implied_n", "impossible", ["I-1", "I-2"]),
        (4, "restated", "discrepant", ["R-1", "R-2"]),
        (5, "alike", "discrepant", ["P-1", "P-2"]),
        (6, "single", "discrepant", ["S-1"]),
        (7, "single", "discrepant", ["C-1"]),
        (8, "single", "reading", ["O-1"]),
        (9, "definition", "reading", ["D-1", "X-1", "X-2"]),
        (10, "single", "interpreted", ["T-1"]),
        (11, "single", "rounding", ["Q-1"]),
        (12, "duplicates", "flag", ["U-1", "U-2"]),
    ]
    consequences = [f.consequence for f in found]
    assert consequences == ["decision error", "headline claim", "", "headline claim", "", "", "",
                            "decision error", "", "", "", ""]
    # an interpreted statement's decision error is not the paper's test
    assert found[9].decision_errors == 0


def test_a_consequence_ranks_within_a_strength_never_above_it(found):
    # O-1 is a decision error but rests on a reading: below every discrepancy without one
    strengths = [f.tier for f in found]
    assert strengths == sorted(strengths)
    assert found[7].decision_errors == 1 and found[6].decision_errors == 0


def test_without_words_an_n_that_fits_is_a_reading():
    # the same ledger with no config: n_alt is not known to be inferred, so the n_alt group
    # holds only under a labelled reading
    plain = {f.claims[0]: f for f in findings(LEDGER)}
    assert plain["N-1"].strength == "reading"
    assert plain["I-1"].strength == "impossible"


def test_the_findings_table_and_its_evidence(found):
    table = findings_table(found)
    assert list(table.columns) == FINDING_COLUMNS
    assert list(table["id"]) == [f"F{i}" for i in range(1, 13)]
    assert table.loc[0, "claims"] == "G-1; G-2" and table.loc[0, "strength"] == "contradiction"
    assert table.loc[0, "readings"].startswith("none")
    assert "n = 44, the n the percentages imply (`n_alt`)" in table.loc[1, "readings"]
    evidence = evidence_table(found)
    assert set(evidence["finding"]) == set(table["id"])
    assert (evidence.loc[evidence["claim_id"] == "P-1", ["source_file", "source_line"]].values.tolist()
            == [["paper.txt", "90"]])


def test_each_flagged_claim_is_in_exactly_one_finding(found):
    flagged = {r["claim_id"] for r in LEDGER.to_dict("records") if r["variant"] == "as_reported"
               and (r["verdict"] == "discrepant" or r["decision_error"] == "true"
                    or r["why_unverifiable"] == "impossible_inputs")}
    listed = [c for f in found if f.rule != "duplicates" for c in f.claims]
    assert sorted(listed) == sorted(flagged)
    assert "K-1" not in listed and "W-1" not in listed  # a variant's discrepancy is no finding
    assert next(f.number for f in found if "N-2" in f.claims) == 2


def test_what_each_finding_says(found):
    by = {f.number: f for f in found}
    # the definition: its reading, and what the reading changes in the method text
    assert by[9].reading == "alt_def"
    assert "`alt_def`" in by[9].title
    assert "a > 8 (n=12) → a ≥ 8 (n=13)" in by[9].statement
    # the shared reading names the arm's implied n from its note, and the change of n
    assert by[2].title == "placebo arm: the printed numbers fit n = 19, not the stated n = 20"
    assert by[2].notes == [IMPLIED]
    assert "n = 46 (printed) → n = 44 (n_alt)" in by[2].statement
    assert by[2].checks == ["count and percentage disagree", "GRIM", "impossible inputs", "implied n"]
    # restated: one quantity printed twice, the data give 58
    assert by[4].title == "patients enrolled (N): printed 61, recomputed 58"
    assert "printed 2 times (R-1, R-2) as 61; the data give 58" in by[4].statement
    # the decision error: the reading that fits it is evidence, not a group of one
    assert by[8].decision_errors == 1 and by[8].evidence[0].reading == "other_n"
    assert "flips significance" in by[8].statement
    # the contradiction: both printings, no assumption, and what the data say of each
    assert "'> 0.05' (Abstract) and as '< 0.01' (Results)" in by[1].title
    assert "This needs no assumption about the data" in by[1].statement
    assert "G-1 '> 0.05' is discrepant" in by[1].statement and "G-2 '< 0.01' is reproduced" in by[1].statement
    # the interpreted statement says so
    assert by[10].statement.startswith("An interpreted statement")
    # evidence: printed against recomputed, with the paper line
    ev = {e.claim_id: e for e in by[5].evidence}
    assert (ev["P-1"].printed, ev["P-1"].recomputed, ev["P-1"].source) == ("0.351", "0.275", "paper.txt:90")
    assert by[5].sources == ["paper.txt:90", "paper.txt:91"]
    assert by[12].notes == [DUPLICATE]
    assert by[3].title == "b arm: values impossible at the stated n = 10"


def test_anchors_and_stems():
    assert claim_anchor("s", "M-ABS 12/x") == "claim-s--M-ABS_12_x"
    assert stem("p, UC-MSC vs placebo, BMI (kg/m2) at baseline") == "p"
    assert stem("age (unit, not printed), mean ± SD (g1, baseline)") == "age (unit, not printed)"


def test_summary_opens_on_the_findings(found):
    text = summary_markdown(LEDGER, findings_table(found), evidence_table(found))
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings[:3] == ["# Audit summary", "## Findings (12)",
                            f"### F1. s: {found[0].title} (contradiction; decision error)"]
    assert headings.index("## Verdicts per study") == 2 + len(found)
    # each root cause once: a claim's evidence line appears in one finding only
    assert text.count("- R-1 (") == 1 and "  - R-1 (Abstract, Methods; paper.txt:1): printed `printed 61`" in text
    # the per-study list of discrepant claims names each claim's finding
    assert "| X-1 | `printed 0.58` | 0.5935 |  | F9 |" in text


def test_a_corpus_is_more_studies_than_studies_in_full():
    two = pd.concat([LEDGER, LEDGER.assign(study="t")], ignore_index=True)
    assert not is_corpus(LEDGER, {}) and not is_corpus(two, {})        # the default, 12
    assert STUDIES_IN_FULL == 12
    assert not is_corpus(two, {"studies_in_full": 2})                  # at most: in full
    assert is_corpus(two, {"studies_in_full": 1})


# --- which claims a reading explains ----------------------------------------------------------

def ev_row(claim, reading="", reading_verdict="", *, verdict="discrepant", statistic="p", decision_error="false"):
    """One evidence row (finding_evidence.csv's columns that say whether a reading explains it)."""
    return {"claim_id": claim, "reading": reading, "reading_verdict": reading_verdict, "verdict": verdict,
            "statistic": statistic, "decision_error": decision_error}


def test_which_claims_each_reading_explains():
    rows = [ev_row("A", "as_sem", "consistent"), ev_row("B"), ev_row("C"),
            ev_row("D", verdict="reproduced"),                      # holds as stated: nothing to explain
            ev_row("E", statistic=""),                              # a printed definition: not a value
            ev_row("F", "welch", "reproduced", statistic="grim"),   # one of its two failing rows fits:
            ev_row("F", statistic="grimmer"),                       # not explained
            ev_row("G", "welch", "reproduced", verdict="consistent", decision_error="true"),  # fails: a decision error
            ev_row("H", "welch", "discrepant")]                     # the reading's row does not hold
    explained = explained_by(rows)
    assert explained.claims == ("A", "B", "C", "F", "G", "H")
    # one claim each: the first seen first
    assert explained.fits == (ReadingFit("as_sem", ("A",)), ReadingFit("welch", ("G",)))
    assert explained.rest == ("B", "C", "F", "H") and explained.whole is None
    # every failing claim under one reading: it explains the whole finding
    whole = explained_by([ev_row("A", "n_x", "reproduced"), ev_row("B", "n_x", "consistent"),
                          ev_row("K", verdict="reproduced")])
    assert whole.whole == ReadingFit("n_x", ("A", "B")) and whole.rest == ()
    # two readings, most claims first
    two = explained_by([ev_row("A", "x", "reproduced"), ev_row("B", "y", "reproduced"), ev_row("C", "y", "consistent")])
    assert two.fits == (ReadingFit("y", ("B", "C")), ReadingFit("x", ("A",))) and two.whole is None
    assert explained_by([ev_row("D", verdict="reproduced")]).claims == ()


def test_the_readings_column_says_how_many_claims_a_reading_explains(found):
    table = findings_table(found)
    # all: n_alt makes each of N-1, N-2, N-3 and O-2 hold (O-2 fits other_n too; its evidence row
    # names the finding's own reading)
    assert table.loc[1, "readings"] == ("n = 44, the n the percentages imply (`n_alt`): inferred from the printed "
                                        "numbers themselves, so it explains them and does not excuse them")
    # several: X-1 holds under alt_def alone, X-2 only with alt_def crossed with welch (the stated
    # definition D-1 is what alt_def replaces, not a value it explains)
    assert table.loc[8, "readings"] == (
        "alt def (`alt_def`), for 1 of its 2 claims (X-1); alt def and Welch's unequal-variance test in place of "
        "the pooled-variance test (`alt_def+welch`), for the other one (X-2)")
    # and its statement says so where it says every dependent claim reproduces with alt_def
    assert table.loc[8, "statement"].endswith(
        "), 1 of them (X-2) only together with Welch's unequal-variance test in place of the pooled-variance test "
        "(`welch`). Claims concerned: D-1, X-1, X-2.")
    # none: P-1 and P-2 (no reading fits either)
    assert table.loc[4, "claims"] == "P-1; P-2" and table.loc[4, "readings"] == ""


def test_a_reading_that_explains_some_claims_says_which_and_how_many():
    # three p-values of one table (one finding: one kind in one place); ± read as the SE makes
    # B-2 possible, and no reading fits B-1 or B-3
    def p_row(claim, verdict, variant="as_reported", printed="0.351"):
        return row(claim, verdict, variant, location="Table 7", statistic="p", claim=printed, value="0.275",
                   recomputed="0.275", method="ANOVA", quantity=f"p, {claim}", line="70")
    ledger = pd.DataFrame([p_row("B-1", "discrepant"), p_row("B-1", "discrepant", "as_sem"),
                           p_row("B-2", "discrepant"), p_row("B-2", "consistent", "as_sem"),
                           p_row("B-3", "discrepant"), p_row("B-3", "discrepant", "as_sem")], columns=LEDGER_COLUMNS)
    f, = findings(ledger)
    assert f.claims == ["B-1", "B-2", "B-3"]
    assert f.readings == ("± read as the standard error, not the SD (`as_sem`), for 1 of its 3 claims (B-2); "
                          "no labelled reading explains the other 2 (B-1, B-3)")
