"""One non-square box on a non-square image, through every loader and exporter.

The image is 40 x 20 pixels; the box is 12 wide and 16 tall at (4, 2): relative
x 0.1, y 0.1, w 0.3, h 0.8. A square box on a square image cannot tell x from y or a
width from a height; this one differs in each, so a loader or exporter that swaps them
(or computes one from the other) fails here.
"""

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import write_image

from workbench.catalog import Catalog
from workbench.sources import read_coco, read_voc, read_yolo, write_coco, write_yolo

RELATIVE = [0.1, 0.1, 0.3, 0.8]          # x, y, w, h of the box, relative to the image
PIXELS = [4.0, 2.0, 12.0, 16.0]          # the same in pixels (COCO's bbox)
YOLO_LINE = "0 0.25 0.5 0.3 0.8"          # centre (4 + 6) / 40, (2 + 8) / 20; w, h


def xywh(catalog: Catalog) -> list[float]:
    return catalog.objects[["x", "y", "w", "h"]].iloc[0].to_numpy(float).tolist()


@pytest.fixture
def image(tmp_path):
    return write_image(tmp_path / "images" / "train" / "a.png", width=40, height=20)


def test_yolo_reads_centre_boxes(tmp_path, image):
    (tmp_path / "labels" / "train").mkdir(parents=True)
    (tmp_path / "labels" / "train" / "a.txt").write_text(YOLO_LINE + "\n")
    (tmp_path / "data.yaml").write_text(yaml.safe_dump({"train": "images/train",
                                                        "names": ["car"]}))
    assert xywh(read_yolo(tmp_path / "data.yaml")) == pytest.approx(RELATIVE)


def test_yolo_reads_a_polygon_as_its_bounding_box(tmp_path, image):
    (tmp_path / "labels" / "train").mkdir(parents=True)
    # a triangle with corners (0.1, 0.9), (0.4, 0.9), (0.25, 0.1)
    (tmp_path / "labels" / "train" / "a.txt").write_text("0 0.1 0.9 0.4 0.9 0.25 0.1\n")
    (tmp_path / "data.yaml").write_text(yaml.safe_dump({"train": "images/train",
                                                        "names": ["car"]}))
    with pytest.warns(match="polygon lines"):
        catalog = read_yolo(tmp_path / "data.yaml")
    assert xywh(catalog) == pytest.approx(RELATIVE)


def test_voc_reads_pixel_corners(tmp_path, image):
    (tmp_path / "JPEGImages").mkdir()
    image.rename(tmp_path / "JPEGImages" / "a.png")
    (tmp_path / "Annotations").mkdir()
    (tmp_path / "Annotations" / "a.xml").write_text(
        "<annotation><filename>a.png</filename><size><width>40</width><height>20</height>"
        "</size><object><name>car</name><bndbox><xmin>4</xmin><ymin>2</ymin><xmax>16</xmax>"
        "<ymax>18</ymax></bndbox></object></annotation>")
    assert xywh(read_voc(tmp_path)) == pytest.approx(RELATIVE)


def test_coco_reads_pixel_boxes(tmp_path, image):
    path = tmp_path / "ann.json"
    path.write_text(json.dumps({
        "images": [{"id": 1, "file_name": "a.png", "width": 40, "height": 20}],
        "categories": [{"id": 1, "name": "car"}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": PIXELS,
                         "area": 192, "iscrowd": 0}]}))
    assert xywh(read_coco(path, image.parent)) == pytest.approx(RELATIVE)


@pytest.fixture
def catalog(image):
    samples = pd.DataFrame({"filepath": [str(image)], "width": 40, "height": 20,
                            "split": ["train"]}, index=pd.Index(["a"], name="sample_id"))
    objects = pd.DataFrame({"sample_id": ["a"], "label": ["car"], "x": [0.1], "y": [0.1],
                            "w": [0.3], "h": [0.8]})
    return Catalog(samples, classes=["car"], task="detection", objects=objects)


