"""The hidden suites' mutation score over the answer key: the bugs they would let through.

Every small change a student's slip could make to the code between ``# BEGIN SOLUTION`` and
``# END SOLUTION`` in `solutions/` is a mutant: an operator swapped (``+``/``-``, ``*``/``/``,
``**``, ``>``/``>=``...), a number nudged (``0``/``1``, ``1.0`` -> ``2.0``, ``axis=0`` ->
``axis=1``), a boolean flipped (``keepdims=True``), a keyword argument left out
(``np.max(Z)`` for ``np.max(Z, axis=0)``), a minus dropped, a numpy reduction swapped for
its sibling (``np.max``/``np.min``, ``np.sum``/``np.mean``), a statement left
out. Each mutant is graded as a submission, with the real grader (sandbox, hidden suites,
substitution), and is *killed* when it scores less than the answer key.

A mutant that survives is a blind spot, or an equivalent mutant: a change that computes the
same thing (``Z > 0`` -> ``Z >= 0`` where the value at 0 is 0 either way). Equivalents are
listed, each with its reason, in `EQUIVALENT` below; every other survivor is a blind spot to
close with a new hidden test.

    .venv/bin/python -m bench.mutation_score [--out bench/out] [--only FUNCTION ...]

Writes ``mutation_score.json``: every mutant, killed or not, and by which test.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.synthetic import read_modules
from grader.catalog import MODULES, all_functions

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
_FENCE = re.compile(r"^\s*# (BEGIN|END) SOLUTION\s*$")

_BINARY_SWAPS: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.Pow: ast.Mult,
    ast.FloorDiv: ast.Mult,
}
_COMPARE_SWAPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
}
_NUMPY_SWAPS = {
    "max": "min",
    "min": "max",
    "maximum": "minimum",
    "minimum": "maximum",
    "sum": "mean",
    "mean": "sum",
    "all": "any",
    "any": "all",
    "argmax": "argmin",
}

_SAME_AT_ZERO = "at z = 0 both branches give the same value"
_KINK = "the contract accepts either value of the derivative at exactly z = 0"
_BROADCAST = (
    "a reduction over axis 0 without keepdims has shape (m,), which broadcasts over the rows "
    "of (n, m) as (1, m) does"
)
EQUIVALENT: dict[str, str] = {
    "sigmoid: Z >= 0 -> (Z > 0)": _SAME_AT_ZERO + " (1/(1+1) = 1/(1+1) = 0.5)",
    "leaky_relu: Z > 0 -> (Z >= 0)": _SAME_AT_ZERO + " (0 = alpha·0)",
    "relu_backward: Z > 0 -> (Z >= 0)": _KINK,
    "leaky_relu_backward: Z > 0 -> (Z >= 0)": _KINK,
    "softmax: True -> False": _BROADCAST,
    "softmax: True -> False #2": _BROADCAST,
    "softmax_backward: True -> False": _BROADCAST,
    "softmax: np.max(Z, axis=0, keepdims=True) -> (np.max(Z, axis=0))": _BROADCAST,
    "softmax: np.sum(E, axis=0, keepdims=True) -> (np.sum(E, axis=0))": _BROADCAST,
    "softmax_backward: np.sum(dA * S, axis=0, keepdims=True) -> (np.sum(dA * S, axis=0))": (
        _BROADCAST
    ),
    "categorical_cross_entropy: np.sum(Y * np.log(AL), axis=0) -> (np.sum(Y * np.log(AL)))": (
        "the cost is the sum of every entry of Y·log(AL) over m: summed at once or per "
        "example first, the total is the same"
    ),
    "model_backward: raise ValueError( f\"model_backward knows the cost of a 'sigmoid' or "
    '\'softmax\' output layer, " f"not of {output_activation!r}; choose one of those two." ) '
    "-> pass": (
        "an output activation other than sigmoid or softmax is outside the contract: the "
        "answer key's error message is a courtesy the suites do not grade"
    ),
    "categorical_cross_entropy: 0 -> 1": (
        "summing Y·log(AL) per class first (axis 1) then over the classes gives the same "
        "total as per example first"
    ),
    "predict: AL > 0.5 -> (AL >= 0.5)": (
        "the contract says 'threshold 0.5' without a side: an output of exactly 0.5 may be "
        "either class"
    ),
}
"""Surviving mutants that are not bugs, keyed as `Mutant.key`, with the reason."""


@dataclass(frozen=True)
class Mutant:
    """One small change to one function of the answer key.

    Attributes:
        module: the student module (``network``).
        function: the function it changes.
        line: its line in ``solutions/<module>.py``.
        operator: the kind of change (``binary``, ``compare``, ``number``, ``boolean``,
            ``keyword``, ``negation``, ``numpy``, ``statement``).
        before, after: the source of the changed expression or statement, then and now.
        occurrence: how many identical changes of the same function come before this one.
    """

    module: str
    function: str
    line: int
    operator: str
    before: str
    after: str
    occurrence: int = 0

    @property
    def key(self) -> str:
        """``function: before -> after`` (``#n`` when the same change occurs again): stable
        while the function's code stays, whatever moves around it."""
        suffix = f" #{self.occurrence + 1}" if self.occurrence else ""
        return f"{self.function}: {self.before} -> {self.after}{suffix}"


def fenced_lines(text: str) -> set[int]:
    """The 1-based line numbers strictly between a BEGIN and an END SOLUTION fence."""
    inside, lines = False, set()
    for number, line in enumerate(text.splitlines(), start=1):
        fence = _FENCE.match(line)
        if fence:
            inside = fence.group(1) == "BEGIN"
        elif inside:
            lines.add(number)
    return lines


def _replacements(node: ast.AST) -> Iterator[tuple[str, ast.AST]]:
    """(operator, mutated copy) for every mutation of `node` itself (not of its children)."""
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY_SWAPS:
        yield "binary", ast.BinOp(node.left, _BINARY_SWAPS[type(node.op)](), node.right)
    elif (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and type(node.ops[0]) in (_COMPARE_SWAPS)
    ):
        yield (
            "compare",
            ast.Compare(node.left, [_COMPARE_SWAPS[type(node.ops[0])]()], node.comparators),
        )
    elif isinstance(node, ast.Constant) and type(node.value) is bool:
        yield "boolean", ast.Constant(not node.value)
    elif isinstance(node, ast.Constant) and type(node.value) is int:
        yield "number", ast.Constant({0: 1, 1: 0}.get(node.value, node.value + 1))
    elif isinstance(node, ast.Constant) and type(node.value) is float:
        yield "number", ast.Constant(node.value + 1.0)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.Not):
        yield "negation", node.operand
    elif isinstance(node, ast.Call) and node.keywords:
        for index in range(len(node.keywords)):
            kept = node.keywords[:index] + node.keywords[index + 1 :]
            yield "keyword", ast.Call(node.func, node.args, kept)
    elif (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "np"
        and node.attr in _NUMPY_SWAPS
    ):
        yield "numpy", ast.Attribute(node.value, _NUMPY_SWAPS[node.attr], ast.Load())


