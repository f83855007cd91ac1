"""Building a FiftyOne dataset of 100k images / 500k boxes from a Catalog.

Peer: the naive path, one ``fo.Sample`` with ``fo.Detections`` per image and one
``add_samples`` call, timed on a 10k-image slice and scaled up by 10. Runs against a
private mongod (no shared database touched).
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import detection_catalog

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


def main():
    with private_database():
        import fiftyone as fo

        from workbench import browse

        catalog = detection_catalog(100_000, 500_000)
        start = time.perf_counter()
        dataset = browse.to_fiftyone(catalog)
        ours = time.perf_counter() - start
        assert dataset.count("detections.detections") == 500_000
        part = catalog.subset(catalog.samples.index[:10_000])
        start = time.perf_counter()
        naive(part, fo)
        peer = (time.perf_counter() - start) * len(catalog) / len(part)
    print("FiftyOne dataset, 100,000 images / 500,000 boxes")
    print(f"  workbench to_fiftyone (bulk)        : {ours:6.1f} s")
    print(f"  naive add_samples (10k slice x 10)  : {peer:6.1f} s")
    print(f"  ratio workbench / naive             : {ours / peer:6.2f}x")


if __name__ == "__main__":
    main()
