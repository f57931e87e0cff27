"""A synthetic class: N submissions made from `solutions/` and the planted edits of `mutations`.

The class is a pure function of (N, seed, answer key): the same arguments give the same
files, byte for byte. Each submission is a folder ``<out>/s###/`` holding the four modules
(or a single ``s###.ipynb`` for the notebook share), exactly as a student hands in the
handout's ``exercises/`` folder.

Run ``python -m bench.synthetic --n 200 --out bench/out/class`` to build one on its own.
"""

from __future__ import annotations

import ast
import json
import random
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import click

from bench.mutations import CATEGORIES, IMPORT_STYLES, MUTATIONS, Category, Edit, Mutation
from bench.tools import ROOT

MODULES: tuple[str, ...] = ("activations", "losses", "network", "model")

CLASS_MIX: dict[Category, float] = {
    "variant": 0.55,
    "bug": 0.35,
    "partial": 0.05,
    "timeout": 0.02,
    "broken": 0.03,
}
"""The share of each category in a class; the counts are rounded by largest remainder."""

NOTEBOOK_SHARE = 0.10
"""The share of correct and buggy submissions handed in as one notebook instead of a folder."""

# Imports between a submission's own modules: a notebook holds every function in one
# namespace, so they are dropped when the modules become notebook cells.
_OWN_PACKAGES = frozenset({"exercises", "solutions", *MODULES})

Form = Literal["folder", "notebook"]


class MutationMismatch(Exception):
    """An edit no longer matches the answer key: `solutions/` changed under it."""


@dataclass(frozen=True)
class SyntheticSubmission:
    """One student of the synthetic class.

    Attributes:
        student: the id, also the folder (or notebook) name: ``s001``.
        category: what kind of submission it is (see `bench.mutations`).
        mutations: the names of the mutations applied.
        import_style: ``relative``, ``package`` or ``flat``.
        form: ``folder`` (the four modules) or ``notebook`` (one ``.ipynb``).
        sources: module name -> the text the student wrote, for the modules handed in.
    """

    student: str
    category: Category
    mutations: tuple[str, ...]
    import_style: str
    form: Form
    sources: Mapping[str, str]

    def manifest_entry(self) -> dict[str, Any]:
        """What the class manifest records about this submission."""
        return {
            "student": self.student,
            "category": self.category,
            "mutations": list(self.mutations),
            "import_style": self.import_style,
            "form": self.form,
            "modules": sorted(self.sources),
        }


def read_modules(folder: Path) -> dict[str, str]:
    """The four contract modules of `folder` (``solutions/`` or ``exercises/``), as text."""
    missing = [name for name in MODULES if not (folder / f"{name}.py").is_file()]
    if missing:
        names = ", ".join(f"{name}.py" for name in missing)
        raise FileNotFoundError(f"{folder} lacks {names}; the synthetic class is built from it.")
    return {name: (folder / f"{name}.py").read_text(encoding="utf-8") for name in MODULES}


def apply_edits(sources: Mapping[str, str], edits: Sequence[Edit], label: str) -> dict[str, str]:
    """`sources` with every edit applied; `MutationMismatch` if one does not match exactly."""
    result = dict(sources)
    for edit in edits:
        text = result.get(edit.module)
        if text is None:
            raise MutationMismatch(f"{label}: the edit targets {edit.module}.py, which is absent.")
        found = text.count(edit.old)
        if found != edit.count:
            raise MutationMismatch(
                f"{label}: expected {edit.count} occurrence(s) of {edit.old!r} in "
                f"{edit.module}.py, found {found}; update bench/mutations.py to follow "
                "the answer key."
            )
        result[edit.module] = text.replace(edit.old, edit.new)
    return result


def mutate(
    key: Mapping[str, str], stubs: Mapping[str, str], mutation: Mutation, import_style: str
) -> dict[str, str]:
    """The modules a student hands in: the answer key with `mutation` and `import_style`."""
    sources = {name: (stubs[name] if name in mutation.stubs else key[name]) for name in MODULES}
    sources = apply_edits(sources, mutation.edits, mutation.name)
    sources = apply_edits(sources, IMPORT_STYLES[import_style], f"import style {import_style}")
    for name in mutation.drop:
        del sources[name]
    return sources


def check_mutations(key: Mapping[str, str], stubs: Mapping[str, str]) -> None:
    """Apply every mutation in every import style once: fail now rather than mid-class."""
    for mutations in MUTATIONS.values():
        for mutation in mutations:
            for style in IMPORT_STYLES:
                mutate(key, stubs, mutation, style)


def class_counts(n: int) -> dict[Category, int]:
    """How many submissions of each category a class of `n` holds (largest remainder)."""
    exact = {category: CLASS_MIX[category] * n for category in CATEGORIES}
    counts = {category: int(share) for category, share in exact.items()}
    by_remainder = sorted(CATEGORIES, key=lambda c: (counts[c] - exact[c], CATEGORIES.index(c)))
    for category in by_remainder[: n - sum(counts.values())]:
        counts[category] += 1
    return counts


