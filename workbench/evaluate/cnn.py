"""The demo segmenter on a Catalog: a Catalog's images in, its predictions out.

:func:`train_segmenter` trains the network on a Catalog's train images (shuffled, or
drawn by a resampling plan, with class-aware augmentation of the repeated draws);
:func:`segmenter_outputs` turns its per-pixel probabilities into image scores, boxes and
mask files. The network is in :mod:`workbench.evaluate.fcn`, its training loop in
:mod:`workbench.evaluate.fcn_training`, the pooling into scores and boxes in
:mod:`workbench.evaluate.pixel_outputs`. :func:`workbench.evaluate.models.demo_model_predictions`
drives it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from workbench.catalog import Catalog
from workbench.evaluate.fcn import predict_batches, torch_settings
from workbench.evaluate.fcn_training import train_fcn
from workbench.evaluate.pixel_outputs import component_boxes, image_scores

AUGMENT_FAMILIES = ("lighting", "blur", "noise", "affine")  # workbench.augment's default


def train_segmenter(catalog: Catalog, images: np.ndarray, codes: np.ndarray, *, train_ids,
                    seed: int = 0, epochs: int = 40, loss: str = "ce",
                    class_weight: pd.Series | None = None, sampler_plan=None,
                    augment: bool = False, crop: int = 48):
    """The trained network (see :func:`workbench.evaluate.models.demo_model_predictions`).

    Parameters
    ----------
    catalog : Catalog
        A segmentation Catalog.
    images, codes : numpy.ndarray
        :func:`workbench.evaluate.training_data.read_arrays` of the whole Catalog.
    train_ids : sequence of str
        The training images (those without a mask are left out).
    seed : int
        Seeds the order, crops and weights.
    epochs : int
        Number of epochs.
    loss : {"ce", "focal"}
        Cross-entropy or focal loss.
    class_weight : pandas.Series, optional
        Loss weight per class, in class order.
    sampler_plan : ResamplingPlan, optional
        Draws each epoch by the plan over the train images' sampling keys; default a
        shuffle.
    augment : bool
        Augment the repeated draws (:func:`class_aware`).
    crop : int
        Crop side, in pixels.

    Returns
    -------
    SmallFCN
        The trained network.
    """
    from workbench.sample import epoch_indices, sampling_keys

    rows = catalog.samples.index.get_indexer(pd.Index(train_ids, dtype=str))
    rows = rows[(codes[rows] >= 0).reshape(len(rows), -1).any(axis=1)]  # images with a mask
    train = catalog.subset(catalog.samples.index[rows])
    train_rows = catalog.samples.index.get_indexer(train.samples.index)
    if sampler_plan is not None:
        keys = sampling_keys(train)

        def epoch_rows(epoch):
            return train_rows[epoch_indices(sampler_plan, keys, epoch=epoch, seed=seed)]
    else:
        def epoch_rows(epoch):
            rng = np.random.default_rng(np.random.SeedSequence([seed, 2, epoch]))
            return train_rows[rng.permutation(len(train_rows))]
    background = (catalog.classes.index(catalog.background) if catalog.background is not None
                  else None)
    with torch_settings(seed):
        return train_fcn(images, codes, n_classes=len(catalog.classes), seed=seed,
                         epochs=epochs, epoch_rows=epoch_rows, loss=loss,
                         class_weight=None if class_weight is None else class_weight.to_numpy(),
                         background=background, crop=crop,
                         augment=class_aware(train, train_rows, seed) if augment else None)


def class_aware(train: Catalog, train_rows: np.ndarray, seed: int, *,
                families=AUGMENT_FAMILIES):
    """A batch augmenter for :func:`train_fcn`: the extra copies of an image (its second
    and later draws in an epoch) at the strength of its rarest class
    (:mod:`workbench.augment`: 0 for the commonest class). The first draw stays as it is:
    a model that only ever sees rare images transformed learns the transforms as a sign
    of the class, and misses the plain ones.

    Parameters
    ----------
    train : Catalog
        The training images.
    train_rows : numpy.ndarray
        Their rows in the arrays.
    seed : int
        Seed of the augmenter.
    families : sequence of str
        Transform families.

    Returns
    -------
    callable
        ``augment(rows, images, codes, rng, copies)`` for :func:`train_fcn`.
    """
    from workbench.augment import ClassAwareAugmenter, apply, class_strengths, image_strengths
    from workbench.measure import class_counts

    strengths = class_strengths(class_counts(train, unit="images"))
    by_row = np.zeros(int(train_rows.max(initial=0)) + 1)
    by_row[train_rows] = image_strengths(train, strengths).to_numpy()
    k = len(train.classes)  # masks go in as class codes, ignored pixels as 255
    augmenter = ClassAwareAugmenter(strengths, train.classes, task="segmentation", seed=seed,
                                    mask_values=range(k), ignore_index=255, families=families)

    def augment(rows, images, codes, rng, copies):
        for i in np.flatnonzero(copies & (by_row[rows] > 0)):  # albumentations: per image
            out = apply(augmenter.policy_for(by_row[rows[i]]),
                        {"image": images[i], "mask": codes[i].astype(np.uint8)})
            images[i] = out["image"]
            codes[i] = np.where(out["mask"] == 255, -1, out["mask"])
        return images, codes
    return augment


def segmenter_outputs(net, catalog: Catalog, images: np.ndarray, *, masks_dir: Path | None = None
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Image scores and boxes for every row of ``images`` (the Catalog's images, in
    order); predicted masks written to ``masks_dir`` as ``{row:06d}.png`` when given.

    Parameters
    ----------
    net : SmallFCN
        The trained network.
    catalog : Catalog
        The images' Catalog.
    images : numpy.ndarray
        (N, H, W, 3) uint8, in the Catalog's order.
    masks_dir : Path, optional
        Where the predicted masks go.

    Returns
    -------
    scores : pandas.DataFrame
        Image-level score per class, by sample id.
    objects : pandas.DataFrame
        Predicted boxes: sample_id, label, relative (0-1) x, y, w, h, score.
    """
    background = (catalog.classes.index(catalog.background) if catalog.background is not None
                  else None)
    values = np.asarray(catalog.mask_values)
    sizes = catalog.samples[["width", "height"]].to_numpy()
    scores, boxes = [], []
    with torch_settings(0), ThreadPoolExecutor(max_workers=2) as pool:
        for start, probs in predict_batches(net, images):
            pred = probs.argmax(axis=1)
            scores.append(image_scores(probs, background=background))
            found = component_boxes(pred, probs, background=background)
            boxes.append(found.assign(row=found["row"] + start))
            if masks_dir is not None:
                stored = values[pred].astype(np.uint16 if values.max() > 255 else np.uint8)
                list(pool.map(_write_mask, stored, sizes[start:start + len(pred)],
                              [masks_dir / f"{start + i:06d}.png" for i in range(len(pred))]))
    ids = catalog.samples.index
    table = pd.DataFrame(np.concatenate(scores), index=ids, columns=list(catalog.classes))
    found = pd.concat(boxes, ignore_index=True)
    objects = pd.DataFrame({
        "sample_id": ids[found["row"].to_numpy()],
        "label": pd.Categorical.from_codes(found["code"], categories=list(catalog.classes)),
        **{c: found[c].to_numpy() for c in ("x", "y", "w", "h", "score")}})
    return table, objects


def _write_mask(mask: np.ndarray, size, path: Path) -> None:
    image = Image.fromarray(mask)
    if image.size != tuple(size):
        image = image.resize(tuple(int(s) for s in size), Image.Resampling.NEAREST)
    image.save(path)
