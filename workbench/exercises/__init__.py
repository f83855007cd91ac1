"""Answer checkers and worked solutions for the exercises posed in the notebooks.

Each exercise computes its expected answer from the dataset at hand, so the same
exercise works on the demo data and on a reader's own data::

    check("01.pixels_per_image", "crack", catalog)
    check("03.exercise_1", {"Car": 2167, ...})          # posed with its own numbers
    check("06.exercise_2", playbook)                    # the collection playbook
    solution("03.exercise_1")                           # the answer, worked out
    pose("01.pixels_per_image")                         # the question, as Markdown
    solutions_report(catalog, report)                   # every solution, for a teacher

A wrong answer is told what is wrong with it where that can be said ("Wheelchair is
over the 5x cap (1,501 > 1,500)"), else given the hint; an answer of the wrong shape
(a list for a dict) is told the shape to give; an exercise the data cannot pose says
what the data lacks.
"""

from __future__ import annotations

from workbench.exercises.checking import check, check_all, hint, reset_attempts
from workbench.exercises.ex02_split import FRACTIONS, NAIVE_SEEDS
from workbench.exercises.ex03_sample import LESSON_EXERCISE_1, WORKED_EXAMPLE, allowed_counts
from workbench.exercises.ex05_evaluate import F1_HALFWIDTH
from workbench.exercises.model import Exercise, Feedback, Feedbacks, Solution
from workbench.exercises.registry import EXERCISES
from workbench.exercises.solutions import pose, solution, solutions_report

__all__ = [
    "allowed_counts",
    "check",
    "check_all",
    "Exercise",
    "EXERCISES",
    "F1_HALFWIDTH",
    "Feedback",
    "Feedbacks",
    "FRACTIONS",
    "hint",
    "LESSON_EXERCISE_1",
    "NAIVE_SEEDS",
    "pose",
    "reset_attempts",
    "Solution",
    "solution",
    "solutions_report",
    "WORKED_EXAMPLE",
]
