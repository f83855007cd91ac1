"""Where to collect: per rare class, which condition values yield it most per image, how
many images each would take to reach the target, and which strata are under-represented.

The lesson on class imbalance in computer vision: "route collection to conditions where
minorities occur". A rate measured on the data at hand has an interval, so does the
number of images it implies: a Wilson interval for "images containing the class", an
exact Poisson (Garwood) interval for instances per image.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from workbench.catalog import Catalog
from workbench.errors import Lacks, some
from workbench.evaluate.intervals import CONFIDENCE, wilson_interval


def poisson_rate_interval(count, exposure, *, confidence: float = CONFIDENCE):
    """The exact (Garwood) interval of a Poisson rate: ``count`` events in ``exposure``
    units (here instances in images).

    Parameters
    ----------
    count : array of int
        Events (instances).
    exposure : array of float
        Units (images).
    confidence : float
        Coverage (0.95: 95%).

    Returns
    -------
    low, high : numpy.ndarray of float
        Rates per unit.

    Examples
    --------
    >>> low, high = poisson_rate_interval(np.array([0, 10]), np.array([100, 100]))
    >>> np.round(low, 4).tolist(), np.round(high, 4).tolist()
    ([0.0, 0.048], [0.0369, 0.1839])
    """
    count = np.asarray(count, dtype=float)
    exposure = np.asarray(exposure, dtype=float)
    alpha = 1 - confidence
    low = np.where(count > 0, stats.chi2.ppf(alpha / 2, 2 * count) / 2, 0.0)
    high = stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    return low / exposure, high / exposure


def collection_unit(catalog: Catalog) -> str:
    """What a collection target counts: instances when the data has boxes, else images
    holding the class.

    Parameters
    ----------
    catalog : Catalog
        Any task.

    Returns
    -------
    str
        "instances" or "images".
    """
    return "instances" if len(catalog.objects) else "images"


def rare_classes(counts: pd.Series, *, background: str | None = None, n: int = 3) -> list[str]:
    """The classes below the median count (background left out), rarest first, at most
    ``n``; the rarest one when none is below the median.

    Parameters
    ----------
    counts : pandas.Series
        Count per class; classes with 0 are left out.
    background : str, optional
        The background class.
    n : int
        Most classes returned.

    Returns
    -------
    list of str
        Class names.

    Examples
    --------
    >>> rare_classes(pd.Series({"a": 500, "b": 40, "c": 90, "d": 700, "e": 5}))
    ['e', 'b']
    """
    counts = counts.drop(index=[background], errors="ignore")
    counts = counts[counts > 0].sort_values(kind="stable")
    below = counts[counts < counts.median()]
    return (below if len(below) else counts.iloc[:1]).index[:n].astype(str).tolist()


def default_targets(counts: pd.Series, classes: Sequence[str], *, multiplier: float = 2.0
                    ) -> pd.Series:
    """``multiplier`` times the current count of each of ``classes`` (rounded up).

    Parameters
    ----------
    counts : pandas.Series
        Count per class.
    classes : sequence of str
        The classes to target.
    multiplier : float
        Target as a multiple of the count.

    Returns
    -------
    pandas.Series of int
        Named "target".
    """
    return np.ceil(counts[list(classes)] * multiplier).astype(int).rename("target")


@dataclass(frozen=True)
class WhereToCollect:
    """``rates``: per (class, condition value) the images there, the class's count and
    its rate per image with an interval, and the images to collect there to reach the
    target (with an interval). ``gaps``: the under-represented (class, value) cells of
    the hidden-imbalance test, with the images there that would close the gap to what
    independence expects."""

    condition: str
    unit: str
    rates: pd.DataFrame
    gaps: pd.DataFrame
    targets: pd.Series

    def to_frame(self) -> pd.DataFrame:
        """The rates table.

        Returns
        -------
        pandas.DataFrame
            One row per (class, value): images, count, rate per image with its interval, now,
            target and the images needed (with bounds).
        """
        return self.rates

    def best(self) -> pd.DataFrame:
        """Per class, the value that yields it most per image.

        Returns
        -------
        pandas.DataFrame
            Rows of :meth:`to_frame`, one per targeted class, rarest first.
        """
        ranked = self.rates.sort_values("rate", ascending=False, kind="stable")
        best = ranked.groupby("class", sort=False).head(1).set_index("class")
        return best.loc[list(self.targets.index)]  # rarest first, as planned

    def summary(self) -> str:
        """Per class: where to collect and what it costs; then each under-represented
        stratum and what closing it takes.

        Returns
        -------
        str
            One line per class and per gap.
        """
        per = "per image" if self.unit == "images" else "instances per image"
        lines = []
        for cls, row in self.best().iterrows():
            others = self.rates[(self.rates["class"] == cls) &
                                (self.rates["value"] != row["value"])]
            worst = others.sort_values("rate").head(1)
            compare = (f", against {worst['rate'].iloc[0]:.3f} at {worst['value'].iloc[0]!r}"
                       if len(worst) else "")
            lines.append(
                f"{cls}: {self.condition} = {row['value']!r} yields it most, {row['rate']:.3f} "
                f"{per} ({row['rate_low']:.3f}-{row['rate_high']:.3f}){compare}; reaching "
                f"{self.targets[cls]:,} from {row['now']:,} takes about "
                f"{_count(row['images_needed'])} images there "
                f"({_count(row['needed_low'])}-{_count(row['needed_high'])}).")
        for gap in self.gaps.itertuples():
            lines.append(
                f"Under-represented: {gap[1]} at {self.condition} = {gap[2]!r} has "
                f"{gap.count:,} where independence expects {gap.expected:,.0f}; closing the gap "
                f"takes about {_count(gap.images_to_close)} images there "
                f"({_count(gap.close_low)}-{_count(gap.close_high)}) at its rate of "
                f"{gap.rate:.3f}" + (" - too rare there to close by volume: look for it on "
                                     "purpose (a targeted search, not more of the same)."
                                     if not np.isfinite(gap.images_to_close)
                                     or gap.images_to_close > gap.images else "."))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"WhereToCollect(by {self.condition!r}, {self.unit})\n{self.summary()}"


def _count(value: float) -> str:
    return f"{value:,.0f}" if np.isfinite(value) else "no finite number of"


def chosen_condition(catalog: Catalog, unit: str) -> str | None:
    """The condition where imbalance hides most (None when the data has none).

    Parameters
    ----------
    catalog : Catalog
        Any task.
    unit : str
        The unit of the collection (pixels are tested as images).

    Returns
    -------
    str or None
        The condition's column name.
    """
    from workbench.measure import condition_overview

    overview = condition_overview(catalog, unit="images" if unit == "pixels" else unit)
    return str(overview["condition"].iloc[0]) if len(overview) else None


def _chosen_condition(catalog: Catalog, unit: str) -> str:
    condition = chosen_condition(catalog, unit)
    if condition is None:
        raise Lacks("This dataset has no condition with two or more values, so there is no "
                    "'where' to compare; add one (time of day, site, camera) or derive them "
                    "with measure.derived_conditions.")
    return condition


def where_to_collect(catalog: Catalog, *, condition: str | None = None,
                     classes: Sequence[str] | None = None,
                     targets: Mapping[str, int] | None = None, unit: str | None = None,
                     confidence: float = CONFIDENCE) -> WhereToCollect:
    """Per rare class and condition value: the rate per image, and the images to collect
    there to reach the target.

    Parameters
    ----------
    catalog : Catalog
        Any task, with a condition column.
    condition : str, optional
        A condition column; None takes the one where imbalance hides most (the first of
        ``measure.condition_overview``).
    classes : sequence of str, optional
        The classes to plan for; None the rare ones (:func:`rare_classes`).
    targets : mapping of str to int, optional
        Class -> count to reach; None twice the current count.
    unit : {"instances", "images"}, optional
        "instances" (default with boxes) or "images" (images containing the class).
    confidence : float
        Coverage of the rate intervals (Wilson for images, Poisson for instances).

    Returns
    -------
    WhereToCollect
        The rates, the under-represented strata (gaps) and the targets.
    """
    from workbench.measure import class_counts, hidden_imbalance

    unit = unit or collection_unit(catalog)
    condition = condition or _chosen_condition(catalog, unit)
    if condition not in catalog.samples.columns:
        raise Lacks(f"This dataset has no condition {condition!r} (conditions: "
                    f"{some(catalog.conditions) or 'none'}).")
    counts = class_counts(catalog, unit=unit, by=condition)
    total = counts.total
    classes = list(classes) if classes is not None else rare_classes(
        total, background=catalog.background)
    unknown = sorted(set(classes) - set(total.index.astype(str)))
    if unknown:
        raise ValueError(f"classes names {some(unknown)}, not classes of this dataset "
                         f"({some(total.index, n=20)}).")
    goal = (pd.Series(dict(targets), dtype=int) if targets is not None
            else default_targets(total.rename(index=str), classes))
    images = class_counts(catalog, unit="images", by=condition).sizes
    table = counts.table.loc[classes]
    k = table.to_numpy().astype(float)
    n = np.broadcast_to(images.to_numpy().astype(float), k.shape)
    low, high = (wilson_interval(k, n, confidence=confidence) if unit == "images"
                 else poisson_rate_interval(k, n, confidence=confidence))
    rate = np.divide(k, n, out=np.zeros_like(k), where=n > 0)
    need = (goal[classes].to_numpy() - total[classes].to_numpy())[:, None].clip(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = pd.DataFrame({
            "class": np.repeat(classes, k.shape[1]),
            "value": np.tile(table.columns.astype(str), len(classes)),
            "images": n.ravel().astype(int), "count": k.ravel().astype(int),
            "rate": rate.ravel(), "rate_low": low.ravel(), "rate_high": high.ravel(),
            "now": np.repeat(total[classes].to_numpy(), k.shape[1]),
            "target": np.repeat(goal[classes].to_numpy(), k.shape[1]),
            "images_needed": np.ceil(need / rate).ravel(),
            "needed_low": np.ceil(need / high).ravel(),
            "needed_high": np.ceil(need / low).ravel(),
        })
    hidden = hidden_imbalance(catalog, condition, unit=unit)
    flagged = hidden.flagged().reset_index()
    flagged = flagged[flagged["class"].astype(str).isin(classes)]
    gaps = flagged[["class", condition, "count", "expected", "residual"]].copy()
    gaps.columns = ["class", "value", "count", "expected", "residual"]
    gaps["class"] = gaps["class"].astype(str)
    gaps["value"] = gaps["value"].astype(str)
    merged = gaps.merge(rates[["class", "value", "images", "rate", "rate_low", "rate_high"]],
                        on=["class", "value"], how="left")
    short = (merged["expected"] - merged["count"]).clip(lower=0).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        merged["images_to_close"] = np.ceil(short / merged["rate"].to_numpy())
        merged["close_low"] = np.ceil(short / merged["rate_high"].to_numpy())
        merged["close_high"] = np.ceil(short / merged["rate_low"].to_numpy())
    return WhereToCollect(condition=condition, unit=unit, rates=rates, gaps=merged,
                          targets=goal[classes])
