"""What a model cache is keyed by, and how a cache folder is written.

A cache of a trained model, of probe features or of a comparison is found by a hash of the
data it was made from (:func:`catalog_fingerprint`: ids, paths, splits, labels, classes,
and each file's size and modification time) and of its options (:func:`options_key`);
:func:`write_atomically` fills a temporary sibling folder and renames it, and
:func:`write_file_atomically` does the same for one file, so a reader never sees half a
cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.catalog import Catalog

FINGERPRINT_COLUMNS = ("filepath", "mask_path", "split", "label", "width", "height")


def catalog_fingerprint(catalog: Catalog) -> str:
    """A hash of the images a model sees: ids, paths, splits, labels, classes and each
    file's size and modification time (so regenerated or edited files miss the cache).

    Parameters
    ----------
    catalog : Catalog
        Any task.

    Returns
    -------
    str
        A SHA-256 hex digest.
    """
    table = catalog.samples[[c for c in FINGERPRINT_COLUMNS if c in catalog.samples.columns]]
    digest = hashlib.sha256(pd.util.hash_pandas_object(table.astype(str)).to_numpy().tobytes())
    paths = table["filepath"].tolist() + (table["mask_path"].dropna().tolist()
                                          if "mask_path" in table.columns else [])
    stats = [(s.st_size, s.st_mtime_ns) for s in map(os.stat, paths)]  # file metadata only
    digest.update(np.asarray(stats, dtype=np.int64).tobytes())
    digest.update(repr((catalog.classes, catalog.mask_values, catalog.ignore_index,
                        catalog.background)).encode())
    return digest.hexdigest()


def options_key(**options) -> str:
    """A short hash of JSON-able options (Series and plans as their JSON).

    Parameters
    ----------
    **options
        The options, by name.

    Returns
    -------
    str
        16 hex characters.
    """
    return hashlib.sha256(json.dumps(options, sort_keys=True, default=str).encode()
                          ).hexdigest()[:16]


def write_atomically(folder: Path, write) -> Path:
    """``write(tmp)`` into a temporary sibling, then rename it to ``folder`` (replacing an
    older one): readers never see half a cache.

    Parameters
    ----------
    folder : Path
        The final folder.
    write : callable
        ``write(tmp)`` fills a folder.

    Returns
    -------
    Path
        ``folder``.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        write(tmp)
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        try:
            tmp.rename(folder)
        except OSError:  # another process finished first
            if not folder.exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def write_file_atomically(path, write, *, text: bool = False) -> Path:
    """``write(handle)`` into a temporary sibling file, then rename it to ``path``
    (replacing an older one): readers never see half a file, and a failed write leaves
    the older file and no temporary one.

    Parameters
    ----------
    path : str or Path
        The final file.
    write : callable
        ``write(handle)`` writes the content to an open file.
    text : bool
        Open the file for text (JSON) rather than bytes (``np.save``).

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = write_file_atomically(folder / "a.json", lambda f: json.dump([1], f), text=True)
    >>> [p.name for p in folder.iterdir()], (folder / "a.json").read_text()
    (['a.json'], '[1]')
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w" if text else "wb", dir=path.parent, suffix=".tmp",
                                     delete=False) as handle:
        try:
            write(handle)
        except BaseException:
            handle.close()
            os.unlink(handle.name)
            raise
    os.replace(handle.name, path)
    return path
