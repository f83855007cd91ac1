import pandas as pd
import pytest
from conftest import write_image

from workbench.errors import DataError
from workbench.sources import absolute_spec, load, parse_spec, read_manifest, write_manifest


def test_plain_csv_manifest_infers_classes_conditions_and_sizes(tmp_path):
    for name in ("a.png", "b.png", "c.png"):
        write_image(tmp_path / "imgs" / name, 8, 6)
    pd.DataFrame({"filepath": ["imgs/a.png", "imgs/b.png", "imgs/c.png"],
                  "label": ["wheelchair", "pedestrian", "pedestrian"],
                  "site": ["x", "y", "y"], "group": [1, 1, 2]}).to_csv(
        tmp_path / "m.csv", index=False)
    cat = load(f"manifest:{tmp_path / 'm.csv'}")
    assert cat.classes == ("pedestrian", "wheelchair")
    assert cat.conditions == ("site",)
    assert cat.samples["width"].tolist() == [8, 8, 8]
    assert cat.samples.index.tolist() == ["imgs/a", "imgs/b", "imgs/c"]


def test_manifest_without_filepath(tmp_path):
    pd.DataFrame({"path": ["a.png"]}).to_csv(tmp_path / "m.csv", index=False)
    with pytest.raises(DataError, match=r"has no 'filepath' column \(columns: 'path'\)"):
        read_manifest(tmp_path / "m.csv")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_round_trip(small_detection, tmp_path, suffix):
    path = write_manifest(small_detection, tmp_path / "out" / f"train{suffix}")
    assert read_manifest(path).equals(small_detection)


def test_exporters_refuse_the_source_and_non_empty_dirs(small_detection, tmp_path):
    src = tmp_path / "src"
    with pytest.raises(DataError, match="never writes into a source dataset"):
        write_manifest(small_detection, src / "exports" / "m.csv")
    with pytest.raises(DataError, match="never writes into a source dataset"):
        write_manifest(small_detection, tmp_path / "m.csv")  # tmp_path contains the source
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("keep me")
    with pytest.raises(DataError, match="exists and is not empty"):
        write_manifest(small_detection, tmp_path / "full" / "m.csv")
    assert (tmp_path / "full" / "x").read_text() == "keep me"


@pytest.mark.parametrize("spec, message", [
    ("nope:x", r"Unknown dataset scheme 'nope' in 'nope:x'. Known: .*demo:NAME"),
    ("no-colon", r"is not a dataset spec"),
    ("masks:only", r"write masks:IMAGES_DIR:MASKS_DIR"),
    ("folder:", r"lacks its arguments"),
])
def test_bad_specs(spec, message):
    with pytest.raises(DataError, match=message):
        parse_spec(spec)


def test_absolute_spec_resolves_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert absolute_spec("coco:a/b.json:imgs") == f"coco:{tmp_path}/a/b.json:{tmp_path}/imgs"
    assert absolute_spec("demo:surfaces:300") == "demo:surfaces:300"


def test_integer_labels_in_csv(tmp_path):
    for name in ("a.png", "b.png"):
        write_image(tmp_path / name)
    pd.DataFrame({"filepath": ["a.png", "b.png"], "label": [3, 10]}).to_csv(
        tmp_path / "m.csv", index=False)
    cat = read_manifest(tmp_path / "m.csv")
    assert cat.samples["label"].astype(str).tolist() == ["3", "10"]
