"""A paper's text as the scan reads it: plain text, PDF (pypdf) or HTML, and a repaired copy
with a map back to the printed characters.

The repairs are those PDF extraction makes necessary; each is named in the note of every
result it touches, and the exact printed text is always taken from the original:

- compatibility forms (Unicode NFKC): ligatures (``ﬁ`` -> ``fi``), superscripts
  (``χ²`` -> ``χ2``, ``10⁻⁵`` -> ``10-5``), full-width and small forms of ``< = >``,
  non-breaking and thin spaces;
- minus signs printed as U+2212, an en dash or a Unicode hyphen -> ``-``;
- ``˂`` and ``˃`` (U+02C2, U+02C3, modifier arrowheads) -> ``<`` and ``>``;
- soft hyphens and zero-width characters dropped;
- line breaks read as spaces, so a result split across lines is read whole.
"""
from __future__ import annotations

import html.parser
import unicodedata
from dataclasses import dataclass
from pathlib import Path

# what each repaired character stands for, and the note it leaves
_MINUS = {"\u2212": "U+2212 minus", "\u2013": "en dash", "\u2010": "Unicode hyphen",
          "\u2011": "non-breaking hyphen", "\u2012": "figure dash", "\ufe63": "small hyphen-minus",
          "\uff0d": "full-width hyphen-minus"}
_SPECIAL = {**{c: ("-", f"{name} read as '-'") for c, name in _MINUS.items()},
            "\u02c2": ("<", "'\u02c2' (U+02C2) read as '<'"),
            "\u02c3": (">", "'\u02c3' (U+02C3) read as '>'"),
            "\u00ad": ("", "soft hyphen dropped"), "\u200b": ("", "zero-width space dropped"),
            "\u200c": ("", "zero-width character dropped"), "\u200d": ("", "zero-width character dropped"),
            "\ufeff": ("", "byte-order mark dropped")}
LINE_BREAK = "line break read as a space"


@dataclass(frozen=True)
class Normalised:
    """``text`` (repaired, one line) with, for each of its characters, the index of the
    printed character it comes from (``origin``) and the repair made there (``repair``,
    empty where none)."""

    text: str
    origin: tuple[int, ...]
    repair: tuple[str, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The printed characters [start, end) of the repaired characters [start, end)."""
        return self.origin[start], self.origin[end - 1] + 1

    def repairs(self, start: int, end: int) -> list[str]:
        """The repairs made inside [start, end), each named once, in order."""
        return list(dict.fromkeys(r for r in self.repair[start:end] if r))


def normalise(text: str) -> Normalised:
    out, origin, repair = [], [], []
    for i, ch in enumerate(text):
        if ch in "\n\r":
            new, why = " ", LINE_BREAK
        elif ch in _SPECIAL:
            new, why = _SPECIAL[ch]
        elif ch.isascii():
            new, why = ch, ""
        else:
            new = unicodedata.normalize("NFKC", ch)
            new = "".join(_SPECIAL.get(c, (c, ""))[0] for c in new)
            why = "" if new == ch else f"'{ch}' read as '{new}'"
            if new.isspace():
                new, why = " ", ""
        for c in new:
            out.append(c)
            origin.append(i)
            repair.append(why)
    return Normalised("".join(out), tuple(origin), tuple(repair))


# --- reading files ---------------------------------------------------------------------

class _Text(html.parser.HTMLParser):
    """An HTML page's visible text: block elements start a new line, table cells are
    separated by ' | ', scripts and styles are skipped, entities decoded."""

    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
              "article", "blockquote", "pre", "caption", "figcaption", "dt", "dd", "ul", "ol", "hr"}
    CELLS = {"td", "th"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag in self.CELLS:
            self.parts.append(" | ")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data.replace("\n", " "))


def html_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    return "\n".join(line for line in lines if line) + "\n"


def pdf_text(path: Path) -> str:
    """The text of every page (pypdf's extraction), pages one after another."""
    import pypdf  # only where a PDF is read

    try:
        reader = pypdf.PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (pypdf.errors.PdfReadError, OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot read this PDF ({exc})") from None
    return "\n".join(p.rstrip("\n") for p in pages) + "\n"


SUFFIXES = {".txt": "text", ".text": "text", ".md": "text", ".pdf": "pdf", ".html": "html", ".htm": "html"}


def read_text(path: str | Path) -> str:
    """A file's text by its suffix (.txt, .md, .pdf, .html, .htm); ValueError otherwise or
    when it cannot be read."""
    path = Path(path)
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ValueError(f"{path}: cannot scan a '{path.suffix}' file; scan reads "
                         f"{', '.join(sorted(SUFFIXES))}")
    if not path.is_file():
        raise ValueError(f"{path}: file not found")
    if kind == "pdf":
        return pdf_text(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return html_text(raw) if kind == "html" else raw
