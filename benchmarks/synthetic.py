"""Synthetic Catalogs for the benchmarks: many images, Zipf-like classes, no files on disk."""

import numpy as np
import pandas as pd

from workbench.catalog import Catalog


def detection_catalog(n_images: int, n_boxes: int, n_classes: int = 80, seed: int = 0) -> Catalog:
    rng = np.random.default_rng(seed)
    ranks = np.arange(1, n_classes + 1)
    p = (1 / ranks) / (1 / ranks).sum()
    ids = pd.Index(np.arange(n_images)).astype(str)  # the boxes refer to rows by code
    samples = pd.DataFrame({
        "filepath": "/data/images/" + ids + ".jpg",
        "width": 640, "height": 480,
        "lighting": rng.choice(["day", "night"], n_images, p=[0.7, 0.3]),
        "split": rng.choice(["train", "val", "test"], n_images, p=[0.7, 0.15, 0.15]),
    }, index=pd.Index(ids, name="sample_id"))
    w, h = rng.uniform(0.01, 0.3, n_boxes), rng.uniform(0.01, 0.3, n_boxes)
    objects = pd.DataFrame({
        "sample_id": pd.Categorical.from_codes(rng.integers(0, n_images, n_boxes),
                                               categories=ids.rename("sample_id")),
        "label": pd.Categorical.from_codes(rng.choice(n_classes, n_boxes, p=p),
                                           categories=[f"c{i:03d}" for i in range(n_classes)]),
        "x": rng.uniform(0, 1, n_boxes) * (1 - w), "y": rng.uniform(0, 1, n_boxes) * (1 - h),
        "w": w, "h": h,
    })
    return Catalog(samples, classes=[f"c{i:03d}" for i in range(n_classes)], task="detection",
                   objects=objects, conditions=["lighting"])
