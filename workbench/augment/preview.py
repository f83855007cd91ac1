"""Before and after: a class's images and their augmented copies, to look at."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.augment.policy import DEFAULT_FAMILIES, apply, policy
from workbench.augment.strength import class_strengths
from workbench.catalog import Catalog
from workbench.errors import DataError, check_option
from workbench.measure import backdrop_class, class_counts, image_class_pairs
from workbench.sources.files import read_image
from workbench.sources.pixels import read_mask


@dataclass(frozen=True)
class Preview:
    """Originals of one class next to augmented versions, with boxes and masks.

    ``classes``, ``mask_values`` and ``ignore_index`` say what the mask values mean, so
    a figure can colour each class.
    """

    cls: str
    strength: float
    originals: list[dict]   # each: image, bboxes, labels, mask, sample_id
    augmented: list[list[dict]]  # per original: n results
    classes: tuple[str, ...] = ()
    mask_values: tuple[int, ...] = ()
    ignore_index: int | None = 255
    untinted: str | None = None  # the class a figure leaves untinted (background, road)

    def __repr__(self) -> str:
        n = sum(len(a) for a in self.augmented)
        return (f"Preview({self.cls} at strength {self.strength:.2f}: {len(self.originals)} "
                f"originals, {n} augmented)")

    def to_frame(self) -> pd.DataFrame:
        """One row per augmented version.

        Returns
        -------
        pandas.DataFrame
            sample_id, version, boxes (count kept), transforms (names applied).
        """
        rows = [{"sample_id": o["sample_id"], "version": v, "boxes": len(a["bboxes"]),
                 "transforms": ", ".join(t[0] for t in a.get("applied_transforms", []))}
                for o, augs in zip(self.originals, self.augmented, strict=True)
                for v, a in enumerate(augs)]
        return pd.DataFrame(rows)


def read_sample(catalog: Catalog, sample_id: str) -> dict:
    """One sample as arrays: the image as the user sees it (RGB uint8, EXIF rotation
    applied, 16-bit scaled), relative corner boxes, box labels, the stored mask.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    sample_id : str
        A sample id of ``catalog``.

    Returns
    -------
    dict
        ``image``, ``bboxes`` (relative x_min, y_min, x_max, y_max), ``labels``, ``mask``
        (stored values, or None), ``label`` (or None), ``sample_id``.
    """
    row = catalog.samples.loc[sample_id]
    image = read_image(row["filepath"])
    objects = catalog.objects[catalog.objects["sample_id"] == sample_id]
    boxes = objects[["x", "y", "w", "h"]].to_numpy(float)
    corners = np.column_stack([boxes[:, 0], boxes[:, 1], boxes[:, 0] + boxes[:, 2],
                               boxes[:, 1] + boxes[:, 3]]) if len(boxes) else np.zeros((0, 4))
    mask = None
    if "mask_path" in catalog.samples.columns and pd.notna(row["mask_path"]):
        mask = read_mask(row["mask_path"])
        mask = mask.astype(np.uint16 if mask.max(initial=0) > 255 else np.uint8)
    label = row["label"] if "label" in row.index and pd.notna(row["label"]) else None
    return {"image": image, "bboxes": corners, "labels": objects["label"].astype(str).tolist(),
            "mask": mask, "label": label, "sample_id": sample_id}


def fill_value(catalog: Catalog) -> int:
    """The mask value for pixels a rotation brings in: the ignore index (else 0).

    Parameters
    ----------
    catalog : Catalog
        Any task.

    Returns
    -------
    int
        A stored mask value.
    """
    return catalog.ignore_index if catalog.ignore_index is not None else 0


def preview(catalog: Catalog, cls: str, *, n: int = 4, n_originals: int = 3,
            strength: float | None = None, seed: int = 0,
            families: Sequence[str] = DEFAULT_FAMILIES) -> Preview:
    """``n`` augmented versions of ``n_originals`` images containing ``cls``.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    cls : str
        A class of ``catalog``.
    n : int
        Augmented versions per image.
    n_originals : int
        Images, drawn at random among those containing ``cls``.
    strength : float, optional
        In [0, 1]; default the class's own strength from the image counts (at global
        strength 1).
    seed : int
        Draws the images and the transforms.
    families : sequence of str
        Transform families (:data:`FAMILIES`).

    Returns
    -------
    Preview
        The originals and their augmented versions.
    """
    check_option("cls", cls, list(catalog.classes), func="preview")
    if strength is None:
        strength = float(class_strengths(class_counts(catalog))[cls])
    compose = policy(strength, families=families, task=catalog.task, seed=seed,
                     fill_mask=fill_value(catalog))
    rows, codes = image_class_pairs(catalog)
    ids = catalog.samples.index[np.unique(rows[codes == catalog.classes.index(cls)])]
    if not len(ids):
        raise DataError(f"No image contains {cls!r}; nothing to preview.")
    chosen = ids[np.random.default_rng(seed).permutation(len(ids))[:n_originals]]
    originals, augmented = [], []
    for sample_id in chosen:  # a handful of images
        sample = read_sample(catalog, sample_id)
        originals.append(sample)
        augmented.append([apply(compose, sample) for _ in range(n)])
    return Preview(cls=cls, strength=float(strength), originals=originals, augmented=augmented,
                   classes=tuple(catalog.classes), mask_values=tuple(catalog.mask_values),
                   ignore_index=catalog.ignore_index, untinted=backdrop_class(catalog))
