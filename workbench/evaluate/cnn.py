"""The demo segmenter: a small fully convolutional network, its training loop, and what
its per-pixel probabilities say about images (scores) and objects (boxes).

Only this module and :mod:`workbench.torch_sampling` import torch; the turning of
probabilities into boxes and image scores is plain numpy and scipy, tested on literal
arrays. :func:`workbench.evaluate.models.demo_model_predictions` drives it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from PIL import Image
from scipy import ndimage
from torch import nn
from torch.nn import functional

from workbench.catalog import Catalog
from workbench.torch_sampling import FocalLoss

THREADS = 1  # fixed (sums can depend on it); 2 threads run 3x slower beside a busy process
AUGMENT_FAMILIES = ("lighting", "blur", "noise", "affine")  # workbench.augment's default
TOP_FRACTION = 0.001  # an image's class score: the mean of its top 0.1% pixel probabilities


@contextlib.contextmanager
def torch_settings(seed: int, *, threads: int = THREADS):
    """Seeded, deterministic, ``threads`` CPU threads; restores the caller's settings.

    Parameters
    ----------
    seed : int
        Seed of torch's generator.
    threads : int
        CPU threads torch uses inside the block.

    Yields
    ------
    None
        Inside the block the settings hold.
    """
    before = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(seed)
    try:
        yield
    finally:
        torch.set_num_threads(before[0])
        torch.use_deterministic_algorithms(before[1])


def _conv(c_in: int, c_out: int, *, stride: int = 1, dilation: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, stride=stride, padding=dilation,
                                   dilation=dilation, bias=False),
                         nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


class SmallFCN(nn.Module):
    """Four 3x3 convolutions at 1/2 and 1/4 resolution (the last two dilated, for
    context) give coarse class logits, upsampled; a full-resolution branch (one 3x3
    convolution, and the pixels themselves) adds fine logits, so thin lines keep their
    width.

    >>> SmallFCN(5)(torch.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 5, 32, 32])
    """

    def __init__(self, n_classes: int, *, width: tuple[int, int, int] = (8, 12, 24),
                 mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25)):
        super().__init__()
        c0, c1, c2 = width
        self.features = nn.Sequential(_conv(3, c1, stride=2), _conv(c1, c2, stride=2),
                                      _conv(c2, c2, dilation=2), _conv(c2, c2, dilation=4))
        self.coarse = nn.Conv2d(c2, n_classes, 1)
        self.full = _conv(3, c0) if c0 else None
        self.fine = nn.Conv2d(3 + c0, n_classes, 1)
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32)[:, None, None])
        self.register_buffer("std", torch.as_tensor(std, dtype=torch.float32)[:, None, None])

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Per-pixel class logits.

        Parameters
        ----------
        images : torch.Tensor
            uint8 or [0, 255] float images, (B, 3, H, W).

        Returns
        -------
        torch.Tensor
            Logits, (B, K, H, W).
        """
        x = (images.float() / 255 - self.mean) / self.std
        coarse = functional.interpolate(self.coarse(self.features(x)), size=x.shape[-2:],
                                        mode="bilinear", align_corners=False)
        fine = torch.cat([x, self.full(x)], dim=1) if self.full is not None else x
        return coarse + self.fine(fine)


