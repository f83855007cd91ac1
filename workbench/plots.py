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
from matplotlib.patches import Patch, Rectangle
from PIL import Image

from workbench.catalog import Catalog
from workbench.errors import Missing
from workbench.measure import ClassCounts, HiddenImbalance, LongTail, backdrop_class
from workbench.sources.files import read_image
from workbench.sources.pixels import read_mask

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
    """One colour per class, the same in every figure of a dataset."""
    classes = [str(c) for c in classes]
    palette = (sns.color_palette("tab10", len(classes)) if len(classes) <= 10 else
               sns.color_palette("tab20", len(classes)) if len(classes) <= 20 else
               sns.color_palette("husl", len(classes)))
    return dict(zip(classes, palette, strict=True))


def head_and_tail(index: Sequence, n: int = MAX_CLASSES) -> tuple[list, list, list]:
    """The head and the tail of an ordered list to draw, and the middle left between.

    Up to ``n`` items are all head; beyond, the first ``n // 2`` and the last
    ``n - n // 2 - 1``, so that one more row can stand for the middle.

    >>> head, middle, tail = head_and_tail(list(range(100)), n=6)
    >>> head, len(middle), tail
    ([0, 1, 2], 95, [98, 99])
    """
    items = list(index)
    if len(items) <= n:
        return items, [], []
    head, tail = n // 2, n - n // 2 - 1
    return items[:head], items[head:-tail], items[-tail:]


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
    """Cumulative share of the data against classes ranked by size, with 50% / 80% marks."""
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
    """Each class's share within each split (or stratum), side by side."""
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
    """The checklist as a pandas Styler, status cells coloured (HTML; survives in reports)."""
    if isinstance(checklist, Missing):
        return checklist
    rows = checklist.to_frame()[["status", "check", "subject", "value", "reason"]]
    return rows.style.map(
        lambda status: f"background-color: {STATUS_COLOURS.get(status, 'white')}",
        subset=["status"],
    ).hide(axis="index")


# -- pictures of samples -----------------------------------------------------------------------


def _fit(image: np.ndarray, size: int) -> tuple[np.ndarray, float, int, int]:
    """The image scaled to fit a ``size`` square, aspect kept, centred on white.

    Returns the square, the scale, and the left and top offsets of the picture in it.
    """
    h, w = image.shape[:2]
    scale = size / max(h, w)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    small = np.asarray(Image.fromarray(image).resize((nw, nh), Image.BILINEAR))
    square = np.full((size, size, 3), 255, dtype=np.uint8)
    left, top = (size - nw) // 2, (size - nh) // 2
    square[top:top + nh, left:left + nw] = small
    return square, scale, left, top


def _tint(square: np.ndarray, codes: np.ndarray, left: int, top: int,
          colours: np.ndarray, alpha: float) -> np.ndarray:
    """Mask pixels (class codes, -1 none) tinted with their class colour, in place."""
    h, w = square.shape[0] - 2 * top, square.shape[1] - 2 * left
    h, w = max(1, h), max(1, w)
    small = np.asarray(Image.fromarray(codes.astype(np.int32)).resize((w, h), Image.NEAREST))
    on = small >= 0
    if on.any():
        region = square[top:top + h, left:left + w].astype(float)
        region[on] = (1 - alpha) * region[on] + alpha * colours[small[on]] * 255
        square[top:top + h, left:left + w] = region.astype(np.uint8)
    return square


def _mosaic(n_rows: int, n_cols: int, size: int, pad: int = 4) -> np.ndarray:
    cell = size + pad
    return np.full((n_rows * cell, n_cols * cell, 3), 255, dtype=np.uint8)


