"""Why a file could not be read, in words a student or an instructor can act on.

The system's own reason (``strerror``) is English whatever the language of the page, and
names the symptom ("Permission denied"); these name it in every language.
"""

from __future__ import annotations

import errno

from grader.i18n import Text

REASONS: dict[int, Text] = {
    errno.EACCES: Text("permission denied: the grader may not read it"),
    errno.EPERM: Text("permission denied: the grader may not read it"),
    errno.ENOENT: Text("it no longer exists"),
    errno.ELOOP: Text("it is a symbolic link"),
    errno.EISDIR: Text("it is a folder"),
    errno.ENAMETOOLONG: Text("its name is too long"),
    errno.EIO: Text("the disk could not read it"),
}


def os_error_reason(error: OSError) -> Text | str:
    """Why `error` stopped a read, in every language; the system's own words (English) for
    an error we have no sentence for."""
    return REASONS.get(error.errno or 0) or error.strerror or type(error).__name__