def test_coco_export_writes_pixel_boxes(catalog, tmp_path):
    out = write_coco(catalog, tmp_path / "coco")  # the annotations file
    written = json.loads(out.read_text())
    np.testing.assert_allclose(written["annotations"][0]["bbox"], PIXELS)
    assert written["annotations"][0]["area"] == pytest.approx(12 * 16)
    assert xywh(read_coco(out)) == pytest.approx(RELATIVE)


def test_yolo_export_writes_centre_boxes(catalog, tmp_path):
    out = write_yolo(catalog, tmp_path / "yolo")  # its data.yaml
    (line,) = (out.parent / "labels" / "train" / "a.txt").read_text().splitlines()
    assert [float(v) for v in line.split()] == pytest.approx([float(v) for v in
                                                              YOLO_LINE.split()])
    assert xywh(read_yolo(out)) == pytest.approx(RELATIVE)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_boxes_follow_every_exif_orientation_as_pil_displays_the_picture(orientation):
    from PIL import Image, ImageOps

    from workbench.sources.boxes import rotate_boxes

    raw = np.zeros((20, 40), dtype=np.uint8)  # the stored pixels: 40 wide, 20 tall
    raw[2:18, 4:16] = 255                      # the box of this file: 12 x 16 at (4, 2)
    picture = Image.fromarray(raw)
    exif = picture.getexif()
    exif[0x0112] = orientation
    picture.info["exif"] = exif.tobytes()
    shown = np.asarray(ImageOps.exif_transpose(picture))
    rows, cols = np.flatnonzero(shown.any(axis=1)), np.flatnonzero(shown.any(axis=0))
    height, width = shown.shape
    expected = [cols[0] / width, rows[0] / height, (cols[-1] + 1 - cols[0]) / width,
                (rows[-1] + 1 - rows[0]) / height]
    objects = pd.DataFrame({"sample_id": ["a", "b"], "label": ["car", "car"],
                            "x": [0.1, 0.1], "y": [0.1, 0.1], "w": [0.3, 0.3],
                            "h": [0.8, 0.8], "area": [1.0, 2.0]})
    moved = rotate_boxes(objects, pd.Series({"a": orientation}))
    assert moved.loc[0, ["x", "y", "w", "h"]].to_numpy(float) == pytest.approx(expected)
    assert moved.loc[1, ["x", "y", "w", "h"]].tolist() == pytest.approx(RELATIVE)  # as is
    assert list(moved.columns) == list(objects.columns) and moved["area"].tolist() == [1, 2]
    assert objects["x"].tolist() == [0.1, 0.1]  # the caller's table is left alone


