"""Turn the bytes of one source file into normalised, syntax-checked text.

Nothing here executes student code: the syntax check only parses (``ast.parse``), and a
parse that blows up on absurd nesting is refused like any syntax error.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Mapping

from grader.i18n import N_, Text, sentences
from grader.loading.problems import Problem, problem

_BOM = b"\xef\xbb\xbf"


def decode_source(path: str, data: bytes) -> tuple[str | None, Problem | None]:
    """Decode UTF-8 (an optional BOM is dropped) and normalise line ends to ``\\n``."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, problem(
            path,
            "not_utf8",
            Text(
                "%(file)s is not valid UTF-8 text (first bad byte on line %(line)s). Save the "
                "file with the UTF-8 encoding in your editor and submit again; it was not "
                "graded.",
                file=path,
                line=line,
            ),
            line=line,
        )
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


def check_syntax(path: str, text: str, cell: int | None = None) -> Problem | None:
    """Parse `text` without running it; a problem names the file (and the notebook's code
    `cell`, when given) and the line."""
    detail: Mapping[str, str] | str
    try:
        ast.parse(text, filename=path)
    except SyntaxError as error:
        line = error.lineno
        detail = error.msg
    except ValueError as error:  # null bytes in the source
        line, detail = None, str(error)
    except (RecursionError, MemoryError):
        line, detail = None, Text(N_("the code is nested too deeply for Python to read"))
    else:
        return None
    place: Text | str = (
        path if cell is None else Text("%(file)s (code cell %(cell)s)", file=path, cell=cell)
    )
    if line:
        found = Text(
            "%(place)s has a syntax error on line %(line)s: %(detail)s.",
            place=place,
            line=line,
            detail=detail,
        )
    else:
        found = Text("%(place)s has a syntax error: %(detail)s.", place=place, detail=detail)
    return problem(
        path,
        "syntax_error",
        sentences(
            found,
            Text(
                N_(
                    "Python cannot read the file, so its exercises score 0: run it yourself "
                    "to see the error, fix it and submit again."
                )
            ),
        ),
        line=line,
    )


def sources_sha256(sources: Mapping[str, str]) -> str:
    """Hash of the normalised sources: sorted module names and contents, length-framed."""
    digest = hashlib.sha256()
    for name in sorted(sources):
        for part in (name.encode(), sources[name].encode()):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
    return digest.hexdigest()


def file_record(path: str, data: bytes) -> dict[str, object]:
    """The `submission.files[]` entry of a file that was graded."""
    return {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
