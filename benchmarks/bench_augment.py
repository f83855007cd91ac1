"""Class-aware wrapper overhead against bare Albumentations ``Compose``.

Same 400 demo images (boxes and masks), same transforms at the same strength, same
seed; the wrapper also works out each image's strength from its classes and picks the
cached policy. Target: overhead at most 10%.
"""

import time

import numpy as np
import pandas as pd

from workbench.augment import ClassAwareAugmenter, policy, read_sample
from workbench.sources import load


def main(rounds: int = 5):
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
    n = len(samples)
    print(f"{n} images 128x128 with boxes and masks, strength {strength}, median of {rounds}")
    print(f"  bare A.Compose        : {bare_t:6.3f} s  ({n / bare_t:7.0f} images/s)")
    print(f"  ClassAwareAugmenter   : {wrap_t:6.3f} s  ({n / wrap_t:7.0f} images/s)")
    print(f"  overhead              : {100 * (wrap_t / bare_t - 1):+5.1f}%")


if __name__ == "__main__":
    main()
