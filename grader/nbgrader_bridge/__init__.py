"""nbgrader, both ways: export the assignment as an nbgrader course; grade its submissions.

Modules: `export` (the course source notebook), `grading` (sandboxed grading of
`submitted/`), `feedback` (nbgrader's feedback layout), `gradebook` (scores through
`nbgrader.api.Gradebook`), `requirement` (the optional extra). Nothing is imported here,
so that the `nngrade` command starts without loading nbformat or nbgrader.
"""
