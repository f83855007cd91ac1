"""The facts the notebooks' prose rests on: the low-light gap, the backdrop class, why
there is no condition, and the diagnosis that bundles them, on hand-counted catalogs."""

import math

import pandas as pd
import pytest

from workbench.catalog import Catalog
from workbench.measure import diagnose
from workbench.measure.diagnosis import (
    LOW_LIGHT_WORDS,
    backdrop_class,
    low_light_gap,
    no_condition_reason,
)


def _rows(cells: dict[tuple, int], names: tuple[str, ...]) -> pd.DataFrame:
    """One image per count: ``cells[(label, value, ...)] = n``."""
    rows = [key for key, n in cells.items() for _ in range(n)]
    samples = pd.DataFrame(rows, columns=["label", *names]).assign(
        filepath=lambda d: [f"{i}.png" for i in d.index], width=8, height=6)
    samples.index = samples.index.astype(str)
    return samples


def adjusted_residual(observed, row, column, total):
    expected = row * column / total
    return expected, (observed - expected) / math.sqrt(
        expected * (1 - row / total) * (1 - column / total))


def two_dark_conditions() -> Catalog:
    """a: 42 images, 2 at Night and 12 Dim; b: 80, half at Night, half Dim.

    camera has no low-light value; shift's gap (Dim, -2.27) comes before light's (Night,
    -5.00), so the deeper gap must replace the first one found.
    """
    cells = {("a", "A", "early", "day"): 28, ("a", "B", "Dim", "day"): 12,
             ("a", "A", "early", "Night"): 2,
             ("b", "A", "early", "day"): 20, ("b", "B", "Dim", "day"): 20,
             ("b", "A", "early", "Night"): 20, ("b", "B", "Dim", "Night"): 20}
    samples = _rows(cells, ("camera", "shift", "light"))
    return Catalog(samples, classes=["a", "b"], conditions=["camera", "shift", "light"])


def test_the_low_light_gap_is_the_deepest_flagged_cell_at_a_dark_value():
    gap = low_light_gap(two_dark_conditions())
    expected, residual = adjusted_residual(2, 42, 42, 122)
    assert gap == {"cls": "a", "condition": "light", "value": "Night", "count": 2,
                   "expected": pytest.approx(expected), "residual": pytest.approx(residual)}
    assert residual == pytest.approx(-4.9967, abs=1e-4)
    # shift alone: its Dim gap (a: 12 of 52 Dim images, expected 17.9)
    cat = two_dark_conditions()
    only_shift = cat.replace(conditions=["camera", "shift"])
    expected, residual = adjusted_residual(12, 42, 52, 122)
    assert low_light_gap(only_shift) == {
        "cls": "a", "condition": "shift", "value": "Dim", "count": 12,
        "expected": pytest.approx(expected), "residual": pytest.approx(residual)}
    assert type(low_light_gap(only_shift)["count"]) is int


def test_no_low_light_gap_without_a_dark_value_or_a_flagged_cell():
    cat = two_dark_conditions()
    assert low_light_gap(cat.replace(conditions=["camera"])) is None
    assert low_light_gap(cat.replace(conditions=[])) is None
    # a dark value whose class mix is everyone's: nothing flagged
    even = _rows({("a", "day"): 10, ("a", "night"): 10, ("b", "day"): 20, ("b", "night"): 20},
                 ("light",))
    assert low_light_gap(Catalog(even, classes=["a", "b"], conditions=["light"])) is None


@pytest.mark.parametrize("word", LOW_LIGHT_WORDS)
def test_every_low_light_word_is_recognised_in_any_case(word):
    value = word.upper()
    samples = _rows({("a", "day"): 40, ("a", value): 2, ("b", "day"): 40, ("b", value): 40},
                    ("light",))
    gap = low_light_gap(Catalog(samples, classes=["a", "b"], conditions=["light"]))
    assert (gap["cls"], gap["value"], gap["count"]) == ("a", value, 2)


def test_the_low_light_gap_counts_in_the_unit_asked_for():
    samples = _rows({("a", "day"): 40, ("a", "night"): 2, ("b", "day"): 40,
                     ("b", "night"): 40}, ("light",)).drop(columns="label")
    # every image holds one box of its class, and the b images at night three each
    labels = ["a"] * 42 + ["b"] * 80
    repeat = [1] * 82 + [3] * 40
    pairs = list(zip(samples.index, labels, repeat, strict=True))
    objects = pd.DataFrame({"sample_id": [s for s, _, k in pairs for _ in range(k)],
                            "label": [c for _, c, k in pairs for _ in range(k)],
                            "x": 0.1, "y": 0.1, "w": 0.2, "h": 0.3})
    cat = Catalog(samples, classes=["a", "b"], task="detection", objects=objects,
                  conditions=["light"])
    assert low_light_gap(cat)["count"] == 2
    expected, _ = adjusted_residual(2, 42, 42, 122)
    assert low_light_gap(cat)["expected"] == pytest.approx(expected)
    expected, residual = adjusted_residual(2, 42, 122, 202)
    gap = low_light_gap(cat, unit="instances")
    assert gap["expected"] == pytest.approx(expected)
    assert gap["residual"] == pytest.approx(residual)


def test_the_backdrop_is_the_background_else_a_class_over_half_the_pixels():
    samples = _rows({("x",): 2}, ()).drop(columns="label")
    pixels = pd.DataFrame({"sample_id": ["0", "0", "1", "1"],
                           "label": ["road", "car", "road", "sky"],
                           "count": [30, 30, 19, 21]})
    cat = Catalog(samples, classes=["road", "car", "sky"], task="segmentation",
                  pixels=pixels)
    assert backdrop_class(cat) is None  # road 49 of 100
    half = pixels.assign(count=[30, 30, 20, 20])
    assert backdrop_class(cat.replace(pixels=half)) is None  # exactly half: not more
    most = pixels.assign(count=[30, 30, 21, 19])
    assert backdrop_class(cat.replace(pixels=most)) == "road"
    assert backdrop_class(cat.replace(pixels=most, background="car")) == "car"
    assert backdrop_class(cat.replace(pixels=pixels.iloc[:0])) is None


def test_the_reason_names_the_single_valued_conditions():
    cat = two_dark_conditions()
    assert no_condition_reason(cat.replace(conditions=[])).startswith(
        "This dataset has no condition column (day/night, camera, site...)")
    reason = no_condition_reason(cat)
    assert reason.startswith("Every condition of this dataset (camera, shift, light) has a "
                             "single value")


def test_a_diagnosis_with_an_explicit_condition_and_threshold():
    cat = two_dark_conditions()
    d = diagnose(cat, condition="light", min_count=50, critical=["b"])
    assert d.hidden.condition == "light"
    assert (d.min_count, d.critical) == (50, ("b",))
    assert d.counts.unit == "images"
    assert d.below_threshold() == ["a"]  # 42 < 50; b has 80
    assert diagnose(cat, condition="light", min_count=42).below_threshold() == []
    assert diagnose(cat, condition="light", min_count=43).below_threshold() == ["a"]
    assert diagnose(cat, condition=None).hidden.reason == no_condition_reason(cat)
    assert diagnose(cat, critical=None).critical == ("a",)
    assert repr(d).startswith("Diagnosis(2 classes in images, ratio 1.9, hidden over light")
