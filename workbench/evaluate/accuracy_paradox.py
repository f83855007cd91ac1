"""The accuracy paradox: the model beside one that always gives the most common answer.

:func:`paradox` sets accuracy, balanced accuracy, macro F1 and worst-class recall of a
model's decisions beside those of the majority answer on the same images (Hvilshøj
2022): on imbalanced data the majority answer's accuracy is high and says nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.errors import passes_missing
from workbench.evaluate.classification import ClassificationReport
from workbench.evaluate.summary_metrics import balanced_accuracy


@passes_missing
def paradox(report: ClassificationReport) -> pd.DataFrame:
    """The accuracy paradox on the evaluated split (Hvilshøj 2022): accuracy, balanced
    accuracy, macro F1 and worst-class recall of the model beside a model that always
    answers the most common class. Single-label data: the majority answer; several
    labels per image: a model that says "present" only for classes in most images.

    Parameters
    ----------
    report : ClassificationReport
        The model's report.

    Returns
    -------
    pandas.DataFrame
        Rows accuracy, balanced_accuracy, macro_f1, worst_class_recall (fractions); one
        column for the majority answer, one for this model.
    """
    truth = report.truth
    counts = truth.matrix.sum(axis=0)
    if truth.single_label:
        always = np.zeros_like(truth.matrix)
        always[:, int(np.argmax(counts))] = True
        name = f"always '{truth.classes[int(np.argmax(counts))]}'"
    else:
        always = np.broadcast_to(counts > len(truth.matrix) / 2, truth.matrix.shape)
        common = np.asarray(truth.classes)[counts > len(truth.matrix) / 2]
        name = f"always {', '.join(common) or 'nothing'}"
    rows = {}
    for label, decisions in [(name, always), ("this model", report.decisions)]:
        y, d = truth.matrix, decisions
        present = counts > 0
        tp = (y & d).sum(axis=0)[present]
        support, predicted = counts[present], d.sum(axis=0)[present]
        recall = tp / support
        with np.errstate(invalid="ignore", divide="ignore"):
            f1 = 2 * tp / (support + predicted)
        rows[label] = {"accuracy": float((y == d).all(axis=1).mean()),
                       "balanced_accuracy": float(balanced_accuracy(
                           y, d, np.ones((1, len(y))), single_label=truth.single_label)[0]),
                       "macro_f1": float(np.nanmean(f1)),
                       "worst_class_recall": float(recall.min())}
    return pd.DataFrame(rows)
