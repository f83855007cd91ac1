"""Loading a COCO JSON of 100k images / 500k boxes into a Catalog.

Peer: pycocotools' ``COCO(path)``, which reads the same file and builds its indexes
(what every COCO training and evaluation script does first). Both read from disk.
"""

import contextlib
import io
import json
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from table import Row, best_of, render

from workbench.sources import read_coco

N_IMAGES, N_BOXES, N_CLASSES = 100_000, 500_000, 80


def synthetic_coco(path: Path, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    width, height = 640, 480
    image_of = rng.integers(0, N_IMAGES, N_BOXES)
    ranks = np.arange(1, N_CLASSES + 1)
    category = rng.choice(N_CLASSES, N_BOXES, p=(1 / ranks) / (1 / ranks).sum())  # Zipf-like
    w = rng.uniform(4, 200, N_BOXES)
    h = rng.uniform(4, 200, N_BOXES)
    x = rng.uniform(0, 1, N_BOXES) * (width - w)
    y = rng.uniform(0, 1, N_BOXES) * (height - h)
    data = {
        "images": [{"id": i, "file_name": f"{i:06d}.jpg", "width": width, "height": height}
                   for i in range(N_IMAGES)],
        "categories": [{"id": c + 1, "name": f"class_{c:02d}"} for c in range(N_CLASSES)],
        "annotations": [
            {"id": k + 1, "image_id": int(image_of[k]), "category_id": int(category[k]) + 1,
             "bbox": [round(x[k], 2), round(y[k], 2), round(w[k], 2), round(h[k], 2)],
             "area": round(w[k] * h[k], 2), "iscrowd": 0}
            for k in range(N_BOXES)
        ],
    }
    path.write_text(json.dumps(data))


def rows() -> list[Row]:
    from pycocotools.coco import COCO

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "instances.json"
        synthetic_coco(path)
        size_mb = path.stat().st_size / 1e6
        with warnings.catch_warnings():  # one near-duplicate pair in the random boxes
            warnings.simplefilter("ignore")
            ours, catalog = best_of(lambda: read_coco(path, check_files=False))
        with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints its progress
            peer, _ = best_of(lambda: COCO(str(path)))
    assert len(catalog) == N_IMAGES and len(catalog.objects) == N_BOXES
    return [Row(f"COCO JSON load, {N_IMAGES // 1000}k images / {N_BOXES // 1000}k boxes "
                f"({size_mb:.0f} MB)", ours, "pycocotools COCO(path)", peer, ("slower", 1.0))]


if __name__ == "__main__":
    print(render(rows()))
