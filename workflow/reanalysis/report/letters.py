"""One letter per paper with findings, to that paper's journal: ``results/letters/<study>.md``
and ``.html`` (the HTML prints on one A4 page; tested in Chromium).

A letter renders the findings table (``results/audit/findings.csv``) and its evidence
(``finding_evidence.csv``) for its paper only, and computes no finding. Its body is in plain
words: each finding with where the paper prints it (section, table, row), what is printed
against what the printed numbers give, the readings that were tried (any of which would be an
innocent explanation) with what they explain of each point (all its values, or how many and
which: :func:`reanalysis.findings.evidence.explained_by`), and a polite request. Internal labels (claim ids, finding numbers,
reading codes, file names and lines) appear only in its appendix, which maps each point to
the report and the ledger. The counts are :mod:`reanalysis.findings.counts`'s.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import jinja2
import pandas as pd

from reanalysis.figures.palette import css_variables
from reanalysis.findings.counts import Counts, counts, read_table
from reanalysis.findings.evidence import StudySources, explained_by, lead_row, other_words
from reanalysis.trust.inspect_sr import trust_sentence_for_letter

from .html_report import citation_text

AS_REPORTED = "as_reported"
# the words of the engine's own labelled readings (a study's config `readings` adds its own)
READING_WORDS = {
    "welch": "Welch's t-test in place of Student's",
    "yates": "the chi-squared test with Yates' correction",
    "fisher": "Fisher's exact test",
    "g_test": "the G-test",
    "fisher_freeman_halton": "the Fisher-Freeman-Halton exact test",
    "newcombe": "Newcombe's interval in place of Wald's",
    "wald": "Wald's interval",
    "as_sem": "± read as a standard error rather than an SD",
    "welch_as_sem": "Welch's test with ± read as a standard error",
    "rounding_truncate": "the printed values read as truncated rather than rounded",
    "rounding_double": "the printed values read as rounded twice",
    "wilcoxon": "the Wilcoxon signed-rank test in place of the t-test",
    "mann_whitney": "the Mann-Whitney test",
    "spearman": "Spearman's correlation in place of Pearson's",
    "hazen": "another definition of the quantiles",
    "nearest_rank": "another definition of the quantiles",
    "excel_exclusive": "another definition of the quantiles",
    "oldham": "Oldham's method for a change against its baseline",
}
# Most findings a letter states in full; the rest are counted and listed in its appendix.
LETTER_MAX_ITEMS = 6
# What one A4 page holds in the letter's print style (letter.html.j2: 9.6 pt serif, 1.32 line
# height, margins 14/16 mm; the appendix at 7.6 pt), by page_lines' estimate: printed in
# Chromium, letters of 61.6 estimated lines took one page and of 67.6 two; PAGE_LINES keeps a
# margin below (tests/test_letters.py prints every letter).
PAGE_LINES = 60
CHARS_PER_LINE = 96
APPENDIX_CHARS_PER_LINE = 128
APPENDIX_LINE = 0.75
PARAGRAPH_SPACE = 0.45
# the values a sentence of the letter names (more are counted)
LETTER_NAMED = 3
# the claim ids the appendix names per point (the rest counted; the report lists them all)
APPENDIX_CLAIMS = 6
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_RANGE = re.compile(r"^range \[([^,\]]+), ([^\]]+)\]$")
_VALUE_RANGE = re.compile(r"^(\S+) \[([^,\]]+), ([^\]]+)\]$")
_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_PARTS = re.compile(r"\s*[,()]\s*")
_LIBRARY = re.compile(r"\s*\((?:pandas|pingouin|scipy[^)]*|statsmodels[^)]*|numpy[^)]*)\)")


def _number(text: str) -> str:
    """A number for prose: 3 significant digits, powers of ten written out."""
    try:
        x = float(text)
    except (TypeError, ValueError):
        return str(text)
    if x != x:
        return ""
    if x == 0 or 1e-4 <= abs(x) < 1e6:
        return f"{x:.3g}"
    mantissa, exponent = f"{x:.2e}".split("e")
    return f"{float(mantissa):.2g} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def reading_words(label: str, study: dict) -> str:
    """A labelled reading in words: the study's own (config ``readings``), an n set
    (config ``n_sets``), or the engine's; crossed readings (a+b) joined."""
    parts = []
    for part in str(label).split("+"):
        own = study.get("readings", {}).get(part, {})
        if own.get("words"):
            parts.append(own["words"])
        elif part.startswith("n_") and part[2:] in study.get("n_sets", {}):
            values = study["n_sets"][part[2:]]
            parts.append(f"n = {'/'.join(str(v) for v in values.values())} ({part[2:].replace('_', ' ')})")
        else:
            parts.append(READING_WORDS.get(part, part.replace("_", " ")))
    return " with ".join(parts)


