"""Notebook 04's exercises (augment): copies written at a doubled cap, and the count
that gets half the strength."""

from __future__ import annotations

import math

from workbench import measure
from workbench.catalog import Catalog
from workbench.errors import Lacks
from workbench.exercises.model import _is_number


def _copies_plan(catalog: Catalog, max_oversample: float):
    from workbench.sample import plan_resampling, sampling_keys

    return plan_resampling(sampling_keys(catalog), max_oversample=max_oversample)


def _copies(catalog: Catalog, max_oversample: float) -> int:
    plan = _copies_plan(catalog, max_oversample)
    rarest = plan.count.idxmin()
    return int(plan.effective[rarest] - plan.count[rarest])


def _copies_at_double_cap(catalog: Catalog, max_oversample: float = 3.0) -> int:
    return _copies(catalog, 2 * max_oversample)


def _copies_diagnosis(answer, expected, catalog, max_oversample: float = 3.0) -> str | None:
    if not _is_number(answer):
        return None
    plan = _copies_plan(catalog, 2 * max_oversample)
    rarest = plan.count.idxmin()
    if float(answer) == _copies(catalog, max_oversample) != expected:
        return (f"that is what section 4 wrote at {max_oversample:g}x; plan again at "
                f"{2 * max_oversample:g}x")
    if float(answer) == plan.effective[rarest]:
        return (f"that is how often {rarest} is drawn per epoch; materialize writes only the "
                f"draws beyond its {int(plan.count[rarest]):,} originals")
    if float(answer) == (2 * max_oversample - 1) * plan.count[rarest] != expected:
        return (f"{rarest} would reach {2 * max_oversample:g}x only if the epoch had room; "
                "the plan's total stays the same, so the cap may not bind")
    return None


def _copies_explained(expected, catalog, max_oversample: float = 3.0) -> str:
    from workbench.sample import key_unit

    cap = 2 * max_oversample
    plan = _copies_plan(catalog, cap)
    rarest = plan.count.idxmin()
    count, effective = int(plan.count[rarest]), int(plan.effective[rarest])
    why = (f"its {cap:g}x cap" if plan.binding[rarest] == "cap"
           else "an equal share of the epoch: the cap no longer binds")
    return (f"plan_resampling(sampling_keys(catalog), max_oversample={cap:g}) keys each image "
            f"by its rarest class in {key_unit(catalog)}; the rarest key, {rarest}, has "
            f"{count:,} images and is drawn {effective:,} times per epoch ({why}). materialize "
            f"writes the draws beyond the originals as augmented copies: {effective:,} - "
            f"{count:,} = {expected:,}, against {_copies(catalog, max_oversample):,} at "
            f"{max_oversample:g}x: a higher cap means more copies of fewer images, which the "
            f"augmentation must keep different.")


def _count_range(catalog: Catalog) -> tuple[float, float]:
    counts = measure.class_counts(catalog).total
    present = counts[counts > 0]
    if present.max() == present.min():
        raise Lacks("every class has as many images, so every class gets the same strength.")
    return float(present.max()), float(present.min())


def _count_at_half(catalog: Catalog) -> float:
    largest, smallest = _count_range(catalog)
    return math.sqrt(largest * smallest)


def _count_at_half_diagnosis(answer, expected, catalog) -> str | None:
    if not _is_number(answer):
        return None
    largest, smallest = _count_range(catalog)
    if abs(float(answer) - (largest + smallest) / 2) < 1:
        return ("that is halfway between the largest and the smallest count; strength "
                "follows the log of the count, so halfway is halfway between their logs")
    if 0 <= float(answer) <= 1:
        return "answer a number of images, not a strength"
    return None


def _count_at_half_explained(expected, catalog) -> str:
    largest, smallest = _count_range(catalog)
    return (f"augment.class_strengths gives a class of n images strength x log(max / n) / "
            f"log(max / min), here max = {largest:,.0f} and min = {smallest:,.0f}. Strength "
            f"0.5 at strength 1 needs log(max / n) = log(max / min) / 2, so n = sqrt(max x "
            f"min) = {expected:,.1f}: the geometric mean of the two counts, below their "
            f"average ({(largest + smallest) / 2:,.1f}). On a log scale a class ten times "
            f"rarer than another is always the same step stronger.")
