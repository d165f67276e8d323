"""A draft transcription from a paper's text, and how well it recalls the hand transcription.

``propose(lines, source_file)`` scans plain-text lines (PDF extractions, as in
../shared/papers) and proposes one row per printed statistic it recognises, with the
1-based line number, the ``form`` of workflow/schemas/summaries.schema.yaml (or a claim
form: ``p_value``, ``ci``, ``statistic``, ``threshold``), ``reported`` (the exact substring
of the line) and ``value`` in the engine's grammar (``9.02 ± 1.27``, ``28 (62.22)``,
``94.5 (87.7-103.4)``, ``8-24``, ``< 0.05``). It is a draft for a person to check against the
paper, never a transcription: it does not write into raw/.

A table's caption and header say what its cells are, and ``propose`` keeps that from line
to line (``_Table``): "mean ± (SD)" makes "57 (5.8)" a mean (SD), "median (range)" makes
"35 (6–68)" a ``median_range`` (else a median with two numbers in parentheses is read as
median (IQR)), and every cell of a "P value" column is a ``p_value`` claim ("0.351",
"<0.0001"), not a summary row. A row's own label ("Male, n (%)") wins over the table's.

``evaluate(studies_root, papers_dir)`` runs ``propose`` on the paper files of every study in
raw/ that has a summaries.csv and measures, on line + numbers (not text):

* recall of summary rows: a transcribed row is found when a proposal on its line has the
  same numbers in its ``value`` (mean and dispersion, count and percent, median/q1/q3...);
* recall of claim rows: over the ``verbatim`` claims (their number is printed), found when a
  proposal on the line prints the claim's number (and, for '<', '>'..., the same relation);
* of the rows found, those proposed with the transcription's ``form`` (summary rows), and
  those proposed as claims (a printed p in a table's p-value column is a claim, not a
  summary row);
* precision: the share of proposals on lines within the transcribed span of a paper file
  (min to max transcribed line, so an untranscribed Discussion does not count) that match
  some transcribed summary or claim row on their line.

Command line (``main(argv)``; the project CLI ``python -m reanalysis draft ...`` passes its
argv on, so ``draft evaluate`` there means ``evaluate`` here)::

    python -m reanalysis.onboarding.draft draft <study> [--papers DIR] [--raw DIR] [--out FILE] [--paper PATH]
    python -m reanalysis.onboarding.draft evaluate [--papers DIR] [--raw DIR] [--misses] [--extras] [--json FILE]

``draft <study>`` reads the files the study's config names under ``paper_files`` (``new``
writes them) and the ``source_file`` values of its transcription, looked up in ``--papers``
if given, else in the study's own ``papers_dir``, else in $REANALYSIS_SHARED/papers, else
../shared/papers beside the repository. ``--raw`` defaults to raw/ of the working
directory (the repository root).
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import sys
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Callable, Iterable

ROOT = Path(__file__).resolve().parents[3]

SUMMARY_FORMS = ("mean_dispersion", "median_iqr", "median_range", "count_percent", "percent", "mean",
                 "count", "range", "value", "not_available")
CLAIM_FORMS = ("p_value", "ci", "statistic", "threshold")
COLUMNS = ["source_file", "source_line", "cell", "start", "end", "table", "form", "reported",
           "value", "numbers", "label", "marker", "pattern", "note"]


def default_papers_dir() -> Path:
    """REANALYSIS_SHARED/papers if set, else ../shared/papers beside the repository."""
    shared = os.environ.get("REANALYSIS_SHARED")
    return Path(shared) / "papers" if shared else ROOT.parent / "shared" / "papers"


def default_raw_dir() -> Path:
    """raw/ of the repository the command runs in (the working directory, as every command
    of the project), else of this checkout."""
    return Path.cwd() / "raw" if (Path.cwd() / "raw").is_dir() else ROOT / "raw"


def study_config(study: str, raw_dir: Path) -> tuple[list[str], Path | None]:
    """What the study's config file (beside ``raw_dir``, in config/studies/) says of its
    paper: the file names under ``paper_files`` (``new`` writes them), and the study's own
    papers_dir, if any (relative to the repository). Nothing where there is no config."""
    import yaml

    repo = Path(raw_dir).resolve().parent
    shared = repo / "config" / "config.yaml"
    studies_dir = "config/studies"
    if shared.is_file():
        studies_dir = (yaml.safe_load(shared.read_text(encoding="utf-8")) or {}).get("studies_dir", studies_dir)
    path = repo / studies_dir / f"{study}.yaml"
    if not path.is_file():
        return [], None
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    own = spec.get("papers_dir")
    return list(spec.get("paper_files") or []), (repo / own) if own else None


# --------------------------------------------------------------------------- patterns
# A printed number: digits with optional thousands groups and decimals, or a bare ".22".
_NUM = r"(?:\d{1,3}(?:,\d{3})+(?![\d,])|\d+)(?:\.\d+)?(?![\d])|\.\d+(?![\d])"
_B = r"(?<![A-Za-z0-9.\u00b7])"                   # no letter, digit or point just before
N = rf"{_B}(?:{_NUM})"
SN = rf"(?:(?<![\w.])[-\u2212](?=\.?\d))?{N}"     # with a minus sign (after a space or '(')
DASH = r"[-\u2010\u2011\u2012\u2013\u2014\u2212]"  # hyphens, en and em dash, minus
PM = r"(?:\u00b1|\+\s*/\s*[-\u2212]|\+\s*[-\u2212](?!\d)|\u2213)"  # ±, +/-, +-
OP = r"(?:<=|>=|=<|=>|≤|≥|⩽|⩾|<|>|˂|˃|‹|›|=)"
MARK = r"(?P<marker>(?:[a-e](?:,\s?[a-e])*|\*{1,3}|†|‡)(?![A-Za-z]))?"
PCT = r"(?:\s?%)"
SCALE = r"(?P<scale>\s*[×x\u00d7]\s*10(?:\^|\s?)[-\u2212]?\d{1,2}(?!\d))?"
WORDS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
         "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
         "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
         "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
         "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100}
COUNT_NOUNS = (r"patients?|subjects?|participants?|cases?|controls?|individuals?|people|persons?"
               r"|men|women|males?|females?|children|adults?|volunteers?|episodes?|sessions?"
               r"|infusions?|injections?|doses?|studies|study|trials?|events?|groups?|arms?"
               r"|centers?|centres?|sites?|visits?|cycles?|deaths?|withdrawals?|dropouts?")
TIME_UNITS = r"years?|months?|weeks?|days?|hours?|decades?"
_OPS = {"≤": "<=", "⩽": "<=", "=<": "<=", "≥": ">=", "⩾": ">=", "=>": ">=", "˂": "<", "‹": "<",
        "˃": ">", "›": ">"}


def norm_op(op: str) -> str:
    return _OPS.get(op, op)


def clean(num: str) -> str:
    """A printed number as the engine reads it: no thousands commas, ASCII minus, '0.22'."""
    num = num.replace(",", "").replace("\u2212", "-").strip()
    if num.startswith("."):
        num = "0" + num
    elif num.startswith("-."):
        num = "-0" + num[1:]
    return num


class _Line:
    """One line being scanned: matched spans are masked so later families skip them."""

    def __init__(self, text: str, following: str = "", previous: str = "", table: "_Table | None" = None):
        self.text = text
        self.previous = previous       # the line before, for lists and dates broken across lines
        self.work = text
        self.following = following     # the next line, for lists broken across lines
        self.thresholds = False
        self.found: list[dict] = []
        self.seps = [m.start() for m in re.finditer(r" \| |\t", text)]   # table cell borders
        # what the line says its cells are ("Age, mean (SD)"), else what its table says
        self.own = declared(text)
        self.table = table or _Table()

    def says(self, what: str) -> bool:
        """Does the line (its own label first, then its table's header or caption) say that
        its cells are ``what`` ('mean_sd', 'count_pct', 'median_iqr', 'median_range')?"""
        if self.own:
            return what in self.own
        return what in self.table.declared

    def in_p_column(self, start: int, end: int) -> bool:
        """Is text at [start, end) the cell of the table's p-value column?"""
        column = self.table.p_column
        if column is None:
            return False
        if self.seps:
            return column != "last" and self.cell(start) == column
        if column != "last" or len(self.text) > 160:
            return False
        # the last number of a table row printed without cell borders
        return not re.search(r"\d", self.text[end:]) and len(re.findall(r"\d+(?:\.\d+)?", self.text[:start])) >= 2

    def before(self, pos: int) -> str:
        """The text before ``pos``, with the previous line (a hyphen at its end joined)."""
        prev = self.previous.rstrip()
        prev = prev[:-1] if re.search(r"[a-z]-$", prev) else prev + " "
        return prev + self.text[:pos]

    def cell(self, pos: int) -> int | None:
        if not self.seps:
            return None
        return sum(1 for s in self.seps if s < pos)

    def take(self, start: int, end: int) -> None:
        self.work = self.work[:start] + "\x00" * (end - start) + self.work[end:]

    def scan(self, pattern: re.Pattern, build: Callable[[re.Match, "_Line"], dict | None],
             name: str, lookahead: bool = False) -> None:
        subject = self.work + (" " + self.following if lookahead else "")
        for m in list(pattern.finditer(subject)):
            if m.start() >= len(self.work) or "\x00" in m.group(0):
                continue
            row = build(m, self)
            if row is None:
                continue
            start, end = m.start(), min(m.end(), len(self.work))
            # the match is judged on the masked text; report the original characters
            row.setdefault("reported", self.text[start:end].strip())
            lead = len(self.text[start:end]) - len(self.text[start:end].lstrip())
            row.update(start=start + lead, end=start + lead + len(row["reported"]), pattern=name)
            if row.get("form") is not None:
                self.found.append(row)
            self.take(start, end)


# What a table (in its caption, header or a row's label) says its cells are.
DECLARATIONS = {
    "mean_sd": re.compile(r"\bmeans?\s*(?:±|\+/-|\+-|\(|\[|,|and)\s*[\(\[]?\s*(?:±\s*)?"
                          r"(?:SD|S\.D\.|SEM?|S\.E\.|standard\s+(?:deviation|error))\b", re.I),
    "count_pct": re.compile(r"\b(?:n|no\.|number)\s*\(\s*%\s*\)|\bn\s*,?\s*%", re.I),
    "median_iqr": re.compile(r"\bmedians?\s*[\(\[,]?\s*(?:IQR|interquartile|Q1\s*[-–,]\s*Q3)\b", re.I),
    "median_range": re.compile(r"\bmedians?\s*[\(\[,]?\s*(?:range|min(?:imum)?\s*[-–,]\s*max(?:imum)?)\b", re.I),
}
_CAPTION = re.compile(r"^\s*(?:Table|TABLE)\s+[0-9IVX]+\b")
_FIGURE = re.compile(r"^\s*(?:Fig\.?|Figure|FIGURE)\s*[0-9]")
# a p-value column's header cell: "P value", "p-value", "P", "Sig."
_P_HEADER = re.compile(r"^\s*(?:[pP](?:\s*[-\u2010\u2011]?\s*values?)?|Sig\.?|Significance)\s*[*†‡a-d]?\s*$")
_P_LAST = re.compile(r"(?:^|\s)(?:[pP]\s*[-\u2010\u2011]?\s*values?|[pP])\s*[*†‡]?\s*$")


def declared(text: str) -> set[str]:
    """The kinds of cell a line declares: 'mean_sd' (mean ± SD, mean (SD), mean ± (SD)),
    'count_pct' (n (%)), 'median_iqr', 'median_range' (median (range), median (min-max))."""
    return {name for name, pattern in DECLARATIONS.items() if pattern.search(text)}


class _Table:
    """What is known of the table a line belongs to: the kinds of cell its caption and
    header declare, and its p-value column (a cell index, 'last' for a table printed
    without cell borders whose header ends in 'p-value', or None). A table starts at its
    caption ("Table 2 ...") and ends at the next caption, a figure's, a line of prose (ten
    or more words and no digit) or 60 lines on."""

    def __init__(self):
        self.declared: set[str] = set()
        self.p_column: int | str | None = None
        self.lines = 0
        self.active = False

    def read(self, text: str) -> None:
        """Take in one line of the paper, in order, before its cells are proposed."""
        words = text.split()
        if _CAPTION.match(text):
            self.__init__()
            self.active = True
        elif _FIGURE.match(text) or (self.active and len(words) >= 10 and not re.search(r"[\d|\t]", text)
                                     and not declared(text)):
            self.__init__()
        elif self.active:
            self.lines += 1
            if self.lines > 60:
                self.__init__()
        cells = re.split(r" \| |\t", text)
        header = [i for i, cell in enumerate(cells) if _P_HEADER.match(cell)]
        if len(cells) > 1 and header:
            self.p_column, self.active = header[-1], True
        elif len(cells) == 1 and _P_LAST.search(text) and len(words) >= 3 and not re.search(r"\d\.\d", text):
            self.p_column, self.active = "last", True
        if self.active:
            self.declared |= declared(text)


def _row(form: str, value: str, numbers: Iterable[str], **extra) -> dict:
    table = "claims" if form in CLAIM_FORMS else "summaries"
    row = {"form": form, "value": value, "numbers": [clean(n) for n in numbers], "table": table,
           "label": "", "marker": "", "note": ""}
    row.update({k: v for k, v in extra.items() if v is not None})
    return row


def _marker(m: re.Match) -> str:
    try:
        return (m.group("marker") or "").replace(" ", "")
    except IndexError:
        return ""


def _scale_note(m: re.Match) -> str:
    try:
        scale = m.group("scale")
    except IndexError:
        return ""
    return f"printed with scale '{scale.strip()}'" if scale else ""


# --- families, in the order they claim text -------------------------------------------

# confidence intervals: "95% CI 2.25–28.66%", "(95% CI, 1.2 to 3.4)", "95% confidence interval (CI) x-y"
_CI = re.compile(
    rf"(?P<level>{N})\s?%\s*(?:CI|C\.I\.|confidence\s+intervals?)(?:\s*\(CI\))?\s*[:,=]?\s*"
    rf"(?:of\s+|was\s+|is\s+)?(?P<open>[\(\[])?\s*(?P<lo>{SN}){PCT}?\s*(?:{DASH}|to|,|;)\s*(?P<hi>{SN})"
    rf"{PCT}?(?(open)\s*[\)\]])", re.I)


def _ci(m, line):
    lo, hi = clean(m.group("lo")), clean(m.group("hi"))
    return _row("ci", f"{lo} to {hi}", [lo, hi], label=f"{m.group('level')}% CI")


# text that looks numeric but is not a statistic: consumed, nothing proposed
_SKIP = re.compile(
    r"\[\s*\d+(?:\s*[-\u2013,]\s*\d+)*\s*\]"                           # citations [8,9] [18-20]
    r"|\b(?:Tables?|Fig(?:ure)?s?\.?|Graphs?|Supplementa(?:l|ry)\s+\w+|Appendix|Section|Chapter|"
    r"Ref\.?|Step|Phase|Type|Grade|Stage|Class|Model|Day)\s*\d+[A-Za-z]?(?![\d.])"
    r"|\bet\s+al\.?,?\s*[\(\[]?\d{4}[a-z]?(?:,\s?[a-z])*"               # et al. 2013a
    r"|\bdoi:?\s*\S+|\bPMID:?\s*\d+|https?://\S+|\bwww\.\S+"
    r"|(?<![\d/])\d{1,2}/(?:19|20)\d{2}(?![\d/])"                       # 9/2013 (a date)
    r"|\b\d{4};\s*\d+\s*\(\d+\)\s*:\s*\d+(?:[-\u2013]\d+)?"             # 2017; 8(7): 381-389
    r"|\b(?:No|Nos|Ref)\.\s*[\w/-]+"                                     # Approval No. 2013-107-01
    r"|(?<![\w)])\(\s*\d{1,2}\s*\)(?=\s+[A-Za-z])"                         # enumerators "(1) aged"
    r"|\b\d+(?:\.\d+)?\s?%\s*(?:CI|C\.I\.|confidence\s+intervals?)",    # a CI's level alone
    re.I)

# p-values: "p = 0.0081", "P < 0.05", "p˃0.05", "p-value <0.05", "P value: 0.351"
_P = re.compile(rf"(?<![A-Za-z])[pP]\s*(?:[-\u2010\u2011 ]?\s*values?)?\s*(?P<op>{OP}|:)\s*(?P<num>{N})"
                rf"{MARK}")


def _p(m, line):
    if re.search(r"[*#†‡]\s?$", line.text[:m.start()]):
        return {"form": None}                           # a figure's legend: "*p < 0.05, **p < 0.01"
    op = norm_op(m.group("op"))
    num = m.group("num")
    value = clean(num) if op in ("=", ":") else f"{op} {clean(num)}"
    return _row("p_value", value, [num], op=("=" if op == ":" else op), marker=_marker(m))


# test statistics: t(28) = 2.20, F(2, 28) = 3.1, χ2(1) = 4.2, r = .22, z = 1.96, OR = 2.1
_STAT = re.compile(
    rf"(?P<name>(?<![A-Za-z])(?:t|F|χ2|χ²|χ\^2|X2|chi2|chi-squared?|chi-square|H|U|W|Q|z|Z|r|R|R2|R²|"
    rf"rho|ρ|τ|tau|OR|RR|HR|IRR|β|d|g)(?![A-Za-z0-9]))\s*"
    rf"(?P<df>\(\s*{N}(?:\s*,\s*{N})?(?:\s*,\s*[Nn]\s*=\s*{N})?\s*\))?\s*(?P<op>{OP})\s*(?P<stat>{SN})"
    rf"{MARK}")


def _stat(m, line):
    name = m.group("name")
    df = re.sub(r"\s+", " ", m.group("df") or "").replace("( ", "(").replace(" )", ")")
    if name in ("d", "g") and not re.search(r"(?:Cohen|Hedges)['’]?s?\s*$", line.work[:m.start()]):
        return None                                     # a bare 'd = ' is too often not Cohen's d
    op = norm_op(m.group("op"))
    stat = clean(m.group("stat"))
    return _row("statistic", stat if op == "=" else f"{op} {stat}", [stat], label=f"{name}{df}",
                op=op, marker=_marker(m))


# counts with their denominator: "13.5% (5/37)", "5/37 (13.5%)", "n = 45", "7/10 patients"
_PCT_FRAC = re.compile(rf"(?P<pct>{N}){PCT}\s*\(\s*(?P<n>{N})\s*/\s*(?P<d>{N})\s*\){MARK}")
_FRAC_PCT = re.compile(rf"(?P<n>{N})\s*/\s*(?P<d>{N})\s*\(\s*(?P<pct>{N}){PCT}?\s*\){MARK}")
_N_EQ = re.compile(rf"(?<![A-Za-z])[nN]\s*=\s*(?P<n>{N})(?![.\d])")
_FRAC = re.compile(rf"(?P<n>{N})\s*/\s*(?P<d>{N})(?![/\d])(?!\s*(?:{N}))")


def _pct_frac(m, line):
    n, pct = clean(m.group("n")), clean(m.group("pct"))
    return _row("count_percent", f"{n} ({pct})", [m.group("pct"), n, m.group("d")],
                label=f"of {clean(m.group('d'))}", marker=_marker(m))


def _frac_pct(m, line):
    n, pct = clean(m.group("n")), clean(m.group("pct"))
    return _row("count_percent", f"{n} ({pct})", [n, m.group("d"), pct],
                label=f"of {clean(m.group('d'))}", marker=_marker(m))


def _n_eq(m, line):
    return _row("count", clean(m.group("n")), [m.group("n")], label="n")


def _frac(m, line):
    n, d = clean(m.group("n")), clean(m.group("d"))
    if "." in n + d:
        return None
    return _row("count", n, [n, d], label=f"of {d}")


# median (IQR): "94.5 (87.7-103.4)", "6.9 [6.4–7.1]", "35 (IQR 20–50)", "14.0 (0.0-30.0)a,b";
# median (range) where the text says so: "35 (range 6–68)", or a table of "median (range)"
_MEDIAN = re.compile(
    rf"(?P<m>{SN}){PCT}?\s*[\(\[]\s*(?P<kind>IQR|interquartile\s+range|range|min(?:imum)?\s*{DASH}\s*max(?:imum)?)?"
    rf"[:,]?\s*(?P<q1>{SN}){PCT}?\s*(?:{DASH}|to|,|;)\s*(?P<q3>{SN}){PCT}?\s*[\)\]]{MARK}{SCALE}", re.I)


def _median(m, line):
    med, q1, q3 = (clean(m.group(k)) for k in ("m", "q1", "q3"))
    kind = (m.group("kind") or "").lower()
    said_range = kind.startswith(("range", "min")) or (
        not kind and line.says("median_range") and not line.says("median_iqr"))
    if said_range:
        return _row("median_range", f"{med} ({q1}-{q3})", [med, q1, q3], marker=_marker(m),
                    note="; ".join(filter(None, ["median (range): the smallest and largest value",
                                                 _scale_note(m)])))
    return _row("median_iqr", f"{med} ({q1}-{q3})", [med, q1, q3], marker=_marker(m),
                note=_scale_note(m))


# mean ± dispersion: "9.02 ± 1.27%", "57.36 + 18.90" (a lost ±), "4.9 ± 3.10 × 10^8", "+/-",
# and with the dispersion in parentheses: "8.1 ± (1.2)", "79 (± 18.9)"
_MEAN_SD = re.compile(
    rf"(?P<mean>{SN})(?P<p1>{PCT})?\s*(?:(?P<pm>{PM}|(?<=\s)\+(?=\s))\s*(?P<open>[\(\[]\s*)?"
    rf"|[\(\[]\s*(?P<inner>{PM})\s*)(?P<sd>{N})(?P<p2>{PCT})?(?(open)\s*[\)\]])(?(inner)\s*[\)\]]){MARK}"
    rf"{SCALE}(?!\s*[=+])")


def _mean_sd(m, line):
    mean, sd = clean(m.group("mean")), clean(m.group("sd"))
    note = _scale_note(m)
    if m.group("open") or m.group("inner"):
        note = "; ".join(filter(None, ["dispersion printed in parentheses", note]))
    if "+" == (m.group("pm") or "").strip():
        note = "; ".join(filter(None, ["'+' read as '±' (PDF extraction artefact)", note]))
    # "1.8 1 ± 0.29": a number split by extraction is never repaired here, only flagged
    split = re.search(r"(?<![\d.])\d+\.\d+ $", line.work[:m.start()])
    if split and re.fullmatch(r"\d", mean):
        note = "; ".join(filter(None, [f"'{split.group(0)}' just before: a number split by PDF "
                                       "extraction? check the paper", note]))
    return _row("mean_dispersion", f"{mean} ± {sd}", [mean, sd], marker=_marker(m), note=note)


# mean (SD) or n (%): "50.1 (9.4)", "28 (62.22%)", "1 (2.22%)"
_PAREN = re.compile(rf"(?P<a>{SN})(?P<pa>{PCT})?\s*\(\s*(?P<b>{N})(?P<pb>{PCT})?\s*\){MARK}{SCALE}")


def _paren(m, line):
    a, b = clean(m.group("a")), clean(m.group("b"))
    if m.group("pb"):
        form = "count_percent" if re.fullmatch(r"\d+", a) else "mean_dispersion"
    elif m.group("pa"):
        return None                                   # "20% (4)": unclear, left to the parts
    elif not re.fullmatch(r"\d+", a) or float(b) > 100:
        form = "mean_dispersion"                      # a count is whole, a percent at most 100
    elif re.search(r"\b(?:SD|S\.D\.|SE|SEM|mean)\b", line.text) and not line.says("count_pct"):
        form = "mean_dispersion"
    elif not line.own and line.says("mean_sd") and (not line.says("count_pct") or not _counted(line, m.start())):
        form = "mean_dispersion"                      # a table of means (SD): "57 (5.8)"
    else:
        form = "count_percent"
    value = f"{a} ({b})" if form == "count_percent" else f"{a} ± {b}"
    note = "mean (SD) printed with parentheses" if form == "mean_dispersion" else ""
    if not line.own and line.says("mean_sd") and line.says("count_pct") and re.fullmatch(r"\d+", a):
        note = "; ".join(filter(None, [note, "the table prints means (SD) and n (%): read from the row's "
                                             "label; check"]))
    return _row(form, value, [a, b], marker=_marker(m),
                note="; ".join(filter(None, [note, _scale_note(m)])))


# a row label that counts people ("Male", "Smokers", "History of ...", "Insulin use, yes")
_COUNTED = re.compile(rf"\b(?:{COUNT_NOUNS}|sex|gender|smok\w*|history|yes|no|use[ds]?|users?|"
                      r"current|former|never|treated|received|n)\b", re.I)


def _counted(line: _Line, pos: int) -> bool:
    """Where a table prints both means (SD) and n (%), is this row a count? Its label
    (the text before the first cell) names people or a yes/no characteristic, or carries
    no unit in parentheses ("(years)", "(kg/m2)")."""
    label = re.split(r"\d", line.text[:pos], maxsplit=1)[0]
    if _COUNTED.search(label):
        return True
    return not re.search(r"\([^)]*[A-Za-z%/][^)]*\)", label)


# ranges: "8–24 weeks", "50–60 mL", "(range: 6-68 months)", "ranging from 6.3% to 12.4%"
_RANGE_WORDS = re.compile(
    rf"(?:\brang(?:e|es|ed|ing)\b[:,]?\s*(?:from\s+|between\s+|of\s+|was\s+)?|\bbetween\s+)"
    rf"(?P<lo>{SN}){PCT}?(?:\s*(?:{TIME_UNITS}|%))?\s*(?:{DASH}|to|and)\s*(?P<hi>{SN}){PCT}?{SCALE}",
    re.I)
_RANGE = re.compile(rf"(?P<lo>{SN}){PCT}?\s?{DASH}\s?(?P<hi>{N}){PCT}?{MARK}{SCALE}(?![{DASH[1:-1]}]\d)")


def _range(m, line):
    lo, hi = clean(m.group("lo")), clean(m.group("hi"))
    return _row("range", f"{lo}-{hi}", [lo, hi], marker=_marker(m), note=_scale_note(m))


# thresholds: "HbA1c < 7.0%", "≥ 50%", "(≥1 billion cells)"
_THRESHOLD = re.compile(rf"(?P<op>(?:<=|>=|=<|=>|≤|≥|⩽|⩾|<|>|˂|˃))\s*(?P<num>{SN}){PCT}?")


def _threshold(m, line):
    op = norm_op(m.group("op"))
    num = clean(m.group("num"))
    if line.in_p_column(m.start(), m.end()) and _probability(num):
        return _row("p_value", f"{op} {num}", [num], op=op, note="in the table's p-value column")
    if not line.thresholds:                             # inclusion criteria, definitions: not rows
        return {"form": None}
    return _row("threshold", f"{op} {num}", [num], op=op)


def _probability(num: str) -> bool:
    try:
        return 0 <= float(num) <= 1
    except ValueError:
        return False


# percentages: "20%", "4.55 %", "12 per cent"
_PERCENT = re.compile(rf"(?P<num>{SN})(?:\s?%|\s+per\s?cent\b|\s+percent\b){MARK}", re.I)


def _percent(m, line):
    num = clean(m.group("num"))
    return _row("percent", num, [num], marker=_marker(m))


# not available
_NA = re.compile(r"(?<![\w/])(?:N/A|n/a|NA|N\.A\.|n\.a\.|NR|not\s+available|not\s+reported)(?![\w/])")


def _na(m, line):
    return _row("not_available", "N/A", [])


# numbers in words: "Two patients", "six patients were lost", "a month", "No patient"
_WORD = re.compile(rf"\b(?P<w>{'|'.join(WORDS)})\b(?![\u2010\u2011-])", re.I)
_ONE_TIME = re.compile(rf"\b(?:a|an)\s+(?:single\s+|full\s+)?(?P<unit>{TIME_UNITS})\b", re.I)
_NONE = re.compile(rf"\b(?:no|none\s+of\s+the)\s+(?P<noun>{COUNT_NOUNS})\b", re.I)
_AFTER_COUNT = re.compile(rf"\s+(?:[\w\u2010\u2011-]+\s+){{0,2}}?(?:{COUNT_NOUNS})\b", re.I)


def _count_or_value(line: _Line, end: int) -> str:
    return "count" if _AFTER_COUNT.match(line.text, end) else "value"


def _word(m, line):
    n = str(WORDS[m.group("w").lower()])
    if n == "1" and not re.match(rf"\s+(?:{TIME_UNITS}|{COUNT_NOUNS})\b", line.text[m.end():], re.I):
        return None                                     # "one of", "one another"
    return _row(_count_or_value(line, m.end()), n, [n], note="number in words")


def _one_time(m, line):
    return _row("value", "1", ["1"], note=f"'a {m.group('unit')}' read as 1")


def _none(m, line):
    return _row("count", "0", ["0"], note="'no ...' read as 0")


# time points: "at 9, 20, 32, and 48 weeks", "at baseline and 9 and 48 weeks", a table row's
# label "12 months 122.5 ± 12.5 ..." -- when the schedule is named, not measured
_TIMES = re.compile(
    rf"(?P<list>{N}(?:\s*(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|&)\s*{N})*)\s*"
    rf"(?:{TIME_UNITS}|wks?|mos?)\b(?![\u2010\u2011-])(?!\s+(?:of\s+age|old)\b)", re.I)
_AT_LIST = re.compile(r"\bat\s+(?:(?:baseline|\d+)(?:\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+))*$",
                      re.I)


def _times(m, line):
    if _AT_LIST.search(line.before(m.start())):
        return {"form": None}
    if (re.fullmatch(r"\s*(?:\d+\s+)?", line.text[:m.start()])
            and re.search(r"\d", line.text[m.end():])):
        return {"form": None}                           # a table row's label
    return None


MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?,?"


# bare numbers: table cells, "(0.2 ng/mL)", "age of 15", "183 patients", "(November 2016)"
_BARE = re.compile(rf"(?P<num>{SN})(?:(?P<marker>[a-c](?:,[a-c])*)(?![A-Za-z]))?(?![A-Za-z0-9\^]){SCALE}")


def _bare(m, line):
    num = m.group("num")
    before = line.text[:m.start()]
    if re.search(r"[A-Za-z][-\u2010\u2011]$", before):  # IL-6, session-1: part of a name
        return None
    if m.group("marker") and "." not in num:            # "2015b": a citation year
        return None
    after = line.text[m.end():]
    if re.match(r"\+|[-\u2212+]/", after):              # CD34+, 14-/31-: marker names
        return None
    if (re.fullmatch(r"\d{1,2}", num) and after.startswith(")")
            and line.text[:m.start()].count("(") <= line.text[:m.start()].count(")")):
        return None                                     # an enumerator "1) In vivo ..."
    if (re.fullmatch(r"(?:19|20)\d\d", num) and not line.seps
            and not re.search(rf"\b{MONTHS}\s*$", line.before(m.start()))):
        return {"form": None}                           # a year (in text), unless it dates something
    n = clean(num)
    if "." in n and _probability(n) and line.in_p_column(m.start(), m.end()):
        return _row("p_value", n, [n], op="=", marker=_marker(m), note="in the table's p-value column")
    return _row(_count_or_value(line, m.end()), n, [n], marker=_marker(m), note=_scale_note(m))


FAMILIES: list[tuple[str, re.Pattern, Callable]] = [
    ("ci", _CI, _ci),
    ("skip", _SKIP, lambda m, line: {"form": None}),
    ("p_value", _P, _p),
    ("statistic", _STAT, _stat),
    ("percent_fraction", _PCT_FRAC, _pct_frac),
    ("fraction_percent", _FRAC_PCT, _frac_pct),
    ("n_equals", _N_EQ, _n_eq),
    ("median_iqr", _MEDIAN, _median),
    ("mean_sd", _MEAN_SD, _mean_sd),
    ("paren", _PAREN, _paren),
    ("range_words", _RANGE_WORDS, _range),
    ("range", _RANGE, _range),
    ("fraction", _FRAC, _frac),
    ("threshold", _THRESHOLD, _threshold),
    ("percent", _PERCENT, _percent),
    ("not_available", _NA, _na),
    ("none", _NONE, _none),
    ("one_time", _ONE_TIME, _one_time),
    ("word", _WORD, _word),
    ("times", _TIMES, _times),
    ("bare", _BARE, _bare),
]
LOOKAHEAD = {"times"}


def propose_line(text: str, previous: str = "", following: str = "", *,
                  thresholds: bool = False, table: _Table | None = None) -> list[dict]:
    """Proposals for one line, in the order they are printed (no line number yet).
    ``previous`` and ``following`` are the neighbouring lines (for lists and dates broken
    across lines); ``thresholds`` also proposes "< 7.0%", "≥ 50%" (criteria, definitions);
    ``table`` is what the lines before say of the table this line is in (``propose`` keeps
    it): the kinds of cell its header declares and its p-value column."""
    line = _Line(text, following, previous, table)
    line.thresholds = thresholds
    for name, pattern, build in FAMILIES:
        line.scan(pattern, build, name, lookahead=name in LOOKAHEAD)
    for row in line.found:
        row["cell"] = line.cell(row["start"])
    return sorted(line.found, key=lambda r: r["start"])


def propose(lines: list[str], source_file: str, *, thresholds: bool = False) -> list[dict]:
    """Propose rows for every line: source_file, source_line (1-based), form, reported,
    value, numbers (printed numbers, as text), table (summaries/claims), cell, label,
    marker, note, and where relevant op."""
    rows = []
    lines = [t.rstrip("\r\n") for t in lines]
    table = _Table()
    for number, text in enumerate(lines, start=1):
        previous = lines[number - 2] if number > 1 else ""
        following = lines[number] if number < len(lines) else ""
        table.read(text)
        for row in propose_line(text, previous, following, thresholds=thresholds, table=table):
            rows.append({"source_file": source_file, "source_line": number, **row})
    return rows


# --------------------------------------------------------------------------- evaluation
_VALUE_NUM = re.compile(r"(?<![\d.])-?(?:\d+(?:\.\d+)?|\.\d+)")
_CLAIM = re.compile(r"^\s*(?P<op><=|>=|≤|≥|<|>|=)?\s*(?P<num>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


def key(num: str) -> str:
    """Numbers compare as printed decimals: '20.00' == '20.00', '.22' == '0.22', '20' != '20.0'."""
    try:
        return str(Decimal(clean(num)))
    except InvalidOperation:
        return num


def value_numbers(value: str) -> tuple[str, ...]:
    """The numbers of a value in the engine's grammar ('94.5 (87.7-103.4)' -> 3 numbers)."""
    return tuple(key(n) for n in _VALUE_NUM.findall((value or "").replace(",", "")))


def parse_claim_text(text: str) -> tuple[str, str] | None:
    m = _CLAIM.match(text or "")
    if not m:
        return None
    return norm_op(m.group("op") or "="), key(m.group("num"))


def printed_relations(text: str) -> list[tuple[str, str]]:
    """The numbers a claim's printed text shows, with their relation ('p < 0.05' -> ('<', '0.05'))."""
    out = []
    for p in propose_line(text):
        out += [(p.get("op", "=") if p["form"] in ("p_value", "statistic") else "=", key(n))
                for n in p["numbers"]]
    return out


def _read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def paper_files(study_dir: Path) -> list[str]:
    """The distinct source_file values of a study's transcription (every CSV in its folder)."""
    files: list[str] = []
    for path in sorted(study_dir.glob("*.csv")):
        for row in _read_csv(path):
            name = (row.get("source_file") or "").strip()
            if name and name not in files:
                files.append(name)
    return files


def read_paper(papers_dir: Path, source_file: str) -> list[str]:
    path = Path(source_file) if Path(source_file).is_absolute() else Path(papers_dir) / source_file
    return path.read_text(encoding="utf-8").splitlines()


def summary_match(proposal: dict, row: dict) -> bool:
    if row["form"] == "not_available":
        return proposal["form"] == "not_available"
    nums = value_numbers(row["value"])
    return bool(nums) and value_numbers(proposal["value"]) == nums


def claim_match(proposal: dict, claim: tuple[str, str]) -> bool:
    op, num = claim
    if num not in {key(n) for n in proposal["numbers"]}:
        return False
    return op == "=" or proposal.get("op") == op


def _line_int(value) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _ratio(k: int, n: int) -> float | None:
    return k / n if n else None


def evaluate_study(study_dir: Path, papers_dir: Path) -> dict:
    summaries = _read_csv(study_dir / "summaries.csv")
    claims = _read_csv(study_dir / "claims.csv") if (study_dir / "claims.csv").exists() else []
    files = paper_files(study_dir)
    proposals = {f: propose(read_paper(papers_dir, f), f) for f in files}
    by_line: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for f, rows in proposals.items():
        for p in rows:
            by_line[(f, p["source_line"])].append(p)

    def located(rows):
        for row in rows:
            line = _line_int(row.get("source_line"))
            if line is not None and row.get("source_file"):
                yield row["source_file"], line, row

    result = {"summary": {"rows": 0, "found": 0, "with_form": 0},
              "claims": {"rows": 0, "found": 0, "not_counted": 0, "as_claims": 0},
              "precision": {"proposed": 0, "matched": 0}, "misses": [], "extras": []}
    summary_at: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for f, line, row in located(summaries):
        summary_at[(f, line)].append(row)
        found = any(summary_match(p, row) for p in by_line[(f, line)])
        result["summary"]["rows"] += 1
        result["summary"]["found"] += found
        result["summary"]["with_form"] += any(summary_match(p, row) and p["form"] == row.get("form")
                                              for p in by_line[(f, line)])
        if not found:
            result["misses"].append(_miss("summary", row.get("value_id", ""), f, line,
                                          row.get("reported", ""), row.get("value", ""),
                                          by_line[(f, line)]))
    claim_at: dict[tuple[str, int], list[tuple[str, str]]] = defaultdict(list)
    for f, line, row in located(claims):
        parsed = parse_claim_text(row.get("claim", ""))
        if parsed:
            claim_at[(f, line)].append(parsed)
        else:  # a claim without a number ('not_recomputable'): the relations it prints
            claim_at[(f, line)] += printed_relations(row.get("reported", ""))
        if not parsed or (row.get("claim_basis") or "verbatim") != "verbatim":
            result["claims"]["not_counted"] += 1
            continue
        found = any(claim_match(p, parsed) for p in by_line[(f, line)])
        result["claims"]["rows"] += 1
        result["claims"]["found"] += found
        result["claims"]["as_claims"] += any(claim_match(p, parsed) and p["table"] == "claims"
                                             for p in by_line[(f, line)])
        if not found:
            result["misses"].append(_miss("claim", row.get("claim_id", ""), f, line,
                                          row.get("reported", ""), row.get("claim", ""),
                                          by_line[(f, line)]))
    spans: dict[str, tuple[int, int]] = {}
    for f, line, _ in list(located(summaries)) + list(located(claims)):
        lo, hi = spans.get(f, (line, line))
        spans[f] = (min(lo, line), max(hi, line))
    for f, rows in proposals.items():
        if f not in spans:
            continue
        lo, hi = spans[f]
        for p in rows:
            if not lo <= p["source_line"] <= hi:
                continue
            at = (f, p["source_line"])
            ok = (any(summary_match(p, r) for r in summary_at[at])
                  or any(claim_match(p, c) for c in claim_at[at]))
            result["precision"]["proposed"] += 1
            result["precision"]["matched"] += ok
            if not ok:
                result["extras"].append({"source_file": f, "source_line": p["source_line"],
                                         "form": p["form"], "reported": p["reported"],
                                         "value": p["value"]})
    result["spans"] = {f: list(s) for f, s in spans.items()}
    _finish(result)
    return result


def _miss(kind, ident, f, line, reported, value, proposals) -> dict:
    return {"kind": kind, "id": ident, "source_file": f, "source_line": line, "reported": reported,
            "value": value, "proposed_on_line": [f"{p['form']}:{p['value']}" for p in proposals]}


def _finish(result: dict) -> None:
    result["summary"]["recall"] = _ratio(result["summary"]["found"], result["summary"]["rows"])
    result["claims"]["recall"] = _ratio(result["claims"]["found"], result["claims"]["rows"])
    prec = result["precision"]
    prec["precision"] = _ratio(prec["matched"], prec["proposed"])


def evaluate(studies_root: Path, papers_dir: Path) -> dict:
    """Recall (summary rows, verbatim claim rows) and precision per study with a
    summaries.csv under ``studies_root``, and overall."""
    studies_root, papers_dir = Path(studies_root), Path(papers_dir)
    out: dict = {"studies": {}}
    overall = {"summary": {"rows": 0, "found": 0, "with_form": 0},
               "claims": {"rows": 0, "found": 0, "not_counted": 0, "as_claims": 0},
               "precision": {"proposed": 0, "matched": 0}}
    for study_dir in sorted(p for p in studies_root.iterdir() if (p / "summaries.csv").is_file()):
        res = evaluate_study(study_dir, papers_dir)
        out["studies"][study_dir.name] = res
        for part, counts in overall.items():
            for k in counts:
                counts[k] += res[part][k]
    _finish(overall)
    out["overall"] = overall
    return out


# --------------------------------------------------------------------------- command line
def _pct(x: float | None) -> str:
    return "   n/a" if x is None else f"{100 * x:5.1f}%"


def format_table(result: dict) -> str:
    head = (f"{'study':<12} {'summary recall':>22} {'claim recall (verbatim)':>26} "
            f"{'precision (in span)':>24}   {'found with form':>16} {'claims as claims':>17}")
    lines = [head, "-" * len(head)]
    for name, res in [*result["studies"].items(), ("overall", result["overall"])]:
        s, c, p = res["summary"], res["claims"], res["precision"]
        lines.append(f"{name:<12} {_pct(s['recall']):>8} {s['found']:>5}/{s['rows']:<5} "
                     f"{_pct(c['recall']):>12} {c['found']:>5}/{c['rows']:<5} "
                     f"{_pct(p['precision']):>10} {p['matched']:>5}/{p['proposed']:<5}"
                     f"   {s['with_form']:>10}/{s['found']:<5} {c['as_claims']:>11}/{c['found']:<5}")
    return "\n".join(lines)


def format_misses(result: dict) -> str:
    out = []
    for name, res in result["studies"].items():
        for m in res["misses"]:
            out.append(f"{name} {m['kind']:<7} {m['id']:<16} {m['source_file']}:{m['source_line']:<4} "
                       f"{m['reported']!r} -> {m['value']!r}; proposed: {', '.join(m['proposed_on_line']) or '-'}")
    return "\n".join(out)


def format_extras(result: dict) -> str:
    return "\n".join(f"{name} {e['source_file']}:{e['source_line']:<4} {e['form']:<16} "
                     f"{e['reported']!r} -> {e['value']!r}"
                     for name, res in result["studies"].items() for e in res["extras"])


class DraftError(Exception):
    pass


def check_out_path(out: Path, raw_dirs: Iterable[Path]) -> Path:
    """Refuse any output inside a raw/ folder: the draft is never a transcription."""
    target = Path(out).resolve()
    for raw in raw_dirs:
        raw = Path(raw).resolve()
        if target == raw or raw in target.parents:
            raise DraftError(f"{out}: the draft is not written into {raw} (raw/ holds only "
                             "checked hand transcriptions); choose a path outside it")
    return target


def to_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "numbers": ";".join(row["numbers"]),
                         "cell": "" if row.get("cell") is None else row["cell"]})
    return buf.getvalue()


