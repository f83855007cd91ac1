"""Evaluate: per-class metrics with intervals for classification, detection and
segmentation; strategies compared; hard negatives.

Modules: ``predictions`` (the Predictions value); reading it: ``prediction_specs`` (a spec
to its reader), ``score_files``, ``box_files``, ``mask_files`` and what they share,
``reader_parts``; ``intervals`` (Wilson, bootstrap, examples needed), ``ranking`` (AP for
many bootstrap replicates); ``classification`` (with ``summary_metrics``, ``one_vs_rest`` and
``accuracy_paradox``), ``detection`` (with ``detection_curves`` and ``coco_matching``),
``segmentation``, ``slices``, ``adjust`` (thresholds, logit adjustment, calibration),
``hard`` (hard negatives); ``models`` (the demo CNN and the baseline probe; the CNN on a
Catalog in ``cnn``, its network in ``fcn``, its training in ``fcn_training``, its scores
and boxes in ``pixel_outputs``; cache keys in ``caching``, training images in
``training_data``, probe features in ``hog_features``, logistic regression in
``logistic_fit``); ``strategies`` (with ``strategy_specs``, ``strategy_metrics``,
``strategy_cnn`` and ``strategy_features``).
"""

from workbench.evaluate.accuracy_paradox import paradox
from workbench.evaluate.adjust import (
    calibration_pair,
    class_priors,
    detection_at_threshold,
    expected_calibration_error,
    logit_adjusted,
    logit_comparison,
    reliability,
    tune_thresholds,
)
from workbench.evaluate.classification import ClassificationReport, classification_report, confusion
from workbench.evaluate.detection import DetectionReport, detection_report
from workbench.evaluate.hard import (
    HardNegatives,
    boost_summary,
    confused_pairs,
    hard_negatives,
    rarest_class,
)
from workbench.evaluate.one_vs_rest import at_threshold
from workbench.evaluate.prediction_specs import load_predictions, predictions_for
from workbench.evaluate.predictions import Predictions
from workbench.evaluate.segmentation import SegmentationReport, segmentation_report
from workbench.evaluate.slices import slice_condition, slice_metrics
from workbench.evaluate.strategies import StrategyComparison, compare_strategies
from workbench.evaluate.truth import evaluation_note, held_out_split

__all__ = [
    "ClassificationReport", "DetectionReport", "HardNegatives", "Predictions",
    "SegmentationReport", "at_threshold", "class_priors", "classification_report",
    "confused_pairs", "detection_at_threshold", "detection_report",
    "expected_calibration_error", "hard_negatives", "load_predictions", "logit_adjusted", "paradox",
    "rarest_class", "reliability", "segmentation_report", "slice_metrics", "tune_thresholds",
    "confusion", "evaluation_note", "held_out_split", "logit_comparison", "predictions_for",
    "slice_condition", "boost_summary", "calibration_pair", "compare_strategies",
    "StrategyComparison",
]
