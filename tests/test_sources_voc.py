"""Pascal VOC: the real BCCD set, counted against an independent xml.etree parse."""

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import write_image

from workbench.errors import DataError, DataWarning
from workbench.sources import load, read_voc

HERE = Path(__file__).resolve().parent
SLICE = HERE / "data" / "bccd" / "BCCD"
FULL = HERE.parents[1] / "shared" / "datasets" / "bccd" / "BCCD"


def independent_parse(root: Path) -> pd.DataFrame:
    """Every <object> of every XML file, read with nothing but xml.etree."""
    rows = []
    for xml in sorted((root / "Annotations").glob("*.xml")):
        tree = ET.parse(xml).getroot()
        width, height = int(tree.find("size/width").text), int(tree.find("size/height").text)
        for k, obj in enumerate(tree.findall("object"), 1):
            box = obj.find("bndbox")
            x0, y0, x1, y1 = (float(box.find(t).text) for t in ("xmin", "ymin", "xmax", "ymax"))
            rows.append({"file": xml.name, "object": k, "label": obj.find("name").text.strip(),
                         "x0": x0 / width, "y0": y0 / height, "x1": x1 / width,
                         "y1": y1 / height})
    return pd.DataFrame(rows)


def check_against_independent_parse(root: Path):
    truth = independent_parse(root)
    empty = (truth.x1 <= truth.x0) | (truth.y1 <= truth.y0)
    with pytest.warns(DataWarning, match="boxes with no width or height"):
        cat = read_voc(root)
    kept = truth[~empty]
    assert cat.objects.groupby("label", observed=True).size().to_dict() == \
        kept.groupby("label").size().to_dict()
    assert len(cat) == len(list((root / "JPEGImages").glob("*.jpg")))
    # box for box, in file order: the same relative corners
    ours = cat.objects.assign(x1=cat.objects.x + cat.objects.w, y1=cat.objects.y + cat.objects.h)
    np.testing.assert_allclose(ours[["x", "y", "x1", "y1"]].to_numpy(float),
                               kept[["x0", "y0", "x1", "y1"]].to_numpy(float), atol=1e-12)
    # each flawed box is reported by file and object number, and only those
    skipped = cat.problems[cat.problems.problem == "boxes with no width or height"]
    assert sorted(zip(skipped.file.map(lambda f: Path(f).name), skipped.item, strict=True)) == \
        sorted((f, f"object {k} ({lab})") for f, k, lab in
               truth.loc[empty, ["file", "object", "label"]].itertuples(index=False))
    # the authors' split files
    for split in ("train", "val", "test"):
        ids = (root / "ImageSets" / "Main" / f"{split}.txt").read_text().split()
        assert sorted(cat.samples.index[cat.samples.split == split]) == sorted(ids)
    return cat, truth


def test_bccd_slice_counts_equal_an_independent_parse():
    cat, truth = check_against_independent_parse(SLICE)
    assert set(cat.problems.file.map(lambda f: Path(f).name)[
        cat.problems.problem == "boxes with no width or height"]) == {
        "BloodImage_00338.xml", "BloodImage_00343.xml"}
    doubles = cat.problems[cat.problems.problem.str.startswith("pairs of same-class boxes")]
    assert set(doubles.file.map(lambda f: Path(f).name)) == {"BloodImage_00020.xml",
                                                             "BloodImage_00100.xml"}
    assert cat.classes == ("Platelets", "RBC", "WBC")


@pytest.mark.skipif(not FULL.is_dir(), reason="the full BCCD set lives in ../shared/datasets "
                    "(not in a user's clone)")
def test_full_bccd_counts_equal_an_independent_parse():
    cat, truth = check_against_independent_parse(FULL)
    assert len(cat) == 364
    assert cat.objects.label.value_counts().to_dict() == {"RBC": 4153, "WBC": 372,
                                                          "Platelets": 361}
    assert len(truth) == 4888  # two of them have no area


def test_annotation_and_image_folders_spec(tmp_path):
    shutil.copytree(SLICE, tmp_path / "b")
    with pytest.warns(DataWarning):
        cat = load(f"voc:{tmp_path / 'b' / 'Annotations'}:{tmp_path / 'b' / 'JPEGImages'}")
    assert len(cat) == 22 and "split" not in cat.samples.columns


def test_xml_without_image_is_listed_with_its_boxes(tmp_path):
    root = tmp_path / "b"
    shutil.copytree(SLICE, root)
    (root / "JPEGImages" / "BloodImage_00020.jpg").unlink()
    with pytest.warns(DataWarning, match=r"1 annotation files with no image \(skipped\): "
                      r".BloodImage_00020.xml \(23 boxes"):
        cat = read_voc(root)
    assert "BloodImage_00020" not in cat.samples.index


