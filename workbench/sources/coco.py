"""COCO JSON's parts: the file, its ``images`` and ``categories`` tables, and its ids.

What every COCO reader needs before it reads a single annotation: the JSON parsed (or one
clear error saying what the file is instead), whether it is a panoptic file, the images
table checked for its fields and unique ids, the classes in category id order, ids matched
as given or as text, and the sample id of each image. The detection reader
(:mod:`workbench.sources.coco_read`), the panoptic reader (:mod:`workbench.sources.panoptic`)
and the COCO results loader of :mod:`workbench.evaluate` build on these.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import orjson
import pandas as pd

from workbench.bulk import gc_paused
from workbench.errors import DataError, some
from workbench.sources.labels import tidy_labels
from workbench.sources.problems import Problems

REQUIRED_KEYS = ("images", "annotations", "categories")


def _parse(text: str):
    """orjson; json where orjson refuses what Python writes and reads (NaN, Infinity), and
    for json's own error messages."""
    with gc_paused():
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            return json.loads(text)


def read_json(path: Path) -> dict:
    """The COCO JSON as a dict with its three required lists, or one clear error.

    Parameters
    ----------
    path : Path
        The annotation file.

    Returns
    -------
    dict
        The parsed JSON.
    """
    try:
        data = _parse(path.read_bytes().decode("utf-8-sig"))
    except json.JSONDecodeError as err:
        raise DataError(
            f"{str(path)!r} is not valid JSON ({err.msg} at line {err.lineno}, column "
            f"{err.colno}). A COCO file is one JSON object with 'images', 'annotations' and "
            "'categories'."
        ) from None
    except UnicodeDecodeError:
        raise DataError(f"{str(path)!r} is not a text (JSON) file.") from None
    missing = [k for k in REQUIRED_KEYS if not isinstance(data, dict) or k not in data]
    if missing:
        if isinstance(data, list) and data and isinstance(data[0], dict) and "score" in data[0]:
            raise DataError(
                f"{str(path)!r} is a COCO results list (predictions with scores), not a "
                "dataset. Load the ground-truth annotations as the dataset."
            )
        found = list(data)[:10] if isinstance(data, dict) else type(data).__name__
        raise DataError(
            f"{str(path)!r} lacks the COCO keys {some(missing)} (found {found}). A COCO "
            "detection file has 'images', 'annotations' and 'categories' lists."
        )
    return data


def is_panoptic(data: dict) -> bool:
    """A COCO panoptic file: its annotations carry ``segments_info``.

    Parameters
    ----------
    data : dict
        A parsed COCO file.

    Returns
    -------
    bool
        True for a panoptic file.
    """
    first = data["annotations"][0] if data["annotations"] else {}
    return isinstance(first, dict) and "segments_info" in first


def images_table(images: list, path: Path) -> pd.DataFrame:
    """The ``images`` list as a table, checked for the required fields and unique ids.

    Parameters
    ----------
    images : list of dict
        COCO's ``images``.
    path : Path
        The annotation file, named in errors.

    Returns
    -------
    pandas.DataFrame
        One row per image entry.
    """
    table = pd.DataFrame(images)
    if not len(table):
        raise DataError(f"{str(path)!r} lists no images.")
    missing = [c for c in ("id", "file_name", "width", "height") if c not in table.columns]
    if missing:
        raise DataError(f"The images in {str(path)!r} lack the fields {some(missing)}.")
    dup = table.loc[table["id"].astype(str).duplicated(), "id"].unique()  # 1 and "1" clash
    if len(dup):
        raise DataError(
            f"{str(path)!r} has {len(dup)} duplicate image ids: {some(dup)}. Each image needs "
            "its own id; renumber the duplicates (and their annotations)."
        )
    return table


def categories(cats: list, path: Path, problems: Problems) -> tuple[tuple[str, ...], pd.Series]:
    """Class names in category id order, and the name of each category id (ids as given;
    :func:`match_ids` also matches them as text).

    Parameters
    ----------
    cats : list of dict
        COCO's ``categories``, with ``id`` and ``name``.
    path : Path
        The annotation file, named in errors.
    problems : Problems
        Where names with spaces around them are recorded.

    Returns
    -------
    classes : tuple of str
        Class names in category id order.
    names : pandas.Series
        Class name per category id.
    """
    table = pd.DataFrame(cats)
    if not len(table) or not {"id", "name"} <= set(table.columns):
        raise DataError(f"The categories in {str(path)!r} need 'id' and 'name' fields.")
    table["key"] = table["id"].astype(str)
    dup = table.loc[table["key"].duplicated(), "id"].unique()
    if len(dup):
        raise DataError(f"{str(path)!r} has duplicate category ids {some(dup)}; each category "
                        "needs its own id.")
    table["name"] = tidy_labels(table["name"].astype(str), problems, file=str(path),
                                what="category names")
    twice = table[table["name"].duplicated(keep=False)]
    if len(twice):
        name = twice["name"].iloc[0]
        ids = twice.loc[twice["name"] == name, "id"].tolist()
        raise DataError(
            f"{str(path)!r} has {twice['name'].nunique()} category names used by more than one "
            f"id, e.g. {name!r} for ids {some(ids)}. Give the annotations of one class a "
            "single category id, or rename one of them (e.g. 'mouse (animal)')."
        )
    numeric = pd.to_numeric(table["id"], errors="coerce")
    table = table.assign(order=numeric).sort_values(["order", "key"], na_position="last")
    names = pd.Series(table["name"].to_numpy(), index=table["id"].to_numpy())
    return tuple(names), names


def match_ids(known, wanted) -> np.ndarray:
    """Positions of ``wanted`` ids among ``known`` (-1: not found). Ids are compared as
    they are, then, for the ones not found, as text: image id "1" matches annotation
    image_id 1. The common all-integer case costs one hash lookup.

    Parameters
    ----------
    known : array-like
        The ids to look in.
    wanted : array-like
        The ids to find.

    Returns
    -------
    numpy.ndarray of int
        One position per wanted id.
    """
    known, wanted = pd.Index(known), pd.Index(wanted)
    found = known.get_indexer(wanted)
    if (found < 0).any():
        missing = np.flatnonzero(found < 0)
        found[missing] = known.astype(str).get_indexer(wanted[missing].astype(str))
    return found


def sample_ids(images: pd.DataFrame) -> pd.Series:
    """Sample id of each image entry: its ``sample_id`` field if written, else its ``id``.

    Parameters
    ----------
    images : pandas.DataFrame
        The images table.

    Returns
    -------
    pandas.Series of str
        One id per row.
    """
    if "sample_id" in images.columns:
        return images["sample_id"].astype(str)
    return images["id"].astype(str)
