"""Recompile the report's catalogs: ``python -m grader.report.locale``."""

from grader.report.locale import compile_catalogs

for written in compile_catalogs():
    print(f"wrote {written}")
