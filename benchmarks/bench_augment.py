"""Class-aware wrapper overhead against bare Albumentations ``Compose``.

Same 400 demo images (boxes and masks), same transforms at the same strength, same
seed; the wrapper also works out each image's strength from its classes and picks the
cached policy. Target: overhead at most 10%.
"""

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from table import Row, render

from workbench.augment import ClassAwareAugmenter, policy, read_sample
from workbench.sources import load


def rows(rounds: int = 9) -> list[Row]:
    catalog = load("demo:surfaces:400")
    samples = [read_sample(catalog, s) for s in catalog.samples.index]
    strength = 0.8
    strengths = pd.Series(strength, index=list(catalog.classes))
    wrapper = ClassAwareAugmenter(strengths, catalog.classes, seed=0)
    bare = policy(strength, seed=0)

    def run_bare():
        for s in samples:
            bare(image=s["image"], bboxes=s["bboxes"], labels=s["labels"], mask=s["mask"])

    def run_wrapper():
        for s in samples:
            wrapper(s["image"], boxes=s["bboxes"], labels=s["labels"], mask=s["mask"],
                    label=s["label"])

    times = {"bare": [], "wrapper": []}
    for _ in range(rounds):  # interleaved, so drift hits both alike
        for name, fn in (("bare", run_bare), ("wrapper", run_wrapper)):
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    bare_t, wrap_t = np.median(times["bare"]), np.median(times["wrapper"])
    return [Row(f"class-aware augmentation, {len(samples)} images (median of {rounds})",
                float(wrap_t), "bare A.Compose", float(bare_t), ("slower", 1.10))]


if __name__ == "__main__":
    print(render(rows()))
