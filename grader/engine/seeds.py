"""Seeds of the hidden inputs: stable per student and per test, different between students.

Both seeds are hashes, not counters, so that they do not depend on the order in which
students or tests are graded, nor on the folder the suite is installed in.
"""

from __future__ import annotations

import hashlib


def _hash_to_int(text: str) -> int:
    # 63 bits: a non-negative seed that stays an exact integer in JSON and in numpy.
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1


def student_seed(student_id: str) -> int:
    """The seed of every hidden input drawn for `student_id`."""
    return _hash_to_int(f"nngrade.student_seed/1\0{student_id}")


def rng_seed(student_seed_value: int, test_id: str) -> int:
    """The seed of one test's `rng`, e.g. for ``test_activations::test_relu_values``."""
    return _hash_to_int(f"nngrade.test_seed/1\0{student_seed_value}\0{test_id}")