def test_image_without_xml_is_a_negative(tmp_path):
    root = tmp_path / "b"
    shutil.copytree(SLICE, root)
    write_image(root / "JPEGImages" / "extra.jpg", 64, 48)
    with pytest.warns(DataWarning, match="1 images with no annotation file"):
        cat = read_voc(root)
    assert cat.samples.loc["extra", "width"] == 64
    assert not (cat.objects.sample_id == "extra").any()


def test_bad_coordinates_name_the_file_and_object(tmp_path):
    root = tmp_path / "b"
    shutil.copytree(SLICE, root)
    xml = root / "Annotations" / "BloodImage_00020.xml"
    xml.write_text(xml.read_text().replace("<xmin>", "<xmin>x", 1))
    with pytest.raises(DataError, match=r"BloodImage_00020.xml' object 1 \(Platelets\)"):
        read_voc(root)


def test_missing_annotations_folder(tmp_path):
    with pytest.raises(DataError, match="has no Annotations folder.*voc:ANNOTATIONS_DIR"):
        read_voc(tmp_path)


def with_split_files(tmp_path, files: dict[str, str]) -> Path:
    """The BCCD slice with ImageSets/Main holding only ``files`` (name -> text)."""
    root = tmp_path / "b"
    shutil.copytree(SLICE, root)
    main = root / "ImageSets" / "Main"
    shutil.rmtree(main)
    main.mkdir()
    for name, text in files.items():
        (main / name).write_text(text, encoding="utf-8")
    return root


def read_quietly(root):
    with pytest.warns(DataWarning):
        return read_voc(root)


def problem_items(cat, problem):
    return cat.problems.loc[cat.problems.problem == problem, "item"].tolist()


def test_split_files_first_listing_wins_and_every_oddity_is_listed(tmp_path):
    root = with_split_files(tmp_path, {
        # a byte-order mark, a class-specific line ("id  1") and a blank line
        "train.txt": "\ufeffBloodImage_00000\nBloodImage_00001  1\n\nBloodImage_00002\n",
        "val.txt": "BloodImage_00002\nBloodImage_00003\nBloodImage_99999\n",
        "test.txt": "BloodImage_00004\n",
        "trainval.txt": "BloodImage_00005\n",  # ignored beside train and val
    })
    cat = read_quietly(root)
    split = cat.samples["split"]
    assert split[["BloodImage_00000", "BloodImage_00001", "BloodImage_00002"]].tolist() == [
        "train"] * 3
    assert split[["BloodImage_00003", "BloodImage_00004"]].tolist() == ["val", "test"]
    assert split.isna().sum() == 22 - 5 and pd.isna(split["BloodImage_00005"])
    assert problem_items(cat, "ids in val.txt with no annotated image") == ["BloodImage_99999"]
    assert problem_items(cat, "images listed in val.txt and an earlier split file") == [
        "BloodImage_00002"]
    unlisted = problem_items(cat, "images in no split file")
    assert len(unlisted) == 17 and "BloodImage_00005" in unlisted


def test_trainval_alone_is_the_training_split(tmp_path):
    root = with_split_files(tmp_path, {"trainval.txt": "BloodImage_00000\nBloodImage_00001\n",
                                       "test.txt": "BloodImage_00002\n"})
    split = read_quietly(root).samples["split"]
    assert split[["BloodImage_00000", "BloodImage_00001", "BloodImage_00002"]].tolist() == [
        "train", "train", "test"]
    # beside a val file, trainval is not a training split
    root = with_split_files(tmp_path / "2", {"trainval.txt": "BloodImage_00000\n",
                                             "val.txt": "BloodImage_00001\n"})
    split = read_quietly(root).samples["split"]
    assert pd.isna(split["BloodImage_00000"]) and split["BloodImage_00001"] == "val"


def test_a_val_file_without_a_train_file_is_read(tmp_path):
    root = with_split_files(tmp_path, {"val.txt": "BloodImage_00003\n",
                                       "test.txt": "BloodImage_00004\n"})
    split = read_quietly(root).samples["split"]
    assert split.dropna().to_dict() == {"BloodImage_00003": "val", "BloodImage_00004": "test"}
    no_files = with_split_files(tmp_path / "2", {})
    assert "split" not in read_quietly(no_files).samples.columns


def voc_xml(filename, width, height, objects) -> str:
    """A VOC annotation: objects are (name, xmin, ymin, xmax, ymax, extra tags)."""
    parts = [f"<annotation><filename>{filename}</filename><size><width>{width}</width>"
             f"<height>{height}</height><depth>3</depth></size>"]
    for name, x0, y0, x1, y1, extra in objects:
        parts.append(f"<object><name>{name}</name>{extra}<bndbox><xmin>{x0}</xmin>"
                     f"<ymin>{y0}</ymin><xmax>{x1}</xmax><ymax>{y1}</ymax></bndbox></object>")
    return "".join(parts) + "</annotation>"


