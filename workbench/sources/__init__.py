"""Loaders and exporters: the formats people have, in and out of a Catalog.

Dataset specs are strings a person can type::

    demo:digits                      demo:surfaces        demo:surfaces:300 (300 images)
    folder:PATH                      one sub-folder per class (optionally per split first)
    coco:ANNOTATIONS.json[:IMAGES]   COCO detection or panoptic JSON
    yolo:DATA.yaml                   YOLO detection
    voc:ROOT | voc:ANNOTATIONS:IMAGES  Pascal VOC XML (+ ImageSets/Main split files)
    masks:IMAGES:MASKS[:CLASS_MAP]   class-index mask PNGs, class map with any ids
    manifest:PATH.csv|.parquet       one row per image (+ sidecars)
    fiftyone:NAME                    a FiftyOne dataset
    fiftyone-dir:TYPE:DIR            any format FiftyOne imports (fo.types.TYPE)

Loaders only read. Exporters write into a new directory and refuse the source's.
"""

from __future__ import annotations

import re
from pathlib import Path

from workbench.catalog import Catalog
from workbench.errors import DataError
from workbench.schemes import DATASETS
from workbench.sources.coco_read import read_coco
from workbench.sources.coco_write import write_coco
from workbench.sources.folder import read_image_folder
from workbench.sources.manifest import read_manifest, write_manifest
from workbench.sources.masks import read_masks
from workbench.sources.voc import read_voc
from workbench.sources.yolo import read_yolo, write_yolo

__all__ = [
    "SCHEMES", "load", "parse_spec", "register_scheme", "absolute_spec", "export_splits",
    "read_coco", "write_coco", "read_image_folder", "read_manifest", "write_manifest",
    "read_masks", "read_voc",
    "read_yolo", "write_yolo",
]

# Each scheme's usage (for messages) and loader (workbench.schemes): the file formats here;
# the demos and FiftyOne, which sit above the loaders, are registered from workbench/__init__.
SCHEMES = DATASETS.usage
register_scheme = DATASETS.register
for _scheme, _usage, _reader in [
    ("folder", "folder:PATH (one sub-folder per class)", read_image_folder),
    ("coco", "coco:ANNOTATIONS.json[:IMAGES_DIR]", read_coco),
    ("yolo", "yolo:DATA.yaml", read_yolo),
    ("voc", "voc:ROOT or voc:ANNOTATIONS_DIR:IMAGES_DIR", read_voc),
    ("masks", "masks:IMAGES_DIR:MASKS_DIR[:CLASS_MAP]", read_masks),
    ("manifest", "manifest:PATH.csv or manifest:PATH.parquet", read_manifest),
]:
    register_scheme(_scheme, _usage, _reader)

_PATH_ARGS = {"folder": 1, "coco": 2, "yolo": 1, "voc": 2, "masks": 3, "manifest": 1}


def parse_spec(spec: str) -> tuple[str, list[str]]:
    """Split a dataset spec into its scheme and arguments.

    Parameters
    ----------
    spec : str
        ``SCHEME:ARGS``, e.g. ``coco:ann/train.json:images``.

    Returns
    -------
    scheme : str
        A known scheme.
    args : list of str
        Its arguments.

    Examples
    --------
    >>> parse_spec("coco:ann/train.json:images")
    ('coco', ['ann/train.json', 'images'])
    >>> parse_spec("demo:surfaces")
    ('demo', ['surfaces'])
    """
    if not isinstance(spec, str) or ":" not in spec:
        raise DataError(
            f"{spec!r} is not a dataset spec. Write SCHEME:ARGS, one of: "
            + "; ".join(SCHEMES.values()) + "."
        )
    scheme, rest = spec.split(":", 1)
    if scheme not in SCHEMES:
        raise DataError(
            f"Unknown dataset scheme {scheme!r} in {spec!r}. Known: "
            + "; ".join(SCHEMES.values()) + "."
        )
    if scheme == "coco":
        match = re.fullmatch(r"(.+?\.json)(?::(.+))?", rest)
        if not match:
            raise DataError(
                f"{spec!r}: the COCO annotation file must be a .json file, then optionally "
                f"':' and the images folder; got {rest!r}. Write {SCHEMES['coco']}."
            )
        args = [a for a in match.groups() if a]
    elif scheme == "masks":
        args = rest.split(":", 2)
        if len(args) < 2 or not all(args):
            raise DataError(f"{spec!r}: write {SCHEMES['masks']}.")
    elif scheme == "voc":
        args = rest.split(":", 1)
    elif scheme == "fiftyone-dir":
        args = rest.split(":", 1)
        if len(args) != 2 or not all(args):
            raise DataError(f"{spec!r}: write {SCHEMES['fiftyone-dir']}.")
    else:
        args = rest.split(":") if scheme == "demo" else [rest]
    if not all(args):
        raise DataError(f"{spec!r} lacks its arguments: write {SCHEMES[scheme]}.")
    return scheme, args


