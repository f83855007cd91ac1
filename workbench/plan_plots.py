"""Charts of splits and sampling plans: each class's share per split against the whole,
the plan's counts per class, and the repeat factors' side effects."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.patches import Patch

from workbench.errors import Missing
from workbench.plot_style import (
    BAR,
    GREY,
    MAX_CLASSES,
    MAX_WIDTH,
    MIN_FONT,
    STATUS_COLOURS,
    _axes,
    _rows_height,
    head_and_tail,
)

SPLIT_COLOURS = {"train": "#1f77b4", "val": "#ff7f0e", "test": "#2ca02c"}


def _split_palette(names) -> dict:
    extra = [n for n in names if n not in SPLIT_COLOURS]
    return SPLIT_COLOURS | dict(zip(extra, sns.color_palette("Set2", len(extra)), strict=True))


def _deviation(report) -> pd.DataFrame:
    overall = report.counts.sum(axis=1) / report.sizes.sum()
    return report.shares.sub(overall, axis=0) * 100


def _most_deviating(reports, n: int = MAX_CLASSES) -> list:
    """The classes deviating most in any of the reports, in the first report's order."""
    worst = pd.concat([_deviation(r).abs().max(axis=1) for r in reports], axis=1).max(axis=1)
    keep = set(worst.sort_values(ascending=False, kind="stable").index[:n])
    return [c for c in reports[0].counts.index if c in keep]


def share_deviation(report, *, ax=None, classes=None, legend: bool = True):
    """Per class, its share in each split minus its share overall (percentage points).

    With many classes, the :data:`MAX_CLASSES` deviating most are drawn (or ``classes``).
    Splits keep their colours across figures (train blue, val orange, test green).

    Parameters
    ----------
    report : SplitReport
        From :func:`workbench.split.split_report`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.
    classes : sequence of str, optional
        Classes to draw.
    legend : bool
        Draw the legend.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (a Missing is returned as it is).
    """
    if isinstance(report, Missing):
        return report
    deviation = _deviation(report)
    classes = classes if classes is not None else _most_deviating([report])
    deviation = deviation.loc[classes]
    deviation.index = deviation.index.astype(str)
    long = deviation.reset_index().melt(id_vars="class", var_name="split", value_name="points")
    ax = _axes(ax, (7, _rows_height(len(deviation))))
    splits = list(report.counts.columns)
    sns.barplot(data=long, y="class", x="points", hue="split", hue_order=splits, saturation=1,
                palette=_split_palette(splits), orient="h", ax=ax, legend=legend)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("share in split - share overall (percentage points)")
    ax.set_ylabel("")
    hidden = len(report.counts) - len(deviation)
    ax.set_title(f"Deviation from the overall class mix (LD {report.label_distribution:.4f})"
                 + (f"\nthe {len(deviation)} classes deviating most; {hidden} not shown"
                    if hidden else ""), fontsize=10)
    if legend and ax.get_legend():
        ax.legend(title="split", fontsize=MIN_FONT, loc="upper left",
                  bbox_to_anchor=(1.0, 1.0), frameon=False)
    sns.despine(ax=ax)
    return ax


def share_deviations(reports: dict, *, axes=None):
    """:func:`share_deviation` for several splits side by side: the same classes in each
    (those deviating most anywhere), one x-axis, one legend for all split names.

    Parameters
    ----------
    reports : dict of str to SplitReport
        Reports by split name; Missing ones are left out.
    axes : sequence of matplotlib.axes.Axes, optional
        One per report; default a new figure.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        The axes drawn on.
    """
    reports = {k: v for k, v in reports.items() if not isinstance(v, Missing)}
    classes = _most_deviating(list(reports.values()))
    if axes is None:
        _, axes = plt.subplots(1, len(reports), figsize=(MAX_WIDTH, _rows_height(len(classes))),
                               sharex=True, sharey=True, layout="constrained", squeeze=False)
        axes = axes.ravel()
    for ax, (name, report) in zip(axes, reports.items(), strict=True):
        share_deviation(report, ax=ax, classes=classes, legend=False)
        ax.set_title(f"{name}\nmean gap {report.mean_share_gap * 100:.2f} points",
                     fontsize=10)
        ax.tick_params(labelsize=MIN_FONT)
        ax.set_xlabel("")
    names = list(dict.fromkeys(s for r in reports.values() for s in r.counts.columns))
    palette = _split_palette(names)
    figure = axes[0].figure
    figure.legend(handles=[Patch(color=palette[n], label=n) for n in names], title="split",
                  loc="outside right upper", fontsize=MIN_FONT, frameon=False)
    total = len(next(iter(reports.values())).counts)
    figure.supxlabel("share of the split's images - share of all images (percentage points)"
                     + (f"; the {len(classes)} classes deviating most of {total}"
                        if len(classes) < total else ""), fontsize=9)
    return axes


