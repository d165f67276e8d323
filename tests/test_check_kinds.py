"""The registry of check kinds (workflow/reanalysis/engine/checks/): every summary-level kind is
one module; the study schema is composed of their fields, so a field is valid only for
the kinds that use it; the engine dispatches through the registry, with no `if kind ==`."""
from __future__ import annotations

import ast
import copy
from pathlib import Path

import pytest

from conftest import config_error
from reanalysis.engine.checks import KINDS, kinds_using
from reanalysis.inputs.config import STUDY_SCHEMA, _schema, validate_config

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
    return config_error(STUDY, edit, CONFIG_FILE)


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


# --- each kind's generator of synthetic cases (the validity benchmark) ------------------------

def test_every_kind_declares_its_synthetic_generator_or_why_it_has_none():
    """A kind declares either its generator of synthetic cases with known truth (for
    reanalysis.corpus.synth) or, in words, why it has none; each case the synthetic paper
    offers is generated by exactly one kind."""
    from reanalysis.engine.checks import SYNTHETIC_CASES, synthetic_kind

    for name, kind in KINDS.items():
        assert (kind.synthetic is None) != (kind.no_synthetic == ""), name
        if kind.synthetic:
            assert kind.synthetic.case in SYNTHETIC_CASES and callable(kind.synthetic.generate), name
        else:
            assert len(kind.no_synthetic.split()) >= 5, (name, kind.no_synthetic)
    assert {synthetic_kind(case).name for case in SYNTHETIC_CASES} == {
        name for name, kind in KINDS.items() if kind.synthetic}


def test_a_kind_with_neither_a_generator_nor_a_reason_is_refused():
    from reanalysis.engine.checks import register

    with pytest.raises(ValueError, match="either `synthetic`.*or `no_synthetic`"):
        register("test_silent_kind", note="n", fields={})(lambda spec, rows, study: [])
    assert "test_silent_kind" not in KINDS


def _gen(name: str):
    return KINDS[name].synthetic.generate


def test_each_generator_gives_the_true_statistic_worked_by_hand():
    """Each generator's config entry and truth on data small enough to work by hand. With
    2 df, Student's t has the closed form p = 1 - |t| / sqrt(t^2 + 2); with 1 df, a
    chi-square's p is erfc(sqrt(chi2 / 2))."""
    import math

    import numpy as np

    rng = np.random.default_rng(0)
    # two samples [1, 3] and [2, 6]: means 2 and 4, variances 2 and 8, pooled 5; t = -2 / sqrt(5)
    spec, p = _gen("two_sample_t")(rng, {"a": "A", "b": "B"}, {"a": np.array([1.0, 3.0]),
                                                              "b": np.array([2.0, 6.0])})
    assert spec == {"kind": "two_sample_t", "a": "A", "b": "B", "test": "student"}
    assert p == pytest.approx(1 - 2 / math.sqrt(14), rel=1e-12)
    # 3 of 5 against 1 of 5: expected 2, 3, 2, 3; chi2 = 1/2 + 1/3 + 1/2 + 1/3 = 5/3
    yes = lambda k: np.array([True] * k + [False] * (5 - k))  # noqa: E731
    spec, p = _gen("two_proportions")(rng, {"a": "A", "b": "B"}, {"a": yes(3), "b": yes(1)})
    assert spec == {"kind": "two_proportions", "a": "A", "b": "B", "test": "chi2"}
    assert p == pytest.approx(math.erfc(math.sqrt(5 / 6)), rel=1e-12)
    # changes 1, 0, 3: mean 4/3, SD sqrt(7/3), t = (4/3) / sqrt(7/9) = 4 / sqrt(7), 2 df
    spec, p = _gen("paired_from_summary")(rng, {"before": "B0", "after": "B1"},
                                          {"before": np.array([5.0, 6.0, 8.0]), "after": np.array([4.0, 6.0, 5.0])})
    assert spec == {"kind": "paired_from_summary", "before": "B0", "after": "B1", "dispersion": "printed"}
    assert p == pytest.approx(1 - 4 / math.sqrt(30), rel=1e-12)
    spec, total = _gen("sum")(rng, {"parts": ["NA", "NB"]}, {"parts": [45, 47]})
    assert (spec, total) == ({"kind": "sum", "parts": ["NA", "NB"], "component": "count"}, 92)
    spec, d = _gen("difference")(rng, {"a": "A", "b": "B"}, {"a": np.array([1.0, 2.0]), "b": np.array([0.5, 0.5])})
    assert (spec, d) == ({"kind": "difference", "a": "A", "b": "B", "component": "mean"}, 1.0)
    spec, nothing = _gen("sd_feasibility")(rng, {"a": "M", "range": "R"}, {"a": np.array([4, 9, 40])})
    assert (spec, nothing) == ({"kind": "sd_feasibility", "a": "M", "range": "R"}, None)