def _segment(lines: Sequence[str], node: ast.expr | ast.stmt) -> tuple[int, int]:
    """(start, end) character offsets of `node` in the text whose lines are `lines`."""
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    start = starts[node.lineno - 1] + _char_offset(lines[node.lineno - 1], node.col_offset)
    end_line = node.end_lineno or node.lineno
    end_col = node.end_col_offset if node.end_col_offset is not None else 0
    end = starts[end_line - 1] + _char_offset(lines[end_line - 1], end_col)
    return start, end


def _char_offset(line: str, byte_offset: int) -> int:
    """The character offset of a UTF-8 byte offset (ast's col_offset) in `line`."""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8"))


def mutants_of(module: str, text: str) -> Iterator[tuple[Mutant, str]]:
    """Every mutant of the fenced code of `text` (``solutions/<module>.py``), with the
    module's whole mutated text."""
    fenced = fenced_lines(text)
    lines = text.splitlines(keepends=True)
    tree = ast.parse(text)
    contract = set(all_functions())
    seen: dict[tuple[str, str, str], int] = {}
    for function in tree.body:
        if not isinstance(function, ast.FunctionDef) or function.name not in contract:
            continue
        for node in ast.walk(function):
            if not isinstance(node, ast.expr | ast.stmt) or node.lineno not in fenced:
                continue
            if isinstance(node, ast.stmt) and not isinstance(node, ast.Return):
                changes: list[tuple[str, str | ast.AST]] = [("statement", "pass")]
            else:
                changes = []
            changes += list(_replacements(node))
            for operator, replacement in changes:
                start, end = _segment(lines, node)
                before = text[start:end]
                if isinstance(replacement, str):
                    after = replacement
                else:
                    after = ast.unparse(replacement)
                    if isinstance(node, ast.expr) and not isinstance(node, ast.Constant):
                        after = f"({after})"
                mutated = text[:start] + after + text[end:]
                try:
                    ast.parse(mutated)
                except SyntaxError:
                    continue
                short = " ".join(before.split())
                identity = (function.name, short, after)
                occurrence = seen.get(identity, 0)
                seen[identity] = occurrence + 1
                yield (
                    Mutant(
                        module,
                        function.name,
                        node.lineno,
                        operator,
                        short,
                        after,
                        occurrence,
                    ),
                    mutated,
                )


def all_mutants(key: Mapping[str, str]) -> list[tuple[Mutant, str]]:
    """Every mutant of every module of the answer key, in module and line order."""
    found = []
    for module in MODULES:
        found += list(mutants_of(module, key[module]))
    return found


