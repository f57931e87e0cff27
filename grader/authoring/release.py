"""Write the student handout: stubs, public checks, self-check, README, requirements.

The handout works on its own with numpy and pytest: nothing in it imports the grader,
the reference or the answer key. Layout::

    README.md              the student README, in the chosen language
    requirements.txt       numpy, pytest
    selfcheck.py           python selfcheck.py [--lang fr|en]
    conftest.py            lets plain `pytest` import the two packages below
    test_public_checks.py  the same checks as pytest tests
    exercises/             the stubs, generated from solutions/
    exercises.ipynb        the same stubs as a notebook, a check cell after each function
                           (grader/authoring/notebook.py)
    checks/                grader/public, copied verbatim, plus grader/gradcheck.py (the
                           grader's own finite differences, tolerances and diagnosis, so that
                           the public checks and the grading agree), grader/i18n.py and the
                           compiled catalogs in locale/ (the project's translations),
                           grader/report/axes.py (the feedback page's plot axes), and
                           expected.json
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from grader.authoring.expected import build_expected, load_oracle
from grader.authoring.generate import default_solutions_dir, stub_sources
from grader.authoring.notebook import NOTEBOOK_NAME, build_handout_notebook
from grader.catalog import MODULES
from grader.errors import UsageError
from grader.i18n import LANGUAGES, LOCALE_DIR, catalog_path
from grader.nbgrader_bridge.notebook import write_notebook

PUBLIC_DIR = Path(__file__).resolve().parent.parent / "public"
GRADCHECK = PUBLIC_DIR.parent / "gradcheck.py"
I18N = PUBLIC_DIR.parent / "i18n.py"
AXES = PUBLIC_DIR.parent / "report" / "axes.py"
ROOT_FILES_DIR = Path(__file__).resolve().parent / "handout_root"
ROOT_FILES: tuple[str, ...] = (
    "selfcheck.py",
    "conftest.py",
    "test_public_checks.py",
    "requirements.txt",
)
CHECKS_PACKAGE = "checks"
EXPECTED_NAME = "expected.json"


def release(
    out_dir: Path, *, lang: str = "en", force: bool = False, oracle: str = "reference"
) -> Path:
    """Write the handout into `out_dir` and return it.

    Args:
        out_dir: the folder to create; it must be missing or empty unless `force`.
        lang: the language of the README, the notebook and the exercise statements (the
            docstrings of the stubs), ``"en"`` or ``"fr"`` (the self-check speaks both).
        force: replace the contents of a non-empty `out_dir`.
        oracle: the package whose outputs become the expected values (``reference``).

    Raises:
        UsageError: bad language, a non-empty folder without `force`, or an oracle that
            cannot be imported.
        FenceError: a malformed fence in `solutions/`.
    """
    if lang not in LANGUAGES:
        raise UsageError(
            f"Unknown language {lang!r}; the handout exists in: {', '.join(LANGUAGES)}."
        )
    out_dir = Path(out_dir)
    solutions_dir = default_solutions_dir()
    _refuse_unsafe_target(out_dir, force, solutions_dir)
    # Everything that can fail (a bad fence, no oracle) runs before anything is deleted.
    stubs = stub_sources(solutions_dir, lang)
    expected = build_expected(load_oracle(oracle))
    notebook = build_handout_notebook(stubs, lang)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)

    for relative, text in stubs.items():
        target = out_dir / "exercises" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    checks = out_dir / CHECKS_PACKAGE
    checks.mkdir()
    for source in sorted(PUBLIC_DIR.glob("*.py")):
        shutil.copyfile(source, checks / source.name)
    shutil.copyfile(GRADCHECK, checks / GRADCHECK.name)
    shutil.copyfile(I18N, checks / I18N.name)
    shutil.copyfile(AXES, checks / AXES.name)
    for code in LANGUAGES:
        catalog = catalog_path(code)
        if catalog.exists():  # the language of the message ids has none
            target = checks / LOCALE_DIR.name / catalog.relative_to(LOCALE_DIR)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(catalog, target)
    (checks / EXPECTED_NAME).write_text(json.dumps(expected, ensure_ascii=False), encoding="utf-8")

    for name in ROOT_FILES:
        shutil.copyfile(ROOT_FILES_DIR / name, out_dir / name)
    readme = (ROOT_FILES_DIR / f"README.{lang}.md").read_text(encoding="utf-8")
    modules = ", ".join(f"`{module}.py`" for module in MODULES)  # in the order of the course
    (out_dir / "README.md").write_text(readme.replace("{modules}", modules), encoding="utf-8")
    write_notebook(notebook, out_dir / NOTEBOOK_NAME)
    return out_dir


def _refuse_unsafe_target(out_dir: Path, force: bool, solutions_dir: Path) -> None:
    """Refuse a file, a non-empty folder without `force`, or a folder holding the project."""
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir} is a file; give a folder for the handout.")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not force:
            raise UsageError(
                f"{out_dir} is not empty; choose a new or empty folder, or pass --force to "
                f"replace its contents."
            )
        resolved = out_dir.resolve()
        if resolved == solutions_dir.resolve() or resolved in solutions_dir.resolve().parents:
            raise UsageError(
                f"{out_dir} contains the project's solutions/; refusing to clear it even with "
                f"--force. Choose a folder outside the repository."
            )
