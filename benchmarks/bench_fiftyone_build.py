"""Building a FiftyOne dataset of 100k images / 500k boxes from a Catalog.

Peer: the naive path, one ``fo.Sample`` with ``fo.Detections`` per image and one
``add_samples`` call, on the same 100k images. Runs against a private mongod (no shared
database touched).
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import detection_catalog
from table import Row, render

from workbench.environment import private_database


def naive(catalog, fo):
    """What a user writes first: one fo.Sample with fo.Detections per image, boxes grouped
    by image in one pass (dict of lists), then one add_samples call."""
    per_image = {}
    objects = catalog.objects
    for sample_id, label, x, y, w, h in zip(objects["sample_id"].astype(str),
                                            objects["label"].astype(str), objects["x"],
                                            objects["y"], objects["w"], objects["h"],
                                            strict=True):
        per_image.setdefault(sample_id, []).append(
            fo.Detection(label=label, bounding_box=[x, y, w, h]))
    samples = []
    for sample_id, row in zip(catalog.samples.index, catalog.samples.itertuples(),
                              strict=True):
        sample = fo.Sample(filepath=row.filepath, lighting=row.lighting, split=row.split)
        sample["detections"] = fo.Detections(detections=per_image.get(sample_id, []))
        samples.append(sample)
    dataset = fo.Dataset()
    dataset.add_samples(samples, progress=False)
    return dataset


def rows() -> list[Row]:
    with private_database():
        import fiftyone as fo

        from workbench import browse

        catalog = detection_catalog(100_000, 500_000)
        start = time.perf_counter()
        dataset = browse.to_fiftyone(catalog)
        ours = time.perf_counter() - start
        assert dataset.count("detections.detections") == 500_000
        dataset.delete()
        start = time.perf_counter()
        naive(catalog, fo).delete()
        peer = time.perf_counter() - start
    return [Row("FiftyOne dataset, 100k images / 500k boxes", ours, "naive add_samples",
                peer, ("faster", 8.0))]


if __name__ == "__main__":
    print(render(rows()))
