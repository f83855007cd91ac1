"""``demo:digits``: scikit-learn's handwritten digits made long-tailed, with a scanner
condition mixed differently per class (see :mod:`workbench.demo`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from workbench.apportion import largest_remainder
from workbench.catalog import Catalog
from workbench.demo.png import PNG_LEVEL
from workbench.sources.manifest import store_manifest

DIGITS_RATIO = 32.0


def digits_profile(n_max: int, *, ratio: float = DIGITS_RATIO, n_classes: int = 10) -> np.ndarray:
    """Images kept per rarity rank: ``round(n_max * ratio ** (-rank / (n_classes - 1)))``.

    Parameters
    ----------
    n_max : int
        Images of the commonest digit.
    ratio : float
        Commonest over rarest.
    n_classes : int
        Number of ranks.

    Returns
    -------
    numpy.ndarray of int
        Images per rank, commonest first.

    Examples
    --------
    >>> digits_profile(160).tolist()
    [160, 109, 74, 50, 34, 23, 16, 11, 7, 5]
    """
    ranks = np.arange(n_classes)
    return np.round(n_max * ratio ** (-ranks / (n_classes - 1))).astype(int)


def make_digits(out: Path, *, n_images=None, seed: int = 0) -> Catalog:
    """Write the long-tailed digits into ``out`` and return their Catalog.

    Parameters
    ----------
    out : Path
        An existing folder.
    n_images : int, optional
        Images; default all that the profile keeps.
    seed : int
        Seed of the draws.

    Returns
    -------
    Catalog
        The digits, with a ``scanner`` condition.
    """
    from sklearn.datasets import load_digits

    rng = np.random.default_rng(seed)
    digits = load_digits()
    images, target = digits.images, digits.target
    rarity = rng.permutation(10)  # rarity[r] is the digit of rank r
    per_class = np.bincount(target)
    kept = digits_profile(int(per_class.min()))
    rank_of = np.argsort(rarity)
    chosen = np.concatenate([
        rng.choice(np.flatnonzero(target == d), kept[rank_of[d]], replace=False)
        for d in range(10)
    ])
    if n_images is not None and n_images < len(chosen):  # shrink, keeping the profile's shape
        chosen = chosen[_proportional_pick(target[chosen], n_images, rng)]
    chosen = np.sort(chosen)
    labels = target[chosen]
    p_phone = 0.15 + 0.6 * rank_of[labels] / 9  # rarer digits come more often from the phone
    scanner = np.where(rng.random(len(chosen)) < p_phone, "phone", "flatbed")
    pixels = _render_digits(images[chosen], scanner == "phone", rng)
    rows = []
    for idx, label, img, scan in zip(chosen, labels, pixels, scanner, strict=True):
        rel = Path(str(label)) / f"digit_{idx:04d}.png"
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(img).save(out / rel, compress_level=PNG_LEVEL)
        rows.append({"sample_id": f"{label}/digit_{idx:04d}", "filepath": str(out / rel),
                     "width": 32, "height": 32, "label": str(label), "scanner": scan})
    samples = pd.DataFrame(rows).set_index("sample_id")
    catalog = Catalog(samples, classes=[str(d) for d in range(10)], conditions=["scanner"],
                      source=str(out))
    store_manifest(catalog, out / "manifest.csv")
    return catalog


def _render_digits(images: np.ndarray, phone: np.ndarray, rng) -> np.ndarray:
    """8x8 scans (0..16) -> 32x32 dark ink on paper; phone scans blurrier and greyer."""
    from scipy.ndimage import gaussian_filter

    big = np.kron(images / 16.0, np.ones((4, 4)))  # nearest-neighbour upscale, vectorised
    soft = gaussian_filter(big, sigma=(0, 0.8, 0.8))
    big = np.where(phone[:, None, None], gaussian_filter(big, sigma=(0, 1.6, 1.6)), soft)
    paper = np.where(phone, 0.78, 0.97)[:, None, None]
    ink = paper - big * np.where(phone, 0.55, 0.85)[:, None, None]
    ink = ink + rng.normal(0, 0.02, ink.shape) * (1 + 2 * phone[:, None, None])
    return (np.clip(ink, 0, 1) * 255).astype(np.uint8)


def _proportional_pick(labels: np.ndarray, n: int, rng) -> np.ndarray:
    """Indices of ``n`` items keeping each label's share (largest remainder, >= 1 each)."""
    values, counts = np.unique(labels, return_counts=True)
    quota = np.maximum(1, largest_remainder(counts / counts.sum(), n))
    picked = [rng.choice(np.flatnonzero(labels == v), min(q, c), replace=False)
              for v, q, c in zip(values, quota, counts, strict=True)]
    return np.sort(np.concatenate(picked))
