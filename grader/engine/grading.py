"""`grade_submission`: load, open a sandbox session, run the hidden suites, build the document.

Every submission gets a document, whatever happens: a submission with nothing loadable is
`load_failed`, a bug of ours is `internal_error` (logged, never blamed on the student).
A batch grades many submissions with one `Sandbox` by passing it in; the sandbox is then
left open for the next submission.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from grader.catalog import MODULES
from grader.checks import describe_contract_call
from grader.engine.availability import ModuleAvailability
from grader.engine.document import LANGUAGES, build_result, no_isolation, plain
from grader.engine.recording import SubmissionGrading, TestRecord
from grader.engine.runner import HIDDEN_SUITES, SuiteRunner, with_hidden_suites
from grader.engine.seeds import student_seed
from grader.engine.substitution import Substitutions
from grader.errors import INTERNAL, SandboxUnavailable, UsageError
from grader.fingerprint import grading_fingerprint
from grader.i18n import N_, Text, sentences
from grader.loading import LoadedSubmission, load_submission

LOG = logging.getLogger("grader.engine")

BUDGET_FACTOR = 2.0
"""The trusted side skips the remaining tests after this many times the sandbox's
per-submission wall budget: the sandbox enforces its own budget; this one is the backstop
that also counts our own computing."""

ProxyFactory = Callable[[Any], Any]

_INTERNAL = Text(
    N_(
        "The grader had an internal problem with this submission; it is not caused by your "
        "code. Your instructor sees it in the class report and can grade it again."
    )
)

_NOTHING_RAN = Text(N_("No student code was run."))
"""The isolation note of a grading that ran no student code."""


def default_student_id(loaded: LoadedSubmission) -> str:
    """The submission's name without its extension: ``alice.zip`` -> ``alice``."""
    if loaded.kind in ("zip", "notebook") and "." in loaded.name:
        return loaded.name.rsplit(".", 1)[0]
    return loaded.name


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _default_proxy(session: Any) -> Any:
    from grader.sandbox import StudentProxy

    return StudentProxy(session, describe_call=describe_contract_call)


def _default_limits() -> Any:
    from grader.sandbox import SandboxLimits

    return SandboxLimits()


def grade_submission(
    path: Path,
    *,
    student_id: str | None = None,
    lang: str = "en",
    sandbox: Any | None = None,
    limits: Any | None = None,
    hidden_paths: Sequence[Path] = (),
    unsafe: bool = False,
    runner: SuiteRunner | None = None,
    bug_costs_once: bool = True,
) -> dict[str, Any]:
    """Grade the submission at `path` (folder, ``.zip`` or ``.ipynb``); the result document.

    Args:
        path: the submission.
        student_id: the document's `student` and the seed of the hidden inputs; defaults to
            the submission's name without extension.
        lang: ``en`` or ``fr``, the language of every `message`.
        sandbox: an open `Sandbox` to reuse (a batch); a new one is made and closed otherwise.
        limits: the `SandboxLimits` of a new sandbox (ignored when `sandbox` is given).
        hidden_paths: folders the sandbox must never show to student code (the output
            folder, say); it refuses to start if its allowlist would. The submission's
            parent folder is always among them.
        unsafe: run student code without isolation (`--unsafe-no-sandbox`); the document's
            `isolation` says so.
        runner: the hidden suites as collected by an open grading session
            (`with_hidden_suites`), for many submissions; a session of its own otherwise.
        bug_costs_once: answer the student's calls of functions already found wrong with
            the reference (`grader.engine.substitution`); False only to measure what a bug
            cost without it.

    Raises `UsageError` when `path` does not exist or `lang` is unknown, and
    `SandboxUnavailable` when this machine cannot isolate student code (and not `unsafe`).
    """
    if lang not in LANGUAGES:
        raise UsageError(f"Unknown language {lang!r}; use one of: {', '.join(LANGUAGES)}.")
    loaded = load_submission(Path(path))
    owned = None
    if sandbox is None and loaded.gradable:
        from grader.sandbox import Sandbox

        limits = limits or _default_limits()
        hidden = (Path(path).resolve().parent, *(Path(p).resolve() for p in hidden_paths))
        try:
            owned = sandbox = Sandbox(limits, hidden_paths=hidden, unsafe=unsafe)
        except SandboxUnavailable:
            raise  # a refusal to run student code here, not a grade
        except Exception:
            INTERNAL.exception("The sandbox could not be created for %s.", loaded.name)
    try:
        return grade_loaded(
            loaded,
            student=student_id or default_student_id(loaded),
            lang=lang,
            sandbox=sandbox,
            limits=limits,
            runner=runner,
            bug_costs_once=bug_costs_once,
        )
    finally:
        if owned is not None:
            owned.close()


