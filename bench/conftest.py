"""pytest configuration of the benchmark's own tests.

`bench/out/` holds what a benchmark run wrote, among it a released handout with its own
test file: that is the students' self-check, not a test of this project.
"""

collect_ignore = ["out"]
