"""Every error nngrade raises on purpose derives from `NngradeError`.

Messages are sentences for a person: what was wrong, where, and what to do.
Errors about the *student's* code (`StudentCallError` and its children) are raised on
the trusted side by the proxy when a call into the sandboxed worker did not produce a
usable value; the hidden suites let them propagate and the grading plugin turns them
into outcomes (`failed`, `error`, `timeout`, `crashed`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from grader.i18n import Text

INTERNAL = logging.getLogger("grader.engine.internal")
"""Where every bug of ours that a grade hides is logged (a hidden test that raised, a suite
that cannot be collected, evidence the schema refuses): the student reads "internal
error", the instructor reads this log, and the project's own tests fail on any record of
it unless they provoke one on purpose (``@pytest.mark.internal_error``)."""


class NngradeError(Exception):
    """Root of every error raised by nngrade on purpose.

    Its message is a sentence, or a `Text` (the sentence in every language), which
    ``str(error)`` gives in English and `text` keeps for a command to show in its own.
    """

    @property
    def text(self) -> str | Mapping[str, str]:
        """The message in every language if it was raised as a `Text`, else as written."""
        message = self.args[0] if len(self.args) == 1 else None
        return message if isinstance(message, Text) else str(self)


class UsageError(NngradeError):
    """The instructor asked for something that cannot be done (bad path, bad option)."""


class FenceError(NngradeError):
    """A `# BEGIN SOLUTION` / `# END SOLUTION` fence in `solutions/` is malformed."""


class SubmissionError(NngradeError):
    """A submission (or one of its files) cannot be loaded; the reason is for the student."""


class SandboxError(NngradeError):
    """The sandbox itself could not start (not the student's fault)."""


class SandboxUnavailable(SandboxError):
    """This machine cannot isolate student code; the message says which layer is missing
    and how to get it (or how to run unsafely on purpose)."""


class StudentCallError(NngradeError):
    """A call into the student's code did not return a usable value.

    Attributes:
        function: the student function that was called, e.g. ``"relu_backward"``.
        text: the message in every language (a `Text`; its English is the exception's).
    """

    def __init__(self, function: str, message: Mapping[str, str] | str) -> None:
        self._text: Mapping[str, str] = Text(message) if isinstance(message, str) else message
        super().__init__(self._text["en"])
        self.function = function

    @property
    def text(self) -> Mapping[str, str]:
        return self._text


class StudentNotImplemented(StudentCallError):
    """The function is missing, or it still raises ``NotImplementedError`` (an untouched stub).

    Attributes:
        via: the student's function whose untouched stub `function` called, when it is not
            `function` itself (``model_forward`` calling a stub ``linear_activation_forward``).
    """

    def __init__(
        self, function: str, message: Mapping[str, str] | str, *, via: str | None = None
    ) -> None:
        super().__init__(function, message)
        self.via = via


class StudentRaised(StudentCallError):
    """The student's function raised an exception.

    Attributes:
        exception_type: the exception's class name, e.g. ``"ValueError"``.
        detail: the exception's message, capped.
        traceback: the student's traceback text, capped, with sandbox paths stripped.
        place: where in the student's files it was raised, for a person, e.g.
            ``exercises/network.py, line 57`` or ``your notebook, code cell 3, line 4`` (a
            `Text`), or None when no frame of the traceback is in their files.
        source: the text of that line (the ``assert`` itself for an AssertionError).
        inner_function: the function that line is in, when it is not `function`.
        call: the call that raised, with its shapes and scalar arguments, e.g.
            ``linear_activation_forward(A_prev (3, 5), W (4, 3), b (4, 1), activation='tanh')``;
            set by the proxy that made the call.
        index: which call of a batch raised it (0 for a single call).
    """

    def __init__(
        self,
        function: str,
        exception_type: str,
        detail: str,
        traceback: str = "",
        *,
        place: Mapping[str, str] | None = None,
        source: str = "",
        inner_function: str | None = None,
        index: int = 0,
    ) -> None:
        super().__init__(function, f"`{function}` raised {exception_type}: {detail}")
        self.exception_type = exception_type
        self.detail = detail
        self.traceback = traceback
        self.place = place
        self.source = source
        self.inner_function = inner_function
        self.index = index
        self.call: str | None = None


class StudentTimeout(StudentCallError):
    """The call ran past its wall-clock or CPU deadline; the worker was killed.

    Attributes:
        seconds: the deadline that was exceeded.
        repeated: the function had already timed out in this submission, so this call
            did not run it again (one infinite loop must not use up the whole budget).
        budget: the submission's whole time budget (`seconds`) was already used up, so
            this call did not run at all.
        via: with `repeated`, the function that timed out earlier when it is not `function`
            itself but one that `function` calls.
    """

    def __init__(
        self,
        function: str,
        seconds: float,
        *,
        repeated: bool = False,
        budget: bool = False,
        via: str | None = None,
    ) -> None:
        if budget:
            message = f"The submission used up its {seconds:g} s, so `{function}` was not run."
        elif via is not None:
            message = f"`{function}` calls `{via}`, which timed out earlier; it was not run again."
        elif repeated:
            message = f"`{function}` timed out earlier, so it was not run again."
        else:
            message = f"`{function}` did not return within {seconds:g} s."
        super().__init__(function, message)
        self.seconds = seconds
        self.repeated = repeated
        self.budget = budget
        self.via = via


class WorkerCrashed(StudentCallError):
    """The worker died during the call (segfault, os._exit, memory limit, killed).

    Attributes:
        detail: how it ended, in every language (a `Text`).
    """

    def __init__(self, function: str, detail: Mapping[str, str] | str) -> None:
        self.detail: Mapping[str, str] = Text(detail) if isinstance(detail, str) else detail
        super().__init__(
            function,
            Text(
                "The sandbox running `%(function)s` stopped: %(detail)s",
                function=function,
                detail=self.detail,
            ),
        )


class HostileValue(StudentCallError):
    """The value that came back is not plain data the grader accepts (wrong type, bad frame)."""
