"""One letter per paper with findings (results/letters/<study>.md and .html), rendered from
the findings table: addressed to the paper's journal with its full citation (from the
study's config), that paper's findings only, each with where it is printed and printed
against recomputed in plain words, a sentence that a discrepancy may be innocent with the
readings tried, and a request; internal codes (claim ids, finding ids, reading labels, file
names) only in the appendix. Each prints on one A4 page in Chromium (counted with pypdf).
"""
import itertools
import math
import re
from io import BytesIO

import pytest
from scipy import stats

from conftest import PAPERS, load_config
from reanalysis.findings.counts import counts, read_table
from reanalysis.report.letters import (body_text, caveat, explained_points, plain, point_explained, reading_words,
                                       recomputed_words)
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


def ev(claim, quantity, reading="", reading_verdict="", *, statistic="p", verdict="discrepant"):
    """One evidence row of a point (finding_evidence.csv's columns that the sentence reads)."""
    return {"claim_id": claim, "quantity": quantity, "statistic": statistic, "verdict": verdict,
            "decision_error": "false", "reading": reading, "reading_verdict": reading_verdict}


P = "p, Groups I vs II vs III, {} at baseline (test not named)"
STUDY = {"n_sets": {"completers": {"a": 37, "b": 36}}}


def test_a_point_holds_in_full_only_when_one_reading_fits_every_value():
    # a value that holds as stated (C) is nothing to explain
    rows = [ev("A", P.format("age"), "welch", "reproduced"), ev("B", P.format("BMI"), "welch", "consistent"),
            ev("C", P.format("weight"), verdict="consistent")]
    assert point_explained(1, rows, STUDY, set()) == \
        "Both p-values in point 1 would hold with Welch's t-test in place of Student's."
    three = rows[:2] + [ev("D", P.format("HbA1c"), "welch", "reproduced")]
    assert point_explained(1, three, STUDY, set()) == \
        "All 3 p-values in point 1 would hold with Welch's t-test in place of Student's."
    assert point_explained(3, rows[:1], STUDY, set()) == "Point 3 would hold with Welch's t-test in place of Student's."


def test_a_reading_that_fits_some_values_says_how_many_and_which_in_the_papers_words():
    # the values named by what tells their quantities apart, never by claim id
    rows = [ev("A", P.format("age")), ev("B", P.format("insulin requirement"), "as_sem", "consistent"),
            ev("C", P.format("BMI"))]
    assert point_explained(1, rows, STUDY, {"A", "B", "C"}) == (
        "Of the 3 p-values in point 1, 1 (insulin requirement at baseline) would hold with ± read as a standard "
        "error rather than an SD; the other 2 (age at baseline and BMI at baseline) would not hold under any reading "
        "we tried.")


def test_several_readings_each_with_its_count():
    # four percentages hold with the completers' n; one p only with that n and Fisher's test; one
    # under none. More than three values are counted, not named; quantities with no part in
    # common are named in full.
    rows = [ev(c, f"patients with x, % of patients (b, week {w})", "n_completers", "consistent", statistic="percent")
            for c, w in (("A", 9), ("B", 20), ("C", 32), ("D", 48))]
    rows += [ev("E", "p, a vs b, x at week 9 (chi-squared test)", "fisher+n_completers", "reproduced"),
             ev("F", "p, a vs b, x at week 20 (chi-squared test)")]
    assert point_explained(2, rows, STUDY, set()) == (
        "Of the 6 values in point 2, 4 would hold with n = 37/36 (completers); 1 (p, a vs b, x at week 9, "
        "chi-squared test) with that reading and Fisher's exact test; the other one (p, a vs b, x at week 20, "
        "chi-squared test) would not hold under any reading we tried.")
    # two readings that between them explain every value
    rows = rows[:5]
    assert point_explained(2, rows, STUDY, set()) == (
        "Of the 5 values in point 2, 4 would hold with n = 37/36 (completers); the other one (p, a vs b, x at "
        "week 9, chi-squared test) with that reading and Fisher's exact test.")


def test_no_reading_and_nothing_to_explain():
    assert point_explained(2, [ev("A", P.format("age")), ev("B", P.format("BMI"))], STUDY, set()) == ""
    assert point_explained(2, [ev("A", "x", verdict="reproduced")], STUDY, set()) is None


def test_the_caveat_says_per_point_what_the_readings_explain():
    items = [{"rows": [ev("A", P.format("age")), ev("B", P.format("insulin requirement"), "as_sem", "consistent")]},
             {"rows": [ev("C", "p, x")]},
             {"rows": [ev("D", "p, y", "welch", "reproduced")]}]
    tried = ["Welch's t-test in place of Student's", "± read as a standard error rather than an SD"]
    explained, unexplained = explained_points(items, {}, set())
    assert caveat({"tried": tried, "explained": explained, "unexplained": unexplained}).endswith(
        "We tried such readings: Welch's t-test in place of Student's; ± read as a standard error rather than an SD. "
        "Of the 2 p-values in point 1, 1 (insulin requirement at baseline) would hold with ± read as a standard "
        "error rather than an SD; the other one (age at baseline) would not hold under any reading we tried. "
        "Point 3 would hold with Welch's t-test in place of Student's. No reading we tried explains point 2.")
    explained, unexplained = explained_points(items[1:2], {}, set())
    assert caveat({"tried": tried, "explained": explained, "unexplained": unexplained}).endswith(
        "None of them explains the points above.")


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


