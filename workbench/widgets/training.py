"""Panels on what training will see: the resampling panel (oversampling cap, epoch size,
keep floor, priority classes) and the augmentation panel (strength, class, families).
"""

from __future__ import annotations

import ipywidgets as widgets
from IPython.display import Markdown

from workbench import measure, plots, sample
from workbench.catalog import Catalog
from workbench.errors import DataError
from workbench.panel_kit import (
    Panel,
    ResamplingPanel,
    _output,
    _show,
    _wire,
    headless_note,
)


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