def _legend(ax, names: Sequence[str], colours: dict, *, title: str | None = None) -> None:
    names = list(dict.fromkeys(names))
    if not names:
        return
    shown = names[:12]
    handles = [Patch(color=colours[n], label=n) for n in shown]
    if len(names) > 12:
        handles.append(Patch(color="white", label=f"+{len(names) - 12} more"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=MIN_FONT,
              title=title, title_fontsize=MIN_FONT, frameon=False)


def thumbnail_grid(catalog: Catalog, sample_ids: Sequence[str], *, ax=None, n_cols: int = 6,
                   size: int = 128, boxes: bool = True, masks: bool = True,
                   titles: bool = True, mask_alpha: float = 0.45, flagged=None):
    """A static grid of images with their boxes and masks: the samples behind a number.

    Each picture keeps its aspect ratio; boxes and mask pixels take their class's
    colour (:func:`class_colours`, legend at the side), boxes carry the class name. The
    caption under each picture lists the classes it contains and its first condition.
    ``flagged`` (a :class:`workbench.quality.LabelIssues`) draws the boxes it lists with
    a thick dashed outline and captions each picture with its first finding.
    For reports: the FiftyOne App does not survive in static HTML, this does.
    """
    if isinstance(catalog, Missing) or isinstance(sample_ids, Missing):
        return catalog if isinstance(catalog, Missing) else sample_ids
    ids = list(sample_ids)
    if not ids:
        ax = _axes(ax, (6, 1))
        ax.set_axis_off()
        ax.text(0.5, 0.5, "no sample to show", ha="center", va="center", fontsize=10)
        return ax
    n_cols = min(n_cols, len(ids))
    n_rows = int(np.ceil(len(ids) / n_cols))
    pad = 4
    cell = size + pad
    row_height = size + (22 if titles else pad)  # room for the caption under each picture
    mosaic = np.full((n_rows * row_height, n_cols * cell, 3), 255, dtype=np.uint8)
    colours = class_colours(catalog.classes)
    palette = np.array([colours[c] for c in catalog.classes])
    plain = backdrop_class(catalog)
    plain_code = list(catalog.classes).index(plain) if plain else -2
    samples = catalog.samples
    placed = {}
    used = []
    for k, sample_id in enumerate(ids):  # the few images on show
        r, c = divmod(k, n_cols)
        square, scale, left, top = _fit(read_image(samples.loc[sample_id, "filepath"]), size)
        if masks and catalog.has_masks and pd.notna(samples.loc[sample_id, "mask_path"]):
            codes = catalog.mask_codes(read_mask(samples.loc[sample_id, "mask_path"]))
            codes[codes == plain_code] = -1
            square = _tint(square, codes, left, top, palette, mask_alpha)
            used += [catalog.classes[i] for i in np.unique(codes[codes >= 0])]
        mosaic[r * row_height:r * row_height + size, c * cell:c * cell + size] = square
        placed[sample_id] = (c * cell + left, r * row_height + top, size - 2 * left,
                             size - 2 * top)
    ax = _axes(ax, (min(MAX_WIDTH, n_cols * 1.6 + 1.6), n_rows * 1.6 * row_height / cell + 0.2))
    ax.imshow(mosaic)
    ax.set_axis_off()
    if boxes and len(catalog.objects):
        chosen = catalog.objects[catalog.objects["sample_id"].isin(ids)]
        named = _boxes_to_name(chosen, catalog)
        number = catalog.objects.groupby("sample_id", observed=True).cumcount().loc[
            chosen.index].to_numpy() + 1
        marked = set()
        if flagged is not None:
            marked = set(zip(flagged.table["sample_id"].astype(str), flagged.table["box"],
                             strict=True))
        for row, name, k in zip(chosen.itertuples(), named, number, strict=True):
            x, y, w, h = placed[str(row.sample_id)]
            label = str(row.label)
            hit = (str(row.sample_id), int(k)) in marked
            ax.add_patch(Rectangle((x + row.x * w, y + row.y * h), row.w * w, row.h * h,
                                   fill=False, linewidth=2.6 if hit else 1.2,
                                   linestyle="--" if hit else "-", edgecolor=colours[label]))
            if name:
                ax.text(x + row.x * w, y + row.y * h, label, fontsize=MIN_FONT, va="bottom",
                        color="white", bbox={"facecolor": colours[label], "pad": 0.5,
                                             "linewidth": 0, "alpha": 0.85})
            used.append(label)
    if titles:
        texts = captions(catalog, ids)
        if flagged is not None:
            first = flagged.table.drop_duplicates("sample_id").set_index("sample_id")["finding"]
            texts = [first.get(i, t) for i, t in zip(ids, texts, strict=True)]
        for k, caption in enumerate(texts):
            r, c = divmod(k, n_cols)
            ax.text(c * cell + size / 2, r * row_height + size + 3, caption, fontsize=MIN_FONT,
                    ha="center", va="top")
    _legend(ax, used, colours, title="classes" + (f"\n({plain} not tinted)"
                                                  if plain and catalog.has_masks else ""))
    return ax


def _boxes_to_name(boxes: pd.DataFrame, catalog: Catalog, *, max_named: int = 6) -> np.ndarray:
    """Which boxes get their class name written: all in an image with few boxes, else
    those of the image's rarest class (by instances; the colour legend names the rest)."""
    from workbench.measure import class_counts, default_unit

    total = class_counts(catalog, unit=default_unit(catalog)).total
    rank = {str(c): i for i, c in enumerate(total.sort_values(kind="stable").index)}
    frame = pd.DataFrame({"s": boxes["sample_id"].astype(str).to_numpy(),
                          "r": boxes["label"].astype(str).map(rank).to_numpy()})
    few = frame.groupby("s")["r"].transform("size") <= max_named
    rarest = frame["r"] == frame.groupby("s")["r"].transform("min")
    return (few | rarest).to_numpy()


def captions(catalog: Catalog, sample_ids: Sequence[str]) -> list[str]:
    """Per image: the classes it contains (its label first, then the rarest ones) and its
    first condition's value; "no object" for a negative."""
    from workbench.measure import class_order, image_class_pairs

    part = catalog.subset(sample_ids)
    rows, codes = image_class_pairs(part)
    rank = {c: i for i, c in enumerate(class_order(catalog)[::-1])}  # rarest first
    names = {}
    for row, code in zip(rows, codes, strict=True):  # the few images on show
        names.setdefault(part.samples.index[row], []).append(part.classes[code])
    out = []
    for sample_id in sample_ids:
        row = part.samples.loc[sample_id]
        label = str(row["label"]) if "label" in row.index and pd.notna(row["label"]) else None
        found = sorted(set(names.get(sample_id, [])) - {label}, key=rank.get)
        found = ([label] if label else []) + found
        text = (", ".join(found[:2]) + (" ..." if len(found) > 2 else "")) if found else \
            "no object"
        out.append(" · ".join([text] + [str(row[c]) for c in catalog.conditions[:1]
                                         if pd.notna(row[c])]))
    return out


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
    (those deviating most anywhere), one x-axis, one legend for all split names."""
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
    """Per class: samples before (original) and per epoch under the plan, caps marked."""
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
    """Instances per class per epoch before and after repeat-factor sampling."""
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


def preview_grid(preview, *, ax=None, size: int = 128, mask_alpha: float = 0.45):
    """Each row: an original, then its augmented versions; boxes and mask pixels in their
    class's colour (legend at the side). Pictures keep their aspect ratio.

    If the boxes and the tinted mask sit on the object in every version, geometry and
    labels moved together.
    """
    if isinstance(preview, Missing):
        return preview
    n_rows = len(preview.originals)
    n_cols = 1 + max(len(a) for a in preview.augmented)
    pad = 4
    cell = size + pad
    mosaic = _mosaic(n_rows, n_cols, size, pad)
    classes = list(preview.classes) or sorted({lab for o in preview.originals
                                                for lab in o["labels"]})
    colours = class_colours(classes)
    palette = np.array([colours[c] for c in classes])
    ax = _axes(ax, (min(MAX_WIDTH, n_cols * 1.55 + 1.6), n_rows * 1.7))
    rectangles, used = [], []
    for r, (original, versions) in enumerate(zip(preview.originals, preview.augmented,
                                                 strict=True)):
        for c, item in enumerate([original, *versions]):
            image = item["image"]
            if image.dtype != np.uint8:
                image = (np.clip(image, 0, 1) * 255).astype(np.uint8)
            square, _, left, top = _fit(image, size)
            mask = item.get("mask")
            if mask is not None and preview.mask_values:
                from workbench.mask_values import mask_class_codes

                codes = mask_class_codes(mask, preview.mask_values, preview.ignore_index)
                if preview.untinted in classes:
                    codes[codes == classes.index(preview.untinted)] = -1
                square = _tint(square, codes, left, top, palette, mask_alpha)
                used += [classes[i] for i in np.unique(codes[codes >= 0])]
            mosaic[r * cell:r * cell + size, c * cell:c * cell + size] = square
            w, h = size - 2 * left, size - 2 * top
            for (x0, y0, x1, y1), label in zip(np.asarray(item["bboxes"], float).reshape(-1, 4),
                                               item["labels"], strict=True):
                rectangles.append((c * cell + left + x0 * w, r * cell + top + y0 * h,
                                   (x1 - x0) * w, (y1 - y0) * h, str(label)))
                used.append(str(label))
    ax.imshow(mosaic)
    for x, y, w, h, label in rectangles:
        ax.add_patch(Rectangle((x, y), w, h, fill=False, edgecolor=colours.get(label, "cyan"),
                               linewidth=1.2))
    for c in range(n_cols):
        ax.text(c * cell + size / 2, -6, "original" if c == 0 else f"augmented {c}",
                ha="center", fontsize=MIN_FONT)
    ax.set_axis_off()
    _legend(ax, [u for u in used if u in colours], colours, title="classes" + (
        f"\n({preview.untinted} not tinted)" if preview.untinted else ""))
    ax.set_title(f"{preview.cls}: strength {preview.strength:.2f}", pad=14, fontsize=10)
    return ax
