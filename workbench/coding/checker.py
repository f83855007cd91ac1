"""Checking a function a student wrote against the package's own, on fresh random inputs.

A :class:`CodingExercise` names the function to write, the package's implementation
(``reference``), how to draw inputs, and the typical wrong versions with what each gets
wrong in the problem's terms. :func:`run_check` calls the student's function on boundary
inputs and fresh random ones, finds the first input where it differs, and says how: the
diagnosis of a typical mistake when the function behaves like one on every input, else a
pattern (always the same factor or the same offset away), else the input and both results.

Feedback escalates with the attempts: the first wrong attempt gets what is wrong, the
second adds a conceptual hint, the third the method; the code itself only on request
(:func:`workbench.coding.solution`). Nothing the student passes makes the
checker raise: a function that raises, returns the wrong kind of value or is not a function
is told so.
"""

from __future__ import annotations

import copy
import warnings
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from workbench.exercises import Feedback


@dataclass(frozen=True)
class Mistake:
    """A typical wrong version of the function and what it gets wrong."""

    wrong: Callable
    diagnosis: str


@dataclass(frozen=True)
class CodingExercise:
    """One function to write.

    - ``reference(*args)``: the package's answer for one input.
    - ``draw(rng)``: one random input, an argument tuple.
    - ``boundaries``: fixed inputs that catch edge errors (ties, zeros, one class).
    - ``judge(got, expected, args)``: what is wrong with a result (empty: right); by
      default the numbers must agree to 1e-6.
    - ``mistakes``: typical wrong versions, tried in order for a diagnosis.
    - ``concept``, ``method``: the second and third hints.
    """

    name: str
    task: str
    stub: str
    solution: str
    reference: Callable
    draw: Callable[[np.random.Generator], tuple]
    boundaries: tuple[tuple, ...] = ()
    judge: Callable | None = None
    mistakes: tuple[Mistake, ...] = ()
    concept: str = ""
    method: str = ""
    cases: int = 30
    show: Callable[[tuple], str] | None = None  # how an input reads in the feedback


def arguments(args: tuple) -> str:
    """An input as the call reads: ``([3, 0, 5], 0.5)``.

    Parameters
    ----------
    args : tuple
        The call's arguments.

    Returns
    -------
    str
        Each shortened to 200 characters.
    """
    return "(" + ", ".join(_short(a, 200) for a in args) + ")"


def as_numbers(value) -> np.ndarray | None:
    """A result as a float array (a mapping by its values in order), None if it is not
    numbers.

    Parameters
    ----------
    value : object
        A result.

    Returns
    -------
    numpy.ndarray of float or None
        Flat.
    """
    if isinstance(value, Mapping):
        value = list(value.values())
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return array.reshape(-1)


NUMBERS_DIFFER = "its numbers differ"  # the input and both results say how


def numbers_differ(got, expected, _args=None) -> list[str]:
    """The default judge: the same count of numbers, each within 1e-6 (NaN where NaN).

    Parameters
    ----------
    got : object
        The learner's result.
    expected : object
        The package's.
    _args : tuple, optional
        The input (unused; judges take it).

    Returns
    -------
    list of str
        What differs; empty when they agree.
    """
    want = as_numbers(expected)
    have = as_numbers(got)
    if have is None:
        return [f"it returned {type(got).__name__} {_short(got)}, not numbers"]
    if isinstance(expected, Mapping):
        if not isinstance(got, Mapping):
            return [f"it returned a {type(got).__name__}; return a dict by class, like "
                    f"{_short(expected)}"]
        if [str(k) for k in got] != [str(k) for k in expected]:
            return [f"it returned the classes {list(got)}, not {list(expected)} (same order)"]
    if have.shape != want.shape:
        return [f"it returned {have.size} numbers, not {want.size}"]
    if not np.allclose(have, want, rtol=1e-6, atol=1e-9, equal_nan=True):
        return [NUMBERS_DIFFER]
    return []


def _short(value, limit: int = 70) -> str:
    text = repr(_plain(value))
    return text if len(text) <= limit else text[: limit - 4] + " ..."


def _plain(value):
    """numpy scalars and arrays as Python numbers and lists, rounded for reading."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, (float, np.floating)):
        return round(float(value), 4)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _call(func, args):
    """(result, None), or (None, the exception) when ``func`` raised. The input is
    copied first: a function that changes it cannot spoil the reference's run."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return func(*copy.deepcopy(args)), None
    except Exception as err:  # the student's code: whatever it raises is feedback
        return None, err


def _judge(exercise: CodingExercise, got, expected, args) -> list[str]:
    judge = exercise.judge or numbers_differ
    try:
        return judge(got, expected, args)
    except Exception as err:  # a result so malformed that judging it failed
        return [f"its result {_short(got)} could not be read ({type(err).__name__}: {err})"]


def _inputs(exercise: CodingExercise, seed) -> list[tuple]:
    rng = np.random.default_rng(seed)
    return list(exercise.boundaries) + [exercise.draw(rng) for _ in range(exercise.cases)]


