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
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from workbench.catalog import Catalog
from workbench.errors import DataError, Lacks, check_option, some
from workbench.evaluate.predictions import OBJECT_COLUMNS, Predictions
from workbench.threads import one_blas_thread

MODEL_VERSION = 1  # bump when training changes: old model and strategy caches are not reused
BOXES_VERSION = 2  # bump when the boxes drawn from predicted masks change (2: fragments merged)
DEFAULT_EPOCHS = 40
LOSSES = ("ce", "focal")
PROBE_SOURCE = "baseline probe (HOG + logistic regression) — not your model"
FINGERPRINT_COLUMNS = ("filepath", "mask_path", "split", "label", "width", "height")


# -- what a cache is keyed by ------------------------------------------------------------


def catalog_fingerprint(catalog: Catalog) -> str:
    """A hash of the images a model sees: ids, paths, splits, labels, classes and each
    file's size and modification time (so regenerated or edited files miss the cache).

    Parameters
    ----------
    catalog : Catalog
        Any task.

    Returns
    -------
    str
        A SHA-256 hex digest.
    """
    table = catalog.samples[[c for c in FINGERPRINT_COLUMNS if c in catalog.samples.columns]]
    digest = hashlib.sha256(pd.util.hash_pandas_object(table.astype(str)).to_numpy().tobytes())
    paths = table["filepath"].tolist() + (table["mask_path"].dropna().tolist()
                                          if "mask_path" in table.columns else [])
    stats = [(s.st_size, s.st_mtime_ns) for s in map(os.stat, paths)]  # file metadata only
    digest.update(np.asarray(stats, dtype=np.int64).tobytes())
    digest.update(repr((catalog.classes, catalog.mask_values, catalog.ignore_index,
                        catalog.background)).encode())
    return digest.hexdigest()


def options_key(**options) -> str:
    """A short hash of JSON-able options (Series and plans as their JSON).

    Parameters
    ----------
    **options
        The options, by name.

    Returns
    -------
    str
        16 hex characters.
    """
    return hashlib.sha256(json.dumps(options, sort_keys=True, default=str).encode()
                          ).hexdigest()[:16]


def write_atomically(folder: Path, write) -> Path:
    """``write(tmp)`` into a temporary sibling, then rename it to ``folder`` (replacing an
    older one): readers never see half a cache.

    Parameters
    ----------
    folder : Path
        The final folder.
    write : callable
        ``write(tmp)`` fills a folder.

    Returns
    -------
    Path
        ``folder``.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        write(tmp)
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        try:
            tmp.rename(folder)
        except OSError:  # another process finished first
            if not folder.exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


# -- reading images and masks --------------------------------------------------------------


def train_ids_of(catalog: Catalog) -> pd.Index:
    """The images of the train split, or the error that says how to get one.

    Parameters
    ----------
    catalog : Catalog
        With a ``split`` column.

    Returns
    -------
    pandas.Index
        Sample ids.
    """
    if "split" not in catalog.samples.columns or not (catalog.samples["split"] == "train").any():
        raise Lacks("Training needs a 'train' split, and this dataset has none. Split it "
                    "first: catalog = workbench.split.chosen_split(catalog).")
    return catalog.samples.index[(catalog.samples["split"] == "train").to_numpy()]


def read_arrays(catalog: Catalog, *, masks: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """All images as one (N, H, W, 3) uint8 array, and their masks as class codes (N, H, W),
    -1 for ignored pixels and images without a mask. Images of another size than the
    first are resized to it (masks by nearest neighbour). Files are read by a thread pool.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    masks : bool
        Read the masks too.

    Returns
    -------
    images : numpy.ndarray of uint8
        (N, H, W, 3).
    codes : numpy.ndarray of int8 or None
        (N, H, W) class codes, or None without ``masks``.
    """
    from workbench.mask_values import mask_class_codes
    from workbench.sources.files import read_image
    from workbench.sources.pixels import read_mask

    first = catalog.samples.iloc[0]
    size = (int(first["width"]), int(first["height"]))

    def image(path) -> np.ndarray:
        pixels = read_image(path)
        if pixels.shape[1::-1] == size:
            return pixels
        return np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.BILINEAR))

    def codes(path) -> np.ndarray:
        if not isinstance(path, str):
            return np.full(size[::-1], -1, dtype=np.int8)
        mask = read_mask(path)
        if mask.shape[::-1] != size:
            mask = np.asarray(Image.fromarray(mask.astype(np.int32)).resize(
                size, Image.Resampling.NEAREST))
        return mask_class_codes(mask, catalog.mask_values, catalog.ignore_index).astype(np.int8)

    with ThreadPoolExecutor(max_workers=4) as pool:
        images = np.stack(list(pool.map(image, catalog.samples["filepath"])))
        if not masks:
            return images, None
        return images, np.stack(list(pool.map(codes, catalog.samples["mask_path"])))


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

    The network (:class:`workbench.evaluate.cnn.SmallFCN`) learns per-pixel classes
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


def fit_scores(X_train: np.ndarray, targets: np.ndarray, X: np.ndarray, n_classes: int, *,
               seed: int = 0, class_weight=None, C: float = 1.0) -> np.ndarray:
    """Scores (len(X) x K) from StandardScaler + LogisticRegression fitted on ``X_train``.

    Parameters
    ----------
    X_train : numpy.ndarray
        Training features, one row per image.
    targets : numpy.ndarray
        Class codes (one label per image: softmax scores; a class never seen in training
        scores 0) or a (n x K) boolean matrix (one model per class on "contains it"; a
        class always or never present in training scores its training share).
    X : numpy.ndarray
        Features to score.
    n_classes : int
        K.
    seed : int
        ``random_state`` of the regression.
    class_weight : None, "balanced" or dict, optional
        scikit-learn's, by class code.
    C : float
        Inverse regularisation strength.

    Returns
    -------
    numpy.ndarray of float
        (len(X), K).

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> fit_scores(X, np.array([0, 0, 2, 2]), X[[0, 3]], 3).round(2).tolist()
    [[0.78, 0.0, 0.22], [0.22, 0.0, 0.78]]
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def model():
        return make_pipeline(StandardScaler(), LogisticRegression(
            C=C, max_iter=2000, class_weight=class_weight, random_state=seed))

    out = np.zeros((len(X), n_classes))
    with one_blas_thread():  # small products: 17x faster than on two threads
        if targets.ndim == 1:
            fitted = model().fit(X_train, targets)
            out[:, fitted.classes_] = fitted.predict_proba(X)
            return out / out.sum(axis=1, keepdims=True)  # float32 features: off by 1e-7
        for k in range(n_classes):  # one model per class
            y = targets[:, k]
            out[:, k] = (model().fit(X_train, y).predict_proba(X)[:, 1]
                         if 0 < y.sum() < len(y) else y.mean())
    return out


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


