"""One spec per exercise: ``<id>.py`` defines ``EXERCISE`` (see `grader.spec`).

`grader.catalog` collects every module here whose name does not start with an underscore;
the underscored ones hold what several specs share (the activation family, case inputs).
Adding an exercise: its spec here, its code in ``solutions/`` and ``reference/``, its hidden
tests in ``grader/hidden/``; then ``python -m grader.authoring.generate`` (the stubs) and
``python -m grader.locale`` (the new sentences, to translate).
"""
