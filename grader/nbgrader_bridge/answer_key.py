"""Read `solutions/` as the pieces an nbgrader notebook is made of.

A solution module becomes, in the notebook: its imports (gathered into the helper cell),
its support code (module-level statements and helper functions that are not exercises,
e.g. the table of activations in ``network.py``: one read-only cell), and one solution
cell per contract function, in which our ``# BEGIN SOLUTION`` / ``# END SOLUTION`` fences
become nbgrader's ``### BEGIN SOLUTION`` / ``### END SOLUTION``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import solutions
from grader.authoring.generate import answer_key_source
from grader.catalog import all_functions
from grader.errors import FenceError

OUR_BEGIN = "# BEGIN SOLUTION"
OUR_END = "# END SOLUTION"
NBGRADER_BEGIN = "### BEGIN SOLUTION"
NBGRADER_END = "### END SOLUTION"

# Imports that tie the answer key's modules together: in one notebook every function
# already lives in the same namespace, so they are dropped.
_PACKAGE_IMPORTS = ("solutions", "exercises", "reference")


@dataclass(frozen=True)
class ModuleAnswers:
    """One solution module, cut into notebook-sized pieces.

    Attributes:
        name: the module name, e.g. ``"network"``.
        docstring: the module docstring (the section's introduction).
        imports: the module's import statements that a notebook needs (numpy, stdlib).
        support: module-level code that is neither an import nor a contract function,
            in source order (empty string when there is none).
        functions: contract function name -> its source, nbgrader delimiters in place.
    """

    name: str
    docstring: str
    imports: tuple[str, ...]
    support: str
    functions: dict[str, str]


def solutions_folder() -> Path:
    """The folder of the installed answer key."""
    return Path(solutions.__file__).resolve().parent


def to_nbgrader_fences(source: str, where: str) -> str:
    """Replace our solution fences with nbgrader's, keeping the indentation.

    A stub carried by our begin fence is dropped: nbgrader writes its own
    ``raise NotImplementedError()`` in the region's place.
    """
    lines = []
    inside = False
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        if stripped.startswith(OUR_BEGIN):
            if inside:
                raise FenceError(f"{where}, line {number}: a solution fence opens inside another.")
            inside = True
            lines.append(indent + NBGRADER_BEGIN)
        elif stripped.startswith(OUR_END):
            if not inside:
                raise FenceError(
                    f"{where}, line {number}: a solution fence closes without opening."
                )
            inside = False
            lines.append(indent + NBGRADER_END)
        else:
            lines.append(line)
    if inside:
        raise FenceError(f"{where}: a solution fence opens and never closes.")
    return "\n".join(lines)


def _is_package_import(node: ast.stmt) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] in _PACKAGE_IMPORTS
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] in _PACKAGE_IMPORTS for alias in node.names)
    return False


def _segment(lines: list[str], node: ast.stmt) -> str:
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    last = node.end_lineno or node.lineno
    # The AST ends a function at its last statement; the comments after it (our closing
    # fence, at least) still belong to its body when they are indented inside it.
    while last < len(lines):
        following = lines[last]
        indent = len(following) - len(following.lstrip())
        if not following.strip().startswith("#") or indent <= node.col_offset:
            break
        last += 1
    return "\n".join(lines[first - 1 : last])


def read_module(name: str, lang: str = "en") -> ModuleAnswers:
    """Cut ``solutions/<name>.py``, its statements (docstrings) in `lang`, into its
    notebook pieces."""
    text = answer_key_source(solutions_folder() / f"{name}.py", lang)
    return cut_module(text, name, where=f"solutions/{name}.py")


def cut_module(text: str, name: str, *, where: str) -> ModuleAnswers:
    """Cut the source `text` of the module `name` (``where``: its file, for errors) into its
    notebook pieces: the answer key's, or a handout's stubs (which have no fence left)."""
    lines = text.splitlines()
    tree = ast.parse(text, filename=where)
    contract = set(all_functions())
    imports: list[str] = []
    support: list[str] = []
    functions: dict[str, str] = {}
    for index, node in enumerate(tree.body):
        if index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the module docstring
        if isinstance(node, ast.Import | ast.ImportFrom):
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                continue
            if not _is_package_import(node):
                imports.append(_segment(lines, node))
        elif isinstance(node, ast.FunctionDef) and node.name in contract:
            place = f"{where}, function {node.name}"
            functions[node.name] = to_nbgrader_fences(_segment(lines, node), place)
        else:
            segment = _segment(lines, node)
            if OUR_BEGIN in segment:
                raise FenceError(
                    f"{where}, line {node.lineno}: a solution fence sits outside "
                    "the contract functions; the nbgrader export only fences those."
                )
            support.append(segment)
    return ModuleAnswers(
        name=name,
        docstring=ast.get_docstring(tree) or "",
        imports=tuple(imports),
        support="\n\n\n".join(support),
        functions=functions,
    )
