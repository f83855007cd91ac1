"""ipywidgets panels: thin shells over the stage functions.

Each factory returns the panel widget; ``panel.controls`` holds the controls by name and
``panel.result`` the value last computed, so a test can set ``.value`` and read it.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display

from workbench import measure, plots
from workbench.catalog import Catalog

NO_CONDITION = "(none)"


def measure_panel(catalog: Catalog, *, min_count: int = 100, condition: str | None = None):
    """Count unit, condition, minimum count and critical classes; redraws on every change."""
    conditions = list(catalog.conditions) + (["split"] if "split" in catalog.samples else [])
    controls = {
        "unit": widgets.Dropdown(options=measure.available_units(catalog),
                                 value=measure.default_unit(catalog), description="count"),
        "condition": widgets.Dropdown(
            options=[NO_CONDITION, *conditions],
            value=condition or (conditions[0] if conditions else NO_CONDITION),
            description="condition"),
        "min_count": widgets.IntSlider(value=min_count, min=1, max=1000, step=1,
                                       description="min count", continuous_update=False),
        "critical": widgets.SelectMultiple(options=list(catalog.classes), value=(),
                                           description="critical",
                                           rows=min(6, len(catalog.classes))),
    }
    table, figure = widgets.Output(), widgets.Output()
    panel = widgets.VBox([widgets.HBox([controls["unit"], controls["condition"]]),
                          widgets.HBox([controls["min_count"], controls["critical"]]),
                          widgets.HBox([table, figure])])
    panel.controls = controls

    def update(_=None):
        condition = controls["condition"].value
        panel.result = measure.diagnose(
            catalog, unit=controls["unit"].value,
            condition=None if condition == NO_CONDITION else condition,
            min_count=controls["min_count"].value, critical=controls["critical"].value,
        )
        _draw(panel.result, table, figure)

    for control in controls.values():
        control.observe(update, names="value")
    update()
    return panel


def _draw(result: measure.Diagnosis, table: widgets.Output, figure: widgets.Output) -> None:
    table.clear_output(wait=True)
    with table:
        display(plots.styled_checklist(result.checklist))
    figure.clear_output(wait=True)
    with figure:
        n = 2 if result.hidden is not None else 1
        fig, axes = plt.subplots(1, n, figsize=(6 * n, 4), layout="constrained", squeeze=False)
        plots.class_bars(result.counts, ax=axes[0, 0],
                         thresholds=(max(1, result.min_count // 2), result.min_count),
                         highlight=result.critical)
        if result.hidden is not None:
            plots.residual_heatmap(result.hidden, ax=axes[0, 1])
        display(fig)
        plt.close(fig)
