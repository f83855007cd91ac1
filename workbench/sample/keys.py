"""What a plan counts: one sampling key per image (its rarest class)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.measure import image_class_pairs

NO_OBJECT = "(no object)"  # the key of a detection or segmentation image with no class


def key_unit(catalog: Catalog) -> str:
    """The unit rarity is measured in: instances, else pixels, else images.

    Parameters
    ----------
    catalog : Catalog
        Any task.

    Returns
    -------
    str
        "instances" when the catalog has boxes, "pixels" when it has pixel counts, else
        "images".
    """
    return ("instances" if len(catalog.objects) else "pixels" if len(catalog.pixels)
            else "images")


def rarity_rank(catalog: Catalog) -> np.ndarray:
    """Each class's rank from rarest (0) in :func:`key_unit`; classes with none (and the
    background) rank last.

    Parameters
    ----------
    catalog : Catalog
        Any task.

    Returns
    -------
    numpy.ndarray of int64
        One rank per class of ``catalog.classes``, in that order; 0 is the rarest.
    """
    from workbench.measure import class_counts

    total = class_counts(catalog, unit=key_unit(catalog)).total
    total.index = total.index.astype(str)
    counts = total.reindex(list(catalog.classes)).to_numpy(float, copy=True)
    counts[~(counts > 0)] = np.inf
    if catalog.background is not None:
        counts[list(catalog.classes).index(catalog.background)] = np.inf
    return np.argsort(np.argsort(counts, kind="stable"), kind="stable")


def sampling_keys(catalog: Catalog) -> pd.Series:
    """One key per image, the class a resampling plan counts it under.

    An image's key is its image ``label`` when it has one; otherwise (detection and
    segmentation) the rarest class it contains, rarest in the task's own unit: fewest
    instances for detection, fewest pixels for segmentation (so an image with a platelet
    and ten red cells is drawn as a platelet image). Images with no class at all are
    negatives, keyed ``"(no object)"`` (a detection image without boxes);
    classification images without a label are left out.

    Why a class has fewer keys than images containing it: an image holding two classes
    counts for both in :func:`workbench.measure.class_counts` but is keyed once, by the
    rarer one. When every image holds the common class, resampling images cannot
    change the instance mix much: :func:`plan_instance_mix` says by how much it does.

    Parameters
    ----------
    catalog : Catalog
        Any task; the rarity of a class is counted in :func:`key_unit`.

    Returns
    -------
    pandas.Series (categorical)
        Indexed by sample id, named "key": one class name per image, ``"(no object)"``
        for an image without any.

    Examples
    --------
    >>> s = pd.DataFrame({"filepath": list("abc"), "width": 4, "height": 4}, index=list("abc"))
    >>> o = pd.DataFrame({"sample_id": ["a", "a", "b"], "label": ["rbc", "platelet", "rbc"],
    ...                   "x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2})
    >>> sampling_keys(Catalog(s, classes=["rbc", "platelet"], task="detection",
    ...                       objects=o)).tolist()
    ['platelet', 'rbc', '(no object)']
    """
    n = len(catalog)
    names = [*catalog.classes, NO_OBJECT]
    key = np.full(n, len(catalog.classes), dtype=np.int64)  # NO_OBJECT until a class is found
    rows, codes = image_class_pairs(catalog)
    if len(rows):
        rank = rarity_rank(catalog)
        best = np.full(n, np.iinfo(np.int64).max)
        np.minimum.at(best, rows, rank[codes])
        by_rank = np.argsort(rank)
        found = best < len(catalog.classes)
        key[found] = by_rank[best[found]]
    labelled = np.zeros(n, dtype=bool)
    if "label" in catalog.samples.columns:
        label = catalog.samples["label"].cat.codes.to_numpy()
        labelled = label >= 0
        key[labelled] = label[labelled]
    keys = pd.Series(pd.Categorical.from_codes(key, categories=names), index=catalog.samples.index,
                     name="key")
    if catalog.task == "classification":
        keys = keys[labelled]
    used = [c for c in names if c in set(keys)]
    return keys.cat.set_categories(used)
