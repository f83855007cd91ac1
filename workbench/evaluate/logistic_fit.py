"""Logistic regression fitted to image features, scores out.

:func:`fit_scores` standardises the features and fits scikit-learn's logistic regression:
softmax scores for one label per image, or one model per class on "the image contains
it". Logistic regression on thumbnails, the baseline probe, the strategy comparison and
the active-learning simulation all score images with it.
"""

from __future__ import annotations

import numpy as np

from workbench.threads import one_blas_thread


def fit_scores(X_train: np.ndarray, targets: np.ndarray, X: np.ndarray, n_classes: int, *,
               seed: int = 0, class_weight=None, C: float = 1.0) -> np.ndarray:
    """Scores (len(X) x K) from StandardScaler + LogisticRegression fitted on ``X_train``.

    Parameters
    ----------
    X_train : numpy.ndarray
        Training features, one row per image.
    targets : numpy.ndarray
        Class codes (one label per image: softmax scores; a class never seen in training
        scores 0) or a (n x K) boolean matrix (one model per class on "contains it"; a
        class always or never present in training scores its training share).
    X : numpy.ndarray
        Features to score.
    n_classes : int
        K.
    seed : int
        ``random_state`` of the regression.
    class_weight : None, "balanced" or dict, optional
        scikit-learn's, by class code.
    C : float
        Inverse regularisation strength.

    Returns
    -------
    numpy.ndarray of float
        (len(X), K).

    Examples
    --------
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> fit_scores(X, np.array([0, 0, 2, 2]), X[[0, 3]], 3).round(2).tolist()
    [[0.78, 0.0, 0.22], [0.22, 0.0, 0.78]]
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def model():
        return make_pipeline(StandardScaler(), LogisticRegression(
            C=C, max_iter=2000, class_weight=class_weight, random_state=seed))

    out = np.zeros((len(X), n_classes))
    with one_blas_thread():  # small products: 17x faster than on two threads
        if targets.ndim == 1:
            fitted = model().fit(X_train, targets)
            out[:, fitted.classes_] = fitted.predict_proba(X)
            return out / out.sum(axis=1, keepdims=True)  # float32 features: off by 1e-7
        for k in range(n_classes):  # one model per class
            y = targets[:, k]
            out[:, k] = (model().fit(X_train, y).predict_proba(X)[:, 1]
                         if 0 < y.sum() < len(y) else y.mean())
    return out
