"""Conditions from the pixels and the boxes, for datasets that ship none.

Hidden imbalance needs a condition (day/night, camera); most real datasets have no
such column, but their images and boxes carry conditions of their own:

- from the pixels (each image read once, decoded small): ``brightness`` (mean grey
  level), ``contrast`` (its standard deviation), ``sharpness`` (variance of the
  Laplacian at a fixed working size: blurred images score low);
- from the header: ``resolution`` (pixels) and ``aspect`` (width / height);
- from the labels: ``objects`` per image and the size of the ``smallest_object``;
- per box: its COCO area class, ``size`` = small (< 32x32 pixels), medium, large.

:func:`derived_conditions` bins each property into a few named levels and returns a
Catalog whose samples carry them as conditions, so :func:`measure.hidden_imbalance`,
the checklist and the split's joint strata use them like any other condition.
Statistic properties are binned by this dataset's tertiles (dataset-relative: "dark"
is the darkest third); aspect and sizes by fixed thresholds, object counts by tertiles
of the images with objects.
:func:`level_ranges` says which value range each level covers.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image, ImageOps, UnidentifiedImageError

from workbench.catalog import Catalog
from workbench.catalog_schema import rows_of
from workbench.errors import check_option, warn_data

WORK_SIZE = 256  # pixels on the longer side: the working size for every pixel statistic
HASH_SIZE = 8    # dHash: 8 x 8 = 64 bits
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
COCO_AREAS = (32 ** 2, 96 ** 2)    # pycocotools' area ranges: small < 32^2 <= medium < 96^2
# (pycocotools' own ranges are closed, so an area of exactly 32^2 is small and medium there)
SIZES = ("small", "medium", "large")


# -- per-image statistics, one read each -----------------------------------------------------


def _working_grey(path) -> np.ndarray:
    """The image as the user sees it, grey, with its longer side at :data:`WORK_SIZE`.

    JPEGs are decoded at 1/2, 1/4 or 1/8 scale directly (Pillow's draft mode), so a
    640x480 photo costs a quarter of a full decode.
    """
    with Image.open(path) as im:
        w, h = im.size
        scale = WORK_SIZE / max(w, h)
        if scale < 1 and im.format in ("JPEG", "MPO"):
            im.draft("L", (max(1, int(np.ceil(w * scale))), max(1, int(np.ceil(h * scale)))))
        im = ImageOps.exif_transpose(im)
        if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
            from workbench.sources.files import stretch

            im = Image.fromarray(stretch(np.asarray(im)))
        grey = im.convert("L")
        if max(grey.size) > WORK_SIZE:
            grey.thumbnail((WORK_SIZE, WORK_SIZE), Image.BILINEAR)
        return np.asarray(grey, dtype=np.float32)


def laplacian_variance(grey: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian: how much fine detail (edges) an image has.

    Parameters
    ----------
    grey : numpy.ndarray
        A grey image, (H, W).

    Returns
    -------
    float
        0 for an image under 3 pixels on a side.

    Examples
    --------
    >>> flat = np.full((8, 8), 100.0)
    >>> laplacian_variance(flat)
    0.0
    """
    g = np.asarray(grey, dtype=np.float64)
    if min(g.shape) < 3:
        return 0.0
    lap = (g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:]) - 4 * g[1:-1, 1:-1]
    return float(lap.var())


def dhash_bits(grey: np.ndarray | Image.Image, hash_size: int = HASH_SIZE) -> np.ndarray:
    """The difference hash (dHash): is each pixel brighter than its left neighbour, on the
    image shrunk to (hash_size + 1) x hash_size. The same bits as ``imagehash.dhash``.

    Parameters
    ----------
    grey : numpy.ndarray or PIL.Image.Image
        The image (converted to grey).
    hash_size : int
        Rows of the hash; bits = ``hash_size ** 2``.

    Returns
    -------
    numpy.ndarray of bool
        The bits, row by row.
    """
    image = grey if isinstance(grey, Image.Image) else Image.fromarray(
        np.clip(np.asarray(grey), 0, 255).astype(np.uint8))
    small = np.asarray(image.convert("L").resize((hash_size + 1, hash_size), Image.LANCZOS))
    return (small[:, 1:] > small[:, :-1]).ravel()


def _stats_of(path) -> tuple:
    try:
        grey = _working_grey(path)
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError):
        return (np.nan, np.nan, np.nan, 0)
    bits = dhash_bits(grey)
    return (float(grey.mean()), float(grey.std()), laplacian_variance(grey),
            int(np.packbits(bits).view(">u8")[0]))


