"""Coding exercises on how many of each: a capped resampling plan, LVIS repeat factors,
loss weights by the inverse number of samples, and the class-balanced quotas of an
active-learning pick."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from workbench.coding import checker as cc
from workbench.coding.draws import CLASSES, long_tail_counts

# -- 03: a capped resampling plan ------------------------------------------------------------


def _plan(counts, total, cap):
    from workbench.sample import plan_resampling

    return plan_resampling(counts, total=total, max_oversample=cap)


def _plan_reference(counts, total, cap) -> dict:
    return {str(c): int(v) for c, v in _plan(counts, total, cap).effective.items()}


def _plan_judge(got, _expected, args) -> list[str]:
    from workbench.exercises.ex03_sample import _plan_problems

    if not isinstance(got, Mapping):
        return [f"it returned a {type(got).__name__}; return a dict {{class: draws per "
                "epoch}}"]
    return _plan_problems(got, _plan(*args))


def _draw_plan(rng) -> tuple:
    counts = dict(zip(CLASSES, long_tail_counts(rng, 3, 7), strict=False))
    cap = float(rng.choice([2, 3, 5]))
    most = int(sum(counts.values()) * cap)
    return counts, int(rng.integers(len(counts), most + 1)), cap


def _equal_split(counts, total, _cap) -> dict:
    from workbench.apportion import round_to_total  # the package's largest remainder

    k = len(counts)
    shares = round_to_total(np.full(k, total / k), total)
    return dict(zip(counts, shares.tolist(), strict=True))


def _capped_not_shared(counts, total, cap) -> dict:
    return {c: min(v, int(n * cap)) for (c, n), v in
            zip(counts.items(), _equal_split(counts, total, cap).values(), strict=True)}


def _rounded_each(counts, total, cap) -> dict:
    from workbench.exercises.ex03_sample import _exact_shares

    return {str(c): int(round(v)) for c, v in _exact_shares(_plan(counts, total, cap)).items()}


CAPPED_PLAN = cc.CodingExercise(
    name="capped_plan",
    task=("Write capped_plan(counts, total, cap): draws per epoch for each class, as equal as "
          "the cap allows (no class drawn more than cap times its count), summing to total "
          "exactly."),
    stub='''def capped_plan(counts: dict[str, int], total: int, cap: float) -> dict[str, int]:
    """Draws per epoch per class: as equal as the cap allows, summing to `total` exactly.

    counts: images per class; cap: the most a class may be drawn, as a multiple of its
    count (5: at most 5x). Returns {class: draws}, the classes in the order given.
    """
    ...  # your code
''',
    solution='''def capped_plan(counts, total, cap):
    names, n = list(counts), np.array(list(counts.values()), dtype=float)
    limit = np.floor(n * cap)
    level_lo, level_hi = 0.0, float(total)        # the water level: equal share below caps
    for _ in range(100):
        level = (level_lo + level_hi) / 2
        if np.minimum(limit, level).sum() < total:
            level_lo = level
        else:
            level_hi = level
    exact = np.minimum(limit, level_hi)
    draws = np.floor(exact).astype(int)           # largest remainder: the sum stays exact
    for i in np.argsort(-(exact - draws), kind="stable")[: total - draws.sum()]:
        draws[i] += 1
    return dict(zip(names, draws.tolist()))
''',
    reference=_plan_reference, draw=_draw_plan, judge=_plan_judge,
    boundaries=(({"Car": 6000, "Pedestrian": 2500, "Bicycle": 1200, "Wheelchair": 300},
                 8000, 5.0),
                ({"a": 50, "b": 40, "c": 2}, 91, 5.0), ({"a": 100, "b": 100}, 200, 2.0)),
    mistakes=(
        cc.Mistake(_equal_split, "it splits the total equally and ignores the cap: a class "
                   "with few images cannot be drawn more than cap x its count"),
        cc.Mistake(_capped_not_shared, "it caps a class but drops what the class cannot take: "
                   "the draws a capped class leaves go to the classes under their cap"),
        cc.Mistake(_rounded_each, "it rounds each class on its own, so the sum can miss the "
                   "total by one: round by largest remainder")),
    concept=("the answer is a water level: every class under its cap gets the same number, a "
             "capped class gets its cap, and the level is set so the draws sum to total"),
    method=("find the level by bisection (or by capping the smallest classes one at a time "
            "and sharing the rest), then round down and give the leftover draws to the "
            "largest fractional parts"),
)


# -- 03: LVIS repeat factors -----------------------------------------------------------------


def _images_catalog(images):
    from workbench.catalog import Catalog

    ids = [f"i{k}" for k in range(len(images))]
    samples = pd.DataFrame({"filepath": [f"{i}.png" for i in ids], "width": 10, "height": 10},
                           index=pd.Index(ids, name="sample_id"))
    rows = [(i, label) for i, labels in zip(ids, images, strict=True) for label in labels]
    objects = pd.DataFrame(rows, columns=["sample_id", "label"]).assign(x=0.1, y=0.1, w=0.2,
                                                                        h=0.2)
    classes = sorted({label for labels in images for label in labels})
    return Catalog(samples, classes=classes, task="detection", objects=objects)


def _repeat_reference(images, threshold) -> list[float]:
    from workbench.sample import repeat_factors

    return repeat_factors(_images_catalog(images), threshold=threshold).image_factors.tolist()


def _repeat_with(images, threshold, *, per="image", combine=max, floor=1.0, inverted=False):
    names = sorted({c for labels in images for c in labels})
    if per == "image":
        fraction = {c: sum(c in labels for labels in images) / len(images) for c in names}
    else:
        boxes = sum(len(labels) for labels in images)
        fraction = {c: sum(labels.count(c) for labels in images) / boxes for c in names}
    factor = {c: max(floor, math.sqrt(f / threshold if inverted else threshold / f))
              for c, f in fraction.items()}
    return [float(combine([factor[c] for c in labels])) if labels else 1.0
            for labels in images]


def _draw_images(rng) -> tuple:
    names = list(CLASSES[: int(rng.integers(2, 6))])
    weights = 1 / np.arange(1, len(names) + 1) ** 1.5
    images = [list(rng.choice(names, size=int(rng.integers(0, 4)), p=weights / weights.sum()))
              for _ in range(int(rng.integers(8, 30)))]
    images = [[str(c) for c in labels] for labels in images]
    if not any(images):
        images[0] = [names[0]]
    return images, float(rng.choice([0.1, 0.2, 0.3, 0.5]))


REPEAT_FACTORS = cc.CodingExercise(
    name="repeat_factors",
    task=("Write repeat_factors(images, threshold): how often LVIS repeat-factor sampling "
          "repeats each image per epoch (Gupta et al. 2019)."),
    stub='''def repeat_factors(images: list[list[str]], threshold: float) -> list[float]:
    """Per image, its LVIS repeat factor. `images`: each image's box labels.

    f(c): the fraction of images that contain class c; r(c) = max(1, sqrt(threshold / f(c)));
    an image is repeated max over its classes of r(c) (1 for an image with no box).
    """
    ...  # your code
''',
    solution='''def repeat_factors(images, threshold):
    classes = {c for labels in images for c in labels}
    f = {c: sum(c in labels for labels in images) / len(images) for c in classes}
    r = {c: max(1.0, math.sqrt(threshold / f[c])) for c in classes}
    return [max((r[c] for c in labels), default=1.0) for labels in images]
''',
    reference=_repeat_reference, draw=_draw_images,
    boundaries=(([["car"], ["car", "car"], ["bus"], []], 0.5),
                ([["car", "bus"], ["car"], ["car"], ["car"]], 0.3)),
    mistakes=(
        cc.Mistake(lambda i, t: _repeat_with(i, t, per="box"), "f(c) counts boxes: it is the "
                   "fraction of images that contain c, so an image with three cars counts once"),
        cc.Mistake(lambda i, t: _repeat_with(i, t, combine=np.mean), "it averages an image's "
                   "class factors: an image is repeated as often as its rarest class asks, "
                   "the max"),
        cc.Mistake(lambda i, t: _repeat_with(i, t, floor=0.0), "frequent classes get factors "
                   "below 1: r(c) = max(1, ...), an image is never sampled less than once"),
        cc.Mistake(lambda i, t: _repeat_with(i, t, inverted=True), "the common classes get "
                   "the large factors: it is sqrt(threshold / f(c)), larger for rarer classes")),
    concept=("a class in fewer than `threshold` of the images is repeated until it would "
             "appear about that often, softened by the square root; an image carries its "
             "rarest class's factor"),
    method=("count, per class, the images whose label list contains it; divide by the number "
            "of images; r = max(1, sqrt(t / f)); per image, the max of r over its labels"),
)


# -- 03: loss weights by the inverse number of samples ---------------------------------------


def _weights_reference(counts) -> dict:
    from workbench.sample import class_weights

    return class_weights(counts, method="inverse").to_dict()


def _scaled(counts, raw: np.ndarray, to: float) -> dict:
    return dict(zip(counts, (raw / raw.sum() * to).tolist(), strict=True))


def _n(counts) -> np.ndarray:
    return np.array(list(counts.values()), dtype=float)


INVERSE_WEIGHTS = cc.CodingExercise(
    name="inverse_weights",
    task=("Write inverse_weights(counts): loss weights by the inverse number of samples "
          "(Hvilshøj 2022), scaled to sum to the number of classes."),
    stub='''def inverse_weights(counts: dict[str, int]) -> dict[str, float]:
    """Loss weight per class, proportional to 1 / count and summing to the number of
    classes (so a balanced dataset gets 1 for every class)."""
    ...  # your code
''',
    solution='''def inverse_weights(counts):
    raw = {c: 1 / n for c, n in counts.items()}
    scale = len(counts) / sum(raw.values())
    return {c: w * scale for c, w in raw.items()}
''',
    reference=_weights_reference,
    draw=lambda rng: (dict(zip(CLASSES, long_tail_counts(rng, 2, 7, 4000), strict=False)),),
    boundaries=(({"a": 1, "b": 1},), ({"common": 100, "rare": 1},),
                ({"a": 600, "b": 300, "c": 100},)),
    mistakes=(
        cc.Mistake(lambda c: _scaled(c, _n(c), len(c)), "the rarest class gets the smallest "
                   "weight: the weights go as 1 / count, so rare classes weigh more"),
        cc.Mistake(lambda c: dict(zip(c, (1 / _n(c)).tolist(), strict=True)), "the weights are "
                   "1 / count but not scaled: make them sum to the number of classes"),
        cc.Mistake(lambda c: _scaled(c, 1 / _n(c), 1.0), "the weights sum to 1; scaled to sum "
                   "to the number of classes, a balanced dataset gets 1 for each class"),
        cc.Mistake(lambda c: dict(zip(c, (_n(c).sum() / (len(c) * _n(c))).tolist(),
                                      strict=True)),
                   "these are scikit-learn's 'balanced' weights, N / (K n_c): the right "
                   "shape, scaled differently; rescale them to sum to K")),
    concept=("a class's total weight in the loss is count x weight: with weights 1 / count, "
             "every class weighs the same in total"),
    method="w_c = 1 / n_c, then multiply every w by K / sum(w)",
)


# -- 06: the class-balanced quotas of an active-learning pick -------------------------------


def _quotas_reference(labelled, available, n) -> list[int]:
    from workbench.collect.select import balanced_quotas

    return balanced_quotas(np.asarray(labelled), np.asarray(available), n).tolist()


def _quotas_judge(got, expected, args) -> list[str]:
    labelled, available, n = (np.asarray(a) for a in args)
    have = cc.as_numbers(got)
    if have is None or isinstance(got, Mapping) or have.shape != labelled.shape:
        return [f"return a list of {len(labelled)} whole numbers, one per class, not "
                f"{type(got).__name__} {cc._short(got)}"]
    if np.any(have != np.round(have)):
        return ["the quotas are not whole numbers of images"]
    have = have.astype(int)
    problems = []
    picks = min(int(n), int(available.sum()))
    if have.sum() != picks:
        problems.append(f"the quotas sum to {have.sum()}, not the {picks} picks (n, or the "
                        "whole pool when it is smaller)")
    over = np.flatnonzero((have > available) | (have < 0))
    if len(over):
        i = int(over[0])
        problems.append(f"class {i} gets {have[i]} picks but has {available[i]} candidates "
                        "(a quota is between 0 and the candidates)")
    if not problems and sorted(labelled + have) != sorted(labelled + np.asarray(expected)):
        problems.append(f"the counts after labelling, {(labelled + have).tolist()}, are less "
                        f"even than they can be ({(labelled + np.asarray(expected)).tolist()})")
    return problems


def _quotas_with(labelled, available, n, *, fill=True, limit=True) -> list[int]:
    labelled, available = np.asarray(labelled), np.asarray(available)
    n = min(int(n), int(available.sum()))
    quota = np.zeros(len(labelled), dtype=int)
    for _ in range(n):  # one pick at a time
        level = labelled + quota if fill else quota
        room = quota < available if limit else np.ones(len(quota), bool)
        quota[np.flatnonzero(room)[np.argmin(level[room])]] += 1
    return quota.tolist()


def _all_to_rarest(labelled, available, n) -> list[int]:
    quota = np.zeros(len(labelled), dtype=int)
    quota[int(np.argmin(labelled))] = min(int(n), int(np.asarray(available).sum()))
    return quota.tolist()


def _draw_pool(rng) -> tuple:
    k = int(rng.integers(2, 6))
    labelled = long_tail_counts(rng, k, k + 1, 200)
    rng.shuffle(labelled)
    available = rng.integers(0, 15, k).tolist()
    return labelled, available, int(rng.integers(1, 30))


BALANCED_QUOTAS = cc.CodingExercise(
    name="balanced_quotas",
    task=("Write balanced_quotas(labelled, available, n): how many of the next n picks each "
          "class gets so the labelled counts come out as even as they can."),
    stub='''def balanced_quotas(labelled: list[int], available: list[int], n: int) -> list[int]:
    """Picks per class: labelled + quota as even as possible (the classes with the fewest
    labels fill first), quota <= available (the pool's candidates predicted as the class),
    summing to n (or to all the candidates, when there are fewer)."""
    ...  # your code
''',
    solution='''def balanced_quotas(labelled, available, n):
    quota = [0] * len(labelled)
    for _ in range(min(n, sum(available))):  # one pick at a time, to the lowest class
        open_ = [i for i in range(len(quota)) if quota[i] < available[i]]
        lowest = min(open_, key=lambda i: labelled[i] + quota[i])
        quota[lowest] += 1
    return quota
''',
    reference=_quotas_reference, draw=_draw_pool, judge=_quotas_judge,
    boundaries=(([10, 2, 0, 5], [5, 1, 3, 4], 8), ([0, 0], [5, 5], 1), ([3, 9], [2, 0], 5)),
    mistakes=(
        cc.Mistake(lambda lab, av, n: _quotas_with(lab, av, n, fill=False), "it shares the "
                   "picks equally: the classes with the fewest labels must fill first, so a "
                   "class that has many already gets fewer"),
        cc.Mistake(lambda lab, av, n: _quotas_with(lab, av, n, limit=False), "a class gets more "
                   "picks than it has candidates in the pool: cap each quota at its candidates "
                   "and pass the rest on"),
        cc.Mistake(_all_to_rarest, "every pick goes to the rarest class: fill it only up to "
                   "the next rarest, then fill both together")),
    concept=("water-filling: pour the n picks into the classes, lowest first, until they "
             "reach a common level; a class whose candidates run out stops rising"),
    method=("give one pick at a time to the class with the fewest labelled + picked that "
            "still has candidates (ties: the first), n times"),
)


