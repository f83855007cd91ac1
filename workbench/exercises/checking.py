"""Checking an answer: its form, its value against the data's, and feedback that
escalates from what is wrong to the idea to the method."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from workbench.answers import read_answer
from workbench.catalog import Catalog
from workbench.errors import DataError, Missing
from workbench.exercises.model import Exercise, Feedback, Feedbacks, _is_number
from workbench.exercises.registry import EXERCISES


def _spec(exercise: str, params: Mapping | None = None) -> Exercise:
    """The exercise, its question and answer bound to the notebook parameters ``params``
    (those it declares; its defaults for the others)."""
    if exercise not in EXERCISES:
        raise ValueError(f"Unknown exercise {exercise!r}; known: {', '.join(EXERCISES)}.")
    spec = EXERCISES[exercise]
    unknown = sorted(set(params or {}) - set(spec.params))
    if unknown:
        raise ValueError(f"{exercise} depends on the parameters {list(spec.params)}, not "
                         f"{unknown}.")
    if not spec.params:
        return spec
    values = {**spec.params, **(params or {})}
    bind = functools.partial
    return replace(spec, question=spec.question.format(**values),
                   expected=bind(spec.expected, **values),
                   diagnose=spec.diagnose and bind(spec.diagnose, **values),
                   explain=spec.explain and bind(spec.explain, **values))


def _posed(spec: Exercise, data, predictions=None) -> tuple[object, str | None]:
    """(the expected answer, None), or (None, why the exercise does not apply)."""
    if spec.needs == "report":
        from workbench.evaluate import ClassificationReport

        kind, how = ClassificationReport, ("an evaluation report "
                                           "(evaluate.classification_report): check(name, "
                                           "answer, report)")
    else:
        kind, how = Catalog, "the catalog: check(name, answer, catalog)"
    if isinstance(data, Missing):  # a result the data could not give (errors.needs)
        return None, f"this exercise cannot be posed here: {data.reason}"
    if spec.needs is not None:
        if not isinstance(data, kind):
            got = "nothing" if data is None else f"a {type(data).__name__}"
            return None, f"this exercise is computed from {how}; it got {got}."
    try:
        expected = (spec.expected(data, predictions=predictions) if spec.uses_predictions
                    else spec.expected(data))
    except DataError as err:  # Lacks included: the data does not have what it needs
        return None, f"this dataset cannot pose this exercise: {err}"
    if expected is None:
        return None, ("this dataset cannot pose this exercise: it lacks what the question is "
                      "about (try demo:surfaces).")
    return expected, None


def _form_problem(answer, expected) -> str | None:
    """The answer's shape when it is not the expected one (a list for a dict, ...)."""
    got = f"not a {type(answer).__name__} ({answer!r})"
    if isinstance(expected, Mapping):
        if not isinstance(answer, Mapping):
            keys = ", ".join(f"{k!r}: ..." for k in list(expected)[:4])
            more = ", ..." if len(expected) > 4 else ""
            return f"answer a dict like {{{keys}{more}}}, {got}"
    elif isinstance(expected, tuple):
        if isinstance(answer, (str, bytes, Mapping)) or not isinstance(answer, (tuple, list)):
            dots = ", ".join(["..."] * len(expected))
            return f"answer a tuple of {len(expected)} like ({dots}), {got}"
        if len(answer) != len(expected):
            return f"answer a tuple of {len(expected)} values, not {len(answer)}"
    elif isinstance(expected, (int, float, np.number)) and not isinstance(expected, bool):
        if not _is_number(answer):
            return f"answer a number, {got}"
    elif isinstance(answer, (Mapping, list, tuple, set)):
        return f"answer one name as text, {got}"
    return None


def _equal(answer, expected, decimals: int | None = None) -> bool:
    if isinstance(expected, tuple):
        return tuple(map(str, answer)) == tuple(map(str, expected))
    if isinstance(expected, (int, float, np.number)):
        gap = abs(float(answer) - float(expected))
        if decimals is not None:
            return gap <= 0.5 * 10.0 ** -decimals + 1e-9
        return gap <= 1e-6 * max(1.0, abs(float(expected)))
    return str(answer) == str(expected)


_WRONG: Counter = Counter()  # wrong answers per exercise since its last right one


