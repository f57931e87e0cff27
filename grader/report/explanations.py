"""Plain-words explanations of outcomes, evidence kinds, load problems and module states.

Message ids (English) marked with `N_`; the views translate them with the page's gettext.
"""

from __future__ import annotations

from grader.catalog import known_mistakes
from grader.i18n import N_

# One line per kind of mistake, for the class summary (a student's page shows the sentence
# written for their own case): the generic diagnoses of grader.gradcheck, then the mistakes
# the exercises' specs know.
DIAGNOSIS_LABELS: dict[str, str] = {
    "factor_m_missing": N_("the 1/m factor is missing (m times too large)"),
    "factor_m_twice": N_("divided by m once too often (m times too small)"),
    "sign": N_("the sign is wrong"),
    "transpose": N_("a transposed matrix"),
    "missing_dA": N_("the upstream gradient dA is not multiplied in"),
    "wrong_axis": N_("summed or normalised over the wrong axis"),
    "missing_keepdims": N_("a sum without keepdims: shape (n,) instead of (n, 1)"),
    **{code: mistake.label for code, mistake in known_mistakes().items() if mistake.label},
}

OUTCOME_LABELS: dict[str, str] = {
    "passed": N_("Passed"),
    "failed": N_("Failed"),
    "error": N_("Error"),
    "timeout": N_("Timed out"),
    "crashed": N_("Crashed"),
    "skipped": N_("Not run"),
}

# What happened, for outcomes whose message alone may not say what to do next.
OUTCOME_EXPLANATIONS: dict[str, str] = {
    "error": N_(
        "Your code raised an exception. Its type and message are below; the last lines of the "
        "traceback show the line of your file where it happened."
    ),
    "timeout": N_(
        "Your code did not finish within %(seconds)s s: look for an infinite loop, or for a "
        "Python loop over every entry where one numpy operation would do."
    ),
    "crashed": N_(
        "The process running your code stopped during this test: it may have used too much "
        "memory, recursed without end or called exit(). The next tests ran in a fresh process."
    ),
    "skipped": N_(
        "Not run: the time allowed for your submission ran out before this test, or a "
        "function it needs could not be loaded."
    ),
}

EVIDENCE_LABELS: dict[str, str] = {
    "value_mismatch": N_("Values differ from the expected ones"),
    "gradient_mismatch": N_("Gradient differs from the expected one"),
    "shape_mismatch": N_("Wrong shape"),
    "dtype_mismatch": N_("Wrong dtype"),
    "type_mismatch": N_("Wrong type"),
    "not_finite": N_("nan or inf in the result"),
    "mutated_input": N_("An argument was modified"),
    "not_implemented": N_("Not implemented yet"),
    "missing_function": N_("Function missing"),
    "exception": N_("Exception raised"),
    "timeout": N_("Time limit exceeded"),
    "crashed": N_("The process stopped"),
    "hostile_value": N_("Unreadable return value"),
    "property": N_("Property not satisfied"),
    "internal_error": N_("Grader error"),
}

EVIDENCE_EXPLANATIONS: dict[str, str] = {
    "not_implemented": N_(
        "This function still raises NotImplementedError: write its body, then run the self-check."
    ),
    "missing_function": N_(
        "The grader did not find this function in your module: check its name and that it is "
        "defined at the top level of the file."
    ),
    "not_finite": N_(
        "Your result contains nan or inf: an exp or a log overflowed, or a division by zero "
        "happened. The lecture's remedies: subtract the max before exp, clip before log."
    ),
    "mutated_input": N_(
        "Your function wrote into one of its arguments. Copy before modifying "
        "(e.g. dZ = dA.copy()): the caller still needs the original."
    ),
    "hostile_value": N_(
        "Your function returned something that is not a numpy array, a number or a tuple of "
        "them; return plain numpy values."
    ),
}

STATUS_EXPLANATIONS: dict[str, str] = {
    "load_failed": N_(
        "Nothing could be graded: none of your files could be loaded. The problems below "
        "say why, file by file; fix them and submit again."
    ),
    "internal_error": N_(
        "The grader itself failed on your submission. This is not your fault: tell your "
        "instructor, who can grade it again."
    ),
}

PROBLEM_EXPLANATIONS: dict[str, str] = {
    "symlink": N_("Links are not accepted: submit the file itself."),
    "zip_escape": N_("The zip holds a path that leads outside its folder; it was refused."),
    "too_large": N_("The file is larger than the grader accepts."),
    "not_utf8": N_("The file is not UTF-8 text: save it again with the UTF-8 encoding."),
    "syntax_error": N_("Python cannot read this file: fix the syntax error at the line shown."),
    "not_json": N_("This notebook is not valid JSON: export it again from Jupyter."),
    "not_a_notebook": N_("This file is not a Jupyter notebook: export it again from Jupyter."),
    "import_error": N_(
        "Importing the module raised an error: code at the top level of the file failed."
    ),
    "import_timeout": N_(
        "Importing the module took too long: move training, plots and long computations "
        'under `if __name__ == "__main__":`.'
    ),
    "import_crashed": N_("The process stopped while importing the module."),
    "empty": N_("The submission or file is empty."),
    "unreadable": N_("The file could not be read."),
    "duplicate": N_("Two files give the same module; only one was kept."),
    "shadowing": N_(
        "A helper module had the name of a module of Python or numpy; it was left out."
    ),
    "ndarray_subclass": N_(
        "A function returned an ndarray subclass; it was graded as a plain array."
    ),
}

MODULE_STATES: dict[str, str] = {
    "loaded": N_("loaded"),
    "missing": N_("missing"),
    "refused": N_("refused"),
    "syntax_error": N_("syntax error"),
    "import_error": N_("error on import"),
    "import_timeout": N_("import too slow"),
    "import_crashed": N_("crashed on import"),
}

# What happened to the tests of a module that could not be loaded, for the class summary.
MODULE_OUTCOME_LABELS: dict[str, str] = {
    "missing": N_("File missing"),
    "refused": N_("File refused"),
    "syntax_error": N_("Syntax error"),
    "import_error": N_("Error on import"),
    "import_timeout": N_("Import too slow"),
    "import_crashed": N_("Crash on import"),
}

# Problems and module states that mean part of a submission could not be loaded: each makes
# the submission one to look at (its score may not say what the student wrote).
LOAD_PROBLEM_LABELS: dict[str, str] = {
    "refused": N_("refused"),
    "syntax_error": N_("syntax error"),
    "import_error": N_("error on import"),
    "import_timeout": N_("import too slow"),
    "import_crashed": N_("crashed on import"),
    "unreadable": N_("could not be read"),
    "not_utf8": N_("not UTF-8 text"),
    "not_json": N_("not a valid notebook (JSON)"),
    "not_a_notebook": N_("not a Jupyter notebook"),
    "too_large": N_("too large"),
}

STATUS_LABELS: dict[str, str] = {
    "graded": N_("graded"),
    "load_failed": N_("failed to load"),
    "internal_error": N_("grader error"),
    "unreadable": N_("result unreadable"),
    "missing": N_("no result"),
}
