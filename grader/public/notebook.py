"""The check cells of the notebook handout: ``check("sigmoid")`` after each function.

The notebook's first code cell makes the check function::

    from checks.notebook import Checks

    check = Checks(lang="fr")

and the cell after each function calls it, ``check("sigmoid")``: the verdict shows below
the cell as HTML (``display.py``). The checks are those of ``python selfcheck.py``, with
the same deadlines, in the same kind of child process (``supervisor.py``): the kernel
never runs the student's code on behalf of a check, so a loop that never ends costs the
deadline, not the kernel. The functions a function builds on are checked first, so that
a failure caused by one of them says to fix that one first. ``check()`` checks every
function. The kernel's interrupt button stops a check cleanly.
"""

from __future__ import annotations

import os
import sys
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

from .display import report_html
from .i18n import LANGUAGES, detect_language, translator
from .namespace import footprint, pack
from .selfcheck import format_outcome, summary_lines
from .supervisor import CALL_TIMEOUT, Supervisor, WorkerFailed, check_all, load_expected
from .verdicts import PASSED, Outcome, builds_on


class Report:
    """What one check cell shows: verdicts, as HTML in a notebook and as text elsewhere.

    Attributes:
        outcomes: the verdicts shown (one for ``check("f")``, every one for ``check()``).
        passed: True when every function shown passes.
    """

    def __init__(
        self,
        outcomes: Sequence[Outcome],
        lang: str,
        hints: dict[str, dict[str, str]],
        *,
        total: int | None,
        note: str = "",
    ) -> None:
        self.outcomes = list(outcomes)
        self.lang = lang
        self.hints = hints
        self.total = total
        self.note = note
        self.passed = bool(outcomes) and all(o.status == PASSED for o in outcomes) and not note

    def _repr_html_(self) -> str:
        return report_html(self.outcomes, self.lang, self.hints, total=self.total, note=self.note)

    def __repr__(self) -> str:
        lines = [format_outcome(outcome, self.lang, self.hints) for outcome in self.outcomes]
        if self.total is not None:
            lines.extend(["", *summary_lines(self.outcomes, self.total, self.lang)])
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)


class Checks:
    """The notebook's ``check`` function, in the student's language.

    Args:
        lang: ``"en"`` or ``"fr"`` (default: from LC_ALL, LC_MESSAGES or LANG, else en).
        call_timeout: seconds each call of one of the student's functions may take.
    """

    def __init__(self, lang: str | None = None, call_timeout: float = CALL_TIMEOUT) -> None:
        if lang is not None and lang not in LANGUAGES:
            raise ValueError(f"lang={lang!r}: choose one of {', '.join(LANGUAGES)}.")
        self.lang = detect_language(lang, os.environ)
        self._ = translator(self.lang)
        if not 0 < call_timeout < float("inf"):
            raise ValueError(
                self._(
                    "call_timeout=%(value)s: give a number of seconds greater than 0, e.g. 5.",
                    value=repr(call_timeout),
                )
            )
        self.expected = load_expected()
        self._supervisor = Supervisor(self.expected, self.lang, call_timeout=call_timeout)
        # The functions whose check was stopped (a loop, a crash), by footprint: the next
        # cells, which check them again before what builds on them, need not wait again.
        self._stopped: dict[str, tuple[str, Outcome]] = {}
        # The worker stays between two check cells; it ends with this object or the kernel.
        weakref.finalize(self, self._supervisor.close)

    @property
    def functions(self) -> list[str]:
        """Every function the checks know, in the order of the course."""
        return list(self.expected["functions"])

    def __call__(
        self, function: str | None = None, *, namespace: Mapping[str, Any] | None = None
    ) -> Report:
        """The verdict on `function` (every function without one), from the functions of
        the notebook (`namespace`: the caller's globals by default)."""
        if function is not None and function not in self.functions:
            raise ValueError(
                self._(
                    "There is no function %(function)s in the checks; they know: %(known)s.",
                    function=repr(function),
                    known=", ".join(self.functions),
                )
            )
        if namespace is None:
            namespace = sys._getframe(1).f_globals
        direct = self.expected["depends_on"]
        needed = set(self.functions) if function is None else {function}
        if function is not None:
            needed.update(builds_on(function, direct))
        order = [name for name in self.functions if name in needed]
        outcomes: list[Outcome] = []
        note = ""
        entries = pack(namespace, self.functions)
        prints = {name: footprint(namespace, entries, name) for name in order}
        known = {
            name: outcome
            for name, (print_, outcome) in self._stopped.items()
            if prints.get(name) == print_
        }
        self._supervisor.load_namespace(entries)
        try:
            check_all(self._supervisor, order, direct, outcomes.append, known=known)
        except KeyboardInterrupt:
            self._supervisor.close()
            note = self._(
                "The check was interrupted after %(checked)s of %(total)s functions; run the "
                "cell again to check the others.",
                checked=len(outcomes),
                total=len(order),
            )
        except WorkerFailed as error:
            note = str(error)
        for outcome in outcomes:
            if outcome.stopped:
                self._stopped[outcome.function] = (prints[outcome.function], outcome)
            else:
                self._stopped.pop(outcome.function, None)
        hints = self.expected.get("hints", {})
        if function is None:
            return Report(outcomes, self.lang, hints, total=len(order), note=note)
        shown = [outcome for outcome in outcomes if outcome.function == function]
        return Report(shown, self.lang, hints, total=None, note=note)

    def close(self) -> None:
        """End the worker now (the next check starts another)."""
        self._supervisor.close()
