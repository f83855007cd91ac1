import numpy as np
import pytest
import yaml
from conftest import write_image

from workbench.errors import DataError
from workbench.sources import load, read_yolo, write_yolo


@pytest.fixture
def yolo_dir(tmp_path):
    root = tmp_path / "yolo"
    write_image(root / "images" / "train" / "a.png", 20, 10)
    write_image(root / "images" / "train" / "b.png", 20, 10)
    write_image(root / "images" / "val" / "c.png", 20, 10)
    (root / "labels" / "train").mkdir(parents=True)
    (root / "labels" / "val").mkdir(parents=True)
    (root / "labels" / "train" / "a.txt").write_text("0 0.25 0.5 0.5 1.0\n1 0.75 0.75 0.5 0.5\n")
    (root / "labels" / "train" / "b.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "data.yaml").write_text(yaml.safe_dump({
        "path": ".", "train": "images/train", "val": "images/val",
        "names": ["car", "wheelchair"]}))
    return root


def test_read_yolo_hand_counted(yolo_dir):
    cat = load(f"yolo:{yolo_dir / 'data.yaml'}")
    assert cat.classes == ("car", "wheelchair")
    assert cat.samples["split"].to_dict() == {
        "images/train/a": "train", "images/train/b": "train", "images/val/c": "val"}
    assert cat.objects.groupby("label", observed=False).size().to_dict() == {
        "car": 2, "wheelchair": 1}
    np.testing.assert_allclose(cat.objects.iloc[1][["x", "y", "w", "h"]].to_numpy(float),
                               [0.5, 0.5, 0.5, 0.5])


def test_names_as_mapping(yolo_dir):
    (yolo_dir / "data.yaml").write_text(yaml.safe_dump(
        {"train": "images/train", "names": {0: "car", 1: "wheelchair"}}))
    assert read_yolo(yolo_dir / "data.yaml").classes == ("car", "wheelchair")


@pytest.mark.parametrize("line, message", [
    ("2 0.5 0.5 0.1 0.1", r"1 boxes have class ids outside 'names' \(0..1\): ids 2"),
    ("0 0.1 0.1 0.2", r"b.txt' line 1 has 4 values \('0 0.1 0.1 0.2'\)"),
])
def test_bad_label_lines(yolo_dir, line, message):
    (yolo_dir / "labels" / "train" / "b.txt").write_text(line + "\n")
    with pytest.raises(DataError, match=message):
        read_yolo(yolo_dir / "data.yaml")


def test_missing_names(yolo_dir):
    (yolo_dir / "data.yaml").write_text("train: images/train\n")
    with pytest.raises(DataError, match="has no class 'names'"):
        read_yolo(yolo_dir / "data.yaml")


def test_round_trip(yolo_dir, tmp_path):
    cat = read_yolo(yolo_dir / "data.yaml")
    again = read_yolo(write_yolo(cat, tmp_path / "export"))
    assert again.classes == cat.classes
    assert again.samples["split"].tolist() == cat.samples["split"].tolist()
    resolved = [str(__import__("pathlib").Path(p).resolve()) for p in again.samples["filepath"]]
    assert resolved == cat.samples["filepath"].tolist()
    cols = ["label", "x", "y", "w", "h"]
    np.testing.assert_allclose(again.objects[cols[1:]], cat.objects[cols[1:]], atol=1e-6)
    assert again.objects["label"].tolist() == cat.objects["label"].tolist()


@pytest.mark.parametrize("line, problem, action", [
    ("0 0.95 0.5 0.2 0.2", "boxes reaching outside their image", "clipped to the image"),
    ("0 0.5 0.5 0 0.2", "boxes with no width or height", "skipped"),
    ("0 1.5 0.5 0.2 0.2", "boxes wholly outside their image", "skipped"),
])
def test_flawed_boxes_are_listed_by_file_and_line(yolo_dir, line, problem, action):
    (yolo_dir / "labels" / "train" / "b.txt").write_text("0 0.5 0.5 0.2 0.2\n" + line + "\n")
    with pytest.warns(Warning, match=rf"1 {problem} \({action}\): 'b.txt line 2'"):
        cat = read_yolo(yolo_dir / "data.yaml")
    assert len(cat.objects) == 3 + (action != "skipped")  # a.txt 2, b.txt 1 good + 1 flawed


def test_polygon_lines_become_their_box_and_confidences_are_kept(yolo_dir):
    (yolo_dir / "labels" / "train" / "b.txt").write_text(
        "1 0.2 0.2 0.6 0.2 0.6 0.5 0.2 0.5\n0 0.5 0.5 0.2 0.2 0.9\n")
    with pytest.warns(Warning, match="polygon lines .* read as their bounding box"):
        cat = read_yolo(yolo_dir / "data.yaml")
    b = cat.objects[cat.objects.sample_id == "images/train/b"]
    np.testing.assert_allclose(b[["x", "y", "w", "h"]].to_numpy(float),
                               [[0.2, 0.2, 0.4, 0.3], [0.4, 0.4, 0.2, 0.2]])
    assert b.label.astype(str).tolist() == ["wheelchair", "car"]
    assert b.confidence.iloc[1] == pytest.approx(0.9)