@functools.lru_cache(maxsize=8)
def _ids_pattern(claim_ids: frozenset) -> re.Pattern:
    """One pattern for a paper's claim ids, longest first (so that S-T1-10 goes before S-T1-1),
    each with the comma before it: compiled once a paper, not once an id and a sentence."""
    ids = "|".join(re.escape(cid) for cid in sorted(claim_ids, key=lambda c: (-len(c), c)))
    return re.compile(rf"(?:,\s*)?\b(?:{ids})\b")


def plain(text: str, study: dict, claim_ids=()) -> str:
    """Text without internal labels: a `code` reading in words, a bracketed code label
    dropped, claim ids dropped, snake_case names spelled out, library names left out."""
    words = str(text)
    for arm, label in study.get("arm_labels", {}).items():  # an arm's key: its printed name
        words = re.sub(rf"(?<![\w-]){re.escape(arm)}(?![\w-])", str(label), words)
    words = re.sub(r"\s*\(`[^`]+`\)", "", words)
    words = re.sub(r"`([^`]+)`", lambda m: reading_words(m.group(1), study), words)
    words = re.sub(r"\s*\((?:[a-z][a-z0-9]*_[a-z0-9_+]*)\)", "", words)
    if claim_ids:
        words = _ids_pattern(frozenset(claim_ids)).sub("", words)
    words = _LIBRARY.sub("", words)
    words = _SNAKE.sub(lambda m: m.group(0).replace("_", " "), words)
    words = re.sub(r"\(\s*\)", "", words)
    words = re.sub(r"\s+([,.;:])", r"\1", words)
    words = re.sub(r"([,;])\s*([,;.])", r"\2", words)
    return " ".join(words.split())


def _unit(quantity: str) -> str:
    from reanalysis.figures.summary_figures import unit_of
    unit = unit_of(quantity)
    return "" if unit in ("p", "") else unit


def recomputed_words(r: dict) -> str:
    """What was recomputed, in words: a value, a value with its range over the rounding of
    the printed inputs, a range, or why nothing was."""
    text = str(r["recomputed"]).strip()
    unit = _unit(r["quantity"])
    scale = re.search(r"/ scale ([0-9.eE+-]+)\)", str(r.get("note", "")))
    if scale and re.fullmatch(r"-?[0-9.eE+-]+", text):  # recomputed in the data's units
        text = repr(float(text) / float(scale.group(1)))
    u = "" if not unit else ("%" if unit == "%" else f" {unit}")
    if text in ("", "nan"):
        return "nothing: its inputs are impossible as printed"
    if text.startswith("impossible"):
        return "that the printed value is impossible"
    if m := _RANGE.match(text):
        return f"a value between {_number(m.group(1))} and {_number(m.group(2))}{u}"
    if m := _VALUE_RANGE.match(text):
        lo, hi = _number(m.group(2)), _number(m.group(3))
        shown = _number(m.group(1)) + u
        return shown if lo == hi else f"{shown} ({lo} to {hi} over the rounding of the printed inputs)"
    try:
        float(text)
        return _number(text) + u
    except ValueError:
        return text


def _test_name(method: str, study: dict, ids) -> str:
    """The test's name from the method text ('paired t'), or '' where the name leans on
    internal ids (a difference of two printed rows)."""
    name = re.split(r" from | on |; ", str(method), maxsplit=1)[0].strip()
    if any(re.search(rf"\b{re.escape(i)}\b", name) for i in ids):
        return ""
    return plain(name, study, ids)


def _inputs(lines: list[str], limit: int = 2) -> str:
    if not lines:
        return ""
    shown = "; ".join(lines[:limit]) + (f"; and {len(lines) - limit} more" if len(lines) > limit else "")
    return f" ({shown})"