@dataclass(frozen=True)
class Verdict:
    """How the hidden suites took one mutant.

    Attributes:
        killed: it scored less than the answer key.
        score: its score.
        first_failure: the id of the first test it failed (None when it survived).
        seconds: wall time of its grading.
    """

    killed: bool
    score: float
    first_failure: str | None
    seconds: float


def grade_mutants(
    mutants: Sequence[tuple[Mutant, str]], key: Mapping[str, str]
) -> list[tuple[Mutant, Verdict]]:
    """Grade each mutant as a submission: the answer key with one module changed."""
    from grader.engine import grade_submission, with_hidden_suites
    from grader.engine.runner import SuiteRunner
    from grader.sandbox import Sandbox, SandboxLimits

    verdicts: list[tuple[Mutant, Verdict]] = []
    with tempfile.TemporaryDirectory(prefix="nngrade-mutants-") as scratch:
        folder = Path(scratch) / "mutant"
        folder.mkdir()
        with Sandbox(SandboxLimits(wall_seconds_per_call=2.0)) as sandbox:

            def grade_all(runner: SuiteRunner) -> None:
                for module, text in key.items():
                    (folder / f"{module}.py").write_text(text, encoding="utf-8")
                full = grade_submission(folder, sandbox=sandbox, runner=runner)
                best = float(full["score"])
                if best != float(full["max_score"]):
                    raise RuntimeError(
                        f"The answer key scores {best:g}/{full['max_score']:g}: fix it (or the "
                        "hidden suites) before measuring mutants against it."
                    )
                for mutant, text in mutants:
                    (folder / f"{mutant.module}.py").write_text(text, encoding="utf-8")
                    clock = time.perf_counter()
                    document = grade_submission(folder, sandbox=sandbox, runner=runner)
                    seconds = time.perf_counter() - clock
                    (folder / f"{mutant.module}.py").write_text(key[mutant.module], "utf-8")
                    score = float(document["score"])
                    verdicts.append(
                        (mutant, Verdict(score < best, score, _first_failure(document), seconds))
                    )

            with_hidden_suites(grade_all)
    return verdicts


def _first_failure(document: Mapping[str, Any]) -> str | None:
    for exercise in document.get("exercises", []):
        for test in exercise["tests"]:
            if test["outcome"] != "passed":
                return str(test["id"])
    return None


def summary(verdicts: Sequence[tuple[Mutant, Verdict]]) -> dict[str, Any]:
    """The figures: mutants, killed, equivalent, score, and the unexplained survivors."""
    survivors = [m for m, v in verdicts if not v.killed]
    equivalent = [m for m in survivors if m.key in EQUIVALENT]
    blind = [m for m in survivors if m.key not in EQUIVALENT]
    killed = len(verdicts) - len(survivors)
    countable = len(verdicts) - len(equivalent)
    return {
        "mutants": len(verdicts),
        "killed": killed,
        "equivalent": len(equivalent),
        "survivors": len(blind),
        "score": killed / countable if countable else 1.0,
        "blind_spots": [m.key for m in blind],
        "equivalents": {m.key: EQUIVALENT[m.key] for m in equivalent},
        "stale_equivalents": sorted(set(EQUIVALENT) - {m.key for m, _ in verdicts}),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mutation_score", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument(
        "--only", nargs="+", metavar="FUNCTION", help="only the mutants of these functions"
    )
    arguments = parser.parse_args(argv)
    key = read_modules(SOLUTIONS)
    mutants = all_mutants(key)
    if arguments.only:
        mutants = [(m, t) for m, t in mutants if m.function in arguments.only]
    clock = time.perf_counter()
    verdicts = grade_mutants(mutants, key)
    figures = summary(verdicts)
    figures["seconds"] = round(time.perf_counter() - clock, 1)
    figures["all"] = [{**asdict(m), "key": m.key, **asdict(v)} for m, v in verdicts]
    arguments.out.mkdir(parents=True, exist_ok=True)
    (arguments.out / "mutation_score.json").write_text(
        json.dumps(figures, indent=1) + "\n", encoding="utf-8"
    )
    print(
        f"{figures['mutants']} mutants of solutions/: {figures['killed']} killed, "
        f"{figures['equivalent']} equivalent, {figures['survivors']} surviving; mutation "
        f"score {100 * figures['score']:.1f}% ({figures['seconds']:g} s)"
    )
    for key_text in figures["blind_spots"]:
        print(f"  survives: {key_text}")
    for key_text in figures["stale_equivalents"]:
        print(f"  listed as equivalent but no longer a mutant: {key_text}")
    print(f"Every mutant in {arguments.out / 'mutation_score.json'}")
    return 1 if figures["stale_equivalents"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
