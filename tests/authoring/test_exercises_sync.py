"""`exercises/` is exactly what the generator makes from `solutions/`."""

from __future__ import annotations

import ast
from pathlib import Path

from grader.authoring.generate import (
    REGENERATE_COMMAND,
    exercises_differences,
    generate_exercises,
)
from grader.catalog import all_functions, module_of

from .conftest import ROOT, SOLUTIONS


def test_committed_exercises_are_in_sync_with_solutions() -> None:
    """A stale exercises/ fails with the command that regenerates it."""
    problems = exercises_differences(SOLUTIONS, ROOT / "exercises")
    assert not problems, "\n".join(
        [*problems, f"Run `{REGENERATE_COMMAND}` from the repository root to regenerate it."]
    )


def test_a_changed_stub_is_reported(tmp_path: Path) -> None:
    """Editing a generated file by hand, or deleting one, is detected and named."""
    generate_exercises(SOLUTIONS, tmp_path)
    (tmp_path / "losses.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "model.py").unlink()
    (tmp_path / "extra.py").write_text("", encoding="utf-8")
    assert exercises_differences(SOLUTIONS, tmp_path) == [
        f"{tmp_path.name}/losses.py differs from its generated stub.",
        f"{tmp_path.name}/model.py is missing.",
        f"{tmp_path.name}/extra.py has no counterpart in solutions/.",
    ]


def test_generation_removes_stale_files_and_is_repeatable(tmp_path: Path) -> None:
    """Generating twice gives the same files; files unknown to solutions/ are deleted."""
    (tmp_path / "old.py").write_text("", encoding="utf-8")
    first = {p.name: p.read_text() for p in generate_exercises(SOLUTIONS, tmp_path)}
    second = {p.name: p.read_text() for p in generate_exercises(SOLUTIONS, tmp_path)}
    assert first == second
    assert not (tmp_path / "old.py").exists()


def test_every_contract_function_is_a_documented_stub() -> None:
    """Each of the 25 functions is in its module, keeps its docstring, and only raises."""
    for function in all_functions():
        path = ROOT / "exercises" / f"{module_of(function)}.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        definitions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
        assert function in definitions, f"{path.name} lacks {function}"
        definition = definitions[function]
        assert ast.get_docstring(definition), f"{function} lost its docstring"
        body = definition.body[1:]
        assert len(body) == 1 and isinstance(body[0], ast.Raise), function
        assert f"{function} is not implemented yet" in ast.unparse(body[0])
