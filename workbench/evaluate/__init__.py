"""Evaluate: per-class metrics with intervals for classification, detection and
segmentation; strategies compared; hard negatives.

Modules: ``predictions`` (the Predictions value and its loaders), ``intervals``
(Wilson, bootstrap, examples needed), ``classification``, ``detection``,
``segmentation``, ``models`` (the demo CNN and the baseline probe), ``strategies``,
``hard``.
"""

from workbench.evaluate.predictions import Predictions

__all__ = ["Predictions"]
