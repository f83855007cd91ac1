"""Worked solutions, the questions as Markdown, and the teacher's report of every
solution."""

from __future__ import annotations

from workbench.exercises.checking import _posed, _spec
from workbench.exercises.model import Solution
from workbench.exercises.registry import EXERCISES


def solution(exercise: str, catalog=None, *, predictions=None, **params) -> Solution:
    """The expected answer to ``exercise`` on ``catalog`` (or report), worked out;
    ``predictions`` and ``params`` as in :func:`check`.

    Parameters
    ----------
    exercise : str
        The exercise's name.
    catalog : Catalog or report, optional
        What it is computed from.
    predictions : Predictions, optional
        As in :func:`check`.
    **params
        The notebook parameters it depends on.

    Returns
    -------
    Solution
        The question, the answer (None when the data cannot pose it) and the explanation.

    Examples
    --------
    >>> solution("03.worked_example").answer
    7500
    """
    spec = _spec(exercise, params)
    expected, reason = _posed(spec, catalog, predictions)
    if reason is not None:
        return Solution(exercise, spec.question, None, reason)
    explanation = spec.explain(expected, catalog) if spec.explain else ""
    if spec.decimals is not None:  # the answer as the question asks for it
        expected = round(float(expected), spec.decimals) if spec.decimals else round(expected)
    return Solution(exercise, spec.question, expected, explanation)


def pose(exercise: str, **params):
    """The question of ``exercise`` as Markdown, to show above its answer cell, in the
    notebook parameters it depends on (``params``).

    Parameters
    ----------
    exercise : str
        The exercise's name.
    **params
        The notebook parameters it depends on.

    Returns
    -------
    Markdown
        The question.

    Examples
    --------
    >>> pose("03.worked_example").data[:40]
    '**03.worked_example.** Background 50,000'
    >>> pose("04.copies_at_double_cap", max_oversample=5).data[:76]
    "**04.copies_at_double_cap.** Notebook 04's plan (section 4) is capped at 5x."
    """
    from IPython.display import Markdown

    return Markdown(f"**{exercise}.** {_spec(exercise, params).question}")


def solutions_report(catalog=None, report=None, *, predictions=None, enabled: bool = True,
                     notebook: str | None = None, **params):
    """Every exercise's :func:`solution`, with its worked explanation, as Markdown.

    Each exercise gets what it is computed from (``needs``): ``catalog``, the evaluation
    ``report``, or nothing. An exercise the data cannot pose (or given a
    :class:`~workbench.errors.Missing`) says why.

    Parameters
    ----------
    catalog : Catalog, optional
        For the exercises computed from the data.
    report : ClassificationReport, optional
        For the 05 exercises.
    predictions : Predictions, optional
        As in :func:`check`.
    enabled : bool
        False: one sentence, the solutions are hidden, and how to show them.
    notebook : str, optional
        "01".."06": only that notebook's exercises, followed by the model answers to its
        open questions (:mod:`workbench.open_questions`).
    **params
        The notebook parameters, each exercise taking those it depends on.

    Returns
    -------
    Markdown
        The solutions.

    Examples
    --------
    >>> print(solutions_report(enabled=False).data)
    The solutions are hidden: to show them, run this notebook with `solutions = True` ...
    """
    from IPython.display import Markdown

    from workbench.open_questions import OPEN_QUESTIONS

    if not enabled:
        return Markdown(
            "The solutions are hidden: to show them, run this notebook with `solutions = "
            "True` (in the parameters cell, or when rendering it: `make solutions`, "
            "papermill `-p solutions True`).")
    data = {"catalog": catalog, "report": report, None: None}
    solved = [solution(name, data[spec.needs], predictions=predictions,
                       **{k: v for k, v in params.items() if k in spec.params})
              for name, spec in EXERCISES.items() if name.startswith(notebook or "")]
    unposed = sum(s.answer is None for s in solved)
    others = "the other says" if unposed == 1 else f"the other {unposed} say"
    parts = [f"The answers worked out on this dataset: {len(solved) - unposed} of the "
             f"{len(solved)} exercises are posed here"
             + (f"; {others} why not." if unposed else ".")]
    if notebook is not None:
        parts.extend(s.to_markdown() for s in solved)
        parts.extend(q.to_markdown() for q in OPEN_QUESTIONS if q.notebook == notebook)
        return Markdown("\n\n".join(parts))
    current = None
    for worked in solved:
        if worked.exercise[:2] != current:
            current = worked.exercise[:2]
            parts.append(f"### From notebook {current}")
        parts.append(worked.to_markdown())
    return Markdown("\n\n".join(parts))