# Sood 2017, Table 1 (PAPERS/sood2017_table1.txt): 16 rows print a p-value across the four groups;
# 15 of them a mean ± dispersion per group (lines 5, 7-20; line 21 prints "NA"), the sex row counts
# (line 6: M-4, F-3 | M-6, F-1 | M-6, F-1 | M-5, F-2, so n = 7 per group; the table prints no n).
SOOD_TABLE_1 = "sood2017_table1.txt"


def _half_unit(text: str) -> float:
    return 0.5 * 10 ** -(len(text.split(".")[1]) if "." in text else 0)


def _anova_p(means, sds, n):
    """One-way ANOVA's p from group means and SDs, n per group, by the textbook formula."""
    k, grand = len(means), sum(means) / len(means)
    between = sum(n * (m - grand) ** 2 for m in means) / (k - 1)
    within = sum((n - 1) * s * s for s in sds) / (k * n - k)
    return stats.f.sf(between / within, k - 1, k * n - k)


def _anova_p_range(means, sds, n, scale=1.0):
    """The least and greatest p over the rounding of the printed means and dispersions (each
    within half a unit of its last printed digit; SD = dispersion * scale). p falls as the spread
    of the means grows and rises with the SDs: the least p is at the lower SDs and a corner of
    the means' box (the spread is convex); the greatest at the upper SDs and the means drawn
    together, each clamped to one common value c, c the mean of the clamped means (bisection)."""
    mid = [float(m) for m in means]
    lo = [x - _half_unit(m) for x, m in zip(mid, means)]
    hi = [x + _half_unit(m) for x, m in zip(mid, means)]
    sd_lo = [(float(s) - _half_unit(s)) * scale for s in sds]
    sd_hi = [(float(s) + _half_unit(s)) * scale for s in sds]
    least = min(_anova_p(corner, sd_lo, n) for corner in itertools.product(*zip(lo, hi)))
    a, b = min(lo), max(hi)
    for _ in range(200):
        c = (a + b) / 2
        if sum(min(max(c, x), y) for x, y in zip(lo, hi)) / len(lo) > c:
            a = c
        else:
            b = c
    return least, _anova_p([min(max(c, x), y) for x, y in zip(lo, hi)], sd_hi, n)


def _holds(printed: str, low: float, high: float) -> bool:
    """A printed p holds when some value in the recomputed range prints as it."""
    return high >= float(printed) - _half_unit(printed) and low < float(printed) + _half_unit(printed)


def test_the_sood_letter_says_the_se_reading_explains_one_of_the_15_failing_p_values(letters):
    lines = (PAPERS / SOOD_TABLE_1).read_text(encoding="utf-8").splitlines()
    cells = [[c.strip() for c in line.split("|")] for line in lines if line.count("|") == 5]
    sex = next(c for c in cells if c[0] == "Sex")
    counts_ = [[int(x) for x in re.findall(r"\d+", c)] for c in sex[1:5]]
    n = sum(counts_[0])
    assert [sum(c) for c in counts_] == [7, 7, 7, 7]
    rows = {c[0]: ([x.split("±")[0].strip() for x in c[1:5]], [x.split("±")[1].strip() for x in c[1:5]], c[5])
            for c in cells if all("±" in x for x in c[1:5]) and c[5] != "NA"}
    assert len(rows) == 15
    # as printed (± read as SD): only the weight p holds; with the sex row's (Pearson chi-square
    # on the counts, 0.553 against 0.592) 15 p-values fail: the finding's 15
    as_sd = {name: _holds(p, *_anova_p_range(m, s, n)) for name, (m, s, p) in rows.items()}
    assert [name for name, ok in as_sd.items() if ok] == ["Weight"]
    chi2 = stats.chi2_contingency([[c[0] for c in counts_], [c[1] for c in counts_]], correction=False).pvalue
    assert not _holds(sex[5], chi2, chi2)
    # ± read as the SE (SD = SE * sqrt(7)): of the 14 failing rows only insulin requirement holds
    # (0.876 to 0.911 against 0.893); HbA1c comes nearest of the rest (0.239 to 0.735 against 0.75)
    as_se = {name: _holds(p, *_anova_p_range(m, s, n, math.sqrt(n))) for name, (m, s, p) in rows.items()
             if not as_sd[name]}
    assert [name for name, ok in as_se.items() if ok] == ["Insulin requirement"]
    # so the findings split them by strength: the 14 that no reading explains are one finding,
    # counted as 14 (never 15), and insulin requirement one of its own that the SE reading explains
    table, ledger = letters["table"], letters["ledger"]
    sood = ledger[ledger["study"].eq("sood2017")]
    insulin = set(sood.loc[sood["quantity"].str.contains("insulin requirement") & sood["statistic"].eq("p"),
                           "claim_id"])
    f = table[(table["study"] == "sood2017") & table["title"].str.contains("14 printed p-values")].iloc[0]
    claims = f["claims"].split("; ")
    assert len(claims) == 14 and not insulin & set(claims)
    held = sood[sood["claim_id"].isin(claims) & sood["variant"].ne("as_reported")
                & sood["verdict"].isin(["reproduced", "consistent"])]
    assert held.empty  # no reading makes any of the 14 hold
    alone = table[(table["study"] == "sood2017") & table["claims"].isin(insulin)].iloc[0]
    assert alone["strength"] == "reading"
    md = (letters["results"] / "letters" / "sood2017.md").read_text(encoding="utf-8")
    point = re.search(rf"- Point (\d+) = {f['id']}:", md).group(1)
    other = re.search(rf"- Point (\d+) = {alone['id']}:", md).group(1)
    assert f"point {point} would hold with" not in body_text(md).lower()
    assert f"Point {other} would hold with ± read as a standard error rather than an SD." in body_text(md)
