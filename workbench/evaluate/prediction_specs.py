"""The predictions a spec names, matched to a Catalog; or, with "auto", a model's.

Prediction specs are strings like dataset specs::

    probs:PATH.csv|.parquet            one row per image: sample_id or filepath, then one
                                       score column per class (or label + score)
    coco-results:RESULTS.json[:GT.json]  the COCO results list (image_id, category_id,
                                       bbox in pixels, score); category ids are named by
                                       GT.json, else 1..K in class order
    yolo-pred:DIR                      YOLO label files with a trailing confidence
                                       (``save_txt=True, save_conf=True``)
    masks-pred:DIR                     class-index PNGs named like the images
    fiftyone:NAME:FIELD                a label field of a FiftyOne dataset

Each scheme's reader is registered here (:mod:`workbench.evaluate.score_files`,
:mod:`workbench.evaluate.box_files`, :mod:`workbench.evaluate.mask_files`); what they
share is in :mod:`workbench.evaluate.reader_parts`. Every problem is one :class:`DataError`
naming the file, the line or item, and the fix: predictions for images or classes the
Catalog does not have, scores outside [0, 1], boxes outside their image, unreadable files.
"""

from __future__ import annotations

from workbench.catalog import Catalog
from workbench.errors import DataError
from workbench.evaluate.box_files import read_coco_results, read_yolo_predictions
from workbench.evaluate.mask_files import read_mask_predictions
from workbench.evaluate.predictions import Predictions
from workbench.evaluate.score_files import read_probs
from workbench.schemes import PREDICTIONS

SCHEMES = PREDICTIONS.usage  # fiftyone:NAME:FIELD is registered in workbench/__init__


def load_predictions(spec: str, catalog: Catalog) -> Predictions:
    """The predictions ``spec`` names, matched to the images and classes of ``catalog``.

    Parameters
    ----------
    spec : str
        ``SCHEME:PATH``, e.g. ``coco-results:RESULTS.json``.
    catalog : Catalog
        The dataset the model was run on.

    Returns
    -------
    Predictions
        Image scores, scored boxes or masks.

    Examples
    --------
    >>> load_predictions("boxes:preds.json", None)
    Traceback (most recent call last):
    ...
    workbench.errors.DataError: Unknown predictions scheme 'boxes' in 'boxes:preds.json'. ...
    """
    scheme, _, rest = str(spec).partition(":")
    if scheme not in SCHEMES or not rest:
        known = "; ".join(SCHEMES.values())
        what = f"Unknown predictions scheme {scheme!r}" if scheme not in SCHEMES else "No path"
        raise DataError(f"{what} in {spec!r}. Write one of: {known}.")
    return PREDICTIONS.readers[scheme](rest, catalog)


def _coco_results(rest: str, catalog: Catalog) -> Predictions:
    results, _, gt = rest.partition(":")
    return read_coco_results(results, catalog, gt_annotations=gt or None)


def predictions_for(catalog: Catalog, spec: str | None = "auto", *, dataset: str = "",
                    seed: int = 0) -> Predictions:
    """The predictions notebook 05 evaluates: those ``spec`` names, or, with "auto", the
    demo model on a demo dataset (the small CNN on ``demo:surfaces``, logistic regression
    on ``demo:digits``) and the clearly labelled baseline probe on any other dataset.

    Parameters
    ----------
    catalog : Catalog
        The dataset.
    spec : str, optional
        A predictions spec, or "auto".
    dataset : str
        The dataset spec, which says whether it is a demo.
    seed : int
        Seed of the model trained.

    Returns
    -------
    Predictions
        The predictions.
    """
    from workbench.evaluate import models

    if spec and spec != "auto":
        return load_predictions(spec, catalog)
    if dataset.startswith("demo:surfaces"):
        return models.demo_model_predictions(catalog, seed=seed)
    if dataset.startswith("demo:digits"):
        return models.logistic_predictions(catalog, seed=seed)
    return models.baseline_probe(catalog, seed=seed)


for _scheme, _usage, _reader in [
    ("probs", "probs:PATH.csv or probs:PATH.parquet", read_probs),
    ("coco-results", "coco-results:RESULTS.json[:GT_ANNOTATIONS.json]", _coco_results),
    ("yolo-pred", "yolo-pred:DIR (label files with confidences)", read_yolo_predictions),
    ("masks-pred", "masks-pred:DIR (class-index PNGs named like the images)",
     read_mask_predictions),
]:
    PREDICTIONS.register(_scheme, _usage, _reader)
