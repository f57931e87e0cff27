"""The public checks a student runs on their own `exercises/` (``python selfcheck.py``).

This package is the source of the handout's ``checks/`` folder: `release` copies it there
verbatim and adds ``gradcheck.py`` beside it, a copy of `grader.gradcheck`, so that the
public checks use the grader's own finite differences, tolerances and diagnoses. Its
modules import that copy relatively (``from .gradcheck import ...``), so they run from the
handout, not from here: the tests release a handout and run it in a separate interpreter.
Only `messages` and `numerics`, which need no gradcheck, are also imported by the project.

Nothing here imports anything but the Python standard library, numpy and pytest, and never
the grader, the reference or the answer key. Expected values come from ``expected.json``
beside it, written at release.
"""
