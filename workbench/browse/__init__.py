"""FiftyOne: a dataset from a Catalog, a Catalog from a dataset, and named views.

The only package that imports fiftyone; it sets FiftyOne's environment first
(tracking off, database validation off, the App on 127.0.0.1), here, before any of its
modules imports fiftyone.
"""

# ruff: noqa: E402  (fiftyone is configured before any module of this package imports it)
from __future__ import annotations

from workbench.environment import configure_fiftyone

configure_fiftyone()

# isort: split  (the imports below come after the configuration, on purpose)
from workbench.browse.app import AppPicture, app_picture, close_picture_app, free_port, launch_app
from workbench.browse.datasets import INFO_KEY, LABEL_FIELDS, to_fiftyone
from workbench.browse.reading import from_fiftyone, from_fiftyone_dir, predictions_from_fiftyone
from workbench.browse.views import (
    add_predictions,
    class_image_counts,
    evaluate_boxes,
    evaluation_dataset,
    hard_negatives_view,
    label_issues_view,
    minority_classes,
    minority_summary,
    minority_view,
    picks_view,
    split_views,
)

__all__ = [
    "add_predictions",
    "app_picture",
    "AppPicture",
    "class_image_counts",
    "close_picture_app",
    "evaluate_boxes",
    "evaluation_dataset",
    "free_port",
    "from_fiftyone",
    "from_fiftyone_dir",
    "hard_negatives_view",
    "INFO_KEY",
    "LABEL_FIELDS",
    "label_issues_view",
    "launch_app",
    "minority_classes",
    "minority_summary",
    "minority_view",
    "picks_view",
    "predictions_from_fiftyone",
    "split_views",
    "to_fiftyone",
]
