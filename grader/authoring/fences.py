"""Answer fences: the marked regions of `solutions/` that students do not get.

The syntax, one comment per line, indented like the code it encloses::

    def relu(Z):
        \"\"\"The statement (written in from its spec) stays.\"\"\"
        # BEGIN SOLUTION
        return np.maximum(0.0, Z)
        # END SOLUTION

Stripping replaces each fenced region (the fences included) by one stub line at the
fence's indentation:

- by default ``raise NotImplementedError("<function> is not implemented yet.")``,
  naming the enclosing function (a region outside any function is simply removed);
- ``# BEGIN SOLUTION stub: <one line of Python>`` leaves that line instead, e.g.
  ``# BEGIN SOLUTION stub: return None``.

Rules, each enforced with a `FenceError` naming the file and line: every BEGIN has an END
at the same indentation, fences do not nest, and no line inside a region is indented less
than its fences. Stripped text contains no fence, so stripping is idempotent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grader.errors import FenceError

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"
STUB_PREFIX = "stub:"

_BEGIN_LINE = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION(?P<rest>.*)$")
_END_LINE = re.compile(r"^(?P<indent>[ \t]*)# END SOLUTION[ \t]*$")
_DEF_LINE = re.compile(r"^(?P<indent>[ \t]*)(?:async[ \t]+)?def[ \t]+(?P<name>\w+)")


@dataclass(frozen=True)
class FencedRegion:
    """One answer region.

    Attributes:
        begin: 1-based line number of the ``# BEGIN SOLUTION`` line.
        end: 1-based line number of the ``# END SOLUTION`` line.
        indent: the fences' indentation.
        stub: the line that replaces the region, without indentation ("" removes it).
    """

    begin: int
    end: int
    indent: str
    stub: str

    def body(self, lines: list[str]) -> list[str]:
        """The answer lines between the fences (``lines`` is the whole file)."""
        return lines[self.begin : self.end - 1]


def default_stub(function: str | None) -> str:
    """The stub left in place of an answer in `function` (None: outside any function)."""
    if function is None:
        return ""
    # Short enough to stay under 100 columns for every function name of the contract.
    return f'raise NotImplementedError("{function} is not implemented yet.")'


def find_regions(source: str, filename: str = "<source>") -> list[FencedRegion]:
    """Parse the fences of `source`; raise `FenceError` (naming `filename`) if malformed."""
    lines = source.splitlines()
    regions: list[FencedRegion] = []
    open_begin: tuple[int, str, str | None] | None = None  # (line, indent, custom stub)
    for number, line in enumerate(lines, start=1):
        begin = _BEGIN_LINE.match(line)
        end = _END_LINE.match(line)
        if begin:
            if open_begin is not None:
                raise FenceError(
                    f"{filename}, line {number}: `{BEGIN}` inside the region opened at line "
                    f"{open_begin[0]}; fences do not nest. Close the first region with "
                    f"`{END}` before opening another."
                )
            open_begin = (number, begin["indent"], _parse_stub(begin["rest"], filename, number))
        elif end:
            if open_begin is None:
                raise FenceError(
                    f"{filename}, line {number}: `{END}` without a `{BEGIN}` before it. "
                    f"Add the opening fence or delete this line."
                )
            start, indent, stub = open_begin
            if end["indent"] != indent:
                raise FenceError(
                    f"{filename}, line {number}: `{END}` is indented {len(end['indent'])} "
                    f"characters but its `{BEGIN}` (line {start}) is indented {len(indent)}. "
                    f"Indent both fences like the code they enclose."
                )
            if stub is None:
                stub = default_stub(_enclosing_function(lines, start - 1, indent))
            regions.append(FencedRegion(begin=start, end=number, indent=indent, stub=stub))
            open_begin = None
        elif open_begin is not None and line.strip():
            if not line.startswith(open_begin[1]):
                raise FenceError(
                    f"{filename}, line {number}: this line is indented less than the "
                    f"`{BEGIN}` of line {open_begin[0]}. Indent the fences like the code "
                    f"they enclose, or close the region before this line."
                )
        elif BEGIN in line or END in line:
            raise FenceError(
                f"{filename}, line {number}: a fence must be alone on its line (only "
                f"indentation before it), as `{BEGIN}` or `{END}`."
            )
    if open_begin is not None:
        raise FenceError(
            f"{filename}, line {open_begin[0]}: `{BEGIN}` is never closed. Add `{END}` "
            f"at the same indentation after the answer."
        )
    return regions


def strip_solutions(source: str, filename: str = "<source>") -> str:
    """The stub source: `source` with every fenced region replaced by its stub line."""
    lines = source.splitlines()
    kept: list[str] = []
    position = 0  # 0-based index of the next line to copy
    for region in find_regions(source, filename):
        kept.extend(lines[position : region.begin - 1])
        if region.stub:
            kept.append(region.indent + region.stub)
        position = region.end
    kept.extend(lines[position:])
    text = "\n".join(kept)
    return text + "\n" if source.endswith("\n") or not source else text


def _parse_stub(rest: str, filename: str, number: int) -> str | None:
    """The custom stub after `# BEGIN SOLUTION`, or None for the default stub."""
    rest = rest.strip()
    if not rest:
        return None
    if not rest.startswith(STUB_PREFIX) or not rest[len(STUB_PREFIX) :].strip():
        raise FenceError(
            f"{filename}, line {number}: after `{BEGIN}` only `{STUB_PREFIX} <one line of "
            f"Python>` may follow, e.g. `{BEGIN} {STUB_PREFIX} return None`; found {rest!r}."
        )
    return rest[len(STUB_PREFIX) :].strip()


def _enclosing_function(lines: list[str], index: int, indent: str) -> str | None:
    """The name of the innermost `def` above line `index` that encloses `indent`."""
    for line in reversed(lines[:index]):
        match = _DEF_LINE.match(line)
        if match and len(match["indent"]) < len(indent):
            return match["name"]
    return None
