"""Per-class metrics per condition value and per split: where the model is worse.

This closes the loop with notebook 01's hidden imbalance: if cracks at night are rare
in the training data, crack recall at night is where it shows. A slice is flagged when
its whole interval lies below the value on the rest of the images (the other values of
the same condition) and it holds at least three examples of the class: a wide interval
on a few images is not flagged, and one image gives a bootstrap interval of zero width
that must not be read as certain.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import DataError, Lacks, passes_missing, some
from workbench.evaluate.predictions import Predictions
from workbench.evaluate.truth import split_ids

MIN_EXAMPLES = 3  # fewer examples of a class in a slice: its bootstrap interval is degenerate
WORSE_MARGIN = 1e-9  # a bound at 1.0 computed as 0.99999999 is not "below" a rest of 1.0
DEFAULT_METRIC = {"classification": "recall", "detection": "ap50", "segmentation": "iou"}


def slice_condition(catalog: Catalog) -> str:
    """The condition to slice by: the one hiding the most imbalance (notebook 01), else
    the first condition; :class:`Lacks` when the data has none.

    Parameters
    ----------
    catalog : Catalog
        With condition columns.

    Returns
    -------
    str
        The condition's column name.
    """
    from workbench.split import most_hidden_condition

    if not catalog.conditions:
        raise Lacks("This dataset has no condition column (lighting, camera, site), so "
                    "metrics cannot be sliced by condition. Add one to see where the model "
                    "is worse.")
    return most_hidden_condition(catalog) or catalog.conditions[0]


def report_for(kind: str):
    """The report function of ``kind``: classification, detection or segmentation.

    Parameters
    ----------
    kind : {"classification", "detection", "segmentation"}
        The task.

    Returns
    -------
    callable
        :func:`classification_report`, :func:`detection_report` or
        :func:`segmentation_report`.
    """
    from workbench.evaluate import classification, detection, segmentation

    return {"classification": classification.classification_report,
            "detection": detection.detection_report,
            "segmentation": segmentation.segmentation_report}[kind]


@passes_missing
def slice_metrics(catalog: Catalog, predictions: Predictions, *, by: str,
                  kind: str = "classification", metric: str | None = None,
                  split: str | None = "test", min_images: int = 1, **options) -> pd.DataFrame:
    """``metric`` (default: recall, AP@0.5 or IoU by ``kind``) per class and per value of
    the condition ``by`` (or ``by="split"``: per split), with its interval, the number of
    images, the value on the rest of the images and whether the slice is worse.

    Parameters
    ----------
    catalog : Catalog
        The truth.
    predictions : Predictions
        What the report of ``kind`` needs.
    by : str
        A condition column, or "split".
    kind : {"classification", "detection", "segmentation"}
        Which report.
    metric : str, optional
        A column of that report.
    split : str, optional
        The split to slice (ignored for ``by="split"``).
    min_images : int
        Slices with fewer images are left out.
    **options
        Passed to the report.

    Returns
    -------
    pandas.DataFrame
        One row per (class, slice): ``class``, ``slice``, ``metric``, ``n_class`` (the
        class's examples in the slice), ``value``, ``low``, ``high``, ``n_images``,
        ``rest``, ``worse``.
    """
    metric = metric or DEFAULT_METRIC[kind]
    if by == "split":
        if "split" not in catalog.samples.columns:
            raise Lacks("This dataset has no split to compare metrics across.")
        split = None
    elif by not in catalog.samples.columns:
        raise Lacks(f"This dataset has no {by!r} column to slice by; its conditions are "
                    f"{some(catalog.conditions) or 'none'}. Add a condition (lighting, camera, "
                    "site) to see where the model is worse.")
    ids = split_ids(catalog, split)
    values = catalog.samples.loc[ids, by]
    report = report_for(kind)
    report(catalog, predictions, split=split, **options)  # says what the split lacks, if anything
    parts = []
    for value in values.dropna().unique():
        inside = ids[(values == value).to_numpy()]
        if len(inside) < min_images:
            continue
        rest = ids.difference(inside)
        try:
            here = report(catalog.subset(inside), predictions, split=split,
                          **options).to_frame()
        except Lacks:  # this value has nothing to measure (no boxes, no masks): no row
            continue
        if metric not in here.columns:
            raise DataError(f"{metric!r} is not a column of the {kind} report: "
                            f"{some(here.columns, n=12)}.")
        try:
            other = (report(catalog.subset(rest), predictions, split=split,
                            **options).to_frame() if len(rest) else None)
        except Lacks:
            other = None
        count = next(c for c in ("support", "n_true", "n_images") if c in here.columns)
        parts.append(pd.DataFrame({
            "class": here.index, "slice": str(value), "metric": metric,
            "n_class": here[count].to_numpy(), "value": here[metric].to_numpy(),
            "low": here[f"{metric}_low"].to_numpy(), "high": here[f"{metric}_high"].to_numpy(),
            "n_images": len(inside),
            "rest": (other[metric].reindex(here.index).to_numpy() if other is not None
                     else np.nan)}))
    if not parts:
        raise Lacks(f"No value of {by!r} has {min_images} or more evaluated images.")
    table = pd.concat(parts, ignore_index=True)
    table["worse"] = ((table["high"] < table["rest"] - WORSE_MARGIN)
                      & (table["n_class"] >= MIN_EXAMPLES)).fillna(False).astype(bool)
    return table.sort_values(["class", "slice"], kind="stable").reset_index(drop=True)
