"""Red team: hostile submissions win nothing and stop nothing.

One run grades every hostile submission of `attacks.py` (plus a symlink and a zip that
try to escape) between two honest ones, with one sandbox, as a batch would. Then:

- every submission has a result document;
- a hostile submission scores what its honest part deserves (0 on the stubs, full marks
  when the attack only floods output on top of the answer key);
- the honest submissions keep full marks, before and after the attacks;
- nothing outside the run's own output changed (the class folder, a canary folder, the
  answer key, the reference, the grader and its hidden suites are hashed before and after;
  nothing new in the home folder or the site-packages; no System V IPC object left);
- the result files stay as written, seconds after the run; no process of a worker is left,
  nothing reached a listening socket, the grading process was never traced, and neither
  the hidden suite's text nor the grader's paths appear in a document.

It runs as whoever runs the tests: as root (workers under dedicated uids) and as a plain
user (each worker in a user namespace of its own); tests/test_as_plain_user.py runs it again
as a plain user created for the purpose.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import sysconfig
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from attacks import ATTACKS

from grader.catalog import MODULES, max_score
from grader.engine import grade_submission, write_result
from grader.sandbox import Sandbox, SandboxLimits

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(sysconfig.get_paths()["purelib"])
HOME = Path(os.path.expanduser("~"))
CANARIES = (HOME / "nngrade-red-team-was-here", SITE / "nngrade-red-team.pth")
LIMITS = SandboxLimits(wall_seconds_per_call=2.0, wall_seconds_per_submission=20.0)
FAKE_RESULT = Path("/tmp/nngrade-fake-result.json")
HONEST = ("honest_before", "honest_after")


def tree_hashes(folder: Path) -> dict[str, str]:
    """Every file (and symlink) under `folder`, by relative path, with its content hash."""
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = str(path.relative_to(folder))
        if path.is_symlink():
            found[relative] = "link:" + os.readlink(path)
        elif path.is_file():
            found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def processes_mentioning(text: str) -> list[str]:
    """The command lines that contain `text` (a sandbox's own folder names its zygote)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                line = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if text in line:
                found.append(line)
    return found


def ipc_objects() -> set[str]:
    """The System V shared memory segments and message queues of the machine, by key and id."""
    found = set()
    for kind in ("shm", "msg"):
        try:
            lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]
        except OSError:
            continue
        found.update(f"{kind} {' '.join(line.split()[:2])}" for line in lines)
    return found


def traced() -> bool:
    status = Path("/proc/self/status").read_text()
    return any(
        line.split()[1] != "0" for line in status.splitlines() if line.startswith("TracerPid")
    )


