"""The statements a student reads in the code: docstrings written from the specs.

A contract function's docstring is its statement (``Function.statement`` in its spec) and
a student module's docstring is the module's (``grader/specs/_modules.py``), both
`grader.i18n.Text`, translated in the project's catalog. The answer key in `solutions/`
holds the code only: `with_statements` writes the statements into a module's source, in
the language asked, before the stubs (`grader.authoring.generate`), the handout's
notebook and the nbgrader export are cut from it. So a French handout reads French
docstrings, and an exercise's statement is written once, in its spec.
"""

from __future__ import annotations

import ast

from grader.catalog import all_functions, function_statement, module_statement
from grader.errors import FenceError

QUOTES = '"""'


def docstring_lines(text: str, indent: str) -> list[str]:
    """`text` as the lines of a docstring at `indent`: one line if it fits on one, else
    the summary after the opening quotes and the closing quotes on a line of their own."""
    if QUOTES in text or "\\" in text:
        raise ValueError(f"A statement cannot hold {QUOTES} or a backslash: {text[:60]!r}...")
    lines = text.strip("\n").split("\n")
    if len(lines) == 1:
        return [f"{indent}{QUOTES}{lines[0]}{QUOTES}"]
    body = [f"{indent}{line}" if line.strip() else "" for line in lines[1:]]
    return [f"{indent}{QUOTES}{lines[0]}", *body, f"{indent}{QUOTES}"]


def with_statements(source: str, module: str, lang: str, *, where: str) -> str:
    """`source` (a module of the answer key) with its docstring and those of its contract
    functions written from their statements in `lang`.

    `module` is the module's name (``"activations"``; ``"__init__"`` for the package).
    Raises `FenceError` (naming `where`) if the source already has one of these docstrings:
    a statement lives in its spec only.
    """
    tree = ast.parse(source, filename=where)
    lines = source.split("\n")
    contract = set(all_functions())
    # (line index where the docstring goes, its indentation, its text, lines after it),
    # applied last first so that inserting does not move the lines still to come.
    insertions: list[tuple[int, str, str, list[str]]] = []
    if _docstring(tree) is not None:
        raise FenceError(
            f"{where}: the module has a docstring; a module's statement lives in "
            "grader/specs/_modules.py. Delete the docstring (it is written from there)."
        )
    at = _module_docstring_line(lines)
    blank = [""] if at < len(lines) and lines[at].strip() else []
    insertions.append((at, "", module_statement(module)[lang], blank))
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or node.name not in contract:
            continue
        if _docstring(node) is not None:
            raise FenceError(
                f"{where}, line {node.lineno}: `{node.name}` has a docstring; its statement "
                "lives in its spec (Function.statement). Delete the docstring (it is written "
                "from there)."
            )
        indent = " " * (node.col_offset + 4)
        text = function_statement(node.name)[lang]
        insertions.append((_body_line(node, lines), indent, text, []))
    for index, indent, text, after in sorted(insertions, key=lambda item: item[0], reverse=True):
        lines[index:index] = docstring_lines(text, indent) + after
    return "\n".join(lines)


def _docstring(node: ast.Module | ast.FunctionDef) -> ast.Expr | None:
    first = node.body[0] if node.body else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return first
    return None


def _module_docstring_line(lines: list[str]) -> int:
    """Where a module's docstring goes: after any first comments, before the code."""
    index = 0
    while index < len(lines) and lines[index].startswith("#"):
        index += 1
    return index


def _body_line(node: ast.FunctionDef, lines: list[str]) -> int:
    """Where a function's docstring goes: the line after its signature, before the
    comments (a fence, say) that open its body."""
    index = node.body[0].lineno - 1
    while index - 1 >= node.lineno and _comment_or_blank(lines[index - 1]):
        index -= 1
    return index


def _comment_or_blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")
