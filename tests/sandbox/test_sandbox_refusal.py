"""Refuse rather than pretend: where student code cannot be isolated, nothing runs it,
unless the instructor says --unsafe-no-sandbox, and then every result says so."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sandbox_helpers import TEST_LIMITS

from grader.catalog import MODULES
from grader.cli import main
from grader.commands import DomainError
from grader.errors import SandboxUnavailable
from grader.i18n import LOCALE_VARIABLES, Text
from grader.sandbox import Sandbox, kernel, platform
from grader.sandbox.platform import Check

ROOT = Path(__file__).resolve().parents[2]
NOBODY = 65534
PR_SET_DUMPABLE = 4


def _import_ahead() -> None:
    """Import here what the child will need: as nobody, it may not read every folder of
    this interpreter (a Python installed under /root, say)."""
    import encodings.ascii  # noqa: F401

    import grader.commands.doctor
    import grader.commands.grade  # noqa: F401
    from grader.sandbox import platform, seccomp

    seccomp.compile_filter()
    platform.diagnose()


def in_a_machine_without_user_namespaces(probe: Callable[[], Any]) -> Any:
    """Run `probe` in a child process that is not root and cannot create user namespaces
    (a user namespace whose limit of nested ones is 0, without capabilities), as on a
    distribution that disables them; return what it returned (JSON)."""
    _import_ahead()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(read_end)
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
                kernel.prctl(PR_SET_DUMPABLE, 1)  # else /proc/self is root's, not writable
            uid, gid = os.getuid(), os.getgid()
            kernel.unshare(kernel.CLONE_NEWUSER)
            for name, text in (
                ("setgroups", "deny"),
                ("uid_map", f"{uid} {uid} 1"),
                ("gid_map", f"{gid} {gid} 1"),
                ("sys/user/max_user_namespaces", "0"),
            ):
                Path(f"/proc/self/{name}" if "/" not in name else f"/proc/{name}").write_text(text)
            kernel.drop_capabilities()
            os.chdir("/")
            os.write(write_end, json.dumps(probe()).encode())
        except BaseException as error:
            os.write(write_end, json.dumps({"error": repr(error)}).encode())
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reply:
        text = reply.read()
    os.waitpid(pid, 0)
    found = json.loads(text)
    assert not (isinstance(found, dict) and "error" in found), found
    return found


def test_without_user_namespaces_the_sandbox_refuses_with_the_way_out() -> None:
    def probe() -> dict[str, Any]:
        try:
            Sandbox(TEST_LIMITS)
        except SandboxUnavailable as error:
            return {"refused": str(error)}
        return {"refused": None}

    message = in_a_machine_without_user_namespaces(probe)["refused"]
    assert message is not None
    assert "cannot isolate" in message and "user_namespace" in message
    assert "--unsafe-no-sandbox" in message and "nngrade doctor" in message


def test_without_user_namespaces_grade_and_doctor_say_why_and_exit_non_zero() -> None:
    submission = ROOT / "examples" / "class" / "chloe_plain_imports"

    def probe() -> dict[str, Any]:
        runner = CliRunner()
        graded = runner.invoke(main, ["grade", str(submission), "--out", "/nonexistent/r.json"])
        doctor = runner.invoke(main, ["doctor"])
        return {
            "grade": [graded.exit_code, graded.output],
            "doctor": [doctor.exit_code, doctor.output],
        }

    found = in_a_machine_without_user_namespaces(probe)
    code, output = found["grade"]
    assert code == 2
    assert "will not run student code" in output and "user_namespace" in output
    code, output = found["doctor"]
    assert code == 1
    assert "user_namespace" in output and "NO" in output


def test_doctor_lists_every_layer_of_a_real_worker() -> None:
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 0, result.output
    for name in ("pid_namespace", "allowlisted_root", "no_network", "seccomp", "landlock"):
        assert f"{name}" in result.output
    assert "UNAVAILABLE" not in result.output
    assert "fully isolated" in result.output


def test_unsafe_mode_runs_the_code_and_says_so_everywhere(tmp_path: Path) -> None:
    with Sandbox(TEST_LIMITS, unsafe=True) as box:
        isolation = box.isolation()
        source = "import os\ndef where():\n    return os.getcwd()\n"
        with box.open_session({"probe": source}, function_modules={"where": "probe"}) as s:
            cwd = s.call("where")
    assert isolation["unsafe"] is True
    assert isolation["notes"][0].startswith("UNSAFE")
    assert isolation["note_messages"][0]["fr"].startswith("DANGER : --unsafe-no-sandbox")
    assert not isolation["layers"]["allowlisted_root"]
    assert not isolation["layers"]["pid_namespace"]
    assert isolation["layers"]["separate_process"]
    assert cwd.startswith("/") and cwd != "/sandbox"  # a folder of the grading machine


def test_grade_unsafe_warns_and_marks_the_result(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    submission = ROOT / "examples" / "class" / "chloe_plain_imports"
    result = CliRunner().invoke(
        main, ["grade", str(submission), "--out", str(out), "--unsafe-no-sandbox"]
    )
    assert result.exit_code == 0, result.output
    assert "WITHOUT isolation" in result.output
    document = json.loads(out.read_text())
    assert document["isolation"]["unsafe"] is True
    assert document["score"] == document["max_score"]


@pytest.mark.slow
def test_a_batch_graded_unsafely_shows_a_banner_on_every_page(tmp_path: Path) -> None:
    from grader.batch import grade_class

    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "solo").mkdir()
    for module in MODULES:
        text = (ROOT / "solutions" / f"{module}.py").read_text()
        (folder / "solo" / f"{module}.py").write_text(text)
    report = grade_class(folder, tmp_path / "results", workers=1, unsafe=True)
    assert report.report is not None
    index = report.report.read_text()
    assert "Graded without isolation" in index
    page = (tmp_path / "results" / "solo" / "feedback.html").read_text()
    assert "graded without the sandbox" in page


def test_a_safe_batch_shows_no_banner() -> None:
    """Only results graded with --unsafe-no-sandbox are named under the banner; a document
    older than the option has no `unsafe` field and counts as safe."""
    from grader.report.summary import SummaryEntry, class_view
    from grader.result import parse_result

    document = json.loads((ROOT / "tests/report/fixtures/class/alice/result.json").read_text())
    views = {}
    for unsafe in (None, False, True):
        isolation = dict(document["isolation"])
        isolation.pop("unsafe", None)
        if unsafe is not None:
            isolation["unsafe"] = unsafe
        result = parse_result({**document, "isolation": isolation})
        entries = [SummaryEntry(name="alice", result=result)]
        views[unsafe] = class_view(entries, lang="en", gettext=lambda text: text, links=[])
    assert views[None].unsafe == views[False].unsafe == []
    assert views[True].unsafe == ["alice"]


# ----- in the command's language ---------------------------------------------------------


def phrases(text: str) -> set[str]:
    """The phrases of three words or more of `text`: parts of sentences between punctuation,
    with the commands and options (which read the same in every language) left out."""
    text = re.sub(r"`[^`]*`|--[\w-]+|\S*/\S*", " ", text)
    found = set()
    for chunk in re.split(r"[.;:()]\s|[()]", text):
        phrase = " ".join(chunk.split()).strip(" .,;:")
        if len(phrase.split()) >= 3:
            found.add(phrase)
    return found


def missing_checks() -> list[Check]:
    """Two layers this machine would not offer, one for a reason a kernel words."""
    return [
        Check(
            "user_namespace",
            False,
            Text("a plain user may not create user namespaces: %(why)s", why="errno-1-EPERM"),
        ),
        Check(
            "pid_namespace",
            False,
            Text("the kernel refused it (%(error)s)", error="errno-28-ENOSPC"),
        ),
    ]


@pytest.mark.parametrize("fixes", [[], ["kernel.unprivileged_userns_clone=1", "user.x=2"]])
def test_the_refusal_paragraph_reads_in_french(
    fixes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(platform, "blocking_sysctls", lambda: fixes)
    monkeypatch.setattr(platform.os, "geteuid", lambda: 1000)
    message = platform.unavailable_message(missing_checks())
    english, french = message["en"], message["fr"]
    assert str(message) == english
    for field in ("user_namespace", "pid_namespace", "errno-1-EPERM", "errno-28-ENOSPC", *fixes):
        assert field in english and field in french
    assert ("sudo sysctl -w" in french) == bool(fixes)
    assert "--unsafe-no-sandbox" in french and "`nngrade doctor`" in french
    assert len(phrases(english)) >= 5
    for phrase in phrases(english):
        assert phrase not in french, phrase
    assert "bac à sable" in french or "isoler" in french


def test_a_sandbox_refusal_carries_every_language() -> None:
    error = SandboxUnavailable(platform.unavailable_message(missing_checks()))
    assert error.text["fr"] != error.text["en"] == str(error)
    assert DomainError.of(error, "fr").format_message() == error.text["fr"]


@pytest.fixture
def a_machine_without_isolation(monkeypatch: pytest.MonkeyPatch) -> list[Check]:
    missing = missing_checks()
    monkeypatch.setattr(platform, "missing_layers", lambda: missing)
    return missing


@pytest.fixture
def answer_key(tmp_path: Path) -> Path:
    submission = tmp_path / "exercises"
    shutil.copytree(ROOT / "solutions", submission, ignore=shutil.ignore_patterns("__py*"))
    return submission


def refusals(args: list[str]) -> tuple[str, str]:
    """What `args` says, in English then in French, where student code cannot be isolated."""
    runner = CliRunner()
    english = runner.invoke(main, [*args, "--lang", "en"])
    french = runner.invoke(main, [*args, "--lang", "fr"])
    assert english.exit_code == french.exit_code == 2, french.output
    assert english.output != french.output
    return english.output, french.output


def test_grade_refuses_in_its_language(
    a_machine_without_isolation: list[Check], answer_key: Path, tmp_path: Path
) -> None:
    out = tmp_path / "result.json"
    english, french = refusals(["grade", str(answer_key), "--out", str(out)])
    assert english.startswith("Error: ") and french.startswith("Erreur")
    for phrase in phrases(english):
        assert phrase not in french, phrase
    assert "user_namespace" in french and "pid_namespace" in french
    assert not out.exists()


def test_batch_and_demo_refuse_in_their_language(
    a_machine_without_isolation: list[Check], answer_key: Path, tmp_path: Path
) -> None:
    grade_english, grade_french = refusals(["grade", str(answer_key)])
    for args in (
        ["batch", str(answer_key.parent), "--out", str(tmp_path / "results")],
        ["demo", "--out", str(tmp_path / "demo")],
    ):
        english, french = refusals(args)
        assert (english, french) == (grade_english, grade_french), args


def test_batch_refuses_in_the_language_its_report_remembers(
    a_machine_without_isolation: list[Check], answer_key: Path, tmp_path: Path
) -> None:
    from grader.report.language import remember_language

    results = tmp_path / "results"
    results.mkdir()
    remember_language(results, "fr")
    told = CliRunner().invoke(
        main, ["batch", str(answer_key.parent), "--out", str(results), "--lang", "fr"]
    )
    remembered = CliRunner().invoke(main, ["batch", str(answer_key.parent), "--out", str(results)])
    assert told.exit_code == remembered.exit_code == 2
    assert remembered.output == told.output


def test_grade_unsafe_warns_in_french(answer_key: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    outputs = {}
    for lang in ("en", "fr"):
        out = tmp_path / f"{lang}.json"
        result = runner.invoke(
            main,
            ["grade", str(answer_key), "--out", str(out), "--unsafe-no-sandbox", "--lang", lang],
        )
        assert result.exit_code == 0, result.output
        assert json.loads(out.read_text())["isolation"]["unsafe"] is True
        outputs[lang] = result.output
    warning = outputs["en"].splitlines()[0]
    assert "--unsafe-no-sandbox" in warning
    french = outputs["fr"].splitlines()[0]
    assert "--unsafe-no-sandbox" in french and french != warning
    for phrase in phrases(warning):
        assert phrase not in outputs["fr"], phrase


NNGRADE = Path(sys.executable).with_name("nngrade")


def rows(output: str) -> list[list[str]]:
    """The lines of `doctor`'s tables (indented), cut into their columns."""
    return [
        re.split(r"\s{2,}", line.strip()) for line in output.splitlines() if line.startswith("  ")
    ]


