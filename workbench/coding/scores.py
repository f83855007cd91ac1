"""Coding exercises on the numbers that summarise: the Gini coefficient of class counts,
macro F1 from a confusion matrix, per-class IoU from a pixel confusion matrix."""

from __future__ import annotations

import numpy as np

from workbench.coding import checker as cc
from workbench.coding.draws import long_tail_counts

# -- 01: the Gini coefficient ---------------------------------------------------------------


def _gini_reference(counts) -> float:
    from workbench.measure import long_tail

    return long_tail({f"c{i}": n for i, n in enumerate(counts)}).gini


def _gini_with(counts, *, order=1, first_rank=1, denominator=0) -> float:
    x = np.sort(np.asarray(counts, dtype=float))[::order]
    n = len(x)
    ranks = np.arange(first_rank, first_rank + n)
    return float(((2 * ranks - n - 1) * x).sum() / ((n - denominator) * x.sum()))


def _gini_pairs_twice(counts) -> float:
    x = np.asarray(counts, dtype=float)
    return float(np.abs(x[:, None] - x[None, :]).sum() / (len(x) ** 2 * x.mean()))


GINI = cc.CodingExercise(
    name="gini",
    task=("Write gini(counts): the Gini coefficient of class counts, 0 when every class has "
          "the same count, (n-1)/n when one class of n holds everything."),
    stub='''def gini(counts: list[int]) -> float:
    """The Gini coefficient of per-class counts (n classes, at least two, not all zero).

    With the counts sorted ascending, x_1 <= ... <= x_n and ranks i = 1..n:
    G = sum((2 i - n - 1) x_i) / (n * sum(x)).
    """
    ...  # your code
''',
    solution='''def gini(counts):
    x = np.sort(np.asarray(counts, dtype=float))
    n = len(x)
    i = np.arange(1, n + 1)
    return float(((2 * i - n - 1) * x).sum() / (n * x.sum()))
''',
    reference=_gini_reference, draw=lambda rng: (long_tail_counts(rng, 2, 9),),
    boundaries=(([5, 5],), ([1, 0],), ([9, 1],), ([0, 0, 7],), ([3, 1, 2, 8],)),
    mistakes=(
        cc.Mistake(lambda c: _gini_with(c, order=-1), "it comes out negative (or 0 where it "
                   "should not): the counts are sorted from largest to smallest; sort them "
                   "ascending, the smallest gets rank 1"),
        cc.Mistake(lambda c: _gini_with(c, first_rank=0), "it is 2/n too low: the ranks start "
                   "at 0; the smallest count has rank 1"),
        cc.Mistake(lambda c: _gini_with(c, denominator=1), "it divides by (n - 1) x total; "
                   "the formula divides by n x total (n: the number of classes)"),
        cc.Mistake(_gini_pairs_twice, "it is twice the Gini: the sum over all pairs "
                   "|x_i - x_j| counts each pair twice, so it is divided by 2 n^2 mean")),
    concept=("the Gini is how far the sorted counts' cumulative share bends away from the "
             "diagonal of equal shares: each count weighs by how far its rank is from the "
             "middle"),
    method="sort ascending, ranks 1..n, weights 2i - n - 1, divide by n times the total",
)


# -- 05: macro F1 from a confusion matrix ----------------------------------------------------


def _macro_f1_reference(confusion) -> float:
    from sklearn.metrics import f1_score

    cm = np.asarray(confusion)
    k = len(cm)
    true, pred = np.divmod(np.arange(k * k), k)
    return float(f1_score(true, pred, labels=list(range(k)), average="macro",
                          sample_weight=cm.reshape(-1), zero_division=0))


def _per_class(confusion):
    cm = np.asarray(confusion, dtype=float)
    tp = np.diag(cm)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.nan_to_num(tp / cm.sum(axis=0))
        recall = np.nan_to_num(tp / cm.sum(axis=1))
    return cm, tp, precision, recall


def _harmonic(p, r):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.nan_to_num(2 * p * r / (p + r))


def _draw_confusion(rng, *, every_row: bool = True) -> tuple:
    k = int(rng.integers(2, 6))
    cm = rng.integers(0, 12, (k, k)) * (rng.random((k, k)) < 0.6)
    cm += np.diag(rng.integers(0, 40, k))
    sizes = (rng.pareto(1.0, k) * 3 + 1)[:, None]  # imbalanced rows: classes of many sizes
    cm = np.round(cm * sizes).astype(int)
    if every_row:
        cm[np.arange(k), np.arange(k)] += cm.sum(axis=1) == 0
    return (cm,)


