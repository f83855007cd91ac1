"""Errors and warnings that say what was found and how to fix it."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

_PACKAGE = str(Path(__file__).resolve().parent)


class DataError(ValueError):
    """The data cannot be used as it is; the message says what was found and the fix."""


class DataWarning(UserWarning):
    """The data has a problem the workbench worked around (and says how)."""


def some(items: Iterable, n: int = 5) -> str:
    """The first ``n`` items, quoted, and how many more there are.

    Parameters
    ----------
    items : iterable
        Anything.
    n : int
        Items shown.

    Returns
    -------
    str
        The quoted items.

    Examples
    --------
    >>> some(["a", "b", "c"], n=2)
    "'a', 'b' (and 1 more)"
    """
    items = list(items)
    shown = ", ".join(repr(_plain(i)) for i in items[:n])
    return shown + (f" (and {len(items) - n} more)" if len(items) > n else "")


def _plain(value):
    """numpy scalars print as plain Python values in messages."""
    return value.item() if hasattr(value, "item") else value


def check_option(name: str, value, allowed: Sequence, *, func: str | None = None) -> None:
    """Raise the scikit-learn style message when ``value`` is not one of ``allowed``.

    Parameters
    ----------
    name : str
        The parameter's name.
    value : object
        What was given.
    allowed : sequence
        The allowed values.
    func : str, optional
        The public function named in the message.

    Examples
    --------
    >>> check_option("task", "boxes", ["classification", "detection"], func="Catalog")
    Traceback (most recent call last):
    ...
    ValueError: The 'task' parameter of Catalog must be one of 'classification',
    'detection'. Got 'boxes' instead.
    """
    if value not in allowed:
        where = f" of {func}" if func else ""
        options = ", ".join(repr(a) for a in allowed)
        raise ValueError(
            f"The {name!r} parameter{where} must be one of {options}. Got {value!r} instead."
        )


def check_integer(name: str, value, *, least: int = 0, func: str | None = None,
                  why: str = "") -> int:
    """``value`` as an int when it is a whole number >= ``least`` (not a bool), else the
    scikit-learn style message naming the parameter.

    Parameters
    ----------
    name : str
        The parameter's name.
    value : object
        What was given.
    least : int
        The smallest allowed value.
    func : str, optional
        The public function named in the message.
    why : str
        Added after the rule in the message.

    Returns
    -------
    int
        ``value``.

    Examples
    --------
    >>> check_integer("n_boot", 200, func="detection_report")
    200
    >>> check_integer("days", 0, least=1, func="plan_quotas")
    Traceback (most recent call last):
    ...
    ValueError: The 'days' parameter of plan_quotas must be an integer >= 1. Got 0 instead.
    """
    whole = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    if not whole or value < least:
        where = f" of {func}" if func else ""
        raise ValueError(f"The {name!r} parameter{where} must be an integer >= {least}{why}. "
                         f"Got {value!r} instead.")
    return int(value)


def warn_data(message: str) -> None:
    """A DataWarning attributed to the first caller outside the workbench package.

    So the warning points at the user's line (``workbench.load(...)`` in a notebook),
    however deep inside the package it was raised.

    Parameters
    ----------
    message : str
        The warning.
    """
    level, frame = 2, sys._getframe(1)
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(
            _PACKAGE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, DataWarning, stacklevel=level)


class Lacks(DataError):
    """The data lacks what a function needs (masks, a condition, a split, groups): not a
    flaw of the data, a part it does not have. The message says what to add."""


class Missing:
    """Stands in for a result the data cannot give, and shows why in one sentence.

    Any attribute, call or item of a Missing is a silent Missing, so a notebook cell such
    as ``factors.to_frame().round(3)`` shows nothing instead of failing, while the
    Missing itself (returned by :func:`needs`, or by a plot function given it) renders
    its sentence as Markdown: a section says once what it lacks. It is falsy and has
    length 0.
    """

    def __init__(self, reason: str, *, echo: bool = True):
        self.reason = reason
        self.echo = echo

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return Missing(self.reason, echo=False)

    def __call__(self, *args, **kwargs):
        return Missing(self.reason, echo=False)

    def __getitem__(self, key):
        return Missing(self.reason, echo=False)

    def __bool__(self) -> bool:
        return False

    def __len__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return f"Missing: {self.reason}"

    def _ipython_display_(self) -> None:
        if self.echo:
            from IPython.display import Markdown, display

            display(Markdown(f"> **Not available here.** {self.reason}"))


def needs(func, /, *args, **kwargs):
    """``func(*args, **kwargs)``, or a :class:`Missing` when the data lacks what it needs.

    Only :class:`Lacks` becomes a Missing; a real problem in the data still raises.

    Parameters
    ----------
    func : callable
        What to run.
    *args, **kwargs
        Its arguments.

    Returns
    -------
    object or Missing
        What ``func`` returns, or a Missing with the Lacks' sentence.

    Examples
    --------
    >>> def tiles(masks):
    ...     if not masks:
    ...         raise Lacks("Tiles need masks.")
    ...     return "tiles"
    >>> needs(tiles, True), needs(tiles, False)
    ('tiles', Missing: Tiles need masks.)
    """
    try:
        return func(*args, **kwargs)
    except Lacks as lack:
        return Missing(str(lack))


def passes_missing(func):
    """Let ``func`` hand back a :class:`Missing` it is given instead of failing on it.

    A notebook section whose input is missing then says so once (the Missing renders
    its sentence) and the cells after it carry on.

    Parameters
    ----------
    func : callable
        The function to wrap.

    Returns
    -------
    callable
        ``func`` that returns the first Missing among its arguments instead of running.

    Examples
    --------
    >>> @passes_missing
    ... def double(x):
    ...     return 2 * x
    >>> double(2), double(Missing("No masks."))
    (4, Missing: No masks.)
    """
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        for value in (*args, *kwargs.values()):
            if isinstance(value, Missing):
                return value
        return func(*args, **kwargs)
    return wrapper


def warnings_as_notes() -> None:
    """In a notebook, show each DataWarning as a Markdown note in the cell's output
    instead of red stderr text; other warnings are shown as before.

    The notebooks call it once: the loader's findings then read as notes, in the report
    too.
    """
    original = warnings.showwarning
    if getattr(original, "_workbench_notes", False):
        return

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, DataWarning):
            from IPython.display import Markdown, display

            display(Markdown(f"> **Note.** {message}"))
        else:
            original(message, category, filename, lineno, file, line)

    show._workbench_notes = True
    warnings.showwarning = show
