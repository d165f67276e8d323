"""The text scan (reanalysis.scan): forms and PDF artefacts it reads, statcheck's verdicts on
what it finds, PDF and HTML files, the command, and a study's ledger rows.

Expected p-values are worked in each test with scipy's cdf (the module calls sf) at the
ends of the printed statistic's rounding interval, as statcheck defines the check; the
printed texts are made up here, each chosen to sit on one side of a rounding boundary.
The statcheck reference cases themselves are in test_statcheck.py and
test_scan_extraction.py.
"""
from __future__ import annotations

import csv
import math
import subprocess
import sys
from pathlib import Path

import pytest
from scipy import stats

from conftest import CONFIG, ROOT, STUDIES, study_papers
from reanalysis.audit import designs
from reanalysis.inputs.config import STUDY_SCHEMA, _schema, _validate
from reanalysis.errors import InputError
from reanalysis.audit.ledger import LEDGER_COLUMNS, load_claims, to_frame
from reanalysis.scan import cli, scan_file, scan_text
from reanalysis.scan.papers import cited_positions, paper_names, paper_paths
from reanalysis.scan.study import add_scanned, scan_study
from reanalysis.audit.summary_level import parse_row

# One result per line unless said; the decoys (last five lines) print no checkable result.
PAPER = """Results
The change was t = 2.1, df = 28, p = 0.04 in the active arm.
Men were more often treated (χ² = 4.12, df = 1, P = 0.042).
Sites differed: chi-square(2) = 7.30, p = .026.
Across the three arms F(4,76) = 0.37, P = 0.82 and F(4, 76) = 0.37, P = 0.82.
Weight and glucose: r(40) = −0.35, p ˂ 0.05.
No effect of dose, z = 1.20, p ˃ .05; heterogeneity Q(4) = 9.80, p = 0.044.
The groups differed significantly (t(87) =
−2.31, P = 0.023), as was signiﬁcant, t(30) = 2.50, p = .018.
| HbA1c | 8.1 ± 1.2 | t(89) = 0.52 | p = 0.60 |
A correlation r = 0.41, p < .001 without its df.
HR 0.72 (95% CI 0.55–0.94), p = 0.017.
A t-test gave t = 2.1, p = .04 (no df printed).
Hotelling's T2 = 3.4, p = .04.
Alone: p = 0.03.
"""


def two_tailed_t(t: float, df: float) -> float:
    return 2 * stats.t.cdf(-abs(t), df)


def test_forms_and_artefacts_are_read_and_decoys_are_not():
    results = scan_text(PAPER, "paper.txt")
    got = [(r.line, r.last_line, r.test.test_type, r.test.df1, r.test.df2, r.test.statistic,
            r.test.comparison, r.test.p) for r in results]
    assert got == [
        (2, 2, "t", None, 28.0, "2.1", "=", "0.04"),
        (3, 3, "Chi2", 1.0, None, "4.12", "=", "0.042"),
        (4, 4, "Chi2", 2.0, None, "7.30", "=", ".026"),
        (5, 5, "F", 4.0, 76.0, "0.37", "=", "0.82"),
        (5, 5, "F", 4.0, 76.0, "0.37", "=", "0.82"),
        (6, 6, "r", None, 40.0, "-0.35", "<", "0.05"),
        (7, 7, "Z", None, None, "1.20", ">", ".05"),
        (7, 7, "Q", 4.0, None, "9.80", "=", "0.044"),
        (8, 9, "t", None, 87.0, "-2.31", "=", "0.023"),
        (9, 9, "t", None, 30.0, "2.50", "=", ".018"),
        (10, 10, "t", None, 89.0, "0.52", "=", "0.60"),
    ]
    by_line = {(r.line, r.test.statistic): r for r in results}
    # the exact printed text, a line break shown as a space; every repair noted
    split = by_line[(8, "-2.31")]
    assert split.printed == "t(87) = −2.31, P = 0.023"
    assert "line break read as a space" in split.notes and "U+2212 minus read as '-'" in split.notes
    assert by_line[(6, "-0.35")].printed == "r(40) = −0.35, p ˂ 0.05"
    assert "'˂' (U+02C2) read as '<'" in by_line[(6, "-0.35")].notes
    assert any("'²'" in n for n in by_line[(3, "4.12")].notes)
    assert by_line[(10, "0.52")].printed == "t(89) = 0.52 | p = 0.60"