def sentences_of(output: str) -> list[str]:
    """What `doctor` says outside its tables: headings and closing sentences."""
    return [line.strip() for line in output.splitlines() if line.strip() and line[:1] != " "]


def test_doctor_speaks_french_with_none_of_its_english() -> None:
    runner = CliRunner()
    english = runner.invoke(main, ["doctor", "--lang", "en"])
    french = runner.invoke(main, ["doctor", "--lang", "fr"])
    assert english.exit_code == french.exit_code == 0, french.output
    english_rows, french_rows = rows(english.output), rows(french.output)
    # The same layers in the same order: their names are identifiers, in every language.
    assert [row[0] for row in french_rows if len(row) > 1] == [
        row[0] for row in english_rows if len(row) > 1
    ]
    checked = 0
    english_notes, french_notes = [], []
    for english_row, french_row in zip(english_rows, french_rows, strict=True):
        if len(english_row) == 1:  # a note on how the workers run, or why a layer is off
            assert english_row[0].startswith("note: ") and french_row[0].startswith("remarque : ")
            english_notes.append(english_row[0].partition(": ")[2])
            french_notes.append(french_row[0].partition(" : ")[2])
            continue
        if len(english_row) == 3:  # name, whether this machine offers it, why
            for english_cell, french_cell in zip(english_row[1:], french_row[1:], strict=True):
                assert english_cell != french_cell, (english_row, french_row)
                checked += 1
    english_said = sentences_of(english.output)
    french_said = sentences_of(french.output)
    assert len(english_said) == len(french_said) >= 3
    for sentence in english_said:
        assert sentence not in french.output, sentence
        checked += 1
    details = " ".join(row[2] for row in english_rows if len(row) == 3)
    for phrase in phrases(details):
        assert phrase not in french.output, phrase
    assert checked > 10
    assert "bac à sable" in french.output
    # The sandbox's own note on how the workers run is in French (a worker's note on a
    # missing layer, with the system's error, would read the same in both).
    if os.geteuid() == 0:
        how = (
            "workers run as a dedicated user",
            "les processus isolés tournent sous un utilisateur",
        )
    else:
        how = (
            f"workers run as uid {os.getuid()} in a user namespace",
            f"les processus isolés tournent sous l'uid {os.getuid()} dans un espace de noms",
        )
    (english_how,) = [note for note in english_notes if note.startswith(how[0])]
    (french_how,) = [note for note in french_notes if note.startswith(how[1])]
    assert english_notes.index(english_how) == french_notes.index(french_how)
    for phrase in phrases(english_how):
        assert phrase not in french.output, phrase


