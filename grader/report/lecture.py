"""What to read again in the lecture, for a diagnosis code or a student function.

The pointers of an exercise, of its functions and of the mistakes it knows are in its spec
(`grader.catalog`); this module adds those of the mistakes any function can make (the
generic diagnoses of `grader.gradcheck`: a missing 1/m, a sign, a transpose...). Sections
and ideas are message ids; the page translates them. A diagnosis says what kind of mistake
it looks like, so its pointer comes before the function's, which is only about the topic.
"""

from __future__ import annotations

from collections.abc import Iterable

from grader import lecture as section
from grader.catalog import all_functions, exercise_of, function_spec, known_mistakes
from grader.i18n import N_
from grader.spec import Pointer

# generic diagnosis code (grader.gradcheck) -> what to read again
GENERIC: dict[str, Pointer] = {
    "factor_m_missing": Pointer(
        section.BACKWARD,
        N_(
            "Averaged over the m examples, dW[l] = (1/m) dZ[l]·A[l-1]^T and "
            "db[l] = (1/m) Σ dZ[l]: without the 1/m the gradient grows with the batch size."
        ),
    ),
    "factor_m_twice": Pointer(
        section.BACKWARD,
        N_(
            "The 1/m is applied once, in linear_backward; the derivative of the cost with "
            "respect to A[L] is per example."
        ),
    ),
    "sign": Pointer(
        section.DESCENT,
        N_(
            "The gradient points uphill: descent subtracts η dW. A flipped sign makes the "
            "cost grow instead of shrink."
        ),
    ),
    "transpose": Pointer(
        section.BACKWARD,
        N_(
            "Check the shapes: W[l] is (n_l, n_{l-1}), so dA[l-1] = W[l]^T·dZ[l] and "
            "dW[l] = dZ[l]·A[l-1]^T."
        ),
    ),
    "missing_dA": Pointer(
        section.BACKWARD,
        N_(
            "Chain rule: dZ = dA * σ'(Z). The derivative of the activation alone is not "
            "the gradient; multiply it by the gradient coming from the layer above."
        ),
    ),
    "wrong_axis": Pointer(
        section.FORWARD,
        N_(
            "One example per column: sums over the examples run over axis 1, sums over the "
            "classes (softmax) over axis 0."
        ),
    ),
    "missing_keepdims": Pointer(
        section.BACKWARD,
        N_(
            "db[l] has the shape of b[l], (n_l, 1): sum over the columns with "
            "keepdims=True so that it broadcasts over the m examples."
        ),
    ),
}


def pointer_for_diagnosis(code: str) -> Pointer | None:
    """The lecture pointer of a diagnosis code (an exercise's own, else the generic one)."""
    mistake = known_mistakes().get(code)
    if mistake is not None and mistake.lecture is not None:
        return mistake.lecture
    return GENERIC.get(code)


def pointer_for_function(function: str) -> Pointer | None:
    """The lecture pointer of a student function (its own, else its exercise's), or None
    for a name that is not a function of the contract."""
    if function not in all_functions():
        return None
    return function_spec(function).lecture or exercise_of(function).lecture


def pointers(diagnosis_codes: Iterable[str], functions: Iterable[str]) -> list[tuple[str, str]]:
    """Lecture pointers for a set of mistakes: diagnoses first, then functions, no repeats."""
    found: list[tuple[str, str]] = []
    for pointer in [
        *(pointer_for_diagnosis(code) for code in diagnosis_codes),
        *(pointer_for_function(function) for function in functions),
    ]:
        if pointer is not None and (pointer.section, pointer.idea) not in found:
            found.append((pointer.section, pointer.idea))
    return found
