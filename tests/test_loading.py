"""Loading a submission: folder, zip or notebook, with bad files refused and the rest kept."""

from __future__ import annotations

import json
import os
import stat
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.catalog import MODULES, all_functions
from grader.errors import UsageError
from grader.loading import NOTEBOOK_MODULE, LoadLimits, load_submission

GOOD = "def relu(Z):\n    return Z * (Z > 0)\n"


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return folder


def codes(loaded) -> list[str]:
    return [found["code"] for found in loaded.problems]


def test_folder_with_modules_at_the_top(tmp_path: Path) -> None:
    loaded = load_submission(write(tmp_path / "ana", {"activations.py": GOOD, "notes.txt": "x"}))
    assert loaded.kind == "folder" and loaded.name == "ana"
    assert loaded.sources == {"activations": GOOD}
    assert loaded.module_status == {name: "missing" for name in MODULES if name != "activations"}
    assert loaded.function_modules["relu"] == "activations"
    assert [f["path"] for f in loaded.files] == ["activations.py"]
    assert loaded.gradable and loaded.problems == ()


def test_folder_with_an_exercises_subfolder_and_helpers(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "ben",
        {"exercises/losses.py": "X = 1\n", "exercises/helpers.py": "Y = 2\n", "README.md": ""},
    )
    loaded = load_submission(folder)
    assert loaded.sources == {"losses": "X = 1\n", "helpers": "Y = 2\n"}
    assert [f["path"] for f in loaded.files] == ["exercises/helpers.py", "exercises/losses.py"]


@pytest.mark.parametrize("name", ["exercises", "numpy", "random", "math", "json"])
def test_a_helper_named_after_a_module_it_would_hide_is_left_out(tmp_path: Path, name: str) -> None:
    folder = write(tmp_path / "cleo", {"activations.py": GOOD, f"{name}.py": "X = 1\n"})
    loaded = load_submission(folder)
    assert loaded.sources == {"activations": GOOD}
    assert codes(loaded) == ["shadowing"]
    assert f"{name}.py" in loaded.problems[0]["message"]
    assert loaded.gradable


def test_crlf_and_bom_are_normalised_and_hashed_the_same(tmp_path: Path) -> None:
    plain = load_submission(write(tmp_path / "a", {"model.py": "A = 1\nB = 2\n"}))
    windows = load_submission(
        write(tmp_path / "b", {"model.py": b"\xef\xbb\xbfA = 1\r\nB = 2\r\n"})
    )
    assert windows.sources == plain.sources
    assert windows.sha256 == plain.sha256
    assert windows.files[0]["sha256"] != plain.files[0]["sha256"]  # the raw file differs


def test_syntax_error_names_file_and_line_and_never_runs(tmp_path: Path) -> None:
    canary = tmp_path / "ran"
    source = f"open({str(canary)!r}, 'w').write('x')\ndef relu(Z)\n    return Z\n"
    folder = write(tmp_path / "c", {"activations.py": source, "losses.py": "L = 1\n"})
    loaded = load_submission(folder)
    (problem,) = loaded.problems
    assert problem["code"] == "syntax_error" and problem["line"] == 2
    assert problem["message"].startswith("activations.py has a syntax error on line 2")
    assert "ligne 2" in problem["messages"]["fr"]
    assert loaded.module_status["activations"] == "syntax_error"
    assert loaded.sources == {"losses": "L = 1\n"}
    assert not canary.exists()


def test_absurdly_nested_code_is_refused_not_crashing(tmp_path: Path) -> None:
    folder = write(tmp_path / "d", {"activations.py": "x = " + "-" * 200_000 + "1\n"})
    assert codes(load_submission(folder)) == ["syntax_error"]


def test_non_utf8_source_is_refused_with_its_line(tmp_path: Path) -> None:
    folder = write(tmp_path / "e", {"losses.py": b"A = 1\n# caf\xe9\n", "model.py": "M = 1\n"})
    loaded = load_submission(folder)
    assert codes(loaded) == ["not_utf8"]
    assert loaded.problems[0]["line"] == 2
    assert loaded.module_status["losses"] == "refused"
    assert "model" in loaded.sources


