"""Fences: stripping answers, custom stubs, and clear errors for malformed fences."""

from __future__ import annotations

import pytest

from grader.authoring.fences import find_regions, strip_solutions
from grader.catalog import MODULES
from grader.errors import FenceError

from .conftest import SOLUTIONS

FENCED = '''def relu(Z):
    """Statement."""
    # BEGIN SOLUTION
    A = max(0, Z)
    return A
    # END SOLUTION
'''


def test_default_stub_names_the_function_and_keeps_the_docstring() -> None:
    """The answer goes, the docstring stays, the stub raises naming the function."""
    assert strip_solutions(FENCED) == (
        'def relu(Z):\n    """Statement."""\n'
        '    raise NotImplementedError("relu is not implemented yet.")\n'
    )


def test_custom_stub_replaces_the_region() -> None:
    """`# BEGIN SOLUTION stub: <line>` leaves that line, indented like the fence."""
    source = FENCED.replace("# BEGIN SOLUTION", "# BEGIN SOLUTION stub: return None")
    assert strip_solutions(source).splitlines()[-1] == "    return None"


def test_partial_region_keeps_the_code_around_it() -> None:
    """Only the fenced lines go: scaffolding before and after stays."""
    source = (
        "def f(x):\n    y = x + 1\n    # BEGIN SOLUTION stub: z = None\n    z = y * 2\n"
        "    # END SOLUTION\n    return z\n"
    )
    assert strip_solutions(source) == "def f(x):\n    y = x + 1\n    z = None\n    return z\n"


def test_module_level_region_without_stub_is_removed() -> None:
    """Outside any function there is nothing to name: the region simply disappears."""
    source = "A = 1\n# BEGIN SOLUTION\nSECRET = 2\n# END SOLUTION\nB = 3\n"
    assert strip_solutions(source) == "A = 1\nB = 3\n"


def test_stripping_is_idempotent_on_the_answer_key() -> None:
    """Stripped text has no fence left: stripping it again changes nothing."""
    for path in SOLUTIONS.glob("*.py"):
        once = strip_solutions(path.read_text(encoding="utf-8"), str(path))
        assert strip_solutions(once) == once, path.name


def test_every_function_of_the_answer_key_is_fenced() -> None:
    """Each module of solutions/ except the package docstring hides at least one answer."""
    for name in MODULES:
        path = SOLUTIONS / f"{name}.py"
        assert find_regions(path.read_text(encoding="utf-8"), str(path)), name


@pytest.mark.parametrize(
    ("source", "line", "words"),
    [
        ("def f():\n    # BEGIN SOLUTION\n    return 1\n", 2, "never closed"),
        ("def f():\n    return 1\n    # END SOLUTION\n", 3, "without a `# BEGIN SOLUTION`"),
        (
            "def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n    return 1\n"
            "    # END SOLUTION\n    # END SOLUTION\n",
            3,
            "do not nest",
        ),
        ("def f():\n    # BEGIN SOLUTION\n    return 1\n# END SOLUTION\n", 4, "indented 0"),
        (
            "def f():\n    # BEGIN SOLUTION\n    x = 1\nreturn_x = 2\n    # END SOLUTION\n",
            4,
            "indented less",
        ),
        ("x = 1  # BEGIN SOLUTION\n", 1, "alone on its line"),
        ("def f():\n    # BEGIN SOLUTION please\n    # END SOLUTION\n", 2, "stub:"),
    ],
    ids=[
        "unclosed",
        "end-without-begin",
        "nested",
        "end-misindented",
        "body-dedent",
        "inline",
        "junk",
    ],
)
def test_malformed_fences_name_file_and_line(source: str, line: int, words: str) -> None:
    """Each malformed fence is a FenceError naming the file and the offending line."""
    with pytest.raises(FenceError) as raised:
        strip_solutions(source, "solutions/example.py")
    message = str(raised.value)
    assert message.startswith(f"solutions/example.py, line {line}:"), message
    assert words in message