def crop_origins(codes: np.ndarray, size: int, *, background: int | None, rng) -> np.ndarray:
    """Top-left corners (row, col) of ``size`` crops: on an image with foreground pixels,
    a crop holding a random one of them; elsewhere a uniform position.

    Parameters
    ----------
    codes : numpy.ndarray
        Class codes per pixel, (N, H, W); -1 ignored.
    size : int
        Crop side, in pixels.
    background : int or None
        The background's code; None: every crop uniform.
    rng : numpy.random.Generator
        Draws the pixels and offsets.

    Returns
    -------
    numpy.ndarray of int
        (N, 2) rows and columns, in pixels.
    """
    n, h, w = codes.shape
    fg = (codes >= 0) & (codes != (-2 if background is None else background))
    pick = (rng.random(fg.shape) * fg).reshape(n, -1).argmax(axis=1)  # a random fg pixel
    has = fg.reshape(n, -1).any(axis=1) & (background is not None)
    margin = min(4, size // 4)
    offset = rng.integers(margin, size - margin, (n, 2))
    uniform = np.column_stack([rng.integers(0, h - size + 1, n), rng.integers(0, w - size + 1, n)])
    centred = np.column_stack([pick // w, pick % w]) - offset
    origin = np.where(has[:, None], centred, uniform)
    return np.clip(origin, 0, [h - size, w - size])


def gather_crops(array: np.ndarray, origins: np.ndarray, size: int) -> np.ndarray:
    """``array[i, r:r+size, c:c+size]`` for each row (r, c) of ``origins``, in one index.

    Parameters
    ----------
    array : numpy.ndarray
        (N, H, W, ...) images or codes.
    origins : numpy.ndarray
        (N, 2) top-left (row, col) in pixels.
    size : int
        Crop side, in pixels.

    Returns
    -------
    numpy.ndarray
        (N, size, size, ...).
    """
    r = np.arange(size)
    rows = (origins[:, 0, None] + r)[:, :, None]
    cols = (origins[:, 1, None] + r)[:, None, :]
    return array[np.arange(len(origins))[:, None, None], rows, cols]


def train_fcn(images: np.ndarray, codes: np.ndarray, *, n_classes: int, seed: int, epochs: int,
              epoch_rows: Callable[[int], np.ndarray], loss: str = "ce",
              class_weight: np.ndarray | None = None, background: int | None = None,
              augment: Callable | None = None, crop: int = 48, batch_size: int = 32,
              lr: float = 0.015, width=(8, 12, 24)) -> SmallFCN:
    """Train a :class:`SmallFCN` on ``crop`` x ``crop`` crops with per-pixel cross-entropy
    (or focal loss, gamma 2), ``class_weight`` per class, pixels coded -1 ignored.

    Deterministic for a seed (call inside :func:`torch_settings`).

    Parameters
    ----------
    images : numpy.ndarray
        (N, H, W, 3) uint8.
    codes : numpy.ndarray
        (N, H, W) class codes, -1 ignored.
    n_classes : int
        Number of classes.
    seed : int
        Seeds the crops and the augmentation draws (the weights: :func:`torch_settings`).
    epochs : int
        Number of epochs.
    epoch_rows : callable
        ``epoch_rows(e)``: the rows epoch ``e`` draws (repeats allowed).
    loss : {"ce", "focal"}
        Cross-entropy or focal loss.
    class_weight : numpy.ndarray, optional
        Loss weight per class.
    background : int, optional
        The background's code (crops then centre on foreground pixels).
    augment : callable, optional
        ``augment(rows, images, codes, rng, copies)`` may change a batch's arrays,
        ``copies`` marking the draws of an image after its first in the epoch.
    crop : int
        Crop side, in pixels (at most the image's).
    batch_size : int
        Crops per step.
    lr : float
        Peak learning rate of the one-cycle schedule.
    width : tuple of int
        Channels of the network's three stages.

    Returns
    -------
    SmallFCN
        The trained network, in eval mode.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    crop = min(crop, *codes.shape[1:])
    schedule = [epoch_rows(e) for e in range(epochs)]
    pixels = images[np.unique(np.concatenate(schedule)), ::4, ::4].reshape(-1, 3) / 255
    net = SmallFCN(n_classes, width=width, mean=pixels.mean(axis=0), std=pixels.std(axis=0) + 1e-3)
    weight = None if class_weight is None else torch.tensor(class_weight, dtype=torch.float32)
    focal = FocalLoss(gamma=2.0, alpha=weight) if loss == "focal" else None
    steps = sum(-(-len(rows) // batch_size) for rows in schedule)
    opt = torch.optim.AdamW(net.parameters(), lr=lr / 2, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=max(steps, 1))
    net.train()
    for rows in schedule:
        copies = np.ones(len(rows), dtype=bool)
        copies[np.unique(rows, return_index=True)[1]] = False
        for start in range(0, len(rows), batch_size):
            batch = rows[start:start + batch_size]
            x, y = images[batch], codes[batch]
            if augment is not None:
                x, y = augment(batch, x, y, rng, copies[start:start + batch_size])
            origins = crop_origins(y, crop, background=background, rng=rng)
            x = torch.from_numpy(gather_crops(x, origins, crop)).permute(0, 3, 1, 2)
            y = torch.from_numpy(gather_crops(y, origins, crop)).long()
            logits = net(x)
            if focal is None:
                value = functional.cross_entropy(logits, y, weight=weight, ignore_index=-1)
            else:
                valid = y.reshape(-1) >= 0
                flat = logits.permute(0, 2, 3, 1).reshape(-1, n_classes)
                value = focal(flat[valid], y.reshape(-1)[valid])
            opt.zero_grad(set_to_none=True)
            value.backward()
            opt.step()
            sched.step()
    return net.eval()


def predict_batches(net: SmallFCN, images: np.ndarray, *, batch_size: int = 64
                    ) -> Iterator[tuple[int, np.ndarray]]:
    """Softmax probabilities of ``images``, batch by batch.

    Parameters
    ----------
    net : SmallFCN
        The network.
    images : numpy.ndarray
        (N, H, W, 3) uint8.
    batch_size : int
        Images per batch.

    Yields
    ------
    start : int
        The batch's first row.
    probs : numpy.ndarray
        float32, (B, K, H, W).
    """
    with torch.inference_mode():
        for start in range(0, len(images), batch_size):
            x = torch.from_numpy(images[start:start + batch_size]).permute(0, 3, 1, 2)
            yield start, net(x).softmax(dim=1).numpy()


def image_scores(probs: np.ndarray, *, background: int | None,
                 top_fraction: float = TOP_FRACTION) -> np.ndarray:
    """Image-level scores (B, K) from pixel probabilities (B, K, H, W).

    A class's score is the mean of its highest ``top_fraction`` of pixel probabilities
    (at least one pixel): high when some pixels are confidently that class, however few.
    The background's score is 1 minus the highest other score. Rows are normalised to
    sum to 1.

    Parameters
    ----------
    probs : numpy.ndarray
        Pixel probabilities, (B, K, H, W).
    background : int or None
        The background's code.
    top_fraction : float
        Fraction of the pixels averaged per class.

    Returns
    -------
    numpy.ndarray of float
        (B, K), rows summing to 1.

    Examples
    --------
    >>> p = np.zeros((1, 2, 2, 2)); p[0, 0] = 1; p[0, :, 0, 0] = [0.2, 0.8]
    >>> image_scores(p, background=0, top_fraction=0.25).round(3).tolist()
    [[0.2, 0.8]]
    """
    b, k = probs.shape[:2]
    flat = probs.reshape(b, k, -1)
    top = max(1, int(round(top_fraction * flat.shape[2])))
    scores = np.partition(flat, flat.shape[2] - top, axis=2)[:, :, -top:].mean(
        axis=2, dtype=np.float64)
    if background is not None:
        others = np.delete(scores, background, axis=1)
        scores[:, background] = 1 - (others.max(axis=1) if others.shape[1] else 0)
    scores = np.clip(scores, 1e-6, None)
    return scores / scores.sum(axis=1, keepdims=True)


def component_boxes(pred: np.ndarray, probs: np.ndarray, *, background: int | None,
                    min_area: int = 4, merge_gap: int = 3) -> pd.DataFrame:
    """Boxes from predicted masks: one per 8-connected component of each class but the
    background, ``min_area`` pixels or more. Pieces of one class closer than about
    ``2 * merge_gap`` pixels are one component: a thin crack predicted in fragments is one
    crack, not five small boxes that each miss it (on the demo, crack AP@0.5 rose from
    0.00 to 0.57 with ``merge_gap=3``). Areas, scores and boxes count the predicted pixels
    only.

    Parameters
    ----------
    pred : numpy.ndarray
        Class codes, (B, H, W).
    probs : numpy.ndarray
        Probabilities, (B, K, H, W).
    background : int or None
        The background's code, given no boxes.
    min_area : int
        Smallest component kept, in pixels.
    merge_gap : int
        Dilation in pixels before components are labelled.

    Returns
    -------
    pandas.DataFrame
        ``row`` (image in the batch), ``code``, relative (0-1) ``x, y, w, h`` and
        ``score``, the class's mean probability over the component's pixels.

    Examples
    --------
    >>> pred = np.zeros((1, 4, 4), int); pred[0, 1:3, 2:4] = 1
    >>> probs = np.stack([pred == 0, pred == 1], axis=1) * 0.5
    >>> component_boxes(pred, probs, background=0).round(2).to_dict("records")
    [{'row': 0, 'code': 1, 'x': 0.5, 'y': 0.25, 'w': 0.5, 'h': 0.5, 'score': 0.5}]
    """
    b, h, w = pred.shape
    in_plane = np.zeros((3, 3, 3), bool)
    in_plane[1] = True  # 8-connected within an image, never across images
    parts = []
    for code in range(probs.shape[1]):  # one labelling per class, all images at once
        if code == background:
            continue
        mask = pred == code
        grown = (ndimage.binary_dilation(mask, structure=in_plane, iterations=merge_gap)
                 if merge_gap else mask)
        labels, n = ndimage.label(grown, structure=in_plane)
        if not n:
            continue
        labels = labels * mask  # the merged components, over the predicted pixels only
        area = np.bincount(labels.ravel(), minlength=n + 1)[1:]
        mass = np.bincount(labels.ravel(), weights=probs[:, code].ravel(), minlength=n + 1)[1:]
        spans = np.array([[s.start for s in sl] + [s.stop for s in sl]
                          for sl in ndimage.find_objects(labels)])  # (n, 6): z y x, z' y' x'
        keep = area >= min_area
        spans = spans[keep]
        parts.append(pd.DataFrame({
            "row": spans[:, 0], "code": code, "x": spans[:, 2] / w, "y": spans[:, 1] / h,
            "w": (spans[:, 5] - spans[:, 2]) / w, "h": (spans[:, 4] - spans[:, 1]) / h,
            "score": mass[keep] / area[keep]}))
    columns = {"row": "int64", "code": "int64", "x": float, "y": float, "w": float, "h": float,
               "score": float}
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    return pd.concat(parts, ignore_index=True).astype(columns).sort_values(
        ["row", "code", "y", "x"], kind="stable", ignore_index=True)


# -- a Catalog's images in, a Catalog's predictions out -------------------------------------


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
