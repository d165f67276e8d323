"""The registry of check kinds of summary-level studies: one module a kind.

Each module of this package (other than those starting with ``_``) declares one kind with
:func:`register`: its config fields (a JSON-schema fragment that the study schema composes,
so a field is valid only for the kinds that use it), the printed forms its inputs need,
the statistic a claim compares with, its computation over the rounding box, its note, and
its generator of synthetic cases with known truth for the validity benchmark (``synthetic``,
a :class:`Synthetic`; or ``no_synthetic``, why it has none). The modules are found when this
package is imported, so a new kind is one new file.

May import: the engine's maths (rounding, scrutiny, summary_stats, kgroup_stats,
feasibility, statcheck) and ``inputs`` for its errors; never the designs, the ledger, the
findings or any output (tests/test_layout.py).
"""
from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

from ._common import input_ids_of

# The cases the synthetic corpus (reanalysis.corpus.synth) offers a kind's generator: what its
# two-arm trial prints at a place and the simulated data behind it, by role (the keys of the
# ``ids`` and ``data`` a generator gets). One kind generates each case.
SYNTHETIC_CASES = {
    "arms_continuous": "the two arms' samples (data a, b: floats) of a continuous outcome at one visit, "
                       "each arm's printed mean ± SD (ids a, b); a p claimed",
    "arms_binary": "the two arms' yes/no outcome (data a, b: one boolean a patient), each arm's printed "
                   "n (%) (ids a, b); a p claimed",
    "within_arm": "one arm's continuous outcome at baseline and a later visit of the same patients (data "
                  "before, after), each printed mean ± SD (ids before, after); a p claimed",
    "total": "counts printed in rows (data parts: the counts; ids parts), their total claimed",
    "change": "one arm's continuous outcome at two visits (data a, b), each printed mean ± SD (ids a, "
              "b); the change of the mean from a to b claimed",
    "bounded_sample": "a sample of whole numbers (data a) printed as mean ± SD (id a) and its observed "
                      "range (id range); nothing claimed",
}


@dataclass(frozen=True)
class Synthetic:
    """A kind's generator of synthetic cases with known truth, for the validity benchmark.

    The truth is worked apart from the kind's computation (from the simulated data with numpy
    and scipy, or exactly from the printed digits), never through ``run`` or the engine's
    maths, so that the benchmark holds the engine to an independent truth. The corpus prints
    the rows; a generator says what check reads them and what its claim truly is, how a
    wrong p on that claim shows, and which impossible value of its own it can inject.
    """

    case: str                   # the case it generates: a key of SYNTHETIC_CASES
    # (rng, ids, data) -> (its check's config entry, the true value of the statistic its claim
    # compares with, or None where nothing is claimed); draws, if any, only from rng (seeded)
    generate: Callable
    # How a p printed wrongly on its claim shows, for the must-detect truth: exactly, since the
    # printed inputs fix the p (counts); when printed across alpha, the true p far from it (<= 0.02
    # or >= 0.1), whatever the inputs' rounding; or over a span (below).
    exact_p: bool = False
    flip_shows: bool = False
    # (spec, rows, interval) -> the smallest and largest p the printed inputs allow, where the p
    # also depends on something the paper does not print: rows[value_id] has ``parts``
    # (component -> printed text) and ``n``; interval(text) -> the values a printed number rounds from
    p_span: Callable | None = None
    unprinted: str = ""         # with p_span: what the p depends on that is not printed, in words
    # An impossible value of its own, injected into the row it judges (the kind's row_of):
    error: str = ""             # the corpus's name of that error
    # (rng, spec, rows) -> (component, its new unrounded value, why no data can have it)
    inject: Callable | None = None


@dataclass(frozen=True)
class Kind:
    """One check kind of summary-level studies, as its module declares it."""

    name: str
    note: str                       # what the kind checks, in one line
    run: Callable                   # (spec, rows, study) -> records (statistic, value, low, high, method, note)
    fields: dict                    # its own config fields: JSON-schema properties
    required: tuple = ()            # fields a check of this kind must set
    statistic: str | Callable = "p"  # the statistic a claim compares with, or spec -> it
    needs: tuple | Callable = ()    # components every input row prints, or (spec, ref, row) -> them
    reads_n: bool | Callable = False  # whether an input row needs an n, or (spec, ref) -> whether
    row_of: Callable | None = None  # spec -> the value_id whose integrity result the check is
    validate: Callable | None = None  # (name, spec, config_file) -> raises InputError
    inputs: Callable = input_ids_of  # spec -> the value_ids it reads
    # an impossibility check: the statistic of its result and the reviewer's name for it
    impossibility: tuple[str, str] | None = None
    # a check that determines a printed value from others: how it uses each input, in words
    # ("restated"); each claim on the check gives its verdict to the values it reads
    restates: str = ""
    # its p depends on an unknown correlation r and it prints the r above which p < each
    # level (statistics r_threshold_<level>): the ledger notes the r a claim needs
    r_thresholds: bool = False
    # commented examples in a new study's config stub: check name -> lines of a YAML flow mapping
    examples: dict = field(default_factory=dict)
    # its generator of synthetic cases for the validity benchmark, or why it has none
    synthetic: Synthetic | None = None
    no_synthetic: str = ""

    def claim_statistic(self, spec: dict) -> str:
        return self.statistic(spec) if callable(self.statistic) else self.statistic

    def components(self, spec: dict, ref: str, row) -> tuple:
        return self.needs(spec, ref, row) if callable(self.needs) else self.needs

    def needs_n(self, spec: dict, ref: str) -> bool:
        return self.reads_n(spec, ref) if callable(self.reads_n) else self.reads_n


