"""The data-health checklist for imbalance, as pass / warn / fail rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import (
    DataError,
    Missing,
    check_integer,
    some,
)
from workbench.measure.counts import (
    class_counts,
    default_unit,
    share_gaps,
    split_shares,
    unlabelled_images,
)
from workbench.measure.hidden import HiddenImbalance

STATUSES = ("pass", "warn", "fail")


@dataclass(frozen=True)
class Checklist:
    """The data-health checklist: one row per check (and subject), pass / warn / fail."""

    rows: pd.DataFrame

    def __repr__(self) -> str:
        counts = self.statuses()
        return (f"Checklist({len(self.rows)} checks: {counts['pass']} pass, {counts['warn']} "
                f"warn, {counts['fail']} fail)")

    def to_frame(self) -> pd.DataFrame:
        """The checklist's rows.

        Returns
        -------
        pandas.DataFrame
            One row per check and subject: status, value and reason.
        """
        return self.rows

    @property
    def worst(self) -> str:
        """The worst status in the checklist."""
        return max(self.rows["status"], key=STATUSES.index)

    def statuses(self) -> dict[str, int]:
        """How many checks pass, warn and fail.

        Returns
        -------
        dict of str to int
            Number of rows per status: "pass", "warn", "fail".
        """
        return {s: int((self.rows["status"] == s).sum()) for s in STATUSES}


def health_checklist(catalog: Catalog, *, unit: str | None = None, min_warn: int = 50,
                     min_ok: int = 100, critical: Iterable[str] = (),
                     critical_target: int | None = None, max_split_gap: float = 0.05,
                     fail_split_gap: float = 0.10,
                     hidden: HiddenImbalance | None = None) -> Checklist:
    """The data-health checklist for imbalance (the imbalance lesson's quick checklist).

    Checks: per-class counts per split exist; each class's share is preserved across
    splits (largest share gap between any two splits: pass <= ``max_split_gap``, warn
    <= ``fail_split_gap``); every class has at least ``min_ok`` examples (warn from
    ``min_warn``, fail below it); every class appears in every split; each ``critical``
    class reaches ``critical_target`` (default ``min_ok``); with ``hidden`` (a
    :class:`HiddenImbalance`, over a data or derived condition), whether a class is
    missing under that condition (warn when the test is significant at 5%).

    Parameters
    ----------
    catalog : Catalog
        Any task.
    unit : {"images", "instances", "pixels"}, optional
        Default: the task's own (:func:`default_unit`).
    min_warn, min_ok : int
        Examples per class from which a class warns, and passes (>= 1, min_warn <= min_ok).
    critical : iterable of str
        Classes that must reach ``critical_target`` examples.
    critical_target : int, optional
        Examples each critical class needs; default ``min_ok``.
    max_split_gap, fail_split_gap : float
        Largest share gap between two splits that passes, and that warns (fractions).
    hidden : HiddenImbalance, optional
        The hidden-imbalance test to report; none without it.

    Returns
    -------
    Checklist
        One row per check and subject: status (pass, warn, fail), value and reason.
    """
    unit = unit or default_unit(catalog)
    critical = _check_limits(catalog, min_warn, min_ok, critical)
    total = class_counts(catalog, unit=unit).total
    target = critical_target if critical_target is not None else min_ok
    rows = [
        *_split_rows(catalog, unit, max_split_gap, fail_split_gap),
        *_unlabelled_rows(catalog),
        *_loader_rows(catalog),
        *_minimum_rows(total, unit, min_warn, min_ok),
        *_critical_rows(total, unit, critical, target),
        *_hidden_rows(hidden),
    ]
    return Checklist(pd.DataFrame(rows, columns=COLUMNS))


COLUMNS = ["check", "subject", "status", "value", "reason"]


def _row(check: str, subject: str, status: str, value, reason: str) -> dict:
    return dict(zip(COLUMNS, (check, subject, status, value, reason), strict=True))


def _check_limits(catalog: Catalog, min_warn, min_ok, critical) -> list[str]:
    for name, value in [("min_warn", min_warn), ("min_ok", min_ok)]:
        check_integer(name, value, least=1, func="health_checklist")
    if min_warn > min_ok:
        raise ValueError(f"min_warn ({min_warn}) must not exceed min_ok ({min_ok}).")
    critical = list(critical)
    unknown = [c for c in critical if c not in catalog.classes]
    if unknown:
        raise DataError(
            f"Critical classes {some(unknown)} are not classes of this dataset; classes: "
            f"{some(catalog.classes, n=20)}."
        )
    return critical


def _split_rows(catalog: Catalog, unit: str, max_gap: float, fail_gap: float) -> list[dict]:
    """Counted per split; shares kept across splits; every class in every split."""
    if "split" not in catalog.samples.columns:
        return [_row("per-class counts per split", "all", "warn", 0,
                     "no split column yet: split the data (notebook 02) and count each split")]
    table = class_counts(catalog, unit=unit, by="split").table
    rows = [_row("per-class counts per split", "all", "pass", len(table.columns),
                 f"counted in {len(table.columns)} splits: {', '.join(table.columns)}")]
    gap = share_gaps(split_shares(catalog).fillna(0))  # split_report's, in images
    worst = gap.idxmax()
    status = "pass" if gap.max() <= max_gap else "warn" if gap.max() <= fail_gap else "fail"
    rows.append(_row("split proportions preserved", str(worst), status,
                     round(float(gap.max()), 4),
                     f"largest share gap between splits is {gap.max():.1%} ({worst}); "
                     f"pass <= {max_gap:.0%}, warn <= {fail_gap:.0%}"))
    missing = table == 0
    for cls in table.index[missing.any(axis=1)]:
        absent = [s for s in table.columns if missing.loc[cls, s]]
        rows.append(_row("class present in every split", str(cls), "fail", 0,
                         f"no {unit} of {cls} in {', '.join(absent)}: its metrics there are "
                         "undefined"))
    if not missing.any().any():
        rows.append(_row("class present in every split", "all", "pass", 0,
                         "every class in every split"))
    return rows


def _unlabelled_rows(catalog: Catalog) -> list[dict]:
    """Images with no class: a gap in classification, negatives in detection."""
    unlabelled = unlabelled_images(catalog)
    if not len(unlabelled):
        return []
    if catalog.task == "classification":
        return [_row("every image has a class", "all", "warn", len(unlabelled),
                     f"{len(unlabelled)} images have no label (e.g. {some(unlabelled, n=3)}): "
                     "they count in no class; label them or drop them")]
    what = "box" if catalog.task == "detection" else "labelled pixel"
    return [_row("images with no object (negatives)", "all", "pass", len(unlabelled),
                 f"{len(unlabelled)} images hold no {what} (e.g. {some(unlabelled, n=3)}): "
                 "background examples, kept; they teach the model what is not an object")]


def _loader_rows(catalog: Catalog) -> list[dict]:
    """What the loader skipped, clipped or flagged, one row per kind."""
    return [_row("what the loader found", problem, "warn", len(found),
                 f"{len(found)} {problem}: {action} (catalog.problems lists each)")
            for (problem, action), found in catalog.problems.groupby(["problem", "action"],
                                                                      sort=False)]


def _minimum_rows(total: pd.Series, unit: str, min_warn: int, min_ok: int) -> list[dict]:
    """Each class against the minimum: pass from ``min_ok``, warn from ``min_warn``."""
    return [_row("minimum examples per class", str(cls),
                 "pass" if n >= min_ok else "warn" if n >= min_warn else "fail", int(n),
                 f"{n} {unit}; ok from {min_ok}, warn from {min_warn}")
            for cls, n in total.items()]


def _critical_rows(total: pd.Series, unit: str, critical: list[str], target: int
                   ) -> list[dict]:
    """Each critical class against its target, with how many more to collect."""
    rows = []
    for cls in critical:
        n = int(total[cls])
        short = "" if n >= target else f": collect {target - n} more"
        rows.append(_row("critical class at target", cls, "pass" if n >= target else "fail",
                         n, f"{n} {unit} of critical class {cls}; target {target}{short}"))
    return rows


def _hidden_rows(hidden: HiddenImbalance | None) -> list[dict]:
    """Whether a class is missing under the condition (significant at 5%)."""
    if hidden is None or isinstance(hidden, Missing):
        return []
    check = f"classes spread over {hidden.condition}"
    flagged = hidden.flagged()
    if not (len(flagged) and hidden.p_value < 0.05):
        return [_row(check, "all", "pass", 0, f"no class departs from the {hidden.condition} "
                     f"mix beyond chance (p = {hidden.p_value:.2g})")]
    (cls, value), row = flagged.index[0], flagged.iloc[0]
    return [_row(check, f"{cls} @ {value}", "warn", int(row["count"]),
                 f"{int(row['count'])} {hidden.unit} where {row['expected']:.1f} were expected "
                 f"(residual {row['residual']:.2f}, p = {hidden.p_value:.2g}); "
                 f"{len(flagged)} cells under-represented")]
