"""The pieces of grader/public on their own: JSON arrays, one gradcheck."""

from __future__ import annotations

import ast

import numpy as np

from grader import gradcheck
from grader.authoring.release import PUBLIC_DIR
from grader.public.numerics import decode, encode


def test_arrays_round_trip_through_json_data() -> None:
    """encode/decode keep dtype, shape and exact float64 values."""
    value = {"W": np.array([[0.1, 1e-300]]), "ints": np.array([[1, 2]]), "n": 3}
    back = decode(encode(value))
    np.testing.assert_array_equal(back["W"], value["W"])
    assert back["ints"].dtype == np.int64 and back["n"] == 3


def test_the_public_checks_take_their_numerics_from_the_shipped_gradcheck() -> None:
    """No module of grader/public redefines what gradcheck provides, or imports it otherwise.

    The handout's checks and the grader then share one criterion: a second copy of the
    tolerances or of the finite differences could drift from the grading.
    """
    provided = {name for name in vars(gradcheck) if not name.startswith("_")}
    assert not (PUBLIC_DIR / "gradcheck.py").exists(), "release copies it; keep none here"
    users = []
    for path in sorted(PUBLIC_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                assert node.name not in provided, f"{path.name} redefines {node.name}"
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                if isinstance(target, ast.Name):
                    assert target.id not in provided, f"{path.name} redefines {target.id}"
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("gradcheck"):
                assert node.level == 1, f"{path.name} must import gradcheck as .gradcheck"
                users.append(path.name)
    assert "checking.py" in users
