"""From what a hidden test raised to an outcome, a message for the student, and evidence.

The mapping (docs/result-schema.md):

| raised | outcome | evidence kind |
|---|---|---|
| `CheckFailure` | failed | the check's own |
| `AssertionError`, ``pytest.fail`` | failed | `property` |
| `StudentNotImplemented` | failed | `not_implemented` or `missing_function` |
| `HostileValue` | failed | `hostile_value` |
| `StudentRaised` | error | `exception` |
| `StudentTimeout` | timeout | `timeout` |
| `WorkerCrashed` | crashed | `crashed` |
| ``pytest.skip`` | skipped | none |
| anything else (a bug in our tests) | error | `internal_error`, never blaming the student |

Messages never quote the hidden test: no pytest traceback, no assertion text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from grader.catalog import Exercise
from grader.checks import CheckFailure
from grader.errors import (
    INTERNAL,
    HostileValue,
    StudentCallError,
    StudentNotImplemented,
    StudentRaised,
    StudentTimeout,
    WorkerCrashed,
)

LOG = logging.getLogger("grader.engine")

Messages = dict[str, str]


@dataclass(frozen=True)
class Verdict:
    """What one test came to: outcome, bilingual message, evidence (None when passed)."""

    outcome: str
    messages: Messages
    evidence: dict[str, Any] | None

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"


PASSED = Verdict("passed", {"en": "", "fr": ""}, None)


class ModuleUnavailable(Exception):
    """Raised by the plugin before a test whose module could not be imported at all."""

    def __init__(self, messages: Messages, evidence: dict[str, Any]) -> None:
        super().__init__(messages["en"])
        self.messages = messages
        self.evidence = evidence


class BudgetExhausted(Exception):
    """Raised by the plugin before a test once the submission's time budget is spent."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"time budget of {seconds:g} s spent")
        self.seconds = seconds


@dataclass(frozen=True)
class FunctionFacts:
    """What the classifier may ask about the student's functions."""

    has_function: Callable[[str], bool]
    module_unavailable: Callable[[str], ModuleUnavailable | None]


def classify(error: BaseException, exercise: Exercise, facts: FunctionFacts) -> Verdict:
    """The verdict for a test that raised `error` (in setup, call or teardown)."""
    if isinstance(error, CheckFailure):
        return Verdict("failed", dict(error.messages), dict(error.evidence))
    if isinstance(error, ModuleUnavailable):
        return Verdict("failed", error.messages, error.evidence)
    if isinstance(error, BudgetExhausted):
        return _budget_exhausted(error.seconds)
    if isinstance(error, StudentCallError):
        return _student_call_error(error, facts)
    if isinstance(error, AssertionError | pytest.fail.Exception):
        return _assertion_failed(exercise)
    if isinstance(error, pytest.skip.Exception):
        return Verdict("skipped", _not_run(), None)
    cause = _student_cause(error)
    if cause is not None:
        return _student_call_error(cause, facts)
    INTERNAL.error(
        "A hidden test of exercise %r raised an unexpected error.", exercise.id, exc_info=error
    )
    return _internal_error()


