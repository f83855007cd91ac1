"""Figures (seaborn/matplotlib). Each takes ``ax=None`` and returns the Axes.

Every figure holds from 3 to 1,000 classes: per-class charts show at most
:data:`MAX_CLASSES` rows (the head, the tail, and a row standing for the classes in
between), at a fixed size no wider than a report page (:data:`MAX_WIDTH` inches), with
text of at least :data:`MIN_FONT` points. A class has the same colour in every figure
(:func:`class_colours`). Given a :class:`workbench.errors.Missing` instead of a result, a
plot function draws nothing and returns it (it renders as its sentence).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.patches import Patch

from workbench.errors import Missing
from workbench.measure import ClassCounts, HiddenImbalance, LongTail
from workbench.plot_style import (
    BAR,
    GREY,
    MAX_CLASSES,
    MIN_FONT,
    STATUS_COLOURS,
    _axes,
    _rows_height,
    head_and_tail,
)


def _others_label(hidden: list, values: pd.Series, unit: str) -> str:
    lo, hi = values.loc[hidden].min(), values.loc[hidden].max()
    return f"... {len(hidden)} more classes ({lo:,.0f} to {hi:,.0f} {unit})"


def class_bars(counts: ClassCounts, *, ax=None, log: bool = True,
               thresholds: Sequence[int] = (), highlight: Sequence[str] = ()):
    """Per-class counts, largest first, log scale by default, with threshold lines.

    Bars below the smallest threshold are drawn in the warning colour; ``highlight``
    names classes (the critical ones) whose labels are set in bold. Classes with no
    example are drawn as "0" at the axis (a log axis has no zero) and named in the
    title. Past :data:`MAX_CLASSES` classes, one row stands for the middle ones.

    Parameters
    ----------
    counts : ClassCounts
        From :func:`workbench.measure.class_counts`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.
    log : bool
        Log scale.
    thresholds : sequence of int
        Counts (in the unit) drawn as lines; bars below the smallest are coloured.
    highlight : sequence of str
        Classes whose labels are bold.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (a Missing is returned as it is).
    """
    if isinstance(counts, Missing):
        return counts
    total = counts.total.sort_values(ascending=False, kind="stable")
    total.index = total.index.astype(str)
    head, hidden, tail = head_and_tail(total.index)
    labels = head + ([_others_label(hidden, total, counts.unit)] if hidden else []) + tail
    values = ([float(total[c]) for c in head] + ([np.nan] if hidden else [])
              + [float(total[c]) for c in tail])
    ax = _axes(ax, (8, _rows_height(len(labels))))
    low = min(thresholds) if thresholds else None
    positive = [v for v in values if v > 0]
    floor = (min(positive + list(thresholds)) / 2) if log and positive else 0
    colours = [STATUS_COLOURS["fail"] if low is not None and v < low else BAR for v in values]
    y = np.arange(len(labels))
    ax.barh(y, [v if v > 0 else 0 for v in values], left=0, color=colours, height=0.7)
    if hidden:  # the hidden classes' range as a grey band
        k = len(head)  # the row that stands for the middle classes
        lo, hi = total.loc[hidden].min(), total.loc[hidden].max()
        ax.barh(k, max(hi - max(lo, floor), 0), left=max(lo, floor), color=GREY, height=0.5,
                hatch="//", edgecolor="white")
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    if log:
        ax.set_xscale("log")
        top = max(positive + list(thresholds) + [1])
        ax.set_xlim(max(floor, 0.5), top * 3)
    for yi, value in zip(y, values, strict=True):
        if np.isnan(value):
            continue
        anchor = value if value > 0 else (ax.get_xlim()[0] if log else 0)
        ax.annotate(f"{value:,.0f}", (anchor, yi), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize=MIN_FONT,
                    color=STATUS_COLOURS["fail"] if value == 0 else "black")
    for value, style in zip(sorted(thresholds), ["--", ":"], strict=False):
        ax.axvline(value, color="crimson", linestyle=style, linewidth=1.2)
    handles = [Patch(color=BAR, label=f"at least {low:,}" if low else "count")]
    if low is not None:
        handles.append(Patch(color=STATUS_COLOURS["fail"], label=f"below {low:,}"))
        handles += [plt.Line2D([], [], color="crimson", linestyle=s, label=f"threshold {v:,}")
                    for v, s in zip(sorted(thresholds), ["--", ":"], strict=False)]
    if hidden:
        handles.append(Patch(facecolor=GREY, hatch="//", edgecolor="white",
                             label="range of the classes not shown"))
    ax.legend(handles=handles, loc="lower right", fontsize=MIN_FONT, framealpha=0.9)
    for label in ax.get_yticklabels():
        label.set_fontsize(max(MIN_FONT, 9))
        if label.get_text() in set(map(str, highlight)):
            label.set_fontweight("bold")
    zero = total.index[total == 0].tolist()
    ax.set_xlabel(f"{counts.unit} ({'log scale' if log else 'linear'})")
    title = f"{counts.unit.capitalize()} per class, largest first ({len(total)} classes)"
    if zero:
        names = ", ".join(zero[:4]) + (f" and {len(zero) - 4} more" if len(zero) > 4 else "")
        title += f"\nno {counts.unit} at all: {names}"
    ax.set_title(title, fontsize=10)
    sns.despine(ax=ax)
    return ax


def long_tail_curve(tail: LongTail, *, ax=None):
    """Cumulative share of the data against classes ranked by size, with 50% / 80% marks.

    Parameters
    ----------
    tail : LongTail
        The long-tail statistics.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (a Missing is returned as it is).
    """
    if isinstance(tail, Missing):
        return tail
    frame = tail.to_frame()
    k = len(frame)
    ax = _axes(ax, (7, 4))
    ranks = np.arange(0, k + 1)
    cumulative = np.concatenate([[0.0], frame["cumulative_share"].to_numpy()])
    ax.plot(ranks, cumulative, "o-" if k <= 40 else "-", color=BAR, markersize=4,
            label="this dataset")
    ax.plot([0, k], [0, 1], color="grey", linestyle=":", label="perfectly balanced")
    for level, n in [(0.5, tail.n_classes_50), (0.8, tail.n_classes_80)]:
        ax.axhline(level, color="crimson", linewidth=0.8, linestyle="--")
        ax.annotate(f"{n} of {k} classes hold {level:.0%}", (k, level), xytext=(0, -11),
                    textcoords="offset points", ha="right", fontsize=MIN_FONT + 1)
    names = frame.index.astype(str).tolist()
    if k <= MAX_CLASSES:
        ax.set_xticks(ranks[1:], names, rotation=45, ha="right", fontsize=MIN_FONT + 1)
    else:  # rank numbers, with the largest and smallest classes named in the title
        ax.set_xticks(np.unique(np.linspace(1, k, 10).round().astype(int)))
        ax.set_title("")
    ax.set_xlim(0, k + 0.2)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("classes, largest first" + ("" if k <= MAX_CLASSES else " (rank)"))
    ax.set_ylabel(f"cumulative share of {tail.unit}")
    ratio = (f"{tail.imbalance_ratio:,.0f}" if tail.imbalance_ratio >= 10 else
             f"{tail.imbalance_ratio:.1f}")
    present = frame.index[frame["count"] > 0].astype(str)
    empty = k - len(present)
    ax.set_title(f"Long tail of {k} classes by {tail.unit}: imbalance ratio {ratio}:1, "
                 f"Gini {tail.gini:.2f}, evenness {tail.evenness:.2f}"
                 + ("" if k <= MAX_CLASSES else f"\nlargest {present[0]}, smallest "
                    f"{present[-1]}" + (f", {empty} with none" if empty else "")),
                 fontsize=10)
    ax.legend(loc="lower right", fontsize=MIN_FONT + 1)
    sns.despine(ax=ax)
    return ax


def residual_heatmap(hidden: HiddenImbalance, *, ax=None, max_values: int = 12):
    """Class x condition adjusted residuals: red where a class is rarer than expected.

    With many classes, the :data:`MAX_CLASSES` with the most extreme residuals are
    drawn (the title says so); with many condition values, the ``max_values`` most
    frequent.

    Parameters
    ----------
    hidden : HiddenImbalance
        From :func:`workbench.measure.hidden_imbalance`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.
    max_values : int
        Most condition values drawn.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (a Missing is returned as it is).
    """
    if isinstance(hidden, Missing):
        return hidden
    residuals, observed = hidden.residuals, hidden.observed
    note = ""
    if residuals.shape[1] > max_values:
        keep = observed.sum(axis=0).sort_values(ascending=False).index[:max_values]
        residuals, observed = residuals[keep], observed[keep]
        note += f"; the {max_values} most frequent values"
    if len(residuals) > MAX_CLASSES:
        keep = residuals.abs().max(axis=1).sort_values(ascending=False).index[:MAX_CLASSES]
        residuals, observed = residuals.loc[keep], observed.loc[keep]
        note += f"; the {MAX_CLASSES} classes departing most of {len(hidden.residuals)}"
    ax = _axes(ax, (1.1 * residuals.shape[1] + 3.5, _rows_height(len(residuals))))
    limit = max(3.0, float(np.nanmax(np.abs(residuals.to_numpy()))))
    annot = residuals.round(1).astype(str) + "\n(" + observed.astype(str) + ")"
    sns.heatmap(residuals.astype(float), cmap="RdBu", center=0, vmin=-limit, vmax=limit,
                annot=annot.to_numpy(), fmt="", annot_kws={"fontsize": MIN_FONT}, ax=ax,
                cbar_kws={"label": "adjusted residual"}, linewidths=0.5)
    ax.set_xlabel(hidden.condition)
    ax.set_ylabel("")
    ax.tick_params(labelsize=MIN_FONT + 1)
    ax.set_title(f"Hidden imbalance across {hidden.condition} ({hidden.unit}; count in "
                 f"brackets{note})\nchi2 = {hidden.chi2:.1f}, dof = {hidden.dof}, "
                 f"p = {hidden.p_value:.2g}; below -{hidden.threshold} a class is missing "
                 "there", fontsize=10)
    return ax


def split_shares(counts: ClassCounts, *, ax=None):
    """Each class's share within each split (or stratum), side by side.

    Parameters
    ----------
    counts : ClassCounts
        Counted ``by="split"`` (or another stratum).
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (a Missing is returned as it is).
    """
    if isinstance(counts, Missing):
        return counts
    shares = counts.shares.fillna(0)
    order = counts.total.sort_values(ascending=False, kind="stable").index
    head, hidden, tail = head_and_tail(order)
    shown = head + tail
    shares = shares.loc[shown]
    shares.index = shares.index.astype(str)
    long = shares.reset_index().melt(id_vars="class", var_name="stratum", value_name="share")
    ax = _axes(ax, (8, _rows_height(len(shown))))
    sns.barplot(data=long, y="class", x="share", hue="stratum", orient="h", ax=ax, saturation=1)
    ax.set_xlabel(f"share of {counts.unit} within {counts.by or 'stratum'}")
    ax.set_ylabel("")
    ax.legend(title=counts.by, fontsize=MIN_FONT, loc="upper left", bbox_to_anchor=(1.0, 1.0),
              frameon=False)
    ax.set_title(f"Class proportions per {counts.by or 'stratum'}"
                 + (f" ({len(hidden)} middle classes not shown)" if hidden else ""),
                 fontsize=10)
    sns.despine(ax=ax)
    return ax


def styled_checklist(checklist):
    """The checklist as a pandas Styler, status cells coloured (HTML; survives in reports).

    Parameters
    ----------
    checklist : Checklist
        From :func:`workbench.measure.health_checklist`.

    Returns
    -------
    pandas.io.formats.style.Styler
        The rows, without index (a Missing is returned as it is).
    """
    if isinstance(checklist, Missing):
        return checklist
    rows = checklist.to_frame()[["status", "check", "subject", "value", "reason"]]
    return rows.style.map(
        lambda status: f"background-color: {STATUS_COLOURS.get(status, 'white')}",
        subset=["status"],
    ).hide(axis="index")


# The pictures and the split and plan charts live in their own modules; notebooks and
# panels reach them as plots.X too.
from workbench.picture_plots import captions, preview_grid, thumbnail_grid  # noqa: E402
from workbench.plan_plots import (  # noqa: E402
    plan_bars,
    repeat_side_effects,
    share_deviation,
    share_deviations,
)
from workbench.plot_style import MAX_WIDTH, class_colours  # noqa: E402

__all__ = [
    "MAX_CLASSES", "MAX_WIDTH", "STATUS_COLOURS", "captions", "class_bars", "class_colours",
    "head_and_tail",
    "long_tail_curve", "plan_bars", "preview_grid", "repeat_side_effects", "residual_heatmap",
    "share_deviation", "share_deviations", "split_shares", "styled_checklist",
    "thumbnail_grid",
]
