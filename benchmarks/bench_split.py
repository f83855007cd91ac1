"""Multi-label stratification against iterative-stratification 0.1.9.

Same synthetic Zipf multi-label data (about 3 labels per sample) for both; a 2-way
split (test_size 0.2) because that is what ``MultilabelStratifiedShuffleSplit`` does.
Prints the times, the ratio, and Sechidis's LD (0 is perfect) for both.
"""

import time

import numpy as np
from scipy import sparse

from workbench.split import label_distribution, multilabel_stratify

SIZES = [(100_000, 80), (1_000_000, 80), (100_000, 1203)]


def zipf_labels(n: int, n_labels: int, seed: int = 0, per_sample: float = 3.0):
    rng = np.random.default_rng(seed)
    ranks = np.arange(1, n_labels + 1)
    p = (1 / ranks) / (1 / ranks).sum()
    k = np.maximum(1, rng.poisson(per_sample, n))
    rows = np.repeat(np.arange(n), k)
    cols = rng.choice(n_labels, len(rows), p=p)
    Y = sparse.csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)),
                          shape=(n, n_labels))
    Y.data[:] = 1
    return Y


def main():
    from iterstrat.ml_stratifiers import MultilabelStratifiedShuffleSplit

    print(f"{'samples x labels':18s} {'workbench':>10s} {'iterstrat':>10s} {'speed-up':>9s} "
          f"{'LD ours':>9s} {'LD iterstrat':>12s}")
    for n, n_labels in SIZES:
        Y = zipf_labels(n, n_labels)
        start = time.perf_counter()
        ours = multilabel_stratify(Y, fractions=(0.8, 0.2), seed=0)
        t_ours = time.perf_counter() - start
        dense = Y.toarray()
        start = time.perf_counter()
        train, test = next(MultilabelStratifiedShuffleSplit(
            n_splits=1, test_size=0.2, random_state=0).split(np.zeros(n), dense))
        t_peer = time.perf_counter() - start
        peer = np.zeros(n, dtype=np.int64)
        peer[test] = 1
        print(f"{n:>9,} x {n_labels:<6,} {t_ours:9.2f}s {t_peer:9.2f}s {t_peer / t_ours:8.1f}x "
              f"{label_distribution(Y, ours, 2):9.2e} {label_distribution(Y, peer, 2):12.2e}",
              flush=True)


if __name__ == "__main__":
    main()
