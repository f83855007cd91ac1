"""Coding exercises: the student writes the function, the checker compares it with the
package's own on fresh random inputs (:mod:`workbench.coding.checker`).

::

    from workbench import coding
    coding.stub("gini")             # the function to write: paste it in a cell and fill it in
    coding.check("gini", gini)      # right, or the input where it differs and why
    coding.solution("gini")         # the package's way, on request

The seven functions are the ideas the notebooks use: a capped resampling plan (03), the
Gini coefficient of class counts (01), LVIS repeat factors (03), loss weights by the
inverse number of samples (03), macro F1 from a confusion matrix and per-class IoU from a
pixel confusion matrix (05), and the class-balanced quotas of an active-learning pick (06).
"""

from __future__ import annotations

from workbench.coding import checker as cc
from workbench.coding.sampling import BALANCED_QUOTAS, CAPPED_PLAN, INVERSE_WEIGHTS, REPEAT_FACTORS
from workbench.coding.scores import GINI, MACRO_F1, PER_CLASS_IOU

EXERCISES = {e.name: e for e in (CAPPED_PLAN, GINI, REPEAT_FACTORS, INVERSE_WEIGHTS,
                                 MACRO_F1, PER_CLASS_IOU, BALANCED_QUOTAS)}


def _exercise(name: str) -> cc.CodingExercise:
    if name not in EXERCISES:
        raise ValueError(f"Unknown coding exercise {name!r}; known: {', '.join(EXERCISES)}.")
    return EXERCISES[name]


def stub(name: str) -> str:
    """The function to write, as text to paste into a code cell.

    Parameters
    ----------
    name : str
        The exercise.

    Returns
    -------
    str
        Python source.
    """
    return _exercise(name).stub


def check(name: str, func, *, seed=None, attempt: int | None = None):
    """Run ``func`` against the package's ``name`` on fresh inputs; see
    :func:`workbench.coding.checker.run_check`.

    Parameters
    ----------
    name : str
        The exercise.
    func : callable
        The learner's function.
    seed : int, optional
        Seed of the random inputs; None: new ones each time.
    attempt : int, optional
        How much the feedback gives away (1, 2, 3...).

    Returns
    -------
    Feedback
        Whether it agrees, and where it does not.
    """
    return cc.run_check(_exercise(name), func, seed=seed, attempt=attempt)


def solution(name: str) -> str:
    """The package's way of writing ``name`` (plain Python and numpy).

    Parameters
    ----------
    name : str
        The exercise.

    Returns
    -------
    str
        Python source.
    """
    return _exercise(name).solution


def solutions_markdown(*, enabled: bool = True):
    """Every coding exercise's task and the package's way of writing it, as Markdown (for
    the solutions report); with ``enabled=False``, the sentence saying they are hidden.

    Parameters
    ----------
    enabled : bool
        Show the solutions.

    Returns
    -------
    Markdown
        The solutions, or the sentence saying they are hidden.
    """
    from IPython.display import Markdown

    if not enabled:
        return Markdown("The coding solutions are hidden: run this notebook with `solutions "
                        "= True` to show them (`make solutions`).")
    return Markdown("\n\n".join(f"**{e.name}.** {e.task}\n\n```python\n{e.solution}```"
                                 for e in EXERCISES.values()))