def test_symlinks_are_never_followed(tmp_path: Path) -> None:
    secret = write(tmp_path / "secret", {"activations.py": "SECRET = 1\n"})
    folder = write(tmp_path / "f", {"losses.py": "L = 1\n"})
    (folder / "activations.py").symlink_to(secret / "activations.py")
    (folder / "network.py").symlink_to("/etc/passwd")
    loaded = load_submission(folder)
    assert sorted(codes(loaded)) == ["symlink", "symlink"]
    assert loaded.module_status["activations"] == "refused"
    assert all("SECRET" not in text for text in loaded.sources.values())


def test_symlinked_exercises_folder_and_submission_are_refused(tmp_path: Path) -> None:
    secret = write(tmp_path / "secret", {"activations.py": "SECRET = 1\n"})
    folder = tmp_path / "g"
    folder.mkdir()
    (folder / "exercises").symlink_to(secret)
    assert codes(load_submission(folder)) == ["symlink"]
    link = tmp_path / "link"
    link.symlink_to(secret)
    loaded = load_submission(link)
    assert codes(loaded) == ["symlink"] and not loaded.gradable


def test_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    folder = write(tmp_path / "h", {"losses.py": "L = 1\n"})
    os.mkfifo(folder / "activations.py")
    loaded = load_submission(folder)
    assert codes(loaded) == ["unreadable"]
    assert "losses" in loaded.sources


def test_size_caps_per_file_and_in_total(tmp_path: Path) -> None:
    limits = LoadLimits(file_bytes=100, total_bytes=150)
    big = "# " + "x" * 200 + "\n"
    folder = write(
        tmp_path / "i",
        {"activations.py": big, "losses.py": "A = 1\n" * 15, "model.py": "B = 2\n" * 15},
    )
    loaded = load_submission(folder, limits)
    assert codes(loaded) == [
        "too_large",
        "too_large",
    ]  # activations alone, then model past the total
    assert sorted(loaded.sources) == ["losses"]


def zip_of(path: Path, entries: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return path


def test_zip_under_one_top_level_folder(tmp_path: Path) -> None:
    archive = zip_of(
        tmp_path / "cara.zip",
        {"cara/exercises/activations.py": GOOD, "__MACOSX/._x": "junk", "cara/.DS_Store": "x"},
    )
    loaded = load_submission(archive)
    assert loaded.kind == "zip" and loaded.sources == {"activations": GOOD}
    assert loaded.files[0]["path"] == "cara/exercises/activations.py"
    assert loaded.problems == ()


def test_zip_entries_escaping_the_folder_are_refused(tmp_path: Path) -> None:
    archive = zip_of(
        tmp_path / "evil.zip",
        {"../../etc/x.py": "A = 1\n", "/abs/losses.py": "B = 1\n", "activations.py": GOOD},
    )
    loaded = load_submission(archive)
    assert codes(loaded) == ["zip_escape", "zip_escape"]
    assert loaded.sources == {"activations": GOOD}


def test_zip_symlink_entry_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        info = zipfile.ZipInfo("activations.py")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zipped.writestr(info, "/work/main/solutions/activations.py")
        zipped.writestr("losses.py", "L = 1\n")
    loaded = load_submission(archive)
    assert codes(loaded) == ["symlink"]
    assert loaded.module_status["activations"] == "refused"


def test_zip_bomb_and_duplicates_are_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("activations.py", "#" * (300 * 1024))
    assert codes(load_submission(bomb)) == ["too_large"]
    many = zip_of(tmp_path / "many.zip", {f"f{i}.txt": "" for i in range(600)})
    assert codes(load_submission(many)) == ["too_large"]
    duplicate = tmp_path / "twice.zip"
    with zipfile.ZipFile(duplicate, "w") as zipped:
        zipped.writestr("losses.py", "A = 1\n")
        with pytest.warns(UserWarning):
            zipped.writestr("losses.py", "A = 2\n")
    assert codes(load_submission(duplicate)) == ["duplicate"]


def test_corrupt_zip_and_unknown_files_are_not_submissions(tmp_path: Path) -> None:
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really")
    assert codes(load_submission(broken)) == ["unreadable"]
    other = tmp_path / "essay.docx"
    other.write_text("hello")
    loaded = load_submission(other)
    assert loaded.kind == "other" and codes(loaded) == ["not_a_submission"]


def test_empty_folder_is_an_empty_submission(tmp_path: Path) -> None:
    (tmp_path / "nobody").mkdir()
    loaded = load_submission(tmp_path / "nobody")
    assert codes(loaded) == ["empty"] and not loaded.gradable


def test_missing_path_is_the_instructors_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        load_submission(tmp_path / "nope")


def notebook(path: Path, cells: list) -> Path:
    path.write_text(nbformat.writes(nbformat.v4.new_notebook(cells=cells)))
    return path


def test_notebook_cells_concatenated_magics_and_shell_lines_removed(tmp_path: Path) -> None:
    path = notebook(
        tmp_path / "dana.ipynb",
        [
            nbformat.v4.new_code_cell("!pip install numpy\n%matplotlib inline\nimport numpy as np"),
            nbformat.v4.new_markdown_cell("def not_code(:"),
            nbformat.v4.new_code_cell("%%bash\necho dropped"),
            nbformat.v4.new_code_cell("from __future__ import annotations\n" + GOOD),
            nbformat.v4.new_code_cell("files = !ls\ndef sigmoid(Z):\n    return Z"),
        ],
    )
    loaded = load_submission(path)
    code = loaded.sources[NOTEBOOK_MODULE]
    assert loaded.kind == "notebook" and loaded.problems == ()
    assert code.startswith("from __future__ import annotations\n")
    assert "pip" not in code and "matplotlib" not in code and "echo" not in code
    assert "def relu" in code and "def sigmoid" in code
    compile(code, "notebook", "exec")
    assert set(loaded.function_modules) == set(all_functions())
    assert set(loaded.function_modules.values()) == {NOTEBOOK_MODULE}


def test_nbgrader_test_cells_are_not_student_code(tmp_path: Path) -> None:
    """An nbgrader autograded-test cell is the instructor's: it is left out, solutions kept."""
    solution = nbformat.v4.new_code_cell(GOOD)
    solution.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "relu"}
    test = nbformat.v4.new_code_cell("assert relu(-1) == 'never true'")
    test.metadata["nbgrader"] = {"solution": False, "grade": True, "grade_id": "t", "points": 1}
    path = notebook(tmp_path / "nb.ipynb", [solution, test])
    code = load_submission(path).sources[NOTEBOOK_MODULE]
    assert "def relu" in code and "never true" not in code


