"""Recomputation from patient-level tables: one function per analysis kind.

A *check* (from the config) names an analysis, its columns, a subset and the
statistic a claim is compared with. :func:`expand_check` turns one check into its
variants: the subset under each reading of its grouping, times each method the study
lists for the analysis, plus any labelled alternatives. :func:`recompute` runs them
all and returns a long table with every statistic of every variant.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from reanalysis.errors import InputError

from reanalysis.inputs.tables import gather, load_schema, read_table

AS_REPORTED = "as_reported"
_COMPARE = {"gt": (operator.gt, ">"), "gte": (operator.ge, "≥"),
            "lt": (operator.lt, "<"), "lte": (operator.le, "≤")}
META_ANALYSES = {"definition_consistency"}
DERIVED_DECIMALS = 10


def load_patient_table(study: dict, errors: list | None = None) -> pd.DataFrame:
    """The study's table, validated against its schema, with derived columns added. With a
    list ``errors``, every faulty row's error is appended there and the row left out."""
    rows = read_table(Path(study["table"]), load_schema(Path(study["table_schema"])), errors)
    df = pd.DataFrame(rows).drop(columns="_where", errors="ignore")
    for name, spec in study.get("derived", {}).items():
        # Results of decimal data carry float noise (8.3 - 7.8 = 0.5000000000000009),
        # which would break ties in rank tests; the data have far fewer than 10 decimals.
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


# --- analyses: each returns {statistic: value} and a short method text -------------

def _describe(x: pd.Series, kind: str, q: float | None, method: str | None):
    if kind == "count":
        return {"n": float(len(x))}, "row count"
    values = {"mean": x.mean, "median": x.median, "min": x.min, "max": x.max,
              "sd": lambda: x.std(ddof=1)}
    if kind == "quantile":
        return ({"value": float(np.quantile(x.to_numpy(), q, method=method)), "n": float(len(x))},
                f"numpy.quantile(q={q}, method='{method}')")
    return {"value": float(values[kind]()), "n": float(len(x))}, f"{kind} (pandas)"


def _paired(before: pd.Series, after: pd.Series, method: str):
    import pingouin as pg
    from scipy import stats

    diff = (before - after).round(DERIVED_DECIMALS)  # exact ties for the signed-rank test
    out = {"n": float(len(diff)), "mean_difference": float(diff.mean())}
    if method == "paired_t":
        res = pg.ttest(before, after, paired=True).iloc[0]
        # pingouin rounds its CI to 2 decimals and BF10 to text; take them unrounded.
        ci = stats.ttest_rel(before, after).confidence_interval(0.95)
        bf10 = pg.bayesfactor_ttest(res["T"], len(diff), paired=True)
        out |= {"T": float(res["T"]), "dof": float(res["dof"]), "p": float(res["p_val"]),
                "ci95_low": float(ci.low), "ci95_high": float(ci.high),
                "cohen_d": float(res["cohen_d"]), "BF10": float(bf10), "power": float(res["power"])}
        return out, "paired t-test, two-sided (pingouin.ttest paired=True; CI from scipy.stats.ttest_rel)"
    if method == "wilcoxon":
        if _scipy_permutes(diff):
            # scipy's exact permutation test over 2^n sign flips takes about a second per call;
            # the same exact p counted with tied ranks in closed form (see signed_rank_p)
            res = pg.wilcoxon(diff, method="asymptotic").iloc[0]  # W and RBC do not depend on it
            p, how = signed_rank_p(diff), "exact over all sign flips, tied ranks counted exactly"
        else:
            res = pg.wilcoxon(diff).iloc[0]
            p, how = float(res["p_val"]), "scipy's method 'auto'"
        out |= {"W": float(res["W_val"]), "p": p, "rank_biserial": float(res["RBC"])}
        return out, f"Wilcoxon signed-rank, two-sided (pingouin.wilcoxon; p {how})"
    raise ValueError(f"unknown paired_test method {method!r}")


def _scipy_permutes(diff: pd.Series) -> bool:
    """Does scipy.stats.wilcoxon (method 'auto') run its exact permutation test here? It
    does with ties or zeros and n <= 13 (scipy 1.17, stats/_wilcoxon.py)."""
    d = np.asarray(diff, dtype=float)
    nonzero = np.abs(d[d != 0])
    has_ties = len(np.unique(nonzero)) < len(nonzero)
    return bool((has_ties or (d == 0).any()) and len(d) <= 13)


def signed_rank_p(diff) -> float:
    """Two-sided p of the Wilcoxon signed-rank test, exact over all 2^n sign flips with
    average ranks for ties and zeros dropped (scipy's zero_method 'wilcox'): the null
    distribution of the positive-rank sum, counted by convolution over doubled (integer)
    ranks; p = min(1, 2 min(P(T <= t), P(T >= t))), as scipy.stats.permutation_test."""
    from scipy import stats

    d = np.asarray(diff, dtype=float)
    d = d[d != 0]
    ranks = np.rint(2 * stats.rankdata(np.abs(d))).astype(np.int64)
    observed = int(ranks[d > 0].sum())
    counts = np.zeros(int(ranks.sum()) + 1, dtype=np.int64)
    counts[0] = 1
    for r in ranks:
        counts[r:] = counts[r:] + counts[:-r]  # (ranks are >= 2, doubled)
    total = counts.sum()
    less, greater = counts[:observed + 1].sum() / total, counts[observed:].sum() / total
    return float(min(1.0, 2 * min(less, greater)))


