"""The HTML report: rendered from the ledger and the findings table (it computes no finding),
opening on the papers and the findings, self-contained, and working in a real browser.

Unit tests render a small hand-built ledger and findings table, so every expected count is
counted by hand here. The browser tests open the report of a full workflow run in Debian's
headless Chromium (driven by Playwright): no console errors or requests; the findings in
rank order; every figure decoded with its smallest text at least 9 px on screen at 1400 and
390 px; the ledger's numeric and p-value-aware sorting with blanks last, its "worst first"
reset, its headers driven by keyboard (``aria-sort``), its sticky header, its verdict visible
without sideways scrolling at 1400 px, as text and colour with AA contrast, its filters from
``input`` and ``change`` events, its print stylesheet; axe-core (axe-playwright-python)
finds no serious or critical violation; the time to first render is measured with the real
ledger (at most 1 s) and with a synthetic ledger of 10,000 rows (at most 3 s). Screenshots at
1400 and 390 px of the findings, the ledger and each figure, and the measured times, go to
results/browser/.

One set of counts (reanalysis.findings.counts) is stated alike by the report, summary.md, the letters
and the README.

A synthetic corpus of 15 studies (reanalysis.corpus.synth, audited by the workflow in its own
folder) with config `studies_in_full` below 15: the report lists no ledger row, only the
top-ranked findings with the count of the rest, and the verdicts per study as pandas counts
them.
"""
import ast
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, SNAKEMAKE, load_config, read_csv
from reanalysis.findings.ranking import EVIDENCE_COLUMNS, FINDING_COLUMNS  # the table's fixed columns
from reanalysis.findings.counts import claim_verdicts, counts, read_table
from reanalysis.findings.ranking import findings
from reanalysis.audit.ledger import LEDGER_COLUMNS, read_ledger, write_ledger
from reanalysis.figures.palette import VERDICT_STYLE, contrast
from reanalysis.report.html_report import (REPORT_TOP_FINDINGS, build_context, claim_anchor, claim_groups,
                                           key_results, render, write_report)

TEMPLATE = ROOT / "workflow" / "report" / "report.html.j2"
BROWSER = ROOT / "results" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
# The flags the workplace's probe uses: without the background-networking ones, Chromium
# tries to reach Google's hosts on a closed network at every start.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FIRST_RENDER_LIMIT_S = 1.0         # the real ledger
FIRST_RENDER_LIMIT_10000_S = 3.0   # a synthetic ledger of 10,000 rows
SYNTHETIC_ROWS = 10_000
MIN_TEXT_PX = 9.0                  # the smallest on-screen text of a figure


def _row(study, claim_id, verdict, variant="as_reported", decision_error="", **extra):
    row = dict.fromkeys(LEDGER_COLUMNS, "")
    row.update(study=study, claim_id=claim_id, verdict=verdict, variant=variant,
               decision_error=decision_error, reported=f"printed {claim_id}", location="Table 1",
               source_file="001_0123456789abcdef.txt", source_line="7", **extra)
    return row


# Three studies; a: 1 reproduced, 1 consistent, 1 discrepant + 1 decision error (both as
# reported), 1 unverifiable, and 2 variant rows; b: 1 reproduced, 1 discrepant; c: one
# reproduced claim and no finding.
LEDGER = pd.DataFrame([
    _row("a", "A-1", "reproduced", recomputed="0.58", claim="0.58", statistic="p", value="0.58"),
    _row("a", "A-1", "discrepant", variant="welch", recomputed="0.61"),
    _row("a", "A-2", "consistent", recomputed="0.0412", low="0.03", high="0.05", claim="0.04", statistic="p",
         value="0.0412"),
    _row("a", "A-3", "discrepant", decision_error="true", recomputed="0.0448", claim="> 0.05", statistic="p",
         value="0.0448"),
    _row("a", "A-4", "discrepant", decision_error="false", recomputed="0.2", claim="0.112", statistic="p",
         value="0.2"),
    _row("a", "A-5", "unverifiable"),
    _row("a", "A-5", "unverifiable", variant="n_completers"),
    _row("b", "B-1", "reproduced", recomputed="12", claim="12", statistic="value", value="12"),
    _row("b", "B-2", "discrepant", recomputed="80.2", note="73/91 = 80.2%, printed 86.8%", claim="86.8",
         statistic="value", value="80.2"),
    _row("c", "C-1", "reproduced", recomputed="3", claim="3", statistic="value", value="3"),
], columns=LEDGER_COLUMNS)
CONFIG = {"studies": {
    "a": {"design": "summary_level", "title": "Study <A>",
          "citation": {"label": "Alpha et al. 2020", "short_title": "a trial", "title": "Study <A>",
                       "authors": "Alpha A, Beta B", "journal": "J Tests", "year": 2020, "volume": "1",
                       "pages": "1-9", "doi": "10.1000/a.1", "source": "written for this test"}},
    "b": {"design": "patient_level", "title": "Study B",
          "citation": {"label": "Bravo 2021", "short_title": "a case series", "title": "Study B",
                       "journal": "J Cases", "year": 2021, "source": "written for this test"}},
    "c": {"design": "summary_level", "title": "Study C",
          "citation": {"label": "Charlie 2019", "short_title": "a case", "title": "Study C",
                       "source": "written for this test"}},
}}


