"""Generate `exercises/` (the student stubs) from `solutions/` (the fenced answer key).

A stub is its module of the answer key with its statements written in (the docstrings of
the module and of its contract functions, from the specs: `grader.authoring.statements`)
and its answers stripped (`grader.authoring.fences`). `exercises/` in the repository holds
the English stubs; `nngrade release --lang fr` writes French ones into the handout.

Run ``python -m grader.authoring.generate`` from the repository root after editing
`solutions/` or a statement; ``python -m grader.authoring.generate --check`` only reports
whether `exercises/` is in sync (exit status 1 if not). The test suite runs the check.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

from grader.authoring.fences import strip_solutions
from grader.authoring.statements import with_statements
from grader.errors import UsageError
from grader.i18n import SOURCE_LANGUAGE

REGENERATE_COMMAND = "python -m grader.authoring.generate"


def default_solutions_dir() -> Path:
    """The folder of the `solutions` package (the answer key)."""
    spec = importlib.util.find_spec("solutions")
    if spec is None or not spec.submodule_search_locations:
        raise UsageError(
            "The `solutions` package cannot be found; install nngrade from its repository "
            "(pip install -e .) so that the answer key is importable."
        )
    return Path(next(iter(spec.submodule_search_locations)))


def default_exercises_dir() -> Path:
    """`exercises/` beside `solutions/` at the repository root."""
    return default_solutions_dir().parent / "exercises"


def stub_sources(solutions_dir: Path, lang: str = SOURCE_LANGUAGE) -> dict[str, str]:
    """Every module of `solutions_dir`, its statements in `lang`, stripped:
    ``{relative path: stub source}``.

    Raises `FenceError` (naming the file and line) if a fence is malformed, or if the
    answer key holds a docstring that a spec's statement would replace.
    """
    if not solutions_dir.is_dir():
        raise UsageError(f"{solutions_dir} is not a folder; point to the `solutions/` folder.")
    sources: dict[str, str] = {}
    for path in sorted(solutions_dir.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        relative = path.relative_to(solutions_dir).as_posix()
        source = answer_key_source(path, lang)
        sources[relative] = strip_solutions(source, str(path))
    return sources


def answer_key_source(path: Path, lang: str = SOURCE_LANGUAGE) -> str:
    """The module of the answer key at `path` with its statements in `lang` written in."""
    text = path.read_text(encoding="utf-8")
    where = f"solutions/{path.name}"
    return with_statements(text, path.stem, lang, where=where)


def generate_exercises(solutions_dir: Path, out_dir: Path) -> list[Path]:
    """Write the stubs of `solutions_dir` into `out_dir`; return the files written.

    Python files of `out_dir` that have no counterpart in `solutions_dir` are deleted, so
    that `out_dir` mirrors the answer key file for file.
    """
    sources = stub_sources(solutions_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.rglob("*.py"):
        if stale.relative_to(out_dir).as_posix() not in sources:
            stale.unlink()
    written = []
    for relative, text in sources.items():
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


def exercises_differences(solutions_dir: Path, exercises_dir: Path) -> list[str]:
    """Why `exercises_dir` is not what the generator makes from `solutions_dir` (empty: in sync)."""
    expected = stub_sources(solutions_dir)
    present = {
        path.relative_to(exercises_dir).as_posix(): path
        for path in exercises_dir.rglob("*.py")
        if "__pycache__" not in path.parts
    }
    problems = []
    for relative, text in expected.items():
        if relative not in present:
            problems.append(f"{exercises_dir.name}/{relative} is missing.")
        elif present[relative].read_text(encoding="utf-8") != text:
            problems.append(f"{exercises_dir.name}/{relative} differs from its generated stub.")
    for relative in sorted(set(present) - set(expected)):
        problems.append(f"{exercises_dir.name}/{relative} has no counterpart in solutions/.")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: regenerate `exercises/`, or check it with ``--check``."""
    parser = argparse.ArgumentParser(
        prog=REGENERATE_COMMAND, description="Generate exercises/ from solutions/."
    )
    parser.add_argument("--check", action="store_true", help="only report differences")
    arguments = parser.parse_args(argv)
    solutions_dir, exercises_dir = default_solutions_dir(), default_exercises_dir()
    if arguments.check:
        problems = exercises_differences(solutions_dir, exercises_dir)
        for problem in problems:
            print(problem)
        if problems:
            print(f"Run `{REGENERATE_COMMAND}` from the repository root to regenerate it.")
        return 1 if problems else 0
    written = generate_exercises(solutions_dir, exercises_dir)
    print(f"Wrote {len(written)} files into {exercises_dir}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