def test_verdicts_follow_statcheck_worked_with_scipy():
    results = {(r.line, r.test.statistic): r for r in scan_text(PAPER)}
    # t = 2.1, df = 28: p 0.0449 at 2.1 prints as 0.04 (2.05 -> 0.0498, 2.15 -> 0.0403)
    t = results[(2, "2.1")]
    assert t.check.computed_p == pytest.approx(two_tailed_t(2.1, 28), rel=1e-9)
    assert (t.check.p_low, t.check.p_high) == pytest.approx((two_tailed_t(2.15, 28), two_tailed_t(2.05, 28)))
    assert t.verdict == "reproduced" and not t.check.decision_error
    # F(4, 76) = 0.37 stands for [0.365, 0.375]: p from 0.8258 to 0.8328, all printing as 0.83
    f = results[(5, "0.37")]
    assert (f.check.p_low, f.check.p_high) == pytest.approx(
        (1 - stats.f.cdf(0.375, 4, 76), 1 - stats.f.cdf(0.365, 4, 76)))
    assert round(f.check.p_low, 2) == round(f.check.p_high, 2) == 0.83
    assert f.verdict == "discrepant" and not f.check.decision_error and f.one_tailed is None
    # r(40) = -0.35 via t = r sqrt(df / (1 - r^2)): p 0.0211-0.0252, below the printed 0.05
    r = results[(6, "-0.35")]
    rt = -0.35 * math.sqrt(40 / (1 - 0.35 ** 2))
    assert r.check.computed_p == pytest.approx(two_tailed_t(rt, 40), rel=1e-9)
    assert r.verdict == "reproduced"
    # z = 1.20: 2 (1 - Phi(1.2)) = 0.2301 > .05
    z = results[(7, "1.20")]
    assert z.check.computed_p == pytest.approx(2 * stats.norm.cdf(-1.2), rel=1e-9)
    assert z.verdict == "reproduced"
    # chi-square(1) = 4.12 over [4.115, 4.125]: 0.04250 to 0.04225, both print as 0.042
    assert results[(3, "4.12")].verdict == "reproduced"


def test_decision_errors_and_the_one_tailed_reading():
    # F(2, 27) = 3.10 gives p 0.0611-0.0616: 'p < .05' is an error that flips significance
    f = scan_text("We found F(2, 27) = 3.10, p < .05.")[0]
    assert f.check.p_low == pytest.approx(1 - stats.f.cdf(3.105, 2, 27))
    assert f.check.p_low > 0.05
    assert f.verdict == "discrepant" and f.check.decision_error
    # t(28) = 2.20: two-tailed p 0.0358-0.0366 (prints .04), one-tailed half (prints .02)
    t = scan_text("t(28) = 2.20, p = .02")[0]
    assert two_tailed_t(2.195, 28) / 2 == pytest.approx(t.one_tailed.p_high)
    assert t.verdict == "discrepant" and not t.check.decision_error
    assert t.one_tailed_verdict == "reproduced"
    assert not t.mentions_one_tailed
    assert scan_text("A one-sided test: t(28) = 2.20, p = .02")[0].mentions_one_tailed
    # 'ns' is read as p > alpha: z = 1.96 spans p = .0494-.0506, some of it above .05
    ns = scan_text("z = 1.96, ns")[0]
    assert ns.claim == "> 0.05" and ns.verdict == "consistent"


def test_apa_only_reads_statcheck_forms_only():
    found = scan_text(PAPER, apa_only=True)
    # statcheck's layout (round brackets, a comma, then a lower-case p): the r, z and Q of
    # lines 6-7 (artefacts repaired first) and the t(30) of line 9; not the non-APA forms,
    # the capital P of lines 3, 5 and 8, or the table cell's '|' of line 10
    assert [(r.line, r.test.statistic) for r in found] == [(6, "-0.35"), (7, "1.20"), (7, "9.80"), (9, "2.50")]


