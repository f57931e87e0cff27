"""Why the tests of a submission failed: the causes behind its failures, in fix-first order.

Derived from the result document and the catalog alone. A failed test is blamed on one
function: the one its evidence names, else the first contract function it called. A
function's failures are its own (the function is a *root*) unless a function it calls
fails too: the catalog's `depends_on`, followed to the end, and the other functions its
failed tests called. Such failures are filed under the cause of that function, unless they
show a mistake of their own: a diagnosis that function's failures do not have, or a
function that is missing or still a stub.

A module that could not be loaded (missing, refused, a syntax error, a crash at import...)
is the cause of every failure of its functions, and stubs left as they are form one cause.
Causes follow the contract (`grader.catalog.all_functions`): the first is the earliest
function whose own tests fail, the one to fix first. Tests that did not run for another
reason (the submission's time ran out) and failures of the grader itself come last.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from grader.catalog import EXERCISES, all_functions, depends_on, module_of
from grader.result import Result, TestResult

CauseKind = Literal["function", "module", "not_implemented", "not_run", "internal"]

# A failure of these kinds is the function's own, whatever it calls.
_OWN_KINDS = frozenset({"not_implemented", "missing_function"})

_ORDER = {name: index for index, name in enumerate(all_functions())}
_UNKNOWN = len(_ORDER)  # after every contract function
_MODULE_ORDER = {
    module: min(_ORDER[name] for e in EXERCISES if e.module == module for name in e.functions)
    for module in {exercise.module for exercise in EXERCISES}
}


@dataclass(frozen=True)
class Cause:
    """One reason for failed tests.

    Attributes:
        kind: ``function`` (a function's own mistake), ``module`` (a module that could not
            be loaded), ``not_implemented`` (stubs left as they are), ``not_run`` (tests
            that did not run, e.g. once the submission's time ran out) or ``internal`` (the
            grader failed, not the student).
        subject: the function at fault (the first stub for ``not_implemented``), or the
            module for ``module``; empty for ``not_run`` and ``internal``.
        functions: the functions at fault, in contract order: the subject for ``function``,
            every stub for ``not_implemented``; for the other kinds, the functions its tests
            are blamed on.
        downstream: the functions that fail only because they call those at fault.
        spared: the functions whose tests passed once the grader answered their calls of
            those at fault correctly (a bug costs once: the document's `substituted`).
        tests: every failed test it explains, in document order.
        own: those blamed on the functions at fault (every test, for ``module``).
        module_status: the module's status, for ``module`` (``syntax_error``...).
    """

    kind: CauseKind
    subject: str
    functions: tuple[str, ...]
    downstream: tuple[str, ...]
    tests: tuple[TestResult, ...]
    own: tuple[TestResult, ...]
    module_status: str | None = None
    spared: tuple[str, ...] = ()

    @property
    def points_lost(self) -> float:
        return sum(test.max_points - test.points for test in self.tests)


def find_causes(result: Result) -> list[Cause]:
    """The causes of the failed tests of `result`, the one to fix first first.

    Every test that did not pass belongs to exactly one cause.
    """
    modules = result.submission.modules
    failed = [test for test in result.tests if not test.passed]
    by_module: dict[str, list[int]] = {}
    by_function: dict[str, list[int]] = {}
    not_run: list[int] = []
    internal: list[int] = []
    for position, test in enumerate(failed):
        module = unloaded_module(test, modules)
        if test.evidence is not None and test.evidence.kind == "internal_error":
            internal.append(position)
        elif module is not None:
            by_module.setdefault(module, []).append(position)
        elif test.outcome == "skipped" or not _blamed(test):
            not_run.append(position)
        else:
            by_function.setdefault(_blamed(test), []).append(position)

    def tests(positions: Iterable[int]) -> tuple[TestResult, ...]:
        return tuple(failed[position] for position in sorted(positions))

    causes = [
        Cause(
            "module",
            module,
            _functions_of(tests(positions)),
            (),
            tests(positions),
            tests(positions),
            modules[module],
        )
        for module, positions in by_module.items()
    ]
    roots = _roots({name: tests(positions) for name, positions in by_function.items()})
    stubs = [
        name
        for name in sorted(set(roots.values()), key=_function_order)
        if all(_kind(failed[p]) == "not_implemented" for p in by_function[name])
    ]
    groups: list[tuple[CauseKind, list[str]]] = [
        ("function", [root])
        for root in sorted(set(roots.values()), key=_function_order)
        if root not in stubs
    ]
    if stubs:
        groups.append(("not_implemented", stubs))
    for kind, at_fault in groups:
        downstream = sorted(
            (name for name in roots if roots[name] in at_fault and name not in at_fault),
            key=_function_order,
        )
        causes.append(
            Cause(
                kind,
                at_fault[0],
                tuple(at_fault),
                tuple(downstream),
                tests(p for name in [*at_fault, *downstream] for p in by_function[name]),
                tests(p for name in at_fault for p in by_function[name]),
                spared=_spared(result, at_fault, downstream),
            )
        )
    causes.sort(key=_position)
    last: tuple[tuple[CauseKind, list[int]], ...] = (("not_run", not_run), ("internal", internal))
    for kind, positions in last:
        if positions:
            found = tests(positions)
            causes.append(Cause(kind, "", _functions_of(found), (), found, ()))
    return causes


def _spared(result: Result, at_fault: list[str], downstream: list[str]) -> tuple[str, ...]:
    """The functions, neither at fault nor failing through them, whose passed tests had
    their calls of a function at fault answered by the grader (`TestResult.substituted`)."""
    names = {
        _blamed(test)
        for test in result.tests
        if test.passed and set(test.substituted or ()) & set(at_fault)
    }
    return tuple(sorted(names - set(at_fault) - set(downstream) - {""}, key=_function_order))


def _kind(test: TestResult) -> str:
    return test.evidence.kind if test.evidence is not None else ""


def unloaded_module(test: TestResult, modules: Mapping[str, str]) -> str | None:
    """The module that could not be loaded if that is why `test` failed, else None.

    `modules` is the submission's module -> status (``loaded``, ``missing``...).
    """
    evidence = test.evidence
    if evidence is not None:
        status = evidence.module_status
        if evidence.module in modules and status is not None and status != "loaded":
            return evidence.module
        return None
    for name in test.functions:  # not run: a load failure skips every test of the module
        if name in _ORDER and modules.get(module_of(name), "loaded") != "loaded":
            return module_of(name)
    return None


def _blamed(test: TestResult) -> str:
    """The function a failed test is blamed on: the evidence's, else the first contract
    function it called, else the first it called; empty when it called none."""
    if test.evidence is not None and test.evidence.function:
        return test.evidence.function
    known = [name for name in test.functions if name in _ORDER]
    return (known or list(test.functions) or [""])[0]


def _distances(function: str, called: Iterable[str]) -> dict[str, int]:
    """Every contract function `function` reaches, and in how many calls: those it calls in
    the catalog's `depends_on` and those in `called` (its tests called them) at 1, then on."""
    found = {name: 1 for name in called if name != function}
    waiting = [function, *found]
    while waiting:
        name = waiting.pop(0)
        step = found.get(name, 0) + 1
        for callee in depends_on(name) if name in _ORDER else ():
            if callee != function and step < found.get(callee, step + 1):
                found[callee] = step
                waiting.append(callee)
    return found


def _codes(tests: Iterable[TestResult]) -> set[str]:
    """The diagnosis codes of `tests`."""
    return {
        test.evidence.diagnosis.code
        for test in tests
        if test.evidence is not None and test.evidence.diagnosis is not None
    }


def _roots(by_function: Mapping[str, tuple[TestResult, ...]]) -> dict[str, str]:
    """Failing function -> the root its failures are filed under (itself for a root).

    Functions are taken in contract order, so that what a function calls is settled first;
    a function that fails through others is filed with the nearest of them.
    """
    roots: dict[str, str] = {}
    for name in sorted(by_function, key=_function_order):
        tests = by_function[name]
        reached = _distances(name, (other for test in tests for other in test.functions))
        # The failing functions it calls, nearest first: the one it most likely fails through.
        culprits = sorted(
            (other for other in reached if other in roots),
            key=lambda other: (reached[other], _function_order(other)),
        )
        shared = set().union(*(_codes(by_function[culprit]) for culprit in culprits))
        its_own = any(_kind(test) in _OWN_KINDS for test in tests)
        if not culprits or its_own or not _codes(tests) <= shared:
            roots[name] = name
        else:
            roots[name] = roots[culprits[0]]
    return roots


def _functions_of(tests: Iterable[TestResult]) -> tuple[str, ...]:
    """The functions `tests` are blamed on, in contract order, each once."""
    names = {_blamed(test) for test in tests} - {""}
    return tuple(sorted(names, key=_function_order))


def _function_order(name: str) -> tuple[int, str]:
    return (_ORDER.get(name, _UNKNOWN), name)


def _position(cause: Cause) -> tuple[int, str]:
    if cause.kind == "module":
        return (_MODULE_ORDER.get(cause.subject, _UNKNOWN), cause.subject)
    return _function_order(cause.subject)
