"""Panels on the dataset itself: the measure panel (count unit, condition, minimum count,
critical classes) and the split panel (val and test fractions, seed, strata, groups).
"""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd

from workbench import measure, plots, split
from workbench.catalog import Catalog
from workbench.errors import Missing
from workbench.panel_kit import (
    Panel,
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