def test_doctor_speaks_the_locale_without_lang() -> None:
    environ = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}

    def doctor(*args: str, **locale: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [NNGRADE, "doctor", *args],
            env={**environ, **locale},
            capture_output=True,
            text=True,
            check=False,
        )

    by_locale = doctor(LANG="fr_FR.UTF-8")
    by_option = doctor("--lang", "fr", LANG="C")
    english = doctor(LANG="C")
    told_english = doctor("--lang", "en", LANG="fr_FR.UTF-8")
    assert by_locale.returncode == by_option.returncode == english.returncode == 0
    assert by_locale.stdout == by_option.stdout
    assert english.stdout == told_english.stdout
    assert sentences_of(english.stdout)[0] not in by_locale.stdout
    assert set(sentences_of(english.stdout)) & set(sentences_of(by_locale.stdout)) == set()


def test_without_user_namespaces_doctor_and_grade_refuse_in_french() -> None:
    submission = ROOT / "examples" / "class" / "chloe_plain_imports"

    def probe() -> dict[str, Any]:
        runner = CliRunner()
        found = {}
        for lang in ("en", "fr"):
            doctor = runner.invoke(main, ["doctor", "--lang", lang])
            graded = runner.invoke(
                main, ["grade", str(submission), "--lang", lang, "--out", "/nonexistent/r.json"]
            )
            found[lang] = {
                "doctor": [doctor.exit_code, doctor.output],
                "grade": [graded.exit_code, graded.output],
            }
        return found

    found = in_a_machine_without_user_namespaces(probe)
    for command, code in (("doctor", 1), ("grade", 2)):
        english_code, english = found["en"][command]
        french_code, french = found["fr"][command]
        assert english_code == french_code == code, french
        assert "user_namespace" in french and "--unsafe-no-sandbox" in french
        for phrase in phrases(english):
            assert phrase not in french, (command, phrase)
    assert "Erreur" in found["fr"]["grade"][1]
