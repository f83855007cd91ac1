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
    assert status.index.isin([("critical class at target", "crack")]).sum() == 0
    panel.controls["min_count"].value = 1000  # ok from 1000, warn from 500: every class short
    assert panel.result.below_threshold()[0] == panel.result.counts.total.idxmin()
    status = panel.result.checklist.to_frame().set_index(["check", "subject"])["status"]
    assert status[("minimum examples per class", "crack")] == "fail"  # the new verdict
    assert len(panel.result.below_threshold()) == len(panel.result.counts.total)

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


def _mimes(out) -> list[list[str]]:
    return [sorted(o["data"]) for o in out.outputs]


def test_infeasible_plan_clears_the_table_and_figure_at_once(surfaces):
    """An infeasible choice leaves only the message: no earlier plan or figure on show."""
    from workbench.widgets import resampling_panel

    panel = resampling_panel(surfaces)
    assert len(panel.table.outputs) == 1 and len(panel.figure.outputs) == 2  # plan, repeats
    panel.controls["total"].value = 10 ** 7
    assert panel.result is None and "feasible totals" in panel.error
    assert panel.table.outputs == () and panel.figure.outputs == ()
    assert "feasible totals" in panel.children[2].value  # the message, in red
    panel.controls["total"].value = len(surfaces)
    assert panel.result is not None and panel.children[2].value == ""
    assert len(panel.table.outputs) == 1 and len(panel.figure.outputs) == 2


def test_a_redraw_replaces_the_outputs_in_one_step(surfaces):
    """Each recompute sets the whole output list: never appended to, never doubled."""
    from workbench.widgets import measure_panel

    panel = measure_panel(surfaces)
    before = _mimes(panel.figure)
    for value in (5, 50, 500):
        panel.controls["min_count"].value = value
        assert _mimes(panel.figure) == before and len(panel.table.outputs) == 1
    assert "500" in panel.table.outputs[0]["data"]["text/html"] or \
        panel.result.min_count == 500


def test_three_quick_changes_cause_one_recompute_in_a_kernel(surfaces, monkeypatch):
    """In a running event loop (a kernel) a burst of moves is applied once, with the
    last value, DEBOUNCE seconds after the last move."""
    import asyncio

    from workbench import panel_kit, widgets

    calls = []
    later = panel_kit.debounced(lambda: calls.append(len(calls)), delay=0.05)

    async def burst():
        for _ in range(3):
            later()
        await asyncio.sleep(0.01)
        assert calls == []  # nothing yet: the burst may go on
        await asyncio.sleep(0.2)

    asyncio.run(burst())
    assert calls == [0]
    later()  # no running loop (a script, a test): at once
    assert calls == [0, 1]

    from workbench import split

    splits = []
    real = split.stratified_split
    monkeypatch.setattr(split, "stratified_split",
                        lambda *a, **k: splits.append(k["fractions"]) or real(*a, **k))

    async def panel_burst():
        panel = widgets.split_panel(surfaces)
        for value in (0.2, 0.25, 0.3):
            panel.controls["val"].value = value
        await asyncio.sleep(panel_kit.DEBOUNCE + 0.5)
        return panel

    panel = asyncio.run(panel_burst())
    assert splits == [(0.7, 0.15, 0.15), (0.55, 0.3, 0.15)]  # built, then the last move
    assert (panel.result.samples["split"] == "val").mean() == pytest.approx(0.3, abs=0.02)


def test_figures_fill_the_panel_and_never_shrink_below_100_dpi(surfaces):
    import base64
    import io
    import re

    from PIL import Image

    from workbench import plots
    from workbench.panel_kit import DPI
    from workbench.widgets import resampling_panel

    panel = resampling_panel(surfaces)
    assert panel.figure.layout.width == "100%"
    assert all(child is not panel.figure for box in panel.children
               if hasattr(box, "children") for child in box.children)  # not squeezed in an HBox
    html = panel.figure.outputs[0]["data"]["text/html"]
    data = base64.b64decode(re.search(r"base64,([^\"]+)", html).group(1))
    width = Image.open(io.BytesIO(data)).width
    assert "width:100%" in html and f"min-width:{round(width * 100 / DPI)}px" in html
    assert round(width * 100 / DPI) <= plots.MAX_WIDTH * 100 + 5  # at most a page wide


def test_controls_without_effect_are_disabled(surfaces, tmp_path):
    import shapes

    import workbench
    from workbench.widgets import augment_panel, measure_panel, split_panel

    panel = split_panel(surfaces)
    assert panel.controls["condition"].disabled  # class strata ignore the condition
    panel.controls["by"].value = next(b for b in panel.controls["by"].options if b != "class")
    assert not panel.controls["condition"].disabled
    plain = workbench.load(shapes.folder(tmp_path / "folder"))  # no condition, no group
    panel = split_panel(plain)
    assert panel.controls["by"].disabled and panel.controls["condition"].disabled
    assert panel.controls["groups"].disabled
    assert measure_panel(plain).controls["condition"].disabled
    assert not measure_panel(surfaces).controls["condition"].disabled

    panel = augment_panel(surfaces)
    assert not panel.controls["strength"].disabled
    panel.controls["families"].value = ()
    assert panel.controls["strength"].disabled and panel.result.strength == 0.0
    assert "identity" in panel.figure.outputs[0]["data"]["text/markdown"]
    assert all((a["image"] == o["image"]).all()
               for o, versions in zip(panel.result.originals, panel.result.augmented,
                                      strict=True) for a in versions)


def test_panel_figures_are_opaque_pngs():
    import io

    import matplotlib.pyplot as plt
    import numpy as np
    from PIL import Image

    from workbench.panel_kit import png

    figure, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    pixels = np.asarray(Image.open(io.BytesIO(png(figure).data)).convert("RGBA"))
    assert pixels[..., 3].min() == 255 and pixels[..., :3].min() < 100  # drawn, not blank
    assert not plt.fignum_exists(figure.number)


def test_panels_outside_a_kernel_leave_ipython_as_it_was(surfaces):
    """A global InteractiveShell made by a panel would change what ``display`` prints for
    the rest of the process (test_browse's App picture test failed after test_app)."""
    from IPython.core.interactiveshell import InteractiveShell

    from workbench.widgets import resampling_panel

    before = InteractiveShell.initialized()
    panel = resampling_panel(surfaces)
    assert "text/html" in panel.table.outputs[0]["data"]
    assert InteractiveShell.initialized() == before



def test_the_debounce_is_set_by_the_environment(monkeypatch):
    """A remote kernel answers later than the default 0.3 s allows for: the user raises it."""
    from workbench import panel_kit

    monkeypatch.delenv("WORKBENCH_DEBOUNCE", raising=False)
    assert panel_kit._debounce_setting() == 0.3
    monkeypatch.setenv("WORKBENCH_DEBOUNCE", "1.5")
    assert panel_kit._debounce_setting() == 1.5
    monkeypatch.setenv("WORKBENCH_DEBOUNCE", "soon")
    with pytest.raises(ValueError, match="WORKBENCH_DEBOUNCE='soon' is not a number of sec"):
        panel_kit._debounce_setting()