MACRO_F1 = cc.CodingExercise(
    name="macro_f1",
    task=("Write macro_f1(confusion): the macro-averaged F1 of a confusion matrix (rows: true "
          "class, columns: predicted)."),
    stub='''def macro_f1(confusion: np.ndarray) -> float:
    """Macro F1: the mean over classes of F1_c = 2 P_c R_c / (P_c + R_c), with precision
    P_c = TP / predicted c (column sum) and recall R_c = TP / true c (row sum); a class never
    predicted has precision 0 (and F1 0)."""
    ...  # your code
''',
    solution='''def macro_f1(confusion):
    cm = np.asarray(confusion, dtype=float)
    tp = np.diag(cm)
    f1 = 2 * tp / (cm.sum(axis=0) + cm.sum(axis=1))  # = 2PR / (P + R)
    return float(np.nan_to_num(f1).mean())
''',
    reference=_macro_f1_reference, draw=_draw_confusion,
    boundaries=((np.array([[5, 0], [0, 9]]),), (np.array([[5, 0], [3, 0]]),),
                (np.array([[8, 2, 0], [1, 4, 0], [3, 0, 1]]),)),
    mistakes=(
        cc.Mistake(lambda cm: float(np.trace(cm) / np.sum(cm)), "this is accuracy (micro F1): "
                   "every sample counts once, so the largest class decides; macro F1 "
                   "averages the per-class F1s, each class counting the same"),
        cc.Mistake(lambda cm: float(_harmonic(_per_class(cm)[2].mean(), _per_class(cm)[3]
                                              .mean())),
                   "it is the harmonic mean of the averaged precision and the averaged recall; "
                   "macro F1 averages each class's own F1"),
        cc.Mistake(lambda cm: float(((_per_class(cm)[2] + _per_class(cm)[3]) / 2).mean()),
                   "F1 is the harmonic mean of precision and recall, 2PR / (P + R), not their "
                   "average (P + R) / 2"),
        cc.Mistake(lambda cm: float((_harmonic(*_per_class(cm)[2:]) * np.sum(cm, axis=1))
                                    .sum() / np.sum(cm)),
                   "it weighs each class's F1 by its number of true samples (scikit-learn's "
                   "'weighted'); macro gives every class the same weight")),
    concept=("macro averaging asks how good the model is on a typical class, not on a "
             "typical sample: the rare class counts as much as the common one"),
    method=("per class: TP on the diagonal, precision = TP / column sum, recall = TP / row "
            "sum, F1 = 2PR / (P + R) (0 when both are 0); then the plain mean over classes"),
)


# -- 05: per-class IoU from a pixel confusion matrix -----------------------------------------


def _iou_reference(confusion) -> list[float]:
    from workbench.evaluate.segmentation import iou_from_confusion

    return iou_from_confusion(np.asarray(confusion)).tolist()


def _ratio(numerator, denominator) -> list[float]:
    with np.errstate(invalid="ignore", divide="ignore"):
        return (numerator / denominator).tolist()


def _margins(cm):
    cm = np.asarray(cm, dtype=float)
    return np.diag(cm), cm.sum(axis=1), cm.sum(axis=0)


def _draw_pixels(rng) -> tuple:
    (cm,) = _draw_confusion(rng, every_row=False)
    if len(cm) > 2 and rng.random() < 0.3:  # a class in neither the truth nor the prediction
        gone = int(rng.integers(len(cm)))
        cm[gone, :] = 0
        cm[:, gone] = 0
    return (cm * 100,)


PER_CLASS_IOU = cc.CodingExercise(
    name="per_class_iou",
    task=("Write per_class_iou(confusion): each class's IoU from a pixel confusion matrix "
          "(rows: true class, columns: predicted), NaN for a class in neither."),
    stub='''def per_class_iou(confusion: np.ndarray) -> list[float]:
    """IoU_c = TP / (TP + FP + FN) per class: TP on the diagonal, FN the rest of row c (true
    c predicted as something else), FP the rest of column c. NaN where TP + FP + FN = 0."""
    ...  # your code
''',
    solution='''def per_class_iou(confusion):
    cm = np.asarray(confusion, dtype=float)
    tp = np.diag(cm)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (tp / (cm.sum(axis=1) + cm.sum(axis=0) - tp)).tolist()
''',
    reference=_iou_reference, draw=_draw_pixels,
    boundaries=((np.array([[1, 0], [1, 1]]),), (np.array([[5, 1, 0], [2, 3, 0], [0, 0, 0]]),),
                (np.array([[90, 10], [0, 0]]),)),
    mistakes=(
        cc.Mistake(lambda cm: _ratio(2 * _margins(cm)[0], _margins(cm)[1] + _margins(cm)[2]),
                   "this is the Dice coefficient, 2 TP / (2 TP + FP + FN); IoU counts TP "
                   "once in the numerator and once in the denominator"),
        cc.Mistake(lambda cm: _ratio(_margins(cm)[0], _margins(cm)[1] + _margins(cm)[2]),
                   "the denominator counts TP twice: row sum + column sum includes the "
                   "diagonal twice, so subtract TP once"),
        cc.Mistake(lambda cm: _ratio(_margins(cm)[0], _margins(cm)[1]),
                   "this is recall, TP / row sum (the true pixels): IoU's denominator also "
                   "holds the false positives, the rest of the column"),
        cc.Mistake(lambda cm: _ratio(_margins(cm)[0], _margins(cm)[2]),
                   "this is precision, TP / column sum (the predicted pixels): IoU's "
                   "denominator also holds the false negatives, the rest of the row")),
    concept=("IoU is the overlap of the true region and the predicted region over their "
             "union: the union is the true pixels plus the predicted ones, less the overlap "
             "counted twice"),
    method="TP = diagonal; union = row sum + column sum - TP; IoU = TP / union",
)


