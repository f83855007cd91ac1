"""Augmented copies written to disk as a resampling plan asks, with a manifest that
links each copy to its source and records the transforms."""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from workbench.augment.policy import DEFAULT_FAMILIES, apply, policy
from workbench.augment.preview import fill_value, read_sample
from workbench.augment.strength import class_strengths
from workbench.catalog import Catalog
from workbench.errors import DataError, DataWarning, some


def copies_per_image(count: int, extra: int, rng) -> np.ndarray:
    """How many extra copies each of ``count`` images gets: even, the rest without
    replacement (no image gets two more than another).

    Parameters
    ----------
    count : int
        Number of images (> 0).
    extra : int
        Extra copies to share among them.
    rng : numpy.random.Generator
        Draws which images get one more.

    Returns
    -------
    numpy.ndarray of int64
        Copies per image, summing to ``extra``.
    """
    base, rest = divmod(extra, count)
    copies = np.full(count, base, dtype=np.int64)
    copies[rng.permutation(count)[:rest]] += 1
    return copies


def copy_table(keys: pd.Series, plan, rng) -> pd.DataFrame:
    """One row per copy to write: ``source_id``, ``copy`` (0, 1, ...), ``key``.

    Each key (class) whose plan exceeds its images gets ``effective - count`` copies,
    spread evenly over its images (:func:`copies_per_image`).

    Parameters
    ----------
    keys : pandas.Series
        Sampling key per image, indexed by sample id.
    plan : ResamplingPlan
        Made from these keys.
    rng : numpy.random.Generator
        Draws which images get one more copy.

    Returns
    -------
    pandas.DataFrame
        ``source_id``, ``copy``, ``key``; one row per copy.
    """
    parts = []
    for cls in plan.count.index:  # one step per class
        extra = int(plan.effective[cls]) - int(plan.count[cls])
        if extra <= 0:
            continue
        members = keys.index[(keys.astype(str) == str(cls)).to_numpy()]
        if not len(members):
            raise DataError(f"The plan asks for copies of {cls!r}, which has no images here. "
                            "Make the plan from this Catalog's sampling keys.")
        copies = copies_per_image(len(members), extra, rng)
        source = np.repeat(members.to_numpy(dtype=object), copies)
        index = np.concatenate([np.arange(k) for k in copies]) if len(source) else []
        parts.append(pd.DataFrame({"source_id": source, "copy": index, "key": str(cls)}))
    if not parts:
        raise DataError("The plan asks for no extra copies (no class is oversampled).")
    return pd.concat(parts, ignore_index=True)


def materialize(catalog: Catalog, plan, out_dir, *, seed: int = 0,
                families: Sequence[str] = DEFAULT_FAMILIES, strength: float = 1.0,
                overwrite: bool = False) -> Catalog:
    """Write the extra copies a resampling plan asks for, augmented, into ``out_dir``.

    The plan counts images by their sampling key (:func:`workbench.sample.sampling_keys`:
    the image label, or the rarest class the image contains). For each key whose planned
    count exceeds its images, ``effective - count`` augmented copies of its images are
    written (images, masks and boxes), at the key's strength from the plan's counts.
    A manifest links each copy to its ``source_id`` and records the transforms applied
    with their scalar parameters (not noise maps or other arrays). The source dataset is
    never written; unreadable images are skipped and listed.

    Parameters
    ----------
    catalog : Catalog
        The source dataset.
    plan : ResamplingPlan
        Made from this catalog's sampling keys.
    out_dir : str or Path
        A new folder outside the dataset.
    seed : int
        The same seed gives the same copies.
    families : sequence of str
        Transform families (:data:`FAMILIES`).
    strength : float
        The rarest class's strength, in [0, 1].
    overwrite : bool
        Replace an ``out_dir`` written before.

    Returns
    -------
    Catalog
        The copies (``read_manifest(out_dir / 'manifest.csv')`` gives it back).
    """
    from workbench.sample import sampling_keys
    from workbench.sources.manifest import read_manifest, store_manifest
    from workbench.sources.output import new_output_dir

    rng = np.random.default_rng(seed)
    table = _named_copies(copy_table(sampling_keys(catalog), plan, rng))
    out = new_output_dir(catalog, out_dir, overwrite=overwrite)
    for folder in ("images", "masks") if catalog.has_masks else ("images",):
        (out / folder).mkdir(exist_ok=True)
    strengths = class_strengths(plan.count, strength=strength)
    rows, boxes, skipped = [], [], []
    for key, group in table.groupby("key", sort=False):  # one policy per class
        compose = policy(float(strengths.get(key, strength)), families=families,
                         task=catalog.task, fill_mask=fill_value(catalog))
        for source_id, copies in group.groupby("source_id", sort=False):
            try:
                sample = read_sample(catalog, source_id)
            except DataError:
                skipped.append(source_id)
                continue
            for copy in copies.itertuples():  # one file written per copy
                compose.set_random_seed(int(rng.integers(2**31)))
                row, copy_boxes = _write_copy(catalog, sample, apply(compose, sample), copy,
                                              key, out)
                rows.append(row)
                boxes += copy_boxes
    _report_skipped(skipped, written=len(rows))
    store_manifest(_copies_catalog(catalog, rows, boxes, out), out / "manifest.csv")
    return read_manifest(out / "manifest.csv")


