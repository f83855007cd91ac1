import pytest

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
    assert panel.result.hidden is None

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
