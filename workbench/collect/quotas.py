"""Annotation quotas: a day-by-day labelling plan that meets per-class targets.

Following the lesson on class imbalance in computer vision: "plan batches so each
labeling cycle includes a minimum target per rare class; stop when per-class targets
are met". :func:`plan_quotas` turns current counts, targets, a daily capacity and what
each source yields per image (:func:`yields_from`) into images to label per source per
day; each day it labels the mix of sources that meets every remaining target with the
fewest images (a linear programme, ``scipy.optimize.linprog``), so at full capacity the
last target is met as early as it can be. The decisions to take as labelling departs
from the plan are in :mod:`workbench.collect.decisions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import DataError, some
from workbench.tally import per_class

POOL = "pool"  # the one source when yields are a single row

TOLERANCE = 1e-6  # expected counts are sums of rates: 7.9999999 meets a target of 8


@dataclass(frozen=True)
class QuotaPlan:
    """The plan: ``images`` (day x source, images to label), ``expected`` (day x class,
    expected cumulative counts; day 0 is now), ``targets``, ``yields`` (source x class,
    per image labelled), ``capacity_per_day``, ``days`` and ``unit``."""

    images: pd.DataFrame
    expected: pd.DataFrame
    targets: pd.Series
    yields: pd.DataFrame
    capacity_per_day: int
    days: int
    unit: str

    @property
    def met_on(self) -> pd.Series:
        """Per targeted class, the first day its expected count reaches the target (0:
        met already; NaN: not within the horizon)."""
        reached = self.expected[self.targets.index].ge(self.targets - TOLERANCE)
        return reached.idxmax().where(reached.any()).rename("met_on_day")

    @property
    def capacity_needed(self) -> int:
        """Images a day that would meet every target a source can yield within the
        horizon (the fewest images that meet them all, spread over the days)."""
        need = (self.targets - self.expected.loc[0, self.targets.index]).clip(lower=0)
        total = _fewest_images(self.yields, need).sum()
        return int(np.ceil(total / self.days - 1e-9))

    def to_frame(self) -> pd.DataFrame:
        """One row per targeted class: now, target, expected at the end, the day it is
        met, and for a class not met: the shortfall, the source that yields it most and
        the images from that source (and days at this capacity) that would close it.

        Returns
        -------
        pandas.DataFrame
            Indexed by class; counts in the plan's unit, images and days as counts.
        """
        end = self.expected.iloc[-1][self.targets.index]
        short = (self.targets - end).where(lambda gap: gap > TOLERANCE, 0.0)
        best = self.yields[self.targets.index].idxmax()
        best_yield = self.yields[self.targets.index].max()
        extra = np.ceil(short / best_yield.where(best_yield > 0) - 1e-9)
        frame = pd.DataFrame({
            "now": self.expected.loc[0, self.targets.index], "target": self.targets,
            "expected_at_end": end.round(1), "met_on_day": self.met_on,
            "short_by": np.ceil(short - 1e-9).clip(lower=0) + 0.0,  # no -0.0
            "best_source": best.where((short > 0) & (best_yield > 0)),
            "per_image_there": best_yield,
            "images_there": extra.where(short > 0),
            "days_at_capacity": np.ceil(extra / self.capacity_per_day).where(short > 0),
        })
        frame.index.name = "class"
        return frame

    def summary(self) -> str:
        """One sentence per targeted class, in numbers.

        Returns
        -------
        str
            The sentences, joined.
        """
        lines = []
        for cls, row in self.to_frame().iterrows():
            if row["now"] >= row["target"]:
                lines.append(f"{cls}: {row['now']:,.0f} already meets the target of "
                             f"{row['target']:,.0f}.")
            elif not np.isnan(row["met_on_day"]):
                lines.append(f"{cls}: {row['now']:,.0f} now, the target of {row['target']:,.0f} "
                             f"is met on day {row['met_on_day']:.0f} of {self.days}.")
            elif np.isnan(row["images_there"]):
                lines.append(f"{cls}: no source yields it; the target of "
                             f"{row['target']:,.0f} needs a new source.")
            else:  # expected counts round down, shortfalls up: they add up to the target
                lines.append(
                    f"{cls}: {np.floor(row['expected_at_end']):,.0f} of {row['target']:,.0f} by "
                    f"day {self.days}, {row['short_by']:,.0f} short; "
                    f"{_plural(row['images_there'], 'more image')} from "
                    f"{row['best_source']!r} ({row['per_image_there']:.3g} per image) would "
                    f"close it, {_plural(row['days_at_capacity'], 'more day')} at "
                    f"{self.capacity_per_day:,} a day.")
        if (self.to_frame()["short_by"] > 0).any():
            lines.append(f"Meeting every target in {_plural(self.days, 'day')} needs "
                         f"{_plural(self.capacity_needed, 'image')} a day (now "
                         f"{self.capacity_per_day:,}).")
        return " ".join(lines)

    def __repr__(self) -> str:
        return (f"QuotaPlan({_plural(self.days, 'day')} at "
                f"{_plural(self.capacity_per_day, 'image')} a day): " + self.summary())


def _plural(n, noun: str) -> str:
    """'1 day', '2 days', '1,500 more images'."""
    return f"{n:,.0f} {noun}{'' if round(n) == 1 else 's'}"


def yields_from(catalog: Catalog, *, by: str | None = None, unit: str | None = None
                ) -> pd.DataFrame:
    """Per value of the condition ``by`` (None: the whole dataset as one source), the
    count of each class per image: what labelling one more image from there yields,
    if new images resemble the ones at hand.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    by : str, optional
        A condition column.
    unit : {"instances", "images"}, optional
        "instances" (the default when the data has boxes) or "images" (images containing
        the class: the share of images holding it).

    Returns
    -------
    pandas.DataFrame
        source x class, counts per image (fractions for images).
    """
    from workbench.measure import class_counts

    unit = unit or ("instances" if len(catalog.objects) else "images")
    if by is not None and by not in catalog.samples.columns:
        raise DataError(f"yields_from: this dataset has no column {by!r} to group sources "
                        f"by (conditions: {some(catalog.conditions)}).")
    counts = class_counts(catalog, unit=unit, by=by)
    images = class_counts(catalog, unit="images", by=by).sizes
    table = (counts.table / images.where(images > 0)).T.fillna(0.0)
    table.index = table.index.astype(str) if by is not None else pd.Index([POOL])
    table.index.name = "source"
    table.columns = table.columns.astype(str)
    table.columns.name = "class"
    return table


def _as_counts(counts) -> pd.Series:
    return per_class(counts, func="plan_quotas", whole=False)


def _fewest_images(yields: pd.DataFrame, need: pd.Series) -> pd.Series:
    """Images per source that meet ``need`` (per class) in expectation with the fewest
    images in all; classes no source yields are left out."""
    from scipy.optimize import linprog

    need = need[(need > 0) & (yields[need.index].max() > 0)]
    if not len(need):
        return pd.Series(0.0, index=yields.index)
    Y = yields[need.index].to_numpy()  # source x class
    fit = linprog(np.ones(len(yields)), A_ub=-Y.T, b_ub=-need.to_numpy(), bounds=(0, None),
                  method="highs")
    return pd.Series(fit.x, index=yields.index)


def _as_yields(yields, classes: pd.Index) -> pd.DataFrame:
    table = yields.to_frame(POOL).T if isinstance(yields, pd.Series) else pd.DataFrame(yields)
    table = table.astype(float)
    table.columns = table.columns.astype(str)
    table.index = table.index.astype(str)
    missing = sorted(set(classes) - set(table.columns))
    if missing:
        raise ValueError(f"The yields name no source rate for {some(missing)}; give every "
                         "class a column (0 where a source never yields it).")
    if (table < 0).to_numpy().any() or table.isna().to_numpy().any():
        raise ValueError("Yields must be numbers >= 0 (instances per image labelled).")
    return table[list(classes)]


def plan_quotas(counts, *, targets: Mapping[str, float], capacity_per_day: int | str, days: int,
                yields=None, unit: str | None = None, by: str | None = None) -> QuotaPlan:
    """Images to label per source per day so that each class reaches its target.

    Each day the plan labels, at most at capacity, the mix of sources that meets every
    remaining target with the fewest images; it labels nothing once all are met.

    Parameters
    ----------
    counts : mapping, Series, ClassCounts or Catalog
        Per-class counts now; or a Catalog: then the counts and the yields (per value of
        the condition ``by``) are measured from it.
    targets : mapping of str to float
        Class -> the count to reach. Classes without a target are counted as they come.
    capacity_per_day : int or "auto"
        Images the annotation team labels a day; "auto": the fewest that meet every
        target a source yields within ``days``.
    days : int
        The horizon.
    yields : pandas.DataFrame or Series, optional
        Source x class, the count of each class per image labelled from that source (a
        Series: one source). See :func:`yields_from`.
    unit : {"instances", "images"}, optional
        With a Catalog, what is counted (default instances when it has boxes).
    by : str, optional
        With a Catalog, the condition whose values are the sources; "auto" the one
        :func:`workbench.collect.where_to_collect` routes by (None if the data has none).

    Returns
    -------
    QuotaPlan
        Images per day and source, the expected counts per day, the day each target is met.

    Examples
    --------
    >>> y = pd.DataFrame({"crack": [0.1, 0.0], "dent": [0.0, 0.2]}, index=["night", "day"])
    >>> plan = plan_quotas({"crack": 10, "dent": 0}, targets={"crack": 40, "dent": 40},
    ...                    capacity_per_day=100, days=7, yields=y)
    >>> plan.images.loc[1].to_dict(), plan.met_on.to_dict()
    ({'night': 60, 'day': 40}, {'crack': 5, 'dent': 5})
    """
    if isinstance(counts, Catalog):
        catalog = counts
        if by == "auto":  # the condition where_to_collect routes by, if the data has one
            from workbench.collect.where import chosen_condition

            by = chosen_condition(catalog, unit or "images")
        yields = yields_from(catalog, by=by, unit=unit) if yields is None else yields
        from workbench.measure import class_counts

        unit = unit or ("instances" if len(catalog.objects) else "images")
        counts = class_counts(catalog, unit=unit).total
    elif yields is None:
        raise ValueError("plan_quotas needs `yields` (per source, each class per image "
                         "labelled) when given counts; pass a Catalog to measure them, or "
                         "collect.yields_from(catalog, by=condition).")
    if capacity_per_day == "auto":  # the fewest images a day that meet every target in time
        need = pd.Series(targets, dtype=float) - _as_counts(counts)[list(targets)]
        total = _fewest_images(_as_yields(yields, _as_counts(counts).index), need).sum()
        capacity_per_day = max(1, int(np.ceil(total / days - 1e-9)))
    for name, value in (("capacity_per_day", capacity_per_day), ("days", days)):
        if not float(value).is_integer() or value < 1:
            raise ValueError(f"The {name!r} parameter of plan_quotas must be an integer >= 1. "
                             f"Got {value!r} instead.")
    capacity_per_day, days = int(capacity_per_day), int(days)
    now = _as_counts(counts)
    goal = _as_counts(targets)
    unknown = sorted(set(goal.index) - set(now.index))
    if unknown:
        raise ValueError(f"targets name {some(unknown)}, which are not among the counted "
                         f"classes ({some(now.index, n=20)}).")
    table = _as_yields(yields, now.index)
    expected = [now.to_numpy()]
    images = []
    for _ in range(days):
        need = goal - pd.Series(expected[-1], index=now.index)[goal.index]
        mix = _fewest_images(table, need)
        total = mix.sum()
        if total <= capacity_per_day:  # the last day of work: enough of each source
            today = np.ceil(mix.to_numpy() - 1e-9).astype(int)
        else:
            from workbench.apportion import largest_remainder

            today = largest_remainder(mix.to_numpy(), capacity_per_day)
        images.append(today)
        expected.append(expected[-1] + today @ table.to_numpy())
    days_index = pd.RangeIndex(0, days + 1, name="day")
    return QuotaPlan(
        images=pd.DataFrame(images, index=days_index[1:],
                            columns=pd.Index(table.index, name="source")),
        expected=pd.DataFrame(expected, index=days_index, columns=now.index),
        targets=goal, yields=table, capacity_per_day=capacity_per_day, days=days,
        unit=unit or "instances")
