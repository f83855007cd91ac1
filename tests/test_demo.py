import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.demo import digits_profile, make_digits, make_surfaces
from workbench.measure import class_counts
from workbench.sources import load


def test_digits_are_long_tailed_at_least_30_to_1(tmp_path):
    cat = make_digits(tmp_path / "d", seed=0)
    counts = cat.samples["label"].value_counts()
    assert counts.max() / counts.min() >= 30
    assert len(counts) == 10
    # The profile is the documented formula: rank r keeps round(n_max * 32 ** (-r / 9)).
    assert sorted(counts, reverse=True) == digits_profile(int(counts.max())).tolist()
    # Hidden imbalance: the phone share differs by class, rarer digits more from the phone.
    phone = (cat.samples["scanner"] == "phone").groupby(cat.samples["label"], observed=True).mean()
    rarest, commonest = counts.idxmin(), counts.idxmax()
    assert phone[rarest] > phone[commonest]


def test_surfaces_counts_conditions_and_groups(tmp_path):
    cat = make_surfaces(tmp_path / "s", n_images=400, seed=3)
    labels = cat.samples["label"].value_counts()
    assert labels["intact"] == 330 and labels["crack"] == 10  # 33:1 by largest remainder
    assert set(cat.conditions) == {"lighting", "camera"}
    # Every box and every mask agree: a class with boxes in an image has pixels there.
    boxes = set(zip(cat.objects["sample_id"], cat.objects["label"].astype(str), strict=True))
    defect_pixels = cat.pixels[cat.pixels["label"] != "intact"]
    pixels = set(zip(defect_pixels["sample_id"], defect_pixels["label"].astype(str), strict=True))
    assert boxes == pixels
    # Each image's label is one of the defects drawn in it (or intact with none).
    drawn = cat.objects.groupby("sample_id")["label"].agg(lambda s: set(s.astype(str)))
    for sample_id, label in cat.samples["label"].astype(str).items():
        assert (label == "intact") == (sample_id not in drawn.index)
        assert label == "intact" or label in drawn[sample_id]
    # Groups: damaged assets hold several images of their defect.
    crack_groups = cat.samples[cat.samples["label"] == "crack"].groupby("group").size()
    assert crack_groups.max() >= 2
    # Camera is fixed per asset.
    assert (cat.samples.groupby("group")["camera"].nunique() == 1).all()


def test_surfaces_cracks_are_rarer_at_night_on_the_default_size():
    cat = load("demo:surfaces")
    night = cat.samples["lighting"] == "night"
    labels = cat.samples["label"].astype(str)
    assert (labels == "intact").sum() / (labels == "crack").sum() == 33
    assert night[labels == "crack"].mean() < 0.5 * night[labels == "intact"].mean()
    assert len(cat) == 2000
    images = class_counts(cat, unit="images").total  # label or box: intact images have no box
    assert images["intact"] == 1650 and images["crack"] >= 50


def test_independent_count_of_the_demo_files():
    """Counts from the Catalog equal counts read straight from the files on disk."""
    cat = load("demo:surfaces:300")
    from PIL import Image
    totals = np.zeros(len(cat.classes), dtype=np.int64)
    for path in cat.samples["mask_path"]:
        totals += np.bincount(np.asarray(Image.open(path)).ravel(), minlength=len(cat.classes))
    ours = class_counts(cat, unit="pixels").total
    assert ours.tolist() == totals.tolist()
    boxes = pd.read_csv(Path(cat.source) / "manifest.objects.csv")
    assert class_counts(cat, unit="instances").total.to_dict() == (
        boxes["label"].value_counts().reindex(list(cat.classes[1:]), fill_value=0).to_dict())
    manifest = pd.read_csv(Path(cat.source) / "manifest.csv")
    assert class_counts(cat.replace(task="classification")).total.to_dict() == (
        manifest["label"].value_counts().reindex(list(cat.classes), fill_value=0).to_dict())


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.name.encode())
            h.update(p.read_bytes().replace(str(folder).encode(), b""))
    return h.hexdigest()


def test_same_seed_same_bytes(tmp_path):
    make_surfaces(tmp_path / "a", n_images=60, seed=5)
    make_surfaces(tmp_path / "b", n_images=60, seed=5)
    make_surfaces(tmp_path / "c", n_images=60, seed=6)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_readme_states_the_demos_numbers_as_generated():
    """The README's ratios are the data's, not the profile's parameter (32) or a share."""
    from pathlib import Path

    from workbench.measure import class_counts

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    readme = " ".join(readme.split())
    digits = class_counts(load("demo:digits")).total  # generated as make_digits(seed=0)
    big, small = int(digits.max()), int(digits.min())
    assert f"{big} : {small} = {big / small:.1f} : 1" in readme  # 174 : 5 = 34.8 : 1
    surfaces = load("demo:surfaces")
    labels = surfaces.samples["label"].value_counts()
    assert f"{int(class_counts(surfaces).total['crack'])} images contain a crack" in readme
    assert (f"intact : crack = {labels['intact']:,} : {labels['crack']} = "
            f"{labels['intact'] / labels['crack']:.0f} : 1") in readme


def test_a_demo_asked_for_twice_at_once_is_generated_once(tmp_path, monkeypatch):
    """Two notebooks (or test workers) starting together: the second waits for the first's
    demo instead of generating its own."""
    import threading
    import time

    from workbench.demo import store

    calls = []

    def slow_surfaces(folder, *, n_images, seed):
        calls.append(threading.get_ident())
        time.sleep(0.5)  # long enough for the other thread to arrive while this one writes
        make_surfaces(folder, n_images=n_images, seed=seed)

    monkeypatch.setenv("WORKBENCH_DATA", str(tmp_path))
    monkeypatch.setattr(store, "make_surfaces", slow_surfaces)
    found = []
    threads = [threading.Thread(target=lambda: found.append(store.demo_path("surfaces", 20)))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and len(found) == 2 and found[0] == found[1]
    assert found[0].is_file() and len(pd.read_csv(found[0])) == 20
    assert [p.name for p in found[0].parent.parent.iterdir() if not p.name.endswith(".lock")] \
        == [found[0].parent.name]  # no half-written folder left beside it
