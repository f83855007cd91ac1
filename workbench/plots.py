"""Figures (seaborn/matplotlib). Each takes ``ax=None`` and returns the Axes."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.patches import Rectangle
from PIL import Image

from workbench.catalog import Catalog
from workbench.measure import ClassCounts, HiddenImbalance, LongTail

STATUS_COLOURS = {"pass": "#2a9d8f", "warn": "#e9c46a", "fail": "#e76f51"}


def _axes(ax, size):
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def class_bars(counts: ClassCounts, *, ax=None, log: bool = True,
               thresholds: Sequence[int] = (), highlight: Sequence[str] = ()):
    """Per-class counts, largest first, log scale by default, with threshold lines.

    Bars below the smallest threshold are drawn in the warning colour; ``highlight``
    names classes (the critical ones) whose labels are set in bold.
    """
    total = counts.total.sort_values(ascending=False)
    ax = _axes(ax, (7, 0.35 * len(total) + 1.6))
    low = min(thresholds) if thresholds else None
    colours = [STATUS_COLOURS["fail"] if low is not None and v < low else sns.color_palette()[0]
               for v in total.to_numpy()]
    names = total.index.astype(str)
    ax.barh(names, np.maximum(total.to_numpy(), 0.8 if log else 0), color=colours)
    ax.invert_yaxis()
    if log:
        ax.set_xscale("log")
    for value, style in zip(sorted(thresholds), ["--", ":"], strict=False):
        ax.axvline(value, color="crimson", linestyle=style, linewidth=1, label=f"{value}")
    if thresholds:
        ax.legend(title="threshold", loc="lower right", fontsize=8)
    for y, value in enumerate(total.to_numpy()):
        ax.annotate(f"{value:,}", (max(value, 0.8 if log else 0), y), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=8)
    for label in ax.get_yticklabels():
        if label.get_text() in set(highlight):
            label.set_fontweight("bold")
    ax.set_xlabel(f"{counts.unit} ({'log scale' if log else 'linear'})")
    ax.set_ylabel("")
    ax.set_title(f"{counts.unit.capitalize()} per class, largest first")
    sns.despine(ax=ax)
    return ax


def long_tail_curve(tail: LongTail, *, ax=None):
    """Cumulative share of the data against classes ranked by size, with 50% / 80% marks."""
    frame = tail.to_frame()
    k = len(frame)
    ax = _axes(ax, (6, 3.6))
    ranks = np.arange(0, k + 1)
    cumulative = np.concatenate([[0.0], frame["cumulative_share"].to_numpy()])
    ax.plot(ranks, cumulative, "o-", color="#264653", markersize=4, label="this dataset")
    ax.plot([0, k], [0, 1], color="grey", linestyle=":", label="perfectly balanced")
    for level, n in [(0.5, tail.n_classes_50), (0.8, tail.n_classes_80)]:
        ax.axhline(level, color="crimson", linewidth=0.8, linestyle="--")
        ax.annotate(f"{n} of {k} classes hold {level:.0%}", (k, level), xytext=(0, -10),
                    textcoords="offset points", ha="right", fontsize=8)
    ax.set_xticks(ranks[1:], frame.index.astype(str), rotation=45, ha="right")
    ax.set_xlim(0, k + 0.2)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("classes, largest first")
    ax.set_ylabel("cumulative share")
    ax.set_title(f"Long tail: imbalance ratio {tail.imbalance_ratio:.0f}:1, "
                 f"Gini {tail.gini:.2f}, evenness {tail.evenness:.2f}")
    ax.legend(loc="lower right", fontsize=8)
    sns.despine(ax=ax)
    return ax


def residual_heatmap(hidden: HiddenImbalance, *, ax=None):
    """Class x condition adjusted residuals: red where a class is rarer than expected."""
    residuals = hidden.residuals
    ax = _axes(ax, (1.4 * residuals.shape[1] + 3, 0.45 * residuals.shape[0] + 1.6))
    limit = max(3.0, float(np.nanmax(np.abs(residuals.to_numpy()))))
    annot = residuals.round(1).astype(str) + "\n(" + hidden.observed.astype(str) + ")"
    sns.heatmap(residuals.astype(float), cmap="RdBu", center=0, vmin=-limit, vmax=limit,
                annot=annot.to_numpy(), fmt="", annot_kws={"fontsize": 8}, ax=ax,
                cbar_kws={"label": "adjusted residual"}, linewidths=0.5)
    ax.set_xlabel(hidden.condition)
    ax.set_ylabel("")
    ax.set_title(f"Hidden imbalance across {hidden.condition} ({hidden.unit}; count in "
                 f"brackets)\nchi2 = {hidden.chi2:.1f}, dof = {hidden.dof}, "
                 f"p = {hidden.p_value:.2g}; |residual| > {hidden.threshold} departs")
    return ax


def split_shares(counts: ClassCounts, *, ax=None):
    """Each class's share within each split (or stratum), side by side."""
    shares = counts.shares.fillna(0).reset_index().melt(id_vars="class", var_name="stratum",
                                                        value_name="share")
    ax = _axes(ax, (7, 0.45 * len(counts.table) + 1.6))
    sns.barplot(data=shares, y="class", x="share", hue="stratum", orient="h", ax=ax)
    ax.set_xlabel(f"share of {counts.unit} within {counts.by or 'stratum'}")
    ax.set_ylabel("")
    ax.legend(title=counts.by, fontsize=8)
    ax.set_title(f"Class proportions per {counts.by or 'stratum'}")
    sns.despine(ax=ax)
    return ax


