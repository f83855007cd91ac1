import pandas as pd
import pytest

from workbench.errors import Missing
from workbench.sources import load
from workbench.widgets import NO_CONDITION, measure_panel


@pytest.fixture(scope="module")
def surfaces():
    return load("demo:surfaces:300")


def test_measure_panel_recomputes_on_every_control(surfaces):
    panel = measure_panel(surfaces)
    first = panel.result
    assert first.counts.unit == "images" and first.hidden.condition == "lighting"

    panel.controls["unit"].value = "instances"
    assert panel.result.counts.unit == "instances"
    assert "intact" not in panel.result.counts.total.index  # background has no boxes
    assert panel.result.counts.total.sum() == len(surfaces.objects)

    panel.controls["condition"].value = "camera"
    assert panel.result.hidden.condition == "camera"
    assert list(panel.result.hidden.observed.columns) == ["A", "B", "C"]
    panel.controls["condition"].value = NO_CONDITION
    assert isinstance(panel.result.hidden, Missing) and not panel.result.hidden

    panel.controls["min_count"].value = 10
    status = panel.result.checklist.to_frame().set_index(["check", "subject"])["status"]
    crack = int(panel.result.counts.total["crack"])
    assert crack >= 10 and status[("minimum examples per class", "crack")] == "pass"
    panel.controls["min_count"].value = 1000
    assert panel.result.below_threshold()[0] == panel.result.counts.total.idxmin()
    assert status.index.isin([("critical class at target", "crack")]).sum() == 0

    panel.controls["critical"].value = ("crack",)
    rows = panel.result.checklist.to_frame()
    critical = rows[rows["check"] == "critical class at target"]
    assert critical[["subject", "status"]].values.tolist() == [["crack", "fail"]]


def test_split_panel_resplits_on_fractions_seed_and_groups(surfaces):
    from workbench.widgets import split_panel

    panel = split_panel(surfaces)
    assert panel.report.leaking_groups == []  # groups on by default when there are groups
    sizes = panel.report.sizes
    assert sizes.sum() == 300 and sizes["val"] > 0
    before = panel.result.samples["split"].tolist()

    panel.controls["test"].value = 0.3
    assert abs(panel.report.sizes["test"] - 90) <= 15  # whole groups: near, not exact
    panel.controls["groups"].value = False
    sizes = panel.report.sizes
    assert abs(sizes - pd.Series({"train": 165, "val": 45, "test": 90})).max() <= 2
    panel.controls["seed"].value = 7
    assert panel.result.samples["split"].tolist() != before
    panel.controls["by"].value = "class+condition"
    assert panel.report.missing == []


def test_resampling_panel_follows_the_cap_rule(surfaces):
    from workbench.widgets import resampling_panel

    panel = resampling_panel(surfaces, max_oversample=2)
    plan = panel.result
    counts = surfaces.samples["label"].value_counts()
    rarest = counts.idxmin()
    assert plan.total == len(surfaces)
    assert plan.effective[rarest] == 2 * counts[rarest] and plan.binding[rarest] == "cap"

    panel.controls["max_oversample"].value = 4
    assert panel.result.effective[rarest] == 4 * counts[rarest]  # the cap moved with the slider
    assert panel.result.effective[rarest] > plan.effective[rarest]
    assert panel.factors.max_repeat == 4

    panel.controls["total"].value = 10 ** 6  # infeasible: the panel says so, nothing crashes
    assert panel.result is None and "feasible totals are" in panel.error
    panel.controls["total"].value = len(surfaces)
    panel.controls["priority"].value = ("scratch",)
    assert panel.result.priority["scratch"] == 2.0


def test_augment_panel_redraws_when_the_strength_moves(surfaces):
    import numpy as np

    from workbench.widgets import augment_panel

    panel = augment_panel(surfaces, cls="crack", strength=1.0, n=2)
    first = panel.result
    assert first.cls == "crack" and first.strength == 1.0
    panel.controls["strength"].value = 0.0
    zero = panel.result
    assert zero.strength == 0.0
    for original, versions in zip(zero.originals, zero.augmented, strict=True):
        assert all(np.array_equal(v["image"], original["image"]) for v in versions)
    assert not all(np.array_equal(v["image"], o["image"]) for o, vs in
                   zip(first.originals, first.augmented, strict=True) for v in vs)
    panel.controls["families"].value = ("night",)
    panel.controls["strength"].value = 1.0
    dark = panel.result.augmented[0][0]["image"].mean()
    assert dark < panel.result.originals[0]["image"].mean()
    panel.controls["cls"].value = "stain"
    assert panel.result.cls == "stain" and panel.result.strength < 1.0


def test_panels_build_no_widget_when_disabled(surfaces):
    from IPython.display import Markdown

    from workbench.widgets import augment_panel, measure_panel, resampling_panel, split_panel

    for factory in (measure_panel, split_panel, resampling_panel, augment_panel):
        note = factory(surfaces, enabled=False)
        assert isinstance(note, Markdown) and "JupyterLab" in note.data


def test_infeasible_plan_clears_the_table_and_figure_at_once(surfaces, monkeypatch):
    """wait=True would clear only when new output comes, and none comes on the error path."""
    import ipywidgets

    from workbench.widgets import resampling_panel

    panel = resampling_panel(surfaces)
    calls = []
    monkeypatch.setattr(ipywidgets.Output, "clear_output",
                        lambda self, *a, **k: calls.append(k.get("wait")))
    panel.controls["total"].value = 10 ** 7
    assert panel.result is None and "feasible totals" in panel.error
    assert calls == [False, False]  # the table and the figure, cleared now
    calls.clear()
    panel.controls["total"].value = len(surfaces)
    assert panel.result is not None and calls == [True, True]


def test_panel_figures_are_opaque_pngs():
    import io

    import matplotlib.pyplot as plt
    import numpy as np
    from PIL import Image

    from workbench.widgets import png

    figure, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    pixels = np.asarray(Image.open(io.BytesIO(png(figure).data)).convert("RGBA"))
    assert pixels[..., 3].min() == 255 and pixels[..., :3].min() < 100  # drawn, not blank
    assert not plt.fignum_exists(figure.number)
