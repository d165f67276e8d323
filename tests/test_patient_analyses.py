"""The registry of patient-level analyses (workflow/reanalysis/engine/analyses/): each analysis
is declared in one module with its fields, the rows it reads and its computation; the study
schema's patient-level check is composed of their fields, so a field is valid only for the
analyses that use it; the audit (audit/patient_level.py) dispatches through the registry,
with no comparison of an analysis's name."""
from __future__ import annotations

import ast
import copy
import statistics
from pathlib import Path

import pandas as pd
import pytest

from conftest import config_error
from reanalysis.audit.patient_level import AS_REPORTED, META_ANALYSES, recompute
from reanalysis.engine.analyses import ANALYSES, ROWS, analyses_using, register
from reanalysis.inputs import config
from reanalysis.inputs.config import STUDY_SCHEMA, _schema, validate_config

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "workflow" / "reanalysis"
CONFIG_FILE = "config/studies/example.yaml"
# The analyses a patient-level check could name before the registry (the schema's old enum).
NAMES = {"count", "mean", "median", "min", "max", "sd", "quantile", "paired_test", "correlation",
         "two_group_test", "definition_consistency"}
# A patient-level study shaped like a real one (a severity grouping read two ways, method
# variants, an alternative of another analysis, a definition check); the files need not exist
# for the schema.
STUDY = {
    "title": "An example", "design": "patient_level", "table": "raw/example/table.csv",
    "table_schema": "raw/example/table.schema.yaml", "claims": "raw/example/claims.csv", "alpha": 0.05,
    "groupings": {"severity": {"column": "before", "variants": {
        AS_REPORTED: {"moderate": {"gte": 6.2, "lte": 8.0}, "severe": {"gt": 8.0}},
        "severe_ge_8": {"moderate": {"gte": 6.2, "lt": 8.0}, "severe": {"gte": 8.0}}}}},
    "methods": {"paired_test": {AS_REPORTED: "paired_t", "wilcoxon": "wilcoxon"},
                "correlation": {AS_REPORTED: "pearson", "spearman": "spearman"}},
    "checks": {
        "n_male": {"analysis": "count", "where": {"sex": "M"}, "statistic": "n"},
        "severe_paired_p": {"analysis": "paired_test", "before": "before", "after": "after",
                            "subset": "severity.severe", "statistic": "p"},
        "months_q1": {"analysis": "quantile", "column": "months", "q": 0.25, "statistic": "value"},
        "dose_r": {"analysis": "correlation", "x": "dose", "y": "reduction", "statistic": "r",
                   "alternatives": {"severe_vs_moderate": {
                       "analysis": "two_group_test", "column": "reduction", "group_a": "severity.severe",
                       "group_b": "severity.moderate", "method": "welch_t", "statistic": "p"}}},
        "severity_definition": {"analysis": "definition_consistency", "grouping": "severity",
                                "checks": ["severe_paired_p"]},
    },
}


def _error(edit) -> str:
    return config_error(STUDY, edit, CONFIG_FILE)


def test_the_example_study_validates():
    validate_config(copy.deepcopy(STUDY), CONFIG_FILE, ROOT / STUDY_SCHEMA)


def test_every_analysis_is_registered_from_its_module_and_in_the_schema():
    assert set(ANALYSES) == NAMES
    modules = sorted(p.stem for p in (PACKAGE / "engine" / "analyses").glob("*.py") if not p.stem.startswith("_"))
    declared = {a.run.__module__.rsplit(".", 1)[-1] for a in ANALYSES.values() if a.run}
    assert declared | {"definition_consistency"} == set(modules)
    schema = _schema(ROOT / STUDY_SCHEMA)
    assert schema["$defs"]["check"]["properties"]["analysis"]["enum"] == sorted(NAMES)
    for name in NAMES:
        assert f"analysis_{name}" in schema["$defs"], name
    # the methods a study may list: exactly the analyses that declare them
    assert sorted(schema["$defs"]["patient_methods"]["properties"]) == [
        "correlation", "paired_test", "quantile", "two_group_test"]
    assert all(a.rows in ROWS for a in ANALYSES.values())


