"""Per-image statistics from the pixels, each image read once and decoded small.

``brightness`` (mean grey level), ``contrast`` (its standard deviation), ``sharpness``
(variance of the Laplacian at a fixed working size: blurred images score low) and a
difference hash (dHash) for near-duplicate search. :func:`image_statistics` reads them in
threads and caches them by the list of files.
"""

from __future__ import annotations

import hashlib
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image, ImageOps, UnidentifiedImageError

from workbench.catalog import Catalog
from workbench.errors import warn_data

WORK_SIZE = 256  # pixels on the longer side: the working size for every pixel statistic
HASH_SIZE = 8    # dHash: 8 x 8 = 64 bits

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
