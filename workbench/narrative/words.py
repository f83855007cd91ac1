"""Numbers and lists written the way the notebooks' prose writes them."""

from __future__ import annotations

TASK_WORDS = {"classification": "one label per image", "detection": "boxes",
              "segmentation": "pixel masks"}


def _n(value) -> str:
    """A count with thousands separators."""
    return f"{int(value):,}"


def _pct(value: float) -> str:
    """A fraction as a percentage with the digits it needs: 0.04%, 7.4%, 99.64%."""
    if value == 0 or value == 1:
        return f"{100 * value:.0f}%"
    if value < 0.001:
        return f"{100 * value:.2g}%"
    return f"{100 * value:.1f}%" if value < 0.995 else f"{100 * value:.2f}%"


def _count(n: int, noun: str) -> str:
    """``1 group``, ``3 groups``."""
    return f"{_n(n)} {noun}" if n == 1 else f"{_n(n)} {noun}s"


def _classes(n: int) -> str:
    return f"{n} class holds" if n == 1 else f"{n} classes hold"


def _list(items, n: int = 4) -> str:
    """``a, b and c``; past ``n`` items, ``a, b, c, d and 3 more``."""
    items = [str(i) for i in items]
    if len(items) <= n:
        return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1] \
            if items else ""
    return ", ".join(items[:n]) + f" and {len(items) - n} more"
