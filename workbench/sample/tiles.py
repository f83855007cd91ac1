"""Tiles of segmentation masks, weighted so that rare-class pixels are drawn more often."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import DataError, Lacks, check_integer
from workbench.sample.repeat import lvis_factor


@dataclass(frozen=True)
class TilePlan:
    """Tiles of the images, their pixels per class, and a sampling weight per tile."""

    tiles: pd.DataFrame        # sample_id, row, col, x0, y0, weight
    pixels: np.ndarray         # tiles x classes
    classes: tuple[str, ...]
    tile_size: int

    def __repr__(self) -> str:
        weights = self.tiles["weight"]
        return (f"TilePlan({len(self.tiles):,} tiles of {self.tile_size}x{self.tile_size}, "
                f"{int((weights > 1).sum()):,} weighted up, largest {weights.max():.2f})")

    def shares(self) -> pd.DataFrame:
        """Each class's share of the pixels drawn, uniform tiles vs weighted tiles.

        Returns
        -------
        pandas.DataFrame
            Per class: ``share_before`` and ``share_after``, fractions of the pixels.
        """
        before = self.pixels.sum(axis=0)
        after = (self.pixels * self.tiles["weight"].to_numpy()[:, None]).sum(axis=0)
        return pd.DataFrame({"share_before": before / before.sum(),
                             "share_after": after / after.sum()},
                            index=pd.Index(self.classes, name="class"))

    def to_frame(self) -> pd.DataFrame:
        """The tiles.

        Returns
        -------
        pandas.DataFrame
            One row per tile: sample_id, row, col, pixel offsets x0 and y0, weight.
        """
        return self.tiles


def tile_plan(catalog: Catalog, *, tile_size: int = 32, threshold: float = 0.1,
              max_weight: float = 10.0) -> TilePlan:
    """Cut each image into a grid of ``tile_size`` tiles and weight the tiles.

    Pixels per class per tile come from the masks (one bincount per mask). A class's
    tile factor follows the repeat-factor rule on tiles, ``max(1, sqrt(threshold /
    f(c)))`` with ``f(c)`` the fraction of tiles containing it, and a tile's weight is
    the largest factor of its classes, capped at ``max_weight``. Edge pixels that do not
    fill a whole tile are left out.

    Parameters
    ----------
    catalog : Catalog
        With class-index masks.
    tile_size : int
        The side of a square tile, in pixels (>= 1).
    threshold : float
        Classes in fewer than this fraction of the tiles are weighted up (> 0).
    max_weight : float
        A tile's weight is capped here (>= 1).

    Returns
    -------
    TilePlan
        ``tiles`` (sample id, row, column, pixel offsets, weight), the pixels per class
        of each tile, and :meth:`TilePlan.shares` (each class's pixel share before and
        after weighting).
    """
    if not catalog.has_masks:
        raise Lacks(
            "This dataset has no class-index masks, so there are no pixels to tile: tiles "
            "need one mask per image (masks:IMAGES:MASKS, or a mask_path column). A COCO "
            "panoptic PNG stores segment ids, not classes."
        )
    check_integer("tile_size", tile_size, least=1, func="tile_plan")
    if not threshold > 0 or not max_weight >= 1:
        raise ValueError("threshold must be > 0 and max_weight >= 1.")
    from workbench.sources.pixels import read_mask

    k = len(catalog.classes)
    records, counts = [], []
    for sample_id, path in catalog.samples["mask_path"].dropna().items():  # one file each
        mask = catalog.mask_codes(read_mask(path))
        n_rows, n_cols = mask.shape[0] // tile_size, mask.shape[1] // tile_size
        if not n_rows or not n_cols:
            continue
        cropped = mask[:n_rows * tile_size, :n_cols * tile_size]
        tile_id = (np.arange(n_rows * tile_size) // tile_size)[:, None] * n_cols + (
            np.arange(n_cols * tile_size) // tile_size)[None, :]
        valid = cropped >= 0
        flat = np.bincount(tile_id[valid] * k + cropped[valid], minlength=n_rows * n_cols * k)
        counts.append(flat.reshape(n_rows * n_cols, k))
        r, c = np.divmod(np.arange(n_rows * n_cols), n_cols)
        records.append(pd.DataFrame({"sample_id": sample_id, "row": r, "col": c,
                                     "x0": c * tile_size, "y0": r * tile_size}))
    if not records:
        raise DataError(f"No mask is at least {tile_size}x{tile_size}; use smaller tiles.")
    pixels = np.concatenate(counts)
    tiles = pd.concat(records, ignore_index=True)
    present = pixels > 0
    fraction = present.mean(axis=0)
    factor = lvis_factor(fraction, threshold)
    weight = np.where(present, factor[None, :], 1.0).max(axis=1)
    tiles["weight"] = np.minimum(weight, max_weight)
    return TilePlan(tiles=tiles, pixels=pixels, classes=tuple(catalog.classes),
                    tile_size=tile_size)
