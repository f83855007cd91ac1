"""The dashboard ``make app`` serves with Voila: every notebook's panel, without the code.

For the people who want the controls: an annotation lead moving quota sliders, a teacher
demonstrating caps. One section per stage, each with a sentence of what its panel does and
the panel, fed as its notebook feeds it (the same calls, the notebooks' default
parameters). A section whose panel needs what the data lacks says so in one sentence, and
the dashboard carries on.

The dataset comes from ``$WORKBENCH_DATASET`` (``make app DATASET=...``), the predictions
the threshold panel reads from ``$WORKBENCH_PREDICTIONS`` (``make app PREDICTIONS=...``).
With "auto" the threshold panel reads what is cheap: notebook 05's model on
``demo:digits`` (logistic regression, seconds) and the baseline probe on every other
dataset, ``demo:surfaces`` included: its demo CNN trains for minutes the first time, and a
dashboard that blocks its page for minutes is not one; the section says so.
"""

from __future__ import annotations

import functools
import html
import os
from dataclasses import dataclass
from pathlib import Path

import ipywidgets

import workbench
from workbench import collect, evaluate, measure, quality, split, widgets
from workbench.demo import data_home
from workbench.errors import DataError, needs
from workbench.evaluate import models

DATASET_VARIABLE = "WORKBENCH_DATASET"
PREDICTIONS_VARIABLE = "WORKBENCH_PREDICTIONS"
DEFAULT_DATASET = "demo:surfaces"
# The notebooks' default parameters (their first cell).
MIN_COUNT = 100
MAX_OVERSAMPLE = 5.0
FRACTIONS = (0.7, 0.15, 0.15)
DAYS = 14
TARGET_MULTIPLIER = 2.0
N_BOOT = 100  # the report's own intervals; the panel draws its own (at_threshold)


@dataclass(frozen=True)
class Section:
    """One stage of the dashboard: its title, what its panel does, and the panel (or the
    sentence saying why there is none)."""

    title: str
    about: str
    panel: ipywidgets.Widget | None
    note: str = ""

    def widget(self) -> ipywidgets.VBox:
        """The section as a widget: its title, what it is about, its note and its panel.

        Returns
        -------
        ipywidgets.VBox
            With the CSS class ``workbench-section``.
        """
        parts = [ipywidgets.HTML(f"<h2>{html.escape(self.title)}</h2>"
                                 f"<p>{html.escape(self.about)}</p>")]
        if self.note:
            parts.append(ipywidgets.HTML(f"<p><i>{html.escape(self.note)}</i></p>"))
        if self.panel is not None:
            parts.append(self.panel)
        box = ipywidgets.VBox(parts)
        box.add_class("workbench-section")
        return box


def dataset_spec() -> str:
    """The dataset the dashboard shows: ``$WORKBENCH_DATASET``, else ``demo:surfaces``.

    Returns
    -------
    str
        A dataset spec.
    """
    return os.environ.get(DATASET_VARIABLE) or DEFAULT_DATASET


def predictions_spec() -> str:
    """The predictions the threshold panel reads: ``$WORKBENCH_PREDICTIONS``, else "auto".

    Returns
    -------
    str
        A predictions spec, or "auto".
    """
    return os.environ.get(PREDICTIONS_VARIABLE) or "auto"


def _section(title: str, about: str, make) -> Section:
    """``make()``'s panel in a section; when the data cannot feed it, the one sentence
    that says why (the DataError's message) instead."""
    try:
        panel = make()
    except DataError as err:
        return Section(title, about, None, note=f"Not available here: {err}")
    if isinstance(panel, workbench.errors.Missing):
        return Section(title, about, None, note=f"Not available here: {panel.reason}")
    return Section(title, about, panel)


def _threshold_predictions(catalog, predictions: str, *, dataset: str, seed: int):
    """What the threshold panel reads, and a sentence when it is not notebook 05's model."""
    if predictions == "auto" and dataset.startswith("demo:surfaces"):
        return (models.baseline_probe(catalog, seed=seed),
                "Notebook 05 evaluates the demo CNN, which trains for minutes the first "
                "time, so this panel reads the baseline probe (HOG + logistic regression, "
                "not your model); run `make app PREDICTIONS=your_predictions` for yours.")
    return evaluate.predictions_for(catalog, predictions, dataset=dataset, seed=seed), ""