def plan_bars(plan, *, ax=None, log: bool = True):
    """Per class: samples before (original) and per epoch under the plan, caps marked.

    Parameters
    ----------
    plan : ResamplingPlan
        The plan.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.
    log : bool
        Log scale.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (a Missing is returned as it is).
    """
    if isinstance(plan, Missing):
        return plan
    frame = plan.to_frame().sort_values("count", ascending=False, kind="stable")
    head, hidden, tail = head_and_tail(frame.index)
    frame = frame.loc[head + tail]
    ax = _axes(ax, (8, _rows_height(len(frame)) * 1.1))
    y = np.arange(len(frame))
    ax.barh(y - 0.2, frame["count"], height=0.4, label="images", color=GREY)
    colours = frame["binding"].map({"cap": STATUS_COLOURS["fail"], "floor":
                                    STATUS_COLOURS["warn"], "none": BAR})
    ax.barh(y + 0.2, frame["effective"], height=0.4, color=colours)
    ax.set_yticks(y, frame.index.astype(str))
    ax.invert_yaxis()
    if log:
        ax.set_xscale("log")
        ax.set_xlim(0.5, max(frame["effective"].max(), frame["count"].max()) * 2.5)
    for yi, (eff, mult, bind) in enumerate(zip(frame["effective"], frame["multiplier"],
                                               frame["binding"], strict=True)):
        ax.annotate(f"{eff:,} ({mult:.2g}x{', ' + bind if bind != 'none' else ''})",
                    (eff, yi + 0.2), xytext=(3, 0), textcoords="offset points", va="center",
                    fontsize=MIN_FONT)
    drawn = set(frame["binding"])  # the legend names only the colours drawn
    handles = [Patch(color=GREY, label="images (original)")] + [
        Patch(color=colour, label=label) for binding, colour, label in [
            ("none", BAR, "per epoch"),
            ("cap", STATUS_COLOURS["fail"], f"per epoch, at the {plan.max_oversample:g}x cap"),
            ("floor", STATUS_COLOURS["warn"], "per epoch, at the keep floor")]
        if binding in drawn]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=MIN_FONT,
              frameon=False)
    ax.set_xlabel("samples" + (" (log scale)" if log else ""))
    ax.set_title(f"Resampling plan: {plan.total:,} samples per epoch"
                 + (f" ({len(hidden)} middle classes not shown)" if hidden else ""),
                 fontsize=10)
    sns.despine(ax=ax)
    return ax


def repeat_side_effects(factors, *, ax=None):
    """Instances per class per epoch before and after repeat-factor sampling.

    Parameters
    ----------
    factors : RepeatFactors
        From :func:`workbench.sample.repeat_factors`; its class table's units (instances,
        else pixels, else images).
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (a Missing is returned as it is).
    """
    if isinstance(factors, Missing):
        return factors
    table = factors.class_table.sort_values("instances_before", ascending=False, kind="stable")
    head, hidden, tail = head_and_tail(table.index)
    table = table.loc[head + tail]
    ax = _axes(ax, (8, _rows_height(len(table)) * 1.1))
    y = np.arange(len(table))
    ax.barh(y - 0.2, table["instances_before"], height=0.4, color=GREY, label="before")
    ax.barh(y + 0.2, table["instances_after"], height=0.4, color=BAR, label="after repeats")
    for yi, gain in enumerate(table["gain"]):
        if np.isfinite(gain):
            ax.annotate(f"x{gain:.2f}", (table["instances_after"].iloc[yi], yi + 0.2),
                        xytext=(3, 0), textcoords="offset points", va="center",
                        fontsize=MIN_FONT)
    ax.set_yticks(y, table.index.astype(str))
    ax.invert_yaxis()
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=MIN_FONT, frameon=False)
    ax.set_xlabel("instances per epoch (expected)")
    ax.set_title(f"Repeat factors (t = {factors.threshold:.3g}): every class in a repeated "
                 "image rides along" + (f"\n({len(hidden)} middle classes not shown)"
                                         if hidden else ""), fontsize=10)
    sns.despine(ax=ax)
    return ax
