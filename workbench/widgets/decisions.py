"""Panels on decisions: the threshold panel (a class's score and IoU thresholds, read
off a model's report) and the quota panel (capacity, days and a target per class).
"""

from __future__ import annotations

import ipywidgets as widgets

from workbench.catalog import Catalog
from workbench.errors import DataError, passes_missing
from workbench.panel_kit import (
    Panel,
    _output,
    _show,
    _wire,
    headless_note,
)


@headless_note
@passes_missing
def threshold_panel(report, *, cls: str | None = None, threshold: float = 0.5):
    """Class and score threshold (and, for detection, the IoU threshold); redraws
    precision, recall and F1 with their intervals and the confusion counts.

    ``report`` is a :class:`workbench.evaluate.ClassificationReport` or a
    :class:`workbench.evaluate.DetectionReport`; ``panel.result`` is the metrics table
    on show.

    Parameters
    ----------
    report : ClassificationReport or DetectionReport
        The report to threshold (a Missing is returned as it is).
    cls : str, optional
        The class first shown.
    threshold : float
        The score threshold's first value.

    Returns
    -------
    Panel
        The panel (with ``enabled=False``, a Markdown note).
    """
    from workbench import evaluate

    detection = isinstance(report, evaluate.DetectionReport)
    classes = (list(report.to_frame().index[report.to_frame()["n_true"] > 0]) if detection
               else list(report.to_frame().index[report.to_frame()["support"] > 0]))
    if not classes:
        raise DataError("threshold_panel needs a class with examples in the evaluated split.")
    controls = {
        "cls": widgets.Dropdown(options=classes, value=cls or classes[0], description="class"),
        "threshold": widgets.FloatSlider(value=threshold, min=0, max=1, step=0.01,
                                         description="score threshold",
                                         continuous_update=False),
    }
    if detection:
        controls["iou"] = widgets.Dropdown(options=[0.5, 0.75, 0.9], value=0.5,
                                           description="IoU threshold")
    table, counts = _output(width="auto"), _output(width="auto")
    panel = Panel([widgets.HBox(list(controls.values())), widgets.HBox([table, counts])],
                  controls=controls, table=table)

    def update(_=None):
        name, t = controls["cls"].value, controls["threshold"].value
        if detection:
            panel.result, confusion = evaluate.detection_at_threshold(
                report, name, t, iou=controls["iou"].value)
        else:
            panel.result, confusion = evaluate.at_threshold(report, name, t)
        _show(table, panel.result.round(3).astype(object).where(panel.result.notna(), "–"))
        _show(counts, confusion)

    _wire(controls, update)
    return panel


@headless_note
def quota_panel(catalog: Catalog, *, targets, capacity_per_day: int = 100, days: int = 14,
                by: str | None = None, yields=None):
    """Capacity, days and a target per class; re-plans the quotas and redraws the
    burn-up chart and the day table on every change.

    ``panel.result`` is the :class:`workbench.collect.QuotaPlan`
    on show.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    targets : mapping of str to int
        Class -> target count (one slider each, from the current count to five times the
        target given).
    capacity_per_day : int
        Images a day, first value.
    days : int
        Days, first value.
    by : str, optional
        The condition whose values are the sources.
    yields : pandas.DataFrame, optional
        Source x class counts per image; default measured.

    Returns
    -------
    Panel
        The panel (with ``enabled=False``, a Markdown note).
    """
    from workbench import collect, collection_plots

    plan = collect.plan_quotas(catalog, targets=targets, capacity_per_day=capacity_per_day,
                               days=days, by=by, yields=yields)
    now = plan.expected.loc[0]
    controls = {
        "capacity": widgets.IntSlider(value=capacity_per_day, min=1,
                                      max=max(10 * capacity_per_day, 10), step=1,
                                      description="images a day", continuous_update=False),
        "days": widgets.IntSlider(value=days, min=1, max=max(4 * days, 28),
                                  description="days", continuous_update=False),
    }
    for cls, target in plan.targets.items():
        controls[f"target:{cls}"] = widgets.IntSlider(
            value=int(target), min=int(now[cls]), max=int(max(5 * target, now[cls] + 10)),
            description=f"target {cls}", continuous_update=False)
    summary, table, figure = widgets.HTML(), _output(), _output()
    panel = Panel([widgets.HBox([controls["capacity"], controls["days"]]),
                   widgets.HBox([c for k, c in controls.items() if k.startswith("target:")]),
                   summary, figure, table], controls=controls, table=table, figure=figure)

    def update(_=None):
        goal = {k.split(":", 1)[1]: c.value for k, c in controls.items()
                if k.startswith("target:")}
        panel.result = collect.plan_quotas(now.to_dict(), targets=goal,
                                           capacity_per_day=controls["capacity"].value,
                                           days=controls["days"].value, yields=plan.yields,
                                           unit=plan.unit)
        summary.value = f"<p>{panel.result.summary()}</p>"
        _show(figure, collection_plots.burn_up(panel.result).figure)
        _show(table, panel.result.to_frame())

    _wire(controls, update)
    return panel