def sections(dataset: str | None = None, *, predictions: str | None = None, seed: int = 0,
             cache_dir: str | Path | None = None) -> list[Section]:
    """The dashboard's sections for ``dataset`` (default :func:`dataset_spec`), in the
    notebooks' order, each panel fed as its notebook feeds it.

    ``cache_dir`` (default ``data_home()/cache``, beside the generated data) keeps the
    image statistics behind the near-duplicates and the derived conditions;
    ``predictions`` (default :func:`predictions_spec`) feeds the threshold panel.

    Parameters
    ----------
    dataset : str, optional
        A dataset spec.
    predictions : str, optional
        A predictions spec.
    seed : int
        Seed of the split and the models.
    cache_dir : str or Path, optional
        Where the image statistics are cached.

    Returns
    -------
    list of Section
        One per stage.
    """
    dataset = dataset or dataset_spec()
    predictions = predictions or predictions_spec()
    cache_dir = Path(cache_dir) if cache_dir is not None else data_home() / "cache"
    raw = workbench.load(dataset)

    @functools.cache
    def handed_on():  # notebooks 05 and 06 start from the same catalog: built once
        catalog = split.chosen_split(raw, fractions=FRACTIONS, seed=seed, cache_dir=cache_dir)
        return measure.derived_conditions(catalog, cache_dir=cache_dir)

    def measure_panel():  # notebook 01: with the derived conditions
        return widgets.measure_panel(measure.derived_conditions(raw, cache_dir=cache_dir),
                                     min_count=MIN_COUNT)

    def split_panel():  # notebook 02: near-duplicates kept together
        duplicates = quality.near_duplicates(raw, cache_dir=cache_dir)
        return widgets.split_panel(split.keep_together(raw, duplicates), seed=seed)

    def threshold_panel():  # notebook 05
        catalog = handed_on()
        preds, note = _threshold_predictions(catalog, predictions, dataset=dataset, seed=seed)
        held_out = evaluate.held_out_split(catalog)
        boxes = needs(evaluate.detection_report, catalog, preds, split=held_out,
                      n_boot=N_BOOT, seed=seed)
        report = boxes or needs(evaluate.classification_report, catalog, preds,
                                split=held_out, n_boot=N_BOOT, seed=seed)
        panel = widgets.threshold_panel(report)
        if note and not isinstance(panel, workbench.errors.Missing):
            panel.children = (ipywidgets.HTML(f"<p><i>{html.escape(note)}</i></p>"),
                              *panel.children)
        return panel

    def quota_panel():  # notebook 06
        catalog = handed_on()
        unit = collect.collection_unit(catalog)
        counts = measure.class_counts(catalog, unit=unit).total.rename(index=str)
        targets = collect.default_targets(
            counts, collect.rare_classes(counts, background=catalog.background),
            multiplier=TARGET_MULTIPLIER).to_dict()
        plan = collect.plan_quotas(catalog, targets=targets, capacity_per_day="auto",
                                   days=DAYS, by="auto", unit=unit)
        return widgets.quota_panel(catalog, targets=targets,
                                   capacity_per_day=plan.capacity_per_day, days=DAYS,
                                   yields=plan.yields)

    return [
        _section("1. Measure", "Counts per class by images, instances or pixels, per "
                 "condition, with the classes below a minimum count flagged.", measure_panel),
        _section("2. Split", "A stratified train/val/test split for the fractions you set, "
                 "and how far each class's share in each split strays from the whole.",
                 split_panel),
        _section("3. Sample", "How many times each class is seen per epoch under an "
                 "oversampling cap, an epoch size and a keep floor.",
                 lambda: widgets.resampling_panel(raw, max_oversample=MAX_OVERSAMPLE)),
        _section("4. Augment", "Augmented copies of a class's images, stronger for rarer "
                 "classes, at the strength and with the families you choose.",
                 lambda: widgets.augment_panel(raw, cls=measure.rarest_class(raw))),
        _section("5. Evaluate", "Precision, recall and F1 of one class at the score "
                 "threshold you set, with their intervals and the confusion counts.",
                 threshold_panel),
        _section("6. Collect", "Daily collection quotas to reach a target per rare class "
                 "with the annotation capacity and days you set, and the burn-up chart.",
                 quota_panel),
    ]


def build(dataset: str | None = None, *, predictions: str | None = None, seed: int = 0,
          cache_dir: str | Path | None = None) -> ipywidgets.VBox:
    """The dashboard for ``dataset``: a title naming it, then one section per stage.

    ``dashboard.sections`` holds the :class:`Section` values, ``dashboard.panels`` the
    panels by title (None where the data cannot feed one).

    Parameters
    ----------
    dataset : str, optional
        A dataset spec.
    predictions : str, optional
        A predictions spec.
    seed : int
        Seed of the split and the models.
    cache_dir : str or Path, optional
        Where the image statistics are cached.

    Returns
    -------
    ipywidgets.VBox
        The dashboard.
    """
    dataset = dataset or dataset_spec()
    parts = sections(dataset, predictions=predictions, seed=seed, cache_dir=cache_dir)
    title = ipywidgets.HTML(f"<h1>{html.escape(dataset)}: the panels of notebooks 01-06</h1>"
                            "<p>Each control recomputes its panel.</p>")
    dashboard = ipywidgets.VBox([title, *(s.widget() for s in parts)])
    dashboard.sections = parts
    dashboard.panels = {s.title: s.panel for s in parts}
    return dashboard