def item_sentence(f: dict, rows: list[dict], study: dict, ids, sources: StudySources | None = None) -> str:
    """One finding in plain words: where the paper prints it, what it prints against what
    the printed numbers give (with the printed inputs), and how many other values share it.
    A contradiction quotes both printings."""
    lead = lead_row(f, rows)
    title = plain(f["title"], study, ids).rstrip(".")
    out = f"**{title}** ({plain(f['locations'], study, ids)})."
    if lead is not None:
        where = plain(lead["location"], study, ids)
        what = plain(lead["quantity"], study, ids)
        test = _test_name(lead["method"], study, ids)
        printed = lead["reported"].strip().strip(";,(").strip()
        rec = plain(recomputed_words(lead), study, ids)
        own = sources is not None and lead["claim_id"] in sources.summaries  # the row is its own input
        inputs = "" if own or sources is None else _inputs(
            [plain(x, study, ids) for x in sources.inputs(lead["claim_id"], lead["method"])])
        shown = {lead["claim_id"]}
        if f["strength"] == "contradiction":
            # the other printing: the one the title quotes, else another claim, else another row
            others = [r for r in rows if r["claim_id"] != lead["claim_id"]]
            other = next((r for r in others if r["claim"] != lead["claim"] and f"'{r['claim']}'" in f["title"]),
                         next((r for r in others if r["claim"] != lead["claim"]), others[0] if others else None))
            out += f" {where} prints “{printed}” for {what}"
            if other is not None:
                shown.add(other["claim_id"])
                out += (f"; {plain(other['location'], study, ids)} prints "
                        f"“{other['reported'].strip().strip(';,(').strip()}” for the same comparison")
            out += "."
            if test and not rec.startswith(("nothing", "that the printed")):
                out += f" From the printed numbers{inputs}, {test} gives {rec}."
        elif rec.startswith("that the printed value is impossible"):
            why = plain(str(lead["note"]).split("; ")[0], study, ids)
            out += f" {where} prints “{printed}” for {what}: {why}."
        elif test and inputs:
            out += f" {where} prints “{printed}” for {what}; {test} on the printed numbers{inputs} gives {rec}."
        elif test:
            out += f" {where} prints “{printed}” for {what}; {test} gives {rec}."
        else:
            out += f" {where} prints “{printed}” for {what}; the printed numbers{inputs} give {rec}."
        others = len({r["claim_id"] for r in rows} - shown)
        if others > 0:
            out += f" The same holds for {others} other printed value{'s' if others != 1 else ''}."
    errors = int(f["decision_errors"] or 0)
    if errors:
        out += (" Its significance at the paper's own threshold flips." if errors == 1 else
                f" In {errors} of them, significance at the paper's own threshold flips.")
    return " ".join(out.split())


def _tried(ledger: pd.DataFrame, study_name: str, claims: list[str], study: dict) -> list[str]:
    """The readings tried for a paper's finding claims, in words."""
    rows = ledger[(ledger["study"] == study_name) & ledger["claim_id"].isin(claims)
                  & (ledger["variant"] != AS_REPORTED) & ~ledger["variant"].str.contains("+", regex=False)]
    return list(dict.fromkeys(reading_words(v, study) for v in rows["variant"]))


def _distinct(quantities: list[str]) -> list[str]:
    """Each quantity in the words that tell it from the others of its point: its comma- and
    bracket-separated parts that not all of them share ('insulin requirement at baseline' of
    'p, Groups I vs II vs III vs IV, insulin requirement at baseline (test not named)'); all
    its parts, comma-separated, where no part is shared by all or all its parts are."""
    parts = [[x for x in _PARTS.split(q) if x] for q in quantities]
    shared = set.intersection(*map(set, parts)) if len(parts) > 1 else set()
    out = []
    for mine in parts:
        own = [x for x in mine if x not in shared]
        out.append(", ".join(own if own and shared else mine))
    return out


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def point_explained(number: int, rows: list[dict], study: dict, ids) -> str | None:
    """What the readings tried explain of one point, from its evidence rows
    (:func:`reanalysis.findings.evidence.explained_by`): 'Point 2 would hold with ...' when one
    reading makes every failing value hold; else how many and which values each reading makes
    hold, and how many none does ('Of the 15 p-values in point 1, 1 (insulin requirement at
    baseline) would hold with ...; the other 14 would not hold under any reading we tried.').
    '' when no reading explains any of its values; None when none of them fails as stated."""
    explained = explained_by(rows)
    if not explained.claims:
        return None
    if not explained.fits:
        return ""
    failing = [r for r in rows if r["claim_id"] in explained.claims and r["statistic"]]
    quantity = {}
    for r in failing:
        quantity.setdefault(r["claim_id"], plain(r["quantity"], study, ids))
    words = dict(zip(explained.claims, _distinct([quantity[c] for c in explained.claims])))
    noun = "p-values" if all(r["statistic"] == "p" for r in failing) else "values"
    m = len(explained.claims)

    def which(claims) -> str:
        return _and(list(dict.fromkeys(words[c] for c in claims))) if len(claims) <= LETTER_NAMED else ""
    if explained.whole is not None:
        reading = reading_words(explained.whole.reading, study)
        every = "Both" if m == 2 else f"All {m}"
        return (f"Point {number} would hold with {reading}." if m == 1 else
                f"{every} {noun} in point {number} would hold with {reading}.")
    parts = []
    first = explained.fits[0].reading
    for i, fit in enumerate(explained.fits):
        k, named, reading = len(fit.claims), which(fit.claims), reading_words(fit.reading, study)
        also = [x for x in fit.reading.split("+") if x != first]
        if i and len(also) < len(fit.reading.split("+")):  # the first reading crossed with another
            reading = f"that reading and {reading_words('+'.join(also), study)}"
        last = i == len(explained.fits) - 1 and not explained.rest
        share = other_words(k, named) if (i and last) else f"{k}" + (f" ({named})" if named else "")
        parts.append(f"{share} would hold with {reading}" if i == 0 else f"{share} with {reading}")
    if explained.rest:
        parts.append(f"{other_words(len(explained.rest), which(explained.rest))} would not hold under any "
                     "reading we tried")
    return f"Of the {m} {noun} in point {number}, " + "; ".join(parts) + "."


