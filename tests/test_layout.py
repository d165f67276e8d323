"""The package is laid out by stage (workflow/reanalysis/<stage>/), in the order the Snakefile
runs them, and a stage imports only earlier stages: so a newcomer can name the stage of every
file from its folder, and no stage can reach forward into one that builds on it (the circle
ledger <-> findings cannot come back)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "workflow" / "reanalysis"
# The order is the pipeline's (Snakefile, workflow/rules/): the engine reads no file; the
# inputs validate the config against the engine's check kinds; the audit (rules/audit.smk)
# recomputes and writes the ledger, the scan adding its rows; then findings, figures,
# "Is the effect real?" (beyond), trustworthiness and the report. The corpus tools and
# onboarding run outside the pipeline and may use all of it.
STAGES = ["engine", "inputs", "audit", "scan", "findings", "figures", "beyond", "trust", "report",
          "corpus", "onboarding"]
# The package's top: the one input error every stage raises, and the entry points.
TOP = {"errors": set(), "cli": {"errors"}, "__init__": set(), "__main__": set(STAGES) | {"errors"}}


def imported_modules(source: str, module: str) -> set[str]:
    """The first-level names of the package that a file imports (lazy imports included);
    ``module`` is its dotted name below the package ('engine.checks.sum', 'audit.ledger')."""
    package = module.split(".")[:-1]
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                if node.level - 1 > len(package):
                    continue
                base = package[:len(package) - (node.level - 1)]
                parts = base + (node.module.split(".") if node.module else [])
                targets = [parts] if node.module else [parts + [a.name] for a in node.names]
            elif node.module and node.module.split(".")[0] == "reanalysis":
                targets = [node.module.split(".")[1:] or [a.name for a in node.names][:1]]
                if not node.module.count("."):
                    targets = [[a.name] for a in node.names]
            else:
                continue
            out.update(t[0] for t in targets if t)
        elif isinstance(node, ast.Import):
            out.update(a.name.split(".")[1] for a in node.names
                       if a.name.startswith("reanalysis.") and a.name.count(".") >= 1)
    return out


def modules() -> dict[str, Path]:
    """Every module of the package by its dotted name below the package."""
    return {".".join(path.relative_to(PACKAGE).with_suffix("").parts): path
            for path in sorted(PACKAGE.rglob("*.py"))}


def allowed(module: str) -> set[str]:
    """What a module may import: its own stage, every earlier stage, and the top's errors."""
    first = module.split(".")[0]
    if first in TOP:
        return TOP[first]
    return set(STAGES[:STAGES.index(first) + 1]) | {"errors", "cli"}


MODULES = modules()


def test_every_module_sits_in_a_stage_folder():
    """A file outside every stage folder is in no stage: the test below could not place it."""
    loose = sorted(m for m in MODULES if m.split(".")[0] not in set(STAGES) | set(TOP))
    assert not loose, f"modules in no stage folder: {loose}; put each in its stage (STAGES)"
    folders = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__")
    assert folders == sorted(STAGES)


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_says_what_it_holds_and_what_it_may_import(stage):
    doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text(encoding="utf-8")))
    assert doc and "import" in doc, f"{stage}/__init__.py: say what the stage holds and may import"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_stage_imports_a_later_one(module):
    later = imported_modules(MODULES[module].read_text(encoding="utf-8"), module) - allowed(module)
    assert not later, (f"{module} imports {sorted(later)}; it may import only "
                       f"{sorted(allowed(module))} (stage order: {' < '.join(STAGES)})")


def test_a_module_importing_a_later_stage_fails_the_test():
    """The check sees each way of importing: from the package, relative, and lazy."""
    for source in ("from ...audit.ledger import audit_study\n",
                   "from reanalysis import findings\n",
                   "def f():\n    from reanalysis.audit.summary_level import Row\n",
                   "import reanalysis.report.letters\n"):
        later = imported_modules(source, "engine.checks.new_kind") - allowed("engine.checks.new_kind")
        assert later, source
    assert imported_modules("from . import register\nfrom reanalysis.engine.checks._common import exact\n"
                            "from reanalysis.engine import scrutiny\nfrom reanalysis.errors import InputError\n",
                            "engine.checks.new_kind") == {"engine", "errors"}
    # A stage may import an earlier one, never the reverse.
    assert not imported_modules("from reanalysis.audit import ledger\n", "findings.ranking") - allowed("findings.ranking")
    assert imported_modules("from reanalysis.findings import ranking\n", "audit.ledger") - allowed("audit.ledger")


def test_paths_the_package_takes_from_its_own_place_exist():
    """A module that finds the repository, the schemas or the kinds from its own file must
    follow it when it moves folder (a moved module pointed one level short, and the study
    cache then hashed no kind module)."""
    from reanalysis.corpus import bench, synth, validity
    from reanalysis.inputs import config
    from reanalysis.onboarding import draft

    root = PACKAGE.parents[1]
    assert validity.repo_root() == root and draft.ROOT == root and bench.REPO == root
    assert synth.schema_dir() == root / "workflow" / "schemas" and synth.schema_dir().is_dir()
    assert config.KINDS_DIR == PACKAGE / "engine" / "checks"
    assert {p.stem for p in config.KINDS_DIR.glob("*.py")} >= {"__init__", "two_sample_t", "percent_sum"}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_import_of_the_package_resolves(module):
    """Every name a module imports from the package exists, lazy imports inside functions
    included: a tool's import that no test runs (the benchmark's) must still follow a move."""
    import importlib
    import importlib.util

    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    package = ["reanalysis", *module.split(".")[:-1]]   # an __init__'s package is its own folder
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package[:len(package) - (node.level - 1)]
            source = ".".join(base + ([node.module] if node.module else []))
        elif node.module and node.module.split(".")[0] == "reanalysis":
            source = node.module
        else:
            continue
        imported = importlib.import_module(source)
        for alias in node.names:
            assert hasattr(imported, alias.name) or importlib.util.find_spec(f"{source}.{alias.name}"), \
                f"{module} line {node.lineno}: {source} has no {alias.name!r}"
