"""Hard negatives: what the model most confidently calls a rare class when it is not.

The lesson on class imbalance in computer vision (its strategy 6): check failure cases
and mine hard negatives, then show them to the model more often. Mined on the test split
they explain errors; mined on the train split they feed the next epoch (never the
other way round: boosting test images would leak the test into training).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import DataError, Lacks, check_option, passes_missing
from workbench.evaluate.predictions import Predictions
from workbench.evaluate.truth import aligned_scores, image_truth, split_ids
from workbench.sources.boxes import box_pairs, corners, pair_iou


def rarest_class(catalog: Catalog, ids: pd.Index | None = None) -> str:
    """The class with the fewest images among ``ids`` (all images by default) that has
    at least one; the background class is never the answer.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    ids : pandas.Index, optional
        Sample ids to count among.

    Returns
    -------
    str
        The class name.
    """
    truth = image_truth(catalog, catalog.samples.index if ids is None else ids)
    counts = pd.Series(truth.matrix.sum(axis=0), index=list(truth.classes))
    counts = counts.drop([catalog.background] if catalog.background else [], errors="ignore")
    counts = counts[counts > 0]
    if not len(counts):
        raise Lacks("No class other than the background has an image here.")
    return str(counts.sort_values(kind="stable").index[0])


@dataclass(frozen=True, eq=False)
class HardNegatives:
    """The ranked hard negatives of one class: ``table`` has one row per image (scores)
    or per predicted box (detections), highest score first."""

    cls: str
    table: pd.DataFrame
    split: str | None
    level: str

    def __repr__(self) -> str:
        return (f"HardNegatives({self.cls!r}, {len(self.table)} {self.level} on the "
                f"{self.split or 'whole'} split)")

    def to_frame(self) -> pd.DataFrame:
        """The hard negatives.

        Returns
        -------
        pandas.DataFrame
            One row per image (sample_id, score, truth) or per false box.
        """
        return self.table

    @property
    def sample_ids(self) -> list[str]:
        """The images, each once, in rank order."""
        return list(dict.fromkeys(self.table["sample_id"]))

    def boost(self, catalog: Catalog, *, factor: float = 2.0) -> pd.Series:
        """Per-image repeat factors for the next epoch: ``factor`` for the hard negatives,
        1 for every other image of the train split, 0 elsewhere; feed them to
        :func:`workbench.sample.epoch_from_factors`. Refused unless mined on train.

        Parameters
        ----------
        catalog : Catalog
            The Catalog they were mined from, with a split.
        factor : float
            Repeat factor of a hard negative.

        Returns
        -------
        pandas.Series
            Per sample id, named "repeat_factor".
        """
        if self.split != "train":
            raise DataError(f"These hard negatives were mined on the {self.split!r} split. "
                            "Mine them on the train split (split='train') to boost them: "
                            "training on test images would leak the test into training.")
        factors = pd.Series(0.0, index=catalog.samples.index, name="repeat_factor")
        factors[catalog.samples["split"] == "train"] = 1.0
        factors[self.sample_ids] = float(factor)
        return factors

    def picture_catalog(self, catalog: Catalog) -> Catalog:
        """The hard-negative images with their true boxes and, for boxes, the false ones
        as a class of their own ("false crack"), so a thumbnail grid shows both.

        Parameters
        ----------
        catalog : Catalog
            The Catalog they were mined from.

        Returns
        -------
        Catalog
            The hard-negative images only.
        """
        part = catalog.subset(self.sample_ids)
        if self.level != "boxes" or not len(self.table):
            return part
        name = f"false {self.cls}"
        false = self.table[["sample_id", "x", "y", "w", "h"]].assign(label=name)
        objects = pd.concat([part.objects[["sample_id", "label", "x", "y", "w", "h"]]
                             .astype({"label": str}), false], ignore_index=True)
        values = part.mask_values or tuple(range(len(part.classes)))
        spare = next(v for v in range(max(values) + 1, max(values) + 3)
                     if v != part.ignore_index)  # a mask value no pixel has
        return part.replace(classes=(*part.classes, name), objects=objects,
                            mask_values=(*values, spare))

    def export(self, catalog: Catalog, path, *, overwrite: bool = False):
        """Write the hard-negative images as a manifest (``.csv`` or ``.parquet``) in a new
        folder, for relabelling or for the next training round.

        Parameters
        ----------
        catalog : Catalog
            The Catalog they were mined from.
        path : str or Path
            The manifest file, in a new folder.
        overwrite : bool
            Write into a folder that is not empty.

        Returns
        -------
        Path
            The manifest.
        """
        from workbench.sources.manifest import write_manifest

        return write_manifest(catalog.subset(self.sample_ids), path, overwrite=overwrite)


def hard_negatives(catalog: Catalog, predictions: Predictions, *, cls: str | None = None,
                   split: str | None = "test", n: int = 24, level: str = "auto",
                   iou: float = 0.5) -> HardNegatives:
    """The ``n`` most confident false alarms of ``cls`` (default: the rarest class of the
    whole dataset, by images).

    Parameters
    ----------
    catalog : Catalog
        The truth.
    predictions : Predictions
        Image scores, or scored boxes.
    cls : str, optional
        The class whose false alarms are mined.
    split : str, optional
        The split to mine; None: every image.
    n : int
        How many to return.
    level : {"auto", "images", "boxes"}
        "images": images that do not contain ``cls``, ranked by its image score. "boxes":
        predicted boxes of ``cls`` overlapping no true box of ``cls`` by ``iou`` or more,
        ranked by score, with the true class they overlap most (what the model mistook
        for ``cls``). "auto": boxes when there are predicted boxes.
    iou : float
        The overlap that makes a predicted box a hit.

    Returns
    -------
    HardNegatives
        The table, the class, the split and the level.
    """
    check_option("level", level, ("auto", "images", "boxes"), func="hard_negatives")
    ids = split_ids(catalog, split)
    cls = cls or rarest_class(catalog)  # the same class whichever split is mined
    check_option("cls", cls, catalog.classes, func="hard_negatives")
    if level == "auto":
        level = "boxes" if predictions.objects is not None else "images"
    if level == "images":
        truth = image_truth(catalog, ids)
        scores = aligned_scores(predictions, truth)
        k = truth.classes.index(cls)
        negative = ~truth.matrix[:, k]
        order = np.argsort(-scores[:, k][negative], kind="stable")[:n]
        rows = np.flatnonzero(negative)[order]
        truth_text = (pd.Series(np.asarray(truth.classes)[truth.codes]) if truth.single_label
                      else pd.Series([", ".join(np.asarray(truth.classes)[m]) or "(nothing)"
                                      for m in truth.matrix[rows]]))
        table = pd.DataFrame({"sample_id": truth.sample_ids[rows], "score": scores[rows, k],
                              "truth": (truth_text.iloc[rows].to_numpy() if truth.single_label
                                        else truth_text.to_numpy())})
        return HardNegatives(cls, table.reset_index(drop=True), split, "images")
    return HardNegatives(cls, _false_boxes(catalog, predictions, cls, ids, n, iou), split, "boxes")


def _false_boxes(catalog, predictions, cls, ids, n, iou) -> pd.DataFrame:
    if predictions.objects is None:
        raise Lacks(f"{predictions.source} has no boxes, so there are no false boxes to mine; "
                    "use level='images'.")
    pred = predictions.objects[(predictions.objects["label"] == cls)
                               & predictions.objects["sample_id"].isin(ids)]
    pred = pred.reset_index(drop=True)
    truth = catalog.objects[catalog.objects["sample_id"].isin(ids)].reset_index(drop=True)
    both = pd.concat([pred[["sample_id", "label", "x", "y", "w", "h"]].astype({"label": str}),
                      truth[["sample_id", "label", "x", "y", "w", "h"]].astype({"label": str})],
                     ignore_index=True)
    a, b = box_pairs(both, same_class=False)
    p, t = np.minimum(a, b), np.maximum(a, b)
    keep = (p < len(pred)) & (t >= len(pred))  # a prediction with a true box
    p, t = p[keep], t[keep] - len(pred)
    overlap = pair_iou(corners(both), p, t + len(pred))
    pairs = pd.DataFrame({"pred": p, "iou": overlap,
                          "true": truth["label"].astype(str).to_numpy()[t]})
    best_same = pairs[pairs["true"] == cls].groupby("pred")["iou"].max().reindex(
        range(len(pred)), fill_value=0.0).to_numpy()
    best_any = pairs[pairs["iou"] > 0].sort_values("iou", kind="stable").groupby("pred").tail(1)
    mistaken = best_any.set_index("pred")["true"].reindex(range(len(pred))).fillna(
        "(background)").to_numpy()
    false = best_same < iou
    table = pred.loc[false, ["sample_id", "score", "x", "y", "w", "h"]].assign(
        best_iou_same_class=best_same[false], overlaps_most=mistaken[false])
    return table.sort_values("score", ascending=False, kind="stable").head(n).reset_index(
        drop=True)


@passes_missing
def confused_pairs(confusion: pd.DataFrame, *, n: int = 5) -> pd.DataFrame:
    """The ``n`` largest off-diagonal shares of a row-normalised confusion matrix: which
    true class is most often called which other class.

    Parameters
    ----------
    confusion : pandas.DataFrame
        Row-normalised, true x predicted.
    n : int
        How many pairs.

    Returns
    -------
    pandas.DataFrame
        true, predicted, share_of_true_class (a fraction).
    """
    values = confusion.to_numpy(float).copy()
    np.fill_diagonal(values, np.nan)
    table = pd.DataFrame(values, index=confusion.index, columns=confusion.columns).stack()
    table = table[table > 0].sort_values(ascending=False, kind="stable").head(n)
    return table.rename("share_of_true_class").rename_axis(["true", "predicted"]).reset_index()


@passes_missing
def boost_summary(hard: HardNegatives, catalog: Catalog, *, factor: float = 2.0,
                  seed: int = 0) -> pd.DataFrame:
    """What boosting the train split's hard negatives does to the next epoch: its size,
    and how often the hard negatives and the other images appear in it (drawn with
    :func:`workbench.sample.epoch_from_factors`).

    Parameters
    ----------
    hard : HardNegatives
        Mined on the train split.
    catalog : Catalog
        The Catalog they were mined from.
    factor : float
        Repeat factor of a hard negative.
    seed : int
        Seed of the epoch drawn.

    Returns
    -------
    pandas.DataFrame
        Two rows (hard negatives, other train images): images, repeat_factor,
        appearances_in_next_epoch.
    """
    from workbench.sample import epoch_from_factors

    factors = hard.boost(catalog, factor=factor)
    epoch = epoch_from_factors(factors.to_numpy(), seed=seed)
    seen = pd.Series(np.bincount(epoch, minlength=len(factors)), index=factors.index)
    is_hard = factors.index.isin(hard.sample_ids)
    train = (factors > 0).to_numpy()
    return pd.DataFrame({
        "images": [int(is_hard.sum()), int((train & ~is_hard).sum())],
        "repeat_factor": [float(factor), 1.0],
        "appearances_in_next_epoch": [int(seen[is_hard].sum()), int(seen[train & ~is_hard].sum())],
    }, index=pd.Index([f"hard negatives of {hard.cls}", "other train images"], name="images"))