def _finding(k, study, claims, strength="discrepant", consequence="", errors=0, title=""):
    return {**dict.fromkeys(FINDING_COLUMNS, ""), "id": f"F{k}", "rank": str(k), "study": study,
            "strength": strength, "strength_label": f"{strength} (words)", "consequence": consequence,
            "decision_errors": str(errors), "headline": "false", "title": title or f"finding {k} of {study}",
            "statement": f"statement of finding {k}", "claims": "; ".join(claims), "locations": "Table 1"}


def _evidence(finding, claim_id):
    row = LEDGER[(LEDGER["claim_id"] == claim_id) & (LEDGER["variant"] == "as_reported")].iloc[0].to_dict()
    return {**{k: row.get(k, "") for k in EVIDENCE_COLUMNS}, "finding": finding}


TABLE = pd.DataFrame([_finding(1, "a", ["A-3"], consequence="decision error", errors=1),
                      _finding(2, "a", ["A-4"]), _finding(3, "b", ["B-2"], title="B's `code` title")],
                     columns=FINDING_COLUMNS)
EVIDENCE = pd.DataFrame([_evidence("F1", "A-3"), _evidence("F2", "A-4"), _evidence("F3", "B-2")],
                        columns=EVIDENCE_COLUMNS)


def test_counts_are_counted_once():
    """By hand from LEDGER and TABLE: 8 claims (A-1..A-5, B-1, B-2, C-1) in 10 rows of 3
    papers; a claim's verdict is its worst as-reported row, so A-1 is reproduced (its welch
    row is another reading); 3 findings in 2 papers."""
    c = counts(LEDGER, TABLE)
    assert (c.papers, c.claims, c.rows, c.as_reported_rows, c.findings, c.papers_with_findings) == (3, 8, 10, 8, 3, 2)
    assert c.by_verdict == {"discrepant": 3, "consistent": 1, "reproduced": 3, "unverifiable": 1}
    assert c.decision_errors == 1
    assert c.sentence() == "8 printed claims (10 ledger rows) in 3 papers; 3 findings, in 2 of the papers."
    per = {p["study"]: p for p in c.per_study}
    assert per["a"] == {"study": "a", "claims": 5, "rows": 7, "as_reported_rows": 5, "discrepant": 2, "consistent": 1,
                        "reproduced": 1, "unverifiable": 1, "decision_errors": 1, "findings": 2}
    assert per["c"]["findings"] == 0 and per["c"]["claims"] == 1
    verdicts = claim_verdicts(LEDGER)
    assert list(verdicts["claim_id"]) == ["A-1", "A-2", "A-3", "A-4", "A-5", "B-1", "B-2", "C-1"]


def test_one_group_per_claim_with_its_stated_reading_first():
    groups = claim_groups(LEDGER, {("a", "A-3"): "F1"})
    # claims ordered by their verdict: decision error, discrepant, consistent, ...
    assert [g["claim_id"] for g in groups] == ["A-3", "A-4", "B-2", "A-2", "A-1", "B-1", "C-1", "A-5"]
    a1 = next(g for g in groups if g["claim_id"] == "A-1")
    assert [r["variant"] for r in a1["rows"]] == ["as_reported", "welch"]  # the variant folded under it
    assert groups[0]["finding"] == "F1" and groups[1]["finding"] == ""
    assert groups[0]["anchor"] == claim_anchor("a", "A-3") == "claim-a--A-3"
    assert sum(len(g["rows"]) for g in groups) == len(LEDGER)
    # numeric sort keys: the printed number and the recomputed value ('' where there is none)
    assert groups[0]["sort"]["printed"] == "0.05" and groups[0]["sort"]["recomputed"] == "0.0448"
    assert next(g for g in groups if g["claim_id"] == "A-5")["sort"]["recomputed"] == ""


@pytest.fixture
def rendered(tmp_path):
    from PIL import Image  # any image: figures are embedded as bytes
    (tmp_path / "b").mkdir()
    Image.new("RGB", (600, 300), "white").save(tmp_path / "b" / "fig.png")
    Image.new("RGB", (900, 600), "white").save(tmp_path / "pvalues.png")
    config = {"studies": {**CONFIG["studies"],
                          "b": {**CONFIG["studies"]["b"],
                                "figures": {"specs": {"fig": {"kind": "paired", "labels": {"title": "T"}}}}}}}
    return render(build_context(LEDGER, TABLE, EVIDENCE, config, tmp_path, TEMPLATE.parent), TEMPLATE)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_report_opens_on_the_papers_and_the_findings(rendered):
    text = _text(rendered)
    assert re.findall(r'<h2 id="([^"]+)"', rendered)[:2] == ["papers", "findings"]
    assert "8 printed claims (10 ledger rows) in 3 papers; 3 findings, in 2 of the papers." in text
    # the references at the top, by label: full citation and counts
    assert "Alpha et al. 2020 , a trial. Alpha A, Beta B. Study &lt;A&gt;. J Tests 2020;1:1-9. doi:10.1000/a.1" in text
    assert "No findings in: Charlie 2019" in text
    assert rendered.count('<li id="finding-') == 3
    assert re.findall(r'<li id="finding-(\d+)"', rendered) == ["1", "2", "3"]
    assert '<a href="#claim-a--A-3">A-3</a>' in rendered          # a finding links to its rows
    assert '<a href="#finding-1">F1</a>' in rendered               # and its row back to it
    assert "001_0123456789abcdef.txt, line 7" in rendered          # the paper line, on demand
    assert "B&#39;s <code>code</code> title" in rendered            # the table's title, rendered


