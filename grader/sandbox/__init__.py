"""Run student code in confined worker processes; talk to it through a plain-data codec.

`Sandbox` (one per grading process) starts a warm zygote; `Sandbox.open_session` forks a
worker for one submission; `StudentProxy` is what the hidden suites call. See
docs/result-schema.md (`isolation`) for the layers it reports.
"""

from grader.sandbox.codec import Handle
from grader.sandbox.limits import SandboxLimits
from grader.sandbox.proxy import StudentProxy
from grader.sandbox.sandbox import Sandbox
from grader.sandbox.session import StudentSession

__all__ = ["Handle", "Sandbox", "SandboxLimits", "StudentProxy", "StudentSession"]
