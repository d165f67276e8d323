"""Where a text prints a test result: statcheck 1.6.0's APA grammar, and a broader one.

A result is a test statistic with its degrees of freedom and its p (or ``ns``), e.g.
``t(28) = 2.20, p = .03``. Both grammars run on the repaired text (``text.normalise``),
so a result split across lines or printed with PDF artefacts is read whole; where the
printed text had to be read (a minus sign, a letter for a digit, a sample size for a df),
the reading is one of the result's ``notes``.

**APA** (``apa_only=True``, statcheck 1.6.0's defaults, as its extraction tests fix them):
labels ``t r F Q Qw Qb z Z`` and chi-square as ``chi2``, ``chi_2``, ``χ2``, ``χ``, ``X2``,
``x2`` (case-sensitive: ``T(28)`` is not a t); df in round brackets (t, r, Q: one; F: two,
``l`` or ``I`` read as 1; chi-square: one, optionally with ``, N = 129``; z: none); at most
one space between parts; ``= < >`` (not ``>=``) before the statistic, up to three
non-alphanumeric characters right before its digits read as a minus sign (``%^&2.20``: a
PDF's garbled minus; one followed by a space makes the number unreadable); a comma, then
``p = .03``, ``p < 0.001``, ``p = .5e-3`` (lower-case p, a decimal point required) or
``ns``/``n.s.``. r outside [-1, 1], a negative F, chi-square or Q, and a p above 1 drop
the result, as in statcheck.

**Broad** (the default): everything APA reads, and: brackets ``[ ]`` or ``{ }`` or none
(``t28``, ``F2,28``); ``df = 28`` or ``DF = 3`` inside the brackets, or after the statistic
(``t = 2.1, df = 28, p = 0.04``, ``χ2 = 4.12, df = 1, p = .042``, ``F = 3.2, df = 2, 28``);
``r(N = 95)`` (df = N - 2); ``chi-square``/``chi-squared``/``Chi2`` as labels; any
spacing, and stray spaces around a decimal point (``9.   42``, ``p < . 001``); leading dots
before a number (``=..1.84``); a minus printed with a space (``= − 4.46``); ``;``, ``:``,
``|`` (a flattened table) or an opening bracket (``t(28) = 2.20 (p = .03)``) before the p;
up to two fields between statistic and p (``MSE = 236``, an effect size ``d = 0.41``,
``η2 = .12``, a ``95% CI [0.1, 0.9]``); ``P``, ``p-value``, ``P value``; ``NS``, ``N.S.``;
p in exponent form (``p = 2.3 × 10-5``, ``p = 1e-4``).

Not read by either (each would be a guess): a p in its own table column without ``p``;
a statistic without its df (``r = 0.41, p < .001``, ``t = 2.1, p = .04``); decimal commas
(``t = 2,20``); ``p ≤ .05`` and ``p ≥ .05``; ``T``, ``R``, ``ρ``, ``H``, ``U``, ``W``, ``G2``
and other statistics statcheck does not know; one p shared by several statistics.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from reanalysis.engine.statcheck import ReportedTest

# ------------------------------------------------------------------------------- labels

_LOOK_BEHIND = r"(?<![A-Za-z0-9_])"
_APA_CHI2 = r"[cC]hi\s?[_^]?\s?2|[χΧ]\s?\^?\s?2|[χΧ]|[xX]\s?\^?\s?2"
_BROAD_CHI2 = r"(?i:chi)[\s-]?squared?|(?i:chi)\s?-\s?2|(?i:chi)\s?[_^]?\s?2|[χΧ]\s*\^?\s*2|[χΧ]|[xX]\s?\^?\s?2"


def _labels(chi2: str, w: str) -> re.Pattern:
    return re.compile(
        _LOOK_BEHIND + rf"(?:(?P<Chi2>{chi2})|(?P<Qw>Q{w}-?{w}(?:within|Within|w|W))"
        rf"|(?P<Qb>Q{w}-?{w}(?:between|Between|b|B))|(?P<Q>Q)|(?P<t>t)|(?P<r>r)|(?P<F>F)|(?P<Z>[zZ]))")


# ------------------------------------------------------------------------------- numbers

_DF = r"\d*\.?\d+"
_N = r"\d{1,3}(?:,\d{3})+|\d+"
_APA_VALUE = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d*\.?\d+"
_BROAD_VALUE = r"\d{1,3}(?:,\d{3})+(?:\s*\.\s*\d+)?|\d+(?:\s*\.\s*\d+)?|\.\s*\d+"
_EXPONENT = r"(?:\s*(?:[eE]\s*[-+]?\s*\d+|[x×*·⋅]\s*10\s*\^?\s*[-+]?\s*\d+))"
_APA_P = r"\d?\.\d+(?:[eE]-?\d+)?"
_BROAD_P = rf"(?:\d\s*)?\.\s*\d+{_EXPONENT}?|\d{_EXPONENT}"
_DF_WORD = r"(?:d\.?\s?f\.?|DF)\s*[=:]?\s*"

# ------------------------------------------------------------------------------- APA grammar

_APA = {
    "one": re.compile(rf"\s?\(\s?(?P<d>{_DF})\s?\)"),
    "F": re.compile(rf"\s?\(\s?(?P<d1>{_DF}|[lI])\s?,\s?(?P<d2>{_DF})\s?\)"),
    "Chi2": re.compile(rf"\s?\(\s?(?P<d>{_DF})\s?(?:,\s?[Nn]\s?=\s?(?:{_N})\s?)?\)"),
    "value": re.compile(r"\s?(?P<tcmp>[<>=])\s?(?P<junk>[^a-zA-Z\d.\s<>=]{1,3})?"
                        rf"(?P<v>{_APA_VALUE})\s?,\s?"),
    "p": re.compile(r"(?:(?<![a-z])(?P<ns>n\.s\.?|ns)(?![A-Za-z])"
                    rf"|(?<![A-Za-z])p\s?(?P<pcmp>[<>=])\s?(?P<p>{_APA_P}))"),
}

# ------------------------------------------------------------------------------- broad grammar

_OPEN, _CLOSE = r"[(\[{]", r"[)\]}]"
_SEP = r"(?:\s*[,;:|(]\s*|\s+)"
_FIELD = (r"(?:(?:MSE|MS|SEM|SE|SD|(?:Cohen['’]s\s?)?d|g|(?:partial\s?)?η\s?p?\s?2|ω\s?2|[Rr]\s?2)"
          r"\s*=\s*-?(?:" + _BROAD_VALUE + r")"
          r"|\d{2}\s?%\s?CI\s*[:=]?\s*[\[(]?\s*-?(?:" + _BROAD_VALUE + r")\s*(?:,|to|-)\s*-?(?:"
          + _BROAD_VALUE + r")\s*[\])]?)")
_BROAD = {
    "one": re.compile(rf"\s*{_OPEN}\s*(?:{_DF_WORD})?(?P<d>{_DF})\s*(?:[,;]\s*[Nn]\s*=\s*(?:{_N})\s*)?{_CLOSE}"),
    "r_n": re.compile(rf"\s*{_OPEN}\s*[Nn]\s*=\s*(?P<n>\d+)\s*{_CLOSE}"),
    "F": re.compile(rf"\s*{_OPEN}\s*(?:{_DF_WORD})?(?P<d1>{_DF}|[lI])\s*[,;/]\s*(?:{_DF_WORD})?"
                    rf"(?P<d2>{_DF})\s*{_CLOSE}"),
    "bare_t": re.compile(r"(?P<d>\d+(?:\.\d+)?)"),
    "bare_F": re.compile(r"(?P<d1>\d+)\s?,\s?(?P<d2>\d+)"),
    "value": re.compile(r"\s*(?P<tcmp>[<>=])(?![<>=])\s*(?:(?P<junk>[^a-zA-Z\d.\s<>=,;()\[\]{}|]{1,3})\s*)?"
                        rf"(?P<dots>\.{{1,2}}(?=\d+\s*\.\s*\d))?(?P<v>{_BROAD_VALUE})"),
    "after": re.compile(rf"{_SEP}(?:\(\s*)?{_DF_WORD}(?P<da>{_DF})(?:\s*[,/]\s*(?P<da2>{_DF}))?\s*\)?"),
    "rest": re.compile(rf"{_SEP}(?:{_FIELD}{_SEP}){{0,2}}"
                       r"(?:(?<![A-Za-z])(?P<ns>n\.s\.?|ns|N\.S\.?|NS)(?![A-Za-z])"
                       rf"|(?<![A-Za-z])[pP](?:\s?-?\s?values?)?\s*(?P<pcmp>[<>=])(?![<>=])\s*(?P<p>{_BROAD_P}))"),
}

_LABELS = {True: _labels(_APA_CHI2, r"\s?"), False: _labels(_BROAD_CHI2, r"\s*")}


@dataclass(frozen=True)
class Found:
    """One result: the statcheck reading (``test``), where it lies in the repaired text
    ([start, end), from its label to the end of its p) and the readings its print needed."""

    test: ReportedTest
    start: int
    end: int
    notes: tuple[str, ...] = ()


def _number(text: str) -> tuple[str, list[str]]:
    """A printed number without thousands separators and stray spaces, and what was removed."""
    notes = []
    if re.search(r"\d,\d", text):
        notes.append(f"'{text}': ',' read as a thousands separator")
        text = text.replace(",", "")
    if re.search(r"\s", text):
        notes.append(f"'{text}': spaces inside the number ignored")
        text = re.sub(r"\s+", "", text)
    return text, notes


def _p_text(text: str) -> tuple[str, list[str]]:
    """A printed p as a number statcheck.py reads ('2.3 × 10-5' -> '2.3e-5')."""
    m = re.fullmatch(r"(?P<m>[\d.\s]+?)\s*[x×*·⋅]\s*10\s*\^?\s*(?P<e>[-+]?\s*\d+)", text)
    if m:
        p = re.sub(r"\s+", "", f"{m.group('m')}e{m.group('e')}")
        return p, [f"'{text}' read as {p}"]
    return _number(text)


def _df_value(text: str, notes: list[str]) -> float:
    if text in ("l", "I"):
        notes.append(f"df '{text}' read as 1 (a typeset 1)")
        return 1.0
    return float(text)


def _parse(text: str, label: re.Match, apa: bool) -> Found | None:
    """The result whose label is ``label``, or None when what follows is not one."""
    g = _APA if apa else _BROAD
    kind = label.lastgroup
    pos, notes = label.end(), []
    df1 = df2 = None
    if kind == "F":
        m = g["F"].match(text, pos) or (None if apa else g["bare_F"].match(text, pos))
        if m is not None:
            df1, df2, pos = _df_value(m.group("d1"), notes), float(m.group("d2")), m.end()
    elif kind != "Z":
        m = g["Chi2" if apa and kind == "Chi2" else "one"].match(text, pos)
        if m is None and not apa:
            m = g["r_n"].match(text, pos) if kind == "r" else None
            if m is not None:
                df2 = float(int(m.group("n")) - 2)
                notes.append(f"df read as N - 2 = {int(df2)} from N = {m.group('n')}")
                pos = m.end()
                m = None
            elif kind == "t":
                m = g["bare_t"].match(text, pos)
        if m is not None:
            df2, pos = float(m.group("d")), m.end()
    value = g["value"].match(text, pos)
    if value is None:
        return None
    pos = value.end()
    if not apa:
        after = g["after"].match(text, pos)
        if after is not None and kind != "Z" and df2 is None:
            if kind == "F":
                if after.group("da2") is None:
                    return None
                df1, df2 = float(after.group("da")), float(after.group("da2"))
            elif after.group("da2") is not None:
                return None
            else:
                df2 = float(after.group("da"))
            pos = after.end()
        rest = g["rest"].match(text, pos)
    else:
        rest = g["p"].match(text, pos)
    if rest is None:
        return None
    if (kind == "Z") != (df2 is None):
        return None                             # a z takes no df; every other test needs one
    if df2 <= 0 if df2 is not None else False:
        return None
    if df1 is not None and df1 <= 0:
        return None

    statistic, more = _number(value.group("v"))
    notes += more
    if value.groupdict().get("dots"):
        notes.append(f"'{value.group('dots')}' before the statistic dropped")
    junk = value.group("junk")
    if junk and junk != "+":
        statistic = statistic if statistic.startswith("-") else "-" + statistic
        if junk != "-":
            notes.append(f"'{junk}' before the statistic read as a minus sign")
    elif junk == "+":
        statistic = "+" + statistic
    if kind == "r" and abs(float(statistic)) > 1:
        return None
    if kind in ("F", "Chi2", "Q", "Qw", "Qb") and float(statistic) < 0:
        return None
    if rest.group("ns") is not None:
        comparison, p = "ns", None
    else:
        comparison = rest.group("pcmp")
        p, more = (rest.group("p"), []) if apa else _p_text(rest.group("p"))
        notes += more
        if float(p) > 1:
            return None
    one = kind in ("t", "r", "Q", "Qw", "Qb", "Chi2")
    if one:
        df1, df2 = (None, df2) if kind in ("t", "r") else (df2, None)
    test = ReportedTest(test_type=kind, df1=df1, df2=df2, statistic=statistic, comparison=comparison,
                        p=p, text=text[label.start():rest.end()], test_comparison=value.group("tcmp"))
    return Found(test, label.start(), rest.end(), tuple(notes))


def find_results(text: str, apa_only: bool = False) -> list[Found]:
    """Every result in ``text`` (already repaired), left to right, none overlapping."""
    labels = _LABELS[apa_only]
    out, pos = [], 0
    while True:
        label = labels.search(text, pos)
        if label is None:
            return out
        found = _parse(text, label, apa_only)
        if found is None:
            pos = label.start() + 1
        else:
            out.append(found)
            pos = found.end


_P_ONLY = {True: re.compile(r"(?:(?<![a-z])(?P<ns>n\.s\.?|ns)(?![A-Za-z])"
                            rf"|(?<![A-Za-z])p\s?(?P<pcmp>[<>=])\s?(?P<p>{_APA_P}))"),
           False: re.compile(r"(?:(?<![A-Za-z])(?P<ns>n\.s\.?|ns|N\.S\.?|NS)(?![A-Za-z])"
                             rf"|(?<![A-Za-z])[pP](?:\s?-?\s?values?)?\s*(?P<pcmp>[<>=])(?![<>=])\s*"
                             rf"(?P<p>{_BROAD_P}))")}


@dataclass(frozen=True)
class FoundP:
    """A printed p on its own (statcheck's ``AllPValues``): ``comparison`` is = < > or ns."""

    comparison: str
    p: str | None
    start: int
    end: int


def find_p_values(text: str, apa_only: bool = False) -> list[FoundP]:
    """Every printed p-value (and ``ns``), with or without a test statistic."""
    out = []
    for m in _P_ONLY[apa_only].finditer(text):
        if m.group("ns") is not None:
            out.append(FoundP("ns", None, m.start(), m.end()))
            continue
        p = m.group("p") if apa_only else _p_text(m.group("p"))[0]
        if float(p) <= 1:
            out.append(FoundP(m.group("pcmp"), p, m.start(), m.end()))
    return out
