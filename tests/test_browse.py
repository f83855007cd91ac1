import pytest

from workbench.sources import load

pytestmark = pytest.mark.fiftyone


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
