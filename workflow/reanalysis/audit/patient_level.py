"""Recomputation from patient-level tables, dispatched through the registry of analyses.

A *check* (from the config) names an analysis (reanalysis.engine.analyses: one module an
analysis, with its fields, the rows it reads and its computation), its columns, a subset and the
statistic a claim is compared with. :func:`expand_check` turns one check into its
variants: the subset under each reading of its grouping, times each method the study
lists for the analysis, plus any labelled alternatives. :func:`recompute` runs them
all and returns a long table with every statistic of every variant.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reanalysis.engine.analyses import ANALYSES, DERIVED_DECIMALS, META_ANALYSES
from reanalysis.errors import InputError
from reanalysis.inputs.tables import gather, load_schema, read_table

AS_REPORTED = "as_reported"
_COMPARE = {"gt": (operator.gt, ">"), "gte": (operator.ge, "≥"),
            "lt": (operator.lt, "<"), "lte": (operator.le, "≤")}


def load_patient_table(study: dict, errors: list | None = None) -> pd.DataFrame:
    """The study's table, validated against its schema, with derived columns added. With a
    list ``errors``, every faulty row's error is appended there and the row left out."""
    rows = read_table(Path(study["table"]), load_schema(Path(study["table_schema"])), errors)
    df = pd.DataFrame(rows).drop(columns="_where", errors="ignore")
    for name, spec in study.get("derived", {}).items():
        # rounded to DERIVED_DECIMALS: decimal data's float noise would break ties in rank tests
        if "difference" in spec:
            a, b = spec["difference"]
            df[name] = (df[a] - df[b]).round(DERIVED_DECIMALS)
        else:
            a, b = spec["mean"]
            df[name] = ((df[a] + df[b]) / 2).round(DERIVED_DECIMALS)
    return df


def subset_mask(df: pd.DataFrame, study: dict, ref: str | None, variant: str) -> tuple[pd.Series, str]:
    """Rows of a subset such as ``severity.moderate`` under a grouping variant."""
    if ref in (None, "all"):
        return pd.Series(True, index=df.index), "all rows"
    grouping_name, group = ref.split(".", 1)
    grouping = study["groupings"][grouping_name]
    column = grouping["column"]
    mask = pd.Series(True, index=df.index)
    terms = []
    for key, bound in grouping["variants"][variant][group].items():
        func, symbol = _COMPARE[key]
        mask &= func(df[column], bound)
        terms.append(f"{column} {symbol} {bound:g}")
    return mask, f"{group} = {' and '.join(terms)}"


def group_labels(df: pd.DataFrame, study: dict, grouping: str, variant: str = AS_REPORTED) -> pd.Series:
    """One label per row for a grouping (for figure colours); unmatched rows are 'other'."""
    labels = pd.Series("other", index=df.index, dtype=object)
    for group in study["groupings"][grouping]["variants"][variant]:
        labels[subset_mask(df, study, f"{grouping}.{group}", variant)[0]] = group
    return labels


@dataclass
class Variant:
    check: str
    label: str
    spec: dict
    subset_variant: str = AS_REPORTED
    method: str | None = None


def _grouping_of(spec: dict) -> str | None:
    for key in ("subset", "group_a"):
        ref = spec.get(key)
        if ref and ref != "all":
            return ref.split(".", 1)[0]
    return None


def expand_check(name: str, spec: dict, study: dict) -> list[Variant]:
    """All variants of one check, the ``as_reported`` one first."""
    analysis = spec["analysis"]
    if analysis in META_ANALYSES:   # it computes nothing per variant (the registry says)
        return []
    grouping = _grouping_of(spec)
    subset_variants = list(study["groupings"][grouping]["variants"]) if grouping else [AS_REPORTED]
    methods = study.get("methods", {}).get(analysis, {AS_REPORTED: None})
    variants = []
    for sv in subset_variants:
        for mv, method in methods.items():
            label = "+".join(p for p in (sv, mv) if p != AS_REPORTED) or AS_REPORTED
            variants.append(Variant(name, label, spec, sv, method))
    for label, alt in spec.get("alternatives", {}).items():
        alt_grouping = _grouping_of(alt)
        sv = next(iter(study["groupings"][alt_grouping]["variants"])) if alt_grouping else AS_REPORTED
        variants.append(Variant(name, label, alt, sv, alt.get("method")))
    return variants


