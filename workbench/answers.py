"""Reading a student's answer the way a person would: "7,500" is 7500, " Crack" is the
class crack, a dict's keys match the classes whatever their case.

:func:`read_answer` returns the answer in the expected answer's terms where it can be read
so, else unchanged (the checker then says what form to give).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np


def as_number(value) -> float | None:
    """``value`` as a finite number: a number, or text such as "7,500", " 0.5 ", "7_500";
    None otherwise (booleans included).

    Parameters
    ----------
    value : object
        The answer.

    Returns
    -------
    float or None
        The number.

    Examples
    --------
    >>> as_number("7,500"), as_number(" 0.25 "), as_number("seven"), as_number(True)
    (7500.0, 0.25, None, None)
    """
    if isinstance(value, (bool, bytes, bytearray)):
        return None
    if isinstance(value, str):
        value = value.strip().replace(",", "").replace("_", "").replace(" ", "")
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, bool)


def same_name(answer, names: Iterable) -> object:
    """The name among ``names`` that ``answer`` is, ignoring case and the spaces around it;
    ``answer`` unchanged when it is none of them (or not text).

    Parameters
    ----------
    answer : object
        The answer.
    names : iterable
        The names it may be.

    Returns
    -------
    object
        The matching name, else ``answer`` (stripped when text).
    """
    if not isinstance(answer, str):
        return answer
    wanted = answer.strip().casefold()
    for name in names:
        if str(name).casefold() == wanted:
            return name
    return answer.strip()


def read_answer(answer, expected, names: Iterable = ()):
    """``answer`` read in ``expected``'s terms: a number from numeric text, a name matched
    to ``names`` (or to the expected name), a tuple read element by element, a dict's keys
    matched to the expected keys and each value read in its expected value's terms.

    Parameters
    ----------
    answer : object
        The answer as given.
    expected : object
        The expected answer, whose terms it is read in.
    names : iterable
        Other names a text answer may be.

    Returns
    -------
    object
        The answer, read.

    Examples
    --------
    >>> read_answer(" CRACK", "crack"), read_answer("7,500", 7500)
    ('crack', 7500.0)
    >>> read_answer({"car ": "2,167"}, {"Car": 2167})
    {'Car': 2167.0}
    """
    names = [*names]
    if _is_number(expected):
        number = as_number(answer) if isinstance(answer, str) else None
        return answer if number is None else number
    if isinstance(expected, str):
        return same_name(answer, [expected, *names])
    if isinstance(expected, tuple) and isinstance(answer, (tuple, list)) \
            and len(answer) == len(expected):
        return tuple(read_answer(a, e, names) for a, e in zip(answer, expected, strict=True))
    if isinstance(expected, Mapping) and isinstance(answer, Mapping):
        keys = [*expected]
        read = {}
        for key, value in answer.items():
            key = same_name(key, keys)
            read[key] = read_answer(value, expected[key], names) if key in expected else value
        return read
    return answer
