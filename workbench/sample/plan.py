"""The resampling plan: how many times each class is seen per epoch, within a cap and a
floor."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.apportion import round_to_total, water_level
from workbench.errors import DataError, check_integer, some
from workbench.tally import per_class


@dataclass(frozen=True)
class ResamplingPlan:
    """How many times each class is seen in one epoch.

    ``count`` is the original number of samples per class, ``effective`` the number
    drawn per epoch, ``multiplier`` their ratio, ``binding`` which limit holds the
    class back: "cap" (``count * max_oversample``), "floor" (``count * min_keep``) or
    "none" (the class is at the common, balanced level).
    """

    count: pd.Series
    effective: pd.Series
    binding: pd.Series
    max_oversample: float
    min_keep: float
    priority: pd.Series

    def __repr__(self) -> str:
        return (f"ResamplingPlan({len(self.count)} classes, {int(self.count.sum()):,} -> "
                f"{self.total:,} per epoch, max {self.max_oversample:g}x)")

    @property
    def multiplier(self) -> pd.Series:
        return (self.effective / self.count).rename("multiplier")

    @property
    def total(self) -> int:
        return int(self.effective.sum())

    def to_frame(self) -> pd.DataFrame:
        """Per class, largest first: ``count``, ``effective``, ``multiplier``, ``binding``
        (and priority).

        Returns
        -------
        pandas.DataFrame
            Indexed by class; counts in samples (images), ``multiplier`` a ratio.
        """
        frame = pd.DataFrame({"count": self.count, "effective": self.effective,
                              "multiplier": self.multiplier, "binding": self.binding,
                              "priority": self.priority})
        frame.index.name = "class"
        return frame.sort_values("count", ascending=False, kind="stable")

    def to_json(self, path=None) -> str:
        """The plan as JSON (written to ``path`` when given).

        Parameters
        ----------
        path : str or Path, optional
            A file to write the JSON to.

        Returns
        -------
        str
            The JSON text.
        """
        text = json.dumps({
            "max_oversample": self.max_oversample, "min_keep": self.min_keep,
            "classes": {str(c): {"count": int(self.count[c]), "effective": int(self.effective[c]),
                                 "binding": str(self.binding[c]),
                                 "priority": float(self.priority[c])} for c in self.count.index},
        }, indent=1)
        if path is not None:
            Path(path).write_text(text)
        return text

    @classmethod
    def from_json(cls, text: str) -> ResamplingPlan:
        """The plan written by :meth:`to_json` (the JSON text).

        Parameters
        ----------
        text : str
            The JSON text, not a path (:meth:`read_json` reads a file).

        Returns
        -------
        ResamplingPlan
            The plan as written.
        """
        try:
            data = json.loads(text)
            frame = pd.DataFrame(data["classes"]).T
            frame[["count", "effective", "binding", "priority"]]
        except (json.JSONDecodeError, TypeError, KeyError) as err:
            raise DataError(
                f"This is not a resampling plan written by ResamplingPlan.to_json ({err}); "
                f"it starts {str(text)[:60]!r}. Pass the JSON text itself (read_json takes "
                "a file)."
            ) from None
        return cls(count=frame["count"].astype("int64"), effective=frame["effective"]
                   .astype("int64"), binding=frame["binding"].astype(str),
                   max_oversample=data["max_oversample"], min_keep=data["min_keep"],
                   priority=frame["priority"].astype(float))

    @classmethod
    def read_json(cls, path) -> ResamplingPlan:
        """The plan from a file written by ``to_json(path)``.

        Parameters
        ----------
        path : str or Path
            The JSON file.

        Returns
        -------
        ResamplingPlan
            The plan as written.
        """
        return cls.from_json(Path(path).read_text())


def feasible_totals(counts: pd.Series, *, max_oversample: float, min_keep: float
                    ) -> tuple[int, int]:
    """The smallest and largest epoch sizes the limits allow.

    Parameters
    ----------
    counts : pandas.Series
        Samples (images) per class.
    max_oversample : float
        A class is drawn at most this many times its count.
    min_keep : float
        A class keeps at least this fraction of its count.

    Returns
    -------
    lo, hi : int
        The smallest and largest number of samples per epoch.
    """
    lo = np.ceil(counts.to_numpy() * min_keep - 1e-9).astype(np.int64)
    hi = np.floor(counts.to_numpy() * max_oversample + 1e-9).astype(np.int64)
    return int(lo.sum()), int(hi.sum())


def plan_resampling(labels_or_counts, *, total: int | None = None, max_oversample: float = 5.0,
                    min_keep: float = 0.0, priority: Mapping[str, float] | None = None
                    ) -> ResamplingPlan:
    """As balanced as the limits allow, with ``total`` samples per epoch.

    Every class gets the same effective count (times its ``priority``, default 1)
    unless its cap (``count * max_oversample``) or its floor (``count * min_keep``)
    binds. The counts sum to ``total`` (default: the original total) exactly, rounded by
    largest remainder within the limits.

    Parameters
    ----------
    labels_or_counts : labels, mapping, Series or ClassCounts
        One label (sampling key) per image, or images per class
        (:func:`workbench.tally.per_class`); every class needs at least one.
    total : int, optional
        Samples (images) per epoch; default the number of images.
    max_oversample : float
        A class is drawn at most this many times its images (>= 1).
    min_keep : float
        A class keeps at least this share of its images per epoch, in [0, 1].
    priority : mapping class -> float, optional
        Relative weights (> 0) before the limits apply; 2 gives a class twice the share.

    Returns
    -------
    ResamplingPlan
        Per class: images (``count``), draws per epoch (``effective``), which limit
        binds, and the priority.

    Examples
    --------
    >>> plan = plan_resampling({"Car": 6000, "Pedestrian": 2500, "Bicycle": 1200,
    ...                         "Wheelchair": 300}, total=8000, max_oversample=5)
    >>> plan.effective.tolist(), plan.binding.tolist()
    ([2167, 2167, 2166, 1500], ['none', 'none', 'none', 'cap'])
    """
    if not (isinstance(max_oversample, (int, float, np.number)) and 1 <= max_oversample
            and np.isfinite(max_oversample)):
        raise ValueError(f"The 'max_oversample' parameter of plan_resampling must be a finite "
                         f"number >= 1 (no cap: a large number such as 100). Got "
                         f"{max_oversample!r} instead.")
    if not 0 <= min_keep <= 1:
        raise ValueError(f"The 'min_keep' parameter of plan_resampling must be in [0, 1]. "
                         f"Got {min_keep!r} instead.")
    counts = per_class(labels_or_counts, func="plan_resampling", empty="error")
    weights = pd.Series(1.0, index=counts.index)
    if priority:
        unknown = [c for c in priority if str(c) not in counts.index]
        if unknown:
            raise DataError(f"Priority for unknown classes {some(unknown)}; classes: "
                            f"{some(counts.index, n=20)}.")
        bad = {c: w for c, w in priority.items() if not w > 0}
        if bad:
            raise ValueError(f"Priorities must be positive; got {bad}.")
        for c, w in priority.items():
            weights[str(c)] = float(w)
    total = int(counts.sum()) if total is None else total
    check_integer("total", total, least=1, func="plan_resampling")
    lo_total, hi_total = feasible_totals(counts, max_oversample=max_oversample,
                                         min_keep=min_keep)
    if not lo_total <= total <= hi_total:
        raise DataError(
            f"No plan draws {total:,} samples per epoch within max_oversample={max_oversample:g} "
            f"and min_keep={min_keep:g}: the feasible totals are {lo_total:,} to {hi_total:,}. "
            "Choose a total in that range or relax the limits."
        )
    n = counts.to_numpy()
    lo = np.ceil(n * min_keep - 1e-9)
    hi = np.floor(n * max_oversample + 1e-9)
    w = weights.to_numpy()
    level = water_level(w, lo, hi, total)
    exact = np.clip(w * level, lo, hi)
    effective = round_to_total(exact, total, lo=lo.astype(np.int64), hi=hi.astype(np.int64))
    binding = np.where(effective >= hi, "cap", np.where(effective <= lo, "floor", "none"))
    return ResamplingPlan(
        count=counts.astype("int64").rename("count"),
        effective=pd.Series(effective, index=counts.index, name="effective"),
        binding=pd.Series(binding, index=counts.index, name="binding"),
        max_oversample=float(max_oversample), min_keep=float(min_keep),
        priority=weights.rename("priority"),
    )
