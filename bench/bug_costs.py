"""`python -m bench.bug_costs`: does a bug cost once?

A student loses points only for what is wrong, once: a bug in one function must fail tests
that blame that function alone, and two bugs together must fail no test that neither fails
alone. This grades, with the real grader (sandbox, hidden suites, substitution):

- every mutant of `bench.mutation_score` that the hidden suites kill, and lists the failed
  tests whose evidence blames another function than the mutated one (as any student);
- pairs of those mutants drawn at random (seeded), both in one submission: pairs of two
  modules, and pairs of two functions of one module whose changes touch different lines
  (merged line by line), and lists each pair's failed tests that neither mutant fails alone;
- every mutant again as other students (`--students`; each student's inputs are drawn from
  their id), and lists the mutants whose score is not the same for all: a bug that costs
  one student more than another.

Writes ``bug_costs.json`` (every finding) and prints a summary. The exit status is 0 either
way (a finding is a question for the hidden suites, not a failure of the run), unless
``--strict``: then 1 when there is a finding. The test suite runs `audit` with 10 pairs of
each kind and 2 students (about a minute), and fails on any finding.

    python -m bench.bug_costs                  every mutant, 100 pairs of each kind, 4 students
    python -m bench.bug_costs --pairs 300 --seed 1 --students 8
    python -m bench.bug_costs --pairs 10 --students 2 --strict
"""

from __future__ import annotations

import argparse
import difflib
import json
import random
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.mutation_score import SOLUTIONS, Mutant, all_mutants
from bench.synthetic import read_modules
from bench.tools import ROOT

Texts = Mapping[str, str]
"""Module name -> source: the modules of a submission that differ from the answer key."""


@dataclass(frozen=True)
class Graded:
    """What one graded submission shows: each failed test's id and the function it blames,
    and its score."""

    failed: dict[str, str | None]
    score: float


def failed_tests(document: Mapping[str, Any]) -> dict[str, str | None]:
    """Failed test id -> the function its evidence blames (None when it names none)."""
    failed: dict[str, str | None] = {}
    for exercise in document.get("exercises", []):
        for test in exercise["tests"]:
            if test["outcome"] != "passed":
                blamed = (test.get("evidence") or {}).get("function")
                failed[str(test["id"])] = blamed if isinstance(blamed, str) else None
    return failed


def blamed_elsewhere(function: str, graded: Graded) -> list[str]:
    """The failed tests of a one-mutant submission that blame another function than the
    mutated `function` (a test that blames none is the mutant's too)."""
    return sorted(test for test, blamed in graded.failed.items() if blamed not in (None, function))


def beyond(together: Graded, alone: Sequence[Graded]) -> list[str]:
    """The tests a submission with several bugs fails that no bug fails `alone`."""
    known = set().union(*(set(graded.failed) for graded in alone))
    return sorted(set(together.failed) - known)


def _changes(base: list[str], changed: list[str]) -> list[tuple[int, int, list[str]]]:
    """``(start, end, new lines)`` for each run of `base` lines that `changed` replaces."""
    matcher = difflib.SequenceMatcher(a=base, b=changed, autojunk=False)
    return [
        (start, end, changed[low:high])
        for tag, start, end, low, high in matcher.get_opcodes()
        if tag != "equal"
    ]


def merged(base: str, first: str, second: str) -> str | None:
    """`base` with the line changes of both `first` and `second` (each a changed copy of
    it), or None when their changes touch or overlap: a three-way merge by lines."""
    lines = base.splitlines(keepends=True)
    ours = _changes(lines, first.splitlines(keepends=True))
    theirs = _changes(lines, second.splitlines(keepends=True))
    for start, end, _ in ours:
        for other_start, other_end, _ in theirs:
            if start <= other_end and other_start <= end:
                return None
    result: list[str] = []
    position = 0
    for start, end, replacement in sorted(ours + theirs, key=lambda change: change[:2]):
        result += lines[position:start] + replacement
        position = end
    return "".join(result + lines[position:])


def drawn_pairs(
    mutants: Sequence[tuple[Mutant, str]], key: Texts, count: int, rng: random.Random
) -> Iterator[tuple[Mutant, Mutant, dict[str, str]]]:
    """`count` pairs of two modules, then `count` pairs of two functions of one module with
    mergeable changes: ``(first, second, the submission's changed modules)``."""
    across = within = 0
    for _ in range(200 * count):
        if across >= count and within >= count:
            return
        (first, first_text), (second, second_text) = rng.sample(list(mutants), 2)
        if first.module != second.module and across < count:
            across += 1
            yield first, second, {first.module: first_text, second.module: second_text}
        elif first.module == second.module and first.function != second.function:
            if within >= count:
                continue
            text = merged(key[first.module], first_text, second_text)
            if text is not None:
                within += 1
                yield first, second, {first.module: text}


