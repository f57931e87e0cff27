"""The public checks a student runs on their own `exercises/` (``python selfcheck.py``).

This package ships verbatim in the handout (as ``checks/``): it imports nothing but the
Python standard library, numpy and pytest, and never the grader, the reference or the
answer key. Expected values come from ``expected.json`` beside it, written at release.
"""
