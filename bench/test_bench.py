"""Tests of the benchmark's own parts: `python -m pytest bench` (a few seconds, no grading)."""

from __future__ import annotations

import ast
import json
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.bug_heavy import edit, editable, graded_count
from bench.class_scale import growth, scaled_class
from bench.measure import run_measured
from bench.mutations import BUGS, CATEGORIES, IMPORT_STYLES, MUTATIONS, SEVERAL_BUGS, Edit
from bench.nbgrader_run import function_sources
from bench.numpy_start import against_numpy, numpy_figures, numpy_starts
from bench.plain_stage import differing_grades, grades, read_doctor, turns
from bench.plain_user import (
    PlainEnvironment,
    checkout_name,
    project_files,
    project_key,
    root_owned_folder,
    venv_key,
)
from bench.report import evaluate, figure_lines
from bench.synthetic import (
    BUG_HEAVY_MIX,
    MODULES,
    MutationMismatch,
    apply_edits,
    class_counts,
    manifest,
    notebook_json,
    plan_class,
    write_class,
)
from bench.tools import ROOT


def test_every_mutation_applies_in_every_import_style() -> None:
    """Planning a class applies each edit once up front, so a stale edit fails here."""
    submissions = plan_class(len(CATEGORIES))
    assert len(submissions) == len(CATEGORIES)


def test_an_edit_that_no_longer_matches_names_itself() -> None:
    """An edit whose text is not in the answer key fails with the edit's name and text."""
    with pytest.raises(MutationMismatch, match=r"stale_edit.*'no such text'"):
        apply_edits({"losses": "x = 1\n"}, [Edit("losses", "no such text", "y")], "stale_edit")


