import pandas as pd
import pytest
from browser_support import needs_chromium

from workbench.sources import load

pytestmark = pytest.mark.fiftyone


def test_tests_use_the_private_database(fo, fiftyone_db):
    assert fo.config.database_uri == fiftyone_db
    assert fo.config.database_name == "workbench-tests"


def test_round_trip_through_fiftyone(fo, small_detection):
    from workbench import browse

    dataset = browse.to_fiftyone(small_detection)
    assert not dataset.persistent
    assert dataset.count_values("detections.detections.label") == {"cat": 3, "dog": 1}
    assert dataset.count_values("light") == {"day": 2, "night": 1}
    assert dataset.count_values("split") == {"train": 2, "val": 1}
    again = load(f"fiftyone:{dataset.name}")
    assert again.equals(small_detection)


def test_segmentation_demo_through_fiftyone(fo):
    from workbench import browse

    cat = load("demo:surfaces:40").replace(task="segmentation")
    dataset = browse.to_fiftyone(cat)
    again = browse.from_fiftyone(dataset)
    assert again.equals(cat)


def test_unknown_dataset_name(fo):
    from workbench.errors import DataError

    with pytest.raises(DataError, match="There is no FiftyOne dataset named 'nope'"):
        load("fiftyone:nope")


def test_count_values_equal_the_catalog_counts(fo):
    from workbench import browse
    from workbench.measure import class_counts

    cat = load("demo:surfaces:300")
    dataset = browse.to_fiftyone(cat)
    instances = class_counts(cat, unit="instances").total
    assert dataset.count_values("detections.detections.label") == {
        c: n for c, n in instances.items() if n}
    images = class_counts(cat, unit="images").total.to_dict()
    assert browse.class_image_counts(dataset) == images
    assert dataset.count_values("ground_truth.label") == (
        cat.samples["label"].value_counts().to_dict())
    assert dataset.count_values("lighting") == cat.samples["lighting"].value_counts().to_dict()


def test_minority_view_holds_exactly_the_rare_samples_rarest_first(fo, small_detection):
    """Images: cat in a, b (2); dog in b (1); bird in c (added, 1 image) -> threshold 2."""
    from workbench import browse

    bird = pd.DataFrame([{"sample_id": "c", "label": "bird", "x": 0.1, "y": 0.1, "w": 0.1,
                          "h": 0.1}])
    objects = pd.concat([small_detection.objects.astype({"label": str}), bird],
                        ignore_index=True)
    cat = small_detection.replace(classes=["cat", "dog", "bird"], objects=objects)
    dataset = browse.to_fiftyone(cat)
    assert browse.minority_classes(dataset, threshold=2) == ["bird", "dog"]  # 1 image each
    view = browse.minority_view(dataset, threshold=2)
    assert view.values("sample_key") == ["c", "b"]
    assert browse.minority_view(dataset, threshold=3).values("sample_key") == ["c", "b", "a"]
    assert browse.minority_view(dataset, classes=["cat"]).values("sample_key") == ["a", "b"]
    assert len(dataset) == 3  # the view changed nothing
    with pytest.raises(ValueError, match="'threshold' parameter must be >= 1"):
        browse.minority_view(dataset, threshold=0)


def test_launch_app_disabled_in_reports(fo, small_detection):
    from workbench import browse

    assert browse.launch_app(browse.to_fiftyone(small_detection), enabled=False) is None


def test_split_field_and_views(fo):
    from workbench import browse
    from workbench.split import stratified_split

    cat = stratified_split(load("demo:surfaces:200"), seed=0, groups=True)
    views = browse.split_views(browse.to_fiftyone(cat))
    assert list(views) == ["train", "val", "test"]
    assert {k: len(v) for k, v in views.items()} == (
        cat.samples["split"].value_counts().to_dict())


def test_any_format_fiftyone_imports(fo, tmp_path):
    """fiftyone-dir:TYPE:DIR goes through FiftyOne's importer and leaves no dataset behind."""
    import shapes

    before = set(fo.list_datasets())
    spec = shapes.folder(tmp_path / "folder")
    cat = load(spec.replace("folder:", "fiftyone-dir:ImageClassificationDirectoryTree:"))
    direct = load(spec)
    assert cat.task == "classification"
    assert cat.samples["label"].value_counts().to_dict() == \
        direct.samples["label"].value_counts().to_dict() == {"cat": 24, "dog": 10, "fox": 4}
    assert sorted(cat.samples["width"]) == sorted(direct.samples["width"])  # read from headers
    assert set(fo.list_datasets()) == before


def test_fiftyone_import_of_yolo_with_its_split(fo, tmp_path):
    import shapes

    spec = shapes.yolo(tmp_path / "yolo")
    root = tmp_path / "yolo"
    cat = load(f"fiftyone-dir:YOLOv5Dataset:{root}", split="val",
               yaml_path=str(root / "data.yaml"))
    direct = load(spec)
    val = direct.split_subset("val")
    assert len(cat) == len(val) and cat.samples["split"].astype(str).unique().tolist() == ["val"]
    assert cat.objects["label"].value_counts()[lambda c: c > 0].to_dict() == \
        val.objects["label"].value_counts()[lambda c: c > 0].to_dict()
    assert cat.classes == val.classes  # names from the YAML, in id order