def test_counts_table_counts_claims_as_the_ledger_filters_them(rendered):
    table = rendered[rendered.index('<table id="verdict-counts"'):]
    table = table[:table.index("</table>")]
    rows = {m.group(1): [int(x) for x in re.findall(r'<td class="num">(\d+)</td>', m.group(2))]
            for m in re.finditer(r'<tr data-study="(\w+)">(.*?)</tr>', table)}
    # claims, reproduced, consistent, discrepant, unverifiable, decision errors, findings, rows
    assert rows == {"a": [5, 1, 1, 2, 1, 1, 2, 7], "b": [2, 1, 0, 1, 0, 0, 1, 2], "c": [1, 1, 0, 0, 0, 0, 0, 1]}
    assert list(VERDICT_STYLE) == ["reproduced", "consistent", "discrepant", "unverifiable"]
    # the same counts as the ledger's data-verdict attributes
    verdicts = re.findall(r'<tbody class="claim v-\w+" id="[^"]+" data-study="\w+" data-verdict="(\w+)"', rendered)
    assert sorted(verdicts) == sorted(["discrepant"] * 3 + ["consistent"] + ["reproduced"] * 3 + ["unverifiable"])


def test_every_ledger_row_is_in_the_page(rendered):
    assert rendered.count('<tr class="ledger-row v-') == len(LEDGER)  # every row, once
    assert rendered.count('<tbody class="claim ') == 8                 # one group per claim
    assert rendered.count('<tr class="main">') == 8
    assert "Study &lt;A&gt;" in rendered  # text is escaped
    assert "0.0412 [0.03, 0.05]" in rendered  # the recomputed interval is shown with its value


def test_report_is_self_contained(rendered):
    """No URL the browser would fetch: images are data URIs, CSS and script are inline."""
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", rendered)
    assert "<script src" not in rendered and "<link rel=\"stylesheet\"" not in rendered
    assert rendered.count('src="data:image/png;base64,') == 2


def test_report_letters_and_figures_compute_no_finding():
    """They read the findings table: none imports the module that computes findings."""
    for name in ("report/html_report", "report/letters", "figures/summary_figures", "findings/counts",
                 "findings/evidence", "figures/palette"):
        tree = ast.parse((ROOT / "workflow" / "reanalysis" / f"{name}.py").read_text(encoding="utf-8"))
        imported = {f"{n.module or ''}.{a.name}" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                    for a in n.names}
        imported |= {f"{n.module}." for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        # reanalysis.findings.ranking computes the findings, imported however spelled
        assert not {m for m in imported if "ranking" in m.split(".")}, name


def test_key_results_of_is_the_effect_real():
    """One line per decision-relevant result: indirect comparisons, pools, each study's
    combined Carlisle check (the more extreme tail), a cohort's regression to the mean."""
    from reanalysis.beyond.questions import PARTS
    nan = float("nan")

    def r(part, study, question, value=nan, low=nan, high=nan, reading="r"):
        return {"part": PARTS[part], "study": study, "question": question, "value": value, "low": low,
                "high": high, "reading": reading}
    rows = [r(1, "s", "population fit", -29.0), r(1, "s", "cohort", 0.1, 0.05, 0.15), r(1, "s", "subgroup", 0.2, 0.1, 0.3),
            r(2, "s", "own arm", 0.8, 0.5, 1.1), r(2, "s vs t", "indirect", 0.09, -0.4, 0.6),
            r(4, "s", "entry", -0.8), r(4, "pooled", "pool", -0.4, -0.9, 0.1),
            r(5, "t", "age", 0.2), r(5, "t", "Are they combined alike?", 0.8), r(5, "t", "combined different?", 0.0),
            r(6, "s", "bootstrap", 0.8)]
    key = key_results(rows)
    assert [k["question"] for k in key] == ["cohort", "indirect", "pool", "combined different?"]


# --- the pipeline's report ------------------------------------------------------------------

def _results(run: Path):
    results = run / "results"
    return (results, read_table(results / "audit" / "claims.csv"), read_table(results / "audit" / "findings.csv"),
            read_table(results / "audit" / "finding_evidence.csv"))


def test_pipeline_report_lists_every_ledger_row_and_finding(finished_run):
    results, ledger, table, _ = _results(finished_run)
    html = (results / "report.html").read_text(encoding="utf-8")
    assert html.count('<tr class="ledger-row v-') == len(ledger)
    assert html.count('<tbody class="claim ') == len({(r["study"], r["claim_id"]) for r in read_csv(
        results / "audit" / "claims.csv")})
    # the findings, in the table's order, first thing after the papers
    assert re.findall(r'<li id="finding-(\d+)"', html) == [i.lstrip("F") for i in table["id"]]
    assert html.index('id="papers"') < html.index('id="findings"') < html.index('id="ledger"') < html.index('id="counts"')
    # every figure the workflow drew is embedded once: the PNGs under results/figures
    assert html.count('src="data:image/png;base64,') == len(list((results / "figures").rglob("*.png")))


def test_pipeline_findings_state_each_root_cause_once(finished_run):
    """Every flagged claim (discrepant, decision error, impossible inputs, as reported) is in
    exactly one finding; the report lists the findings in rank order, first thing."""
    ledger = read_ledger(finished_run / "results" / "audit" / "claims.csv")
    found = findings(ledger, load_config(finished_run)["studies"])
    # flagged: discrepant, a decision error or impossible inputs as reported, and not the echo
    # of a claim's verdict on a value it restates, sums or subtracts (that is the claim's)
    echo = ledger["method"].str.match(r"(?:restated|summed|a term of the difference) in claim \S+:")
    flagged = ledger[(ledger["variant"] == "as_reported") & ~echo & ((ledger["verdict"] == "discrepant")
                                                                     | (ledger["decision_error"] == "true")
                                                                     | (ledger["why_unverifiable"] == "impossible_inputs"))]
    listed = [(f.study, c) for f in found if f.rule != "duplicates" for c in f.claims]
    assert len(listed) == len(set(listed))
    # every flagged claim once; a contradiction also lists the printings linked to it
    extra = set(listed) - set(zip(flagged["study"], flagged["claim_id"]))
    assert set(zip(flagged["study"], flagged["claim_id"])) <= set(listed)
    assert extra <= {(f.study, c) for f in found if f.rule == "contradiction" for c in f.claims}
    assert [f.tier for f in found] == sorted(f.tier for f in found)
    html = (finished_run / "results" / "report.html").read_text(encoding="utf-8")
    assert re.findall(r'<li id="(finding-\d+)"', html) == [f.anchor for f in found]
    assert html.index('id="findings"') < html.index('id="ledger"') < html.index('id="counts"')


def _value_ids(spec) -> list[str]:
    """Every string in a check's spec that names a printed row (walked here, independently
    of reanalysis.findings.evidence)."""
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, dict):
        return [v for k, x in spec.items() if k in ("a", "b", "before", "after", "groups", "table", "parts")
                for v in _value_ids(x)]
    if isinstance(spec, list):
        return [v for x in spec for v in _value_ids(x)]
    return []


