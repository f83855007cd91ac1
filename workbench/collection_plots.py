"""Figures of the collect stage: the burn-up chart of a quota plan, the images a day per
source, and where a rare class is found per image.

Same rules as :mod:`workbench.plots`: ``ax=None``, the Axes returned, a class keeps its
colour.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from workbench.errors import Missing
from workbench.plot_style import BAR, GREY, MAX_WIDTH, _axes, class_colours


def burn_up(plan, *, ax=None, classes=None):
    """Expected count of each targeted class day by day (solid) against its target
    (dashed), with the day each is met marked; a class that misses its target ends in a
    red cross.

    Parameters
    ----------
    plan : QuotaPlan or Missing
        From :func:`workbench.collect.plan_quotas`; a Missing is returned as it is.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.
    classes : sequence of str, optional
        Classes to draw; default the targeted ones.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    if isinstance(plan, Missing):
        return plan
    ax = _axes(ax, (MAX_WIDTH * 0.7, 4.0))
    classes = list(classes or plan.targets.index)
    colours = class_colours(plan.expected.columns)
    met = plan.met_on
    for cls in classes:
        colour = colours[cls]
        ax.plot(plan.expected.index, plan.expected[cls], color=colour, lw=2, label=cls)
        ax.axhline(plan.targets[cls], color=colour, ls="--", lw=1)
        if np.isfinite(met[cls]):
            day = int(met[cls])
            ax.plot([day], [plan.expected.loc[day, cls]], "o", color=colour, ms=7, clip_on=False)
            ax.annotate("met already" if day == 0 else f"day {day}",
                        (day, plan.expected.loc[day, cls]), textcoords="offset points",
                        xytext=(-6, 7), ha="right", fontsize=9, color=colour,
                        bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none",
                              "alpha": 0.8})
        else:
            ax.plot([plan.days], [plan.expected[cls].iloc[-1]], "x", color="#e76f51", ms=10,
                    mew=2)
    ax.set_xlabel("day")
    ax.set_ylabel(f"{plan.unit} (expected)")
    ax.set_xlim(-0.3, plan.days + 0.5)
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.set_title(f"Burn-up: {plan.capacity_per_day:,} images a day for {plan.days} days "
                 "(dashed: targets)", fontsize=10)
    ax.legend(fontsize=9, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(alpha=0.3)
    return ax


def images_per_source(plan, *, ax=None):
    """Images labelled each day from each source (stacked bars).

    Parameters
    ----------
    plan : QuotaPlan or Missing
        From :func:`workbench.collect.plan_quotas`; a Missing is returned as it is.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    if isinstance(plan, Missing):
        return plan
    ax = _axes(ax, (MAX_WIDTH * 0.5, 3.2))
    bottom = np.zeros(len(plan.images))
    palette = plt.get_cmap("Set2")
    for i, source in enumerate(plan.images.columns):
        values = plan.images[source].to_numpy()
        ax.bar(plan.images.index, values, bottom=bottom, color=palette(i % 8), label=source)
        bottom += values
    ax.axhline(plan.capacity_per_day, color="#e76f51", ls=":", lw=1.5)
    ax.set_ylim(0, plan.capacity_per_day * 1.12)
    ax.set_xlabel("day")
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.set_ylabel("images to label")
    ax.set_title("Images a day per source (dotted: capacity)", fontsize=10)
    ax.legend(fontsize=9, frameon=False, title="source", loc="upper left",
              bbox_to_anchor=(1.01, 1.0))
    return ax


def where_rates(where, *, ax=None):
    """Per rare class and condition value: the rate per image with its interval; the
    under-represented cells circled in red.

    Parameters
    ----------
    where : WhereToCollect or Missing
        From :func:`workbench.collect.where_to_collect`; a Missing is returned as it is.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    if isinstance(where, Missing):
        return where
    rates = where.rates
    classes = list(where.targets.index)
    values = list(dict.fromkeys(rates["value"]))
    ax = _axes(ax, (MAX_WIDTH * 0.75, 0.9 + 0.45 * len(classes) * len(values)))
    colours = class_colours(classes)
    rows = []
    for cls in classes:
        for value in values:
            rows.append((cls, value))
    frame = rates.set_index(["class", "value"]).loc[rows]
    y = np.arange(len(frame))[::-1]
    rate = frame["rate"].to_numpy()
    spans = np.vstack([np.clip(rate - frame["rate_low"].to_numpy(), 0, None),
                       np.clip(frame["rate_high"].to_numpy() - rate, 0, None)])
    for i, (cls, _value) in enumerate(rows):
        ax.errorbar(rate[i], y[i], xerr=spans[:, [i]], fmt="o", color=colours[cls], capsize=3)
    flagged = set(zip(where.gaps["class"], where.gaps["value"], strict=True))
    for i, key in enumerate(rows):
        if key in flagged:
            ax.plot(rate[i], y[i], "o", mfc="none", mec="#e76f51", ms=14, mew=2)
    ax.set_yticks(y, [f"{c} @ {v} (n={int(n)})" for (c, v), n in
                      zip(rows, frame["images"], strict=True)])
    per = "per image" if where.unit == "images" else "instances per image"
    ax.set_xlabel(f"{per}, 95% interval; red ring: under-represented")
    ax.set_title(f"Where each rare class is found, by {where.condition}", fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlim(left=0)
    return ax


def small_model_bars(comparison, *, ax=None):
    """Macro F1 and the small classes' recall of the flat model against the bucket plus
    small-class model, with bootstrap intervals.

    Parameters
    ----------
    comparison : SmallClassComparison or Missing
        From :func:`workbench.collect.small_class_model`; a Missing is returned as it is.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    if isinstance(comparison, Missing):
        return comparison
    table = comparison.to_frame()
    metrics = [("macro_f1", "macro F1"), ("small_class_recall", "small classes'\nrecall"),
               ("rarest_recall", f"recall of\n{comparison.rarest!r}")]
    ax = _axes(ax, (MAX_WIDTH * 0.6, 3.0))
    width = 0.38
    x = np.arange(len(metrics))
    for i, (model, row) in enumerate(table.iterrows()):
        value = np.array([row[m] for m, _ in metrics], dtype=float)
        low = np.array([row[f"{m}_low"] for m, _ in metrics], dtype=float)
        high = np.array([row[f"{m}_high"] for m, _ in metrics], dtype=float)
        ax.bar(x + (i - 0.5) * width, value, width, color=[BAR, GREY][i % 2], label=model,
               yerr=np.vstack([np.clip(value - low, 0, None), np.clip(high - value, 0, None)]),
               capsize=3)
    ax.set_xticks(x, [label for _, label in metrics])
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=9, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title("One flat model or a separate model for the small classes", fontsize=10)
    return ax


def as_frame(plan) -> pd.DataFrame:
    """The plan's day table for display: images per source and expected counts.

    Parameters
    ----------
    plan : QuotaPlan
        From :func:`workbench.collect.plan_quotas`.

    Returns
    -------
    pandas.DataFrame
        One row per day from day 1; columns ("images", source) and ("expected", class).
    """
    return pd.concat({"images": plan.images, "expected": plan.expected.loc[1:,
                      plan.targets.index].round(1)}, axis=1)


def picks_grid(catalog, picks, *, n: int = 12):
    """Thumbnails of the first ``n`` picks, in pick order.

    Parameters
    ----------
    catalog : Catalog
        The pool's Catalog.
    picks : Picks or Missing
        From :func:`workbench.collect.select`; a Missing is returned as it is.
    n : int
        Thumbnails shown.

    Returns
    -------
    matplotlib.axes.Axes
        The grid's axes.
    """
    if isinstance(picks, Missing):
        return picks
    from workbench.picture_plots import thumbnail_grid

    return thumbnail_grid(catalog, picks.sample_ids[:n], n_cols=4, size=192)


def simulation(run):
    """The active-learning curves (:meth:`ActiveLearningRun.plot`).

    Parameters
    ----------
    run : ActiveLearningRun or Missing
        From :func:`workbench.collect.simulate_active_learning`.

    Returns
    -------
    matplotlib.figure.Figure
        The curves (a Missing is returned as it is).
    """
    if isinstance(run, Missing):
        return run
    return run.plot()