def test_box_checks_on_each_edge_and_exactly_at_the_tolerance():
    import warnings

    from workbench.sources.boxes import check_boxes
    from workbench.sources.problems import Problems

    boxes = [
        (0.1, 0.1, 0.5, 0.5),        # 0 fine
        (0.2, 0.3, 0.6, 0.3),        # 1 no height
        (-0.3, 0.2, 0.0, 0.4),       # 2 ends on the left edge: outside
        (0.2, -0.3, 0.4, 0.0),       # 3 ends on the top edge: outside
        (1.0, 0.2, 1.3, 0.4),        # 4 starts on the right edge: outside
        (0.2, 1.0, 0.4, 1.3),        # 5 starts on the bottom edge: outside
        (-0.25, 0.2, 0.3, 0.4),      # 6-9: exactly the tolerance past one edge: fine
        (0.2, -0.25, 0.3, 0.4),
        (0.2, 0.2, 1.25, 0.4),
        (0.2, 0.2, 0.3, 1.25),
        (-0.5, 0.2, 0.3, 0.4),       # 10 past the left edge only: clipped
        (0.2, 0.2, 0.3, 1.5),        # 11 past the bottom edge only: clipped
        (0.2, 0.2, 1.5, 0.4),        # 12 past the right edge only
        (0.2, -0.5, 0.3, 0.4),       # 13 past the top edge only
    ]
    problems = Problems()
    items = [f"box {k}" for k in range(len(boxes))]
    keep = check_boxes(np.array(boxes), "f.txt", items, problems, tolerance=0.25)
    assert keep.tolist() == [True, False, False, False, False, False] + [True] * 8
    frame = problems.frame()
    assert frame.groupby("problem", sort=False)["item"].apply(list).to_dict() == {
        "boxes with no width or height": ["box 1"],
        "boxes wholly outside their image": ["box 2", "box 3", "box 4", "box 5"],
        "boxes reaching outside their image": ["box 10", "box 11", "box 12", "box 13"]}
    assert frame["file"].unique().tolist() == ["f.txt"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        problems.warn()
    assert str(caught[0].message) == "1 boxes with no width or height (skipped): 'f.txt box 1'."


def test_box_pairs_against_every_pair_written_out():
    from itertools import combinations

    from workbench.sources.boxes import box_pairs

    objects = pd.DataFrame({
        "sample_id": ["b", "a", "b", "a", "a", "c", "b", "a"],
        "label": ["cat", "dog", "cat", "dog", "cat", "cat", "dog", "dog"]})

    def reference(same_class):
        return sorted((i, j) for i, j in combinations(range(len(objects)), 2)
                      if objects.sample_id[i] == objects.sample_id[j]
                      and (not same_class or objects.label[i] == objects.label[j]))

    for same_class in (True, False):
        a, b = box_pairs(objects, same_class=same_class)
        assert sorted(zip(a.tolist(), b.tolist(), strict=True)) == reference(same_class)
    a, b = box_pairs(objects)  # by class by default
    assert sorted(zip(a.tolist(), b.tolist(), strict=True)) == reference(True)
    a, b = box_pairs(objects.iloc[:3])  # two boxes of one image and class: one pair
    assert (a.tolist(), b.tolist()) == ([0], [2])
    a, b = box_pairs(objects.iloc[:2])
    assert (a.tolist(), b.tolist()) == ([], [])
    a, b = box_pairs(objects.iloc[[0, 2]])
    assert (a.tolist(), b.tolist()) == ([0], [1])


def test_pair_iou_of_boxes_apart_touching_nested_and_empty():
    import warnings

    from workbench.sources.boxes import pair_iou

    boxes = np.array([[0, 0, 2, 2], [3, 3, 4, 4], [2, 0, 4, 2], [0.5, 0.5, 1.5, 1.5],
                      [1, 1, 1, 1], [1, 1, 1, 1.0], [3, 0, 4, 2], [0, 3, 2, 4]])
    a, b = np.array([0, 0, 0, 0, 0, 4]), np.array([1, 2, 3, 6, 7, 5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # two empty boxes: 0 / 0, quietly NaN
        iou = pair_iou(boxes, a, b)
    # apart both ways, touching, nested, apart along x only, along y only
    np.testing.assert_allclose(iou[:5], [0.0, 0.0, 0.25, 0.0, 0.0])
    assert np.isnan(iou[5])


@pytest.mark.parametrize(("shift", "listed"), [(0.0, True), (0.125, True), (0.15, False)])
def test_duplicate_boxes_are_listed_from_an_iou_of_exactly_the_threshold(shift, listed):
    """Boxes half an image wide, the second shifted right: at 0.125 they overlap
    0.375 / 0.625 = 0.6 exactly (binary fractions throughout), the threshold asked for."""
    from workbench.sources.boxes import flag_duplicate_boxes
    from workbench.sources.problems import Problems

    objects = pd.DataFrame({"sample_id": ["a", "a"], "label": ["car", "car"],
                            "x": [0.0, shift], "y": [0.0, 0.0], "w": [0.5, 0.5],
                            "h": [1.0, 1.0]})
    problems = Problems()
    flag_duplicate_boxes(objects, "f.xml", np.array(["box 1", "box 2"]), problems, iou=0.6)
    frame = problems.frame()
    assert (len(frame) == 1) == listed
    if listed:
        assert frame["item"].iloc[0] == f"box 1 ~ box 2 (IoU {1.0 if shift == 0 else 0.6:.2f})"