def test_yolo_lines_by_hand_bom_polygons_left_overhang_and_no_confidence(yolo_dir):
    import warnings

    # a byte-order mark; two polygons of different extents; a box 0.05 past the left edge
    (yolo_dir / "labels" / "train" / "b.txt").write_text(
        "\ufeff1 0.1 0.2 0.3 0.2 0.3 0.6 0.1 0.6\n"
        "0 0.5 0.1 0.9 0.1 0.9 0.3 0.5 0.3\n"
        "0 0.05 0.5 0.2 0.2\n", encoding="utf-8")
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        cat = read_yolo(yolo_dir / "data.yaml")
    b = cat.objects[cat.objects.sample_id == "images/train/b"]
    np.testing.assert_allclose(b[["x", "y", "w", "h"]].to_numpy(float),
                               [[0.1, 0.2, 0.2, 0.4], [0.5, 0.1, 0.4, 0.2],
                                [0.0, 0.4, 0.15, 0.2]])
    assert b["label"].astype(str).tolist() == ["wheelchair", "car", "car"]
    assert "confidence" not in cat.objects.columns  # no line has a sixth value
    assert cat.samples.index.name == "sample_id"
    assert cat.source == str(yolo_dir)
    clipped = cat.problems[cat.problems.problem == "boxes reaching outside their image"]
    assert clipped["item"].tolist() == ["line 3"]


@pytest.mark.parametrize("line, message", [
    ("0 0.1 0.1 0.2 0.1 0.2 0.2 0.1", r"has 8 values"),          # an even polygon
    ("1.5 0.5 0.5 0.1 0.1", r"class ids outside 'names' \(0..1\): ids 1.5"),
    ("-1 0.5 0.5 0.1 0.1", r"class ids outside 'names' \(0..1\): ids -1"),
])
def test_odd_lines_and_class_ids_are_refused(yolo_dir, line, message):
    (yolo_dir / "labels" / "train" / "b.txt").write_text(line + "\n")
    with pytest.raises(DataError, match=message):
        read_yolo(yolo_dir / "data.yaml")


def test_the_root_is_the_yaml_path_entry_relative_to_the_yaml(yolo_dir, tmp_path):
    import shutil

    elsewhere = tmp_path / "configs"
    elsewhere.mkdir()
    (elsewhere / "data.yaml").write_text(yaml.safe_dump({
        "path": "../yolo", "train": "images/train", "names": ["car", "wheelchair"]}))
    cat = read_yolo(elsewhere / "data.yaml")
    assert sorted(cat.samples.index) == ["images/train/a", "images/train/b"]
    assert cat.source == str((elsewhere / "../yolo").absolute())
    shutil.rmtree(yolo_dir / "labels")
    with pytest.raises(DataError, match="YOLO data.yaml"):
        read_yolo(tmp_path / "missing.yaml")


def test_the_written_files_word_for_word(small_detection, tmp_path):
    from workbench.errors import DataError as Refused

    cat = small_detection.replace(classes=["café", "dog"], objects=small_detection.objects
                                  .assign(label=lambda o: o["label"].astype(str)
                                          .replace({"cat": "café"})))
    path = write_yolo(cat, tmp_path / "out")
    assert path == tmp_path / "out" / "data.yaml"
    assert path.read_text() == ("path: .\nnames:\n  0: café\n  1: dog\ntrain: images/train\n"
                                "val: images/val\n")
    # a: two café boxes (x 0, y 0, w 0.5, h 1 and x 0.5, y 0.2, w 0.5, h 0.4)
    assert (tmp_path / "out" / "labels" / "train" / "a.txt").read_text() == (
        "0 0.250000 0.500000 0.500000 1.000000\n0 0.750000 0.400000 0.500000 0.400000\n")
    assert (tmp_path / "out" / "labels" / "val" / "c.txt").read_text() == ""  # a negative
    assert (tmp_path / "out" / "images" / "train" / "a.png").is_symlink()
    with pytest.raises(Refused, match="exists"):
        write_yolo(cat, tmp_path / "out")
    with pytest.raises(ValueError, match="YOLO needs its images beside its labels"):
        write_yolo(cat, tmp_path / "other", media="reference")


def test_split_entries_as_lists_of_folders_and_text_files_relative_or_absolute(yolo_dir,
                                                                              tmp_path):
    extra = tmp_path / "extra" / "images"
    write_image(extra / "d.png", 20, 10)
    (tmp_path / "extra" / "labels").mkdir(parents=True)
    (tmp_path / "extra" / "labels" / "d.txt").write_text("1 0.5 0.5 0.2 0.2\n")
    (yolo_dir / "val.txt").write_text(f"images/val/c.png\n{yolo_dir / 'images/train/b.png'}\n"
                                      "images/val/notes.md\n")
    (yolo_dir / "images" / "val" / "notes.md").write_text("not an image")
    (yolo_dir / "data.yaml").write_text(yaml.safe_dump({
        "train": ["images/train", str(extra)], "val": "val.txt",
        "names": ["car", "wheelchair"]}))
    with pytest.warns(Warning):
        cat = read_yolo(yolo_dir / "data.yaml")
    splits = cat.samples["split"].to_dict()
    assert splits["images/train/a"] == "train" and splits["images/val/c"] == "val"
    assert any(k.endswith("d") and v == "train" for k, v in splits.items())
    assert splits["images/train/b"] == "train"  # listed in both: the first split keeps it
    d = cat.objects[cat.objects["sample_id"].str.endswith("d")]
    assert d["label"].astype(str).tolist() == ["wheelchair"]
    skipped = cat.problems[cat.problems.problem == "entries of 'val' that are not images "
                                                  "Pillow reads"]
    assert skipped["file"].str.endswith("notes.md").tolist() == [True]
