"""A bug costs once: while a test runs, the student's calls of contract functions that already
failed their own tests are answered with the reference.

The hidden suites test each function before the functions that call it (`grader.catalog`'s
order, enforced by a test). Once a test finds a function wrong (the function its evidence
blames), every later test of the same submission runs with that function answered by the
trusted side (`StudentSession.substitute`): `train` is then graded on its own merits, with a
correct `model_backward`, instead of losing its points to a bug of `linear_backward`. No
reference code enters the sandbox; where the reference cannot answer (an argument is an object
of the student's own making, or has shapes the contract does not allow), the student's own
function runs, as without substitution.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from grader.catalog import all_functions, module_of


@functools.cache
def reference_function(name: str) -> Callable[..., Any]:
    """The reference implementation of the contract function `name`."""
    module = importlib.import_module(f"reference.{module_of(name)}")
    found: Callable[..., Any] = getattr(module, name)
    return found


@dataclass
class Substitutions:
    """Which contract functions of one submission are known to be wrong, so far.

    Attributes:
        failed: the functions blamed by a failed test, in the order they were found.
        enabled: False grades every function with the student's own callees (what a bug
            cost before; the benchmark compares both).
    """

    failed: list[str] = field(default_factory=list)
    enabled: bool = True

    def for_next_test(self) -> dict[str, Callable[..., Any]]:
        """Name -> reference, for every function known to be wrong."""
        if not self.enabled:
            return {}
        return {name: reference_function(name) for name in self.failed}

    def learn(self, outcome: str, evidence: dict[str, Any] | None) -> None:
        """Record the verdict of a test: a failure blames the function its evidence names."""
        if outcome == "passed" or evidence is None:
            return
        self.learn_wrong(evidence.get("function"))

    def learn_wrong(self, function: object) -> None:
        """Record that `function` is wrong (a contract function's name; anything else is
        ignored), as a failed test that blames it would."""
        if type(function) is str and function in _CONTRACT and function not in self.failed:
            self.failed.append(function)


_CONTRACT = frozenset(all_functions())
