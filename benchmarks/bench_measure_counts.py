"""Per-class counts for 1M images / 5M boxes, beside bare ``np.bincount`` on the same codes.

``class_counts`` does more than the peer (it maps sample ids to rows, drops crowd boxes,
stratifies, de-duplicates image/class pairs, labels the table), so the ratio says what
that bookkeeping costs on top of the counting itself.
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import detection_catalog

from workbench.measure import class_counts


def best_of(fn, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    start = time.perf_counter()
    cat = detection_catalog(1_000_000, 5_000_000)
    print(f"synthetic Catalog: 1,000,000 images, 5,000,000 boxes, 80 classes "
          f"(built and validated in {time.perf_counter() - start:.1f} s)")
    codes = cat.objects["label"].cat.codes.to_numpy().astype(np.int64)
    rows = cat.samples.index.get_indexer(cat.objects["sample_id"].astype(str))  # peer's own
    strata = (cat.samples["lighting"].to_numpy() == "night").astype(np.int64)
    peers = {
        "instances": lambda: np.bincount(codes, minlength=80),
        "instances by lighting": lambda: np.bincount(codes * 2 + strata[rows], minlength=160),
        # images containing each class: unique (image, class) pairs, then bincount
        "images": lambda: np.bincount(np.unique(rows.astype(np.int64) * 80 + codes) % 80,
                                      minlength=80),
    }
    ours = {
        "instances": lambda: class_counts(cat, unit="instances"),
        "instances by lighting": lambda: class_counts(cat, unit="instances", by="lighting"),
        "images": lambda: class_counts(cat, unit="images"),
    }
    assert class_counts(cat, unit="instances").total.tolist() == peers["instances"]().tolist()
    assert class_counts(cat).total.tolist() == peers["images"]().tolist()
    print(f"{'count':24s} {'workbench':>10s} {'np.bincount':>12s} {'ratio':>7s}")
    for name in ours:
        t_ours, t_peer = best_of(ours[name]), best_of(peers[name])
        print(f"{name:24s} {t_ours:9.3f}s {t_peer:11.3f}s {t_ours / t_peer:6.2f}x")


if __name__ == "__main__":
    main()