def _student_cause(error: BaseException) -> StudentCallError | None:
    """A student error our code wrapped, found through the exception chain."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, StudentCallError):
            return current
        current = current.__cause__ or current.__context__
    return None


def _student_call_error(error: StudentCallError, facts: FunctionFacts) -> Verdict:
    function = error.function
    if isinstance(error, StudentNotImplemented):
        unavailable = facts.module_unavailable(function)
        if unavailable is not None:
            return Verdict("failed", unavailable.messages, unavailable.evidence)
        if not facts.has_function(function):
            return _missing_function(function)
        return _not_implemented(function)
    if isinstance(error, StudentTimeout):
        return _timeout(
            function, error.seconds, repeated=error.repeated, budget=error.budget, via=error.via
        )
    if isinstance(error, WorkerCrashed):
        return _crashed(function, error.detail)
    if isinstance(error, HostileValue):
        return _hostile_value(function, str(error))
    if isinstance(error, StudentRaised):
        return _raised(error)
    return Verdict(
        "error",
        {
            "en": f"The call to `{function}` did not give a usable value: {error}",
            "fr": f"L'appel à `{function}` n'a pas donné de valeur utilisable : {error}",
        },
        {"kind": "exception", "function": function},
    )


def _not_implemented(function: str) -> Verdict:
    return Verdict(
        "failed",
        {
            "en": f"`{function}` is not implemented yet: it still raises NotImplementedError. "
            "Replace the stub's body with your code.",
            "fr": f"`{function}` n'est pas encore implémentée : elle lève toujours "
            "NotImplementedError. Remplacez le corps du squelette par votre code.",
        },
        {"kind": "not_implemented", "function": function},
    )


def _missing_function(function: str) -> Verdict:
    return Verdict(
        "failed",
        {
            "en": f"Your submission does not define `{function}`. Write it with the name and "
            "signature of the handout.",
            "fr": f"Votre soumission ne définit pas `{function}`. Écrivez-la avec le nom et la "
            "signature du sujet.",
        },
        {"kind": "missing_function", "function": function},
    )


def _timeout(
    function: str,
    seconds: float,
    *,
    repeated: bool = False,
    budget: bool = False,
    via: str | None = None,
) -> Verdict:
    advice = {
        "en": "Look for an infinite loop, or a Python loop over every entry where a numpy "
        "operation on the whole array would do.",
        "fr": "Cherchez une boucle infinie, ou une boucle Python sur chaque élément là où une "
        "opération numpy sur tout le tableau suffirait.",
    }
    if budget:
        said = {
            "en": f"Your submission used up its {seconds:g} s of grading time before this "
            f"test, so `{function}` was not run: the time went to calls that were too slow.",
            "fr": f"Votre copie a épuisé ses {seconds:g} s de temps de correction avant ce "
            f"test ; `{function}` n'a donc pas été lancée : le temps est passé dans des appels "
            "trop lents.",
        }
    elif via is not None:
        said = {
            "en": f"`{function}` calls your `{via}`, which did not return within {seconds:g} s "
            f"in an earlier test; it was not run again. Fix the loop in `{via}` first.",
            "fr": f"`{function}` appelle votre `{via}`, qui n'a pas terminé en {seconds:g} s "
            f"dans un test précédent ; elle n'a pas été relancée. Corrigez d'abord la boucle "
            f"de `{via}`.",
        }
    elif repeated:
        said = {
            "en": f"`{function}` did not return within {seconds:g} s in an earlier test, so it "
            "was not run again (that would only use up your submission's time).",
            "fr": f"`{function}` n'a pas terminé en {seconds:g} s dans un test précédent ; elle "
            "n'a donc pas été relancée (cela ne ferait qu'épuiser le temps de votre copie).",
        }
    else:
        said = {
            "en": f"`{function}` did not return within {seconds:g} s and was stopped.",
            "fr": f"`{function}` n'a pas terminé en {seconds:g} s et a été arrêtée.",
        }
    return Verdict(
        "timeout",
        {lang: f"{said[lang]} {advice[lang]}" for lang in ("en", "fr")},
        {"kind": "timeout", "function": function, "seconds": seconds},
    )


def _crashed(function: str, detail: str) -> Verdict:
    return Verdict(
        "crashed",
        {
            "en": f"The process running your code stopped during `{function}` ({detail}). It "
            "may have used too much memory, called exit(), or crashed Python; the grader "
            "restarted it for the other tests.",
            "fr": f"Le processus exécutant votre code s'est arrêté pendant `{function}` "
            f"({detail}). Il a peut-être utilisé trop de mémoire, appelé exit() ou fait "
            "planter Python ; le correcteur l'a relancé pour les autres tests.",
        },
        {"kind": "crashed", "function": function},
    )


def _hostile_value(function: str, detail: str) -> Verdict:
    return Verdict(
        "failed",
        {
            "en": f"`{function}` returned a value the grader does not accept ({detail}). Return "
            "plain numpy arrays (np.ndarray), numbers, or tuples, lists and dicts of those.",
            "fr": f"`{function}` a renvoyé une valeur que le correcteur n'accepte pas ({detail}). "
            "Renvoyez de simples tableaux numpy (np.ndarray), des nombres, ou des tuples, "
            "listes et dictionnaires de ceux-ci.",
        },
        {"kind": "hostile_value", "function": function},
    )


def _raised(error: StudentRaised) -> Verdict:
    function, kind, detail = error.function, error.exception_type, error.detail
    return Verdict(
        "error",
        {
            "en": f"`{function}` raised {kind}: {detail}. Run it on a small example to "
            "reproduce the error, then fix it.",
            "fr": f"`{function}` a levé {kind} : {detail}. Exécutez-la sur un petit exemple "
            "pour reproduire l'erreur, puis corrigez-la.",
        },
        {
            "kind": "exception",
            "function": function,
            "exception": {"type": kind, "message": detail, "traceback": error.traceback},
        },
    )


def _assertion_failed(exercise: Exercise) -> Verdict:
    return Verdict(
        "failed",
        {
            "en": f"This check of {exercise.title['en']} failed. {exercise.hint['en']}",
            "fr": f"Cette vérification de « {exercise.title['fr']} » a échoué. "
            f"{exercise.hint['fr']}",
        },
        {"kind": "property"},
    )


def _budget_exhausted(seconds: float) -> Verdict:
    return Verdict(
        "skipped",
        {
            "en": f"Not run: your submission used up its time budget ({seconds:g} s) before "
            "this test. Make the slow functions faster (numpy operations instead of Python "
            "loops) and the remaining tests will run.",
            "fr": f"Non exécuté : votre soumission a épuisé son temps ({seconds:g} s) avant ce "
            "test. Accélérez les fonctions lentes (opérations numpy plutôt que boucles "
            "Python) et les tests restants seront exécutés.",
        },
        None,
    )


def _not_run() -> Messages:
    return {
        "en": "Not run: a test it depends on could not run.",
        "fr": "Non exécuté : un test dont il dépend n'a pas pu s'exécuter.",
    }


def _internal_error() -> Verdict:
    return Verdict(
        "error",
        {
            "en": "Internal grader error: this test could not run because of a bug in the "
            "grader, not in your code. Your instructor sees it in the class report and can "
            "grade it again.",
            "fr": "Erreur interne du correcteur : ce test n'a pas pu s'exécuter à cause d'un "
            "bogue du correcteur, pas de votre code. Votre enseignant le voit dans le rapport "
            "de la classe et peut le corriger à nouveau.",
        },
        {"kind": "internal_error"},
    )