def _correlation(x: pd.Series, y: pd.Series, method: str):
    import pingouin as pg
    from scipy import stats

    res = pg.corr(x, y, method=method).iloc[0]
    out = {"n": float(res["n"]), "r": float(res["r"]), "p": float(res["p_val"])}
    if method == "pearson":
        ci = stats.pearsonr(x, y).confidence_interval(0.95)
        # pingouin.corr reports BF10 as rounded text; compute it unrounded.
        bf10 = pg.bayesfactor_pearson(out["r"], int(out["n"]))
        out |= {"ci95_low": float(ci.low), "ci95_high": float(ci.high), "BF10": float(bf10)}
    return out, f"{method} correlation, two-sided (pingouin.corr method='{method}')"


def _two_group(a: pd.Series, b: pd.Series, method: str):
    import pingouin as pg

    out = {"n_a": float(len(a)), "n_b": float(len(b)), "mean_a": float(a.mean()),
           "mean_b": float(b.mean()), "mean_difference": float(a.mean() - b.mean())}
    if method in ("student_t", "welch_t"):
        res = pg.ttest(a, b, paired=False, correction=(method == "welch_t")).iloc[0]
        out |= {"T": float(res["T"]), "dof": float(res["dof"]), "p": float(res["p_val"])}
        name = "Welch" if method == "welch_t" else "Student"
        return out, f"{name} two-sample t-test, two-sided (pingouin.ttest)"
    if method == "mann_whitney":
        res = pg.mwu(a, b).iloc[0]
        out |= {"U": float(res["U_val"]), "p": float(res["p_val"])}
        return out, "Mann-Whitney U, two-sided (pingouin.mwu)"
    raise ValueError(f"unknown two_group_test method {method!r}")


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
    if analysis in META_ANALYSES:
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


def _run_two_group(df: pd.DataFrame, study: dict, v: Variant) -> tuple[dict, str]:
    spec = v.spec
    mask_a, desc_a = subset_mask(df, study, spec["group_a"], v.subset_variant)
    mask_b, desc_b = subset_mask(df, study, spec["group_b"], v.subset_variant)
    col = spec["column"]
    stats_, text = _two_group(df.loc[mask_a, col], df.loc[mask_b, col], v.method)
    return stats_, f"{text} of {col}: {desc_a} (n={mask_a.sum()}) vs {desc_b} (n={mask_b.sum()})"


def _subset(df: pd.DataFrame, study: dict, v: Variant) -> tuple[pd.DataFrame, str]:
    """The rows a one-sample analysis reads (its `subset` and `where`), and the words for it."""
    spec = v.spec
    mask, desc = subset_mask(df, study, spec.get("subset"), v.subset_variant)
    for column, value in spec.get("where", {}).items():
        mask &= df[column] == value
        desc += f", {column} = {value}"
    sub = df[mask]
    return sub, f"; subset: {desc} (n={len(sub)})"


def _run_describe(df: pd.DataFrame, study: dict, v: Variant) -> tuple[dict, str]:
    sub, where = _subset(df, study, v)
    column = v.spec.get("column")
    x = sub[column] if column else sub.index.to_series()
    stats_, text = _describe(x, v.spec["analysis"], v.spec.get("q"), v.method)
    return stats_, (f"{text} of {column}" if column else text) + where


def _run_paired(df: pd.DataFrame, study: dict, v: Variant) -> tuple[dict, str]:
    sub, where = _subset(df, study, v)
    spec = v.spec
    stats_, text = _paired(sub[spec["before"]], sub[spec["after"]], v.method)
    return stats_, f"{text}: {spec['before']} vs {spec['after']}{where}"


def _run_correlation(df: pd.DataFrame, study: dict, v: Variant) -> tuple[dict, str]:
    sub, where = _subset(df, study, v)
    spec = v.spec
    stats_, text = _correlation(sub[spec["x"]], sub[spec["y"]], v.method)
    return stats_, f"{text}: {spec['x']} with {spec['y']}{where}"


# The patient-level analyses, by the name a check's `analysis` gives: each runs one variant
# on the patient table and returns ({statistic: value}, method text).
ANALYSES = {"two_group_test": _run_two_group, "paired_test": _run_paired, "correlation": _run_correlation,
            **{name: _run_describe for name in ("count", "mean", "median", "min", "max", "sd", "quantile")}}


def run_variant(df: pd.DataFrame, study: dict, v: Variant) -> tuple[dict, str]:
    analysis = v.spec["analysis"]
    if analysis not in ANALYSES:
        raise ValueError(f"check {v.check!r}: unknown analysis {analysis!r}")
    return ANALYSES[analysis](df, study, v)


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
