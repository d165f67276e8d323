"""One letter per paper with findings (results/letters/<study>.md and .html), rendered from
the findings table: addressed to the paper's journal with its full citation (from the
study's config), that paper's findings only, each with where it is printed and printed
against recomputed in plain words, a sentence that a discrepancy may be innocent with the
readings tried, and a request; internal codes (claim ids, finding ids, reading labels, file
names) only in the appendix. Each prints on one A4 page in Chromium (counted with pypdf).
"""
import re
from io import BytesIO

import pytest

from conftest import load_config
from reanalysis.findings.counts import counts, read_table
from reanalysis.report.letters import body_text, plain, reading_words, recomputed_words
from test_report import launch, shot, assert_axe_clean

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def test_plain_words_leave_out_internal_labels():
    study = {"n_sets": {"completers": {"a": 37, "b": 36}}, "readings": {"severe_ge_8": {"words": "severe read as >= 8"}}}
    assert reading_words("n_completers", study) == "n = 37/36 (completers)"
    assert reading_words("welch+n_completers", study) == "Welch's t-test in place of Student's with n = 37/36 (completers)"
    assert reading_words("severe_ge_8", study) == "severe read as >= 8"
    text = ("3 claims (Z-ABS-09, Z-EFF-18) hold only under `n_completers`; read as `severe_ge_8` (severe_ge_8), "
            "median (pandas) of months_observed")
    out = plain(text, study, {"Z-ABS-09", "Z-EFF-18"})
    assert out == ("3 claims hold only under n = 37/36 (completers); read as severe read as >= 8, "
                   "median of months observed")
    assert not SNAKE.search(out) and "`" not in out


def test_recomputed_in_words():
    row = {"quantity": "median follow-up (months)", "recomputed": "35.5"}
    assert recomputed_words(row) == "35.5 months"
    assert recomputed_words({**row, "recomputed": "range [1.18175e-44, 0.0339942]", "quantity": "p, x"}) == \
        "a value between 1.2 × 10⁻⁴⁴ and 0.034"
    assert recomputed_words({**row, "recomputed": "1.5 [1.49, 1.51]",
                             "quantity": "decrease in HbA1c, arm (percentage points)"}) == \
        "1.5 percentage points (1.49 to 1.51 over the rounding of the printed inputs)"
    assert recomputed_words({**row, "recomputed": "nan"}) == "nothing: its inputs are impossible as printed"


@pytest.fixture(scope="module")
def letters(finished_run):
    results = finished_run / "results"
    table = read_table(results / "audit" / "findings.csv")
    ledger = read_table(results / "audit" / "claims.csv")
    return {"results": results, "table": table, "ledger": ledger, "config": load_config(finished_run),
            "evidence": read_table(results / "audit" / "finding_evidence.csv"), "counts": counts(ledger, table)}


def test_one_letter_per_paper_with_findings(letters):
    table, config = letters["table"], letters["config"]
    written = sorted(p.name for p in (letters["results"] / "letters").iterdir() if not p.name.startswith("."))
    with_findings = sorted(set(table["study"]))
    assert written == sorted([f"{s}.html" for s in with_findings] + [f"{s}.md" for s in with_findings])
    without = set(config["studies"]) - set(with_findings)
    html = (letters["results"] / "report.html").read_text(encoding="utf-8")
    for s in without:  # the report names the papers without findings (and so without a letter)
        label = config["studies"][s]["citation"]["label"]
        assert re.search(r"No findings in:[^<]*" + re.escape(label), html)


def test_each_letter_is_to_its_journal_about_its_findings_only(letters):
    table, ledger, config, evidence = letters["table"], letters["ledger"], letters["config"], letters["evidence"]
    all_ids = set(ledger["claim_id"])
    for study in sorted(set(table["study"])):
        cit = config["studies"][study]["citation"]
        md = (letters["results"] / "letters" / f"{study}.md").read_text(encoding="utf-8")
        page = (letters["results"] / "letters" / f"{study}.html").read_text(encoding="utf-8")
        journal = cit.get("letter_to") or cit["journal"]
        assert md.startswith(f"To the Editor, *{journal}*")
        for field in ("authors", "journal", "doi"):
            if cit.get(field):
                assert cit[field] in md and cit[field].replace("&", "&amp;") in page
        assert " ".join(cit["title"].split()) in md
        # its own findings, every one of them, in the appendix; no other paper's
        appendix = md[md.index("**Appendix**"):]
        mine = list(table.loc[table["study"] == study, "id"])
        assert sorted(re.findall(r"= (F\d+):", appendix)) == sorted(mine)
        others = set(table.loc[table["study"] != study, "claims"].str.split("; ").explode())
        assert not [c for c in others if re.search(rf"\b{re.escape(c)}\b", md)]
        # the body: plain words, no internal code
        body = body_text(md)
        assert "`" not in body and not SNAKE.search(body), SNAKE.findall(body)
        assert not [c for c in all_ids if re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", body)]
        assert not re.search(r"\bF\d+\b", body) and ".txt" not in body
        # where each point is printed, and printed against recomputed
        for f in table[table["study"] == study].head(1).to_dict("records"):
            first = evidence[evidence["finding"] == f["id"]].iloc[0]
            assert plain(first["location"], config["studies"][study]) in body
            assert "prints “" in body
        assert "innocent explanation" in body and "We would be grateful if the authors could" in body
        assert "Dear Editor," in body and "Yours sincerely," in body


def test_letters_print_on_one_a4_page(letters):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    from pypdf import PdfReader
    pages = {}
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        for width in (1400, 390):
            view = browser.new_page(viewport={"width": width, "height": 1000})
            for path in sorted((letters["results"] / "letters").glob("*.html")):
                view.goto(path.as_uri())
                if width == 1400:
                    pages[path.stem] = len(PdfReader(BytesIO(view.pdf(format="A4"))).pages)
                    assert_axe_clean(view, f"letter {path.stem}")
                assert view.evaluate("document.documentElement.scrollWidth") <= width
                shot(view, f"letter_{path.stem}_{width}")
        browser.close()
    assert pages and set(pages.values()) == {1}, pages