def test_only_the_definition_check_computes_nothing_per_variant():
    assert list(META_ANALYSES) == ["definition_consistency"]
    assert "definition_consistency" in META_ANALYSES and "mean" not in META_ANALYSES
    assert "no_such_analysis" not in META_ANALYSES


def test_a_field_of_another_analysis_is_rejected_naming_the_analysis_and_the_field():
    # `before` is a paired test's (the first of its two columns); a correlation has x and y
    message = _error(lambda s: s["checks"]["dose_r"].update(before="before"))
    assert message.startswith(f"{CONFIG_FILE}, key 'checks.dose_r.before'"), message
    assert "analysis 'correlation' has no field 'before'" in message, message
    assert "'before' is a field of paired_test" in message, message


def test_a_field_of_another_analysis_is_rejected_in_an_alternative_too():
    # `where` narrows one subset; a two-group comparison reads two subsets
    message = _error(lambda s: s["checks"]["dose_r"]["alternatives"]["severe_vs_moderate"].update(
        where={"sex": "M"}))
    assert "key 'checks.dose_r.alternatives.severe_vs_moderate.where'" in message, message
    assert "analysis 'two_group_test' has no field 'where'" in message, message


def test_q_is_the_quantiles_alone_and_the_definition_check_has_no_column():
    message = _error(lambda s: s["checks"]["months_q1"].update(analysis="median"))
    assert "analysis 'median' has no field 'q'" in message and "'q' is a field of quantile" in message, message
    message = _error(lambda s: s["checks"]["severity_definition"].update(column="before"))
    assert "analysis 'definition_consistency' has no field 'column'" in message, message
    assert analyses_using("q") == ["quantile"]
    assert analyses_using("group_a") == ["two_group_test"]


def test_a_typo_gets_its_nearest_field_and_a_missing_field_is_named():
    message = _error(lambda s: s["checks"]["severe_paired_p"].update(aftre="after"))
    assert "analysis 'paired_test' has no field 'aftre' (did you mean 'after'?)" in message, message
    message = _error(lambda s: s["checks"]["severity_definition"].pop("checks"))
    assert "key 'checks.severity_definition'" in message and "'checks' is a required property" in message, message


def test_a_method_outside_an_analysis_own_methods_is_rejected():
    # Welch's t is a two-group test, not a correlation
    message = _error(lambda s: s["methods"]["correlation"].update(welch="welch_t"))
    assert "key 'methods.correlation.welch'" in message and "'welch_t'" in message, message
    message = _error(lambda s: s["methods"].update(mean={AS_REPORTED: "linear"}))
    assert "key 'methods.mean'" in message, message


def test_the_study_cache_key_covers_the_analyses():
    assert config.ANALYSES_DIR == PACKAGE / "engine" / "analyses"
    assert {p.stem for p in config.ANALYSES_DIR.glob("*.py")} >= {"__init__", "describe", "paired_test"}


def _compares_analysis(node: ast.AST) -> bool:
    """A comparison (==, !=, in, not in) with the name of a registered analysis."""
    if not isinstance(node, ast.Compare):
        return False
    named = {c.value for part in [node.left, *node.comparators] for c in ast.walk(part)
             if isinstance(c, ast.Constant)}
    return bool(named & set(ANALYSES))


def test_the_audit_compares_no_analysis_name():
    """No `analysis == "..."` (or `in (...)`) in the audit: the registry says what an analysis
    reads and computes; no dict keyed by analysis names, nor a set of special ones, is left."""
    tree = ast.parse((PACKAGE / "audit" / "patient_level.py").read_text(encoding="utf-8"))
    found = [ast.unparse(n) for n in ast.walk(tree) if _compares_analysis(n)]
    assert not found, found
    keyed = [ast.unparse(n)[:60] for n in ast.walk(tree) if isinstance(n, (ast.Dict, ast.Set, ast.Tuple, ast.List))
             and {k.value for k in getattr(n, "keys", getattr(n, "elts", [])) if isinstance(k, ast.Constant)}
             & set(ANALYSES)]
    assert not keyed, keyed