def check(exercise: str, answer, catalog=None, *, predictions=None,
          attempt: int | None = None, **params) -> Feedback:
    """Check ``answer`` to ``exercise``; None means not answered yet.

    The answer is read as a person would ("7,500" is 7500, " Crack" the class crack). A
    wrong answer is told what is wrong with it; the second wrong answer adds an idea to
    think with, the third the method (``attempt`` sets which, else the wrong answers so
    far count); the code that computes it shows only on request (:func:`hint`). Nothing
    makes it raise: an answer it cannot read is told so.

    Parameters
    ----------
    exercise : str
        The exercise's name, e.g. "03.exercise_1".
    answer : object
        The student's answer.
    catalog : Catalog or report, optional
        What the exercise is computed from: a Catalog for most, the evaluation report for
        the 05 exercises, nothing for the exercises that carry their own numbers
        (03.exercise_1, 03.worked_example, 06.exercise_2).
    predictions : Predictions, optional
        The model's, for 06.mini_challenge (None: the baseline probe is trained to pose
        it).
    attempt : int, optional
        Which attempt this is (1, 2, 3...).
    **params
        The notebook parameters the answer depends on, as the student set them
        (``seed=seed``).

    Returns
    -------
    Feedback
        Right, not yet, or not answered, and why.

    Examples
    --------
    >>> check("03.exercise_1", {"Car": 2167, "Pedestrian": 2166, "Bicycle": 2166,
    ...                         "Wheelchair": 1501}, attempt=1)
    [03.exercise_1: not yet] Wheelchair is over the 5x cap (1,501 > 1,500).
    """
    spec = _spec(exercise, params)
    try:
        return _check(exercise, spec, answer, catalog, predictions, attempt)
    except Exception as err:  # whatever the answer holds, the notebook carries on
        return Feedback(exercise, False, f"this answer could not be read "
                                         f"({type(err).__name__}: {err})."
                        + (f" Answer {spec.form}." if spec.form else ""))


def _check(exercise, spec, answer, catalog, predictions, attempt) -> Feedback:
    expected, reason = _posed(spec, catalog, predictions)
    if reason is not None:
        return Feedback(exercise, None, reason)
    if answer is None:
        return Feedback(exercise, None, spec.question + (f" Answer {spec.form}."
                                                         if spec.form else ""))
    answer = read_answer(answer, expected, _names(catalog))
    if (form := _form_problem(answer, expected)) is not None:
        return Feedback(exercise, False, f"{form}.")
    if spec.problems is not None:
        problems = spec.problems(answer, expected, catalog)
    elif _equal(answer, expected, spec.decimals):
        problems = []
    else:
        diagnosis = spec.diagnose(answer, expected, catalog) if spec.diagnose else None
        problems = [f"{answer!r} is not it: {diagnosis or _direction(answer, expected)}"]
    if not problems:
        _WRONG[exercise] = 0
        shown = int(answer) if isinstance(answer, float) and answer.is_integer() else answer
        message = spec.confirm(answer) if spec.confirm else f"yes: {shown!r}."
        return Feedback(exercise, True, message)
    _WRONG[exercise] += 1
    level = attempt if attempt is not None else _WRONG[exercise]
    ladder = ([f"Think: {spec.concept}"] if level >= 2 and spec.concept else []) + (
        [f"Method: {spec.method}", f"The code, if you want it: exercises.hint({exercise!r})."]
        if level >= 3 and spec.method else [])
    if len(problems) == 1:
        return Feedback(exercise, False, f"{problems[0]}.", tuple(ladder))
    return Feedback(exercise, False, f"{len(problems)} problems:", tuple(problems + ladder))


def _direction(answer, expected) -> str:
    """Which way a number is off, or that a name is not the one asked."""
    if isinstance(expected, (int, float, np.number)):
        return "the answer is " + ("larger" if float(expected) > float(answer) else "smaller")
    return "that is not the one asked for"


def _names(data) -> list[str]:
    """The class names and condition values an answer may name, whatever their case."""
    if not isinstance(data, Catalog):
        return []
    values = [str(v) for c in data.conditions for v in data.samples[c].dropna().unique()]
    return [*map(str, data.classes), *values]


def hint(exercise: str) -> str:
    """The expression that computes ``exercise``'s answer (what the feedback never shows
    by itself).

    Parameters
    ----------
    exercise : str
        The exercise's name.

    Returns
    -------
    str
        Python source.

    Examples
    --------
    >>> hint("03.worked_example")
    'sample.plan_resampling({...}, total=32500, max_oversample=5, min_keep=0.5)'
    """
    return _spec(exercise).code


def reset_attempts() -> None:
    """Forget the wrong answers counted so far: the hints start again from the first."""
    _WRONG.clear()


def check_all(answers: dict, catalog=None, **params) -> Feedbacks:
    """Check several answers at once: ``{exercise: answer}``; each exercise takes the
    ``params`` it depends on.

    Parameters
    ----------
    answers : dict
        Exercise name -> answer.
    catalog : Catalog or report, optional
        As in :func:`check`.
    **params
        Notebook parameters; each exercise takes those it depends on.

    Returns
    -------
    Feedbacks
        One Feedback per answer.
    """
    return Feedbacks(tuple(
        check(name, answer, catalog, **{k: v for k, v in params.items()
                                        if k in _spec(name).params})
        for name, answer in answers.items()))