KINDS: dict[str, Kind] = {}


def register(name: str, **declared) -> Callable:
    """Decorate a kind's computation, ``run(spec, rows, study)``, to register the kind."""
    def add(run: Callable) -> Callable:
        if name in KINDS:
            raise ValueError(f"check kind {name!r} registered twice")
        kind = Kind(name=name, run=run, **declared)
        if bool(kind.synthetic) == bool(kind.no_synthetic):
            raise ValueError(f"check kind {name!r} declares either `synthetic` (its generator of synthetic "
                             "cases) or `no_synthetic` (why it has none)")
        if kind.synthetic and kind.synthetic.case not in SYNTHETIC_CASES:
            raise ValueError(f"check kind {name!r}: unknown synthetic case {kind.synthetic.case!r}; "
                             f"known: {', '.join(SYNTHETIC_CASES)}")
        KINDS[name] = kind
        return run
    return add


def synthetic_kind(case: str) -> Kind:
    """The kind whose generator takes ``case`` (reanalysis.corpus.synth dispatches through it)."""
    found = [k for _, k in sorted(KINDS.items()) if k.synthetic and k.synthetic.case == case]
    if len(found) != 1:
        raise ValueError(f"synthetic case {case!r} is generated by {len(found)} check kinds "
                         f"({', '.join(k.name for k in found) or 'none'}); it needs exactly one")
    return found[0]


def kind_of(spec: dict) -> Kind:
    try:
        return KINDS[spec["kind"]]
    except KeyError:
        raise ValueError(f"unknown check kind {spec.get('kind')!r}") from None


def impossibility_checks() -> dict[str, str]:
    """The statistics of impossibility checks that kinds declare, with their reviewer's names."""
    return dict(k.impossibility for k in KINDS.values() if k.impossibility)


# Fields every kind has; an n reading for the kinds whose inputs need an n.
_COMMON = {"kind": {"enum": None}, "statistic": {"type": "string"}, "note": {"type": "string"}}
# n: "printed" takes each row's as-reported n; "stated" the n the paper states; "known" the
# stated n minus the block's Unknown count (known_values); a name from n_sets that reading.
# n_variants: other readings of n, each a labelled variant crossed with every alternative.
_N_FIELDS = {"n": {"type": "string"}, "n_variants": {"type": "array", "items": {"type": "string"}}}
KIND_KEY = "x-check-kind"   # marks a kind's schema, so that an error can name the kind (config.KIND_KEY)


def _fields(kind: Kind) -> dict:
    common = {**_COMMON, "kind": {"enum": sorted(KINDS)}}
    return {**common, **(_N_FIELDS if kind.reads_n else {}), **kind.fields}


def schema_defs() -> dict:
    """The study schema's `summary_check` composed of every kind's fragment: a check (and
    each of its alternatives, which override some of its fields) may set only its kind's
    fields."""
    defs = {}
    for name, kind in sorted(KINDS.items()):
        alternative = {"type": "object", "additionalProperties": False, KIND_KEY: name,
                       "properties": _fields(kind)}
        check = {**alternative, "properties": {**_fields(kind), "alternatives": {
            "type": "object", "propertyNames": {"pattern": "^[a-z0-9_]+$"},
            "additionalProperties": {"$ref": f"#/$defs/check_{name}_alternative"}}}}
        if kind.required:
            check["required"] = list(kind.required)
        defs[f"check_{name}"], defs[f"check_{name}_alternative"] = check, alternative
    defs["summary_check"] = {
        "type": "object", "required": ["kind"], "properties": {"kind": {"enum": sorted(KINDS)}},
        "allOf": [{"if": {"properties": {"kind": {"const": name}}, "required": ["kind"]},
                   "then": {"$ref": f"#/$defs/check_{name}"}} for name in sorted(KINDS)]}
    return defs


def kinds_using(field: str) -> list[str]:
    """The kinds whose config has ``field``."""
    return [name for name, kind in sorted(KINDS.items()) if field in _fields(kind)]


def example_lines() -> list[str]:
    """Every kind's examples, as the YAML comment lines of a config stub (scaffold)."""
    out = []
    for _, kind in sorted(KINDS.items()):
        for check, lines in kind.examples.items():
            out.append(f"#   {check + ':':<21}{lines[0]}")
            out += [f"#   {'':<22}{line}" for line in lines[1:]]
    return out


def _discover() -> None:
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        if not module.startswith("_"):
            importlib.import_module(f"{__name__}.{module}")


_discover()