def draft_study(study: str, papers_dir: Path | None, raw_dir: Path, papers: list[Path] | None = None,
                *, thresholds: bool = False) -> list[dict]:
    """Proposals for a study: its ``papers`` if given (paths), else the files its config
    names (``paper_files``) and the source_file values of raw/<study>/*.csv, looked up in
    ``papers_dir`` if given, else in the study's own papers_dir, else the shared one."""
    if papers:
        paths = [Path(p) for p in papers]
    else:
        study_dir = Path(raw_dir) / study
        configured, own_dir = study_config(study, raw_dir)
        if not study_dir.is_dir() and not configured:
            raise DraftError(f"{study_dir}: no such study; give its paper with --paper PATH")
        names = configured + [n for n in (paper_files(study_dir) if study_dir.is_dir() else [])
                              if n not in configured]
        if not names:
            raise DraftError(f"{study_dir}: no paper_files in its config and no source_file in its CSV "
                             "files; give --paper PATH")
        folder = papers_dir or own_dir or default_papers_dir()
        paths = [Path(folder) / name for name in names]
    rows = []
    for path in paths:
        if not path.is_file():
            raise DraftError(f"{path}: paper text not found (set --papers or REANALYSIS_SHARED)")
        rows += propose(path.read_text(encoding="utf-8").splitlines(), path.name, thresholds=thresholds)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reanalysis.onboarding.draft",
                                     description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("draft", help="propose rows for a study's paper(s)")
    d.add_argument("study")
    d.add_argument("--paper", action="append", type=Path,
                   help="a paper text file (repeatable); default: the source_file values in raw/<study>/*.csv")
    e = sub.add_parser("evaluate", help="recall and precision against the hand transcriptions")
    e.add_argument("--misses", action="store_true", help="also list every transcribed row not found")
    e.add_argument("--extras", action="store_true", help="also list proposals that match no row")
    e.add_argument("--json", type=Path, help="write the full result as JSON (outside raw/)")
    for p in (d, e):
        p.add_argument("--papers", type=Path, default=None,
                       help="folder of paper texts (default: $REANALYSIS_SHARED/papers or ../shared/papers)")
        p.add_argument("--raw", type=Path, default=default_raw_dir(), help="transcriptions (default: raw/)")
    d.add_argument("--out", type=Path, help="write the proposals as CSV here (never inside raw/)")
    d.add_argument("--thresholds", action="store_true",
                   help="also propose thresholds such as '< 7.0%%' (criteria, definitions)")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:2] == ["draft", "evaluate"]:  # from the project CLI: python -m reanalysis draft evaluate
        argv = argv[1:]
    args = parser.parse_args(argv)
    guarded = [args.raw, default_raw_dir()]
    try:
        if args.command == "draft":
            if args.out:
                check_out_path(args.out, guarded)
            text = to_csv(draft_study(args.study, args.papers, args.raw, args.paper,
                                      thresholds=args.thresholds))
            if args.out:
                args.out.parent.mkdir(parents=True, exist_ok=True)
                args.out.write_text(text, encoding="utf-8")
                print(f"wrote {text.count(chr(10)) - 1} proposed rows to {args.out}")
            else:
                sys.stdout.write(text)
            return 0
        if args.json:
            check_out_path(args.json, guarded)
        result = evaluate(args.raw, args.papers or default_papers_dir())
        print(format_table(result))
        if args.misses:
            print("\nmisses (transcribed rows the draft did not propose):")
            print(format_misses(result) or "none")
        if args.extras:
            print("\nextras (proposals on transcribed spans matching no row):")
            print(format_extras(result) or "none")
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return 0
    except (DraftError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
