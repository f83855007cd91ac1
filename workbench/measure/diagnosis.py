"""The whole diagnosis of a dataset in one value, and the facts the notebooks'
prose rests on (the background class, the rarest class, the low-light gap)."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass

from workbench.catalog import Catalog
from workbench.errors import (
    DataWarning,
    Missing,
    check_integer,
    some,
)
from workbench.measure.checklist import Checklist, health_checklist
from workbench.measure.counts import ClassCounts, class_counts, default_unit, unlabelled_images
from workbench.measure.hidden import HiddenImbalance, condition_overview, hidden_imbalance
from workbench.measure.tail import LongTail, long_tail


@dataclass(frozen=True)
class Diagnosis:
    """Everything the measure stage says about a dataset, for one set of choices."""

    counts: ClassCounts
    tail: LongTail
    hidden: HiddenImbalance | Missing
    checklist: Checklist
    min_count: int
    critical: tuple[str, ...]

    def __repr__(self) -> str:
        hidden = f", hidden over {self.hidden.condition}" if self.hidden else ""
        return (f"Diagnosis({len(self.counts.table)} classes in {self.counts.unit}, ratio "
                f"{self.tail.imbalance_ratio:,.1f}{hidden}, checklist worst "
                f"{self.checklist.worst})")

    def below_threshold(self) -> list[str]:
        """Classes with fewer than ``min_count`` examples, rarest first.

        Returns
        -------
        list of str
            Class names.
        """
        total = self.counts.total.sort_values()
        return [str(c) for c, n in total.items() if n < self.min_count]


def diagnose(catalog: Catalog, *, unit: str | None = None, condition: str | None = "auto",
             min_count: int = 100, critical: Iterable[str] | None = (), beta: float = 0.999
             ) -> Diagnosis:
    """Counts, long tail, hidden imbalance over ``condition`` and the checklist, at once.

    ``condition="auto"`` takes the condition where imbalance hides most (lowest p-value),
    the data's own before derived ones (see :func:`condition_overview`); None none.
    ``min_count`` is the checklist's "ok" threshold, half of it the "warn" threshold.
    ``critical=None`` marks the rarest class.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    unit : {"images", "instances", "pixels"}, optional
        Default: the task's own.
    condition : str, "auto" or None
        The condition for hidden imbalance; "auto" takes the one hiding the most.
    min_count : int
        The checklist's "ok" threshold in examples per class (>= 1).
    critical : iterable of str, optional
        Classes the checklist holds to ``min_count``; default none; None: the rarest class.
    beta : float
        For the effective numbers, in [0, 1).

    Returns
    -------
    Diagnosis
        Counts, long tail, hidden imbalance (or why there is none) and the checklist.
    """
    unit = unit or default_unit(catalog)
    if condition == "auto":
        overview = condition_overview(catalog, unit=unit)
        condition = overview["condition"].iloc[0] if len(overview) else None
    if critical is None:
        total = class_counts(catalog, unit=unit).total
        critical = [str(total[total > 0].idxmin())]
    check_integer("min_count", min_count, least=1, func="diagnose")
    unlabelled = unlabelled_images(catalog)
    if len(unlabelled) and catalog.task == "classification":
        warnings.warn(
            f"{len(unlabelled)} of {len(catalog)} images have no label (NaN), e.g. "
            f"{some(unlabelled, n=3)}. They count in no class; label or drop them.",
            DataWarning, stacklevel=2,
        )
    counts = class_counts(catalog, unit=unit)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # empty classes show in the checklist
        tail = long_tail(counts, beta=beta)
    hidden = (hidden_imbalance(catalog, condition, unit=unit) if condition else
              Missing(no_condition_reason(catalog)))
    checklist = health_checklist(catalog, unit=unit, min_ok=int(min_count),
                                 min_warn=max(1, int(min_count) // 2), critical=critical,
                                 hidden=hidden)
    return Diagnosis(counts=counts, tail=tail, hidden=hidden, checklist=checklist,
                     min_count=int(min_count), critical=tuple(critical))


def backdrop_class(catalog: Catalog) -> str | None:
    """The class pictures are mostly made of: the background class, else a class holding
    more than half of all labelled pixels (road, sky); None when there is none. Figures
    leave it untinted so the picture shows through.

    Parameters
    ----------
    catalog : Catalog
        Any task.

    Returns
    -------
    str or None
        The class name.
    """
    if catalog.background is not None:
        return catalog.background
    if not len(catalog.pixels):
        return None
    total = catalog.pixels.groupby("label", observed=False)["count"].sum()
    return str(total.idxmax()) if total.max() > 0.5 * total.sum() else None


def no_condition_reason(catalog: Catalog) -> str:
    """The sentence a section shows when no condition can reveal hidden imbalance.

    Parameters
    ----------
    catalog : Catalog
        Any task.

    Returns
    -------
    str
        The sentence.
    """
    if not catalog.conditions:
        return ("This dataset has no condition column (day/night, camera, site...), so hidden "
                "imbalance cannot be tested: add one value per image (a manifest column, an "
                "extra field of each COCO image, a field of a FiftyOne dataset) to see where "
                "a class goes missing.")
    return (f"Every condition of this dataset ({', '.join(catalog.conditions)}) has a single "
            "value, so there is nothing to compare: hidden imbalance needs a condition with "
            "two or more values.")


LOW_LIGHT_WORDS = ("night", "dark", "low light", "low-light", "lowlight", "dusk", "dim")


def low_light_gap(catalog: Catalog, *, unit: str = "images") -> dict | None:
    """The class most under-represented at a low-light condition value, if any.

    A condition value counts as low light when its name says so (night, dark, dusk,
    dim, low light).

    Parameters
    ----------
    catalog : Catalog
        Any task.
    unit : {"images", "instances", "pixels"}
        What the hidden-imbalance test counts.

    Returns
    -------
    dict or None
        ``{"cls", "condition", "value", "count", "expected", "residual"}`` for the most
        negative flagged residual (counts in ``unit``), or None.
    """
    best = None
    for condition in catalog.conditions:
        values = catalog.samples[condition].dropna().astype(str).unique()
        dark = [v for v in values if any(w in v.lower() for w in LOW_LIGHT_WORDS)]
        if not dark or len(values) < 2:
            continue
        flagged = hidden_imbalance(catalog, condition, unit=unit).flagged()
        flagged = flagged[flagged.index.get_level_values(1).astype(str).isin(dark)]
        if len(flagged) and (best is None or flagged["residual"].iloc[0] < best["residual"]):
            (cls, value), row = flagged.index[0], flagged.iloc[0]
            best = {"cls": str(cls), "condition": condition, "value": str(value),
                    "count": int(row["count"]), "expected": float(row["expected"]),
                    "residual": float(row["residual"])}
    return best