class Listener:
    """A TCP port on 127.0.0.1 that records whatever connects to it."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.received: list[bytes] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    self.received.append(connection.recv(100) or b"<connected>")
                except OSError:
                    self.received.append(b"<connected>")

    def close(self) -> None:
        self.stopping.set()
        self.thread.join()
        self.server.close()


def copy_modules(source: Path, target: Path, extra: str = "", module: str = "") -> None:
    target.mkdir(parents=True)
    for name in MODULES:
        text = (source / f"{name}.py").read_text()
        attacked = module in (name, "*")
        (target / f"{name}.py").write_text(text + extra if attacked else text)


@dataclass
class RedTeamRun:
    documents: dict[str, dict[str, Any]]
    written: dict[str, dict[str, Any]]
    before: dict[str, dict[str, str]]
    after: dict[str, dict[str, str]]
    leftovers: list[str]
    received: list[bytes]
    hidden_text: list[str]
    ipc_before: set[str]
    ipc_after: set[str]
    traced: bool
    canaries: list[Path]
    private_paths: list[str]


def build_class(folder: Path, canary: Path, results: Path, port: int) -> list[str]:
    names = []
    for attack in ATTACKS:
        code = attack.code
        for token, value in (
            ("{ROOT}", ROOT),
            ("{PORT}", port),
            ("{CLASS}", folder),
            ("{CANARY}", canary),
            ("{RESULTS}", results),
            ("{HOME}", HOME),
            ("{SITE}", SITE),
        ):
            code = code.replace(token, str(value))
        base = ROOT / ("exercises" if attack.base == "stubs" else "solutions")
        copy_modules(base, folder / attack.name, "\n" + code, attack.module)
        for name, text in attack.extra_files:
            (folder / attack.name / name).write_text(text)
        names.append(attack.name)
    for honest in HONEST:
        copy_modules(ROOT / "solutions", folder / honest)
    # A symlink to the answer key, and a zip whose entries climb out of the folder.
    copy_modules(ROOT / "exercises", folder / "symlink_to_answer_key")
    (folder / "symlink_to_answer_key" / "activations.py").unlink()
    (folder / "symlink_to_answer_key" / "activations.py").symlink_to(
        ROOT / "solutions" / "activations.py"
    )
    with zipfile.ZipFile(folder / "zip_escape.zip", "w") as archive:
        for name in MODULES:
            archive.writestr(
                f"exercises/{name}.py", (ROOT / "exercises" / f"{name}.py").read_text()
            )
        answer = (ROOT / "solutions" / "activations.py").read_text()
        archive.writestr("../../exercises/activations.py", answer)
        archive.writestr("/tmp/nngrade-escaped.py", answer)
    names = ["honest_before", *names, "symlink_to_answer_key", "zip_escape.zip", "honest_after"]
    return names


@pytest.fixture(scope="module")
def red_team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedTeamRun]:
    base = tmp_path_factory.mktemp("red_team")
    folder, canary, results = base / "class", base / "canary", base / "results"
    canary.mkdir()
    (canary / "gradebook.csv").write_text("student,score\nalice,50\n")
    FAKE_RESULT.unlink(missing_ok=True)
    listener = Listener()
    names = build_class(folder, canary, results, listener.port)
    watched = {
        "class": folder,
        "canary": canary,
        "solutions": ROOT / "solutions",
        "reference": ROOT / "reference",
        "grader": ROOT / "grader",
    }
    for path in CANARIES:
        path.unlink(missing_ok=True)
    before = {key: tree_hashes(path) for key, path in watched.items()}
    ipc_before = ipc_objects()
    documents, written = {}, {}
    with Sandbox(LIMITS, hidden_paths=(folder, canary, results)) as sandbox:
        base_folder = sandbox._base
        for name in names:
            documents[name] = grade_submission(folder / name, sandbox=sandbox)
            write_result(documents[name], results / name / "result.json")
    was_traced = traced()
    time.sleep(1.0)  # what a surviving daemon would use to rewrite the results
    listener.close()
    for name in names:
        written[name] = json.loads((results / name / "result.json").read_text())
    hidden_text = [
        path.read_text()[200:400] for path in (ROOT / "grader" / "hidden").glob("test_*.py")
    ]
    yield RedTeamRun(
        documents=documents,
        written=written,
        before=before,
        after={key: tree_hashes(path) for key, path in watched.items()},
        leftovers=processes_mentioning(base_folder) + processes_mentioning("sleep 600"),
        received=listener.received,
        hidden_text=hidden_text,
        ipc_before=ipc_before,
        ipc_after=ipc_objects(),
        traced=was_traced,
        canaries=[path for path in CANARIES if path.exists()],
        private_paths=[str(ROOT / "grader"), str(canary), str(results), base_folder],
    )
    shutil.rmtree(base, ignore_errors=True)


HOSTILE = [attack.name for attack in ATTACKS if attack.base == "stubs"]
HOSTILE += ["symlink_to_answer_key", "zip_escape.zip"]
DESERVING_FULL_MARKS = [
    *HONEST,
    "flood_stdout_and_stderr",
    "ipc_dead_drop_writer",
    "honest_with_helpers_named_exercises_and_numpy",
]


@pytest.mark.slow
@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_submission_on_the_stubs_wins_nothing(red_team: RedTeamRun, name: str) -> None:
    document = red_team.documents[name]
    assert document["status"] in ("graded", "load_failed")
    assert document["score"] == 0, [
        (t["id"], t["outcome"]) for e in document["exercises"] for t in e["tests"] if t["points"]
    ]
    assert red_team.written[name]["score"] == 0  # the file on disk says the same


@pytest.mark.slow
def test_flooding_output_keeps_only_the_honest_marks_and_caps_output(
    red_team: RedTeamRun,
) -> None:
    document = red_team.documents["flood_stdout_and_stderr"]
    assert document["score"] == max_score()
    assert document["output"]["truncated"] is True
    assert len(document["output"]["stdout"]) <= LIMITS.output_bytes + 200


@pytest.mark.slow
@pytest.mark.parametrize("name", DESERVING_FULL_MARKS)
def test_honest_work_keeps_full_marks_in_the_same_run(red_team: RedTeamRun, name: str) -> None:
    assert red_team.documents[name]["score"] == max_score()
    assert red_team.written[name]["score"] == max_score()


@pytest.mark.slow
def test_forging_the_purity_verdict_gains_nothing(red_team: RedTeamRun) -> None:
    """A relu that writes into its argument loses the same points with or without code
    that rewrites the worker's replies."""
    forged = red_team.documents["forge_the_purity_verdict"]["score"]
    honest = red_team.documents["impure_relu_without_forgery"]["score"]
    assert forged == honest < max_score()


