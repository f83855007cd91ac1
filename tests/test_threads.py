"""The small logistic models fit with BLAS on one thread, and the caller's setting returns."""

import numpy as np
from threadpoolctl import threadpool_info

from workbench.evaluate.logistic_fit import fit_scores
from workbench.threads import one_blas_thread


def blas_threads() -> list[int]:
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_one_blas_thread_inside_and_the_callers_setting_after():
    before = blas_threads()
    assert before  # numpy's BLAS is loaded
    with one_blas_thread():
        assert set(blas_threads()) == {1}
    assert blas_threads() == before


def test_fit_scores_fits_on_one_thread(monkeypatch):
    from sklearn.linear_model import LogisticRegression

    seen = []
    real = LogisticRegression.fit

    def recording(self, *args, **kwargs):
        seen.append(set(blas_threads()))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(LogisticRegression, "fit", recording)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 5))
    fit_scores(X, (X[:, 0] > 0).astype(int), X, 2)  # one softmax model
    fit_scores(X, np.c_[X[:, 0] > 0, X[:, 1] > 0], X, 2)  # one model per class
    assert seen == [{1}] * 3
