"""The demo segmenter's network: a small fully convolutional network, run on CPU with
seeded, deterministic torch settings, and its softmax probabilities batch by batch.

Only this module, :mod:`workbench.evaluate.fcn_training` and :mod:`workbench.torch_sampling`
import torch. :mod:`workbench.evaluate.fcn_training` trains the network,
:mod:`workbench.evaluate.cnn` runs it on a Catalog.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np
import torch
from torch import nn
from torch.nn import functional

THREADS = 1  # fixed (sums can depend on it); 2 threads run 3x slower beside a busy process


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