def grade_loaded(
    loaded: LoadedSubmission,
    *,
    student: str,
    lang: str,
    sandbox: Any | None,
    limits: Any | None = None,
    suite: Path = HIDDEN_SUITES,
    proxy_factory: ProxyFactory = _default_proxy,
    runner: SuiteRunner | None = None,
    bug_costs_once: bool = True,
) -> dict[str, Any]:
    """Grade an already loaded submission with `sandbox` (None: nothing can run).

    `runner` grades with the suites of an open session (then `suite` is not read); without
    it, a session over the folder `suite` is opened for this submission alone.
    """
    started, clock = _now(), time.monotonic()
    limits = limits or getattr(sandbox, "limits", None) or _default_limits()
    session = None
    status = "graded"
    message: Mapping[str, str] = sentences()
    records: list[TestRecord] = []
    problems = list(loaded.problems)
    isolation = no_isolation(limits.as_dict(), _NOTHING_RAN)
    try:
        if not loaded.gradable:
            status, message = "load_failed", _load_failed_message(loaded)
        elif sandbox is None:
            status, message = "internal_error", _INTERNAL
        else:
            isolation = sandbox.isolation()
            session = sandbox.open_session(loaded.sources, function_modules=loaded.function_modules)
            problems += [dict(found) for found in session.module_problems]
        if status != "internal_error":
            availability = ModuleAvailability(
                status=_module_status(loaded, session),
                problems=problems,
                function_modules=loaded.function_modules,
            )
            grading = SubmissionGrading(
                proxy=proxy_factory(session) if session is not None else None,
                seed=student_seed(student),
                availability=availability,
                has_function=_has_function(session),
                budget_seconds=BUDGET_FACTOR * float(limits.wall_seconds_per_submission),
                substitutions=Substitutions(enabled=bug_costs_once),
            )
            if runner is not None:
                code = runner.grade(grading)
            else:
                code = with_hidden_suites(lambda opened: opened.grade(grading), suite)
            records = grading.records
            if grading.suite_errors or code not in (0, 1):
                status, message = "internal_error", _INTERNAL
    except Exception:
        INTERNAL.exception("Grading %s stopped on an internal error.", loaded.name)
        status, message = "internal_error", _INTERNAL
    finally:
        if session is not None:
            try:
                session.close()
            except Exception:
                LOG.exception("Closing the sandbox session of %s failed.", loaded.name)
        # After closing: the CPU time of every worker is known once each has been reaped.
        output, cpu, starts = _session_figures(session)
        if session is not None:
            problems += [
                {key: value for key, value in note.items() if key != "function"}
                for note in getattr(session, "value_notes", ())
            ]
    return build_result(
        loaded=loaded,
        student=student,
        lang=lang,
        status=status,
        message=message,
        records=records,
        modules=_module_status(loaded, session),
        problems=problems,
        isolation=isolation,
        output=output,
        timing={
            "started": started,
            "finished": _now(),
            "wall_seconds": round(time.monotonic() - clock, 3),
            "cpu_seconds": cpu,
            "worker_starts": starts,
        },
        fingerprint=grading_fingerprint(
            isolation["limits"], runner.suite if runner is not None else suite
        ),
    ).to_json()


def _module_status(loaded: LoadedSubmission, session: Any | None) -> dict[str, str]:
    found = dict(getattr(session, "module_status", None) or {}) if session is not None else {}
    statuses = {}
    for module in loaded.modules:
        statuses[module] = (
            loaded.module_status.get(module)
            or found.get(module)
            or ("loaded" if module in loaded.sources and session is not None else "missing")
        )
    return statuses


def _has_function(session: Any | None) -> Callable[[str], bool]:
    def has_function(function: str) -> bool:
        if session is None:
            return False
        try:
            return bool(session.has_function(function))
        except Exception:  # a worker that died cannot answer; "not found" is the safe reading
            return False

    return has_function


def _session_figures(session: Any | None) -> tuple[dict[str, Any], float, int]:
    empty = {"stdout": "", "stderr": "", "truncated": False}
    if session is None:
        return empty, 0.0, 0
    try:
        output = plain(dict(session.output()))
        return output, round(float(session.cpu_seconds), 3), int(session.worker_starts)
    except Exception:
        LOG.exception("The sandbox session's output could not be read.")
        return empty, 0.0, 0


def _load_failed_message(loaded: LoadedSubmission) -> Mapping[str, str]:
    first = loaded.problems[0]["messages"] if loaded.problems else None
    expected = ", ".join(f"{module}.py" for module in MODULES)
    return first or Text(
        "Nothing in the submission could be graded; expected %(expected)s.", expected=expected
    )
