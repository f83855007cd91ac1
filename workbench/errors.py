"""Errors and warnings that say what was found and how to fix it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


class DataError(ValueError):
    """The data cannot be used as it is; the message says what was found and the fix."""


class DataWarning(UserWarning):
    """The data has a problem the workbench worked around (and says how)."""


def some(items: Iterable, n: int = 5) -> str:
    """The first ``n`` items, quoted, and how many more there are.

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
