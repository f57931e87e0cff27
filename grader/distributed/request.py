"""A submission as it travels to a Dask worker: JSON bytes, loaded on the client.

The client loads each submission with the loader a local batch uses (it never runs student
code) and sends what grading needs: the normalised module sources, the records of the files
graded and the problems found, with the student id, the language and the client's grader
version. So the workers need no shared filesystem and never see the submission's files, and
the document a worker builds from the request is the one `nngrade grade` builds from the
files: the same loading, then the same `grade_loaded`.

JSON rather than pickle: a request is plain data, readable by a person, and a worker that
decodes one runs nothing but the JSON parser.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from grader.errors import UsageError
from grader.loading import LoadedSubmission

FORMAT = "nngrade.grading-request/1"


@dataclass(frozen=True)
class GradingRequest:
    """One submission to grade on a worker.

    Attributes:
        student: the student id (the document's `student`, and the seed of the hidden inputs).
        lang: ``en`` or ``fr``, the language of the document's messages.
        grader_version: the client's `grader.__version__`; a worker of another version
            refuses the request, since its documents would not match the client's.
        submission: the loaded submission.
    """

    student: str
    lang: str
    grader_version: str
    submission: LoadedSubmission

    def to_bytes(self) -> bytes:
        """The request as UTF-8 JSON (ASCII-escaped: a lone surrogate in a notebook survives)."""
        loaded = self.submission
        document = {
            "format": FORMAT,
            "student": self.student,
            "lang": self.lang,
            "grader_version": self.grader_version,
            "submission": {
                "name": loaded.name,
                "kind": loaded.kind,
                "sources": dict(loaded.sources),
                "function_modules": dict(loaded.function_modules),
                "files": list(loaded.files),
                "problems": list(loaded.problems),
                "module_status": dict(loaded.module_status),
                "sha256": loaded.sha256,
            },
        }
        return json.dumps(document, sort_keys=True, allow_nan=False).encode("ascii")

    @classmethod
    def from_bytes(cls, data: bytes) -> GradingRequest:
        """Decode a request written by `to_bytes`.

        Raises:
            UsageError: `data` is not a grading request this version of nngrade reads.
        """
        try:
            document = json.loads(data.decode("ascii"))
        except (UnicodeDecodeError, ValueError) as error:
            raise UsageError(f"A grading request is not valid JSON ({error}).") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            found = document.get("format") if isinstance(document, dict) else None
            raise UsageError(
                f"A grading request has format {found!r}, but this nngrade reads {FORMAT!r}: "
                "install the same nngrade version on the client and on every worker."
            )
        try:
            loaded = _loaded_submission(document["submission"])
            return cls(
                student=_text(document["student"]),
                lang=_text(document["lang"]),
                grader_version=_text(document["grader_version"]),
                submission=loaded,
            )
        except (KeyError, TypeError) as error:
            raise UsageError(f"A grading request is incomplete or malformed ({error}).") from None


def _loaded_submission(fields: dict[str, Any]) -> LoadedSubmission:
    return LoadedSubmission(
        name=_text(fields["name"]),
        kind=fields["kind"],
        sources=_text_mapping(fields["sources"]),
        function_modules=_text_mapping(fields["function_modules"]),
        files=tuple(_records(fields["files"])),
        problems=tuple(_records(fields["problems"])),
        module_status=_text_mapping(fields["module_status"]),
        sha256=_text(fields["sha256"]),
    )


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _text_mapping(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, got {type(value).__name__}")
    return {_text(key): _text(item) for key, item in value.items()}


def _records(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise TypeError("expected a list of objects")
    return value