def styled_checklist(checklist):
    """The checklist as a pandas Styler, status cells coloured (HTML; survives in reports)."""
    rows = checklist.to_frame()[["status", "check", "subject", "value", "reason"]]
    return rows.style.map(
        lambda status: f"background-color: {STATUS_COLOURS.get(status, 'white')}",
        subset=["status"],
    ).hide(axis="index")


def thumbnail_grid(catalog: Catalog, sample_ids: Sequence[str], *, ax=None, n_cols: int = 8,
                   size: int = 96, boxes: bool = True, titles: bool = True):
    """A static grid of images with their boxes drawn: the samples behind a number.

    For reports: the FiftyOne App does not survive in static HTML, this does.
    """
    ids = list(sample_ids)
    n_rows = max(1, int(np.ceil(len(ids) / n_cols)))
    pad = 4
    cell = size + pad
    mosaic = np.full((n_rows * cell, n_cols * cell, 3), 255, dtype=np.uint8)
    ax = _axes(ax, (n_cols * 1.3, n_rows * 1.45))
    samples = catalog.samples
    for k, sample_id in enumerate(ids):
        r, c = divmod(k, n_cols)
        with Image.open(samples.loc[sample_id, "filepath"]) as im:
            thumb = np.asarray(im.convert("RGB").resize((size, size)))
        mosaic[r * cell:r * cell + size, c * cell:c * cell + size] = thumb
    ax.imshow(mosaic)
    ax.set_axis_off()
    palette = dict(zip(catalog.classes, sns.color_palette("bright", len(catalog.classes)),
                       strict=True))
    if boxes and len(catalog.objects):
        chosen = catalog.objects[catalog.objects["sample_id"].isin(ids)]
        position = {s: divmod(k, n_cols) for k, s in enumerate(ids)}
        for row in chosen.itertuples():  # only the few boxes on show
            r, c = position[row.sample_id]
            ax.add_patch(Rectangle((c * cell + row.x * size, r * cell + row.y * size),
                                   row.w * size, row.h * size, fill=False, linewidth=1.2,
                                   edgecolor=palette[row.label]))
    if titles:
        labels = samples.loc[ids]
        for k, sample_id in enumerate(ids):
            r, c = divmod(k, n_cols)
            text = _caption(labels.loc[sample_id], catalog)
            ax.text(c * cell + 2, r * cell + size - 3, text, fontsize=6, color="white",
                    va="bottom", bbox={"facecolor": "black", "alpha": 0.55, "pad": 1,
                                       "linewidth": 0})
    return ax


def _caption(row: pd.Series, catalog: Catalog) -> str:
    parts = [str(row["label"])] if "label" in row.index and pd.notna(row["label"]) else []
    parts += [str(row[c]) for c in catalog.conditions[:1]]
    return " · ".join(parts)


def share_deviation(report, *, ax=None):
    """Per class, its share in each split minus its share overall (percentage points)."""
    overall = report.counts.sum(axis=1) / report.sizes.sum()
    deviation = (report.shares.sub(overall, axis=0) * 100).reset_index().melt(
        id_vars="class", var_name="split", value_name="points")
    ax = _axes(ax, (7, 0.45 * len(report.counts) + 1.6))
    sns.barplot(data=deviation, y="class", x="points", hue="split", orient="h", ax=ax)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("share in split - share overall (percentage points)")
    ax.set_ylabel("")
    ax.set_title(f"Deviation from the overall class mix (LD {report.label_distribution:.4f})")
    sns.despine(ax=ax)
    return ax


def share_deviations(reports: dict, *, axes=None):
    """:func:`share_deviation` for several splits side by side, on one shared x-axis."""
    if axes is None:
        n_classes = len(next(iter(reports.values())).counts)
        _, axes = plt.subplots(1, len(reports), figsize=(5.5 * len(reports), 0.45 * n_classes
                                                         + 1.8), sharex=True, sharey=True,
                               layout="constrained", squeeze=False)
        axes = axes.ravel()
    for ax, (name, report) in zip(axes, reports.items(), strict=True):
        share_deviation(report, ax=ax)
        ax.set_title(f"{name}: LD {report.label_distribution:.4f}")
    for ax in axes[1:]:
        ax.get_legend().remove()
    return axes


