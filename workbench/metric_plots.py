"""Figures of the evaluate stage: per-class metrics with intervals, PR curves with the
no-skill line, the confusion matrix, slices, reliability and the strategy comparison.

Same rules as :mod:`workbench.plots`: ``ax=None``, the Axes returned, a class keeps its
colour, at most :data:`workbench.plot_style.MAX_CLASSES` classes per chart (the rarest first,
since they are the ones the numbers are uncertain about).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from workbench.errors import Missing
from workbench.plot_style import (
    BAR,
    GREY,
    MAX_CLASSES,
    MAX_WIDTH,
    _axes,
    _rows_height,
    class_colours,
)

WORSE = "#e76f51"


def _spans(value, low, high) -> np.ndarray:
    """Error-bar lengths below and above each value. A bootstrap percentile interval need
    not contain the point estimate (and rounding can put a Wilson bound a hair past it):
    the bar then starts at the value."""
    below = np.nan_to_num(np.clip(value - low, 0, None))
    above = np.nan_to_num(np.clip(high - value, 0, None))
    return np.vstack([below, above])


def metric_intervals(table: pd.DataFrame, *, metric: str = "recall", ax=None,
                     halfwidth: float = 0.1):
    """``metric`` per class with its interval (rows as in ``table``: rarest first), the
    support beside each row; intervals wider than +-``halfwidth`` in grey: "means
    little".

    Parameters
    ----------
    table : pandas.DataFrame or Missing
        A report's per-class table, with ``metric``, ``metric_low``, ``metric_high``.
    metric : str
        The column to draw (a fraction).
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.
    halfwidth : float
        Intervals wider than +- this are grey.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (a Missing is returned as it is).
    """
    if isinstance(table, Missing):
        return table
    table = table.head(MAX_CLASSES)
    ax = _axes(ax, (7.5, _rows_height(len(table))))
    y = np.arange(len(table))[::-1]
    value = table[metric].to_numpy(float)
    low, high = table[f"{metric}_low"].to_numpy(float), table[f"{metric}_high"].to_numpy(float)
    wide = ((high - low) / 2 > halfwidth) | np.isnan(value)
    for rows, colour, label in [(~wide, BAR, f"interval within +-{halfwidth:g}"),
                                (wide, GREY, f"wider than +-{halfwidth:g}: means little")]:
        if rows.any():
            ax.errorbar(value[rows], y[rows], xerr=_spans(value[rows], low[rows], high[rows]),
                        fmt="o", color=colour, ecolor=colour, capsize=3, label=label)
    counted = next((c for c in ("support", "n_true", "n_images") if c in table.columns), None)
    names = ([f"{c} (n={int(n)})" for c, n in zip(table.index, table[counted], strict=True)]
             if counted else [str(c) for c in table.index])
    ax.set_yticks(y, names)
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel(f"{metric} with its {int(round(100 * 0.95))}% interval")
    ax.legend(loc="lower left", fontsize=8, frameon=False, bbox_to_anchor=(0, 1.0), ncol=2)
    ax.grid(axis="x", alpha=0.3)
    return ax


def pr_curves(curves: pd.DataFrame, *, ax=None, classes=None):
    """Precision against recall per class, each with a dashed no-skill line at the
    class's prevalence (Saito and Rehmsmeier 2015: the PR curve's baseline is the
    prevalence, not 0.5).

    Parameters
    ----------
    curves : pandas.DataFrame or Missing
        Columns class, recall, precision (and no_skill).
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.
    classes : sequence of str, optional
        Classes to draw (at most 10).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (a Missing is returned as it is).
    """
    if isinstance(curves, Missing):
        return curves
    names = list(dict.fromkeys(curves["class"]))
    shown = [c for c in (classes or names) if c in names][:10]
    ax = _axes(ax, (7.5, 5))
    colours = class_colours(names)
    for name in shown:
        part = curves[curves["class"] == name]
        ax.step(part["recall"], part["precision"], where="post", color=colours[name],
                label=name)
        if "no_skill" in part.columns:
            ax.axhline(part["no_skill"].iloc[0], color=colours[name], ls="--", lw=0.8)
    title = ("PR curves (dashed: no skill = the class's prevalence)" if "no_skill" in
             curves.columns else "PR curves (101-point interpolated, IoU 0.5)")
    ax.set(xlabel="recall", ylabel="precision", xlim=(0, 1.01), ylim=(0, 1.02), title=title)
    ax.legend(fontsize=8, frameon=False, loc="center left", bbox_to_anchor=(1, 0.5))
    return ax


def confusion(matrix: pd.DataFrame | None, *, ax=None):
    """The row-normalised confusion matrix (rarest class first), shares annotated.

    Parameters
    ----------
    matrix : pandas.DataFrame or None
        Row-normalised, true x predicted.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (None or a Missing is returned as it is).
    """
    if matrix is None or isinstance(matrix, Missing):
        return matrix
    matrix = matrix.iloc[:MAX_CLASSES, :MAX_CLASSES]
    side = min(MAX_WIDTH, 1.2 + 0.55 * len(matrix))
    ax = _axes(ax, (side + 1.2, side))
    sns.heatmap(matrix, annot=len(matrix) <= 15, fmt=".2f", cmap="Blues", vmin=0, vmax=1,
                ax=ax, cbar_kws={"label": "share of the true class"}, annot_kws={"size": 8})
    ax.set(title="confusion, normalised by the true class (rarest first)")
    return ax


def slice_plot(table: pd.DataFrame, *, ax=None, classes=None):
    """Per class and slice: the metric with its interval; flagged slices in red.

    Parameters
    ----------
    table : pandas.DataFrame or Missing
        From :func:`workbench.evaluate.slice_metrics`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.
    classes : sequence of str, optional
        Classes to draw.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (a Missing is returned as it is).
    """
    if isinstance(table, Missing):
        return table
    if classes is not None:
        table = table[table["class"].isin(classes)]
    table = table.dropna(subset=["value"]).head(2 * MAX_CLASSES)
    ax = _axes(ax, (7.5, _rows_height(len(table))))
    y = np.arange(len(table))[::-1]
    colour = np.where(table["worse"], WORSE, BAR)
    for yi, (_, row), c in zip(y, table.iterrows(), colour, strict=True):
        ax.errorbar(row["value"], yi, xerr=_spans(np.array([row["value"]]),
                                                  np.array([row["low"]]),
                                                  np.array([row["high"]])),
                    fmt="o", color=c, ecolor=c, capsize=3)
        if np.isfinite(row["rest"]):
            ax.plot(row["rest"], yi, "|", color=GREY, ms=12)
    counted = "n_class" if "n_class" in table.columns else "n_images"
    ax.set_yticks(y, [f"{r['class']} | {r['slice']} (n={int(r[counted])})"
                      for _, r in table.iterrows()])
    metric = table["metric"].iloc[0] if "metric" in table.columns and len(table) else "value"
    ax.set(xlim=(-0.02, 1.02), xlabel=f"{metric} with its interval (n: the class's examples "
           "in the slice); grey tick: the rest; red: the whole interval is below the rest")
    ax.grid(axis="x", alpha=0.3)
    return ax


def reliability_diagram(tables: dict[str, pd.DataFrame], *, ax=None):
    """Accuracy against confidence per bin, one line per model; the diagonal is perfect
    calibration.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        :func:`workbench.evaluate.reliability` tables by model.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (a Missing is returned as it is).
    """
    if isinstance(tables, Missing):
        return tables
    ax = _axes(ax, (5.5, 5))
    ax.plot([0, 1], [0, 1], color=GREY, ls="--", lw=1, label="perfectly calibrated")
    for name, table in tables.items():
        used = table[table["n"] > 0]
        ax.plot(used["confidence"], used["accuracy"], "o-", label=name)
    ax.set(xlabel="top-1 confidence", ylabel="accuracy", xlim=(0, 1), ylim=(0, 1.02),
           title="reliability")
    ax.legend(fontsize=8, frameon=False)
    return ax


def strategy_comparison(runs: pd.DataFrame, *, metrics=("macro_f1", "balanced_accuracy",
                                                         "worst_class_recall", "rare_class_ap"),
                        ax=None):
    """Per strategy and metric: each seed as a dot and the mean as a bar.

    Parameters
    ----------
    runs : pandas.DataFrame or Missing
        One row per (strategy, seed) with the metrics.
    metrics : sequence of str
        The metric columns to draw (fractions).
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (a Missing is returned as it is).
    """
    if isinstance(runs, Missing):
        return runs
    metrics = [m for m in metrics if m in runs.columns]
    tidy = runs.melt(id_vars=["strategy", "seed"], value_vars=metrics, var_name="metric")
    if ax is None:
        _, ax = plt.subplots(figsize=(MAX_WIDTH, 1.0 + 0.45 * tidy["strategy"].nunique()
                                      * len(metrics) / 2), layout="constrained")
    sns.barplot(tidy, y="strategy", x="value", hue="metric", errorbar=None, ax=ax, alpha=0.6)
    sns.stripplot(tidy, y="strategy", x="value", hue="metric", dodge=True, ax=ax, size=4,
                  legend=False, palette="dark:black")
    ax.set(xlim=(-0.02, 1.02), xlabel="value (bars: mean over seeds; dots: each seed)",
           ylabel="")
    ax.legend(fontsize=8, frameon=False, loc="lower left", bbox_to_anchor=(0, 1), ncol=4)
    return ax