@pytest.fixture(scope="module")
def pdf_paper(tmp_path_factory) -> Path:
    """A two-page PDF written here by matplotlib's PDF backend (regenerated on every run)."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.backends.backend_pdf import PdfPages
    import matplotlib.pyplot as plt

    path = tmp_path_factory.mktemp("pdf") / "paper.pdf"
    pages = [["Results", "The arms differed, t(28) = 2.20, p = .03, and", "F(2, 27) = 3.10, p < .05."],
             ["Discussion", "Men were more often treated, χ2(1) = 4.12, p = .042."]]
    with PdfPages(path, metadata={"CreationDate": None, "ModDate": None}) as pdf:
        for lines in pages:
            fig = plt.figure(figsize=(8.5, 11))
            for i, line in enumerate(lines):
                fig.text(0.1, 0.9 - 0.03 * i, line, fontsize=11)
            pdf.savefig(fig)
            plt.close(fig)
    return path


def test_a_pdf_is_read_with_its_pages_in_order(pdf_paper):
    results = scan_file(pdf_paper)
    assert [(r.test.test_type, r.test.statistic, r.test.p) for r in results] == [
        ("t", "2.20", ".03"), ("F", "3.10", ".05"), ("Chi2", "4.12", ".042")]
    assert [r.line for r in results] == [2, 3, 5]
    assert [r.verdict for r in results] == ["discrepant", "discrepant", "reproduced"]


def test_an_html_page_is_read(tmp_path):
    page = tmp_path / "paper.html"
    page.write_text("<html><head><title>t(1) = 9, p = .5</title><style>p{}</style></head><body>"
                    "<h1>Results</h1><p>The arms differed, <i>t</i>(28) = 2.20, <i>p</i> = .03.</p>"
                    "<table><tr><td>Sex</td><td>&chi;<sup>2</sup>(1) = 4.12</td><td>p = .042</td></tr></table>"
                    "</body></html>", encoding="utf-8")
    results = scan_file(page)
    assert [(r.line, r.test.test_type, r.test.statistic) for r in results] == [(2, "t", "2.20"),
                                                                               (3, "Chi2", "4.12")]


def run_scan(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "reanalysis", "scan", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_the_command_prints_a_table_and_writes_a_csv(tmp_path, pdf_paper):
    paper = tmp_path / "paper.txt"
    paper.write_text(PAPER, encoding="utf-8")
    out = tmp_path / "scan.csv"
    result = run_scan(str(paper), str(pdf_paper), "--csv", str(out))
    assert result.returncode == 0, result.stderr
    header = result.stdout.splitlines()[1]
    for column in cli.HEADER:
        assert column in header
    assert "8-9   t = -2.31" in result.stdout
    assert f"{paper}: 11 results: 9 reproduced, 0 consistent, 2 discrepant; 0 decision errors" in result.stdout
    assert f"{pdf_paper}: 3 results" in result.stdout
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 14 and list(rows[0]) == cli.CSV_COLUMNS
    assert rows[4]["printed"] == "F(4, 76) = 0.37, P = 0.82" and rows[4]["verdict"] == "discrepant"


def test_the_command_refuses_what_it_cannot_read(tmp_path):
    other = tmp_path / "paper.docx"
    other.write_text("t(28) = 2.20, p = .03", encoding="utf-8")
    result = run_scan(str(other))
    assert result.returncode == 2 and "cannot scan a '.docx' file" in result.stderr
    result = run_scan(str(tmp_path / "missing.txt"))
    assert result.returncode == 2 and "file not found" in result.stderr


# --- a study's ledger -------------------------------------------------------------------

STUDY_PAPER = """Results
Group A differed, t(28) = 2.20, p = .03; the ANOVA gave F(2, 27) = 3.10, p < .05.
Men were more often treated (χ2(1) = 4.12, p = .042).
"""


def _claim(claim_id, line, reported, check="", basis="not_recomputable", claim="", also_in=""):
    return {"claim_id": claim_id, "source_file": "paper.txt", "source_line": line, "location": "Results",
            "quantity": "q", "reported": reported, "claim": claim, "claim_basis": basis, "scale": 1,
            "check": check, "why_not_recomputable": "verbal_statement" if not check else "", "also_in": also_in,
            "note": ""}


@pytest.fixture()
def hand_study(tmp_path):
    (tmp_path / "paper.txt").write_text(STUDY_PAPER, encoding="utf-8")
    row = {"value_id": "X-TXT-T", "source_file": "paper.txt", "source_line": 2, "location": "Results",
           "outcome": "o", "quantity": "t", "arm": "all", "timepoint": "t0", "n": None,
           "reported": "t(28) = 2.20", "value": "t(28) = 2.20", "form": "test_statistic", "_where": 2}
    data = {"X-TXT-T": parse_row(row, tmp_path / "summaries.csv")}
    study = {"design": "summary_level", "alpha": 0.05, "scan_text": ["paper.txt"],
             "checks": {"t_printed": {"kind": "reported_statistic", "a": "X-TXT-T"}}}
    claims = [_claim("X-TXT-01", 2, "p = .03", check="t_printed", basis="verbatim", claim="0.03"),
              _claim("X-TXT-02", 3, "(χ2(1) = 4.12, p = .042)")]
    return tmp_path, study, claims, data


def test_a_transcribed_statistic_appears_once_and_says_where_the_scan_found_it(hand_study):
    folder, study, claims, data = hand_study
    transcribed = [{"claim_id": c, "note": "as transcribed"} for c in ("X-TXT-01", "X-TXT-02", "X-TXT-T")]
    rows = add_scanned([dict(r) for r in transcribed], "hand", study, folder, claims, data)
    scanned = rows[len(transcribed):]
    # only the F is new: the t is a transcribed test_statistic row with its claim, the
    # chi-square a claim quoting the same text at the same line
    assert [(r["claim_id"], r["variant"]) for r in scanned] == [("SCAN-L2-1", "as_reported")]
    f = scanned[0]
    assert f["reported"] == "F(2, 27) = 3.10, p < .05" and f["claim"] == "< .05"
    assert (f["verdict"], f["decision_error"]) == ("discrepant", "true")
    assert "claim_basis: extracted" in f["method"] and "claim_basis: extracted" in f["note"]
    assert (f["source_file"], f["source_line"], f["statistic"]) == ("paper.txt", 2, "p")
    notes = {r["claim_id"]: r["note"] for r in rows[:len(transcribed)]}
    assert notes["X-TXT-T"].startswith("as transcribed; the text scan found it at paper.txt line 2: "
                                       "`t(28) = 2.20, p = .03`")
    assert "line 2" in notes["X-TXT-01"] and "discrepant" in notes["X-TXT-01"]
    assert "paper.txt line 3: `χ2(1) = 4.12, p = .042`" in notes["X-TXT-02"]
    assert list(to_frame(scanned).columns) == LEDGER_COLUMNS


def test_an_untranscribed_t_has_a_one_tailed_reading_and_scan_text_false_scans_nothing(hand_study):
    folder, study, claims, data = hand_study
    rows, notes = scan_study("hand", {**study, "checks": {}}, folder, [], {})
    assert [(r["claim_id"], r["variant"]) for r in rows] == [
        ("SCAN-L2-1", "as_reported"), ("SCAN-L2-1", "one_tailed"), ("SCAN-L2-2", "as_reported"),
        ("SCAN-L3-1", "as_reported")]
    assert notes == {}
    assert add_scanned([], "hand", {**study, "scan_text": False}, folder, claims, data) == []


def test_which_papers_a_study_scans(tmp_path):
    assert cited_positions("a.txt", 5, "b.txt line 7 and line 9; c.txt line 2") == [
        ("a.txt", 5), ("b.txt", 7), ("b.txt", 9), ("c.txt", 2)]
    assert cited_positions("a.txt", 5, "Table 2 footnote b, line 629") == [("a.txt", 5), ("a.txt", 629)]
    claims = tmp_path / "claims.csv"
    claims.write_text("claim_id,source_file,source_line,also_in\nA-B-01,a.txt,3,b.txt line 4\n"
                      "A-B-02,a.txt,5,\nA-B-03,../x/c.txt,6,\n", encoding="utf-8")
    study = {"claims": str(claims), "design": "summary_level"}
    assert paper_names(study) == ["a.txt", "b.txt"]     # a path is left to the table's validation
    assert paper_names({**study, "scan_text": ["c.pdf"]}) == ["c.pdf"]
    assert paper_names({**study, "scan_text": False}) == []
    config = {"papers_dir": str(tmp_path), "studies": {"s": study}}
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError) as info:
        paper_paths(config, "s", "config/studies/s.yaml")
    message = str(info.value)
    for part in ("config/studies/s.yaml", "key 'scan_text'", "not found", str(tmp_path / "b.txt")):
        assert part in message


def test_the_schema_takes_true_false_or_file_names():
    schema = _schema(ROOT / STUDY_SCHEMA)
    study = dict(CONFIG["studies"][STUDIES[0]])
    for good in (True, False, ["paper.txt", "paper.pdf"]):
        _validate({**study, "scan_text": good}, "s.yaml", schema)
    for bad in ("yes", [], ["../papers/a.txt"], ["a.docx"]):
        with pytest.raises(InputError) as info:
            _validate({**study, "scan_text": bad}, "s.yaml", schema)
        assert "key 'scan_text" in str(info.value)


@pytest.mark.parametrize("study", STUDIES)
def test_each_study_scans_its_papers_without_duplicating_its_transcription(study, monkeypatch):
    """No scanned row repeats a transcribed one: none shares a file, a line and its text
    with a claim, and the scanned ids are new."""
    monkeypatch.chdir(ROOT)
    spec = CONFIG["studies"][study]
    claims = load_claims(Path(spec["claims"]), ROOT / "workflow/schemas/claims.schema.yaml", spec)
    rows, _ = scan_study(study, spec, study_papers(CONFIG, study), claims, designs.load(spec))
    ids = {c["claim_id"] for c in claims}
    for r in rows:
        assert r["claim_id"] not in ids
        for c in claims:
            same_place = (c["source_file"], int(c["source_line"])) == (r["source_file"], r["source_line"])
            assert not (same_place and (c["reported"] in r["reported"] or r["reported"] in c["reported"])), r