def audit(pairs: int, seed: int, students: int) -> dict[str, Any]:
    """Grade every mutant, `pairs` pairs of each kind (drawn with `seed`) and every killed
    mutant as `students` students; the findings, as ``bug_costs.json`` holds them:
    ``killed`` (how many mutants), ``blamed_elsewhere`` (mutant -> tests),
    ``pairs`` (how many), ``beyond`` (the pairs with extra failed tests), ``uneven`` (mutant
    -> each student's score) and ``seconds``."""
    from grader.engine import grade_submission, with_hidden_suites
    from grader.engine.runner import SuiteRunner
    from grader.sandbox import Sandbox, SandboxLimits

    key = read_modules(SOLUTIONS)
    clock = time.perf_counter()
    findings: dict[str, Any] = {"blamed_elsewhere": {}, "pairs": 0, "beyond": [], "uneven": {}}

    def run(runner: SuiteRunner) -> None:
        with (
            tempfile.TemporaryDirectory(prefix="nngrade-bug-costs-") as scratch,
            Sandbox(SandboxLimits(wall_seconds_per_call=2.0)) as sandbox,
        ):

            def grade(texts: Texts, student: str = "student") -> Graded:
                folder = Path(scratch) / student  # the student id: the seed of its inputs
                folder.mkdir(exist_ok=True)
                for module, text in key.items():
                    (folder / f"{module}.py").write_text(texts.get(module, text), "utf-8")
                document = grade_submission(folder, sandbox=sandbox, runner=runner)
                return Graded(failed_tests(document), float(document["score"]))

            alone: dict[str, Graded] = {}
            for mutant, text in all_mutants(key):
                graded = grade({mutant.module: text})
                if graded.failed:  # killed: survivors are the mutation score's business
                    alone[mutant.key] = graded
                    elsewhere = blamed_elsewhere(mutant.function, graded)
                    if elsewhere:
                        findings["blamed_elsewhere"][mutant.key] = elsewhere
            killed = [(m, t) for m, t in all_mutants(key) if m.key in alone]
            findings["killed"] = len(killed)
            rng = random.Random(seed)
            for first, second, texts in drawn_pairs(killed, key, pairs, rng):
                findings["pairs"] += 1
                extra = beyond(grade(texts), [alone[first.key], alone[second.key]])
                if extra:
                    findings["beyond"].append({"mutants": [first.key, second.key], "tests": extra})
            for mutant, text in killed:
                scores = [alone[mutant.key].score]
                blamed_by_any = set(findings["blamed_elsewhere"].get(mutant.key, []))
                for other in range(1, students):
                    graded = grade({mutant.module: text}, f"student{other}")
                    scores.append(graded.score)
                    blamed_by_any.update(blamed_elsewhere(mutant.function, graded))
                if blamed_by_any:
                    findings["blamed_elsewhere"][mutant.key] = sorted(blamed_by_any)
                if len(set(scores)) > 1:
                    findings["uneven"][mutant.key] = scores

    with_hidden_suites(run)
    findings["seconds"] = round(time.perf_counter() - clock, 1)
    return findings


def has_findings(findings: Mapping[str, Any]) -> bool:
    """Whether a bug cost more than once somewhere in `audit`'s findings."""
    return bool(findings["blamed_elsewhere"] or findings["beyond"] or findings["uneven"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bug_costs",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--pairs", type=int, default=100, help="pairs of each kind")
    parser.add_argument("--seed", type=int, default=0, help="seed of the pairs drawn")
    parser.add_argument(
        "--students", type=int, default=4, help="students each mutant is graded as (>= 1)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when there is a finding"
    )
    arguments = parser.parse_args(argv)
    findings = audit(arguments.pairs, arguments.seed, arguments.students)
    arguments.out.mkdir(parents=True, exist_ok=True)
    path = arguments.out / "bug_costs.json"
    path.write_text(json.dumps(findings, indent=1) + "\n", encoding="utf-8")
    print(
        f"{findings['killed']} killed mutants: {len(findings['blamed_elsewhere'])} fail a test "
        f"that blames another function; {findings['pairs']} pairs: {len(findings['beyond'])} "
        f"fail a test that neither fails alone; {len(findings['uneven'])} score differently "
        f"for {arguments.students} students ({findings['seconds']:g} s)"
    )
    for mutant_key, tests in findings["blamed_elsewhere"].items():
        print(f"  {mutant_key}: {', '.join(tests)}")
    for pair in findings["beyond"]:
        print(f"  {' + '.join(pair['mutants'])}: {', '.join(pair['tests'])}")
    for mutant_key, scores in findings["uneven"].items():
        print(f"  {mutant_key}: {', '.join(f'{score:g}' for score in scores)}")
    print(f"Every finding in {path}")
    return 1 if arguments.strict and has_findings(findings) else 0


if __name__ == "__main__":
    raise SystemExit(main())