@pytest.mark.slow
def test_helpers_named_after_modules_are_left_out_with_a_note(red_team: RedTeamRun) -> None:
    problems = red_team.documents["honest_with_helpers_named_exercises_and_numpy"]["submission"][
        "problems"
    ]
    assert sorted(p["path"] for p in problems if p["code"] == "shadowing") == [
        "exercises.py",
        "numpy.py",
    ]


@pytest.mark.slow
def test_a_huge_reply_is_a_hostile_value_and_costs_only_its_tests(red_team: RedTeamRun) -> None:
    document = red_team.documents["a_reply_frame_of_200_mib"]
    kinds = {
        (t.get("evidence") or {}).get("kind")
        for e in document["exercises"]
        for t in e["tests"]
        if "relu" in t["functions"]
    }
    assert "hostile_value" in kinds


@pytest.mark.slow
def test_every_submission_gets_a_result_document(red_team: RedTeamRun) -> None:
    assert set(red_team.written) == set(red_team.documents)
    assert len(red_team.documents) >= 15 + 2


@pytest.mark.slow
@pytest.mark.parametrize("watched", ["class", "canary", "solutions", "reference", "grader"])
def test_nothing_outside_the_runs_output_changed(red_team: RedTeamRun, watched: str) -> None:
    assert red_team.after[watched] == red_team.before[watched]


@pytest.mark.slow
def test_nothing_was_planted_in_the_home_folder_or_site_packages(red_team: RedTeamRun) -> None:
    assert red_team.canaries == []
    assert "NNGRADE_PWNED" not in os.environ


@pytest.mark.slow
def test_no_ipc_object_outlives_its_worker(red_team: RedTeamRun) -> None:
    assert red_team.ipc_after <= red_team.ipc_before


@pytest.mark.slow
def test_the_grading_process_was_never_traced(red_team: RedTeamRun) -> None:
    assert red_team.traced is False


@pytest.mark.slow
def test_no_fake_result_escaped_the_sandbox(red_team: RedTeamRun) -> None:
    assert not FAKE_RESULT.exists()
    assert not (ROOT / "result.json").exists()
    assert not Path("/tmp/nngrade-escaped.py").exists()


@pytest.mark.slow
def test_no_process_of_a_worker_is_left_running(red_team: RedTeamRun) -> None:
    assert red_team.leftovers == []


@pytest.mark.slow
def test_the_result_files_stay_as_written(red_team: RedTeamRun) -> None:
    for name, document in red_team.documents.items():
        assert red_team.written[name] == json.loads(json.dumps(document)), name


@pytest.mark.slow
def test_nothing_reached_the_network(red_team: RedTeamRun) -> None:
    assert red_team.received == []


@pytest.mark.slow
def test_hidden_suite_and_answer_key_never_reach_a_document(red_team: RedTeamRun) -> None:
    answer = (ROOT / "solutions" / "activations.py").read_text()[300:500]
    for name, document in red_team.documents.items():
        text = str(document)
        if name not in DESERVING_FULL_MARKS and name != "impure_relu_without_forgery":
            assert answer not in text, name
        assert all(fragment not in text for fragment in red_team.hidden_text)


@pytest.mark.slow
def test_no_document_shows_the_graders_processes_or_paths(red_team: RedTeamRun) -> None:
    """The grader's own command lines name its folders and the folders it keeps out of
    sight: none of them reaches a student's output."""
    for name, document in red_team.documents.items():
        output = document["output"]["stdout"] + document["output"]["stderr"]
        for secret in red_team.private_paths:
            assert secret not in output, (name, secret)