def test_folder_holding_only_a_notebook_is_that_notebook(tmp_path: Path) -> None:
    """nbgrader's submitted/<student>/<assignment>/ folder grades as its notebook."""
    folder = tmp_path / "submitted" / "alice" / "nn"
    folder.mkdir(parents=True)
    notebook(folder / "nn.ipynb", [nbformat.v4.new_code_cell(GOOD)])
    (folder / "timestamp.txt").write_text("2026-11-29 10:00:00")
    loaded = load_submission(folder)
    assert loaded.kind == "notebook" and "def relu" in loaded.sources[NOTEBOOK_MODULE]
    (folder / "activations.py").write_text(GOOD)  # Python files win: graded as a folder
    assert load_submission(folder).kind == "folder"


def test_an_older_notebook_format_is_converted(tmp_path: Path) -> None:
    """A version 3 notebook (worksheets) is read through nbformat's conversion."""
    current = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(GOOD)])
    old = nbformat.convert(current, 3)
    path = tmp_path / "old.ipynb"
    path.write_text(nbformat.writes(old, version=3), encoding="utf-8")
    loaded = load_submission(path)
    assert loaded.problems == () and "def relu" in loaded.sources[NOTEBOOK_MODULE]


def test_notebook_cell_with_syntax_error_is_dropped_and_reported(tmp_path: Path) -> None:
    path = notebook(
        tmp_path / "eve.ipynb",
        [nbformat.v4.new_code_cell("def oops(:\n"), nbformat.v4.new_code_cell(GOOD)],
    )
    loaded = load_submission(path)
    assert codes(loaded) == ["syntax_error"]
    assert "(code cell 1)" in loaded.problems[0]["message"]
    assert "def relu" in loaded.sources[NOTEBOOK_MODULE]


def test_notebook_that_is_not_json_or_not_a_notebook(tmp_path: Path) -> None:
    (tmp_path / "a.ipynb").write_text("{ this is not json")
    (tmp_path / "b.ipynb").write_text(json.dumps({"hello": "world"}))
    assert codes(load_submission(tmp_path / "a.ipynb")) == ["not_json"]
    loaded = load_submission(tmp_path / "b.ipynb")
    assert codes(loaded) == ["not_a_notebook"] and not loaded.gradable
    assert loaded.module_status == {NOTEBOOK_MODULE: "refused"}
