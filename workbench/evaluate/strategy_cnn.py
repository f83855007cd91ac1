"""The strategy comparison's CNN runs: the demo CNN trained once per (strategy, seed) on
one split, scored on its test images.

:func:`_cnn_runs` reads the images once into a :class:`_CnnSetup` and runs every job,
in this process or in joblib's worker processes (:func:`_run_jobs`); :func:`_cnn_run`
trains one strategy with one seed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import Lacks
from workbench.evaluate.strategy_metrics import _rarest, image_metrics
from workbench.evaluate.strategy_specs import CNN_STRATEGIES, _plans, _weights
from workbench.evaluate.training_data import train_ids_of

COMPARE_EPOCHS = 16  # the comparison trains 21 models, each shorter than the demo model:
COMPARE_CROP = 32    # 16 passes of 32x32 crops, about 12 s each for 1,400 training images
# Below this many image passes (training images x epochs x runs: about 30 s on one core)
# the CNN runs stay in this process; above, one process per core (each costs about 3 s to start).
MIN_PARALLEL_PASSES = 40_000


@dataclass(frozen=True)
class _CnnSetup:
    """What every training of the CNN comparison reads. It goes with each job to the
    worker processes; joblib passes its large arrays (the images) as memory maps, written
    once, not copied through the pipe."""

    catalog: Catalog
    images: np.ndarray
    codes: np.ndarray
    train_ids: pd.Index
    keys: pd.Series
    counts: pd.Series
    plans: dict
    test: Catalog
    test_rows: np.ndarray
    truth: np.ndarray  # the test images' class codes
    rare: int
    epochs: int


def _cnn_runs(catalog: Catalog, *, names, seeds, epochs, workers):
    from workbench.evaluate.training_data import read_arrays
    from workbench.sample import sampling_keys

    train_ids = train_ids_of(catalog)
    test_ids = catalog.samples.index[(catalog.samples["split"] == "test").to_numpy()]
    if not len(test_ids):
        raise Lacks("Comparing strategies scores the 'test' split, and this dataset has none. "
                    "Split it with workbench.split.chosen_split(catalog).")
    train = catalog.subset(train_ids)
    keys = sampling_keys(train)
    counts = keys.value_counts(sort=False)
    truth = catalog.samples.loc[test_ids, "label"] if "label" in catalog.samples.columns \
        else None
    if truth is None or truth.isna().any():
        raise Lacks("The comparison scores image labels, and some test images have none. "
                        "Label every image (its defect, or the background class).")
    tested = set(truth.astype(str))  # the rare class's AP needs a test image of it
    rare = _rarest(counts[[str(c) in tested for c in counts.index]], catalog.background)
    images, codes = read_arrays(catalog)
    setup = _CnnSetup(catalog=catalog, images=images, codes=codes, train_ids=train_ids,
                      keys=keys, counts=counts, plans=_plans(keys), test=catalog.subset(test_ids),
                      test_rows=catalog.samples.index.get_indexer(test_ids),
                      truth=truth.cat.codes.to_numpy(), rare=catalog.classes.index(rare),
                      epochs=epochs)
    jobs = [(seed, name) for seed in seeds for name in names]
    if workers is None and len(train_ids) * epochs * len(jobs) < MIN_PARALLEL_PASSES:
        workers = 1
    runs = _run_jobs(_cnn_run, jobs, shared=setup, workers=workers)
    design = (f"demo CNN, {epochs} epochs of {COMPARE_CROP}x{COMPARE_CROP} crops, trained once "
              "per seed on the same split "
              f"({len(train_ids):,} training images); metrics on the {len(test_ids):,} test "
              f"images; rare class: the one with the fewest training images among those "
              f"tested ({rare!r})")
    return runs, {"rare_class": rare, "design": design, "test_images": len(test_ids)}


def _run_jobs(func, jobs: list, *, shared, workers: int | None) -> list:
    """``[func(shared, job) for job in jobs]``, in that order, in up to ``workers``
    processes (None: one per core).

    joblib's loky processes: unlike multiprocessing's spawned ones they do not run the
    caller's script again, so a script needs no ``if __name__ == "__main__"`` guard; one
    worker (or one job) runs here, without pickling.
    """
    from joblib import Parallel, cpu_count, delayed

    workers = min(len(jobs), cpu_count() if workers is None else int(workers))
    if workers <= 1:
        return [func(shared, job) for job in jobs]
    return Parallel(n_jobs=workers, backend="loky", batch_size=1)(
        delayed(func)(shared, job) for job in jobs)


def _cnn_run(setup: _CnnSetup, job: tuple[int, str]) -> dict:
    """One strategy trained with one seed, scored on the test images."""
    from workbench.evaluate.cnn import segmenter_outputs, train_segmenter
    from workbench.sample import epoch_indices

    seed, name = job
    spec = CNN_STRATEGIES[name]
    start = time.perf_counter()
    ids, n_epochs, plan = setup.train_ids, setup.epochs, setup.plans.get(spec.get("plan"))
    if spec.get("plan") == "under":  # a fixed balanced subset, no plan per epoch
        ids = setup.keys.index[epoch_indices(plan, setup.keys, seed=seed)]
        n_epochs, plan = max(1, round(setup.epochs * len(setup.train_ids) / len(ids))), None
    weight = (_weights(setup.counts, spec["weights"], setup.catalog.classes)
              if "weights" in spec else None)
    net = train_segmenter(setup.catalog, setup.images, setup.codes, train_ids=ids, seed=seed,
                          epochs=n_epochs, loss=spec.get("loss", "ce"), class_weight=weight,
                          sampler_plan=plan, augment=spec.get("augment", False),
                          crop=COMPARE_CROP)
    scores, _ = segmenter_outputs(net, setup.test, setup.images[setup.test_rows])
    seen = n_epochs * (plan.total if plan is not None else len(ids))
    return {"strategy": name, "seed": seed,
            **image_metrics(setup.truth, scores.to_numpy(), rare=setup.rare),
            "train_images": len(ids), "images_seen": int(seen),
            "seconds": time.perf_counter() - start}
