"""No function of the package is longer than about 80 lines without a stated reason (issue 19):
a long function is read as a whole or not at all, and its steps cannot be tested or named on
their own. Where one really reads better whole (one linear table of cases, say), the line
directly above its ``def`` (or above its first decorator) says why, as a comment
``# Long: <the reason>``."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "workflow" / "reanalysis"
MAX_LINES = 80
REASON = "# Long:"


def long_functions(source: str) -> list[tuple[str, int, int]]:
    """(qualified name, def line, length) of each function or method longer than MAX_LINES,
    from its ``def`` line to its last line inclusive, whose line above the ``def`` (or above
    its first decorator) is not ``# Long: <reason>``. Nested functions count on their own."""
    lines = source.splitlines()
    out = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = prefix + child.name
                length = child.end_lineno - child.lineno + 1
                first = min([child.lineno] + [d.lineno for d in child.decorator_list])
                above = [lines[at - 2].strip() for at in {first, child.lineno} if at >= 2]
                stated = any(a.startswith(REASON) and a[len(REASON):].strip() for a in above)
                if length > MAX_LINES and not stated:
                    out.append((name, child.lineno, length))
                visit(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, prefix + child.name + ".")
            else:
                visit(child, prefix)

    visit(ast.parse(source), "")
    return out


def test_no_function_is_over_80_lines_without_a_reason():
    found = [f"{path.relative_to(ROOT)}: {name} (line {line}) is {length} lines"
             for path in sorted(PACKAGE.rglob("*.py"))
             for name, line, length in long_functions(path.read_text(encoding="utf-8"))]
    assert not found, (f"functions over {MAX_LINES} lines (def to last line): split each into "
                       f"named steps, or say why it reads better whole in a comment "
                       f"'{REASON} <reason>' on the line above its def:\n" + "\n".join(found))


def _made_up(length: int, above: str = "", decorator: bool = False, method: bool = False) -> str:
    """A module whose function ``f`` is ``length`` lines from its def to its last line, with
    ``above`` as the line above it (or above its decorator), optionally a method of ``C``."""
    indent = "    " if method else ""
    body = [f"{indent}    x{i} = {i}" for i in range(length - 2)] + [f"{indent}    return x0"]
    head = ([f"{indent}{above}"] if above else []) + ([f"{indent}@staticmethod"] if decorator else [])
    return "\n".join(["import os", ""] + (["class C:"] if method else [])
                     + head + [f"{indent}def f():"] + body) + "\n"


def test_a_made_up_function_of_81_lines_fails_and_passes_with_a_reason():
    assert len(_made_up(81).splitlines()) == 83  # two lines above, then f's 81
    assert long_functions(_made_up(81)) == [("f", 3, 81)]
    assert long_functions(_made_up(80)) == []
    assert long_functions(_made_up(81, "# Long: one linear table of cases")) == []
    # a method and a decorated one: the reason sits above the decorator
    assert long_functions(_made_up(81, method=True)) == [("C.f", 4, 81)]
    assert long_functions(_made_up(81, decorator=True, method=True)) == [("C.f", 5, 81)]
    assert long_functions(_made_up(81, "# Long: a table", decorator=True, method=True)) == []
    between = _made_up(81, decorator=True).replace("@staticmethod\n", "@staticmethod\n# Long: a table\n")
    assert long_functions(between) == []
    # a reason must be given, and stand directly above (a docstring line or a blank does not)
    assert long_functions(_made_up(81, "# Long:")) == [("f", 4, 81)]
    assert long_functions(_made_up(81, "# a long function")) == [("f", 4, 81)]
    assert long_functions("# Long: too far up\n\n" + _made_up(81)) == [("f", 5, 81)]