def image_statistics(catalog: Catalog, *, cache_dir=None, workers: int | None = None,
                     progress: bool | None = None) -> pd.DataFrame:
    """Per image: ``brightness``, ``contrast``, ``sharpness`` and a 64-bit ``dhash``.

    Each image is read once, decoded small, on ``workers`` threads (default: the cores).
    With ``cache_dir`` (a folder of yours, never inside the dataset) the results are kept
    in ``image-statistics.parquet`` there, keyed by path, size and modification time, so
    a second run reads only new or changed images. Unreadable images get NaN (and dhash
    0), with one warning that lists them.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    cache_dir : str or Path, optional
        A folder for the cache, outside the dataset.
    workers : int, optional
        Reading threads.
    progress : bool, optional
        Show a progress bar; default in a terminal for 1,000 images or more.

    Returns
    -------
    pandas.DataFrame
        Indexed by sample id: brightness, contrast, sharpness (floats), dhash (uint64).
    """
    paths = catalog.samples["filepath"].astype(str)
    stat = [os.stat(p) if os.path.exists(p) else None for p in paths]  # I/O: one stat each
    key = pd.Series([f"{p}|{s.st_size}|{s.st_mtime_ns}" if s else f"{p}|missing"
                     for p, s in zip(paths, stat, strict=True)], index=catalog.samples.index)
    cache = _cache_file(catalog, cache_dir)
    empty = pd.DataFrame({"brightness": pd.Series(dtype=float), "contrast": pd.Series(dtype=float),
                          "sharpness": pd.Series(dtype=float),
                          "dhash": pd.Series(dtype="uint64")}, index=pd.Index([], name="key"))
    known = (pd.read_parquet(cache).set_index("key") if cache is not None and cache.is_file()
             else empty)
    todo = key[~key.isin(known.index)]
    rows = []
    if len(todo):
        from tqdm import tqdm

        with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
            results = pool.map(_stats_of, paths.loc[todo.index])
            # By default only in a terminal: in a notebook (and so in a report) the bar is
            # red stderr text that outlives the two seconds it measured.
            show = (progress if progress is not None
                    else len(todo) >= 1000 and sys.stderr.isatty())
            rows = list(tqdm(results, total=len(todo), disable=not show, unit="image",
                             desc="image statistics"))
    fresh = pd.DataFrame(rows, columns=["brightness", "contrast", "sharpness", "dhash"],
                         index=pd.Index(todo.to_numpy(), name="key"))
    fresh["dhash"] = fresh["dhash"].astype("uint64")
    table = pd.concat([known[known.index.isin(key.to_numpy())], fresh]).astype(
        {"dhash": "uint64"})
    if cache is not None and len(fresh):
        cache.parent.mkdir(parents=True, exist_ok=True)
        table.reset_index().to_parquet(cache, index=False)
    out = table.reindex(key.to_numpy())
    out.index = catalog.samples.index
    unreadable = out.index[out["brightness"].isna()]
    if len(unreadable):
        from workbench.errors import some

        warn_data(f"{len(unreadable)} images could not be read for their statistics and get "
                  f"no level: {some(unreadable)}.")
    return out.astype({"dhash": "uint64"})


def _cache_file(catalog: Catalog, cache_dir) -> Path | None:
    if cache_dir is None:
        return None
    from workbench.sources.output import refuse_source

    folder = refuse_source(catalog, cache_dir)
    digest = hashlib.sha1("\n".join(sorted(map(str, catalog.samples["filepath"]))).encode()
                          ).hexdigest()[:12]
    return folder / f"image-statistics-{digest}.parquet"


# -- per-box and per-image label properties ----------------------------------------------------


def object_sizes(catalog: Catalog) -> pd.Series:
    """Each box's COCO area class from its area in pixels: small (< 32x32), medium
    (< 96x96), large.

    Parameters
    ----------
    catalog : Catalog
        With boxes.

    Returns
    -------
    pandas.Series (categorical)
        One size class per box, named "size".

    Examples
    --------
    >>> s = pd.DataFrame({"filepath": ["a"], "width": 100, "height": 100}, index=["a"])
    >>> o = pd.DataFrame({"sample_id": "a", "label": "x", "x": 0.0, "y": 0.0,
    ...                   "w": [0.31, 0.32, 0.97], "h": [0.31, 0.32, 0.97]})
    >>> object_sizes(Catalog(s, classes=["x"], task="detection", objects=o)).tolist()
    ['small', 'medium', 'large']
    """
    objects = catalog.objects
    rows = rows_of(objects)
    width = catalog.samples["width"].to_numpy(float)[rows]
    height = catalog.samples["height"].to_numpy(float)[rows]
    area = objects["w"].to_numpy(float) * width * objects["h"].to_numpy(float) * height
    codes = np.searchsorted(np.asarray(COCO_AREAS, float), area, side="right")
    return pd.Series(pd.Categorical.from_codes(codes, categories=list(SIZES)),
                     index=objects.index, name="size")


def label_properties(catalog: Catalog) -> pd.DataFrame:
    """Per image: number of ``objects`` and the pixel area of the ``smallest_object``.

    Parameters
    ----------
    catalog : Catalog
        Any task.

    Returns
    -------
    pandas.DataFrame
        Indexed by sample id: objects (boxes), smallest_object (pixels; NaN without boxes).
    """
    n = len(catalog)
    counts = np.zeros(n, dtype=np.int64)
    smallest = np.full(n, np.nan)
    if len(catalog.objects):
        rows = rows_of(catalog.objects)
        counts = np.bincount(rows, minlength=n)
        width = catalog.samples["width"].to_numpy(float)[rows]
        height = catalog.samples["height"].to_numpy(float)[rows]
        area = (catalog.objects["w"].to_numpy(float) * width
                * catalog.objects["h"].to_numpy(float) * height)
        smallest = np.full(n, np.inf)
        np.minimum.at(smallest, rows, area)
        smallest[np.isinf(smallest)] = np.nan
    return pd.DataFrame({"objects": counts, "smallest_object": smallest},
                        index=catalog.samples.index)


# -- binning -------------------------------------------------------------------------------------


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