def explained_points(items: list[dict], study: dict, ids) -> tuple[list[str], list[int]]:
    """For the points stated: what the readings tried explain of each (one sentence a point
    that any reading explains, in part or in full), and the points no reading explains."""
    said, unexplained = [], []
    for i, it in enumerate(items, 1):
        text = point_explained(i, it["rows"], study, ids)
        if text:
            said.append(text)
        elif text == "":
            unexplained.append(i)
    return said, unexplained


def _appendix_readings(rows: list[dict]) -> str:
    """The readings that explain a point's claims, by their labels, with the claims each
    explains where it does not explain all of them: 'as_sem (S-T1-04)'."""
    explained = explained_by(rows)
    if explained.whole is not None:
        return explained.whole.reading
    m = len(explained.claims)
    shown = [", ".join(fit.claims) if len(fit.claims) <= LETTER_NAMED else f"{len(fit.claims)} of {m} claims"
             for fit in explained.fits]
    return ", ".join(f"{fit.reading} ({who})" for fit, who in zip(explained.fits, shown))


def _request(items: list[dict]) -> str:
    strengths = {it["finding"]["strength"] for it in items}
    asks = ["clarify the points above"]
    if "reading" in strengths:
        asks[0] = "clarify the points above, in particular which number of patients and which test each result used"
    asks.append("share the data behind these results (the per-group means, SDs and numbers of patients, or the "
                "patient-level table)")
    if strengths & {"contradiction", "impossible", "discrepant"} or any(
            int(it["finding"]["decision_errors"] or 0) for it in items):
        asks.append("publish a correction where a printed value proves to be wrong")
    return "We would be grateful if the authors could " + ", ".join(asks[:-1]) + " and " + asks[-1] + "."


def _journal(cit: dict) -> str:
    return cit.get("letter_to") or cit.get("journal") or "the journal"


def letter_context(study_name: str, table: pd.DataFrame, evidence: pd.DataFrame, ledger: pd.DataFrame,
                   config: dict, total: Counts, root: Path = Path(".")) -> dict:
    """Everything one paper's letter says, from the findings table and its evidence: its
    strongest findings in rank order, as many as one A4 page holds (:func:`page_lines`), the
    rest counted and listed in the appendix."""
    study = config["studies"][study_name]
    cit = study.get("citation", {"title": study.get("title", study_name), "label": study_name})
    mine = table[table["study"] == study_name]
    by_finding = {k: g.to_dict("records")
                  for k, g in evidence[evidence["study"] == study_name].groupby("finding", sort=False)}
    sources = StudySources(study_name, config, root=root)
    ids = set(ledger.loc[ledger["study"] == study_name, "claim_id"]) | set(sources.summaries)
    items = []
    for f in mine.to_dict("records"):
        rows = by_finding.get(f["id"], [])
        items.append({"finding": f, "rows": rows, "text": item_sentence(f, rows, study, ids, sources)})
    stated = [it for it in items if it["finding"]["strength"] != "flag"]
    claims = [c for it in items for c in str(it["finding"]["claims"]).split("; ") if c]
    tried = _tried(ledger, study_name, claims, study)
    per = next((p for p in total.per_study if p["study"] == study_name), {"claims": 0})
    base = {"study": study_name, "label": cit.get("label", study_name), "journal": _journal(cit),
            "citation": citation_text(cit), "also": " ".join(str(cit.get("also", "")).split()),
            "short_title": cit.get("short_title", ""), "claims": per["claims"], "tried": tried,
            "headline": total.sentence(), "n_findings": len(items), "css": css_variables(),
            # a randomised trial's INSPECT-SR Domain 4 judgement and the checks behind it
            "trust": trust_sentence_for_letter(study_name, config.get("results_dir", "results"))}
    for k in range(min(len(stated), LETTER_MAX_ITEMS), 0, -1):
        ctx = _with_items(base, items, stated[:k], study, ids)
        if page_lines(ctx) <= PAGE_LINES:
            return ctx
    return _with_items(base, items, stated[:1], study, ids)


