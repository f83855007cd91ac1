"""Which images an evaluation covers and what is true of them: the split, each image's
classes, the scores lined up with them, and the decisions a threshold makes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.catalog import Catalog, indicator
from workbench.errors import DataError, Lacks, some
from workbench.evaluate.predictions import Predictions


@dataclass(frozen=True, eq=False)
class Truth:
    """What is true of the evaluated images: ``matrix`` (n x K booleans) and, for single
    labels, ``codes`` (the class code per image)."""

    sample_ids: pd.Index
    classes: tuple[str, ...]
    matrix: np.ndarray
    codes: np.ndarray | None

    @property
    def single_label(self) -> bool:
        return self.codes is not None


def evaluated_on(split: str | None) -> str:
    """How a report names its images: "val split", or "all images" for split=None.

    Parameters
    ----------
    split : str or None
        The split evaluated.

    Returns
    -------
    str
        The phrase.
    """
    return f"{split} split" if split is not None else "all images"


def split_ids(catalog: Catalog, split: str | None) -> pd.Index:
    """The images of ``split`` (all images for None), with a clear error for a split the
    Catalog does not have.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    split : str or None
        A split name.

    Returns
    -------
    pandas.Index
        Sample ids.
    """
    if split is None:
        return catalog.samples.index
    if "split" not in catalog.samples.columns:
        raise Lacks(f"This dataset has no split, so there is no {split!r} split to evaluate "
                    "on. Split it (notebook 02, split.chosen_split) or pass split=None.")
    names = catalog.samples["split"].dropna().unique().tolist()
    if split not in names:
        raise DataError(f"There is no {split!r} split; the splits are {some(names)}.")
    return catalog.samples.index[(catalog.samples["split"] == split).to_numpy()]


def held_out_split(catalog: Catalog) -> str | None:
    """The split to evaluate on: "test", else "val", else None (all images) when the
    data has no split or only a train split; :func:`evaluation_note` says what that
    means.

    Parameters
    ----------
    catalog : Catalog
        Any task.

    Returns
    -------
    str or None
        "test", "val" or None.
    """
    names = (set(catalog.samples["split"].dropna()) if "split" in catalog.samples.columns
             else set())
    return next((s for s in ("test", "val") if s in names), None)


def evaluation_note(catalog: Catalog, split: str | None) -> str:
    """One sentence: which images the numbers below come from.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    split : str or None
        The split evaluated.

    Returns
    -------
    str
        The sentence.
    """
    if split is None:
        return ("This dataset has no test or validation split, so the numbers below come from "
                "every image, the training images included: they are optimistic. Split it "
                "(notebook 02) to get honest ones.")
    n = int((catalog.samples["split"] == split).sum())
    word = {"test": "test", "val": "validation"}.get(split, split)
    extra = ("" if split == "test" else " (there is no test split; thresholds are then tuned "
             "and judged on the same images, which flatters them)")
    return f"The numbers below come from the {n:,} images of the {word} split{extra}."


def image_truth(catalog: Catalog, ids: pd.Index) -> Truth:
    """The truth per image: its label where every image has one, else the classes it
    contains (boxes, mask pixels).

    Parameters
    ----------
    catalog : Catalog
        Any task.
    ids : pandas.Index
        The images evaluated.

    Returns
    -------
    Truth
        Sample ids, classes, an (n, K) boolean matrix and, for single-label data, the
        class codes.
    """
    part = catalog.subset(ids)
    labels = part.samples["label"] if "label" in part.samples.columns else None
    if labels is not None and labels.notna().all():
        codes = labels.cat.codes.to_numpy()
        matrix = np.zeros((len(codes), len(part.classes)), dtype=bool)
        matrix[np.arange(len(codes)), codes] = True
        return Truth(part.samples.index, part.classes, matrix, codes)
    if part.task == "classification":
        raise DataError(f"{int(labels.isna().sum())} images of the evaluated split have no "
                        "label. Label them or leave them out of the split.")
    return Truth(part.samples.index, part.classes, indicator(part).to_numpy(), None)


def aligned_scores(predictions: Predictions, truth: Truth) -> np.ndarray:
    """The scores of the evaluated images, in their order and the Catalog's class order.

    Parameters
    ----------
    predictions : Predictions
        With image scores.
    truth : Truth
        The evaluated images.

    Returns
    -------
    numpy.ndarray of float
        (n_images, n_classes).
    """
    if predictions.scores is None:
        raise Lacks(f"{predictions.source} has no image scores, so image-level metrics "
                    "cannot be computed. Load a probs: file, or use the baseline probe.")
    missing = truth.sample_ids.difference(predictions.scores.index)
    if len(missing):
        raise DataError(f"{len(missing)} evaluated images have no scores in "
                        f"{predictions.source}, e.g. {some(missing)}. Predict every image of "
                        "the split.")
    absent = [c for c in truth.classes if c not in predictions.scores.columns]
    if absent:
        raise DataError(f"{predictions.source} has no scores for {some(absent)}.")
    return predictions.scores.loc[truth.sample_ids, list(truth.classes)].to_numpy(float)


def decide(scores: np.ndarray, truth: Truth, thresholds=None) -> np.ndarray:
    """The yes/no decisions (n x K). Single label: the argmax of ``score / threshold``
    (the plain argmax when all thresholds are equal); several labels: ``score >=
    threshold`` (0.5 by default).

    Parameters
    ----------
    scores : numpy.ndarray
        (n, K) scores.
    truth : Truth
        Says whether the data is single-label.
    thresholds : array of float, optional
        One per class.

    Returns
    -------
    numpy.ndarray of bool
        (n, K).
    """
    if truth.single_label:
        t = np.ones(scores.shape[1]) if thresholds is None else np.asarray(thresholds, float)
        top = np.argmax(scores / np.maximum(t, 1e-12), axis=1)
        out = np.zeros_like(scores, dtype=bool)
        out[np.arange(len(top)), top] = True
        return out
    t = 0.5 if thresholds is None else np.asarray(thresholds, float)
    return scores >= t
