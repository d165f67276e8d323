"""Strict reading of the transcribed tables in ``raw/``.

Every value is read as the text it was transcribed as, then converted by the
column's declared type and checked against the column's rules. Anything that
does not fit raises :class:`InputError`, whose message names the file, the row,
the column, the value and the rule it breaks. Nothing is coerced silently.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from reanalysis.engine.rounding import NumberFormatError, parse_claim, parse_number
from reanalysis.errors import InputError

# Keys of a column specification that are ours rather than JSON Schema's.
_OWN_KEYS = {"type", "required", "unique", "description", "nullable"}


def gather(errors: list | None, func, *args):
    """``func(*args)``. Given a list ``errors``, an InputError is appended to it and None
    returned instead of raised: how ``check`` reports every fault of a study, not the
    first only. Without a list (the pipeline) the first error stops the run."""
    if errors is None:
        return func(*args)
    try:
        return func(*args)
    except InputError as exc:
        errors.append(exc)
        return None


def load_schema(path: Path) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _read_text(path: Path) -> str:
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found", rule="the file must exist")
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raise InputError(path, "file starts with a byte-order mark (BOM)",
                         rule="UTF-8 without BOM")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not valid UTF-8 at byte {exc.start}", rule="UTF-8") from None
    if not text.strip():
        raise InputError(path, "file is empty", rule="a header row and at least one data row")
    return text


def _convert(kind: str, text: str):
    """Convert transcribed text by declared type; raise ValueError with the reason."""
    if kind == "string":
        return text
    if kind == "integer":
        number = parse_number(text)
        if number.value != number.value.to_integral_value() or "." in text or "e" in text.lower():
            raise NumberFormatError(f"{text!r}: not a whole number")
        return int(number.value)
    if kind == "number":
        return float(parse_number(text).value)
    if kind == "claim":
        parse_claim(text)
        return text
    raise ValueError(f"unknown column type {kind!r} in schema")


def read_table(path: Path, schema: dict, errors: list | None = None) -> list[dict]:
    """Read and validate a CSV table against a column schema; return typed rows.

    Row numbers in errors count data rows from 1, with the file line in brackets. With a
    list ``errors``, a faulty row's error is appended there and the row left out (a
    fault of the file itself still raises).
    """
    path = Path(path)
    text = _read_text(path)
    columns: dict = schema["columns"]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = _read_header(path, text, reader, columns)
    read_row = _RowReader(path, header, columns)
    rows, records = [], 0
    for index, record in enumerate(reader, start=1):
        records += 1
        row = gather(errors, read_row, record, f"{index} (line {reader.line_num})")
        if row is not None:
            rows.append(row)
    if not records:
        raise InputError(path, "no data rows", rule="at least one data row")
    return rows


def _read_header(path: Path, text: str, reader, columns: dict) -> list[str]:
    """The header row, read from ``reader``: comma-separated, every column known, every
    required one there, none twice."""
    header_line = text.splitlines()[0]
    if "," not in header_line and (";" in header_line or "\t" in header_line):
        raise InputError(path, "header is not comma-separated", row="header",
                         value=header_line, rule="comma-delimited CSV")
    header = next(reader)
    unknown = [c for c in header if c not in columns]
    if unknown:
        raise InputError(path, "unknown column", row="header", column=unknown[0],
                         rule=f"allowed columns: {', '.join(columns)}")
    missing = [c for c, spec in columns.items() if spec.get("required", True) and c not in header]
    if missing:
        raise InputError(path, "required column missing", row="header", column=missing[0],
                         rule=f"required columns: {', '.join(c for c, s in columns.items() if s.get('required', True))}")
    if len(set(header)) != len(header):
        dup = next(c for c in header if header.count(c) > 1)
        raise InputError(path, "column appears twice", row="header", column=dup, rule="unique column names")
    return header


class _RowReader:
    """Reads one data row of a table (called with the row's cells and where it is): every
    cell converted by its column's type and checked against its rules, and the unique ids
    remembered across rows."""

    def __init__(self, path: Path, header: list[str], columns: dict):
        import jsonschema  # here, not at the top: Snakemake imports this module on every no-op run

        self.path, self.header, self.columns = path, header, columns
        self.best_match = jsonschema.exceptions.best_match
        self.seen: dict[str, dict] = {c: {} for c, s in columns.items() if s.get("unique")}
        # one validator per column with rules, not one per cell
        self.validators = {}
        for column in header:
            rules = {k: v for k, v in columns[column].items() if k not in _OWN_KEYS}
            if rules:
                self.validators[column] = jsonschema.Draft202012Validator(rules)

    def __call__(self, record: list[str], where: str) -> dict:
        path, header = self.path, self.header
        if not record or all(not cell.strip() for cell in record):
            raise InputError(path, "blank line inside the table", row=where, rule="no blank rows")
        if len(record) != len(header):
            hint = " (an unquoted decimal comma splits a cell)" if len(record) > len(header) else ""
            raise InputError(path, f"has {len(record)} cells but the header has {len(header)}{hint}",
                             row=where, value=",".join(record), rule="same number of cells as the header")
        row = {column: self.cell(column, cell, where) for column, cell in zip(header, record)}
        self.claim_ids(record, where)
        for column in self.columns:
            row.setdefault(column, None)
        row["_where"] = where  # "3 (line 4)": where the row is, as every error names it
        return row

    def cell(self, column: str, cell: str, where: str):
        """One cell's value, converted by its column's type and checked against its rules."""
        spec = self.columns[column]
        if cell == "":
            if not spec.get("nullable", False):
                raise InputError(self.path, "empty cell", row=where, column=column, value=cell,
                                 rule="a value is required")
            return None
        try:
            value = _convert(spec.get("type", "string"), cell)
        except ValueError as exc:
            raise InputError(self.path, f"cannot read as {spec.get('type')}", row=where, column=column,
                             value=cell, rule=str(exc).split(": ", 1)[-1]) from None
        if column in self.validators:
            error = self.best_match(self.validators[column].iter_errors(value))
            if error is not None:
                raise InputError(self.path, "value breaks a rule", row=where, column=column, value=cell,
                                 rule=f"{error.validator} {error.validator_value!r}")
        return value

    def claim_ids(self, record: list[str], where: str) -> None:
        """Claim the row's unique ids (a row with a faulty cell claims none: it is called
        after every cell is read); a duplicate raises, naming the row of the first."""
        header, seen = self.header, self.seen
        ids = {c: record[header.index(c)] for c in seen if c in header and record[header.index(c)]}
        for column, cell in ids.items():
            if cell in seen[column]:
                raise InputError(self.path, f"duplicate id (first at row {seen[column][cell]})",
                                 row=where, column=column, value=cell, rule="unique")
        for column, cell in ids.items():
            seen[column][cell] = where