def _with_items(base: dict, items: list[dict], body: list[dict], study: dict, ids) -> dict:
    """The letter with ``body`` stated in full (numbered), the rest counted; its appendix."""
    body = [{**it, "number": i} for i, it in enumerate(body, 1)]
    chosen = {it["finding"]["id"] for it in body}
    rest = [it for it in items if it["finding"]["id"] not in chosen]
    appendix = []
    for it in body + rest:
        f = it["finding"]
        lines = [f"{file}:{line}" for file, line in sorted(
            {(r["source_file"], int(r["source_line"])) for r in it["rows"]
             if r["source_file"] and r["source_line"].isdigit()})]
        claims_of = [c for c in str(f["claims"]).split("; ") if c]
        shown = ", ".join(claims_of[:APPENDIX_CLAIMS]) + (
            f" and {len(claims_of) - APPENDIX_CLAIMS} more" if len(claims_of) > APPENDIX_CLAIMS else "")
        half = APPENDIX_CLAIMS // 2
        appendix.append({"point": it.get("number", ""), "id": f["id"], "claims": shown,
                         "readings": _appendix_readings(it["rows"]),
                         "lines": ", ".join(lines[:half]) + (f" and {len(lines) - half} more" if len(lines) > half else ""),
                         "title": plain(f["title"], study, ids), "flag": f["strength"] == "flag"})
    explained, unexplained = explained_points(body, study, ids)
    return {**base, "items": body, "rest": [it for it in rest if it["finding"]["strength"] != "flag"],
            "flags": [it for it in rest if it["finding"]["strength"] == "flag"],
            "explained": explained, "unexplained": unexplained, "request": _request(body), "appendix": appendix}


