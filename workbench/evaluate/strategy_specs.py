"""The strategies against imbalance that :func:`workbench.evaluate.compare_strategies`
compares, and the resampling plans and class weights they name.

Each strategy is a spec: class weights (balanced, effective number), focal loss, a
resampling plan (capped oversampling, undersampling to the smallest class), class-aware
augmentation or SMOTE. :func:`_plans` makes the two plans from the training images'
sampling keys, :func:`_weights` the class weights over every class.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

MAX_OVERSAMPLE = 5.0
_BASELINE_AND_WEIGHTS = {
    "as is": {},
    "class weights (balanced)": {"weights": "balanced"},
    "class weights (effective number)": {"weights": "effective"},
}
_RESAMPLING = {"capped resampling (5x)": {"plan": "capped"},
               "undersample to the smallest": {"plan": "under"}}
CNN_STRATEGIES = {**_BASELINE_AND_WEIGHTS, "focal loss": {"loss": "focal"}, **_RESAMPLING,
                  "capped resampling + augmentation": {"plan": "capped", "augment": True}}
FEATURE_STRATEGIES = {**_BASELINE_AND_WEIGHTS, **_RESAMPLING,
                      "SMOTE to the capped plan": {"plan": "capped", "smote": True}}


def _plans(keys: pd.Series):
    from workbench.sample import plan_resampling

    counts = keys.value_counts(sort=False)
    counts = counts[counts > 0]
    capped = plan_resampling(counts, max_oversample=MAX_OVERSAMPLE)
    under = plan_resampling(counts, total=int(counts.min()) * len(counts), max_oversample=1.0)
    return {"capped": capped, "under": under}


def _weights(counts: pd.Series, method: str, classes: Sequence[str]) -> pd.Series:
    """Class weights over all classes; a class that is no image's key gets the smallest."""
    from workbench.sample import class_weights

    weights = class_weights(counts[counts > 0], method=method)
    return weights.reindex(list(classes)).fillna(weights.min())
