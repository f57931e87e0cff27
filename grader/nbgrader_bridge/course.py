"""An nbgrader course folder: its layout, its configuration, its submissions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.errors import UsageError

DEFAULT_ASSIGNMENT = "neural_networks"
CONFIG_NAME = "nbgrader_config.py"

MINIMAL_CONFIG = '''"""nbgrader configuration, written by `nngrade nbgrader export` (none existed).

Edit it freely: nngrade never overwrites this file.
"""

c = get_config()  # noqa: F821 (nbgrader provides get_config when it loads this file)

# The course id names the course in nbgrader's exchange (release, collect, feedback).
c.CourseDirectory.course_id = {course_id!r}
'''


@dataclass(frozen=True)
class CourseSettings:
    """What nngrade needs to know from a course's `nbgrader_config.py`.

    Attributes:
        course_id: ``CourseDirectory.course_id`` (nbgrader's default when unset).
        db_url: the gradebook's SQLAlchemy URL (default ``sqlite:///<course>/gradebook.db``).
    """

    course_id: str
    db_url: str


def write_minimal_config(course_dir: Path) -> bool:
    """Write a minimal `nbgrader_config.py` unless one exists; return whether it wrote one."""
    path = course_dir / CONFIG_NAME
    if path.exists():
        return False
    course_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(MINIMAL_CONFIG.format(course_id=course_dir.resolve().name), encoding="utf-8")
    return True


def read_settings(course_dir: Path) -> CourseSettings:
    """The course id and gradebook URL, as nbgrader would read them from the course's config."""
    from traitlets.config.loader import PyFileConfigLoader

    course_dir = course_dir.resolve()
    config_path = course_dir / CONFIG_NAME
    course_id, db_url = "default_course", f"sqlite:///{course_dir / 'gradebook.db'}"
    if config_path.exists():
        config = PyFileConfigLoader(CONFIG_NAME, path=str(course_dir)).load_config()
        section = config.get("CourseDirectory", {})
        course_id = section.get("course_id") or course_id
        db_url = section.get("db_url") or db_url
    return CourseSettings(course_id=course_id, db_url=db_url)


def submitted_notebooks(course_dir: Path, assignment: str) -> dict[str, list[Path]]:
    """Student id -> their notebooks in ``submitted/<student>/<assignment>/``, sorted."""
    submitted = course_dir / "submitted"
    if not submitted.is_dir():
        raise UsageError(
            f"{submitted} does not exist: collect the submissions first "
            f"(`nbgrader collect {assignment}`)."
        )
    found: dict[str, list[Path]] = {}
    for student in sorted(path for path in submitted.iterdir() if path.is_dir()):
        notebooks = sorted((student / assignment).glob("*.ipynb"))
        if notebooks:
            found[student.name] = notebooks
    return found


def source_notebooks(course_dir: Path, assignment: str) -> list[Path]:
    """The assignment's source notebooks, or a UsageError saying how to make them."""
    notebooks = sorted((course_dir / "source" / assignment).glob("*.ipynb"))
    if not notebooks:
        raise UsageError(
            f"{course_dir / 'source' / assignment} holds no notebook: run "
            f"`nngrade nbgrader export {course_dir} --assignment {assignment}` first."
        )
    return notebooks
