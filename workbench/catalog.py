"""The Catalog: one data model for classification, detection and segmentation.

A Catalog is a frozen value of pandas tables:

- ``samples``: one row per image, indexed by ``sample_id``: ``filepath``, ``width``,
  ``height``, optional ``label`` (classification), ``split``, ``group`` (what must not
  straddle splits), ``mask_path`` (segmentation) and condition columns.
- ``objects``: one row per box: ``sample_id``, ``label``, relative ``x, y, w, h`` in
  [0, 1] (FiftyOne's convention), optional ``confidence`` and ``iscrowd``.
- ``pixels``: one row per (``sample_id``, ``label``) with the pixel ``count``.

Labels are pandas categoricals over ``classes``. The tables are checked when the
Catalog is built; every transformation returns a new Catalog. Treat the tables as
read-only: change a Catalog with :meth:`Catalog.replace`.

Masks store one value per pixel: ``mask_values`` says which value each class has
(0..k-1 unless a class map says otherwise, e.g. COCO-stuff's ids with gaps) and
``ignore_index`` which value marks unlabelled pixels. ``problems`` is what the loader
skipped, clipped or merged, one row per file and item.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.catalog_schema import (
    PROBLEM_COLUMNS,
    TASKS,
    _canonical,
    _check_classes,
    _check_mask_values,
    _check_objects,
    _check_pixels,
    _check_samples,
    rows_of,
)
from workbench.errors import DataError, check_option, some
from workbench.mask_values import mask_class_codes


@dataclass(frozen=True, eq=False)
class Catalog:
    """The images of a dataset with their labels, boxes, pixel counts and conditions.

    ``objects`` (boxes) and ``pixels`` (pixel counts per image and class) are kept grouped
    by image in the samples' order, in the given order within each image.

    Examples
    --------
    >>> samples = pd.DataFrame({"filepath": ["a.png", "b.png"], "width": 8, "height": 8,
    ...                         "label": ["cat", "dog"]}, index=["a", "b"])
    >>> cat = Catalog(samples, classes=["cat", "dog"])
    >>> cat
    Catalog(classification, 2 images, 2 classes)
    >>> cat.samples["label"].tolist()
    ['cat', 'dog']
    """

    samples: pd.DataFrame
    classes: tuple[str, ...]
    task: str = "classification"
    objects: pd.DataFrame | None = None
    pixels: pd.DataFrame | None = None
    conditions: tuple[str, ...] = ()
    background: str | None = None
    """The class of "nothing else here" (intact surface, road): an image label and a mask
    value, never a box. Instance counts leave it out."""
    source: str | None = field(default=None, compare=False)
    """The directory the data was read from; exporters refuse to write inside it."""
    mask_values: tuple[int, ...] | None = None
    """The value each class has in the masks, in class order; None means 0..k-1."""
    ignore_index: int | None = 255
    """The mask value of unlabelled pixels, counted in no class."""
    problems: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    """What the loader found wrong: ``file``, ``item``, ``problem``, ``action``."""
    derived: tuple[str, ...] = field(default=(), compare=False)
    """The conditions computed from the pixels or labels (not shipped with the data)."""

    def __post_init__(self):
        check_option("task", self.task, TASKS, func="Catalog")
        classes = _check_classes(self.classes)
        samples = _check_samples(self.samples, classes)
        objects = _check_objects(self.objects, samples.index, classes)
        pixels = _check_pixels(self.pixels, samples.index, classes)
        conditions = tuple(self.conditions)
        object.__setattr__(self, "derived", tuple(c for c in self.derived if c in conditions))
        missing = [c for c in conditions if c not in samples.columns]
        if missing:
            raise DataError(
                f"Condition columns {some(missing)} are not columns of samples "
                f"(columns: {some(samples.columns, n=20)}). Add them or drop them from "
                "`conditions`."
            )
        if self.background is not None:
            check_option("background", self.background, classes, func="Catalog")
            boxed = objects["label"] == self.background
            if boxed.any():
                raise DataError(
                    f"{int(boxed.sum())} boxes are labelled {self.background!r}, the background "
                    "class. Background is what lies outside every box; drop those boxes or "
                    "choose another background."
                )
        if self.task == "classification" and "label" not in samples.columns:
            raise DataError(
                "A classification Catalog needs a 'label' column in samples; found columns "
                f"{some(samples.columns, n=20)}. Add the labels or use task='detection' / "
                "'segmentation'."
            )
        mask_values = _check_mask_values(self.mask_values, classes, self.ignore_index)
        problems = (self.problems if self.problems is not None else
                    pd.DataFrame({c: pd.Series(dtype=object) for c in PROBLEM_COLUMNS}))
        for name, value in [("classes", classes), ("samples", samples), ("objects", objects),
                            ("pixels", pixels), ("conditions", conditions),
                            ("mask_values", mask_values), ("problems", problems)]:
            object.__setattr__(self, name, value)
        table = objects if self.task == "detection" else pixels[pixels["count"].to_numpy() > 0]
        object.__setattr__(self, "_pairs", _distinct_pairs(table, len(classes)))

    @property
    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(row, class code) of each distinct class the boxes (detection) or masks
        (segmentation) put in an image, grouped by row in box order: found once, when the
        Catalog is made, since every count of images per class needs them."""
        return self._pairs

    # -- reading -----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.samples)

    def __repr__(self) -> str:
        parts = [self.task, f"{len(self.samples)} images", f"{len(self.classes)} classes"]
        if len(self.objects):
            parts.append(f"{len(self.objects)} boxes")
        if "split" in self.samples.columns:
            present = set(self.samples["split"].dropna())
            parts.append("splits " + "/".join(
                str(s) for s in self.samples["split"].cat.categories if s in present))
        if self.conditions:
            parts.append("conditions " + ", ".join(self.conditions))
        if len(self.problems):
            parts.append(f"{len(self.problems)} load problems")
        return f"Catalog({', '.join(parts)})"

    @property
    def sample_ids(self) -> pd.Index:
        return self.samples.index

    @property
    def has_masks(self) -> bool:
        """Whether some image has a class-index mask (``mask_path``)."""
        return "mask_path" in self.samples.columns and bool(
            self.samples["mask_path"].notna().any())

    def mask_codes(self, mask: np.ndarray) -> np.ndarray:
        """The class code of each pixel of a stored mask; -1 for ignored or unknown values.

        Parameters
        ----------
        mask : numpy.ndarray
            Stored mask values.

        Returns
        -------
        numpy.ndarray of int64
            Class codes, same shape.

        Examples
        --------
        >>> s = pd.DataFrame({"filepath": ["a"], "width": 2, "height": 1}, index=["a"])
        >>> c = Catalog(s, classes=["road", "car"], task="segmentation", mask_values=(0, 7))
        >>> c.mask_codes(np.array([[7, 255]])).tolist()
        [[1, -1]]
        """
        return mask_class_codes(mask, self.mask_values, self.ignore_index)

    # -- new values ---------------------------------------------------------------------

    def replace(self, **changes) -> Catalog:
        """A new Catalog with some fields changed (and checked again).

        Parameters
        ----------
        **changes
            Fields and their new values.

        Returns
        -------
        Catalog
            The new Catalog; with new classes, default 0..k-1 mask values follow them.

        Examples
        --------
        >>> s = pd.DataFrame({"filepath": ["a.png"], "width": 4, "height": 4, "label": ["x"]},
        ...                  index=["a"])
        >>> Catalog(s, classes=["x"]).replace(task="detection").task
        'detection'
        """
        if ("classes" in changes and "mask_values" not in changes
                and self.mask_values == tuple(range(len(self.classes)))):
            changes["mask_values"] = None  # the default 0..k-1 follows the new classes
        return dataclasses.replace(self, **changes)

    def subset(self, sample_ids: Iterable) -> Catalog:
        """The Catalog restricted to ``sample_ids`` (boxes and pixels follow).

        Parameters
        ----------
        sample_ids : iterable
            The images to keep.

        Returns
        -------
        Catalog
            Rows in their order in ``samples``.
        """
        keep = self.samples.index.isin(pd.Index(list(sample_ids), dtype=str))
        return self.replace(
            samples=self.samples.loc[keep],
            objects=self.objects[keep[rows_of(self.objects)]],
            pixels=self.pixels[keep[rows_of(self.pixels)]],
        )

    def split_subset(self, split: str) -> Catalog:
        """The images of one split (``catalog.samples['split'] == split``).

        Parameters
        ----------
        split : str
            A split name of the ``split`` column.

        Returns
        -------
        Catalog
            Those images.
        """
        if "split" not in self.samples.columns:
            raise DataError("This Catalog has no 'split' column; split it first.")
        names = self.samples["split"].dropna().unique().tolist()
        check_option("split", split, names, func="Catalog.split_subset")
        return self.subset(self.samples.index[self.samples["split"] == split])

    def equals(self, other: Catalog) -> bool:
        """Same task, classes, conditions and tables (row order does not matter).

        Parameters
        ----------
        other : Catalog
            The Catalog to compare with.

        Returns
        -------
        bool
            True when equal.
        """
        if not isinstance(other, Catalog):
            return False
        if (self.task, self.classes, set(self.conditions), self.background, self.mask_values,
                self.ignore_index) != (other.task, other.classes, set(other.conditions),
                                       other.background, other.mask_values, other.ignore_index):
            return False
        return all(
            _canonical(a).equals(_canonical(b))
            for a, b in [(self.samples, other.samples), (self.objects, other.objects),
                         (self.pixels, other.pixels)]
        )


