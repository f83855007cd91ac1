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
    boxes = catalog.objects.groupby("sample_id")
    samples = []
    for sample_id, row in catalog.samples.iterrows():
        sample = fo.Sample(filepath=row.filepath, lighting=row.lighting, split=row.split)
        found = boxes.get_group(sample_id) if sample_id in boxes.groups else None
        sample["detections"] = fo.Detections(detections=[] if found is None else [
            fo.Detection(label=r.label, bounding_box=[r.x, r.y, r.w, r.h])
            for r in found.itertuples()])
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
