import numpy as np
import pytest
from conftest import write_image, write_mask

from workbench.errors import DataError, DataWarning
from workbench.sources import load, read_image_folder, read_masks


def test_image_folder_hand_counted(tmp_path):
    for name in ("crack/1.png", "crack/2.png", "intact/1.png", "intact/2.png", "intact/3.png"):
        write_image(tmp_path / name)
    cat = load(f"folder:{tmp_path}")
    assert cat.classes == ("crack", "intact")
    assert cat.samples["label"].value_counts().to_dict() == {"intact": 3, "crack": 2}
    assert cat.samples.loc["crack/1", "width"] == 20


def test_undecodable_image_warns_lists_and_keeps_going(tmp_path):
    write_image(tmp_path / "a" / "ok.png")
    (tmp_path / "a" / "broken.png").write_bytes(b"not a png")
    with pytest.warns(DataWarning, match=r"1 images undecodable \(skipped\): 'broken.png'"):
        cat = read_image_folder(tmp_path)
    assert cat.samples.index.tolist() == ["a/ok"]
    assert cat.problems[["item", "problem", "action"]].values.tolist() == [
        ["", "images undecodable", "skipped"]]


def test_empty_folder_and_missing_path(tmp_path):
    with pytest.raises(DataError, match=r"Found no images in class folders"):
        read_image_folder(tmp_path)
    with pytest.raises(DataError, match=r"does not exist.*Relative paths are read from"):
        load(f"folder:{tmp_path / 'nope'}")


def masks_dataset(tmp_path, mask_b=None):
    write_image(tmp_path / "img" / "a.png", 4, 3)
    write_image(tmp_path / "img" / "b.png", 4, 3)
    write_mask(tmp_path / "msk" / "a.png", [[0, 0, 1, 1], [0, 2, 2, 255], [0, 0, 0, 0]])
    write_mask(tmp_path / "msk" / "b.png",
               mask_b if mask_b is not None else np.zeros((3, 4), np.uint8))
    return tmp_path / "img", tmp_path / "msk"


def test_mask_pixels_hand_counted(tmp_path):
    images, masks = masks_dataset(tmp_path)
    (masks / "classes.txt").write_text("road\nlane\ncar\n")
    cat = load(f"masks:{images}:{masks}")
    assert cat.task == "segmentation"
    counts = cat.pixels.set_index(["sample_id", "label"])["count"].to_dict()
    assert counts == {("a", "road"): 7, ("a", "lane"): 2, ("a", "car"): 2, ("b", "road"): 12}


def test_mask_without_class_names_warns(tmp_path):
    images, masks = masks_dataset(tmp_path)
    with pytest.warns(DataWarning, match="classes named by their value '0'..'2'"):
        assert read_masks(images, masks).classes == ("0", "1", "2")


def test_mask_values_that_are_not_classes(tmp_path):
    images, masks = masks_dataset(tmp_path, mask_b=np.full((3, 4), 7))
    with pytest.raises(DataError, match=r"b.png' has values 7 that are not class ids: the 3 "
                       r"classes \('road', 'lane', 'car'\) have the ids 0, 1, 2 and 255 is "
                       r"ignored"):
        read_masks(images, masks, classes=["road", "lane", "car"])


def test_mask_of_another_size(tmp_path):
    images, masks = masks_dataset(tmp_path, mask_b=np.zeros((5, 5)))
    with pytest.raises(DataError, match=r"b.png' is 5x5 but its image is 4x3"):
        read_masks(images, masks, classes=["road", "lane", "car"])


def test_class_map_with_gaps_and_an_unlabeled_class(tmp_path):
    """COCO-stuff style: ids with gaps, 0 'unlabeled' is the ignore index."""
    write_image(tmp_path / "img" / "train" / "a.png", 4, 2)
    write_image(tmp_path / "img" / "val" / "b.png", 4, 2)
    write_mask(tmp_path / "msk" / "train" / "a.png", [[0, 0, 92, 92], [183, 183, 183, 92]])
    write_mask(tmp_path / "msk" / "val" / "b.png", [[92, 92, 92, 92], [0, 0, 0, 0]])
    (tmp_path / "msk" / "labels.txt").write_text("0: unlabeled\n92: banner\n183: wall\n")
    with pytest.warns(DataWarning, match="classes named 'unlabeled' in the class map"):
        cat = read_masks(tmp_path / "img", tmp_path / "msk")
    assert cat.classes == ("banner", "wall") and cat.mask_values == (92, 183)
    assert cat.ignore_index == 0
    assert cat.samples["split"].astype(str).to_dict() == {"train/a": "train", "val/b": "val"}
    assert cat.pixels.set_index(["sample_id", "label"])["count"].to_dict() == {
        ("train/a", "banner"): 3, ("train/a", "wall"): 3, ("val/b", "banner"): 4}
    from workbench.sample import tile_plan

    tiles = tile_plan(cat, tile_size=2)
    assert tiles.pixels.sum(axis=0).tolist() == [7, 3]  # mask values read through the map


def test_class_map_yaml_with_its_own_ignore_index(tmp_path):
    images, masks = masks_dataset(tmp_path)
    (masks / "classes.yaml").write_text(
        "classes: {0: road, 1: lane, 2: car, 255: border}\nignore_index: 0\n")
    with pytest.warns(DataWarning, match="classes named 'road' in the class map .used as the "
                      "ignore index.: 'classes.yaml value 0'"):
        cat = read_masks(images, masks)
    assert cat.ignore_index == 0 and cat.mask_values == (1, 2, 255)
    assert cat.pixels.groupby("label", observed=True)["count"].sum().to_dict() == {
        "lane": 2, "car": 2, "border": 1}
