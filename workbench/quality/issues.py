"""Label issues: per box, duplicate boxes (same class, IoU >= 0.9), boxes nested in a box
of another class, degenerate boxes, and aspect-ratio or area outliers within their class
(robust z-score on the logarithm, boxes cut by the image border left out: their shape is
the cut's); per image, near-duplicates. One row per finding, by file and box, and a
count per class.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.catalog_schema import rows_of
from workbench.errors import Lacks
from workbench.measure import image_class_pairs
from workbench.quality.duplicates import NearDuplicates
from workbench.sources.boxes import DUPLICATE_IOU, box_pairs, corners, pair_iou

ROBUST_Z = 3.5           # |modified z| above this is an outlier (Iglewicz and Hoaglin)
NESTED_TOLERANCE = 0.02  # a box "inside" another may stick out by 2% of the image
DEGENERATE_PIXELS = 2    # a box narrower or lower than this many pixels marks nothing
FINDINGS = ("duplicate box", "nested in another class", "degenerate box", "aspect outlier",
            "area outlier", "near-duplicate image")


def robust_z(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Modified z-score within each group: ``0.6745 (x - median) / MAD`` (Iglewicz and
    Hoaglin); where the MAD is 0 (most values equal), ``(x - median) / (1.2533 MeanAD)``
    as they advise; 0 where every value is equal.

    Parameters
    ----------
    values : numpy.ndarray
        The values.
    groups : numpy.ndarray
        A group per value.

    Returns
    -------
    numpy.ndarray of float
        One z-score per value.

    Examples
    --------
    >>> robust_z(np.array([1.0, 2, 3, 4, 100]), np.zeros(5, int)).round(1).tolist()
    [-1.3, -0.7, 0.0, 0.7, 65.4]
    >>> robust_z(np.array([5.0, 5, 5, 5, 9]), np.zeros(5, int)).round(2).tolist()
    [0.0, 0.0, 0.0, 0.0, 3.99]
    """
    frame = pd.DataFrame({"x": values, "g": groups})
    median = frame.groupby("g")["x"].transform("median")
    deviation = (frame["x"] - median).abs()
    mad = deviation.groupby(frame["g"]).transform("median")
    mean_ad = deviation.groupby(frame["g"]).transform("mean")
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(mad > 0, 0.6745 * (frame["x"] - median) / mad,
                     (frame["x"] - median) / (1.253314 * mean_ad))
    return np.nan_to_num(np.asarray(z, float), nan=0.0, posinf=0.0, neginf=0.0)


@dataclass(frozen=True)
class LabelIssues:
    """One row per finding: ``sample_id``, ``box`` (1-based, within its image; 0 for an
    image finding), ``label``, ``finding``, ``detail``, ``score`` (larger is worse)."""

    table: pd.DataFrame
    classes: tuple[str, ...]

    def __repr__(self) -> str:
        return f"LabelIssues({len(self.table)} findings over {len(self.classes)} classes)"

    def per_class(self) -> pd.DataFrame:
        """Counts of each finding per class (every class, every finding).

        Returns
        -------
        pandas.DataFrame
            class x finding counts.
        """
        counts = pd.crosstab(pd.Categorical(self.table["label"], categories=list(self.classes)),
                             pd.Categorical(self.table["finding"], categories=list(FINDINGS)),
                             dropna=False)
        counts.index.name, counts.columns.name = "class", "finding"
        return counts

    def worst(self, n: int = 12) -> pd.Index:
        """The images with the most (and worst) findings, worst first.

        Parameters
        ----------
        n : int
            How many images.

        Returns
        -------
        pandas.Index
            Sample ids, by summed finding score.
        """
        per_image = self.table.groupby("sample_id")["score"].sum().sort_values(
            ascending=False, kind="stable")
        return per_image.index[:n]

    def to_frame(self) -> pd.DataFrame:
        """The findings.

        Returns
        -------
        pandas.DataFrame
            One row per finding: sample_id, box, label, finding, detail, score.
        """
        return self.table


def label_issues(catalog: Catalog, *, duplicates: NearDuplicates | None = None,
                 iou: float = DUPLICATE_IOU, z: float = ROBUST_Z) -> LabelIssues:
    """The findings that inflate or hide a class (see the module), one row each.

    Box findings need boxes (:class:`Lacks` without); near-duplicate images are added
    when ``duplicates`` is given (every image of a group but its first).

    Parameters
    ----------
    catalog : Catalog
        Any task.
    duplicates : NearDuplicates, optional
        Adds the near-duplicate images.
    iou : float
        Overlap from which two same-class boxes are duplicates.
    z : float
        Robust z-score (of the log area or aspect, within the class) beyond which a box
        is an outlier.

    Returns
    -------
    LabelIssues
        The findings, highest score first.
    """
    if not len(catalog.objects) and duplicates is None:
        raise Lacks("This dataset has no boxes, so there are no box findings: duplicate, "
                    "nested, degenerate or outlier boxes need a detection set.")
    rows = []
    objects = catalog.objects
    if len(objects):
        rows += _box_findings(catalog, iou=iou, z=z)
    if duplicates is not None:
        rows += _duplicate_findings(catalog, duplicates)
    table = pd.DataFrame(rows, columns=["sample_id", "box", "label", "finding", "detail",
                                        "score"])
    table = table.sort_values(["score", "sample_id"], ascending=[False, True], kind="stable")
    return LabelIssues(table=table.reset_index(drop=True), classes=tuple(catalog.classes))


