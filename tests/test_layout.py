"""Import direction: the engine (the maths, rounding and the check kinds) imports no later
stage. The check kinds (workflow/reanalysis/checks/) and the modules they build on may import
one another, never the designs, the ledger, the findings, the outputs or the tools that
use them; so a later stage can import the engine without a cycle."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "workflow" / "reanalysis"
# The engine: the rounding rule, the maths of each kind, the input errors they raise, and the
# check kinds themselves.
ENGINE = {"rounding", "scrutiny", "summary_stats", "kgroup_stats", "feasibility", "statcheck", "inputs",
          "checks"}


def imported_modules(source: str, module: str) -> set[str]:
    """The top-level modules of the package that a file imports (lazy imports included);
    ``module`` is its dotted name below the package ('checks.sum', 'rounding')."""
    package = module.split(".")[:-1]
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
                if node.level - 1 > len(package):
                    continue
                parts = base + (node.module.split(".") if node.module else [])
                targets = [parts] if node.module else [parts + [a.name] for a in node.names]
            elif node.module and node.module.split(".")[0] == "reanalysis":
                targets = [node.module.split(".")[1:] or [a.name for a in node.names][:1]]
            else:
                continue
            out.update(t[0] for t in targets if t)
        elif isinstance(node, ast.Import):
            out.update(a.name.split(".")[1] for a in node.names
                       if a.name.startswith("reanalysis.") and a.name.count(".") >= 1)
    return out


def _engine_files():
    for path in sorted(PACKAGE.glob("*.py")):
        if path.stem in ENGINE:
            yield path.stem, path
    for path in sorted((PACKAGE / "checks").glob("*.py")):
        yield f"checks.{path.stem}", path


ENGINE_FILES = dict(_engine_files())


@pytest.mark.parametrize("module", sorted(ENGINE_FILES))
def test_the_engine_imports_no_later_stage(module):
    later = imported_modules(ENGINE_FILES[module].read_text(encoding="utf-8"), module) - ENGINE
    assert not later, f"{module} imports {sorted(later)}, a later stage than the engine"


def test_a_kind_importing_a_later_stage_fails_the_test():
    """The check sees each way of importing: from the package, relative, and lazy."""
    for source in ("from ..ledger import audit_study\n",
                   "from .. import findings\n",
                   "def f():\n    from reanalysis.summary_level import Row\n",
                   "import reanalysis.report\n"):
        later = imported_modules(source, "checks.new_kind") - ENGINE
        assert later, source
    assert imported_modules("from . import register\nfrom ._common import exact\nfrom .. import scrutiny\n",
                            "checks.new_kind") == {"checks", "scrutiny"}
