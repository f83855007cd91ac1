"""BLAS on one thread for the small models: logistic regressions on a few hundred images.

OpenBLAS splits each matrix product over every core. On products this small the threads'
hand-offs cost far more than they gain: the digits strategy comparison (30 fits of about
430 images x 256 features) took 18.4 s with 2 threads on a 2-core machine and 1.1 s on
one, with the same results to the last digit.
"""

from __future__ import annotations

import contextlib


@contextlib.contextmanager
def one_blas_thread():
    """Run the block with the BLAS libraries numpy and scipy loaded on one thread each
    (threadpoolctl, scikit-learn's own tool for this), then restore them.

    Yields
    ------
    None
        One BLAS thread inside the block.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield
