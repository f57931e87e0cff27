"""Benchmarks of nngrade: grading speed, memory, and the comparison with nbgrader.

`python -m bench --help` says what one run measures; bench/README.md how to read it.
"""