def first_difference(exercise: CodingExercise, func, inputs) -> tuple | None:
    """(args, got, expected, problems) on the first input where ``func`` is wrong, else
    None; ``got`` is the exception when it raised.

    Parameters
    ----------
    exercise : CodingExercise
        The exercise.
    func : callable
        The learner's function.
    inputs : sequence of tuple
        The inputs to try.

    Returns
    -------
    tuple or None
        (args, got, expected, problems).
    """
    for args in inputs:
        expected, _ = _call(exercise.reference, args)
        got, err = _call(func, args)
        if err is not None:
            return args, err, expected, []
        problems = _judge(exercise, got, expected, args)
        if problems:
            return args, got, expected, problems
    return None


def behaves_like(exercise: CodingExercise, func, wrong, inputs) -> bool:
    """Whether ``func`` returns what ``wrong`` returns on every input (asked only of a
    ``func`` already found to differ from the reference).

    Parameters
    ----------
    exercise : CodingExercise
        The exercise.
    func : callable
        The learner's function.
    wrong : callable
        A known mistake.
    inputs : sequence of tuple
        The inputs to try.

    Returns
    -------
    bool
        True when every result matches.
    """
    for args in inputs:
        got, err = _call(func, args)
        theirs, err_wrong = _call(wrong, args)
        if err is not None or err_wrong is not None:
            return False
        if numbers_differ(got, theirs, args):
            return False
    return True


def pattern(exercise: CodingExercise, func, inputs) -> str | None:
    """'always 2x the right value' or 'always 0.25 above it', when that holds on every
    input with a non-zero difference; else None.

    Parameters
    ----------
    exercise : CodingExercise
        The exercise.
    func : callable
        The learner's function.
    inputs : sequence of tuple
        The inputs to try.

    Returns
    -------
    str or None
        The pattern in words.
    """
    ratios, offsets = [], []
    for args in inputs:
        got, err = _call(func, args)
        expected, _ = _call(exercise.reference, args)
        have, want = as_numbers(got), as_numbers(expected)
        if err is not None or have is None or want is None or have.shape != want.shape:
            return None
        ok = np.isfinite(want) & np.isfinite(have)
        ratios.extend(have[ok & (want != 0)] / want[ok & (want != 0)])
        offsets.extend(have[ok] - want[ok])
    if ratios and np.ptp(ratios) < 1e-6 and abs(ratios[0] - 1) > 1e-6:
        return (f"yours is always {ratios[0]:.4g} times the right value: the formula is "
                "right up to a constant factor; look at what you divide by (or forget to)")
    if offsets and np.ptp(offsets) < 1e-6 and abs(offsets[0]) > 1e-6:
        side = "above" if offsets[0] > 0 else "below"
        return (f"yours is always {abs(offsets[0]):.4g} {side} the right value: an "
                "off-by-one or a constant term too many")
    return None


_ATTEMPTS: Counter = Counter()


def run_check(exercise: CodingExercise, func, *, seed=None, attempt: int | None = None
              ) -> Feedback:
    """Check ``func`` on ``exercise``'s boundary inputs and fresh random ones (``seed``:
    None draws new ones each time). ``attempt`` (1, 2, 3...) sets how much the feedback
    gives away; by default, the number of wrong attempts at this exercise so far, plus 1.

    Parameters
    ----------
    exercise : CodingExercise
        The exercise.
    func : callable
        The learner's function.
    seed : int, optional
        Seed of the random inputs.
    attempt : int, optional
        How much the feedback gives away.

    Returns
    -------
    Feedback
        Whether it agrees (None before an attempt), the message and details.
    """
    name = exercise.name
    if func is None:
        return Feedback(name, None, f"{exercise.task} Write `{name}` in the cell above, then "
                                    f"check it: check({name!r}, {name}).")
    if not callable(func):
        return Feedback(name, False, f"pass the function itself, check({name!r}, {name}), "
                                     f"not a {type(func).__name__} ({_short(func)}).")
    inputs = _inputs(exercise, seed)
    found = first_difference(exercise, func, inputs)
    if found is None:
        _ATTEMPTS[name] = 0
        return Feedback(name, True, f"yes: `{name}` agrees with the package on "
                                    f"{len(inputs)} inputs ({len(exercise.boundaries)} "
                                    "boundary cases and fresh random ones).")
    args, got, expected, problems = found
    if got is None and args is inputs[0]:  # the stub as given: no attempt counted
        return Feedback(name, None, f"`{name}` returns None so far: fill in its body, run "
                                    "its cell, then this check.")
    if got is None:
        problems = ["a path through your function ends without `return`"]
    _ATTEMPTS[name] += 1
    level = attempt if attempt is not None else _ATTEMPTS[name]
    call = f"{name}{(exercise.show or arguments)(args)}"
    if isinstance(got, Exception):
        where = f"On {call} it raised {type(got).__name__}: {got}"
    else:
        where = f"On {call} it returns {_short(got)}; the package gives {_short(expected)}"
    why = next((m.diagnosis for m in exercise.mistakes
                if behaves_like(exercise, func, m.wrong, inputs)), None)
    why = why or pattern(exercise, func, inputs)
    details = [p for p in problems if p != NUMBERS_DIFFER] + ([why] if why else [])
    message = f"{where}."
    if level >= 2 and exercise.concept:
        details.append(f"Think: {exercise.concept}")
    if level >= 3 and exercise.method:
        details.append(f"Method: {exercise.method}")
        details.append(f"The package's code, if you want it: solution({name!r}).")
    return Feedback(name, False, message, tuple(details))


def reset_attempts() -> None:
    """Forget the wrong attempts counted so far (the hints start again from the first)."""
    _ATTEMPTS.clear()
