"""Pictures of the samples behind the numbers: thumbnail grids with boxes and mask tints,
captions, and augmented previews beside their originals."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.patches import Patch, Rectangle
from PIL import Image

from workbench.catalog import Catalog
from workbench.errors import Missing
from workbench.measure import backdrop_class
from workbench.plot_style import MAX_WIDTH, MIN_FONT, _axes, class_colours
from workbench.sources.files import read_image
from workbench.sources.pixels import read_mask


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

    Parameters
    ----------
    catalog : Catalog
        The dataset.
    sample_ids : sequence of str
        The images, in order.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.
    n_cols : int
        Pictures a row.
    size : int
        Side of a cell, in pixels.
    boxes, masks, titles : bool
        Draw the boxes, the masks, the captions.
    mask_alpha : float
        Opacity of the mask tint.
    flagged : LabelIssues, optional
        Findings to outline.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (a Missing is returned as it is).
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
    first condition's value; "no object" for a negative.

    Parameters
    ----------
    catalog : Catalog
        The dataset.
    sample_ids : sequence of str
        The images.

    Returns
    -------
    list of str
        One caption per image.
    """
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


def preview_grid(preview, *, ax=None, size: int = 128, mask_alpha: float = 0.45):
    """Each row: an original, then its augmented versions; boxes and mask pixels in their
    class's colour (legend at the side). Pictures keep their aspect ratio.

    If the boxes and the tinted mask sit on the object in every version, geometry and
    labels moved together.

    Parameters
    ----------
    preview : Preview
        From :func:`workbench.augment.preview`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new figure.
    size : int
        Side of a cell, in pixels.
    mask_alpha : float
        Opacity of the mask tint.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (a Missing is returned as it is).
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