def plan_bars(plan, *, ax=None, log: bool = True):
    """Per class: samples before (original) and per epoch under the plan, caps marked."""
    frame = plan.to_frame().sort_values("count", ascending=False)
    ax = _axes(ax, (7, 0.45 * len(frame) + 1.6))
    y = np.arange(len(frame))
    ax.barh(y - 0.2, frame["count"], height=0.4, label="original", color="#adb5bd")
    colours = frame["binding"].map({"cap": STATUS_COLOURS["fail"], "floor":
                                    STATUS_COLOURS["warn"], "none": sns.color_palette()[0]})
    ax.barh(y + 0.2, frame["effective"], height=0.4, color=colours, label="per epoch")
    ax.set_yticks(y, frame.index.astype(str))
    ax.invert_yaxis()
    if log:
        ax.set_xscale("log")
    for yi, (eff, mult, bind) in enumerate(zip(frame["effective"], frame["multiplier"],
                                               frame["binding"], strict=True)):
        ax.annotate(f"{eff:,} ({mult:.2g}x{', ' + bind if bind != 'none' else ''})",
                    (eff, yi + 0.2), xytext=(3, 0), textcoords="offset points", va="center",
                    fontsize=8)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_xlabel("samples" + (" (log scale)" if log else ""))
    ax.set_title(f"Resampling plan: {plan.total:,} samples per epoch\n(red: held at the "
                 f"{plan.max_oversample:g}x cap, yellow: at the keep floor)")
    sns.despine(ax=ax)
    return ax


def repeat_side_effects(factors, *, ax=None):
    """Instances per class per epoch before and after repeat-factor sampling."""
    table = factors.class_table.sort_values("instances_before", ascending=False)
    ax = _axes(ax, (7, 0.45 * len(table) + 1.6))
    y = np.arange(len(table))
    ax.barh(y - 0.2, table["instances_before"], height=0.4, color="#adb5bd", label="before")
    ax.barh(y + 0.2, table["instances_after"], height=0.4, color=sns.color_palette()[0],
            label="after repeats")
    for yi, gain in enumerate(table["gain"]):
        ax.annotate(f"x{gain:.2f}", (table["instances_after"].iloc[yi], yi + 0.2),
                    xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(y, table.index.astype(str))
    ax.invert_yaxis()
    ax.legend(loc="lower right", fontsize=8)
    ax.set_xlabel("instances per epoch (expected)")
    ax.set_title(f"Repeat factors (t = {factors.threshold:g}): every class in a repeated image "
                 "rides along")
    sns.despine(ax=ax)
    return ax


def preview_grid(preview, *, ax=None, size: int = 128, mask_alpha: float = 0.35):
    """Each row: an original, then its augmented versions; boxes drawn, mask pixels tinted.

    If the boxes and the tinted mask sit on the defect in every version, geometry and
    labels moved together.
    """
    n_rows = len(preview.originals)
    n_cols = 1 + max(len(a) for a in preview.augmented)
    pad = 4
    cell = size + pad
    mosaic = np.full((n_rows * cell, n_cols * cell, 3), 255, dtype=np.uint8)
    ax = _axes(ax, (n_cols * 1.6, n_rows * 1.7))
    tint = np.array([255, 40, 200], dtype=float)
    rectangles = []
    for r, (original, versions) in enumerate(zip(preview.originals, preview.augmented,
                                                 strict=True)):
        for c, item in enumerate([original, *versions]):
            image = np.asarray(Image.fromarray(item["image"]).resize((size, size)), dtype=float)
            mask = item.get("mask")
            if mask is not None:
                small = np.asarray(Image.fromarray(np.asarray(mask, np.uint8)).resize(
                    (size, size), Image.NEAREST))
                on = small > 0
                image[on] = (1 - mask_alpha) * image[on] + mask_alpha * tint
            mosaic[r * cell:r * cell + size, c * cell:c * cell + size] = image.astype(np.uint8)
            for x0, y0, x1, y1 in np.asarray(item["bboxes"], float).reshape(-1, 4):
                rectangles.append((c * cell + x0 * size, r * cell + y0 * size,
                                   (x1 - x0) * size, (y1 - y0) * size))
    ax.imshow(mosaic)
    for x, y, w, h in rectangles:
        ax.add_patch(Rectangle((x, y), w, h, fill=False, edgecolor="#00e5ff", linewidth=1.1))
    for c in range(n_cols):
        ax.text(c * cell + size / 2, -6, "original" if c == 0 else f"augmented {c}",
                ha="center", fontsize=8)
    ax.set_axis_off()
    ax.set_title(f"{preview.cls}: strength {preview.strength:.2f}", pad=14)
    return ax