def _one_subset(df: pd.DataFrame, study: dict, v: Variant) -> tuple[tuple, str]:
    """The rows a one-subset analysis reads (its `subset` and `where`), and the words for them."""
    spec = v.spec
    mask, desc = subset_mask(df, study, spec.get("subset"), v.subset_variant)
    for column, value in spec.get("where", {}).items():
        mask &= df[column] == value
        desc += f", {column} = {value}"
    sub = df[mask]
    return (sub,), f"; subset: {desc} (n={len(sub)})"


def _two_subsets(df: pd.DataFrame, study: dict, v: Variant) -> tuple[tuple, str]:
    """The rows of the two subsets a comparison reads (`group_a`, `group_b`), and the words."""
    mask_a, desc_a = subset_mask(df, study, v.spec["group_a"], v.subset_variant)
    mask_b, desc_b = subset_mask(df, study, v.spec["group_b"], v.subset_variant)
    return (df[mask_a], df[mask_b]), f": {desc_a} (n={mask_a.sum()}) vs {desc_b} (n={mask_b.sum()})"


# The rows an analysis reads, by its declared `rows` (reanalysis.engine.analyses.ROWS): the
# frames its computation takes and the words appended to its method text.
_READERS = {"subset": _one_subset, "two_groups": _two_subsets}


def run_variant(df: pd.DataFrame, study: dict, v: Variant) -> tuple[dict, str]:
    """One variant, run by its analysis from the registry: ({statistic: value}, method text)."""
    analysis = ANALYSES.get(v.spec["analysis"])
    if analysis is None or not analysis.computes:
        raise ValueError(f"check {v.check!r}: unknown analysis {v.spec['analysis']!r}")
    frames, words = _READERS[analysis.rows](df, study, v)
    stats_, text = analysis.run(v.spec, v.method, *frames)
    return stats_, text + words


def recompute(df: pd.DataFrame, study: dict, study_name: str) -> pd.DataFrame:
    """Every statistic of every variant of every check, as a long table."""
    records = []
    cache: dict[str, tuple[dict, str]] = {}
    for name, spec in study["checks"].items():
        for v in expand_check(name, spec, study):
            key = repr((sorted((k, repr(x)) for k, x in v.spec.items() if k not in ("statistic", "alternatives")),
                        v.subset_variant, v.method))
            if key not in cache:
                cache[key] = run_variant(df, study, v)
            stats_, method = cache[key]
            for statistic, value in stats_.items():
                records.append({"study": study_name, "check": name, "variant": v.label,
                                "statistic": statistic, "value": value, "method": method})
    return pd.DataFrame.from_records(
        records, columns=["study", "check", "variant", "statistic", "value", "method"])


def validate_checks(study: dict, config_file: str = "config/studies/<study>.yaml",
                    errors: list | None = None) -> None:
    """Cross-references in checks (columns, subsets, methods) must exist. With a list
    ``errors``, each check's fault is appended there; else the first raises."""
    for name, spec in study["checks"].items():
        gather(errors, _validate_check, name, spec, study, config_file)


def _validate_check(name: str, spec: dict, study: dict, config_file: str) -> None:
    for ref_key in ("subset", "group_a", "group_b"):
        for s in [spec] + list(spec.get("alternatives", {}).values()):
            ref = s.get(ref_key)
            if ref and ref != "all":
                g, _, group = ref.partition(".")
                variants = study.get("groupings", {}).get(g, {}).get("variants", {})
                if not variants or any(group not in groups for groups in variants.values()):
                    raise InputError(config_file, f"check '{name}' refers to an unknown subset",
                                     column=ref_key, value=ref,
                                     rule="grouping.group defined in every variant of studies.<study>.groupings")