def test_voc_objects_named_flagged_clipped_and_skipped_by_hand(tmp_path):
    root = tmp_path / "voc"
    write_image(root / "JPEGImages" / "a.jpg", 40, 20)
    (root / "Annotations").mkdir(parents=True)
    (root / "Annotations" / "a.xml").write_text(voc_xml("a.jpg", 40, 20, [
        ("car", 4, 2, 16, 18, ""),                                   # object 1
        (" bus ", 0, 0, 10, 10, "<difficult>1</difficult>"),         # 2: spaces, difficult
        ("", 1, 1, 5, 5, ""),                                        # 3: no name
        ("car", 20, 0, 40.5, 20, "<truncated>1</truncated>"),        # 4: half a pixel over
        ("car", 30, 5, 43, 15, ""),                                  # 5: 3 pixels over
        ("bus", 50, 5, 60, 15, ""),                                  # 6: wholly outside
        ("bus", 8, 8, 8, 12, ""),                                    # 7: no width
    ]))
    with pytest.warns(DataWarning) as caught:
        cat = read_voc(root)
    assert ("1 boxes with no width or height (skipped): 'a.xml object 7 (bus)'. VOC boxes are "
            "xmin < xmax and ymin < ymax in pixels inside the image.") in [
        str(w.message) for w in caught]
    objects = cat.objects
    assert objects["label"].astype(str).tolist() == ["car", "bus", "car", "car"]
    np.testing.assert_allclose(objects[["x", "y", "w", "h"]].to_numpy(float), [
        [0.1, 0.1, 0.3, 0.8], [0.0, 0.0, 0.25, 0.5], [0.5, 0.0, 0.5, 1.0],
        [0.75, 0.25, 0.25, 0.5]])
    assert objects["difficult"].tolist() == [False, True, False, False]
    assert objects["truncated"].tolist() == [False, False, True, False]
    assert "occluded" not in objects.columns  # no object has the flag
    problems = cat.problems.set_index("problem")
    assert problems.loc["objects with no <name>", "item"] == "object 3 ()"
    assert problems.loc["object names with spaces around the name", "item"] == "' bus '"
    # half a pixel over is within the tolerance of one pixel: clipped without a word
    assert problems.loc["boxes reaching outside their image", "item"] == "object 5 (car)"
    assert problems.loc["boxes wholly outside their image", "item"] == "object 6 (bus)"
    assert problems.loc["boxes with no width or height", "item"] == "object 7 (bus)"
    assert str(problems.loc["objects with no <name>", "file"]).endswith("a.xml")
    # unchecked, the sizes are the XML's: a 40 x 20 image
    with pytest.warns(DataWarning):
        unchecked = read_voc(root, check_files=False)
    assert unchecked.samples[["width", "height"]].values.tolist() == [[40, 20]]
    assert unchecked.samples.index.name == "sample_id"
    assert unchecked.source == str(root)


def voc_folder(tmp_path, xmls: dict[str, str], images: dict[str, tuple[int, int]]) -> Path:
    """A VOC root: Annotations/NAME.xml with the given text, JPEGImages/NAME (w, h)."""
    root = tmp_path / "voc"
    (root / "Annotations").mkdir(parents=True)
    for name, text in xmls.items():
        (root / "Annotations" / name).write_text(text)
    for name, (w, h) in images.items():
        write_image(root / "JPEGImages" / name, w, h)
    return root


def test_the_image_is_the_one_named_in_filename_else_the_xml_stem(tmp_path):
    box = [("car", 2, 2, 10, 10, "")]
    root = voc_folder(tmp_path, {
        "001.xml": voc_xml("  photo_1.jpg ", 40, 20, box),  # another name, with spaces
        "002.xml": voc_xml("", 40, 20, box),                # no name: the XML's stem
        "003.xml": voc_xml("gone.jpg", 40, 20, box),        # a name with no file: the stem
    }, {"photo_1.jpg": (40, 20), "002.jpg": (40, 20), "003.jpg": (40, 20), "001.jpg": (40, 20)})
    with pytest.warns(DataWarning, match="1 images with no annotation file"):
        cat = read_voc(root)
    paths = cat.samples["filepath"].map(lambda p: Path(p).name)
    # 001.jpg is no XML's image; its stem is XML 001's id, so it keeps its file name
    assert paths.to_dict() == {"001": "photo_1.jpg", "002": "002.jpg", "003": "003.jpg",
                               "001.jpg": "001.jpg"}
    listed = cat.problems.loc[cat.problems.problem == "images with no annotation file", "file"]
    assert listed.tolist() == [str(root / "JPEGImages" / "001.jpg")]
    assert cat.samples.index.name == "sample_id"
    assert cat.samples["filepath"].tolist() == [str(root / "JPEGImages" / f) for f in paths]


