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

from workbench.widgets.dataset import NO_CONDITION, measure_panel, split_panel
from workbench.widgets.decisions import quota_panel, threshold_panel
from workbench.widgets.training import augment_panel, resampling_panel

__all__ = ["NO_CONDITION", "augment_panel", "measure_panel", "quota_panel",
           "resampling_panel", "split_panel", "threshold_panel"]
