"""Small datasets in the shapes people bring, written to a folder; each returns its spec.

- :func:`folder`: classification folders, no split, groups or conditions, mixed sizes;
- :func:`yolo`: detection, no image label, its own train/val split, a negative image;
- :func:`coco`: detection, one JSON per split (``instances_{split}.json``);
- :func:`voc`: a slice of the real BCCD set (tests/data/bccd), VOC layout, split files;
- :func:`masks`: segmentation masks only, a class map with gaps (0, 3, 7), ignore 255,
  train/val folders;
- :func:`manifest`: classification with two conditions and groups;
- :func:`panoptic`: a COCO panoptic JSON;
- :func:`zipf80`: 80 COCO class names with a long tail, YOLO layout (for figures).

The pictures are drawn so that previews mean something: each object is a filled
rectangle (or mask region) in its class's grey level on a noisy background.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import yaml
from PIL import Image

HERE = Path(__file__).resolve().parent
BCCD = HERE / "data" / "bccd"
COCO_NAMES = (
    "person bicycle car motorcycle airplane bus train truck boat traffic_light fire_hydrant "
    "stop_sign parking_meter bench bird cat dog horse sheep cow elephant bear zebra giraffe "
    "backpack umbrella handbag tie suitcase frisbee skis snowboard sports_ball kite "
    "baseball_bat baseball_glove skateboard surfboard tennis_racket bottle wine_glass cup fork "
    "knife spoon bowl banana apple sandwich orange broccoli carrot hot_dog pizza donut cake "
    "chair couch potted_plant bed dining_table toilet tv laptop mouse remote keyboard "
    "cell_phone microwave oven toaster sink refrigerator book clock vase scissors teddy_bear "
    "hair_drier toothbrush").split()


def _picture(rng, width, height, boxes=(), levels=()):
    """A noisy background with each box filled in its grey level (RGB uint8)."""
    image = rng.normal(120, 25, (height, width, 3))
    for (x, y, w, h), level in zip(boxes, levels, strict=True):
        x0, y0 = int(x * width), int(y * height)
        x1, y1 = max(x0 + 1, int((x + w) * width)), max(y0 + 1, int((y + h) * height))
        image[y0:y1, x0:x1] = level
    return np.clip(image, 0, 255).astype(np.uint8)


def _boxes(rng, n):
    w = rng.uniform(0.12, 0.35, n)
    h = rng.uniform(0.12, 0.35, n)
    return np.column_stack([rng.uniform(0, 1 - w), rng.uniform(0, 1 - h), w, h])


def _zipf_labels(rng, n, k, a=1.2):
    p = 1 / np.arange(1, k + 1) ** a
    return rng.choice(k, n, p=p / p.sum())


def folder(root: Path, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    for cls, n, level in [("cat", 24, 40), ("dog", 10, 200), ("fox", 4, 90)]:
        for i in range(n):
            width, height = (48, 32) if i % 2 else (32, 48)
            path = root / cls / f"{cls}_{i:02d}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(_picture(rng, width, height, [(0.2, 0.2, 0.6, 0.6)],
                                     [level])).save(path)
    return f"folder:{root}"


def yolo(root: Path, seed: int = 0, *, names=("car", "person", "bicycle", "dog", "wheelchair"),
         n_train: int = 24, n_val: int = 10) -> str:
    rng = np.random.default_rng(seed)
    k = len(names)
    for split, n in (("train", n_train), ("val", n_val)):
        (root / "images" / split).mkdir(parents=True, exist_ok=True)
        (root / "labels" / split).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            stem = f"{split}_{i:03d}"
            count = 0 if i == 0 else int(rng.integers(1, 4))  # the first image is a negative
            boxes = _boxes(rng, count)
            labels = _zipf_labels(rng, count, k)
            if split == "train" and i == 1:
                labels[:] = k - 1  # the rarest class appears in train and val
            if split == "val" and i == 1 and count:
                labels[0] = k - 1
            Image.fromarray(_picture(rng, 64, 48, boxes, 30 + 40 * labels)).save(
                root / "images" / split / f"{stem}.jpg")
            if count:
                lines = [f"{c} {x + w / 2:.6f} {y + h / 2:.6f} {w:.6f} {h:.6f}"
                         for c, (x, y, w, h) in zip(labels, boxes, strict=True)]
                (root / "labels" / split / f"{stem}.txt").write_text("\n".join(lines) + "\n")
    (root / "data.yaml").write_text(yaml.safe_dump({
        "path": ".", "train": "images/train", "val": "images/val",
        "names": dict(enumerate(names))}))
    return f"yolo:{root / 'data.yaml'}"


def coco(root: Path, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    names = ["cyclist", "pedestrian", "car", "wheelchair"]
    categories = [{"id": 10 * (i + 1), "name": n} for i, n in enumerate(names)]
    next_id = 1
    for split, n in (("train", 24), ("val", 10)):
        images, annotations = [], []
        (root / "images" / split).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            image_id = 100 * (split == "val") + i + 1
            count = int(rng.integers(1, 4))
            boxes = _boxes(rng, count)
            labels = _zipf_labels(rng, count, len(names))
            if i == 2:
                labels[0] = len(names) - 1
            name = f"{split}_{i:03d}.png"
            Image.fromarray(_picture(rng, 80, 60, boxes, 40 + 50 * labels)).save(
                root / "images" / split / name)
            images.append({"id": image_id, "file_name": name, "width": 80, "height": 60})
            for (x, y, w, h), c in zip(boxes, labels, strict=True):
                annotations.append({"id": next_id, "image_id": image_id,
                                    "category_id": categories[c]["id"], "iscrowd": 0,
                                    "bbox": [round(x * 80, 2), round(y * 60, 2),
                                             round(w * 80, 2), round(h * 60, 2)]})
                next_id += 1
        (root / "annotations").mkdir(exist_ok=True)
        (root / "annotations" / f"instances_{split}.json").write_text(json.dumps(
            {"images": images, "annotations": annotations, "categories": categories}))
    return f"coco:{root / 'annotations' / 'instances_{split}.json'}:{root / 'images' / '{split}'}"


def voc(root: Path) -> str:
    """The BCCD slice copied (tests never write into tests/data)."""
    shutil.copytree(BCCD / "BCCD", root / "BCCD")
    return f"voc:{root / 'BCCD'}"


def masks(root: Path, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    values = {0: "road", 3: "lane", 7: "car"}
    for split, n in (("train", 16), ("val", 6)):
        for i in range(n):
            mask = np.zeros((40, 56), np.uint8)
            mask[:, 24:27] = 3  # a thin lane marking: rare in pixels, in every image
            if i % 3 == 0:
                x, y = rng.integers(0, 40), rng.integers(0, 26)
                mask[y:y + 12, x:x + 14] = 7
            mask[:2, :] = 255  # an unlabelled border
            image = _picture(rng, 56, 40)
            image[mask == 3] = 250
            image[mask == 7] = 20
            for folder, array in (("images", image), ("masks", mask)):
                path = root / folder / split / f"{split}_{i:02d}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                Image.fromarray(array).save(path)
    (root / "masks" / "classes.yaml").write_text(yaml.safe_dump(values))
    return f"masks:{root / 'images'}:{root / 'masks'}"


def manifest(root: Path, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(60):
        label = rng.choice(["ok", "scratch", "dent"], p=[0.75, 0.17, 0.08])
        weather = "rain" if rng.random() < (0.1 if label == "dent" else 0.35) else "sunny"
        group = f"unit_{i // 3:02d}"
        path = root / "images" / f"{i:03d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        level = {"ok": 120, "scratch": 220, "dent": 30}[label]
        Image.fromarray(_picture(rng, 40, 40, [(0.3, 0.3, 0.4, 0.4)], [level])).save(path)
        rows.append(f"images/{i:03d}.png,{label},{group},{weather},{'AB'[i % 2]}")
    (root / "parts.csv").write_text("filepath,label,group,weather,camera\n" + "\n".join(rows))
    return f"manifest:{root / 'parts.csv'}"


def panoptic(root: Path, seed: int = 0) -> str:
    rng = np.random.default_rng(seed)
    categories = [{"id": 1, "name": "person", "isthing": 1}, {"id": 2, "name": "dog",
                                                              "isthing": 1},
                  {"id": 50, "name": "grass", "isthing": 0}, {"id": 51, "name": "sky",
                                                              "isthing": 0}]
    images, annotations = [], []
    (root / "images").mkdir(parents=True, exist_ok=True)
    for i in range(20):
        w, h = 60, 40
        boxes = _boxes(rng, 2)
        labels = [0, 1 if i % 4 == 0 else 0]
        Image.fromarray(_picture(rng, w, h, boxes, [60, 200])).save(
            root / "images" / f"{i:03d}.jpg")
        images.append({"id": i + 1, "file_name": f"{i:03d}.jpg", "width": w, "height": h})
        segments = [{"id": 1000 * i + k, "category_id": categories[c]["id"], "iscrowd": 0,
                     "bbox": [float(x * w), float(y * h), float(bw * w), float(bh * h)],
                     "area": int(bw * w * bh * h)}
                    for k, (c, (x, y, bw, bh)) in enumerate(zip(labels, boxes, strict=True))]
        segments += [{"id": 1000 * i + 5, "category_id": 50, "iscrowd": 0,
                      "bbox": [0, 20, 60, 20], "area": 900},
                     {"id": 1000 * i + 6, "category_id": 51, "iscrowd": 0,
                      "bbox": [0, 0, 60, 20], "area": 1000}]
        annotations.append({"image_id": i + 1, "file_name": f"{i:03d}.png",
                            "segments_info": segments})
    (root / "panoptic.json").write_text(json.dumps(
        {"images": images, "annotations": annotations, "categories": categories}))
    return f"coco:{root / 'panoptic.json'}:{root / 'images'}"


def zipf80(root: Path, seed: int = 0, n_train: int = 240, n_val: int = 60) -> str:
    """80 classes with a long tail (a few classes absent), YOLO layout."""
    return yolo(root, seed, names=COCO_NAMES[:80], n_train=n_train, n_val=n_val)


SHAPES = {"folder": folder, "yolo": yolo, "coco": coco, "voc": voc, "masks": masks,
          "manifest": manifest, "panoptic": panoptic}