def test_unknown_fiftyone_type_lists_the_known_ones(fo, tmp_path):
    from workbench.errors import DataError

    with pytest.raises(DataError, match=r"'Nope' is not a FiftyOne dataset type\. Known types: "
                       r".*'CVATImageDataset'"):
        load(f"fiftyone-dir:Nope:{tmp_path}")


def test_each_kernel_has_its_own_app_on_a_free_port(fo, small_detection, capsys):
    import socket

    from workbench import browse

    port = browse.free_port()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # nothing listens there
    first = browse.to_fiftyone(small_detection)
    session = browse.launch_app(first, enabled=True)
    try:
        assert session.server_address == "127.0.0.1"
        assert session.server_port != 5151  # never the shared default
        assert f"http://127.0.0.1:{session.server_port}/" in capsys.readouterr().out
        other = browse.to_fiftyone(small_detection.subset(["a"]))
        again = browse.launch_app(other.view(), enabled=True)
        assert again is session  # the same App shows the next view
        assert session.dataset.name == other.name and len(session.view) == 1
    finally:
        session.close()
        browse.app._SESSION = None


def _answers(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        probe.settimeout(2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def ports(monkeypatch):
    """The ports browse.free_port hands out during the test."""
    from workbench import browse

    given = []
    real = browse.app.free_port

    def recording(*args, **kwargs):
        given.append(real(*args, **kwargs))
        return given[-1]

    monkeypatch.setattr(browse.app, "free_port", recording)
    return given


@needs_chromium
def test_app_picture_is_a_png_of_the_app_then_the_app_closes(fo, small_detection, ports):
    """Grey (128) 20x10 images: the picture holds the App at the window size with the
    images drawn; the next picture shows its own view in the same App; once the App is
    closed, nothing answers on its port."""
    import io

    import numpy as np
    from PIL import Image

    from workbench import browse, chromium

    dataset = browse.to_fiftyone(small_detection)
    picture = browse.app_picture(dataset.limit(2), what="grey images")
    assert picture.reason is None, picture.reason
    assert picture.caption == "The FiftyOne App on the 2 grey images (screenshot)"
    assert picture.png.startswith(b"\x89PNG\r\n\x1a\n")
    assert picture.size == (chromium.VIEWPORT["width"], chromium.VIEWPORT["height"])
    pixels = np.asarray(Image.open(io.BytesIO(picture.png)).convert("RGB"), dtype=float)
    assert pixels.std() > 10  # not blank
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50  # not a few flat colours
    # the grid has drawn both images: two tiles (each about 350x175 here) of their grey
    assert (pixels == 128).all(axis=2).sum() > 50_000
    assert repr(picture).startswith("AppPicture(The FiftyOne App on the 2 grey images")
    assert len(ports) == 1 and _answers(ports[0])  # kept for the next picture
    third = browse.app_picture(dataset.limit(3).skip(2), what="grey images")
    assert third.caption == "The FiftyOne App on the 1 grey images (screenshot)"
    grey = (np.asarray(Image.open(io.BytesIO(third.png)).convert("RGB")) == 128).all(axis=2)
    assert 0.3 < grey.sum() / (pixels == 128).all(axis=2).sum() < 0.7  # one tile, not two
    assert len(ports) == 1  # the same App
    browse.close_picture_app()
    assert not _answers(ports[0])  # the App's server stopped
    assert len(dataset) == 3 and "predictions" not in dataset.get_field_schema()


@needs_chromium
def test_app_picture_that_times_out_says_so_and_closes(fo, small_detection, ports):
    from workbench import browse

    picture = browse.app_picture(browse.to_fiftyone(small_detection), timeout=0.5)
    assert picture.png is None
    assert picture.reason.startswith("No picture of the FiftyOne App on the 3 images here: ")
    assert "had not drawn its images after" in picture.reason
    assert len(ports) == 1 and not _answers(ports[0])


def test_app_picture_without_chromium_is_the_reason(fo, small_detection, ports, monkeypatch,
                                                    capsys):
    from workbench import browse, chromium
    from workbench.errors import Missing

    monkeypatch.setattr(chromium, "missing", lambda: "chromium is not installed here.")
    view = browse.to_fiftyone(small_detection).view()
    picture = browse.app_picture(view, what="minority images")
    assert picture.png is None and picture.size is None
    assert picture.reason == ("No picture of the FiftyOne App on the 3 minority images here: "
                              "chromium is not installed here.")
    assert not ports  # no App was started
    # the notebooks' call: no App when not interactive, the picture (here its reason) instead
    assert browse.launch_app(view, enabled=False, picture=True) is None
    assert "No picture of the FiftyOne App on the 3 images here" in capsys.readouterr().out
    for nothing in (None, Missing("No hard negatives.")):  # the section already said why
        assert browse.launch_app(nothing, enabled=False, picture=True) is None
    assert browse.launch_app(view, enabled=False) is None
    assert capsys.readouterr().out == ""
