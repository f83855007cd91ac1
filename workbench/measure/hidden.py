"""Hidden imbalance: a class's mix across a condition (day/night, camera) against
everyone's, with a chi-square test and adjusted residuals."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from workbench.catalog import Catalog
from workbench.errors import (
    DataError,
    Lacks,
    some,
)
from workbench.measure.counts import class_counts


@dataclass(frozen=True)
class HiddenImbalance:
    """How each class is spread over the values of one condition.

    ``observed`` is class x stratum counts; ``expected`` what independence would give;
    ``residuals`` the adjusted standardised residuals (about N(0, 1) when class and
    condition are independent). A cell is flagged under-represented when its residual is
    below ``-threshold``.
    """

    condition: str
    unit: str
    observed: pd.DataFrame
    expected: pd.DataFrame
    residuals: pd.DataFrame
    chi2: float
    p_value: float
    dof: int
    threshold: float = 1.96
    notes: tuple[str, ...] = field(default=())

    def __repr__(self) -> str:
        return (f"HiddenImbalance({self.condition}: {self.observed.shape[0]} classes x "
                f"{self.observed.shape[1]} values, p = {self.p_value:.2g}, "
                f"{len(self.flagged())} cells under-represented)")

    def to_frame(self) -> pd.DataFrame:
        """One row per (class, stratum): counts, the class's mix and the overall mix.

        Returns
        -------
        pandas.DataFrame
            Indexed by (class, value): ``count`` and ``expected`` in the unit, ``class_mix`` and
            ``overall_mix`` (fractions), ``residual``, ``under_represented``.
        """
        stratum_share = self.observed.div(self.observed.sum(axis=1), axis=0)
        overall = self.observed.sum(axis=0) / self.observed.to_numpy().sum()
        frame = pd.DataFrame({
            "count": self.observed.stack(),
            "expected": self.expected.stack(),
            "class_mix": stratum_share.stack(),
            "overall_mix": pd.DataFrame(
                np.broadcast_to(overall.to_numpy(), self.observed.shape),
                index=self.observed.index, columns=self.observed.columns).stack(),
            "residual": self.residuals.stack(),
        })
        frame["under_represented"] = frame["residual"] < -self.threshold
        frame.index.names = ["class", self.condition]
        return frame

    def flagged(self) -> pd.DataFrame:
        """The under-represented (class, stratum) cells, most extreme first.

        Returns
        -------
        pandas.DataFrame
            Rows of :meth:`to_frame` with ``under_represented``, by residual.
        """
        frame = self.to_frame()
        return frame[frame["under_represented"]].sort_values("residual")


def hidden_imbalance(catalog: Catalog, condition: str, *, unit: str = "images",
                     threshold: float = 1.96) -> HiddenImbalance:
    """Test whether classes are spread over ``condition`` like everything else.

    A chi-square test of independence (scipy) on the class x condition table, with the
    adjusted standardised residuals ``(O - E) / sqrt(E (1 - row share)(1 - column share))``
    to say which cells depart. Images with several classes count once per class, so for
    detection and segmentation the test is approximate. With ``unit="instances"`` the
    condition may be a per-box column, such as the COCO ``size`` that
    :func:`derived_conditions` gives each box ("platelets are all small").

    Parameters
    ----------
    catalog : Catalog
        Any task.
    condition : str
        A column of ``catalog.samples`` with two or more values (lighting, camera, split).
    unit : {"images", "instances", "pixels"}
        What is counted in each cell.
    threshold : float
        Cells with an adjusted residual below ``-threshold`` are flagged (1.96: 5%).

    Returns
    -------
    HiddenImbalance
        Observed and expected counts (class x value), adjusted residuals, the chi-square
        test's p-value, and :meth:`HiddenImbalance.flagged`.
    """
    per_box = unit == "instances" and condition in catalog.objects.columns
    if condition not in catalog.samples.columns and not per_box:
        if condition == "size" and unit == "instances":
            raise Lacks("Boxes have no size class yet: run measure.derived_conditions first.")
        raise DataError(
            f"{condition!r} is not a column of the samples; conditions: "
            f"{some(catalog.conditions) or 'none'}."
        )
    counts = class_counts(catalog, unit=unit, by=condition).table
    if counts.shape[1] < 2:
        raise Lacks(
            f"The condition {condition!r} has a single value ({some(counts.columns)}), so "
            "there is nothing to compare. Pick a condition with at least two values."
        )
    observed = counts.loc[counts.sum(axis=1) > 0, counts.sum(axis=0) > 0]
    if observed.shape[1] < 2:
        raise Lacks(
            f"Only one value of {condition!r} has any {unit} ({some(observed.columns)}), so "
            "there is nothing to compare."
        )
    if len(observed) < 2:
        raise Lacks("Fewer than two classes have examples; nothing to compare.")
    chi2, p_value, dof, expected = stats.chi2_contingency(observed.to_numpy(), correction=False)
    total = observed.to_numpy().sum()
    row = observed.sum(axis=1).to_numpy()[:, None] / total
    col = observed.sum(axis=0).to_numpy()[None, :] / total
    residuals = (observed.to_numpy() - expected) / np.sqrt(expected * (1 - row) * (1 - col))
    notes = []
    low = (expected < 5).mean()
    if low > 0.2:
        notes.append(f"{low:.0%} of the expected counts are below 5: the chi-square p-value is "
                     "approximate; read the residuals with care.")
    frame = lambda a: pd.DataFrame(a, index=observed.index, columns=observed.columns)  # noqa: E731
    return HiddenImbalance(condition=condition, unit=unit, observed=observed,
                           expected=frame(expected), residuals=frame(residuals),
                           chi2=float(chi2), p_value=float(p_value), dof=int(dof),
                           threshold=threshold, notes=tuple(notes))


def condition_overview(catalog: Catalog, *, unit: str = "images") -> pd.DataFrame:
    """For each condition: chi-square, p-value and the most under-represented class.

    The data's own conditions come first, by p-value (the first row is where imbalance
    hides most), then the derived ones (``derived`` True), by p-value: pixel statistics
    follow what is in the image (a crack adds edges), so a class can depart from them by
    its own doing, and they stand in only where the data has no condition. Conditions
    with a single value are left out.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    unit : {"images", "instances", "pixels"}
        What the tests count.

    Returns
    -------
    pandas.DataFrame
        One row per condition: condition, derived, chi2, dof, p_value,
        most_under_represented ("class @ value"), residual, flagged_cells.
    """
    rows = []
    for condition in catalog.conditions:
        if catalog.samples[condition].nunique(dropna=False) < 2:
            continue
        try:
            h = hidden_imbalance(catalog, condition, unit=unit)
        except DataError:  # fewer than two values or classes with any unit: nothing to test
            continue
        worst = h.residuals.stack().idxmin()
        rows.append({"condition": condition, "derived": condition in catalog.derived,
                     "chi2": h.chi2, "dof": h.dof,
                     "p_value": h.p_value, "most_under_represented": f"{worst[0]} @ {worst[1]}",
                     "residual": float(h.residuals.loc[worst]),
                     "flagged_cells": int((h.residuals < -h.threshold).to_numpy().sum())})
    columns = ["condition", "derived", "chi2", "dof", "p_value", "most_under_represented",
               "residual", "flagged_cells"]
    table = pd.DataFrame(rows, columns=columns).astype({"derived": bool})
    return table.sort_values(["derived", "p_value"], kind="stable").reset_index(drop=True)