# -- checks ------------------------------------------------------------------------------


def _distinct_pairs(table: pd.DataFrame, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """One (row, class code) per distinct pair of a table kept in image order (int32 rows
    and int16 codes: 6 bytes a pair, 0.3 GB for 50M boxes)."""
    from workbench.counting import first_in_image

    rows = table["sample_id"].cat.codes.to_numpy()
    codes = table["label"].cat.codes.to_numpy()
    keep = first_in_image(rows, codes, n_classes)
    return rows[keep].astype(np.int32), codes[keep].astype(np.int16)


def concat(parts: dict[str, Catalog]) -> Catalog:
    """One Catalog from several with the same classes, e.g. one per split file.

    The keys become the ``split`` column; sample ids that repeat across parts are
    prefixed with their key (``val/42``).

    Parameters
    ----------
    parts : dict of str to Catalog
        Split name -> part, with the same classes.

    Returns
    -------
    Catalog
        With a ``split`` column.
    """
    from workbench.errors import DataError

    items = list(parts.items())
    first = items[0][1]
    for name, part in items[1:]:
        if part.classes != first.classes:
            raise DataError(
                f"The {name!r} part has the classes {some(part.classes, n=10)} but the "
                f"{items[0][0]!r} part has {some(first.classes, n=10)}; the parts of one "
                "dataset need the same class list in the same order."
            )
    ids = pd.Index([i for _, part in items for i in part.samples.index])
    clash = set(ids[ids.duplicated()])
    samples, objects, pixels, problems = [], [], [], []
    for name, part in items:
        rename = {i: f"{name}/{i}" for i in part.samples.index if i in clash}
        samples.append(part.samples.rename(index=rename).assign(split=name))
        for table, out in ((part.objects, objects), (part.pixels, pixels)):
            table = table.assign(sample_id=table["sample_id"].astype(str).replace(rename))
            out.append(table)
        problems.append(part.problems)
    return first.replace(
        samples=pd.concat(samples), objects=pd.concat(objects, ignore_index=True),
        pixels=pd.concat(pixels, ignore_index=True),
        problems=pd.concat(problems, ignore_index=True),
        conditions=tuple(dict.fromkeys(c for _, p in items for c in p.conditions)),
    )


from workbench.contains import indicator  # noqa: E402, F401  (catalog.indicator)