def _lines(text: str, per_line: int) -> int:
    return max(1, -(-len(text) // per_line))


def page_lines(ctx: dict) -> float:
    """The lines the letter takes on an A4 page in its HTML's print style (body text about
    CHARS_PER_LINE characters a line, the appendix in smaller type at APPENDIX_CHARS_PER_LINE
    characters and APPENDIX_LINE of a body line's height; a paragraph's space after it), to
    be held to PAGE_LINES; tested by printing each letter in Chromium."""
    paragraphs = [f"To the Editor, {ctx['journal']}", f"Re: {ctx['citation']} {ctx['also']}", "Dear Editor,",
                  opening(ctx), *[it["text"] for it in ctx["items"]], caveat(ctx),
                  *([ctx["trust"]] if ctx.get("trust") else []), ctx["request"],
                  "Yours sincerely,", "The reanalysis team"]
    if ctx["rest"] or ctx["flags"]:
        paragraphs.append(further(ctx))
    body = sum(_lines(p, CHARS_PER_LINE) + PARAGRAPH_SPACE for p in paragraphs)
    notes = [f"Point {a['point']} = {a['id']}: claims {a['claims']}; readings {a['readings']}; paper lines {a['lines']}"
             for a in ctx["appendix"]] + ["Appendix (for the authors and the editor)", f"About: {ctx['headline']} Report"
                                          " results/report.html; every claim: results/audit/claims.csv."]
    return body + APPENDIX_LINE * sum(_lines(n, APPENDIX_CHARS_PER_LINE) for n in notes)


def letter_markdown(ctx: dict) -> str:
    """The letter as markdown (the same words as its HTML)."""
    lines = [f"To the Editor, *{ctx['journal']}*", "", f"**Re:** {ctx['citation']}"
             + (f" (Also: {ctx['also']}.)" if ctx["also"] else ""), "", "Dear Editor,", "", opening(ctx), ""]
    for it in ctx["items"]:
        lines += [f"{it['number']}. {it['text']}", ""]
    if ctx["rest"] or ctx["flags"]:
        lines += [further(ctx), ""]
    lines += [caveat(ctx), ""] + ([ctx["trust"], ""] if ctx.get("trust") else [])
    lines += [ctx["request"], "", "Yours sincerely,", "", "The reanalysis team", "", "---", "",
              "**Appendix** (for the authors and the editor: where each point is in our report and ledger)", ""]
    for a in ctx["appendix"]:
        point = f"Point {a['point']}" if a["point"] else ("Flag" if a["flag"] else "Further")
        lines.append(f"- {point} = {a['id']}: claims {a['claims']}"
                     + (f"; readings {a['readings']}" if a["readings"] else "")
                     + (f"; paper lines {a['lines']}" if a["lines"] else ""))
    lines += ["", f"About this reanalysis: {ctx['headline']} Report: results/report.html; every claim: "
              "results/audit/claims.csv; the findings: results/audit/findings.csv.", ""]
    return "\n".join(lines)


def opening(ctx: dict) -> str:
    n = len(ctx["items"]) + len(ctx["rest"])
    return (f"We have re-checked the statistics printed in this paper ({ctx['label']}, {ctx['short_title']}). "
            f"For each of its {ctx['claims']} printed claims we recomputed what the paper's own numbers give, "
            f"taking the rounding of every printed number into account. {n} point{'s do' if n != 1 else ' does'} "
            "not agree; we set out the strongest below, each with where it is printed.")


def further(ctx: dict) -> str:
    parts = []
    if ctx["rest"]:
        parts.append(f"{len(ctx['rest'])} further point{'s' if len(ctx['rest']) != 1 else ''} of lesser weight")
    if ctx["flags"]:
        parts.append("a flag of values repeated across groups (which may be chance)")
    return "We also noted " + " and ".join(parts) + "; the appendix lists where to find them in our report."


def caveat(ctx: dict) -> str:
    tried = ctx["tried"][:7]
    more = len(ctx["tried"]) - len(tried)
    text = ("Any of these points may have an innocent explanation: a typing or transcription slip, a test or a "
            "number of patients other than the one stated, or a different rounding.")
    if tried:
        text += (" We tried such readings: " + "; ".join(tried) + (f"; and {more} more" if more > 0 else "") + ".")
    if ctx["explained"]:
        text += " " + " ".join(ctx["explained"])
        points = [str(n) for n in ctx["unexplained"]]
        if points:
            text += f" No reading we tried explains point{'s' if len(points) > 1 else ''} {_and(points)}."
    elif tried:
        text += " None of them explains the points above."
    return text


def render_html(ctx: dict, template: Path) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(template).parent), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters["bold"] = lambda text: jinja2.utils.markupsafe.Markup(
        re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", str(jinja2.utils.markupsafe.escape(text))))
    return env.get_template(Path(template).name).render(
        **ctx, opening=opening(ctx), further=further(ctx) if (ctx["rest"] or ctx["flags"]) else "",
        caveat=caveat(ctx))


def write_letters(ledger_csv: Path, findings_csv: Path, evidence_csv: Path, config: dict, out_dir: Path,
                  template: Path) -> list[Path]:
    """One letter per paper with findings (markdown and HTML) in ``out_dir``."""
    ledger, table, evidence = read_table(ledger_csv), read_table(findings_csv), read_table(evidence_csv)
    total = counts(ledger, table)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    # each paper's rows split out once: filtering the whole ledger paper by paper took most of
    # a 1,000-study corpus's letters (74 s)
    tables, evidences, ledgers = ({s: g for s, g in frame.groupby("study", sort=False)}
                                  for frame in (table, evidence, ledger))
    for study in sorted(set(table["study"])):
        if study not in config["studies"]:
            continue
        ctx = letter_context(study, tables[study], evidences.get(study, evidence.iloc[0:0]),
                             ledgers.get(study, ledger.iloc[0:0]), config, total)
        md, page = out_dir / f"{study}.md", out_dir / f"{study}.html"
        md.write_text(letter_markdown(ctx), encoding="utf-8")
        page.write_text(render_html(ctx, template), encoding="utf-8")
        written += [md, page]
    return written


def body_text(letter: str) -> str:
    """A letter's words before its appendix (markdown or HTML)."""
    text = re.sub(r"</?[A-Za-z!][^>]*>", " ", letter) if letter.lstrip().startswith("<") else letter
    cut = re.search(r"\bAppendix\b", text)
    return text[:cut.start()] if cut else text
