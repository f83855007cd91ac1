"""Where exports go: a new directory outside the source dataset, files named safely, media
linked or copied."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import DataError, check_option

MEDIA = ("reference", "symlink", "copy")


def refuse_source(catalog: Catalog, folder) -> Path:
    """``folder`` resolved, or one clear error when it is inside (or contains) the source
    dataset: the folder the Catalog was read from, or one holding its images or masks.
    Paths are compared after resolving symlinks and ``..``.

    Parameters
    ----------
    catalog : Catalog
        The source dataset.
    folder : str or Path
        Where an export would write.

    Returns
    -------
    Path
        ``folder``, resolved.
    """
    out = Path(folder).expanduser().resolve()
    sources = {Path(p).parent for p in catalog.samples["filepath"]}
    if "mask_path" in catalog.samples.columns:
        sources |= {Path(p).parent for p in catalog.samples["mask_path"].dropna()}
    if catalog.source:
        sources.add(Path(catalog.source))
    for src in sorted({s.expanduser().resolve() for s in sources}):
        if out == src or src in out.parents or out in src.parents:
            raise DataError(
                f"Refusing to write into {str(folder)!r} (resolved: {str(out)!r}): the source "
                f"dataset is in {str(src)!r}, and the workbench never writes into a source "
                "dataset. Choose an output directory outside it, e.g. reports/exports/NAME."
            )
    return out


def new_output_dir(catalog: Catalog, out_dir, *, overwrite: bool = False) -> Path:
    """Create ``out_dir`` for an export, refusing any place that would touch the source
    (:func:`refuse_source`) and an existing non-empty directory unless ``overwrite=True``.

    Parameters
    ----------
    catalog : Catalog
        The source dataset.
    out_dir : str or Path
        The folder to create.
    overwrite : bool
        Accept an existing folder that is not empty.

    Returns
    -------
    Path
        The folder, resolved and created.
    """
    out = refuse_source(catalog, out_dir)
    if out.exists() and not out.is_dir():
        raise DataError(f"The output {str(out_dir)!r} is a file; give a directory.")
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise DataError(
            f"The output directory {str(out_dir)!r} exists and is not empty. Choose a new "
            "directory, or pass overwrite=True to replace files in it."
        )
    out.mkdir(parents=True, exist_ok=True)
    return out


def file_safe(text: str, *, limit: int = 120) -> str:
    """``text`` shortened for a file name: past ``limit`` characters, cut and given a hash
    of the whole, so long names stay distinct.

    Parameters
    ----------
    text : str
        The name.
    limit : int
        Most characters kept.

    Returns
    -------
    str
        At most ``limit`` characters.

    Examples
    --------
    >>> len(file_safe("a" * 300)), file_safe("b" * 300) != file_safe("b" * 299 + "c")
    (120, True)
    """
    if len(text) <= limit:
        return text
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]
    return text[: limit - 7] + "_" + digest


def safe_name(sample_id: str) -> str:
    """A sample id as a file name: path separators and odd characters become '_'.

    Letters of any alphabet stay; very long ids are cut and given a hash
    (:func:`file_safe`).

    Parameters
    ----------
    sample_id : str
        The id.

    Returns
    -------
    str
        A file name without a suffix ("sample" when nothing is left).

    Examples
    --------
    >>> safe_name("crack/img 01"), safe_name("Müller/ä.b")
    ('crack_img_01', 'Müller_ä.b')
    """
    name = re.sub(r"[^\w.-]+", "_", str(sample_id)).strip("._") or "sample"
    return file_safe(name)


def unique_file_names(sample_ids: Iterable) -> list[str]:
    """:func:`safe_name` of each id, with ``_2``, ``_3``... where two ids clean to one name.

    Parameters
    ----------
    sample_ids : iterable
        The ids.

    Returns
    -------
    list of str
        One distinct name per id, in order.

    Examples
    --------
    >>> unique_file_names(["a b", "a_b", "a/b", "c"])
    ['a_b', 'a_b_2', 'a_b_3', 'c']
    """
    names = pd.Series([safe_name(s) for s in sample_ids], dtype=object)
    rank = names.groupby(names).cumcount().to_numpy() + 1
    taken = set(names)
    out = []
    for name, k in zip(names, rank, strict=True):  # only the colliding names loop further
        if k == 1:
            out.append(name)
            continue
        candidate = f"{name}_{k}"
        while candidate in taken:
            k += 1
            candidate = f"{name}_{k}"
        taken.add(candidate)
        out.append(candidate)
    return out


def link_media(filepaths: pd.Series, names: Iterable[str], media_dir: Path, *,
               media: str = "reference") -> list[str]:
    """File names for an export: the originals (``reference``) or links/copies in media_dir.

    ``names`` are the file stems to use (unique; see :func:`unique_file_names`); each
    keeps its source's suffix.

    Parameters
    ----------
    filepaths : pandas.Series
        The source images.
    names : iterable of str
        File stems, one per image.
    media_dir : Path
        Where links or copies go.
    media : {"reference", "symlink", "copy"}
        Point at the originals, link them or copy them.

    Returns
    -------
    list of str
        Absolute source paths ("reference"), else paths relative to ``media_dir``'s parent.
    """
    check_option("media", media, MEDIA)
    if media == "reference":
        return [str(Path(p).absolute()) for p in filepaths]
    media_dir.mkdir(parents=True, exist_ok=True)
    out = []
    for name, src in zip(names, filepaths, strict=True):
        target = media_dir / (name + Path(src).suffix)
        if target.exists() or target.is_symlink():
            target.unlink()
        if media == "symlink":
            os.symlink(Path(src).absolute(), target)
        else:
            shutil.copy2(src, target)
        out.append(str(target.relative_to(media_dir.parent)))
    return out