def probe_features(catalog: Catalog, *, size: int = 128) -> np.ndarray:
    """Per image: HOG (9 orientations, 8-pixel cells, 2x2 blocks) of the grey image
    resized to 32 x 32 (where the shapes are: digits, objects) and, resized to ``size`` x
    ``size``, pooled over positions (mean, max and std of each block feature: a small
    defect counts wherever it lies); grey-level percentiles; an 8-bin histogram per
    colour channel.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    size : int
        Side in pixels the images are resized to for the pooled HOG.

    Returns
    -------
    numpy.ndarray of float32
        One row per image.
    """
    from skimage.feature import hog

    from workbench.sources.files import read_image

    def features(path) -> np.ndarray:
        rgb = Image.fromarray(read_image(path)).resize((size, size), Image.Resampling.BILINEAR)
        grey = np.asarray(rgb.convert("L"), dtype=np.float32) / 255
        blocks = hog(grey, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(2, 2),
                     feature_vector=False).reshape(-1, 36)
        small = np.asarray(rgb.convert("L").resize((32, 32), Image.Resampling.BILINEAR),
                           dtype=np.float32) / 255
        shape = np.concatenate([blocks.mean(axis=0), blocks.max(axis=0), blocks.std(axis=0),
                                hog(small, orientations=9, pixels_per_cell=(8, 8),
                                    cells_per_block=(2, 2))])
        levels = np.percentile(grey, [1, 5, 25, 50, 75, 95, 99])
        colour = np.asarray(rgb).reshape(-1, 3) // 32  # 8 bins a channel
        hist = (colour[:, :, None] == np.arange(8)).mean(axis=0).ravel()
        return np.concatenate([shape, levels, hist]).astype(np.float32)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return np.stack(list(pool.map(features, catalog.samples["filepath"])))


def cached_probe_features(catalog: Catalog, *, cache: bool = True) -> np.ndarray:
    """:func:`probe_features`, stored under ``data_home()/features`` by the data's
    fingerprint (regenerated or edited files miss it): the probe, the active-learning
    simulation and the small-class model read the images once.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    cache : bool
        Read and write the stored features.

    Returns
    -------
    numpy.ndarray of float32
        One row per image.
    """
    from workbench.demo import data_home

    path = (data_home() / "features"
            / f"probe-n{len(catalog)}-{catalog_fingerprint(catalog)[:24]}.npy")
    if cache and path.is_file():
        return np.load(path)
    features = probe_features(catalog)
    if cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as f:
            np.save(f, features)
        os.replace(f.name, path)
    return features


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
