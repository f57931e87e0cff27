"""Red team: hostile submissions win nothing and stop nothing.

One run grades every hostile submission of `attacks.py` (plus a symlink and a zip that
try to escape) between two honest ones, with one sandbox, as a batch would. Then:

- every submission has a result document;
- a hostile submission scores what its honest part deserves (0 on the stubs, full marks
  when the attack only floods output on top of the answer key);
- the honest submissions keep full marks, before and after the attacks;
- nothing outside the run's own output changed (the class folder, a canary folder, the
  answer key, the reference and the hidden suites are hashed before and after);
- no process of the sandbox's user is left, nothing reached a listening socket, and the
  hidden suite's text never appears in a document.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import threading
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

# Without root the sandbox has no dedicated user and no hidden paths (it says so in every
# result's `isolation`): the attacks would run as you and really delete the answer key.
pytestmark = pytest.mark.skipif(
    os.geteuid() != 0,
    reason="needs root: the red team attacks the dedicated user and the hidden paths, "
    "which the sandbox only has as root",
)

ROOT = Path(__file__).resolve().parents[2]
SLOT = 5  # a sandbox slot (and so a uid) of its own
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


def processes_of(uid: int) -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    found.append(
                        Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
                    )
            except OSError:
                pass
    return found


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
        (target / f"{name}.py").write_text(text + extra if name == module else text)


@dataclass
class RedTeamRun:
    documents: dict[str, dict[str, Any]]
    written: dict[str, dict[str, Any]]
    before: dict[str, dict[str, str]]
    after: dict[str, dict[str, str]]
    leftovers: list[str]
    received: list[bytes]
    hidden_text: list[str]


def build_class(folder: Path, canary: Path, port: int) -> list[str]:
    names = []
    for attack in ATTACKS:
        code = (
            attack.code.replace("{ROOT}", str(ROOT))
            .replace("{PORT}", str(port))
            .replace("{CLASS}", str(folder))
            .replace("{CANARY}", str(canary))
        )
        base = ROOT / ("exercises" if attack.base == "stubs" else "solutions")
        copy_modules(base, folder / attack.name, "\n" + code, attack.module)
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
    names = build_class(folder, canary, listener.port)
    watched = {
        "class": folder,
        "canary": canary,
        "solutions": ROOT / "solutions",
        "reference": ROOT / "reference",
        "hidden": ROOT / "grader" / "hidden",
    }
    before = {key: tree_hashes(path) for key, path in watched.items()}
    documents, written = {}, {}
    with Sandbox(LIMITS, slot=SLOT, hidden_paths=(folder, canary, results)) as sandbox:
        uid = sandbox.uid
        for name in names:
            documents[name] = grade_submission(folder / name, sandbox=sandbox)
            write_result(documents[name], results / name / "result.json")
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
        leftovers=processes_of(uid) if uid is not None else [],
        received=listener.received,
        hidden_text=hidden_text,
    )
    shutil.rmtree(base, ignore_errors=True)


HOSTILE = [attack.name for attack in ATTACKS if attack.base == "stubs"]
HOSTILE += ["symlink_to_answer_key", "zip_escape.zip"]


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
@pytest.mark.parametrize("name", HONEST)
def test_honest_submission_keeps_full_marks_in_the_same_run(
    red_team: RedTeamRun, name: str
) -> None:
    assert red_team.documents[name]["score"] == max_score()
    assert red_team.written[name]["score"] == max_score()


@pytest.mark.slow
def test_every_submission_gets_a_result_document(red_team: RedTeamRun) -> None:
    assert set(red_team.written) == set(red_team.documents)
    assert len(red_team.documents) >= 15 + 2


@pytest.mark.slow
@pytest.mark.parametrize("watched", ["class", "canary", "solutions", "reference", "hidden"])
def test_nothing_outside_the_runs_output_changed(red_team: RedTeamRun, watched: str) -> None:
    assert red_team.after[watched] == red_team.before[watched]


@pytest.mark.slow
def test_no_fake_result_escaped_the_sandbox(red_team: RedTeamRun) -> None:
    assert not FAKE_RESULT.exists()
    assert not (ROOT / "result.json").exists()
    assert not Path("/tmp/nngrade-escaped.py").exists()


@pytest.mark.slow
def test_no_process_of_the_sandbox_user_is_left_running(red_team: RedTeamRun) -> None:
    assert red_team.leftovers == []


@pytest.mark.slow
def test_nothing_reached_the_network(red_team: RedTeamRun) -> None:
    assert red_team.received == []


@pytest.mark.slow
def test_hidden_suite_and_answer_key_never_reach_a_document(red_team: RedTeamRun) -> None:
    answer = (ROOT / "solutions" / "activations.py").read_text()[300:500]
    for document in red_team.documents.values():
        text = str(document)
        assert answer not in text
        assert all(fragment not in text for fragment in red_team.hidden_text)