def test_an_xml_with_neither_image_nor_object_is_listed_with_zero_boxes(tmp_path):
    root = voc_folder(tmp_path, {"a.xml": voc_xml("a.jpg", 40, 20, [("car", 2, 2, 9, 9, "")]),
                                 "b.xml": voc_xml("b.jpg", 40, 20, []),
                                 "c.xml": voc_xml("c.jpg", 40, 20, [("car", 1, 1, 5, 5, ""),
                                                                    ("bus", 1, 1, 6, 6, "")])},
                      {"a.jpg": (40, 20)})
    with pytest.warns(DataWarning):
        cat = read_voc(root)
    assert problem_items(cat, "annotation files with no image") == [
        "(0 boxes; image 'b.jpg')", "(2 boxes; image 'c.jpg')"]
    assert list(cat.samples.index) == ["a"] and list(cat.classes) == ["car"]


def test_declared_sizes_checked_against_the_files_by_default(tmp_path):
    """The XML says 80 x 40, the file is 40 x 20: checked (the default), the file's size
    wins and the relative boxes stay put; unchecked, the XML's size is used."""
    root = voc_folder(tmp_path, {"a.xml": voc_xml("a.jpg", 80, 40, [("car", 8, 4, 40, 20, "")])},
                      {"a.jpg": (40, 20)})
    with pytest.warns(DataWarning, match="1 images whose file size differs from the size declared"):
        checked = read_voc(root)
    assert checked.samples[["width", "height"]].values.tolist() == [[40, 20]]
    assert len(checked.problems) == 1 and "size" in checked.problems["problem"].iloc[0]
    unchecked = read_voc(root, check_files=False)
    assert unchecked.samples[["width", "height"]].values.tolist() == [[80, 40]]
    for cat in (checked, unchecked):
        np.testing.assert_allclose(cat.objects[["x", "y", "w", "h"]].to_numpy(float),
                                   [[0.1, 0.1, 0.4, 0.4]])


@pytest.mark.parametrize(("width", "height"), [(0, 20), (40, 0), ("", ""), ("x", 20)])
def test_a_size_missing_in_either_direction_is_read_from_the_file(tmp_path, width, height):
    root = voc_folder(tmp_path, {"a.xml": voc_xml("a.jpg", width, height,
                                                  [("car", 4, 2, 20, 10, "")])},
                      {"a.jpg": (40, 20)})
    cat = read_voc(root, check_files=False)
    assert cat.samples[["width", "height"]].values.tolist() == [[40, 20]]
    np.testing.assert_allclose(cat.objects[["x", "y", "w", "h"]].to_numpy(float),
                               [[0.1, 0.1, 0.4, 0.4]])


def test_a_declared_size_of_one_pixel_is_a_size(tmp_path):
    root = voc_folder(tmp_path, {"a.xml": voc_xml("a.jpg", 1, 1, [("car", 0, 0, 1, 1, "")])},
                      {"a.jpg": (4, 2)})
    cat = read_voc(root, check_files=False)
    assert cat.samples[["width", "height"]].values.tolist() == [[1, 1]]


def test_missing_folders_are_named_for_what_they_should_be(tmp_path):
    with pytest.raises(DataError, match=r"VOC folder .*nowhere|nowhere.*VOC folder"):
        read_voc(tmp_path / "nowhere")
    (tmp_path / "ann").mkdir()
    with pytest.raises(DataError, match=r"VOC images folder .*pics|pics.*VOC images folder"):
        read_voc(tmp_path / "ann", tmp_path / "pics")


def test_trainval_beside_train_is_not_a_second_training_split(tmp_path):
    root = with_split_files(tmp_path, {"train.txt": "BloodImage_00000\n",
                                       "trainval.txt": "BloodImage_00000\nBloodImage_00001\n",
                                       "test.txt": "BloodImage_00002\n"})
    split = read_quietly(root).samples["split"]
    assert split["BloodImage_00000"] == "train" and pd.isna(split["BloodImage_00001"])
    assert split["BloodImage_00002"] == "test"


def test_an_object_without_a_bndbox_is_named_not_a_crash(tmp_path):
    xml = voc_xml("a.jpg", 40, 20, [("car", 4, 2, 16, 18, "")]).replace(
        "</annotation>", "<object><name>bus</name></object></annotation>")
    root = voc_folder(tmp_path, {"a.xml": xml}, {"a.jpg": (40, 20)})
    with pytest.raises(DataError, match=r"a.xml' object 2 \(bus\)"):
        read_voc(root)
