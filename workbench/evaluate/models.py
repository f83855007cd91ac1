"""Models that make :class:`Predictions` when a dataset comes without any.

- :func:`demo_model_predictions`: a small fully convolutional network trained on the
  train split's images and masks (CPU, under a minute for the 2,000 surfaces), cached;
  its masks, the boxes of their connected components, and image scores pooled from
  the pixel probabilities. Options for the strategies compared in
  :mod:`workbench.evaluate.strategies`: focal loss, class weights, a resampling plan,
  class-aware augmentation.
- :func:`logistic_predictions`: logistic regression on thumbnails (classification).
- :func:`baseline_probe`: HOG and colour histograms with logistic regression, for any
  dataset; marked ``probe=True``, never to be read as the user's model.

What they are built from lives below: cache keys and atomic writes in
:mod:`workbench.evaluate.caching`, the training images as arrays in
:mod:`workbench.evaluate.training_data`, the network in :mod:`workbench.evaluate.cnn`,
the probe's features in :mod:`workbench.evaluate.hog_features` and the logistic
regression in :mod:`workbench.evaluate.logistic_fit`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import DataError, Lacks, check_option, some
from workbench.evaluate.caching import catalog_fingerprint, options_key, write_atomically
from workbench.evaluate.hog_features import cached_probe_features
from workbench.evaluate.logistic_fit import fit_scores
from workbench.evaluate.predictions import OBJECT_COLUMNS, Predictions
from workbench.evaluate.training_data import read_arrays, train_ids_of

MODEL_VERSION = 1  # bump when training changes: old model and strategy caches are not reused
BOXES_VERSION = 2  # bump when the boxes drawn from predicted masks change (2: fragments merged)
DEFAULT_EPOCHS = 40
LOSSES = ("ce", "focal")
PROBE_SOURCE = "baseline probe (HOG + logistic regression) — not your model"


# -- the demo CNN ------------------------------------------------------------------------------


def _check_cnn_options(catalog: Catalog, *, loss, class_weight, epochs, train_ids,
                       augment=False, sampler_plan=None):
    if not catalog.has_masks:
        raise Lacks("The demo CNN learns from masks, and this dataset has none. Use "
                    "baseline_probe(catalog), or logistic_predictions for image labels.")
    check_option("loss", loss, LOSSES, func="demo_model_predictions")
    if epochs is not None and not (isinstance(epochs, (int, np.integer)) and epochs >= 1):
        raise ValueError(f"The 'epochs' parameter of demo_model_predictions must be a positive "
                         f"integer (or None for {DEFAULT_EPOCHS}). Got {epochs!r} instead.")
    weight = None
    if class_weight is not None:
        weight = pd.Series(dict(class_weight) if isinstance(class_weight, Mapping)
                           else class_weight, dtype=float)
        weight.index = weight.index.astype(str)
        weight = weight.reindex(list(catalog.classes))
        if weight.isna().any() or (weight <= 0).any():
            raise ValueError(f"The 'class_weight' parameter needs a positive weight for every "
                             f"class ({some(catalog.classes, n=20)}); missing or not positive: "
                             f"{some(weight.index[~(weight > 0)])}.")
    if augment and sampler_plan is None:
        raise ValueError("augment=True augments the copies a resampling plan adds; pass a "
                         "sampler_plan too, e.g. plan_resampling(sampling_keys(train), "
                         "max_oversample=5).")
    ids = train_ids_of(catalog) if train_ids is None else pd.Index(train_ids, dtype=str)
    unknown = ids.difference(catalog.samples.index)
    if len(unknown):
        raise DataError(f"train_ids has {len(unknown)} ids that are not in the Catalog, e.g. "
                        f"{some(unknown)}.")
    return weight, ids


def demo_model_predictions(catalog: Catalog, *, seed: int = 0, epochs: int | None = None,
                           cache: bool = True, loss: str = "ce", class_weight=None,
                           sampler_plan=None, augment: bool = False, train_ids=None
                           ) -> Predictions:
    """Masks, boxes and image scores from a small CNN trained on the train split.

    The network (:class:`workbench.evaluate.fcn.SmallFCN`) learns per-pixel classes
    from 48x48 crops of the train split's images and masks (crops of damaged images
    hold a damaged pixel), with cross-entropy, for ``epochs`` passes. It then predicts
    every image (train, val and test, so evaluation chooses the split): the per-pixel
    argmax is the predicted mask, each connected component of a class but the background
    a box scored by its mean probability, and an image's score for a class the mean of
    its top 0.1% pixel probabilities (the background's: 1 minus the highest other),
    normalised to sum to 1. Deterministic for a seed on a given machine; cached under
    ``data_home()/models`` by the data's fingerprint and every option.

    Parameters
    ----------
    catalog : Catalog
        With masks and a ``split`` column.
    seed : int
        The training seed (initial weights, crops, order).
    epochs : int, optional
        Passes over the training images (None: 40).
    cache : bool
        Read a cached model's predictions when there is one (False: train anew and
        replace the cache).
    loss : {"ce", "focal"}
        Cross-entropy or focal loss (gamma 2).
    class_weight : pandas.Series or mapping, optional
        Per-class loss weights over all classes, e.g.
        ``workbench.sample.class_weights(counts)``; each pixel weighs its class's weight.
    sampler_plan : ResamplingPlan, optional
        A :class:`workbench.sample.ResamplingPlan` over the training images'
        ``sampling_keys``: each epoch draws them as planned (``epoch_indices``).
    augment : bool
        Class-aware augmentation (:mod:`workbench.augment`) of the copies a
        ``sampler_plan`` adds: an image's second and later draws in an epoch, at the
        strength of its rarest class (needs a plan).
    train_ids : sequence of str, optional
        The images to train on (default: the train split).

    Returns
    -------
    Predictions
        Image scores, boxes (relative x, y, w, h) and mask files for every image.

    Examples
    --------
    >>> from workbench.demo import load_demo
    >>> from workbench.split import chosen_split
    >>> surfaces = chosen_split(load_demo("surfaces", 60))  # doctest: +SKIP
    >>> demo_model_predictions(surfaces, epochs=2)  # doctest: +SKIP
    Predictions(demo CNN (seed 0, 2 epochs, ce): scores for 60 images, ... masks for 60 images)
    """
    from workbench.demo import data_home
    from workbench.evaluate.cnn import segmenter_outputs, train_segmenter

    weight, ids = _check_cnn_options(catalog, loss=loss, class_weight=class_weight,
                                     epochs=epochs, train_ids=train_ids, augment=augment,
                                     sampler_plan=sampler_plan)
    epochs = DEFAULT_EPOCHS if epochs is None else int(epochs)
    key = options_key(data=catalog_fingerprint(catalog), seed=seed, epochs=epochs, loss=loss,
                      class_weight=None if weight is None else weight.round(12).tolist(),
                      plan=None if sampler_plan is None else sampler_plan.to_json(),
                      augment=bool(augment), train_ids=options_key(ids=sorted(ids)),
                      version=MODEL_VERSION, boxes=BOXES_VERSION)
    folder = data_home() / "models" / f"fcn-n{len(catalog)}-seed{seed}-{key}-v{MODEL_VERSION}"
    source = (f"demo CNN (seed {seed}, {epochs} epochs, {loss}"
              + (", class weights" if weight is not None else "")
              + (", resampled" if sampler_plan is not None else "")
              + (", augmented" if augment else "") + ")")
    if not (cache and (folder / "meta.json").is_file()):
        def write(tmp: Path) -> None:
            start = time.perf_counter()
            images, codes = read_arrays(catalog)
            net = train_segmenter(catalog, images, codes, train_ids=ids, seed=seed,
                                  epochs=epochs, loss=loss, class_weight=weight,
                                  sampler_plan=sampler_plan, augment=augment)
            trained = time.perf_counter() - start
            (tmp / "masks").mkdir()
            scores, objects = segmenter_outputs(net, catalog, images, masks_dir=tmp / "masks")
            scores.to_parquet(tmp / "scores.parquet")
            objects.to_parquet(tmp / "objects.parquet")
            (tmp / "meta.json").write_text(json.dumps({
                "source": source, "train_images": len(ids), "read_and_train_seconds": trained,
                "total_seconds": time.perf_counter() - start}, indent=1))
        write_atomically(folder, write)
    return read_cached(folder, catalog)


def read_cached(folder: Path, catalog: Catalog) -> Predictions:
    """The Predictions a :func:`demo_model_predictions` cache folder holds.

    Parameters
    ----------
    folder : Path
        The cache folder.
    catalog : Catalog
        The dataset it was made from.

    Returns
    -------
    Predictions
        Scores, boxes and masks.
    """
    meta = json.loads((folder / "meta.json").read_text())
    scores = pd.read_parquet(folder / "scores.parquet")
    objects = pd.read_parquet(folder / "objects.parquet")
    objects["label"] = pd.Categorical(objects["label"].astype(str),
                                      categories=list(catalog.classes))
    masks = pd.Series([str(folder / "masks" / f"{i:06d}.png") for i in range(len(scores))],
                      index=scores.index, name="mask_path")
    return Predictions(classes=catalog.classes, scores=scores, objects=objects[list(
        OBJECT_COLUMNS)], masks=masks, source=meta["source"])


# -- logistic regression: thumbnails, and the baseline probe ---------------------------------


def logistic_predictions(catalog: Catalog, *, seed: int = 0, class_weight=None, X=None
                         ) -> Predictions:
    """Logistic regression on 16x16 grey thumbnails, trained on the train split's labels;
    scores for every image.

    Parameters
    ----------
    catalog : Catalog
        With image labels and a train split.
    seed : int
        ``random_state`` of the regression.
    class_weight : None, "balanced" or mapping, optional
        scikit-learn's, or a mapping class -> weight.
    X : numpy.ndarray, optional
        Features to use instead of :func:`workbench.evaluate.thumbnails.thumbnail_features`.

    Returns
    -------
    Predictions
        Image scores.
    """
    from workbench.evaluate.thumbnails import thumbnail_features

    if "label" not in catalog.samples.columns:
        raise Lacks("Logistic regression learns image labels, and this dataset has none. "
                    "Use baseline_probe(catalog), which learns the classes each image holds.")
    train = catalog.samples.index.isin(train_ids_of(catalog)) & catalog.samples["label"].notna()
    X = thumbnail_features(catalog) if X is None else np.asarray(X)
    codes = catalog.samples["label"].cat.codes.to_numpy()
    train = np.asarray(train)
    if isinstance(class_weight, (Mapping, pd.Series)):  # by class name -> by code, as trained
        given = {str(c): float(w) for c, w in dict(class_weight).items()}
        unknown = sorted(set(given) - set(catalog.classes))
        if unknown:
            raise ValueError(f"class_weight names {some(unknown)}, which are not classes "
                             f"({some(catalog.classes, n=20)}).")
        class_weight = {int(k): given.get(catalog.classes[k], 1.0)
                        for k in np.unique(codes[train])}
    elif class_weight not in (None, "balanced"):
        raise ValueError("The 'class_weight' parameter of logistic_predictions must be None, "
                         f"'balanced' or a mapping class -> weight. Got {class_weight!r} instead.")
    scores = fit_scores(X[train], codes[train], X, len(catalog.classes), seed=seed,
                        class_weight=class_weight)
    return Predictions(classes=catalog.classes, scores=pd.DataFrame(
        scores, index=catalog.samples.index, columns=list(catalog.classes)),
        source="logistic regression on 16x16 thumbnails")


def baseline_probe(catalog: Catalog, *, seed: int = 0) -> Predictions:
    """Image scores from a probe for a dataset that comes without predictions.

    HOG and colour histograms (:func:`probe_features`), StandardScaler and logistic
    regression with balanced class weights, trained on the train split: on the image
    label where there is one, else one model per class on "the image contains it"
    (then the scores of an image do not sum to 1). It says what a simple model finds in
    the pixels; it is marked ``probe=True`` and is not your model.

    Parameters
    ----------
    catalog : Catalog
        With a train split.
    seed : int
        ``random_state`` of the regressions.

    Returns
    -------
    Predictions
        Image scores, ``probe=True``.
    """
    from workbench.catalog import indicator

    train = np.asarray(catalog.samples.index.isin(train_ids_of(catalog)))
    labels = catalog.samples["label"] if "label" in catalog.samples.columns else None
    if labels is not None and labels[train].notna().any():
        targets = labels.cat.codes.to_numpy()
        train &= targets >= 0
    else:
        targets = indicator(catalog).reindex(columns=list(catalog.classes)).to_numpy(bool)
    X = cached_probe_features(catalog)
    scores = fit_scores(X[train], targets[train], X, len(catalog.classes), seed=seed,
                        class_weight="balanced", C=0.1)
    return Predictions(classes=catalog.classes, scores=pd.DataFrame(
        scores, index=catalog.samples.index, columns=list(catalog.classes)),
        source=PROBE_SOURCE, probe=True)
