"""Each property binned into a few named levels, carried by the samples as conditions.

:func:`derived_conditions` bins each property (from :mod:`.pixels`, the header and
:mod:`.labels`) into named levels and returns a Catalog whose samples carry them as
conditions. Statistic properties are binned by this dataset's tertiles (dataset-relative:
"dark" is the darkest third); aspect and sizes by fixed thresholds, object counts by
tertiles of the images with objects. :func:`level_ranges` says which value range each
level covers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.conditions.labels import COCO_AREAS, label_properties, object_sizes
from workbench.conditions.pixels import image_statistics
from workbench.errors import check_option

PIXEL_PROPERTIES = ("brightness", "contrast", "sharpness")
HEADER_PROPERTIES = ("resolution", "aspect")
LABEL_PROPERTIES = ("objects", "smallest_object")
PROPERTIES = PIXEL_PROPERTIES + HEADER_PROPERTIES + LABEL_PROPERTIES
DEFAULT_PROPERTIES = PIXEL_PROPERTIES + HEADER_PROPERTIES  # label-derived: on request
LEVELS = {
    "brightness": ("dark", "normal", "bright"),
    "contrast": ("flat", "normal", "contrasty"),
    "sharpness": ("blurred", "normal", "sharp"),
    "resolution": ("low", "medium", "high"),
    "aspect": ("portrait", "square", "landscape"),
    "objects": ("none", "sparse", "typical", "crowded"),
    "smallest_object": ("none", "small", "medium", "large"),
}
ASPECT_EDGES = (0.9, 1.1)          # width / height: portrait below, landscape above


def bin_property(name: str, values: pd.Series) -> tuple[pd.Series, pd.DataFrame]:
    """A property's values binned into its named levels, and the range of each level.

    Brightness, contrast, sharpness and resolution: tertiles of this dataset (two levels,
    or one, when values tie). Aspect: fixed edges 0.9 and 1.1. Objects: "none" for 0,
    then tertiles of the positive counts. Smallest object: COCO area classes.

    Parameters
    ----------
    name : str
        A property of ``PROPERTIES``.
    values : pandas.Series
        Its raw value per image.

    Returns
    -------
    levels : pandas.Series (categorical)
        The level of each image.
    ranges : pandas.DataFrame
        The value range, images and binning of each level.

    Examples
    --------
    >>> levels, ranges = bin_property("brightness", pd.Series([10, 20, 30, 40, 50, 60.0]))
    >>> levels.tolist()
    ['dark', 'dark', 'normal', 'normal', 'bright', 'bright']
    >>> bin_property("objects", pd.Series([0, 1, 1, 1.0]))[0].tolist()
    ['none', 'typical', 'typical', 'typical']
    """
    check_option("property", name, PROPERTIES, func="bin_property")
    names = LEVELS[name]
    x = pd.Series(values, dtype=float).to_numpy()
    codes = np.full(len(x), -1, dtype=np.int64)
    if name == "aspect":  # portrait < 0.9 <= square <= 1.1 < landscape
        codes = (x >= ASPECT_EDGES[0]).astype(np.int64) + (x > ASPECT_EDGES[1])
        labels, method = list(names), "fixed edges (width / height)"
    elif name == "smallest_object":
        present = ~np.isnan(x)
        codes[~present] = 0
        codes[present] = 1 + np.searchsorted(np.asarray(COCO_AREAS, float), x[present],
                                             side="right")
        labels, method = list(names), "COCO area classes (pixels)"
    else:
        first = 1 if name == "objects" else 0  # "none" for images without objects
        present = ~np.isnan(x) & ((x > 0) if first else True)
        if first:
            codes[x == 0] = 0
        ordered = names[first:]
        seen = x[present]
        inner = np.unique(np.quantile(seen, [1 / 3, 2 / 3])) if present.any() else []
        inner = np.asarray([e for e in inner if e < seen.max()])  # ties: fewer levels
        used = {2: list(ordered), 1: [ordered[0], ordered[-1]]}.get(len(inner), [ordered[1]])
        codes[present] = first + np.searchsorted(inner, seen, side="left")
        labels = list(names[:first]) + used
        method = "tertiles of this dataset" + (" (images with objects)" if first else "")
    levels = pd.Series(pd.Categorical.from_codes(codes, categories=labels),
                       index=pd.Series(values).index, name=name)
    present_levels = [c for c in labels if (levels == c).any()]
    levels = levels.cat.set_categories(present_levels)
    return levels, _ranges(name, levels, pd.Series(x, index=levels.index), method)


def _ranges(name: str, levels: pd.Series, values: pd.Series, method: str) -> pd.DataFrame:
    """Per level: the smallest and largest value seen, and how many images."""
    frame = pd.DataFrame({"level": levels, "value": values})
    table = frame.groupby("level", observed=True)["value"].agg(["min", "max", "size"])
    table.columns = ["from", "to", "images"]
    table = table.reset_index()
    table.insert(0, "property", name)
    table["binned by"] = method
    return table


def derived_conditions(catalog: Catalog, *, properties: Sequence[str] = DEFAULT_PROPERTIES,
                       cache_dir=None, workers: int | None = None) -> Catalog:
    """A new Catalog whose samples carry conditions computed from pixels, headers and
    labels (see the module), and whose boxes carry their COCO ``size``.

    Columns already in the data are not overwritten: a derived one with the same name
    is called ``derived_<name>``. Properties that come out with a single level (all
    images the same size, say) are left out. The value ranges of the levels are in
    :func:`level_ranges`.

    The label properties (``objects``, ``smallest_object``) are not derived by default:
    they depend on the classes themselves (a platelet makes its image's smallest object
    small), so a class departs from them by construction. Ask for them by name, and
    read their hidden imbalance with that in mind; per-box ``size`` is always added.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    properties : sequence of str
        Properties of ``PROPERTIES`` to derive.
    cache_dir : str or Path, optional
        Where :func:`image_statistics` caches its results.
    workers : int, optional
        Reading threads.

    Returns
    -------
    Catalog
        With the new condition columns (also in ``conditions`` and ``derived``).
    """
    for name in properties:
        check_option("properties", name, PROPERTIES, func="derived_conditions")
    values = property_values(catalog, properties=properties, cache_dir=cache_dir,
                             workers=workers)
    samples = catalog.samples.copy()
    added = []
    for name in properties:
        levels, _ = bin_property(name, values[name])
        if levels.nunique() < 2:
            continue
        column = name if name not in samples.columns else f"derived_{name}"
        samples[column] = levels
        added.append(column)
    objects = catalog.objects
    if len(objects):
        objects = objects.assign(size=object_sizes(catalog).array)  # small < medium < large
    return catalog.replace(samples=samples, objects=objects,
                           conditions=tuple(dict.fromkeys([*catalog.conditions, *added])),
                           derived=tuple(dict.fromkeys([*catalog.derived, *added])))


def property_values(catalog: Catalog, *, properties: Sequence[str] = PROPERTIES,
                    cache_dir=None, workers: int | None = None) -> pd.DataFrame:
    """The raw value of each property per image (before binning).

    Parameters
    ----------
    catalog : Catalog
        Any task.
    properties : sequence of str
        Properties of ``PROPERTIES``.
    cache_dir : str or Path, optional
        Where :func:`image_statistics` caches its results.
    workers : int, optional
        Reading threads.

    Returns
    -------
    pandas.DataFrame
        One column per property, indexed by sample id; resolution in pixels, aspect as
        width / height, smallest_object in pixels.
    """
    out = pd.DataFrame(index=catalog.samples.index)
    if any(p in PIXEL_PROPERTIES for p in properties):
        stats = image_statistics(catalog, cache_dir=cache_dir, workers=workers)
        for name in PIXEL_PROPERTIES:
            out[name] = stats[name]
    out["resolution"] = (catalog.samples["width"] * catalog.samples["height"]).astype(float)
    out["aspect"] = catalog.samples["width"] / catalog.samples["height"]
    labels = label_properties(catalog)
    out["objects"] = labels["objects"]
    out["smallest_object"] = labels["smallest_object"]
    return out[[p for p in properties]]


def level_ranges(catalog: Catalog, *, properties: Sequence[str] = DEFAULT_PROPERTIES,
                 cache_dir=None) -> pd.DataFrame:
    """Per derived condition and level: the value range it covers, how many images, and
    how it was binned (tertiles of this dataset, or fixed edges).

    Parameters
    ----------
    catalog : Catalog
        Any task.
    properties : sequence of str
        Properties of ``PROPERTIES``.
    cache_dir : str or Path, optional
        Where :func:`image_statistics` caches its results.

    Returns
    -------
    pandas.DataFrame
        One row per (property, level).
    """
    values = property_values(catalog, properties=properties, cache_dir=cache_dir)
    return pd.concat([bin_property(p, values[p])[1] for p in properties], ignore_index=True)
