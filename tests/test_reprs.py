"""Result values print one line that says what they hold; the tables stay in .to_frame()."""

import pandas as pd
import pytest

from workbench import augment, measure, quality, sample, split
from workbench.sources import load


@pytest.fixture(scope="module")
def surfaces():
    return load("demo:surfaces:120")


def one_line(value) -> str:
    text = repr(value)
    assert "\n" not in text and len(text) <= 160, text
    assert text.startswith(type(value).__name__ + "("), text
    return text


def test_plans_and_weights_print_their_sizes():
    plan = sample.plan_resampling({"a": 900, "b": 100}, max_oversample=2)
    assert one_line(plan) == "ResamplingPlan(2 classes, 1,000 -> 1,000 per epoch, max 2x)"
    assert plan.to_frame().loc["b", "effective"] == 200  # the table, in full


def test_measure_values_print_one_line(surfaces):
    counts = measure.class_counts(surfaces)
    assert one_line(counts) == f"ClassCounts(5 classes, {int(counts.total.sum()):,} images)"
    by = measure.class_counts(surfaces, by="split") if "split" in surfaces.samples else \
        measure.class_counts(surfaces, by="lighting")
    assert " per " in one_line(by)
    tail = measure.long_tail(counts)
    assert f"ratio {tail.imbalance_ratio:,.1f}" in one_line(tail)
    hidden = measure.hidden_imbalance(surfaces, "lighting")
    assert one_line(hidden).startswith("HiddenImbalance(lighting: 5 classes x 2 values")
    diagnosis = measure.diagnose(surfaces)
    assert "checklist worst" in one_line(diagnosis)
    checklist = diagnosis.checklist
    statuses = checklist.statuses()
    assert one_line(checklist) == (f"Checklist({len(checklist.rows)} checks: {statuses['pass']} "
                                   f"pass, {statuses['warn']} warn, {statuses['fail']} fail)")


def test_stage_values_print_one_line(surfaces):
    one_line(sample.repeat_factors(surfaces))
    one_line(sample.tile_plan(surfaces, tile_size=32))
    one_line(split.strata(surfaces, by="class+condition", condition="lighting"))
    one_line(split.compare_splits(surfaces))
    one_line(augment.preview(surfaces, "crack", n=1, n_originals=1))
    one_line(quality.label_issues(surfaces))
    dup = quality.near_duplicates(surfaces)
    assert one_line(dup).startswith(f"NearDuplicates({dup.n_groups} groups")


def test_a_frame_is_still_there():
    plan = sample.plan_resampling(pd.Series(["a"] * 3 + ["b"]), max_oversample=2)
    assert list(plan.to_frame().index) == ["a", "b"]
