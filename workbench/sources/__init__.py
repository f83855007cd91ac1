"""Loaders and exporters: the formats people have, in and out of a Catalog.

Dataset specs are strings a person can type::

    demo:digits                      demo:surfaces        demo:surfaces:300 (300 images)
    folder:PATH                      one sub-folder per class
    coco:ANNOTATIONS.json[:IMAGES]   COCO detection JSON
    yolo:DATA.yaml                   YOLO detection
    masks:IMAGES_DIR:MASKS_DIR       class-index mask PNGs
    manifest:PATH.csv|.parquet       one row per image (+ sidecars)
    fiftyone:NAME                    a FiftyOne dataset

Loaders only read. Exporters write into a new directory and refuse the source's.
"""

from __future__ import annotations

import re
from pathlib import Path

from workbench.catalog import Catalog
from workbench.errors import DataError
from workbench.sources.coco import read_coco, write_coco
from workbench.sources.folder import read_image_folder
from workbench.sources.manifest import read_manifest, write_manifest
from workbench.sources.masks import read_masks
from workbench.sources.yolo import read_yolo, write_yolo

__all__ = [
    "SCHEMES", "load", "parse_spec", "absolute_spec", "export_splits", "read_coco", "write_coco",
    "read_image_folder", "read_manifest", "write_manifest", "read_masks", "read_yolo",
    "write_yolo",
]

SCHEMES = {
    "demo": "demo:NAME[:N_IMAGES] (NAME is digits or surfaces)",
    "folder": "folder:PATH (one sub-folder per class)",
    "coco": "coco:ANNOTATIONS.json[:IMAGES_DIR]",
    "yolo": "yolo:DATA.yaml",
    "masks": "masks:IMAGES_DIR:MASKS_DIR",
    "manifest": "manifest:PATH.csv or manifest:PATH.parquet",
    "fiftyone": "fiftyone:NAME",
}
_PATH_ARGS = {"folder": 1, "coco": 2, "yolo": 1, "masks": 2, "manifest": 1}


def parse_spec(spec: str) -> tuple[str, list[str]]:
    """Split a dataset spec into its scheme and arguments.

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
        args = [a for a in match.groups() if a] if match else [rest]
    elif scheme == "masks":
        args = rest.split(":", 1)
        if len(args) != 2 or not all(args):
            raise DataError(f"{spec!r}: write {SCHEMES['masks']}.")
    else:
        args = rest.split(":") if scheme == "demo" else [rest]
    if not all(args):
        raise DataError(f"{spec!r} lacks its arguments: write {SCHEMES[scheme]}.")
    return scheme, args


def absolute_spec(spec: str) -> str:
    """The spec with relative paths made absolute (for running from another folder).

    >>> absolute_spec("demo:digits")
    'demo:digits'
    """
    scheme, args = parse_spec(spec)
    if scheme in _PATH_ARGS:
        args = [str(Path(a).expanduser().absolute()) for a in args]
    return ":".join([scheme, *args])


EXPORTERS = {"manifest": lambda c, out, split: write_manifest(c, out / "manifest.csv", split=split),
             "coco": lambda c, out, split: write_coco(c, out, split=split),
             "yolo": lambda c, out, split: write_yolo(c, out, split=split)}


def export_splits(catalog: Catalog, out_dir, *, formats=("manifest", "coco", "yolo")) -> dict:
    """Write every split in every format: ``out_dir/<format>/<split>/``; returns the paths.

    ``out_dir`` must be new (or empty) and outside the source dataset.
    """
    from workbench.errors import check_option

    if "split" not in catalog.samples.columns:
        raise DataError("This Catalog has no 'split' column; split it first.")
    out = Path(out_dir)
    paths = {}
    for fmt in formats:
        check_option("format", fmt, list(EXPORTERS), func="export_splits")
        for split in catalog.samples["split"].dropna().unique():
            paths[(fmt, str(split))] = EXPORTERS[fmt](catalog, out / fmt / str(split),
                                                      str(split))
    return paths


def load(spec: str | Catalog, **options) -> Catalog:
    """Load a dataset from a spec string (see the module docstring); a Catalog passes through.

    Options go to the loader (e.g. ``check_files=False`` for COCO, ``classes=[...]``
    for masks).
    """
    if isinstance(spec, Catalog):
        return spec
    scheme, args = parse_spec(spec)
    if scheme == "demo":
        from workbench import demo

        return demo.load_demo(*args, **options)
    if scheme == "fiftyone":
        from workbench import browse

        return browse.from_fiftyone(args[0], **options)
    reader = {"folder": read_image_folder, "coco": read_coco, "yolo": read_yolo,
              "masks": read_masks, "manifest": read_manifest}[scheme]
    return reader(*args, **options)