def test_the_registry_refuses_an_unknown_rows_and_a_missing_computation():
    with pytest.raises(ValueError, match="unknown rows"):
        register("never_registered", note="", rows="three_groups", fields={})(lambda spec, method, rows: ({}, ""))
    with pytest.raises(ValueError, match="a computation exactly where it reads rows"):
        register("never_registered", note="", rows="subset", fields={})(None)
    with pytest.raises(ValueError, match="registered twice"):
        register("mean", note="", rows="subset", fields={})(lambda spec, method, rows: ({}, ""))
    assert "never_registered" not in ANALYSES


# Baselines around the 8.0 boundary of the severity grouping.
FRAME = pd.DataFrame({"before": [6.2, 7.9, 8.0, 8.1, 8.6, 9.4],
                      "after": [6.0, 7.2, 7.7, 7.5, 8.7, 8.5],
                      "sex": ["M", "F", "M", "M", "F", "F"]})


@pytest.fixture
def new_analyses():
    """Two analyses registered at test time, one of each way of reading rows: the range of a
    column in one subset, and the difference of two subsets' medians."""
    @register("range_test_only", note="the range of a column", rows="subset",
              fields={"column": {"type": "string"}}, required=("column",))
    def _range(spec, method, rows):
        x = rows[spec["column"]]
        return {"value": float(x.max() - x.min())}, f"range of {spec['column']}"

    @register("median_difference_test_only", note="the difference of two medians", rows="two_groups",
              fields={"column": {"type": "string"}}, required=("column",))
    def _median_difference(spec, method, a, b):
        column = spec["column"]
        return {"value": float(a[column].median() - b[column].median())}, f"median difference of {column}"

    yield
    del ANALYSES["range_test_only"], ANALYSES["median_difference_test_only"]


def test_an_analysis_registered_at_test_time_is_run_by_the_audit(new_analyses):
    study = {"groupings": copy.deepcopy(STUDY["groupings"]), "checks": {
        "moderate_range": {"analysis": "range_test_only", "column": "before", "subset": "severity.moderate",
                           "statistic": "value"},
        "female_range": {"analysis": "range_test_only", "column": "after", "where": {"sex": "F"},
                         "statistic": "value"},
        "median_gap": {"analysis": "median_difference_test_only", "column": "after",
                       "group_a": "severity.severe", "group_b": "severity.moderate", "statistic": "value"}}}
    # its fields are in the composed schema, like every analysis's
    validate_config({**copy.deepcopy(STUDY), "checks": study["checks"]}, CONFIG_FILE, ROOT / STUDY_SCHEMA)
    out = recompute(FRAME, study, "example").set_index(["check", "variant"])
    # moderate as reported: 6.2 <= before <= 8.0 -> 6.2, 7.9, 8.0; read `severe >= 8`: 6.2, 7.9
    assert out.loc[("moderate_range", AS_REPORTED), "value"] == pytest.approx(8.0 - 6.2)
    assert out.loc[("moderate_range", "severe_ge_8"), "value"] == pytest.approx(7.9 - 6.2)
    assert out.loc[("moderate_range", AS_REPORTED), "method"] == (
        "range of before; subset: moderate = before ≥ 6.2 and before ≤ 8 (n=3)")
    # women: after = 7.2, 8.7, 8.5
    assert out.loc[("female_range", AS_REPORTED), "value"] == pytest.approx(8.7 - 7.2)
    assert out.loc[("female_range", AS_REPORTED), "method"].endswith("all rows, sex = F (n=3)")
    # severe (> 8.0): after 7.5, 8.7, 8.5; moderate: 6.0, 7.2, 7.7; under `>= 8` severe gains 7.7
    assert out.loc[("median_gap", AS_REPORTED), "value"] == pytest.approx(
        statistics.median([7.5, 8.7, 8.5]) - statistics.median([6.0, 7.2, 7.7]))
    assert out.loc[("median_gap", "severe_ge_8"), "value"] == pytest.approx(
        statistics.median([7.7, 7.5, 8.7, 8.5]) - statistics.median([6.0, 7.2]))
    assert out.loc[("median_gap", "severe_ge_8"), "method"].endswith("(n=4) vs moderate = before ≥ 6.2 and before < 8 (n=2)")
