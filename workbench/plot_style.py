"""The look every figure shares: sizes that stay readable in a report, one colour per
class, and long class lists cut to their head and tail."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import seaborn as sns

STATUS_COLOURS = {"pass": "#2a9d8f", "warn": "#e9c46a", "fail": "#e76f51"}


MAX_CLASSES = 30   # rows of a per-class chart: the head, the tail and one "others" row


MAX_WIDTH = 10.0   # inches: a report shows a figure this wide at full size (100 dpi)


MIN_FONT = 8       # points


ROW = 0.3          # inches per class row


GREY = "#adb5bd"


BAR = "#264653"


def _axes(ax, size):
    if ax is None:
        width, height = size
        _, ax = plt.subplots(figsize=(min(width, MAX_WIDTH), height), layout="constrained")
    return ax


def _rows_height(n_rows: int) -> float:
    return ROW * n_rows + 1.6


def class_colours(classes: Sequence[str]) -> dict[str, tuple]:
    """One colour per class, the same in every figure of a dataset.

    Parameters
    ----------
    classes : sequence of str
        The dataset's classes, in order.

    Returns
    -------
    dict of str to tuple
        RGB colour per class.
    """
    classes = [str(c) for c in classes]
    palette = (sns.color_palette("tab10", len(classes)) if len(classes) <= 10 else
               sns.color_palette("tab20", len(classes)) if len(classes) <= 20 else
               sns.color_palette("husl", len(classes)))
    return dict(zip(classes, palette, strict=True))


def head_and_tail(index: Sequence, n: int = MAX_CLASSES) -> tuple[list, list, list]:
    """The head and the tail of an ordered list to draw, and the middle left between.

    Up to ``n`` items are all head; beyond, the first ``n // 2`` and the last
    ``n - n // 2 - 1``, so that one more row can stand for the middle.

    Parameters
    ----------
    index : sequence
        The ordered items.
    n : int
        Most rows drawn.

    Returns
    -------
    head, middle, tail : list
        The items.

    Examples
    --------
    >>> head, middle, tail = head_and_tail(list(range(100)), n=6)
    >>> head, len(middle), tail
    ([0, 1, 2], 95, [98, 99])
    """
    items = list(index)
    if len(items) <= n:
        return items, [], []
    head, tail = n // 2, n - n // 2 - 1
    return items[:head], items[head:-tail], items[-tail:]