def absolute_spec(spec: str) -> str:
    """The spec with relative paths made absolute (for running from another folder).

    Parameters
    ----------
    spec : str
        A dataset spec.

    Returns
    -------
    str
        The same spec, its paths absolute.

    Examples
    --------
    >>> absolute_spec("demo:digits")
    'demo:digits'
    """
    scheme, args = parse_spec(spec)
    if scheme in _PATH_ARGS:
        args = [str(Path(a).expanduser().absolute()) for a in args]
    if scheme == "fiftyone-dir":
        args = [args[0], str(Path(args[1]).expanduser().absolute())]
    return ":".join([scheme, *args])


EXPORTERS = {
    "manifest": lambda c, out, split, ow: write_manifest(c, out / "manifest.csv", split=split,
                                                         overwrite=ow),
    "coco": lambda c, out, split, ow: write_coco(c, out, split=split, overwrite=ow),
    "yolo": lambda c, out, split, ow: write_yolo(c, out, split=split, overwrite=ow),
}


def export_splits(catalog: Catalog, out_dir, *, formats=("manifest", "coco", "yolo"),
                  overwrite: bool = False) -> dict:
    """Write every split in every format: ``out_dir/<format>/<split>/``.

    ``out_dir`` must be new (or empty, or ``overwrite=True``) and outside the source
    dataset. Images with no split are not written (the warning says how many).

    Parameters
    ----------
    catalog : Catalog
        With a ``split`` column.
    out_dir : str or Path
        The folder to write into.
    formats : sequence of {"manifest", "coco", "yolo"}
        The formats to write.
    overwrite : bool
        Replace what an earlier export wrote.

    Returns
    -------
    dict
        (format, split) -> the path each writer returned.
    """
    from workbench.errors import check_option, warn_data

    if "split" not in catalog.samples.columns:
        raise DataError("This Catalog has no 'split' column; split it first.")
    unsplit = int(catalog.samples["split"].isna().sum())
    if unsplit:
        warn_data(f"{unsplit} images have no split and are not exported; give them one "
                  "(split.stratified_split) to include them.")
    out = Path(out_dir)
    paths = {}
    for fmt in formats:
        check_option("format", fmt, list(EXPORTERS), func="export_splits")
        for split in catalog.samples["split"].dropna().unique():
            paths[(fmt, str(split))] = EXPORTERS[fmt](catalog, out / fmt / str(split),
                                                      str(split), overwrite)
    return paths


def load(spec: str | Catalog, **options) -> Catalog:
    """Load a dataset from a spec string (see the module docstring); a Catalog passes through.

    Parameters
    ----------
    spec : str or Catalog
        A dataset spec such as ``coco:ann.json:images`` or ``demo:digits``.
    **options
        Go to the loader (e.g. ``check_files=False`` for COCO, ``classes=[...]`` for masks).

    Returns
    -------
    Catalog
        The dataset.
    """
    if isinstance(spec, Catalog):
        return spec
    scheme, args = parse_spec(spec)
    return DATASETS.readers[scheme](*args, **options)
