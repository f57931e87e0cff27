"""Turn the bytes of one source file into normalised, syntax-checked text.

Nothing here executes student code: the syntax check only parses (``ast.parse``), and a
parse that blows up on absurd nesting is refused like any syntax error.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Mapping

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
            f"{path} is not valid UTF-8 text (first bad byte on line {line}). Save the file "
            "with the UTF-8 encoding in your editor and submit again; it was not graded.",
            f"{path} n'est pas un texte UTF-8 valide (premier octet invalide ligne {line}). "
            "Enregistrez le fichier en UTF-8 dans votre éditeur et soumettez-le à nouveau ; "
            "il n'a pas été noté.",
            line=line,
        )
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


def check_syntax(path: str, text: str, where: str = "") -> Problem | None:
    """Parse `text` without running it; a problem names the file and line.

    `where` is extra context placed after the path, e.g. ``" (cell 3)"`` for a notebook.
    """
    try:
        ast.parse(text, filename=path)
    except SyntaxError as error:
        line = error.lineno
        detail = error.msg
    except ValueError as error:  # null bytes in the source
        line, detail = None, str(error)
    except (RecursionError, MemoryError):
        line, detail = None, "the code is nested too deeply for Python to read"
    else:
        return None
    at = f" on line {line}" if line else ""
    a_la = f" ligne {line}" if line else ""
    return problem(
        path,
        "syntax_error",
        f"{path}{where} has a syntax error{at}: {detail}. Python cannot read the file, so its "
        "exercises score 0: run it yourself to see the error, fix it and submit again.",
        f"{path}{where} contient une erreur de syntaxe{a_la} : {detail}. Python ne peut pas "
        "lire le fichier, ses exercices valent donc 0 : exécutez-le pour voir l'erreur, "
        "corrigez-la et soumettez à nouveau.",
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
