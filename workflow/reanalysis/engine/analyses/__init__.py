"""The registry of analyses of patient-level studies: one module an analysis (or a family
whose computation is one function: the descriptive statistics).

Each module declares its analyses with :func:`register`: the config fields of its checks (a
JSON-schema fragment that the study schema composes, so a field is valid only for the
analyses that use it), which rows of the patient table it reads (``rows``, a key of
:data:`ROWS`: one subset narrowed by ``where``, or two subsets compared), the methods a
study may list for it, its note, and its computation on pandas Series, which returns
``({statistic: value}, method text)``. The audit (``audit/patient_level.py``) selects the
rows, from the study's groupings, and dispatches through this registry. The modules are
found when this package is imported, so a new analysis is one new file.

May import: the engine's maths and pandas, numpy, scipy, pingouin; never the designs, the
ledger, the findings or any output (tests/test_layout.py).
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

# Results of decimal data carry float noise (8.3 - 7.8 = 0.5000000000000009), which would
# break ties in rank tests; the data have far fewer than 10 decimals.
DERIVED_DECIMALS = 10
SUBSET_REF = {"type": "string"}   # `all`, or <grouping>.<group> (audit.patient_level.validate_checks)
# The rows an analysis reads, with the config fields that select them (added to its own):
# the audit's patient_level has one reader for each.
ROWS = {
    "subset": {"subset": SUBSET_REF, "where": {"type": "object"}},   # one subset, narrowed by `where`
    "two_groups": {"group_a": SUBSET_REF, "group_b": SUBSET_REF},    # two subsets compared
    "none": {},   # no rows: it computes nothing per variant (it reads the ledger's other rows)
}


@dataclass(frozen=True)
class Analysis:
    """One analysis of patient-level studies, as its module declares it."""

    name: str
    note: str                   # what it computes, in one line
    # (spec, method, *frames) -> ({statistic: value}, method text): one frame per subset that
    # `rows` reads (the subset; or group_a's and group_b's rows); None where rows is "none"
    run: Callable | None
    rows: str                   # which rows it reads: a key of ROWS
    fields: dict                # its own config fields: JSON-schema properties
    required: tuple = ()        # fields a check of this analysis must set
    methods: tuple = ()         # the methods a study may list for it (`methods: {<name>: ...}`)

    @property
    def computes(self) -> bool:
        return self.rows != "none"


ANALYSES: dict[str, Analysis] = {}


def register(name: str, **declared) -> Callable:
    """Decorate an analysis's computation, ``run(spec, method, *frames)`` (None for an analysis
    that computes nothing per variant), to register the analysis."""
    def add(run: Callable | None) -> Callable | None:
        if name in ANALYSES:
            raise ValueError(f"analysis {name!r} registered twice")
        analysis = Analysis(name=name, run=run, **declared)
        if analysis.rows not in ROWS:
            raise ValueError(f"analysis {name!r}: unknown rows {analysis.rows!r}; known: {', '.join(ROWS)}")
        if (run is None) == analysis.computes:
            raise ValueError(f"analysis {name!r}: a computation exactly where it reads rows")
        ANALYSES[name] = analysis
        return run
    return add


class _NoComputation:
    """The analyses that compute nothing per variant (``name in META_ANALYSES``), read from the
    registry when asked."""

    def __contains__(self, name) -> bool:
        return name in ANALYSES and not ANALYSES[name].computes

    def __iter__(self):
        return iter(sorted(name for name in ANALYSES if name in self))


META_ANALYSES = _NoComputation()

# Fields every analysis has. An alternative is itself a check, of any analysis.
_COMMON = {"analysis": {"enum": None}, "statistic": {"type": "string"}, "method": {"type": "string"},
           "alternatives": {"type": "object", "additionalProperties": {"$ref": "#/$defs/check"}}}
ANALYSIS_KEY = "x-patient-analysis"   # marks an analysis's schema, so that an error can name it


def _fields(analysis: Analysis) -> dict:
    return {**_COMMON, "analysis": {"enum": sorted(ANALYSES)}, **ROWS[analysis.rows], **analysis.fields}


def schema_defs() -> dict:
    """The study schema's patient-level `check` composed of every analysis's fragment (a check
    may set only its analysis's fields), and `patient_methods`, the methods a study may list
    for each analysis that has them."""
    defs = {}
    for name, analysis in sorted(ANALYSES.items()):
        required = ["analysis", *(["statistic"] if analysis.computes else []), *analysis.required]
        defs[f"analysis_{name}"] = {"type": "object", "additionalProperties": False, ANALYSIS_KEY: name,
                                    "required": required, "properties": _fields(analysis)}
    defs["check"] = {
        "type": "object", "required": ["analysis"], "properties": {"analysis": {"enum": sorted(ANALYSES)}},
        "allOf": [{"if": {"properties": {"analysis": {"const": name}}, "required": ["analysis"]},
                   "then": {"$ref": f"#/$defs/analysis_{name}"}} for name in sorted(ANALYSES)]}
    defs["patient_methods"] = {
        "type": "object", "additionalProperties": False,
        "properties": {name: {"type": "object", "required": ["as_reported"],
                              "additionalProperties": {"enum": list(analysis.methods)}}
                       for name, analysis in sorted(ANALYSES.items()) if analysis.methods}}
    return defs


def analyses_using(field: str) -> list[str]:
    """The analyses whose config has ``field``."""
    return [name for name, analysis in sorted(ANALYSES.items()) if field in _fields(analysis)]


def _discover() -> None:
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        if not module.startswith("_"):
            importlib.import_module(f"{__name__}.{module}")


_discover()
