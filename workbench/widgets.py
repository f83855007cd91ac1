"""ipywidgets panels: thin shells over the stage functions.

Each factory returns the panel widget; ``panel.controls`` holds the controls by name and
``panel.result`` the value last computed, so a test can set ``.value`` and read it.

A panel answers the last choice only: in a kernel, a change is applied :data:`DEBOUNCE`
seconds after the last control moved (three arrow presses, one recompute), and the table
and figure are replaced in one step, never appended to or left showing an earlier answer.
Figures are PNGs shown at the panel's full width, never below their size at 100 dpi (so
text of :data:`workbench.plots.MIN_FONT` points reads at that size).

With ``enabled=False`` (headless report runs) a factory builds no widget and returns a
short note instead: a static report cannot run a panel, and executing widget cells
headless can stall the kernel client (nbclient issue #312).
"""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd
from IPython.display import Markdown

from workbench import measure, plots, sample, split
from workbench.catalog import Catalog
from workbench.errors import DataError, Missing, passes_missing
from workbench.panel_kit import (
    Panel,
    ResamplingPanel,
    SplitPanel,
    _output,
    _show,
    _wire,
    headless_note,
)

NO_CONDITION = "(none)"


@headless_note
def measure_panel(catalog: Catalog, *, min_count: int = 100, condition: str | None = None):
    """Count unit, condition, minimum count and critical classes; redraws on every change.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    min_count : int
        The minimum count's first value.
    condition : str, optional
        The condition first shown; default the first one.

    Returns
    -------
    Panel
        ``panel.result`` is the :class:`workbench.measure.Diagnosis` on show (with
        ``enabled=False``, a Markdown note instead of the panel).
    """
    conditions = list(catalog.conditions) + (["split"] if "split" in catalog.samples else [])
    controls = {
        "unit": widgets.Dropdown(options=measure.available_units(catalog),
                                 value=measure.default_unit(catalog), description="count"),
        "condition": widgets.Dropdown(
            options=[NO_CONDITION, *conditions],
            value=condition or (conditions[0] if conditions else NO_CONDITION),
            description="condition", disabled=not conditions),  # nothing to choose
        "min_count": widgets.IntSlider(value=min_count, min=1, max=1000, step=1,
                                       description="min count", continuous_update=False),
        "critical": widgets.SelectMultiple(options=list(catalog.classes), value=(),
                                           description="critical",
                                           rows=min(6, len(catalog.classes))),
    }
    table, figure = _output(), _output()
    panel = Panel([widgets.HBox([controls["unit"], controls["condition"]]),
                   widgets.HBox([controls["min_count"], controls["critical"]]), table, figure],
                  controls=controls, table=table, figure=figure)

    def update(_=None):
        condition = controls["condition"].value
        panel.result = measure.diagnose(
            catalog, unit=controls["unit"].value,
            condition=None if condition == NO_CONDITION else condition,
            min_count=controls["min_count"].value, critical=controls["critical"].value,
        )
        _draw(panel.result, table, figure)

    _wire(controls, update)
    return panel