def plan_class(n: int, seed: int = 0, root: Path = ROOT) -> list[SyntheticSubmission]:
    """The `n` submissions of the class for `seed`, in student-id order."""
    if n < 1:
        raise ValueError(f"A class needs at least one submission, not {n}.")
    key = read_modules(root / "solutions")
    stubs = read_modules(root / "exercises")
    check_mutations(key, stubs)
    rng = random.Random(seed)
    # Within a category the mutations take turns, so that every kind shows up in a class
    # as soon as the category has enough students; the order of students is then shuffled.
    kinds: list[tuple[Category, Mutation, int]] = []
    for category, count in class_counts(n).items():
        choices = MUTATIONS[category]
        kinds += [(category, choices[k % len(choices)], k) for k in range(count)]
    rng.shuffle(kinds)
    width = max(3, len(str(n)))
    submissions = []
    for index, (category, mutation, turn) in enumerate(kinds, start=1):
        own = random.Random(f"{seed}:{index}")
        mutations = [mutation]
        if category == "variant" and mutation.name != "as_is":
            # A correct student differs from the key in one to three places.
            others = [m for m in MUTATIONS["variant"] if m.name not in ("as_is", mutation.name)]
            mutations += own.sample(others, own.randint(0, 2))
        style = list(IMPORT_STYLES)[turn % len(IMPORT_STYLES)]
        stubbed = {name for m in mutations for name in m.stubs}
        combined = Mutation(
            name="+".join(m.name for m in mutations),
            category=category,
            description="",
            edits=tuple(edit for m in mutations for edit in m.edits),
            drop=tuple(name for m in mutations for name in m.drop),
            stubs=tuple(sorted(stubbed)),
        )
        sources = mutate(key, stubs, combined, style)
        notebook = category in ("variant", "bug") and own.random() < NOTEBOOK_SHARE
        submissions.append(
            SyntheticSubmission(
                student=f"s{index:0{width}d}",
                category=category,
                mutations=tuple(m.name for m in mutations),
                import_style=style,
                form="notebook" if notebook else "folder",
                sources=sources,
            )
        )
    return submissions


def notebook_json(sources: Mapping[str, str]) -> str:
    """One notebook holding the modules as code cells, without imports between them."""
    cells = [_cell("markdown", "# Neural networks in numpy: my work")]
    for name in MODULES:
        if name in sources:
            cells.append(_cell("markdown", f"## {name}"))
            cells.append(_cell("code", _without_own_imports(sources[name])))
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    for number, cell in enumerate(cells):
        cell["id"] = f"cell-{number}"
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def _cell(kind: str, text: str) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": kind, "metadata": {}, "source": text}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _without_own_imports(text: str) -> str:
    lines = text.splitlines()
    dropped: set[int] = set()
    for node in ast.parse(text).body:
        own = (
            isinstance(node, ast.ImportFrom)
            and (node.level > 0 or (node.module or "").split(".")[0] in _OWN_PACKAGES)
        ) or (
            isinstance(node, ast.Import)
            and any(alias.name.split(".")[0] in _OWN_PACKAGES for alias in node.names)
        )
        if own:
            dropped.update(range(node.lineno - 1, (node.end_lineno or node.lineno)))
    return "\n".join(line for number, line in enumerate(lines) if number not in dropped) + "\n"


def write_class(
    submissions: Sequence[SyntheticSubmission], out: Path, root: Path = ROOT
) -> list[Path]:
    """Write the class into `out` (emptied first); the paths of the submissions."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    package_init = (root / "exercises" / "__init__.py").read_text(encoding="utf-8")
    written = []
    for submission in submissions:
        if submission.form == "notebook":
            path = out / f"{submission.student}.ipynb"
            path.write_text(notebook_json(submission.sources), encoding="utf-8")
        else:
            path = out / submission.student
            path.mkdir()
            (path / "__init__.py").write_text(package_init, encoding="utf-8")
            for name, text in submission.sources.items():
                (path / f"{name}.py").write_text(text, encoding="utf-8")
        written.append(path)
    return written


def manifest(submissions: Sequence[SyntheticSubmission], seed: int) -> dict[str, Any]:
    """The class's description: its mix and, per student, what was planted."""
    counts: dict[str, int] = {category: 0 for category in CATEGORIES}
    for submission in submissions:
        counts[submission.category] += 1
    return {
        "seed": seed,
        "n": len(submissions),
        "categories": counts,
        "notebooks": sum(s.form == "notebook" for s in submissions),
        "students": [s.manifest_entry() for s in submissions],
    }


def build_class(n: int, out: Path, *, seed: int = 0) -> list[SyntheticSubmission]:
    """Plan and write a class of `n` into `out`; ``<out>.manifest.json`` describes it."""
    submissions = plan_class(n, seed)
    write_class(submissions, out)
    described = json.dumps(manifest(submissions, seed), indent=1) + "\n"
    out.with_name(f"{out.name}.manifest.json").write_text(described, encoding="utf-8")
    return submissions


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--n", default=200, show_default=True, help="Number of submissions.")
@click.option("--seed", default=0, show_default=True, help="Seed of the class.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=ROOT / "bench" / "out" / "class",
    show_default=True,
    help="Folder to write (emptied first); the manifest goes beside it.",
)
def main(n: int, seed: int, out: Path) -> None:
    """Build a synthetic class from solutions/ and planted mutations.

    Correct variants, common bugs, partial submissions, timeouts and broken imports, in
    the proportions of bench/README.md; the same seed gives the same files.
    """
    if n < 1:
        raise click.BadParameter(f"A class needs at least one submission, not {n}.")
    submissions = build_class(n, out, seed=seed)
    counts = manifest(submissions, seed)["categories"]
    mix = ", ".join(f"{count} {category}" for category, count in counts.items())
    click.echo(f"Wrote {len(submissions)} submissions into {out} ({mix}).")


if __name__ == "__main__":
    main(prog_name="python -m bench.synthetic")
