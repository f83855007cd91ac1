"""What every prediction reader shares: a path that must exist, rows and files matched to
the Catalog's images, scores checked to be probabilities, a top label spread to
per-class scores, and boxes made relative and checked against their image.

The readers of the prediction files (:mod:`workbench.evaluate.score_files`,
:mod:`workbench.evaluate.box_files`, :mod:`workbench.evaluate.mask_files`) and of a
FiftyOne dataset's labels build on these, so every problem is one :class:`DataError`
naming the file, the line or item, and the fix. The specs that choose a reader are in
:mod:`workbench.evaluate.prediction_specs`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import DataError, some, warn_data
from workbench.evaluate.predictions import Predictions

PIXEL_TOLERANCE = 1.0  # a box may overhang its image by float rounding up to one pixel


def _existing(path, what: str) -> Path:
    path = Path(path).expanduser()
    if not path.exists():
        raise DataError(f"The {what} {str(path)!r} does not exist. Check the path (relative "
                        f"paths start from {str(Path.cwd())!r}).")
    return path


def _match_files(paths: pd.Series, catalog: Catalog) -> np.ndarray:
    """Positions in the Catalog of files given absolute, relative to its source, or by
    the end of their path (``images/3.png``)."""
    known = catalog.samples["filepath"].astype(str)
    found = pd.Index(known).get_indexer(paths)
    for depth in (3, 2, 1):  # then by the last parts of the path, where they are unique
        still = found < 0
        if not still.any():
            break
        tails = known.str.split("/").str[-depth:].str.join("/")
        if tails.duplicated().any():
            continue
        want = paths[still].str.split("/").str[-depth:].str.join("/")
        found[still] = pd.Index(tails).get_indexer(want)
    return found


def _top1_scores(table: pd.DataFrame, names, path: Path) -> pd.DataFrame:
    """One score per image for its predicted label: the others share the rest equally."""
    labels = table["label"].astype(str)
    unknown = sorted(set(labels) - set(names))
    if unknown:
        raise DataError(f"{str(path)!r} predicts classes this dataset does not have: "
                        f"{some(unknown)}. Rename them to the dataset's classes "
                        f"({some(names, n=10)}).")
    score = pd.to_numeric(table["score"], errors="coerce").to_numpy(float)
    _check_scores(score[:, None], path, line_offset=2)
    rest = (1 - score) / max(len(names) - 1, 1)
    values = np.repeat(rest[:, None], len(names), axis=1)
    values[np.arange(len(table)), pd.Index(names).get_indexer(labels)] = score
    warn_data(f"{path.name} gives only the top label and its score per image: the other "
              "classes share the rest equally, so per-class PR curves and AP are approximate. "
              "Save one score column per class for exact ones.")
    return pd.DataFrame(values, columns=list(names))


def _check_scores(values: np.ndarray, path: Path, *, line_offset: int) -> None:
    bad = ~((values >= 0) & (values <= 1))
    if bad.any():
        rows, cols = np.nonzero(bad)
        raise DataError(
            f"{str(path)!r} has {int(bad.sum())} scores outside [0, 1] or missing, e.g. "
            f"{some(values[rows, cols])} (lines {some(np.unique(rows) + line_offset)}). Write "
            "probabilities: apply softmax (one label per image) or sigmoid (several) to the "
            "logits.")


def _images_named_like(files: list[Path], catalog: Catalog, *, what: str, fix: str
                       ) -> pd.Index:
    """The sample id of the image each file is named like (``img_17.txt``, ``img_17.png``
    are ``img_17.jpg``); one error for names several images share or no image has."""
    stems = pd.Series([Path(p).stem for p in catalog.samples["filepath"]],
                      index=catalog.samples.index)
    dup = stems[stems.duplicated(keep=False)]
    if len(dup):
        raise DataError(f"{what.capitalize()} are matched to images by file name, but "
                        f"{dup.nunique()} names belong to several images, e.g. "
                        f"{some(dup.unique())}. Write the predictions as coco-results or probs "
                        "with sample ids instead.")
    rows = pd.Index(stems.to_numpy()).get_indexer([f.stem for f in files])
    if (rows < 0).any():
        bad = [str(f) for f, r in zip(files, rows, strict=True) if r < 0]
        raise DataError(f"{len(bad)} {what} match no image of this dataset by name: "
                        f"{some(bad, n=3)}. {fix}")
    return stems.index[rows]


def _scored_boxes(catalog, rows, labels, boxes, scores, path, items, *, pixels: bool
                  ) -> Predictions:
    """Boxes (x, y, w, h) per row of the Catalog, relative, checked against the image."""
    width = catalog.samples["width"].to_numpy(float)[rows]
    height = catalog.samples["height"].to_numpy(float)[rows]
    x, y, w, h = boxes.T
    if pixels:
        x, y, w, h = x / width, y / height, w / width, h / height
    tol_x, tol_y = PIXEL_TOLERANCE / width, PIXEL_TOLERANCE / height
    bad = ~((w > 0) & (h > 0) & (x >= -tol_x) & (y >= -tol_y) & (x + w <= 1 + tol_x)
            & (y + h <= 1 + tol_y))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        sid = catalog.samples.index[rows[i]]
        raise DataError(
            f"{str(path)!r}: {int(bad.sum())} predicted boxes are empty or reach outside their "
            f"image, e.g. {items[i]} on image {sid!r} ({int(width[i])}x{int(height[i])} px): "
            f"box {np.round(boxes[i], 2).tolist()}. Clip predicted boxes to the image (and drop "
            "empty ones) when the model writes them.")
    score = pd.to_numeric(pd.Series(scores), errors="coerce").to_numpy(float)
    _check_scores(score[:, None], path, line_offset=0)
    x0, y0 = np.clip(x, 0, 1), np.clip(y, 0, 1)
    x1, y1 = np.clip(x + w, 0, 1), np.clip(y + h, 0, 1)
    objects = pd.DataFrame({
        "sample_id": catalog.samples.index.to_numpy()[rows],
        "label": pd.Categorical(labels, categories=list(catalog.classes)),
        "x": x0, "y": y0, "w": x1 - x0, "h": y1 - y0, "score": score})
    return Predictions(classes=tuple(catalog.classes), objects=objects,
                       source=f"your model ({Path(path).name})")
