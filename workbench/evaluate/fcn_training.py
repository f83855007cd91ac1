"""Training the demo segmenter's network on crops: crops drawn to hold a foreground
pixel, per-pixel cross-entropy or focal loss with class weights, a one-cycle schedule.

:func:`train_fcn` trains a :class:`workbench.evaluate.fcn.SmallFCN` on the rows each
epoch draws, optionally augmenting a batch; :func:`crop_origins` and
:func:`gather_crops` cut the crops, in plain numpy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch.nn import functional

from workbench.evaluate.fcn import SmallFCN
from workbench.torch_sampling import FocalLoss


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
