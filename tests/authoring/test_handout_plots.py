"""A failed check carries the data of its plot, and the handout draws it as SVG."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from .conftest import _SITE_DIRS, copy_solutions, isolated_python

CHECK = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, ".")
    from checks.plots import plot_svg
    from checks.supervisor import Supervisor, load_expected
    if __name__ == "__main__":
        with Supervisor(load_expected(), sys.argv[2]) as supervisor:
            supervisor.load_files(".")
            failure = supervisor.check(sys.argv[1]).failure
        print(json.dumps({"plot": failure.plot, "svg": plot_svg(failure.plot, sys.argv[2])}))
    """
)


def plotted(handout: Path, function: str, lang: str = "en") -> dict:
    completed = isolated_python(
        f"import sys\nsys.path.extend({_SITE_DIRS!r})\n{CHECK}", function, lang, cwd=handout
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def replace(handout: Path, module: str, answer: str, mistake: str) -> None:
    path = handout / "exercises" / f"{module}.py"
    source = path.read_text(encoding="utf-8")
    assert answer in source
    path.write_text(source.replace(answer, mistake, 1), encoding="utf-8")


def test_a_wrong_activation_is_drawn_against_its_expected_curve(handout: Path) -> None:
    """tanh 20% too large: the student's curve over the 41 points of [-5, 5] beside the
    expected one, both drawn, with the feedback page's title in French."""
    copy_solutions(handout)
    replace(handout, "activations", "return np.tanh(Z)", "return 1.2 * np.tanh(Z)")
    found = plotted(handout, "tanh", "fr")
    plot = found["plot"]
    assert plot["kind"] == "curve" and plot["function"] == "tanh"
    assert len(plot["z"]) == len(plot["got"]) == len(plot["expected"]) == 41
    assert plot["z"][0] == -5.0 and plot["z"][-1] == 5.0
    for got, expected in zip(plot["got"], plot["expected"], strict=True):
        assert abs(got - 1.2 * expected) < 1e-12
    svg = found["svg"]
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "tanh : la vôtre et celle attendue, pour z dans [-5, 5]" in svg
    assert svg.count("<path") == 3  # the expected curve, the student's, its dots


def test_a_wrong_array_is_drawn_entry_by_entry_against_the_diagonal(handout: Path) -> None:
    """dW without 1/m: each entry of dW against the expected one; the points lie on a line
    m times steeper than the diagonal, which is the right answer."""
    copy_solutions(handout)
    replace(handout, "network", "dW = (dZ @ A_prev.T) / m", "dW = dZ @ A_prev.T")
    found = plotted(handout, "linear_backward")
    plot = found["plot"]
    assert plot["kind"] == "scatter" and plot["what"] == "dW"
    expected = json.loads((handout / "checks" / "expected.json").read_text(encoding="utf-8"))
    m = expected["cases"]["linear_backward"][0]["args"]["A_prev"]["shape"][1]
    assert plot["got"] and len(plot["got"]) == len(plot["expected"])
    for got, wanted in zip(plot["got"], plot["expected"], strict=True):
        assert abs(got - m * wanted) < 1e-9
    assert "dW: each entry, yours against the expected value" in found["svg"]
    assert "the right answer" in found["svg"]


def test_a_wrong_shape_has_no_plot(handout: Path) -> None:
    """db without keepdims: there is no entry-by-entry comparison to draw."""
    copy_solutions(handout)
    replace(
        handout,
        "network",
        "db = np.sum(dZ, axis=1, keepdims=True) / m",
        "db = np.sum(dZ, axis=1) / m",
    )
    found = plotted(handout, "linear_backward")
    assert found["plot"] is None and found["svg"] is None