def test_the_sd_feasibility_generator_injects_an_sd_above_the_bhatia_davis_bound():
    """5 values in [4, 40] with a mean printed 10.00 (so in [9.995, 10.005]): SD at most
    sqrt(5/4 (m - 4)(40 - m)), largest over that interval at m = 10.005 (nearest the centre
    22): sqrt(1.25 * 6.005 * 29.995) = sqrt(225.14996875)."""
    from types import SimpleNamespace

    import numpy as np

    bound = 225.14996875 ** 0.5
    rows = {"M": SimpleNamespace(parts={"mean": "10.00", "dispersion": "6.00"}, n=5),
            "R": SimpleNamespace(parts={"low": "4", "high": "40"}, n=5)}
    synthetic = KINDS["sd_feasibility"].synthetic
    assert synthetic.error == "sd_infeasible"
    component, value, why = synthetic.inject(np.random.default_rng(1), {"kind": "sd_feasibility", "a": "M",
                                                                        "range": "R"}, rows)
    assert component == "dispersion"
    assert 1.25 * bound + 0.01 <= value <= 1.8 * bound + 0.01
    assert why == f"5 values in 4-40 with mean 10.00 have SD at most {bound:.3f}"


def test_synth_makes_its_checks_through_the_registry(monkeypatch):
    """A kind registered at test time for the case `change` (displacing the kind that
    generates it) makes each arm's HbA1c decrease check of a synthetic trial, from the
    simulated samples behind the printed rows, and its truth is what the claim prints."""
    import dataclasses
    from decimal import ROUND_HALF_UP, Decimal

    import numpy as np

    from reanalysis.corpus import synth
    from reanalysis.engine.checks import Kind, Synthetic, synthetic_kind

    seen = []

    def generate(rng, ids, data):
        seen.append((ids, data))
        return {"kind": "test_mean_change", "a": ids["a"], "b": ids["b"]}, 1.2345

    test_kind = Kind(name="test_mean_change", note="a test kind", run=lambda spec, rows, study: [], fields={},
                     statistic="mean_change", synthetic=Synthetic("change", generate))
    monkeypatch.setitem(KINDS, "test_mean_change", test_kind)
    with pytest.raises(ValueError, match="generated by 2 check kinds"):
        synthetic_kind("change")
    monkeypatch.setitem(KINDS, "difference", dataclasses.replace(KINDS["difference"], synthetic=None,
                                                                 no_synthetic="displaced in this test"))
    s = synth.build_summary("syn001", np.random.default_rng([1, 0]), 1)
    assert len(seen) == 2       # one check per arm
    for arm, (ids, data) in zip(synth.ARMS, seen):
        check = f"hba1c_decrease_{arm}"
        assert s.checks[check] == {"kind": "test_mean_change", "a": ids["a"], "b": ids["b"]}
        for role in ("a", "b"):     # the samples behind the printed rows it reads
            row = s.rows[ids[role]]
            assert row.arm == arm and len(data[role]) == row.n
            mean = Decimal(repr(float(np.mean(data[role])))).quantize(Decimal("0.01"), ROUND_HALF_UP)
            assert str(mean) == row.parts["mean"]
        (claim,) = [c for c in s.claims.values() if c.check == check]
        # 1.2345 to two decimals, half up: 1.23
        assert (claim.claim, claim.exact, claim.stat, claim.test) == ("1.23", 1.2345, "mean_change",
                                                                      "test_mean_change")
    paper, _ = synth._render(s)
    assert "1.23 percentage points in the active arm" in paper


def test_synth_compares_and_writes_no_check_kind():
    """The synthetic corpus asks the registry for the kind of each case: it compares no
    check's kind with a kind's name, and writes no check entry `{"kind": <a name>}` itself."""
    tree = ast.parse((PACKAGE / "corpus" / "synth.py").read_text(encoding="utf-8"))
    assert not [ast.unparse(n) for n in ast.walk(tree) if _compares_kind(n)]
    written = [ast.unparse(n) for n in ast.walk(tree) if isinstance(n, ast.Dict)
               and any(isinstance(k, ast.Constant) and k.value == "kind" and isinstance(v, ast.Constant)
                       for k, v in zip(n.keys, n.values))]
    assert not written, written
