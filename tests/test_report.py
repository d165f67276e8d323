"""The HTML report: built from the ledger, self-contained, and working in a real browser.

Unit tests render a small hand-built ledger, so every expected count is counted by hand
here. The browser test opens the report of a full workflow run in Debian's headless
Chromium (driven by Playwright), checks it loads without console errors or requests,
shows one table row per ledger row and every figure, that its filters work, and saves a
screenshot under results/.
"""
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, read_csv
from reanalysis.ledger import LEDGER_COLUMNS
from reanalysis.report import build_context, ordered_rows, render, verdict_counts

TEMPLATE = ROOT / "workflow" / "report" / "report.html.j2"
CHROMIUM = Path("/usr/bin/chromium")
# The flags the workplace's probe uses: without the background-networking ones, Chromium
# tries to reach Google's hosts on a closed network at every start.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _row(study, claim_id, verdict, variant="as_reported", decision_error="", **extra):
    row = dict.fromkeys(LEDGER_COLUMNS, "")
    row.update(study=study, claim_id=claim_id, verdict=verdict, variant=variant,
               decision_error=decision_error, reported=f"printed {claim_id}", location="Table 1",
               source_file="001_0123456789abcdef.txt", source_line="7", **extra)
    return row


# Two studies; a: 1 reproduced, 1 consistent, 1 discrepant + 1 decision error (both as
# reported), 1 unverifiable, and 2 variant rows; b: 1 reproduced, 1 discrepant.
LEDGER = pd.DataFrame([
    _row("a", "A-1", "reproduced", recomputed="0.58"),
    _row("a", "A-1", "discrepant", variant="welch", recomputed="0.61"),
    _row("a", "A-2", "consistent", recomputed="0.0412", low="0.03", high="0.05"),
    _row("a", "A-3", "discrepant", decision_error="true", recomputed="0.0448"),
    _row("a", "A-4", "discrepant", decision_error="false", recomputed="0.2"),
    _row("a", "A-5", "unverifiable"),
    _row("a", "A-5", "unverifiable", variant="n_completers"),
    _row("b", "B-1", "reproduced", recomputed="12"),
    _row("b", "B-2", "discrepant", recomputed="80.2", note="73/91 = 80.2%, printed 86.8%"),
], columns=LEDGER_COLUMNS)
CONFIG = {"studies": {"a": {"design": "summary_level", "title": "Study <A>"},
                      "b": {"design": "patient_level", "title": "Study B"}}}


def test_verdict_counts_are_over_as_reported_rows():
    counts = {c["study"]: c for c in verdict_counts(LEDGER)}
    assert counts["a"] == {"study": "a", "rows": 7, "as_reported": 5, "reproduced": 1, "consistent": 1,
                           "discrepant": 2, "unverifiable": 1, "decision_errors": 1}
    assert counts["b"] == {"study": "b", "rows": 2, "as_reported": 2, "reproduced": 1, "consistent": 0,
                           "discrepant": 1, "unverifiable": 0, "decision_errors": 0}


def test_decision_errors_then_discrepant_rows_come_first():
    order = [(r.claim_id, r.variant) for r in ordered_rows(LEDGER).itertuples()]
    assert order == [("A-3", "as_reported"),                      # decision error
                     ("A-4", "as_reported"), ("B-2", "as_reported"),  # discrepant, stated reading
                     ("A-1", "welch"),                             # discrepant variant
                     ("A-2", "as_reported"),                       # consistent
                     ("A-1", "as_reported"), ("B-1", "as_reported"),  # reproduced
                     ("A-5", "as_reported"), ("A-5", "n_completers")]


@pytest.fixture
def rendered(tmp_path):
    png = ROOT / "workflow" / "report" / "figure.rst"  # any file: figures are embedded as bytes
    (tmp_path / "b").mkdir()
    shutil.copy(png, tmp_path / "b" / "fig.png")  # study b's one figure
    shutil.copy(png, tmp_path / "pvalues.png")
    config = {"studies": {**CONFIG["studies"],
                          "b": {**CONFIG["studies"]["b"],
                                "figures": {"specs": {"fig": {"kind": "paired", "labels": {"title": "T"}}}}}}}
    return render(build_context(LEDGER, config, tmp_path, TEMPLATE.parent), TEMPLATE)