def test_the_class_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    """Two builds with the same seed write the same files; another seed differs."""
    first, second = tmp_path / "a", tmp_path / "b"
    write_class(plan_class(40, seed=3), first)
    write_class(plan_class(40, seed=3), second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for relative in files:
        assert (first / relative).read_bytes() == (second / relative).read_bytes()
    assert manifest(plan_class(40, seed=4), 4) != manifest(plan_class(40, seed=3), 3)


@pytest.mark.parametrize("n", [1, 7, 50, 200, 333])
def test_class_counts_add_up_and_follow_the_mix(n: int) -> None:
    """The categories add up to N; at 200 they are exactly the documented shares."""
    counts = class_counts(n)
    assert sum(counts.values()) == n
    if n == 200:
        assert counts == {"variant": 110, "bug": 70, "partial": 10, "timeout": 4, "broken": 6}


def test_a_class_of_200_holds_every_mutation() -> None:
    """Mutations take turns within their category, so 200 students show every kind."""
    used = {name for s in plan_class(200) for name in s.mutations}
    assert used == {m.name for mutations in MUTATIONS.values() for m in mutations}


def test_every_written_module_parses_except_the_planted_syntax_error() -> None:
    """Only the `syntax_error_in_network` mutation may produce invalid Python."""
    for submission in plan_class(200):
        for name, text in submission.sources.items():
            if "syntax_error_in_network" in submission.mutations and name == "network":
                with pytest.raises(SyntaxError):
                    ast.parse(text)
            else:
                ast.parse(text)


def test_import_styles_change_only_the_imports() -> None:
    """A flat-import submission imports `from losses import`, never a relative import."""
    flat = next(s for s in plan_class(30) if s.import_style == "flat" and "model" in s.sources)
    assert "from losses import" in flat.sources["model"]
    assert "from ." not in flat.sources["model"]
    assert set(IMPORT_STYLES) == {"relative", "package", "flat"}


def test_a_notebook_holds_every_function_without_imports_between_modules() -> None:
    """The notebook form is valid JSON, defines the modules' functions, and drops
    the imports between them."""
    key = {
        name: (ROOT / "solutions" / f"{name}.py").read_text() for name in ("activations", "model")
    }
    notebook = json.loads(notebook_json(key))
    code = "\n".join(c["source"] for c in notebook["cells"] if c["cell_type"] == "code")
    assert "def sigmoid(" in code and "def train(" in code
    assert "from .losses" not in code and "from .network" not in code


def test_function_sources_reads_multi_line_signatures_and_broken_modules() -> None:
    """A signature spread over lines stays whole; a syntax error does not stop the others."""
    text = (
        "import numpy as np\n\n\ndef f(\n    a,\n) -> int:\n    return a\n\n\n"
        "def g(x)\n    return x\n\nTABLE = {}\n"
    )
    found = function_sources(text)
    assert found["f"] == "def f(\n    a,\n) -> int:\n    return a"
    assert found["g"] == "def g(x)\n    return x"


def test_run_measured_counts_cpu_of_children(tmp_path: Path) -> None:
    """CPU spent by a grandchild shows up in the measured run."""
    busy = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"
    command = ["sh", "-c", f"python3 -c '{busy}'"]
    run = run_measured(command, log=tmp_path / "log")
    assert run.returncode == 0
    assert run.cpu_seconds >= 0.25
    assert run.samples >= 1


def test_a_process_peak_is_its_own_not_its_parents(tmp_path: Path) -> None:
    """A child of a big parent is measured at what it reached itself, not at the parent's
    size (which ru_maxrss counts: the pages they shared between fork and exec)."""
    ballast = bytearray(160 << 20)
    ballast[::4096] = b"\x01" * len(range(0, len(ballast), 4096))  # resident
    grow = "import time\nheld = bytearray(40 << 20)\nheld[::4096] = b'x' * 10240\ntime.sleep(1)"
    run = run_measured([sys.executable, "-c", grow], log=tmp_path / "log", interval=0.1)
    assert run.returncode == 0 and len(ballast) == 160 << 20
    assert 40 << 20 <= run.peak_process_rss_bytes < 120 << 20


def test_targets_report_met_missed_and_not_measured() -> None:
    """A figure under its limit is met, over it is missed, absent is not measured."""
    verdicts = evaluate(
        {
            "inprocess": {"median_cpu_seconds": 0.2},
            "batch": {"n": 200, "wall_seconds": 75.0},
        }
    )
    by_name = {v["target"]: v["met"] for v in verdicts}
    assert by_name["median CPU per submission (in process)"] is True
    assert by_name["class of 200, wall (nngrade batch)"] is False
    assert by_name["nbgrader / nngrade, per submission"] is None


def test_a_scaled_class_copies_each_student_in_turn_under_a_new_id(tmp_path: Path) -> None:
    """Copies of a graded class: each result names its copy, so the batch keeps it."""
    source, graded = tmp_path / "class", tmp_path / "graded"
    for student, score in (("ann", 1.0), ("bo", 2.0)):
        (source / student).mkdir(parents=True)
        (source / student / "activations.py").write_text(f"# {student}\n")
        (graded / student).mkdir(parents=True)
        document = {"student": student, "score": score, "message": "é"}
        (graded / student / "result.json").write_text(json.dumps(document))
    (source / "cy").mkdir()  # no result: not copied
    class_dir, results = scaled_class(source, graded, tmp_path / "out", 5)
    copies = sorted(path.name for path in class_dir.iterdir())
    assert copies == ["c000-ann", "c000-bo", "c001-ann", "c001-bo", "c002-ann"]
    for copy in copies:
        document = json.loads((results / copy / "result.json").read_text(encoding="utf-8"))
        original = copy.split("-", 1)[1]
        assert document == {
            "student": copy,
            "score": {"ann": 1.0, "bo": 2.0}[original],
            "message": "é",
        }
        assert (class_dir / copy / "activations.py").read_text() == f"# {original}\n"


def test_the_scale_target_reads_the_worse_run_and_the_cost_per_student() -> None:
    """Peak RSS at 2000 over 200, for each run; the target is met only if both are."""
    mib = 1 << 20
    figures = {
        "sizes": [200, 2000],
        "200": {"first": {"peak_rss_bytes": 50 * mib}, "rerun": {"peak_rss_bytes": 40 * mib}},
        "2000": {"first": {"peak_rss_bytes": 59 * mib}, "rerun": {"peak_rss_bytes": 52 * mib}},
    }
    found = growth(figures)
    assert found["first"] == {"ratio": 1.18, "kib_per_student": 5.12}
    assert found["rerun"]["ratio"] == 1.3
    verdicts = {v["target"]: v for v in evaluate({"scale": {**figures, "growth": found}})}
    verdict = verdicts["batch process peak RSS growth, copied class, smallest to largest size"]
    assert verdict["met"] is False and verdict["value"] == 1.3


def test_the_mooc_estimate_sizes_the_cluster_for_the_deadline_hour() -> None:
    """50,000 submissions in an hour are 13.9 per second, 27.8 at twice the mean; at 5
    submissions per second and per worker that is 3 workers, and 6 for the peak."""
    from bench.cluster import mooc_estimate

    estimate = mooc_estimate(5.0, 0.010, 0.002)
    assert estimate.mean_rate == pytest.approx(13.889, abs=1e-3)
    assert estimate.peak_rate == pytest.approx(27.778, abs=1e-3)
    assert (estimate.workers_for_mean, estimate.workers_for_peak) == (3, 6)
    assert estimate.client_cpu_share == pytest.approx(0.2778, abs=1e-4)
    assert estimate.scheduler_cpu_share == pytest.approx(0.0556, abs=1e-4)
    exact = mooc_estimate(27.8, 0.0, 0.0, submissions=100_080, peak_factor=1.0)
    assert exact.workers_for_mean == exact.workers_for_peak == 1
    with pytest.raises(ValueError, match="positive"):
        mooc_estimate(0.0, 0.0, 0.0)


def test_the_bug_heavy_class_is_mostly_one_bug_some_several() -> None:
    """160 students with one common mistake, 30 with two or three that apply together, 10
    correct; every mistake shows up, and the class is the same for the same seed."""
    submissions = plan_class(200, mix=BUG_HEAVY_MIX)
    assert class_counts(200, BUG_HEAVY_MIX) == {"variant": 10, "bug": 160, "bugs": 30}
    bug_names = {bug.name for bug in BUGS}
    combinable = {bug.name for bug in SEVERAL_BUGS}
    for submission in submissions:
        if submission.category == "bug":
            assert len(submission.mutations) == 1 and submission.mutations[0] in bug_names
        elif submission.category == "bugs":
            assert len(submission.mutations) in (2, 3)
            assert len(set(submission.mutations)) == len(submission.mutations)
            assert set(submission.mutations) <= combinable
    assert {name for s in submissions if s.category == "bug" for name in s.mutations} == bug_names
    again = plan_class(200, mix=BUG_HEAVY_MIX)
    assert [s.sources for s in again] == [s.sources for s in submissions]


def test_several_bugs_are_all_in_the_code() -> None:
    """Each planted mistake of a `bugs` submission is there: its new text in the module."""
    key = {name: (ROOT / "solutions" / f"{name}.py").read_text() for name in MODULES}
    by_name = {bug.name: bug for bug in BUGS}
    for submission in plan_class(60, mix=BUG_HEAVY_MIX):
        if submission.category != "bugs":
            continue
        for name in submission.mutations:
            for planted in by_name[name].edits:
                assert planted.new in submission.sources[planted.module], (submission.student, name)
                assert submission.sources[planted.module] != key[planted.module]


def test_each_edited_submission_gets_a_new_content_hash(tmp_path: Path) -> None:
    """The reruns' edit changes what is graded, not just the file: the batch must regrade."""
    from grader.loading import load_submission

    submissions = plan_class(12, mix=BUG_HEAVY_MIX)
    write_class(submissions, tmp_path / "class")
    chosen = editable(submissions, 3)
    assert len({s.student for s in chosen}) == 3
    for submission in chosen:
        before = load_submission(tmp_path / "class" / submission.student).sha256
        edit(tmp_path / "class", submission)
        assert load_submission(tmp_path / "class" / submission.student).sha256 != before


def test_the_rerun_log_says_how_many_were_graded(tmp_path: Path) -> None:
    (tmp_path / "batch-class-one-changed.log").write_text(
        "s001 graded\nGraded 1 submission(s) in 2.1 s with 1 grading process(es); 199 kept\n"
    )
    assert graded_count(tmp_path, tmp_path / "class", "one-changed") == 1
    (tmp_path / "batch-class-nothing-changed.log").write_text("Traceback...\n")
    assert graded_count(tmp_path, tmp_path / "class", "nothing-changed") is None


def test_the_bug_heavy_targets_read_their_figures() -> None:
    """The ratio to a numpy start and the reruns' ratios are checked against their limits."""
    figures = {
        "bug-heavy": {
            "wall_per_submission_over_numpy_start": 0.25,
            "rerun": {"nothing_changed_over_first": 0.2, "one_changed_extra_over_alone": 0.8},
        },
        "nbgrader": {"ratio_per_submission": 24.0},
    }
    by_name = {v["target"]: v["met"] for v in evaluate(figures)}
    assert by_name["bug-heavy class, wall per submission / numpy start"] is True
    assert by_name["rerun, nothing changed / first run"] is False
    assert by_name["rerun, one changed: extra / that one alone"] is True
    assert by_name["nbgrader / nngrade, per submission"] is False


def test_a_batch_is_read_in_numpy_starts_by_wall_and_by_cpu() -> None:
    """Medians of the starts before and after; CPU per submission shared by the workers."""
    numpy = numpy_figures([(0.30, 0.10), (0.20, 0.20)], [(0.40, 0.15)])
    assert numpy["median_wall_seconds"] == 0.30 and numpy["median_cpu_seconds"] == 0.15
    figures = {"wall_seconds_per_submission": 0.06, "cpu_seconds_per_submission": 0.12}
    against_numpy(figures, numpy, workers=2)
    assert figures["wall_per_submission_over_numpy_start"] == pytest.approx(0.2)
    assert figures["cpu_per_submission_per_worker_over_numpy_start_cpu"] == pytest.approx(0.4)


def test_a_numpy_start_is_timed_with_its_cpu() -> None:
    """The CPU is the child's: importing numpy takes well over 10 ms of it (its BLAS may
    start threads, so it is not bounded by the wall)."""
    (wall, cpu), *_ = numpy_starts(1)
    assert wall > 0.01 and cpu > 0.01


def _tree(root: Path, files: dict[str, str]) -> list[Path]:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return [Path(name) for name in files]


def test_the_plain_users_copy_is_made_again_when_any_project_file_changes(tmp_path: Path) -> None:
    """The key of the copy follows every file's content and path, and an added or deleted
    file; two trees with the same files have the same key."""
    files = {"pyproject.toml": "[project]\n", "grader/a.py": "A = 1\n", "bench/b.py": "B = 2\n"}
    first, twin = tmp_path / "first", tmp_path / "twin"
    listed = _tree(first, files)
    _tree(twin, files)
    key = project_key(first, listed)
    assert project_key(twin, listed) == key
    (twin / "grader/a.py").write_text("A = 2\n")
    assert project_key(twin, listed) != key
    (twin / "grader/a.py").write_text("A = 1\n")
    (twin / "grader/a.py").rename(twin / "grader/c.py")
    assert project_key(twin, [*listed[:1], Path("grader/c.py"), *listed[2:]]) != key
    assert project_key(first, listed[:2]) != key
    assert project_key(first, [*listed, Path("grader/gone.py")]) != key


def test_the_plain_users_venv_is_built_again_only_when_what_it_is_built_from_changes(
    tmp_path: Path,
) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\ndependencies = ['numpy']\n")
    key = venv_key(tmp_path, "/usr/bin/python3", "test", "")
    assert venv_key(tmp_path, "/usr/bin/python3", "test", "") == key
    assert venv_key(tmp_path, "/usr/bin/python3.12", "test", "") != key
    assert venv_key(tmp_path, "/usr/bin/python3", "test,nbgrader", "") != key
    assert venv_key(tmp_path, "/usr/bin/python3", "test", "numpy==2.0.0\n") != key
    (tmp_path / "pyproject.toml").write_text("[project]\ndependencies = ['numpy', 'click']\n")
    assert venv_key(tmp_path, "/usr/bin/python3", "test", "") != key


def test_the_copy_holds_the_files_git_would_track_and_no_link(tmp_path: Path) -> None:
    """Untracked files count (the tree is measured as it is), ignored ones and symlinks do
    not; without git, the known folders of generated files are left out."""
    _tree(tmp_path, {"grader/a.py": "", "new.py": "", "bench/out/figures.json": "{}"})
    _tree(tmp_path, {".venv/lib/x.py": "", "grader/__pycache__/a.pyc": ""})
    (tmp_path / "link.py").symlink_to(tmp_path / "grader" / "a.py")
    without_git = project_files(tmp_path)
    assert without_git == [Path("grader/a.py"), Path("new.py")]
    if shutil.which("git") is None:
        return
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text(".venv/\n__pycache__/\n/bench/out/\n")
    subprocess.run(["git", "-C", str(tmp_path), "add", "grader/a.py"], check=True)
    assert project_files(tmp_path) == [Path(".gitignore"), Path("grader/a.py"), Path("new.py")]


def test_every_checkout_gets_an_environment_of_its_own(tmp_path: Path) -> None:
    one, other = tmp_path / "a" / "nngrade", tmp_path / "b" / "nngrade"
    assert checkout_name(one) != checkout_name(other)
    assert checkout_name(one).startswith("nngrade-") and checkout_name(one) == checkout_name(one)


def test_a_link_the_plain_user_planted_is_replaced_not_followed(tmp_path: Path) -> None:
    """Where root is to write, an entry the user made (here a symlink to a folder root must
    not touch) becomes a real folder, and what the link pointed at is left as it was."""
    precious = tmp_path / "precious"
    _tree(precious, {"keep.txt": "data"})
    planted = tmp_path / "nngrade-env"
    planted.symlink_to(precious)
    root_owned_folder(planted)
    assert planted.is_dir() and not planted.is_symlink()
    assert (precious / "keep.txt").read_text() == "data"
    assert list(planted.iterdir()) == []


def test_a_fresh_folder_holds_the_copy_and_nothing_of_the_last_run(tmp_path: Path) -> None:
    me = pwd.getpwuid(os.geteuid())
    environment = PlainEnvironment(
        me, tmp_path, tmp_path / "project", tmp_path / "python", "python", tmp_path / "scratch"
    )
    environment.scratch.mkdir()
    _tree(tmp_path / "class", {"s001/activations.py": "x = 1\n"})
    _tree(environment.scratch, {"class-1/s999/stale.py": ""})
    folder = environment.fresh_folder("class-1", tmp_path / "class")
    assert sorted(p.relative_to(folder) for p in folder.rglob("*.py")) == [
        Path("s001/activations.py")
    ]
    assert folder.stat().st_uid == me.pw_uid
    assert list(environment.fresh_folder("results-1").iterdir()) == []


DOCTOR_AS_A_PLAIN_USER = """\
What this machine offers the sandbox:
  linux              yes  Linux 6.1.0 on x86_64
  user_namespace     yes  a plain user may create user namespaces: each worker gets its own
  seccomp            yes  a filter of 95 instructions
  landlock           no   the kernel has no Landlock (6.1 without CONFIG_SECURITY_LANDLOCK)

The layers of a worker started just now:
  separate_process      active
  unprivileged_user     active
  seccomp               active
  landlock              UNAVAILABLE
  note: workers run as uid 1001 in a user namespace of their own, without capabilities

Student code is isolated, without: landlock.
"""


def test_the_doctors_output_is_read_check_by_check_and_layer_by_layer() -> None:
    read = read_doctor(DOCTOR_AS_A_PLAIN_USER)
    assert list(read["checks"]) == ["linux", "user_namespace", "seccomp", "landlock"]
    assert read["checks"]["landlock"] == {
        "available": False,
        "detail": "the kernel has no Landlock (6.1 without CONFIG_SECURITY_LANDLOCK)",
    }
    assert read["layers"] == {
        "separate_process": True,
        "unprivileged_user": True,
        "seccomp": True,
        "landlock": False,
    }
    assert read["notes"] == [
        "workers run as uid 1001 in a user namespace of their own, without capabilities"
    ]
    assert read["verdict"] == "Student code is isolated, without: landlock."
    refused = read_doctor("What this machine offers the sandbox:\n  user_namespace  NO   off\n")
    assert refused["checks"]["user_namespace"]["available"] is False
    assert refused["layers"] == {}


def test_root_and_the_plain_user_take_turns() -> None:
    """Root first, then the plain user first, and so on: a load that rises during the stage
    weighs on both sides alike."""
    assert turns(1) == ["root", "plain"]
    assert turns(3) == ["root", "plain", "plain", "root", "root", "plain"]


def test_grades_compare_what_decides_a_grade_and_name_who_differs() -> None:
    def document(outcome: str, wall: float) -> dict[str, Any]:
        test = {"id": "t1", "outcome": outcome, "points": 1.0 if outcome == "passed" else 0.0}
        return {
            "status": "graded",
            "score": test["points"],
            "exercises": [{"tests": [test]}],
            "timing": {"wall_seconds": wall},
        }

    root = {"s001": document("passed", 0.1), "s002": document("passed", 0.1)}
    plain = {"s001": document("passed", 0.3), "s002": document("timeout", 1.0)}
    assert differing_grades(grades(root), grades(root | {"s001": document("passed", 9.0)})) == []
    assert differing_grades(grades(root), grades(plain)) == ["s002"]
    assert differing_grades(grades(root), grades({"s001": root["s001"]})) == ["s002"]


def _plain_figures(root_wall: float, plain_wall: float) -> dict[str, Any]:
    def side(user: str, uid: int, wall: float) -> dict[str, Any]:
        return {
            "user": user,
            "uid": uid,
            "median_wall_seconds_per_submission": wall,
            "median_cpu_seconds_per_submission": 0.1,
        }

    return {
        "n": 200,
        "workers": 2,
        "repeats": 2,
        "root": side("root", 0, root_wall),
        "plain": side("nngrade-plain", 1001, plain_wall),
        "plain_over_root_wall_per_submission": plain_wall / root_wall,
        "plain_over_root_cpu_per_submission": 1.0,
        "students_graded_differently": [],
        "same_package_versions": True,
        "sandbox_costs": {
            "root": {"worker_start_ms": 9.0, "session_close_ms": 2.5, "round_trip_1x1_ms": 0.07},
            "plain": {"worker_start_ms": 11.0, "session_close_ms": 3.0, "round_trip_1x1_ms": 0.08},
        },
        "doctor": {
            "root": {"layers": {"seccomp": True, "landlock": True}, "notes": []},
            "plain": read_doctor(DOCTOR_AS_A_PLAIN_USER),
        },
    }


def test_the_plain_user_target_and_rows_read_their_figures() -> None:
    """Within 15% of root is met, beyond it is not; the rows show both sides' figures, the
    costs before the new layers, and which layers each doctor lacks."""
    by_name = {
        v["target"]: v["met"]
        for v in evaluate({"plain": _plain_figures(root_wall=0.050, plain_wall=0.057)})
    }
    assert by_name["plain user / root, wall per submission, same run"] is True
    missed = evaluate({"plain": _plain_figures(root_wall=0.050, plain_wall=0.058)})
    assert {v["target"]: v["met"] for v in missed}[
        "plain user / root, wall per submission, same run"
    ] is False
    rows = dict(figure_lines({"plain": _plain_figures(root_wall=0.050, plain_wall=0.055)}))
    assert rows["plain: wall per submission, root / plain user"] == "0.050 s / 0.055 s"
    assert rows["plain: plain user / root, wall / CPU"] == "1.10 / 1.00"
    assert rows["plain: worker start, root / plain user"] == (
        "9.00 ms / 11.00 ms (before the new layers: about 7.5 ms)"
    )
    assert rows["plain: nngrade doctor as root"] == "2 of 2 layers active"
    assert rows["plain: nngrade doctor as nngrade-plain"] == (
        "3 of 4 layers active, without landlock; workers run as uid 1001 in a user namespace "
        "of their own, without capabilities"
    )


def test_without_root_the_plain_stage_says_why_it_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not root: no plain user can be made nor switched to; the stage records the reason,
    and the table prints it, instead of a figure that is silently missing."""
    from bench.run import Benchmark, _plain

    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    figures = _plain(Benchmark(tmp_path, 3, 0, 1), "nngrade-plain", 1)
    assert "uid 1000, not root" in figures["skipped"]
    rows = dict(figure_lines({"plain": figures}))
    assert rows["plain user stage"] == f"skipped: {figures['skipped']}"
    verdicts = {v["target"]: v["shown"] for v in evaluate({"plain": figures})}
    assert verdicts["plain user / root, wall per submission, same run"] == "not measured"


def test_collateral_finds_the_sample_classs_one_bug_students(tmp_path: Path) -> None:
    """A student's copy carries the statements the answer key keeps in the specs: only code
    counts as a change, so gina's one bug is linear_backward alone."""
    from bench.collateral import submissions

    found = {
        name: changed for group, name, _, changed in submissions(tmp_path) if group == "sample"
    }
    assert found["gina_missing_one_over_m"] == {"linear_backward"}
    assert found["farid_sigmoid_backward_from_Z"] == {"sigmoid_backward"}
    assert "ada_package_imports" not in found  # correct: nothing changed
