"""The choices an autograder is built with, stored in the zip beside the scripts.

``nngrade gradescope build`` writes them to ``nngrade-autograder.json``; Gradescope unpacks
the zip into ``/autograder/source``, where ``nngrade gradescope run`` reads them back for
every submission.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from grader.errors import UsageError
from grader.exports.gradescope import VISIBILITIES
from grader.i18n import LANGUAGES

CONFIG_FILE = "nngrade-autograder.json"
FORMAT = "nngrade.autograder/1"
DEFAULT_HIDDEN_VISIBILITY = "after_published"


@dataclass(frozen=True)
class AutograderConfig:
    """How the autograder grades and what students see when.

    Attributes:
        lang: ``en`` or ``fr``, the language of the messages and of the feedback page.
        hidden_visibility: when students see the hidden tests, their score and the feedback
            page (a Gradescope visibility: ``after_published`` keeps them hidden until the
            instructor publishes the grades); what was received is always visible.
        nngrade_version: the nngrade the autograder installs (its wheel is in the zip).
        wheel: the wheel's file name in the zip.
    """

    lang: str
    hidden_visibility: str
    nngrade_version: str
    wheel: str

    def __post_init__(self) -> None:
        if self.lang not in LANGUAGES:
            raise UsageError(f"Unknown language {self.lang!r}; use one of: {', '.join(LANGUAGES)}.")
        if self.hidden_visibility not in VISIBILITIES:
            raise UsageError(
                f"{self.hidden_visibility!r} is not a Gradescope visibility; use one of: "
                f"{', '.join(VISIBILITIES)}."
            )

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, **asdict(self)}, indent=2, sort_keys=True) + "\n"

    @classmethod
    def read(cls, source: Path) -> AutograderConfig:
        """The configuration in the autograder's source folder `source`.

        Raises:
            UsageError: `source` is not the folder of an autograder built by nngrade.
        """
        path = source / CONFIG_FILE
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UsageError(
                f"{path} does not exist: {source} is not an autograder built by "
                "`nngrade gradescope build` (unpack its zip there)."
            ) from None
        except (OSError, ValueError) as error:
            raise UsageError(
                f"{path} cannot be read ({error}); build the autograder again."
            ) from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise UsageError(
                f"{path} is not in the format {FORMAT!r}: build the autograder again with this "
                "nngrade."
            )
        try:
            return cls(
                lang=str(document["lang"]),
                hidden_visibility=str(document["hidden_visibility"]),
                nngrade_version=str(document["nngrade_version"]),
                wheel=str(document["wheel"]),
            )
        except KeyError as error:
            raise UsageError(f"{path} lacks {error}; build the autograder again.") from None
