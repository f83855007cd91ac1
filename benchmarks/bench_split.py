"""Multi-label stratification against iterative-stratification 0.1.9, and a 3-way split
of a 10M-image detection Catalog.

Same synthetic Zipf multi-label data (about 3 labels per sample) for both; a 2-way split
(test_size 0.2) because that is what ``MultilabelStratifiedShuffleSplit`` does. The peer
takes a dense array; ours is timed on the sparse matrix and on that same dense array.
A row is ok only if our label distribution (LD, Sechidis et al. 2011; 0 is perfect) is
also no worse than the peer's.
"""

import sys
import time
from pathlib import Path

import numpy as np
from scipy import sparse

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import detection_catalog
from table import Row, render

from workbench.split import label_distribution, multilabel_stratify, stratified_split

SIZES = [(100_000, 1203, 20.0), (100_000, 80, 1.0)]  # samples, labels, goal (x faster)


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


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def multilabel_rows() -> list[Row]:
    from iterstrat.ml_stratifiers import MultilabelStratifiedShuffleSplit

    rows = []
    for n, n_labels, goal in SIZES:
        Y = zipf_labels(n, n_labels)
        dense = Y.toarray()
        t_peer, (_, test) = timed(lambda: next(MultilabelStratifiedShuffleSplit(
            n_splits=1, test_size=0.2, random_state=0).split(np.zeros(n), dense)))  # noqa: B023
        peer = np.zeros(n, dtype=np.int64)
        peer[test] = 1
        ld_peer = label_distribution(Y, peer, 2)
        for kind, data in (("sparse", Y), ("dense", dense)):
            t_ours, ours = timed(lambda: multilabel_stratify(
                data, fractions=(0.8, 0.2), seed=0))  # noqa: B023
            ld = label_distribution(Y, ours, 2)
            rows.append(Row(
                f"multi-label split {n // 1000}k x {n_labels:,} labels, {kind}", t_ours,
                "iterative-stratification", t_peer, ("faster", goal),
                note=f"LD {ld:.2e} against the peer's {ld_peer:.2e}",
                also=bool(ld <= ld_peer)))
    return rows


def catalog_split_row(catalog=None) -> Row:
    """A 3-way stratified split (0.8/0.1/0.1 by class) of a 10M-image, 50M-box Catalog
    with 600 classes: at most 60 s. No peer runs at this size (iterative-stratification
    would take hours), so the goal is absolute."""
    catalog = catalog if catalog is not None else detection_catalog(
        10_000_000, 50_000_000, 600)
    t, _ = timed(lambda: stratified_split(catalog, fractions=(0.8, 0.1, 0.1), seed=0))
    return Row("3-way stratified split, 10M images / 50M boxes / 600 classes", t, "-",
               None, ("seconds", 60.0))


def rows(catalog=None) -> list[Row]:
    return multilabel_rows() + [catalog_split_row(catalog)]


if __name__ == "__main__":
    print(render(rows()))
