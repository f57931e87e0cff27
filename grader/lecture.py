"""The sections of the lecture (docs/lecture.md) that the feedback sends a student back to.

Each is a message id: the pages translate it. Specs point at them (`grader.spec.Pointer`),
and so does the report for the mistakes every exercise can make (a missing 1/m, a sign).
"""

from __future__ import annotations

from grader.i18n import N_

VANISHING = N_("Vanishing gradients")
EXPLODING = N_("Exploding gradients")
DEAD_NEURONS = N_("Dead neurons")
SATURATION = N_("Saturated neurons")
SOFTMAX_STABILITY = N_("Softmax stability")
FORWARD = N_("Forward propagation")
COST = N_("Cost")
BACKWARD = N_("Backward propagation")
DESCENT = N_("Gradient descent")
