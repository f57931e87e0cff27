"""The public checks a student runs on their own `exercises/` (``python selfcheck.py``).

This package is the source of the handout's ``checks/`` folder: `release` copies it there
verbatim and adds beside it ``gradcheck.py``, a copy of `grader.gradcheck` (so that the
public checks use the grader's own finite differences, tolerances and diagnoses), and
``i18n.py`` with the compiled catalogs in ``locale/``, a copy of `grader.i18n` (so that the
self-check speaks the student's language through the project's own translations). Its
modules import those copies relatively (``from .gradcheck import ...``), so they run from
the handout, not from here: the tests release a handout and run it in a separate
interpreter. Only `numerics`, which needs neither, is also imported by the project; the
``.pyi`` stubs here give the type checker the copies' names.

Two processes: the one the student started (``selfcheck.py``, `supervisor`, `verdicts`:
the standard library only) and a child that runs the student's code and the checks
(`worker`, `checking`, `functions`, `student`, `numerics`: numpy), each call under a
deadline. Nothing here imports anything but the Python standard library, numpy and pytest,
and never the grader, the reference or the answer key. Expected values come from
``expected.json`` beside it, written at release.
"""