def test_pipeline_evidence_shows_printed_inputs_test_and_line(finished_run):
    """Each evidence row of the report shows the printed inputs of its check (each input
    row's printed text, from raw/), the test's statistic with its df where the recomputation
    has one, and the paper's line as printed (from the paper's text)."""
    results, _, _, evidence = _results(finished_run)
    config = load_config(finished_run)
    html = (results / "report.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr class="evidence-row v-\w+">(.*?)</tr>', html, flags=re.S)
    assert len(rows) >= len(evidence.drop_duplicates(["finding", "claim_id", "statistic"])) > 0
    recomputed = pd.concat([read_table(p) for p in sorted((results / "recomputed").glob("*.csv"))])
    checked_inputs = checked_tests = 0
    for e in evidence.to_dict("records"):
        study = config["studies"][e["study"]]
        mine = [r for r in rows if f'>{e["claim_id"]}</a>' in r]
        assert mine, e["claim_id"]
        if e["source_file"]:
            from conftest import study_papers
            paper = (study_papers(config, e["study"], finished_run) / e["source_file"]).read_text(encoding="utf-8")
            line = " ".join(paper.splitlines()[int(e["source_line"]) - 1].split())
            assert any(_escape(line) in r for r in mine), (e["claim_id"], line)
        if study["design"] != "summary_level":
            continue
        claims = {r["claim_id"]: r for r in read_csv(finished_run / study["claims"])}
        summaries = {r["value_id"]: r for r in read_csv(finished_run / study["table"])}
        check = claims.get(e["claim_id"], {}).get("check", "")
        for vid in _value_ids(study.get("checks", {}).get(check, {})):
            if vid in summaries:
                assert any(_escape(summaries[vid]["reported"]) in r for r in mine), (e["claim_id"], vid)
                checked_inputs += 1
        stats = recomputed[(recomputed["study"] == e["study"]) & (recomputed["check"] == check)
                           & (recomputed["variant"] == "as_reported")]
        if check and {"t", "df"} <= set(stats["statistic"]) and stats.loc[stats["statistic"] == "df", "value"].iloc[0]:
            df = float(stats.loc[stats["statistic"] == "df", "value"].iloc[0])
            if df == round(df):
                assert any(f"t({int(df)}) = " in r for r in mine), e["claim_id"]
                checked_tests += 1
        if check and {"F", "df1", "df2"} <= set(stats["statistic"]):
            df1, df2 = (int(float(stats.loc[stats["statistic"] == k, "value"].iloc[0])) for k in ("df1", "df2"))
            assert any(f"F({df1}, {df2}) = " in r for r in mine), e["claim_id"]
            checked_tests += 1
    assert checked_inputs > 0 and checked_tests > 0


def _escape(text: str) -> str:
    import html as _html
    return _html.escape(text, quote=True)


# --- one set of counts ----------------------------------------------------------------------

def test_pipeline_counts_agree_in_report_summary_letters_and_readme(finished_run):
    results, ledger, table, _ = _results(finished_run)
    c = counts(ledger, table)
    sentence = c.sentence()
    html = (results / "report.html").read_text(encoding="utf-8")
    assert _text(html).count(sentence) >= 2            # the lede and the counts section
    summary = (results / "audit" / "summary.md").read_text(encoding="utf-8")
    assert f"## Findings ({c.findings})" in summary and sentence in summary
    for p in c.per_study:   # summary.md's table of claims per verdict is the report's
        assert (f"| {p['study']} | {p['claims']} | {p['rows']} | {p['discrepant']} | {p['consistent']} | "
                f"{p['reproduced']} | {p['unverifiable']} | {p['decision_errors']} | {p['findings']} |") in summary
    letters = sorted((results / "letters").glob("*.md"))
    assert letters and all(sentence in p.read_text(encoding="utf-8") for p in letters)
    # each letter's own count of claims is its paper's
    per = {p["study"]: p for p in c.per_study}
    for p in letters:
        assert f"For each of its {per[p.stem]['claims']} printed claims" in p.read_text(encoding="utf-8")
    # the README states the counts of the five papers' run
    assert sentence in " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    # and the report's table of counts agrees with the ledger filter's verdicts
    verdicts = re.findall(r'<tbody class="claim v-\w+" id="[^"]+" data-study="[^"]+" data-verdict="(\w+)"', html)
    assert {v: verdicts.count(v) for v in c.by_verdict} == c.by_verdict


# --- a corpus: more studies than config `studies_in_full` ------------------------------

CORPUS_STUDIES = 15
CORPUS_LIMIT = 5  # studies_in_full below the corpus' studies


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A synthetic corpus of 15 studies audited up to its ledger and findings (the workflow,
    in its own folder), then its findings' figure and report written in process with
    studies_in_full below its number of studies."""
    from reanalysis.figures.summary_figures import write_discrepancy_figure, write_pvalue_figure
    from reanalysis.corpus.validity import run_pipeline
    work = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, "-m", "reanalysis.corpus.synth", "--studies", str(CORPUS_STUDIES), "--seed", "3",
                    "--out", str(work)], check=True, capture_output=True)
    result = run_pipeline(work)
    assert result.returncode == 0, result.stderr[-3000:]
    result = subprocess.run([SNAKEMAKE, "--cores", "2", "--snakefile", str(ROOT / "Snakefile"), "--directory",
                             str(work), "results/audit/findings.csv", "results/audit/finding_evidence.csv"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    config = {**load_config(work), "studies_in_full": CORPUS_LIMIT}
    results = work / "results"
    audit = results / "audit"
    ledger, table, evidence = read_table(audit / "claims.csv"), read_table(audit / "findings.csv"), \
        read_table(audit / "finding_evidence.csv")
    write_pvalue_figure(audit / "claims.csv", config, results / "figures" / "pvalues", corpus=True)
    write_discrepancy_figure(table, evidence, ledger, config, results / "figures" / "discrepancies", corpus=True)
    write_report(audit / "claims.csv", audit / "findings.csv", audit / "finding_evidence.csv", config,
                 results / "figures", TEMPLATE, results / "report.html")
    return {"results": results, "config": config, "ledger": ledger, "table": table, "evidence": evidence,
            "html": (results / "report.html").read_text(encoding="utf-8")}


def test_corpus_report_lists_no_ledger_rows(corpus):
    html, ledger = corpus["html"], corpus["ledger"]
    assert ledger["study"].nunique() == CORPUS_STUDIES > CORPUS_LIMIT
    assert '<tr class="ledger-row' not in html and '<tbody class="claim' not in html
    assert '<template id="ledger-rows">' not in html and "<script" not in html
    assert 'href="#claim-' not in html          # no rows to link to
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", html)  # still self-contained
    # the two figures of the findings, embedded; no study has figures of its own
    assert html.count('src="data:image/png;base64,') == 2
    assert html.count('class="corpus-note"') == 2  # each says how a corpus is drawn
    assert len(html.encode("utf-8")) < 5_000_000


def test_corpus_report_lists_the_top_findings_and_counts_the_rest(corpus):
    html, table = corpus["html"], corpus["table"]
    assert len(table) > REPORT_TOP_FINDINGS  # else nothing is left out
    assert re.findall(r'<li id="finding-(\d+)"', html) == [str(i) for i in range(1, REPORT_TOP_FINDINGS + 1)]
    text = _text(html)
    rest = len(table) - REPORT_TOP_FINDINGS
    assert f"{rest} more findings, of lower rank (F{REPORT_TOP_FINDINGS + 1} to F{len(table)})" in text
    assert "results/audit/summary.md" in text and "results/audit/claims.csv" in text
    assert f"the {REPORT_TOP_FINDINGS} highest-ranked of {len(table)}" in text


def test_corpus_report_states_the_counts(corpus):
    html, ledger, table = corpus["html"], corpus["ledger"], corpus["table"]
    text = _text(html)
    n_claims = len(ledger.drop_duplicates(["study", "claim_id"]))
    assert f"{n_claims} printed claims ({len(ledger)} ledger rows) in {CORPUS_STUDIES} papers" in text
    assert f"The {n_claims} claims ({len(ledger)} ledger rows) of a corpus are not listed here" in text
    # the compact table: one row per study, its claims by verdict as pandas counts them
    # (a claim's verdict: its worst as-reported row), its findings and its rows
    shown = {m.group(1): [int(x) for x in re.findall(r'<td class="num">(\d+)</td>', m.group(2))]
             for m in re.finditer(r'<tr data-study="([^"]+)">(.*?)</tr>', html)}
    main = ledger[ledger["variant"] == "as_reported"]
    rank = {"discrepant": 0, "consistent": 1, "reproduced": 2, "unverifiable": 3}
    worst = main.assign(r=main["verdict"].map(rank)).sort_values("r").drop_duplicates(["study", "claim_id"])
    errors = main[main["decision_error"] == "true"].drop_duplicates(["study", "claim_id"])
    expected = {}
    for s in sorted(ledger["study"].unique()):
        mine = worst[worst["study"] == s]
        expected[s] = [int(ledger[ledger["study"] == s].drop_duplicates("claim_id").shape[0]),
                       *[int((mine["verdict"] == v).sum()) for v in VERDICT_STYLE],
                       int((errors["study"] == s).sum()), int((table["study"] == s).sum()),
                       int((ledger["study"] == s).sum())]
    assert shown == expected


def test_at_most_studies_in_full_the_report_lists_every_row(corpus):
    """At the limit (studies_in_full equal to the studies) the report is in full."""
    ledger = corpus["ledger"]
    config = {**corpus["config"], "studies_in_full": CORPUS_STUDIES}
    html = render(build_context(ledger, corpus["table"], corpus["evidence"], config, corpus["results"] / "figures",
                                TEMPLATE.parent), TEMPLATE)
    assert html.count('<tr class="ledger-row v-') == len(ledger)
    assert html.count('<li id="finding-') == len(corpus["table"])
    assert "<script" in html and "more findings, of lower rank" not in html


# --- in a real browser -------------------------------------------------------------------

def launch(playwright):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not installed (Debian packages chromium and chromium-driver; "
                    ".ci/run installs them where apt-get is allowed)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


class Watch:
    """A page with its console problems and requests recorded."""

    def __init__(self, browser, width, height=1000):
        self.problems, self.requests = [], []
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))

    def open(self, path: Path) -> dict:
        """Load the page; the times (ms from navigation start) of its first contentful paint
        and of the ledger's first page, and the wall time of the load."""
        start = time.monotonic()
        self.page.goto(path.as_uri(), wait_until="load")
        wall = time.monotonic() - start
        times = self.page.evaluate("""() => ({
            first_contentful_paint_ms: performance.getEntriesByName('first-contentful-paint')[0].startTime,
            ledger_rendered_ms: performance.getEntriesByName('ledger-rendered')[0].startTime,
            dom_content_loaded_ms: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd})""")
        return {**{k: round(v, 1) for k, v in times.items()}, "load_wall_s": round(wall, 3)}


def _first_render_s(times: dict) -> float:
    """Time to first render: the first paint and the ledger's first page both drawn."""
    return max(times["first_contentful_paint_ms"], times["ledger_rendered_ms"]) / 1000


def _record(name: str, times: dict) -> None:
    BROWSER.mkdir(parents=True, exist_ok=True)
    path = BROWSER / "render_times.json"
    known = json.loads(path.read_text()) if path.is_file() else {}
    known[name] = times
    path.write_text(json.dumps(known, indent=1, sort_keys=True) + "\n")


def shot(page, name: str, selector: str | None = None) -> Path:
    """A screenshot into results/browser/: the viewport, or one element."""
    BROWSER.mkdir(parents=True, exist_ok=True)
    path = BROWSER / f"{name}.png"
    if selector:
        page.locator(selector).first.scroll_into_view_if_needed()
        page.locator(selector).first.screenshot(path=str(path))
    else:
        page.screenshot(path=str(path))
    return path


def _claims_shown(page):
    return page.eval_on_selector_all("#claims tbody.claim", "bs => bs.map(b => b.rows[0].cells[2].textContent)")


def _column(page, key: str):
    return page.eval_on_selector_all(
        "#claims tbody.claim", f"bs => bs.map(b => b.rows[0].querySelector('td.c-{key}').dataset.sort)")


def assert_axe_clean(page, where: str) -> None:
    """axe-core's rules (axe-playwright-python): no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe
    results = Axe().run(page)
    bad = [(v["id"], v["impact"], len(v["nodes"])) for v in results.response["violations"]
           if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{where}: {bad}"


def _rgb(css: str) -> str:
    r, g, b = (int(x) for x in re.findall(r"\d+", css)[:3])
    return f"#{r:02X}{g:02X}{b:02X}"


def test_report_in_headless_chromium(finished_run):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    results, ledger, table, _ = _results(finished_run)
    report = results / "report.html"
    groups = claim_groups(ledger)
    figures = list((results / "figures").rglob("*.png"))
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        wide = Watch(browser, 1400)
        times = wide.open(report)
        _record("real ledger, 1400 px", {**times, "rows": len(ledger), "claims": len(groups)})
        assert _first_render_s(times) <= FIRST_RENDER_LIMIT_S, times
        page = wide.page
        shot(page, "report_top_1400")

        # the papers, then the ranked findings, in the table's order
        assert page.locator("h2").first.get_attribute("id") == "papers"
        assert page.eval_on_selector_all("li.finding", "ls => ls.map(l => l.dataset.finding)") == \
            [i.lstrip("F") for i in table["id"]]
        page.locator("#findings").scroll_into_view_if_needed()
        shot(page, "report_findings_1400")
        # every figure is there, decoded, its smallest text >= 9 px on screen
        assert page.evaluate("Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length") \
            == len(figures)
        text_px = page.eval_on_selector_all(
            "img[data-text-px]", "is => is.map(i => i.clientWidth / i.naturalWidth * Number(i.dataset.textPx))")
        assert len(text_px) == len(figures) and min(text_px) >= MIN_TEXT_PX, text_px
        for k, fig in enumerate(page.eval_on_selector_all("figure", "fs => fs.map(f => f.id)")):
            shot(page, f"figure_{fig}_1400", f"#{fig}")

        # the ledger: one row per claim, a page at a time; every ledger row is in the page
        per_page = 50
        assert page.locator("#claims tbody.claim").count() == min(per_page, len(groups))
        assert page.evaluate("document.getElementById('ledger-rows').content.querySelectorAll('tr.ledger-row').length"
                             " + document.querySelectorAll('#claims tr.ledger-row').length") == len(ledger)
        assert page.locator("#row-count").text_content() == \
            f"{len(groups)} of {len(groups)} claims ({len(ledger)} of {len(ledger)} ledger rows)"
        assert _claims_shown(page) == [g["claim_id"] for g in groups[:per_page]]
        # at 1400 px: no sideways scrolling, and every shown claim's verdict and claim id on screen
        page.locator("#ledger").scroll_into_view_if_needed()
        assert page.evaluate("document.documentElement.scrollWidth") <= 1400
        edges = page.eval_on_selector_all("#claims tbody.claim", """bs => bs.map(b => {
            const v = b.querySelector('td.c-verdict').getBoundingClientRect();
            const c = b.querySelector('td.c-claim').getBoundingClientRect();
            return [c.left, v.right]; })""")
        assert all(left >= 0 and right <= 1400 for left, right in edges)
        # the verdict as text and colour: its name, beside a swatch, in AA contrast
        for verdict in VERDICT_STYLE:
            span = page.locator(f"#claims span.verdict.v-{verdict}").first
            if span.count():
                assert span.text_content() == verdict
                fg = _rgb(span.evaluate("s => getComputedStyle(s).color"))
                assert contrast(fg, "#FFFFFF") >= 4.5
        # a claim opens: its detail pane, with every ledger row of it
        first = page.locator("#claims tbody.claim").first
        first.locator("button.fold").click()
        assert first.locator("tr.detail").is_visible()
        assert first.locator("tr.ledger-row").count() == len(groups[0]["rows"])
        assert first.locator("button.fold").get_attribute("aria-expanded") == "true"
        shot(page, "report_ledger_open_1400")
        first.locator("button.fold").click()
        assert not first.locator("tr.detail").is_visible()
        # the sticky header stays at the top while the table scrolls under it
        page.evaluate("document.querySelector('#claims tbody.claim:nth-of-type(20)').scrollIntoView({block: 'center'})")
        top = page.evaluate("document.querySelector('#claims thead th').getBoundingClientRect().top")
        assert abs(top) <= 1, top
        shot(page, "report_ledger_1400")

        # sort by a header from the keyboard: p-values and numbers as numbers, blanks last
        button = page.locator("#claims thead th[data-key='recomputed'] button")
        button.focus()
        page.keyboard.press("Enter")
        header = page.locator("#claims thead th[data-key='recomputed']")
        assert header.get_attribute("aria-sort") == "ascending"
        keys = _column(page, "recomputed")
        numbers = [float(k) for k in keys if k]
        assert numbers == sorted(numbers) and keys[:len(numbers)] == [k for k in keys if k]
        page.keyboard.press("Enter")  # again: descending, blanks still last
        assert header.get_attribute("aria-sort") == "descending"
        keys = _column(page, "recomputed")
        numbers = [float(k) for k in keys if k]
        assert numbers == sorted(numbers, reverse=True)
        # every sortable header is a button reachable by Tab
        assert page.eval_on_selector_all("#claims thead th[data-col]",
                                         "ths => ths.every(th => th.querySelector('button').tabIndex === 0)")
        # the printed p-values of every claim, page by page: numeric (0.112 after 0.75, 6.43e-05 first)
        page.select_option("#page-size", "250")
        page.locator("#claims thead th[data-key='printed'] button").click()
        printed = []
        while True:
            printed += _column(page, "printed")
            if page.locator("#page-next").is_disabled():
                break
            page.click("#page-next")
        values = [float(k) for k in printed if k]
        assert len(printed) == len(groups) and values == sorted(values)
        assert printed[len(values):] == [""] * (len(printed) - len(values))  # blanks last
        # "worst first" restores the first order
        page.click("#sort-reset")
        page.select_option("#page-size", "50")
        assert _claims_shown(page) == [g["claim_id"] for g in groups[:per_page]]
        assert page.locator("#claims thead th[aria-sort]").count() == 0

        # filters: from select_option (input and change), and from a bare change event
        study = table["study"].iloc[0]
        page.select_option("#filter-study", study)
        page.eval_on_selector("#filter-verdict",
                              "s => { s.value = 'discrepant'; s.dispatchEvent(new Event('change')); }")
        expected = [g for g in groups if g["study"] == study and g["verdict"] == "discrepant"]
        rows = sum(len(g["rows"]) for g in expected)
        assert page.locator("#row-count").text_content() == \
            f"{len(expected)} of {len(groups)} claims ({rows} of {len(ledger)} ledger rows)"
        assert _claims_shown(page) == [g["claim_id"] for g in expected][:per_page]
        page.select_option("#filter-verdict", "")
        needle = expected[0]["claim_id"]
        page.fill("#filter-text", needle.lower())
        assert needle in _claims_shown(page)
        page.fill("#filter-text", "")
        page.select_option("#filter-study", "")

        # a finding's link to a claim on another page: the claim is shown, opened, in view
        last = table.iloc[-1]
        anchor = claim_anchor(last["study"], last["claims"].split("; ")[-1])
        page.locator(f"#finding-{last['id'].lstrip('F')} a[href='#{anchor}']").first.click()
        target = page.locator(f"#{anchor}")
        assert target.count() == 1 and "open" in target.get_attribute("class")
        assert target.locator("tr.main").is_visible()
        # "show its claims": the finding's claims, and no other
        first_finding = table.iloc[0]
        page.locator(f"#finding-{first_finding['id'].lstrip('F')} a.show-finding").click()
        assert sorted(_claims_shown(page)) == sorted(first_finding["claims"].split("; "))

        assert_axe_clean(page, "report at 1400 px")
        # printing: no controls, every claim on paper (not page 1 of n)
        page.emulate_media(media="print")
        assert page.locator(".controls").evaluate("c => getComputedStyle(c).display") == "none"
        page.emulate_media(media="screen")
        page.fill("#filter-text", "")
        page.select_option("#filter-finding", "")
        pdf = page.pdf(format="A4")
        from io import BytesIO

        from pypdf import PdfReader
        printed_text = " ".join(pg.extract_text() for pg in PdfReader(BytesIO(pdf)).pages)
        assert groups[-1]["claim_id"] in printed_text and groups[per_page]["claim_id"] in printed_text

        # the phone: readable at 390 px without sideways scrolling of the page
        phone = Watch(browser, 390, 844)
        times = phone.open(report)
        _record("real ledger, 390 px", {**times, "rows": len(ledger), "claims": len(groups)})
        assert _first_render_s(times) <= FIRST_RENDER_LIMIT_S, times
        assert phone.page.evaluate("document.documentElement.scrollWidth") <= 390
        text_px = phone.page.eval_on_selector_all(
            "img[data-text-px]", "is => is.map(i => i.clientWidth / i.naturalWidth * Number(i.dataset.textPx))")
        assert min(text_px) >= MIN_TEXT_PX, text_px
        shot(phone.page, "report_top_390")
        phone.page.locator("#findings").scroll_into_view_if_needed()
        shot(phone.page, "report_findings_390")
        for fig in phone.page.eval_on_selector_all("figure", "fs => fs.map(f => f.id)"):
            shot(phone.page, f"figure_{fig}_390", f"#{fig}")
        phone.page.locator("#claims").scroll_into_view_if_needed()
        phone.page.locator("#claims tbody.claim").first.locator("button.fold").click()
        shot(phone.page, "report_ledger_390")
        assert phone.page.evaluate("document.querySelector('#claims').parentElement.scrollWidth") <= 390
        assert_axe_clean(phone.page, "report at 390 px")
        browser.close()
    for watch in (wide, phone):
        assert watch.problems == []
        assert watch.requests == [report.as_uri()]  # the page itself, nothing else
    for name in ("report_top_1400", "report_findings_1400", "report_ledger_1400", "report_top_390",
                 "report_ledger_390"):
        assert (BROWSER / f"{name}.png").stat().st_size > 10_000


def synthetic_ledger(ledger: pd.DataFrame, rows: int = SYNTHETIC_ROWS) -> pd.DataFrame:
    """The ledger's rows replicated, each copy's claims with new ids (A-1, A-1~2, A-1~3, ...),
    cut at ``rows`` rows."""
    copies = [ledger]
    k = 2
    while sum(len(c) for c in copies) < rows:
        copy = ledger.copy()
        copy["claim_id"] = copy["claim_id"] + f"~{k}"
        copies.append(copy)
        k += 1
    return pd.concat(copies, ignore_index=True).iloc[:rows].reset_index(drop=True)


def test_report_with_10000_rows_renders_in_time(finished_run, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    results = finished_run / "results"
    real = read_ledger(results / "audit" / "claims.csv")
    big = synthetic_ledger(real)
    assert len(big) == SYNTHETIC_ROWS
    copies = -(-SYNTHETIC_ROWS // len(real))
    assert big["claim_id"].str.endswith(f"~{copies}").any() and not big["claim_id"].str.endswith(f"~{copies + 1}").any()
    write_ledger(big, tmp_path / "claims.csv")
    report = tmp_path / "report.html"
    start = time.monotonic()
    write_report(tmp_path / "claims.csv", results / "audit" / "findings.csv", results / "audit" / "finding_evidence.csv",
                 load_config(finished_run), results / "figures", TEMPLATE, report,
                 beyond_tables=sorted((results / "beyond").glob("*.csv")))
    written_s = time.monotonic() - start
    groups = claim_groups(big)
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        watch = Watch(browser, 1400)
        times = watch.open(report)
        _record("synthetic ledger of 10,000 rows, 1400 px",
                {**times, "rows": len(big), "claims": len(groups), "report_written_s": round(written_s, 2),
                 "html_bytes": report.stat().st_size})
        assert _first_render_s(times) <= FIRST_RENDER_LIMIT_10000_S, times
        page = watch.page
        assert page.locator("#row-count").text_content() == \
            f"{len(groups)} of {len(groups)} claims ({SYNTHETIC_ROWS} of {SYNTHETIC_ROWS} ledger rows)"
        assert page.locator("#claims tbody tr.main:visible").count() == 50
        # search, filter and sort stay quick over 10,000 rows
        start = time.monotonic()
        page.fill("#filter-text", "~7")
        assert all("~7" in c for c in _claims_shown(page))
        page.select_option("#filter-verdict", "discrepant")
        page.locator("#claims thead th[data-key='printed'] button").click()
        assert time.monotonic() - start < FIRST_RENDER_LIMIT_10000_S
        shot(page, "report_10000_rows_filtered")
        browser.close()
    assert watch.problems == []
    assert watch.requests == [report.as_uri()]


def test_workflow_writes_no_letter_md_of_old(finished_run):
    """The one letter to four journals is gone: one letter per paper, in results/letters/."""
    results = finished_run / "results"
    assert not (results / "letter.md").exists()
    assert (results / "letters").is_dir()
