"""Turn a Jupyter notebook into one module source: its code cells, in order.

The handout's own set-up and check cells (``check("sigmoid")``, marked
``{"nngrade": {"role": "check"}}`` in their metadata by `grader.authoring.notebook`) are
left out: they call the public checks, which a submission is graded without.

IPython syntax is not Python: a cell that starts with a cell magic (``%%time``,
``%%bash``) is dropped whole, and line magics (``%matplotlib``) and shell lines (``!pip``)
become ``pass`` so that line numbers and indentation stay as the student wrote them. A
cell that still does not parse is dropped and reported; the other cells are graded.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

from grader.i18n import Text
from grader.loading.problems import Problem, problem
from grader.loading.sources import check_syntax, decode_source

_ESCAPED_LINE = re.compile(r"^(\s*)(?:[%!]|\w+\s*=\s*[%!])")
_FUTURE = re.compile(r"^from __future__ import ([\w, ()]+?)\s*(?:#.*)?$")


@dataclass
class NotebookCode:
    """The code extracted from a notebook, or why there is none."""

    code: str | None = None
    problems: list[Problem] = field(default_factory=list)


def strip_ipython(cell_source: str) -> str | None:
    """The cell as plain Python, or None when the whole cell is a cell magic."""
    lines = cell_source.split("\n")
    first = next((line for line in lines if line.strip()), "")
    if first.lstrip().startswith("%%"):
        return None
    kept = []
    for line in lines:
        match = _ESCAPED_LINE.match(line)
        kept.append(f"{match.group(1)}pass" if match else line)
    return "\n".join(kept)


def _instructor_test_cell(cell: Any) -> bool:
    """An nbgrader autograded-test cell: the instructor's assertions, not student code.

    Running them at import would let one failed assertion stop the whole notebook from
    loading; the hidden suites grade the functions instead.
    """
    nbgrader = cell.get("metadata", {}).get("nbgrader", {})
    return (
        isinstance(nbgrader, dict)
        and nbgrader.get("grade") is True
        and not nbgrader.get("solution")
    )


def _handout_check_cell(cell: Any) -> bool:
    """A set-up or check cell of the handout's notebook (see `grader.authoring.notebook`)."""
    marker = cell.get("metadata", {}).get("nngrade", {})
    return isinstance(marker, dict) and marker.get("role") == "check"


def _current_format_cells(document: Any) -> list[dict[str, Any]] | None:
    """The cells of a notebook in the current format (nbformat 4), read as plain JSON.

    None when the document is not plainly such a notebook: nbformat then converts or
    refuses it. Most submissions are current notebooks, and nbformat with the jsonschema
    it loads costs about a second of start-up that they need not pay.
    """
    if not isinstance(document, dict) or document.get("nbformat") != 4:
        return None
    cells = document.get("cells")
    if not isinstance(cells, list):
        return None
    for cell in cells:
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            return None
        source = cell.get("source")
        if not isinstance(source, str) and not (
            isinstance(source, list) and all(isinstance(line, str) for line in source)
        ):
            return None
        if not isinstance(cell.get("metadata", {}), dict):
            return None
    return cells


def _converted_cells(text: str) -> list[Any]:
    """The cells of an older or unusual notebook, through nbformat (which may refuse it)."""
    import nbformat

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbformat warns about missing ids, old versions
        notebook = nbformat.reads(text, as_version=4)
    return list(notebook.cells)


def notebook_code(path: str, data: bytes) -> NotebookCode:
    """Extract the code cells of the notebook `data` (the file's bytes)."""
    result = NotebookCode()
    text, bad = decode_source(path, data)
    if bad is not None:
        result.problems.append(bad)
    if text is None:
        return result
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        result.problems.append(_not_json(path, error))
        return result
    cells = _current_format_cells(document)
    try:
        if cells is None:
            cells = _converted_cells(text)
        sources = [
            "".join(cell["source"]) if isinstance(cell["source"], list) else str(cell["source"])
            for cell in cells
            if cell.get("cell_type") == "code"
            and not _instructor_test_cell(cell)
            and not _handout_check_cell(cell)
        ]
    except Exception as error:  # nbformat raises many kinds for a JSON that is no notebook
        result.problems.append(_not_a_notebook(path, error))
        return result
    parts = []
    futures: set[str] = set()
    for number, source in enumerate(sources, start=1):
        code = strip_ipython(source.replace("\r\n", "\n"))
        if code is None:
            continue
        code = _hoist_futures(code, futures)
        bad = check_syntax(path, code, cell=number)
        if bad is not None:
            result.problems.append(bad)
            continue
        parts.append(f"# code cell {number}\n{code}\n")
    header = f"from __future__ import {', '.join(sorted(futures))}\n" if futures else ""
    result.code = header + "\n".join(parts)
    return result


def _hoist_futures(code: str, futures: set[str]) -> str:
    """Move ``from __future__`` imports out of a cell: in one module they must come first."""
    lines = code.split("\n")
    for index, line in enumerate(lines):
        match = _FUTURE.match(line)
        if match:
            names = match.group(1).replace("(", "").replace(")", "")
            futures.update(name.strip() for name in names.split(",") if name.strip())
            lines[index] = "pass"
    return "\n".join(lines)


def _not_json(path: str, error: Exception) -> Problem:
    detail = str(error)[:200]
    return problem(
        path,
        "not_json",
        Text(
            "%(file)s is not a valid notebook file: it is not JSON (%(detail)s). Save the "
            "notebook again from Jupyter (File > Save) and submit the .ipynb file.",
            file=path,
            detail=detail,
        ),
    )


def _not_a_notebook(path: str, error: Exception) -> Problem:
    detail = f"{type(error).__name__}: {str(error)[:200]}"
    return problem(
        path,
        "not_a_notebook",
        Text(
            "%(file)s is JSON but not a Jupyter notebook (%(detail)s). Submit the .ipynb file "
            "that Jupyter saves, not an export.",
            file=path,
            detail=detail,
        ),
    )
