"""Evaluate: per-class metrics with intervals for classification, detection and
segmentation; strategies compared; hard negatives.

Modules: ``predictions`` (the Predictions value) and ``loaders`` (reading it),
``intervals`` (Wilson, bootstrap, examples needed), ``ranking`` (AP for many bootstrap
replicates), ``classification``, ``detection``, ``segmentation``, ``slices``, ``adjust``
(thresholds, logit adjustment, calibration), ``hard`` (hard negatives), ``models`` (the
demo CNN and the baseline probe) and ``strategies``.
"""

from workbench.evaluate.adjust import (
    class_priors,
    detection_at_threshold,
    expected_calibration_error,
    logit_adjusted,
    reliability,
    tune_thresholds,
)
from workbench.evaluate.classification import (
    ClassificationReport,
    at_threshold,
    classification_report,
    paradox,
)
from workbench.evaluate.detection import DetectionReport, detection_report
from workbench.evaluate.hard import HardNegatives, confused_pairs, hard_negatives, rarest_class
from workbench.evaluate.loaders import load_predictions
from workbench.evaluate.predictions import Predictions
from workbench.evaluate.segmentation import SegmentationReport, segmentation_report
from workbench.evaluate.slices import slice_metrics

__all__ = [
    "ClassificationReport", "DetectionReport", "HardNegatives", "Predictions",
    "SegmentationReport", "at_threshold", "class_priors", "classification_report",
    "confused_pairs", "detection_at_threshold", "detection_report",
    "expected_calibration_error", "hard_negatives", "load_predictions", "logit_adjusted", "paradox",
    "rarest_class", "reliability", "segmentation_report", "slice_metrics", "tune_thresholds",
]
