"""Figures (seaborn/matplotlib). Each takes ``ax=None`` and returns the Axes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import seaborn as sns

from workbench.measure import ClassCounts


def class_bars(counts: ClassCounts, *, ax=None, log: bool = True, min_count: int | None = None):
    """Per-class counts, largest first, on a log scale by default; optional threshold line."""
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.35 * len(counts.table) + 1.5))
    total = counts.total.sort_values(ascending=False)
    sns.barplot(x=total.to_numpy(), y=total.index.astype(str), orient="h", ax=ax,
                color=sns.color_palette()[0])
    if log:
        ax.set_xscale("log")
    if min_count is not None:
        ax.axvline(min_count, color="crimson", linestyle="--", label=f"minimum {min_count}")
        ax.legend(loc="lower right")
    for y, value in enumerate(total.to_numpy()):
        ax.annotate(f"{value:,}", (value, y), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize=8)
    ax.set_xlabel(f"{counts.unit} ({'log scale' if log else 'linear'})")
    ax.set_ylabel("class")
    ax.set_title(f"{counts.unit.capitalize()} per class")
    sns.despine(ax=ax)
    return ax