def _box_findings(catalog: Catalog, *, iou: float, z: float) -> list[dict]:
    objects = catalog.objects
    image = rows_of(objects)
    width = catalog.samples["width"].to_numpy(float)[image]
    height = catalog.samples["height"].to_numpy(float)[image]
    box = corners(objects)
    number = objects.groupby("sample_id", observed=True).cumcount().to_numpy() + 1
    ids = objects["sample_id"].astype(str).to_numpy()
    labels = objects["label"].astype(str).to_numpy()
    pixels = np.column_stack([box[:, 0] * width, box[:, 1] * height, box[:, 2] * width,
                              box[:, 3] * height]).round().astype(int)
    out = []

    def add(k, finding, detail, score):
        out.append({"sample_id": ids[k], "box": int(number[k]), "label": labels[k],
                    "finding": finding, "detail": f"{detail}; box {pixels[k].tolist()} px",
                    "score": float(score)})

    a, b = box_pairs(objects)
    overlap = pair_iou(box, a, b)
    for i, j, v in zip(a[overlap >= iou], b[overlap >= iou], overlap[overlap >= iou],
                       strict=True):
        add(j, "duplicate box", f"IoU {v:.2f} with box {number[i]}", 1 + v)
    a, b = box_pairs(objects, same_class=False)
    other = labels[a] != labels[b]
    a, b = a[other], b[other]
    t = NESTED_TOLERANCE
    inside = ((box[a, 0] >= box[b, 0] - t) & (box[a, 1] >= box[b, 1] - t)
              & (box[a, 2] <= box[b, 2] + t) & (box[a, 3] <= box[b, 3] + t))
    inside_b = ((box[b, 0] >= box[a, 0] - t) & (box[b, 1] >= box[a, 1] - t)
                & (box[b, 2] <= box[a, 2] + t) & (box[b, 3] <= box[a, 3] + t))
    for inner, outer in [(a[inside & ~inside_b], b[inside & ~inside_b]),
                         (b[inside_b & ~inside], a[inside_b & ~inside])]:
        for i, j in zip(inner, outer, strict=True):
            add(i, "nested in another class", f"inside box {number[j]} ({labels[j]})", 1)
    w_px = pixels[:, 2] - pixels[:, 0]
    h_px = pixels[:, 3] - pixels[:, 1]
    tiny = (np.minimum((box[:, 2] - box[:, 0]) * width, (box[:, 3] - box[:, 1]) * height)
            < DEGENERATE_PIXELS)
    for k in np.flatnonzero(tiny):
        add(k, "degenerate box", f"{w_px[k]}x{h_px[k]} px", 2)
    codes = objects["label"].cat.codes.to_numpy()
    # a box cut by the image border (truncated) has the shape of the cut, not its class's
    edge = 1.0 / np.maximum(width, height)
    border = (box[:, 0] <= edge) | (box[:, 1] <= edge) | (box[:, 2] >= 1 - edge) | (
        box[:, 3] >= 1 - edge)
    if "truncated" in objects.columns:
        border |= objects["truncated"].fillna(False).astype(bool).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        aspect = np.log((box[:, 2] - box[:, 0]) * width / ((box[:, 3] - box[:, 1]) * height))
        area = np.log((box[:, 2] - box[:, 0]) * width * (box[:, 3] - box[:, 1]) * height)
    for name, values in (("aspect outlier", aspect), ("area outlier", area)):
        whole = ~tiny & ~border
        scores = np.zeros(len(values))
        scores[whole] = robust_z(np.nan_to_num(values[whole]), codes[whole])
        for k in np.flatnonzero(np.abs(scores) > z):
            what = "wider" if (name == "aspect outlier") == (scores[k] > 0) else "narrower"
            if name == "area outlier":
                what = "larger" if scores[k] > 0 else "smaller"
            add(k, name, f"{what} than its class (robust z {scores[k]:+.1f})",
                abs(scores[k]) / z)
    return out


def _duplicate_findings(catalog: Catalog, duplicates: NearDuplicates) -> list[dict]:
    group = duplicates.group.reindex(catalog.samples.index)
    later = group[(group >= 0) & group.duplicated()]  # every image of a group but its first
    first = group[(group >= 0) & ~group.duplicated()]
    first_of = pd.Series(first.index, index=first.to_numpy())
    rows, codes = image_class_pairs(catalog.subset(later.index))
    part = catalog.subset(later.index)
    out = []
    for row, code in zip(rows, codes, strict=True):  # only the duplicated images
        sample_id = part.samples.index[row]
        out.append({"sample_id": sample_id, "box": 0, "label": catalog.classes[code],
                    "finding": "near-duplicate image",
                    "detail": f"near-identical to {first_of[group[sample_id]]}", "score": 1.0})
    return out
