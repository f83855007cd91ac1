"""Where exports go: a new directory outside the source dataset, media linked or copied."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import DataError, check_option

MEDIA = ("reference", "symlink", "copy")


def new_output_dir(catalog: Catalog, out_dir, *, overwrite: bool = False) -> Path:
    """Create ``out_dir`` for an export, refusing any place that would touch the source.

    Refused: a directory inside (or equal to) the folder the Catalog was read from or
    any folder holding its images or masks; a directory that contains them; an existing
    non-empty directory unless ``overwrite=True``.
    """
    out = Path(out_dir).expanduser().absolute()
    sources = {Path(p).parent.absolute() for p in catalog.samples["filepath"]}
    if "mask_path" in catalog.samples.columns:
        sources |= {Path(p).parent.absolute() for p in catalog.samples["mask_path"].dropna()}
    if catalog.source:
        sources.add(Path(catalog.source).absolute())
    for src in sorted(sources):
        if out == src or src in out.parents or out in src.parents:
            raise DataError(
                f"Refusing to write into {str(out)!r}: the source dataset is in {str(src)!r}, "
                "and the workbench never writes into a source dataset. Choose an output "
                "directory outside it, e.g. reports/exports/NAME."
            )
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise DataError(
            f"The output directory {str(out)!r} exists and is not empty. Choose a new "
            "directory, or pass overwrite=True to replace files in it."
        )
    out.mkdir(parents=True, exist_ok=True)
    return out


def safe_name(sample_id: str) -> str:
    """A sample id as a file name: path separators and odd characters become '_'."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", str(sample_id)).strip("._") or "sample"


def link_media(filepaths: pd.Series, sample_ids: pd.Index, media_dir: Path, *,
               media: str = "reference") -> list[str]:
    """File names for an export: the originals (``reference``) or links/copies in media_dir."""
    check_option("media", media, MEDIA)
    if media == "reference":
        return [str(Path(p).absolute()) for p in filepaths]
    media_dir.mkdir(parents=True, exist_ok=True)
    names = []
    for sample_id, src in zip(sample_ids, filepaths, strict=True):
        name = safe_name(sample_id) + Path(src).suffix
        target = media_dir / name
        if target.exists() or target.is_symlink():
            target.unlink()
        if media == "symlink":
            os.symlink(Path(src).absolute(), target)
        else:
            shutil.copy2(src, target)
        names.append(str(target.relative_to(media_dir.parent)))
    return names
