"""The findings stage on the real papers (one shared run of the workflow): the findings table,
summary.md rendered from it, the ranking by evidence strength, and the import direction
ledger -> findings. No study is named: each property is checked for every study."""
import ast
import re
from pathlib import Path

import pandas as pd
import pytest

from reanalysis.findings.ranking import FINDING_COLUMNS, STRENGTHS
from reanalysis.errors import InputError
from reanalysis.audit.ledger import load_claims

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "workflow" / "reanalysis"


@pytest.fixture(scope="module")
def tables(finished_run):
    audit = finished_run / "results" / "audit"
    read = lambda name: pd.read_csv(audit / name, dtype=str, keep_default_na=False)  # noqa: E731
    return read("findings.csv"), read("finding_evidence.csv"), read("claims.csv"), (audit / "summary.md").read_text()


def test_the_findings_table_is_what_summary_renders(tables):
    table, evidence, _, summary = tables
    assert list(table.columns) == FINDING_COLUMNS
    assert list(table["id"]) == [f"F{i}" for i in range(1, len(table) + 1)]
    headings = [line for line in summary.splitlines() if line.startswith("### F")]
    assert [h.split(".")[0].removeprefix("### ") for h in headings] == list(table["id"])
    for (_, f), heading in zip(table.iterrows(), headings):
        assert f["title"] in heading and f["study"] in heading
    assert set(evidence["finding"]) <= set(table["id"])


def test_strength_first_then_consequence(tables):
    table = tables[0]
    ranks = [STRENGTHS.index(s) for s in table["strength"]]
    assert ranks == sorted(ranks), "a finding of weaker evidence ranks above a stronger one"
    order = {"decision error": 0, "headline claim": 1, "": 2}
    for _, group in table.groupby("strength", sort=False):
        keys = [order[c] for c in group["consequence"]]
        assert keys == sorted(keys)


def test_a_contradiction_between_verbatim_printings_leads_its_study(tables):
    table, _, ledger, _ = tables
    basis = dict(zip(zip(ledger["study"], ledger["claim_id"]), ledger["claim_basis"]))
    clash = ledger[(ledger["statistic"] == "agreement") & (ledger["verdict"] == "discrepant")]
    for study, rows in clash.groupby("study"):
        partners = rows["method"].str.extract(r"^agreement with (\S+) ")[0]
        verbatim = [basis[(study, a)] != "interpreted" and basis[(study, b)] != "interpreted"
                    for a, b in zip(rows["claim_id"], partners)]
        if any(verbatim):
            first = table[table["study"] == study].iloc[0]
            assert first["strength"] == "contradiction", first["title"]
            assert first["readings"].startswith("none")


def test_printings_in_different_units_each_name_their_unit(tables):
    """A quantity printed in months in one place and in years in another (a paper's "35
    months" against "exceeded three years") is titled with each printing's unit, never under
    one unit for all: '> 3' under "(months)" would misstate what the paper says."""
    table, _, ledger, _ = tables
    main = ledger[ledger["variant"] == "as_reported"]
    units = {key: re.search(r"\(([^()]*)\)\s*$", q.split(",")[0]) for key, q in
             zip(zip(main["study"], main["claim_id"]), main["quantity"])}
    checked = 0
    for _, f in table[table["rule"] == "contradiction"].iterrows():
        found = {m.group(1) for c in f["claims"].split("; ") if (m := units.get((f["study"], c)))}
        if len(found) > 1:
            checked += 1
            name = f["title"].split(": printed as ")[0]
            assert not re.search(r"\([^()]*\)\s*$", name), f["title"]
            assert all(re.search(rf"' {re.escape(u)} \(", f["title"]) for u in found), f["title"]
    assert checked, "no contradiction between printings in different units to check"


def test_interpreted_statements_are_never_decision_errors_of_the_paper(tables):
    table, _, ledger, _ = tables
    basis = dict(zip(zip(ledger["study"], ledger["claim_id"]), ledger["claim_basis"]))
    for _, f in table.iterrows():
        if all(basis[(f["study"], c)] == "interpreted" for c in f["claims"].split("; ")):
            assert f["strength"] in ("interpreted", "flag")
            assert f["consequence"] != "decision error" and f["decision_errors"] == "0"


def test_no_code_label_without_its_words(tables):
    # readings are named in words with the code label in brackets
    for text in tables[0]["readings"]:
        assert not text or text.startswith("none") or "(`" in text
        assert not text.startswith("`")


def test_the_ledger_does_not_import_the_findings():
    source = ast.parse((PACKAGE / "audit" / "ledger.py").read_text())
    imported = {n.module for n in ast.walk(source) if isinstance(n, ast.ImportFrom)}
    assert not imported & {"findings", "summary", "report", "summary_figures"}


def test_same_as_names_a_claim_of_the_file(tmp_path):
    header = ("claim_id,source_file,source_line,location,quantity,reported,claim,claim_basis,scale,check,"
              "why_not_recomputable,also_in,same_as,note\n")
    path = tmp_path / "claims.csv"
    path.write_text(header + "X-ABS-01,p.txt,1,Abstract,p,p > 0.05,> 0.05,verbatim,1,c,,,X-RES-09,\n")
    with pytest.raises(InputError) as err:
        load_claims(path, ROOT / "workflow" / "schemas" / "claims.schema.yaml", {"checks": {"c": {}}})
    text = str(err.value)
    assert "same_as" in text and "X-RES-09" in text and "unknown claim" in text


def test_trials_carry_their_inspect_sr_judgement_into_the_report_and_letters(finished_run):
    """Each randomised trial's Domain 4 judgement (results/trust/<study>.csv) is the one its
    letter states and the report shows; a study INSPECT-SR does not apply to has no such
    sentence in its letter."""
    results = finished_run / "results"
    index = pd.read_csv(results / "trust" / "index.csv", dtype=str, keep_default_na=False)
    html = (results / "report.html").read_text(encoding="utf-8")
    assert 'id="trust"' in html
    for _, row in index.iterrows():
        letter = results / "letters" / f"{row['study']}.md"
        text = letter.read_text(encoding="utf-8") if letter.is_file() else ""
        table = results / "trust" / f"{row['study']}.csv"
        if table.is_file():
            t = pd.read_csv(table, dtype=str, keep_default_na=False)
            d4 = t[(t["level"] == "domain") & (t["domain"] == "4")]["answer"].item()
            overall = t[t["level"] == "overall"]["answer"].item()
            assert f"overall {overall}" in html
            if text:
                assert f"(its Domain 4) raise {d4}" in text
        else:
            assert "INSPECT-SR" not in text