def _draw(result: measure.Diagnosis, table: widgets.Output, figure: widgets.Output) -> None:
    _show(table, plots.styled_checklist(result.checklist))
    bars = plots.class_bars(result.counts,
                            thresholds=(max(1, result.min_count // 2), result.min_count),
                            highlight=result.critical)
    items = [bars.figure]
    if isinstance(result.hidden, Missing):
        items.append(result.hidden)
    else:
        items.append(plots.residual_heatmap(result.hidden).figure)
    _show(figure, *items)


@headless_note
def split_panel(catalog: Catalog, *, seed: int = 0):
    """Val and test fractions, seed, strata and groups; re-splits and redraws on change.

    ``panel.result`` is the split Catalog, ``panel.report`` its :class:`SplitReport`.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    seed : int
        The seed's first value.

    Returns
    -------
    SplitPanel
        The panel (with ``enabled=False``, a Markdown note).
    """
    conditions = list(catalog.conditions)
    controls = {
        "val": widgets.FloatSlider(value=0.15, min=0.05, max=0.4, step=0.05,
                                   description="val", continuous_update=False),
        "test": widgets.FloatSlider(value=0.15, min=0.05, max=0.4, step=0.05,
                                    description="test", continuous_update=False),
        "seed": widgets.IntText(value=seed, description="seed"),
        "by": widgets.Dropdown(options=list(split.BY) if conditions else ["class"],
                               value="class", description="strata",
                               disabled=not conditions),  # no condition: class strata only
        "condition": widgets.Dropdown(options=conditions or [NO_CONDITION],
                                      description="condition", disabled=True),
        "groups": widgets.Checkbox(value="group" in catalog.samples.columns,
                                   description="keep groups whole",
                                   disabled="group" not in catalog.samples.columns),
    }
    table, figure = _output(), _output()
    panel = SplitPanel([
        widgets.HBox([controls["val"], controls["test"], controls["seed"]]),
        widgets.HBox([controls["by"], controls["condition"], controls["groups"]]),
        table, figure,
    ], controls=controls, table=table, figure=figure)

    def update(_=None):
        val, test = controls["val"].value, controls["test"].value
        fractions = (round(1 - val - test, 6), val, test)
        by = controls["by"].value if conditions else "class"
        controls["condition"].disabled = by == "class"  # the strata ignore it
        panel.result = split.stratified_split(
            catalog, fractions=fractions, seed=controls["seed"].value, by=by,
            condition=controls["condition"].value if by != "class" else None,
            groups=controls["groups"].value)
        panel.report = split.split_report(panel.result, fractions=fractions)
        _show(table, pd.Series(panel.report.summary()).to_frame("value"))
        ax = plots.share_deviation(panel.report)
        _show(figure, ax.figure)

    _wire(controls, update)
    return panel


@headless_note
def resampling_panel(catalog: Catalog, *, max_oversample: float = 5.0,
                     repeat_threshold: float | str = "auto"):
    """Oversampling cap, epoch size, keep floor and priority classes; re-plans on change.

    The plan counts images by their sampling key (:func:`workbench.sample.sampling_keys`:
    the image label, or the rarest class an image contains). ``panel.result`` is the
    :class:`ResamplingPlan` (None while the choices are infeasible, with ``panel.error``
    saying why, and the table and figure cleared); for detection, ``panel.factors``
    holds repeat factors (threshold ``repeat_threshold``) capped at the same maximum.

    Parameters
    ----------
    catalog : Catalog
        Any task, with images holding a class.
    max_oversample : float
        The cap's first value.
    repeat_threshold : float or "auto"
        Threshold of the repeat factors (detection).

    Returns
    -------
    ResamplingPanel
        The panel (with ``enabled=False``, a Markdown note).
    """
    keys = sample.sampling_keys(catalog)
    if not len(keys):
        raise DataError("resampling_panel needs images with a class; this Catalog has none.")
    classes = [str(c) for c in keys.cat.categories]
    controls = {
        "max_oversample": widgets.FloatSlider(value=max_oversample, min=1, max=10, step=0.5,
                                              description="max oversample",
                                              continuous_update=False),
        "total": widgets.IntText(value=len(keys), description="per epoch"),
        "min_keep": widgets.FloatSlider(value=0.0, min=0, max=1, step=0.05,
                                        description="keep floor", continuous_update=False),
        "priority": widgets.SelectMultiple(options=classes, value=(),
                                           description="priority x2",
                                           rows=min(6, len(classes))),
    }
    message, table, figure = widgets.HTML(), _output(), _output()
    panel = ResamplingPanel([widgets.HBox([controls["max_oversample"], controls["total"]]),
                             widgets.HBox([controls["min_keep"], controls["priority"]]),
                             message, table, figure],
                            controls=controls, table=table, figure=figure)

    def update(_=None):
        panel.error = None
        try:
            panel.result = sample.plan_resampling(
                keys, total=controls["total"].value,
                max_oversample=controls["max_oversample"].value,
                min_keep=controls["min_keep"].value,
                priority={c: 2.0 for c in controls["priority"].value})
        except (DataError, ValueError) as err:
            panel.result, panel.error = None, str(err)
        panel.factors = (sample.repeat_factors(catalog, threshold=repeat_threshold,
                                               max_repeat=controls["max_oversample"].value)
                         if len(catalog.objects) else None)
        message.value = f"<b style='color:#e76f51'>{panel.error}</b>" if panel.error else ""
        if panel.result is None:
            _show(table)
            _show(figure)
            return
        items = [plots.plan_bars(panel.result).figure]
        if panel.factors is not None:
            items.append(plots.repeat_side_effects(panel.factors).figure)
        _show(table, panel.result.to_frame())
        _show(figure, *items)

    _wire(controls, update)
    return panel


@headless_note
def augment_panel(catalog: Catalog, *, cls: str | None = None, strength: float = 1.0,
                  n: int = 4, seed: int = 0):
    """Global strength, class, families and seed; redraws the preview grid on change.

    ``panel.result`` is the :class:`workbench.augment.Preview` on show.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    cls : str, optional
        The class first shown; default the rarest with images.
    strength : float
        The global strength's first value, in [0, 1].
    n : int
        Augmented versions per image.
    seed : int
        The seed's first value.

    Returns
    -------
    Panel
        The panel (with ``enabled=False``, a Markdown note).
    """
    # imported here: Albumentations imports torch (2 s), which no other panel needs
    from workbench import augment

    totals = measure.class_counts(catalog).total
    present = [str(c) for c, v in totals.items() if v > 0]
    controls = {
        "strength": widgets.FloatSlider(value=strength, min=0, max=1, step=0.05,
                                        description="strength", continuous_update=False),
        "cls": widgets.Dropdown(options=present, value=cls or str(totals[totals > 0].idxmin()),
                                description="class"),
        "families": widgets.SelectMultiple(options=list(augment.FAMILIES),
                                           value=augment.DEFAULT_FAMILIES,
                                           description="families", rows=len(augment.FAMILIES)),
        "seed": widgets.IntText(value=seed, description="seed"),
    }
    figure = _output()
    panel = Panel([widgets.HBox([controls["strength"], controls["cls"]]),
                   widgets.HBox([controls["families"], controls["seed"]]), figure],
                  controls=controls, figure=figure)

    def update(_=None):
        strengths = augment.class_strengths(totals, strength=controls["strength"].value)
        families = controls["families"].value
        controls["strength"].disabled = not families  # the identity has no strength
        panel.result = augment.preview(
            catalog, controls["cls"].value, n=n,
            strength=float(strengths[controls["cls"].value]) if families else 0.0,
            seed=controls["seed"].value, families=families)
        note = [] if families else [Markdown("*No family selected: augmentation is the "
                                             "identity, the copies are the originals.*")]
        _show(figure, *note, plots.preview_grid(panel.result).figure)

    _wire(controls, update)
    return panel


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