def test_prose_and_tables_come_from_the_ledger(rendered):
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", rendered))
    # 7 as-reported claims over both studies, 9 rows; 2 + 1 reproduced ... counted above
    assert "(7 claims as reported, 9 ledger rows with every labelled variant)" in text
    assert ("Of the 7 claims read as the papers state them: 2 reproduced, 1 consistent within the "
            "printed precision, 3 discrepant and 1 not recomputable. Decision errors (a recomputed p "
            "on the other side of alpha from the printed one): 1.") in text
    assert rendered.count('<tr class="v-') == len(LEDGER)
    assert "Study &lt;A&gt;" in rendered  # text is escaped
    assert "[0.03, 0.05]" in rendered     # the recomputed interval is shown with its value


def test_report_is_self_contained(rendered):
    """No URL the browser would fetch: images are data URIs, CSS and script are inline."""
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", rendered)
    assert "<script src" not in rendered and "<link rel=\"stylesheet\"" not in rendered
    assert rendered.count('src="data:image/png;base64,') == 2


def test_pipeline_report_lists_every_ledger_row(finished_run):
    html = (finished_run / "results" / "report.html").read_text(encoding="utf-8")
    ledger = read_csv(finished_run / "results" / "audit" / "claims.csv")
    assert html.count('<tr class="v-') == len(ledger)
    # every figure the workflow drew is embedded: the PNGs under results/figures
    assert html.count('src="data:image/png;base64,') == len(list((finished_run / "results" / "figures").rglob("*.png")))


def _launch(playwright):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not installed (Debian packages chromium and chromium-driver; "
                    ".ci/run installs them where apt-get is allowed)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def test_report_in_headless_chromium(finished_run):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    report = finished_run / "results" / "report.html"
    ledger = read_csv(finished_run / "results" / "audit" / "claims.csv")
    figures = list((finished_run / "results" / "figures").rglob("*.png"))
    problems, requests = [], []
    with sync_api.sync_playwright() as p:
        browser = _launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(report.as_uri(), wait_until="load")

        rows = page.locator("#claims tbody tr")
        assert rows.count() == len(ledger)
        assert page.locator("#claims tbody tr:visible").count() == len(ledger)
        # every figure is there and decoded
        assert page.evaluate("Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length") \
            == len(figures)
        # the first rows are the decision errors (ordered so)
        n_errors = sum(r["decision_error"] == "true" for r in ledger)
        assert page.locator("#claims tbody tr td.decision-error").count() == n_errors
        first = page.locator("#claims tbody tr").first.locator("td").nth(10).text_content()
        assert first == ("true" if n_errors else first)

        # filter by verdict and study: the count matches the ledger's
        page.select_option("#filter-study", "zang2022")
        page.select_option("#filter-verdict", "discrepant")
        expected = sum(r["study"] == "zang2022" and r["verdict"] == "discrepant" for r in ledger)
        assert page.locator("#claims tbody tr:visible").count() == expected
        assert page.locator("#row-count").text_content() == f"{expected} of {len(ledger)} rows"
        # free-text filter on top: one claim id shows at least that claim's rows (other rows
        # may name it in their reason), all of them from zang2022
        page.select_option("#filter-verdict", "")
        needle = next(r["claim_id"] for r in ledger if r["study"] == "zang2022" and r["verdict"] == "discrepant")
        page.fill("#filter-text", needle.lower())
        own = sum(r["claim_id"] == needle for r in ledger)
        visible = page.locator("#claims tbody tr:visible")
        assert visible.count() >= own
        assert set(visible.evaluate_all("rs => rs.map(r => r.dataset.study)")) == {"zang2022"}
        page.locator("#claims").scroll_into_view_if_needed()
        shot = ROOT / "results" / "browser" / "report_filtered.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot))

        # sorting by claim id puts the rows in claim-id order
        page.fill("#filter-text", "")
        page.select_option("#filter-study", "")
        page.locator("#claims thead th", has_text="claim_id").click()
        ids = page.eval_on_selector_all("#claims tbody tr", "rs => rs.map(r => r.cells[1].textContent)")
        assert len(ids) == len(ledger)
        assert ids == sorted(ids, key=_natural)
        page.goto(report.as_uri(), wait_until="load")
        page.screenshot(path=str(shot.with_name("report_top.png")))
        browser.close()
    assert problems == []
    assert requests == [report.as_uri()] * 2  # the page itself, nothing else, on each load
    assert shot.stat().st_size > 10_000 and shot.with_name("report_top.png").stat().st_size > 10_000


def _natural(text):
    """Intl.Collator(numeric: true, sensitivity: base): digit runs as numbers, case-folded."""
    return [(0, int(t), "") if t.isdigit() else (1, 0, t.lower()) for t in re.split(r"(\d+)", text) if t]
