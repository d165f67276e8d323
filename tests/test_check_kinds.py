"""The registry of check kinds (workflow/reanalysis/engine/checks/): every summary-level kind is
one module; the study schema is composed of their fields, so a field is valid only for
the kinds that use it; the engine dispatches through the registry, with no `if kind ==`."""
from __future__ import annotations

import ast
import copy
from pathlib import Path

import pytest

from reanalysis.engine.checks import KINDS, kinds_using
from reanalysis.inputs.config import STUDY_SCHEMA, _schema, validate_config
from reanalysis.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "workflow" / "reanalysis"
CONFIG_FILE = "config/studies/example.yaml"
# A summary-level study with one check of each of two kinds; the value_ids need not exist
# for the schema (the table is read later).
STUDY = {"title": "An example", "design": "summary_level", "table": "raw/example/summaries.csv",
         "table_schema": "workflow/schemas/summaries.schema.yaml", "claims": "raw/example/claims.csv",
         "alpha": 0.05,
         "checks": {"age": {"kind": "two_sample_t", "a": "BASE-AGE-A", "b": "BASE-AGE-B", "test": "student",
                            "alternatives": {"welch": {"test": "welch"}}},
                    "hba1c": {"kind": "k_group_anova", "groups": ["WEEK-HBA-A", "WEEK-HBA-B", "WEEK-HBA-C"]}}}


def _error(edit) -> str:
    study = copy.deepcopy(STUDY)
    edit(study)
    with pytest.raises(InputError) as info:
        validate_config(study, CONFIG_FILE, ROOT / STUDY_SCHEMA)
    return str(info.value)


def test_the_example_study_validates():
    validate_config(copy.deepcopy(STUDY), CONFIG_FILE, ROOT / STUDY_SCHEMA)


def test_every_kind_is_one_module_and_in_the_schema():
    modules = sorted(p.stem for p in (PACKAGE / "engine" / "checks").glob("*.py") if not p.stem.startswith("_"))
    assert sorted(KINDS) == modules
    schema = _schema(ROOT / STUDY_SCHEMA)
    assert schema["$defs"]["summary_check"]["properties"]["kind"]["enum"] == modules
    for name in modules:
        assert f"check_{name}" in schema["$defs"], name


def test_a_field_of_another_kind_is_rejected_naming_the_kind_and_the_field():
    # `groups` is k_group_anova's field (one row per group); a t-test has a and b
    message = _error(lambda s: s["checks"]["age"].update(groups=["WEEK-HBA-A", "WEEK-HBA-B"]))
    assert message.startswith(f"{CONFIG_FILE}, key 'checks.age.groups'"), message
    assert "check kind 'two_sample_t' has no field 'groups'" in message, message
    assert "'groups' is a field of k_group_anova" in message, message


def test_a_field_of_another_kind_is_rejected_in_an_alternative_too():
    # `tails` is reported_statistic's (a printed statistic read one- or two-tailed)
    message = _error(lambda s: s["checks"]["age"]["alternatives"]["welch"].update(tails=1))
    assert "key 'checks.age.alternatives.welch.tails'" in message, message
    assert "check kind 'two_sample_t' has no field 'tails'" in message, message
    assert "reported_statistic" in message, message


def test_an_n_reading_is_a_field_only_of_kinds_that_read_n():
    # a difference of two printed values reads no n
    message = _error(lambda s: s["checks"].update(d={"kind": "difference", "a": "BASE-AGE-A",
                                                      "b": "BASE-AGE-B", "n": "printed"}))
    assert "check kind 'difference' has no field 'n'" in message, message
    assert "two_sample_t" in kinds_using("n") and "difference" not in kinds_using("n")


def test_a_typo_still_gets_its_nearest_field():
    message = _error(lambda s: s["checks"]["hba1c"].update(tset="welch"))
    assert "check kind 'k_group_anova' has no field 'tset' (did you mean 'test'?)" in message, message


def test_a_value_outside_a_kinds_own_enum_is_rejected():
    # an ANOVA is Fisher's or Welch's: a t-test's 'student' is not one of them
    message = _error(lambda s: s["checks"]["hba1c"].update(test="student"))
    assert "key 'checks.hba1c.test'" in message and "'student'" in message, message


def _compares_kind(node: ast.AST) -> bool:
    """`kind == "<a kind>"`, `kind in ("<a kind>", ...)`, `spec["kind"] == ...` or
    `spec.get("kind") == ...` against the name of a registered kind."""
    if not isinstance(node, ast.Compare):
        return False
    named = {c.value for right in node.comparators for c in ast.walk(right) if isinstance(c, ast.Constant)}
    if not named & set(KINDS):
        return False
    left = node.left
    if isinstance(left, ast.Name):
        return left.id == "kind"
    if isinstance(left, ast.Subscript):
        return isinstance(left.slice, ast.Constant) and left.slice.value == "kind"
    if isinstance(left, ast.Call) and isinstance(left.func, ast.Attribute) and left.func.attr == "get":
        return bool(left.args) and isinstance(left.args[0], ast.Constant) and left.args[0].value == "kind"
    return False


def test_the_engine_dispatches_through_the_registry():
    """No comparison of a check's kind in the summary-level engine: each kind's module
    says what the engine asks of it."""
    tree = ast.parse((PACKAGE / "audit" / "summary_level.py").read_text(encoding="utf-8"))
    found = [ast.unparse(n) for n in ast.walk(tree) if _compares_kind(n)]
    assert not found, found


def test_every_kind_has_an_example_for_new_studies_that_its_schema_accepts():
    """`python -m reanalysis new` writes each kind's examples into the config stub as
    comments (checks.example_lines); uncommented, each is a valid check of its kind."""
    import yaml

    from reanalysis.engine.checks import example_lines

    text = "\n".join(line[4:] for line in example_lines())
    examples = yaml.safe_load(text)
    assert {spec["kind"] for spec in examples.values()} == set(KINDS)
    study = {**copy.deepcopy(STUDY), "checks": examples}
    validate_config(study, CONFIG_FILE, ROOT / STUDY_SCHEMA)