def _named_copies(table: pd.DataFrame) -> pd.DataFrame:
    """Each copy's sample id (source id + copy number) and a file name safe on disk."""
    from workbench.sources.output import unique_file_names

    ids = [f"{s}__aug{j:03d}" for s, j in zip(table["source_id"], table["copy"], strict=True)]
    return table.assign(sample_id=ids, name=unique_file_names(ids))


def _write_copy(catalog: Catalog, sample: dict, result: dict, copy, key: str, out: Path
                ) -> tuple[dict, list[tuple]]:
    """Save one augmented copy (image, and mask); its manifest row and its boxes."""
    image_path = out / "images" / f"{copy.name}.png"
    Image.fromarray(result["image"]).save(image_path)
    row = catalog.samples.loc[copy.source_id].to_dict()
    row.update(sample_id=copy.sample_id, filepath=str(image_path), source_id=copy.source_id,
               key=key, width=result["image"].shape[1], height=result["image"].shape[0],
               transforms=transform_record(result.get("applied_transforms", [])))
    if catalog.has_masks and sample["mask"] is not None:
        mask_path = out / "masks" / f"{copy.name}.png"
        Image.fromarray(result["mask"]).save(mask_path)
        row["mask_path"] = str(mask_path)
    boxes = [(copy.sample_id, label, x0, y0, x1 - x0, y1 - y0)
             for label, (x0, y0, x1, y1) in zip(result["labels"], result["bboxes"], strict=True)]
    return row, boxes


def _report_skipped(skipped: list, *, written: int) -> None:
    if skipped:
        warnings.warn(f"{len(skipped)} images could not be read and got no copies: "
                      f"{some(skipped)}.", DataWarning, stacklevel=3)
    if not written:
        raise DataError("No copy could be written: every image the plan oversamples is "
                        "unreadable.")


def _copies_catalog(catalog: Catalog, rows: list[dict], boxes: list[tuple], out: Path
                    ) -> Catalog:
    """The copies as a Catalog with the source's classes, conditions and mask settings;
    boxes pushed out of the image by the transform are gone."""
    from workbench.sources.pixels import pixels_from_masks

    samples = pd.DataFrame(rows).set_index("sample_id")
    objects = pd.DataFrame(boxes, columns=["sample_id", "label", "x", "y", "w", "h"])
    objects = objects[(objects["w"] > 0) & (objects["h"] > 0)]
    pixels = (pixels_from_masks(samples, catalog.classes, mask_values=catalog.mask_values,
                                ignore_index=catalog.ignore_index) if catalog.has_masks
              else None)
    return Catalog(samples, classes=catalog.classes, task=catalog.task, objects=objects,
                   pixels=pixels, conditions=catalog.conditions, background=catalog.background,
                   mask_values=catalog.mask_values, ignore_index=catalog.ignore_index,
                   source=str(out))


def transform_record(applied) -> str:
    """The applied transforms as compact JSON: each name with its scalar parameters.

    Arrays (a noise map is as large as the image) are left out, so a manifest of
    thousands of copies stays small.

    Parameters
    ----------
    applied : sequence of (str, dict)
        Albumentations' ``applied_transforms``: name and parameters.

    Returns
    -------
    str
        JSON: a list of [name, parameters]; floats rounded to 5 decimals, short lists kept.

    Examples
    --------
    >>> transform_record([("GaussNoise", {"noise_map": np.zeros((512, 512)), "std": 0.0312})])
    '[["GaussNoise", {"std": 0.0312}]]'
    """
    def scalar(value):
        return isinstance(value, (bool, int, float, str, np.integer, np.floating)) \
            or value is None

    def plain(value):
        if isinstance(value, (np.floating, float)):
            return round(float(value), 5)
        if isinstance(value, np.integer):
            return int(value)
        return value

    record = []
    for name, params in applied:
        kept = {k: plain(v) for k, v in (params or {}).items() if scalar(v)}
        kept |= {k: [plain(x) for x in v] for k, v in (params or {}).items()
                 if isinstance(v, (list, tuple)) and 0 < len(v) <= 8 and all(map(scalar, v))}
        record.append([name, kept])
    return json.dumps(record)
