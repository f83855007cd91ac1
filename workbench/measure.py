"""Counts and imbalance statistics of a Catalog: the diagnosis before any remedy.

- :func:`class_counts`: images containing each class, instances (boxes) or pixels, per
  split or per condition;
- :func:`long_tail`: the shape of the distribution (imbalance ratio, Gini, evenness, how
  many classes hold half of the data, effective numbers of samples);
- :func:`hidden_imbalance`: a class's mix across a condition (day/night, camera) against
  everyone's, with a chi-square test and adjusted residuals;
- :func:`health_checklist`: the data-health checklist as pass / warn / fail rows.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from workbench.catalog import Catalog, rows_of
from workbench.contains import _image_class_codes, image_class_pairs
from workbench.counting import bincount
from workbench.errors import (
    DataError,
    DataWarning,
    Lacks,
    Missing,
    check_integer,
    check_option,
    some,
)
from workbench.tally import per_class

UNITS = ("images", "instances", "pixels")
STATUSES = ("pass", "warn", "fail")


# -- counts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassCounts:
    """Per-class counts in one unit, optionally per stratum (split or condition value).

    ``table`` is class x stratum (a single column ``"all"`` when not stratified);
    ``sizes`` the number of units in each stratum: images (an image holding three
    classes counts once), instances or pixels.
    """

    table: pd.DataFrame
    unit: str
    by: str | None = None
    sizes: pd.Series | None = None

    @property
    def total(self) -> pd.Series:
        """Counts per class over all strata."""
        return self.table.sum(axis=1).rename(self.unit)

    @property
    def shares(self) -> pd.DataFrame:
        """Each class's share of the units in its stratum: the fraction of the images that
        contain it (these can sum to more than 1: an image holds several classes), or of
        the instances or pixels (these sum to 1)."""
        sizes = self.sizes if self.sizes is not None else self.table.sum(axis=0)
        return self.table / sizes.where(sizes > 0)

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one row per class (and stratum) with ``count`` and ``share`` (of the units
        in the stratum, see :attr:`shares`)."""
        frame = pd.DataFrame({"count": self.table.stack(), "share": self.shares.stack()})
        frame.index.names = ["class", self.by or "stratum"]
        if self.by is None:
            frame = frame.droplevel(1)
        return frame


def available_units(catalog: Catalog) -> list[str]:
    """The count units this Catalog can give."""
    units = ["images"]
    if len(catalog.objects):
        units.append("instances")
    if len(catalog.pixels):
        units.append("pixels")
    return units


def default_unit(catalog: Catalog) -> str:
    """The unit of "examples" in the checklist and the long tail.

    Images when the images carry labels (the labels are what is imbalanced, background
    class included); else instances when there are boxes (a detector learns from boxes,
    and "at least 100 instances per class" is the usual floor); else images.
    """
    labelled = "label" in catalog.samples.columns and catalog.samples["label"].notna().any()
    return "instances" if len(catalog.objects) and not labelled else "images"


def class_counts(catalog: Catalog, *, unit: str = "images", by: str | None = None) -> ClassCounts:
    """How many images contain each class, how many instances, or how many pixels.

    Parameters
    ----------
    unit : "images" (images containing the class, from the image label and the boxes or
        masks), "instances" (boxes; crowd boxes left out) or "pixels".
    by : None, "split", "group" or a condition column: count per value of that column.

    Examples
    --------
    >>> s = pd.DataFrame({"filepath": list("abc"), "width": 4, "height": 4,
    ...                   "label": ["x", "x", "y"], "split": ["train", "val", "train"]},
    ...                  index=list("abc"))
    >>> class_counts(Catalog(s, classes=["x", "y"]), by="split").table
    split  train  val
    class
    x          1    1
    y          1    0
    """
    check_option("unit", unit, UNITS, func="class_counts")
    if unit not in available_units(catalog):
        raise DataError(
            f"This {catalog.task} Catalog has no {unit} to count (it has "
            f"{', '.join(available_units(catalog))}). Use one of those units."
        )
    per_box = unit == "instances" and by is not None and by in catalog.objects.columns \
        and by not in ("sample_id", "label")
    strata, names = _strata(catalog.objects if per_box else catalog.samples, by)
    n_classes, n_strata = len(catalog.classes), len(names)
    if unit == "images" and n_strata == 1:
        counts = bincount(_image_class_codes(catalog), n_classes)
        sizes = np.array([len(catalog)])
    elif unit == "images":
        rows, codes = image_class_pairs(catalog)
        counts = bincount(codes * n_strata + strata[rows], n_classes * n_strata)
        sizes = np.bincount(strata, minlength=n_strata)
    else:
        table = catalog.objects if unit == "instances" else catalog.pixels
        if unit == "instances" and "iscrowd" in table.columns:  # crowd boxes left out
            keep = ~table["iscrowd"].to_numpy()
            table, strata = table[keep], (strata[keep] if per_box else strata)
        flat = table["label"].cat.codes.to_numpy()  # 8 or 16 bits: counted as they are
        if n_strata > 1:
            stratum = strata if per_box else strata[rows_of(table)]
            flat = flat.astype(np.int64) * n_strata + stratum
        weights = table["count"].to_numpy() if unit == "pixels" else None
        counts = bincount(flat, n_classes * n_strata, weights)
        sizes = None
    table = pd.DataFrame(
        counts.reshape(n_classes, n_strata).astype(np.int64),
        index=pd.CategoricalIndex(catalog.classes, categories=catalog.classes, name="class"),
        columns=pd.Index(names, name=by or "stratum"),
    )
    if unit == "instances" and catalog.background is not None:  # background has no boxes
        table = table.drop(index=catalog.background)
    sizes = (pd.Series(sizes, index=table.columns, name=unit) if sizes is not None else
             table.sum(axis=0).rename(unit))
    return ClassCounts(table=table, unit=unit, by=by, sizes=sizes)


def _strata(table: pd.DataFrame, by: str | None) -> tuple[np.ndarray, list[str]]:
    """Stratum code per row of ``table`` (samples, or objects for a per-box column such as
    ``size``) and the stratum names: a categorical's order, else sorted; missing last."""
    if by is None:
        return np.zeros(len(table), dtype=np.int64), ["all"]
    if by not in table.columns:
        raise DataError(
            f"Cannot count by {by!r}: it is not a column of the samples (columns: "
            f"{', '.join(map(str, table.columns))}). Split the Catalog first, or name a "
            "condition column."
        )
    column = table[by]
    if isinstance(column.dtype, pd.CategoricalDtype):  # keep the levels' own order
        column = column.cat.remove_unused_categories()
        codes = column.cat.codes.to_numpy().astype(np.int64)
        names = [str(c) for c in column.cat.categories]
        if (codes < 0).any():
            codes = np.where(codes < 0, len(names), codes)
            names.append("(missing)")
        return codes, names
    values = column.astype("string").fillna("(missing)")
    codes, names = pd.factorize(values, sort=True)
    names = [str(n) for n in names]
    if by == "split":  # train, val, test first, as everywhere else; missing last
        first = [n for n in ("train", "val", "test") if n in names]
        order = first + [n for n in names if n not in first and n != "(missing)"] + \
            [n for n in names if n == "(missing)"]
        codes = pd.Index(order).get_indexer(np.asarray(names, dtype=object)[codes])
        names = order
    return codes.astype(np.int64), names


def split_shares(catalog: Catalog) -> pd.DataFrame:
    """Each class's share of each split's images: the images of the split that contain it
    over the images of the split (train, val, test first; images with no split left out).

    The one definition behind the checklist's split check and
    :attr:`workbench.split.SplitReport.max_share_gap`, whatever unit the rest counts in:
    a split is made of images.
    """
    counts = class_counts(catalog, unit="images", by="split")
    table = counts.table.drop(columns="(missing)", errors="ignore")
    sizes = counts.sizes.drop("(missing)", errors="ignore")
    return table / sizes.where(sizes > 0)


def share_gaps(shares: pd.DataFrame) -> pd.Series:
    """Per class (row): its largest share minus its smallest across the splits (columns)."""
    return shares.max(axis=1) - shares.min(axis=1)


def class_order(catalog: Catalog) -> list[str]:
    """The classes by the number of images containing them, largest first (ties: the
    class list's order). Every table and figure orders classes this way."""
    counts = class_counts(catalog, unit="images").total
    counts.index = counts.index.astype(str)
    return counts.sort_values(ascending=False, kind="stable").index.tolist()


def counts_by_unit(catalog: Catalog) -> pd.DataFrame:
    """Every available unit side by side, classes in :func:`class_order`.

    ``images`` counts the images containing the class and ``share of images`` is that
    over all images (an image with three classes counts for each, so these shares can
    sum past 1); ``instances`` and ``pixels`` with their shares (these sum to 1). A class
    can be common in images and rare in pixels: the table shows both at once.
    """
    columns = {}
    for unit in available_units(catalog):
        counts = class_counts(catalog, unit=unit)
        total = counts.total
        columns[unit] = total
        columns[f"share of {unit}"] = total / counts.sizes.sum()
    table = pd.DataFrame(columns)
    table.index = table.index.astype(str)
    return table.reindex([c for c in class_order(catalog) if c in table.index])


def unlabelled_images(catalog: Catalog) -> pd.Index:
    """Images with no class at all (no label, box or mask pixels): for detection, the
    negatives (images with no object)."""
    rows, _ = image_class_pairs(catalog)
    has_class = np.zeros(len(catalog.samples), dtype=bool)
    has_class[rows] = True
    return catalog.samples.index[~has_class]


# -- long tail ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LongTail:
    """The shape of a class distribution (largest class first)."""

    counts: pd.Series
    imbalance_ratio: float
    gini: float
    evenness: float
    head_share: float
    n_classes_50: int
    n_classes_80: int
    effective_numbers: pd.Series
    beta: float
    unit: str = "examples"

    def summary(self) -> dict:
        """The scalar statistics as a plain dict."""
        return {
            "classes": len(self.counts), "total": int(self.counts.sum()),
            "imbalance_ratio": self.imbalance_ratio, "gini": self.gini,
            "evenness": self.evenness, "head_share": self.head_share,
            "n_classes_50": self.n_classes_50, "n_classes_80": self.n_classes_80,
        }

    def to_frame(self) -> pd.DataFrame:
        """Per class: count, share, cumulative share and effective number of samples."""
        share = self.counts / self.counts.sum()
        return pd.DataFrame({"count": self.counts, "share": share,
                             "cumulative_share": share.cumsum(),
                             "effective_number": self.effective_numbers})


def long_tail(counts: ClassCounts | pd.Series | Mapping[str, int], *,
              beta: float = 0.999) -> LongTail:
    """Imbalance statistics of per-class counts.

    - ``imbalance_ratio``: largest / smallest non-empty class;
    - ``gini``: 0 for equal classes, (n - 1) / n (its most, n classes) when one holds
      everything;
    - ``evenness``: Shannon entropy / log(number of classes): 1 for equal classes;
    - ``head_share``: share of the largest class; ``n_classes_50`` / ``n_classes_80``: the
      fewest classes that together hold 50% / 80% of the data;
    - ``effective_numbers``: ``(1 - beta**n) / (1 - beta)`` per class (Cui et al. 2019),
      the number of samples once their overlap is discounted.

    Examples
    --------
    >>> t = long_tail({"a": 9, "b": 1})
    >>> round(t.gini, 3), round(t.evenness, 3), t.imbalance_ratio
    (0.4, 0.469, 9.0)
    """
    if not 0 <= beta < 1:
        raise ValueError(f"The 'beta' parameter of long_tail must be in [0, 1). Got {beta!r}.")
    unit = counts.unit if isinstance(counts, ClassCounts) else "examples"
    counts = per_class(counts, func="long_tail", whole=False)
    if len(counts) < 2:
        raise DataError(
            f"Imbalance needs at least two classes; found {len(counts)} "
            f"({some(counts.index)}). Check the labels or the class list."
        )
    empty = counts.index[counts == 0]
    if len(empty):
        warnings.warn(
            f"{len(empty)} classes have no examples: {some(empty)}. The imbalance ratio is "
            "over the others; collect examples or drop these classes.", DataWarning,
            stacklevel=2,
        )
    if counts.sum() == 0:
        raise DataError("Every class has zero examples: there is nothing to measure.")
    counts = counts.sort_values(ascending=False, kind="stable")
    x = counts.to_numpy()
    share = x / x.sum()
    ascending = np.sort(x)
    ranks = np.arange(1, len(x) + 1)
    gini = float(((2 * ranks - len(x) - 1) * ascending).sum() / (len(x) * x.sum()))
    nonzero = share[share > 0]
    evenness = float(-(nonzero * np.log(nonzero)).sum() / np.log(len(x)))
    cumulative = np.cumsum(share)
    effective = (1 - beta ** x) / (1 - beta) if beta > 0 else np.ones_like(x)
    return LongTail(
        counts=counts.astype("int64"),
        imbalance_ratio=float(x.max() / x[x > 0].min()),
        gini=gini, evenness=evenness, head_share=float(share[0]),
        n_classes_50=int(np.searchsorted(cumulative, 0.5 - 1e-12) + 1),
        n_classes_80=int(np.searchsorted(cumulative, 0.8 - 1e-12) + 1),
        effective_numbers=pd.Series(effective, index=counts.index, name="effective_number"),
        beta=beta, unit=unit,
    )


# -- hidden imbalance --------------------------------------------------------------------


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

    def to_frame(self) -> pd.DataFrame:
        """One row per (class, stratum): counts, the class's mix and the overall mix."""
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
        """The under-represented (class, stratum) cells, most extreme first."""
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


# -- the data-health checklist -------------------------------------------------------------


@dataclass(frozen=True)
class Checklist:
    """The data-health checklist: one row per check (and subject), pass / warn / fail."""

    rows: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return self.rows

    @property
    def worst(self) -> str:
        """The worst status in the checklist."""
        return max(self.rows["status"], key=STATUSES.index)

    def statuses(self) -> dict[str, int]:
        """How many checks pass, warn and fail."""
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
    """
    unit = unit or default_unit(catalog)
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
    target = critical_target if critical_target is not None else min_ok
    total = class_counts(catalog, unit=unit).total
    rows = []

    def add(check, subject, status, value, reason):
        rows.append({"check": check, "subject": subject, "status": status, "value": value,
                     "reason": reason})

    has_split = "split" in catalog.samples.columns
    if has_split:
        by_split = class_counts(catalog, unit=unit, by="split")
        add("per-class counts per split", "all", "pass", len(by_split.table.columns),
            f"counted in {len(by_split.table.columns)} splits: "
            f"{', '.join(by_split.table.columns)}")
        gap = share_gaps(split_shares(catalog).fillna(0))  # split_report's, in images
        worst = gap.idxmax()
        status = ("pass" if gap.max() <= max_split_gap else
                  "warn" if gap.max() <= fail_split_gap else "fail")
        add("split proportions preserved", str(worst), status, round(float(gap.max()), 4),
            f"largest share gap between splits is {gap.max():.1%} ({worst}); "
            f"pass <= {max_split_gap:.0%}, warn <= {fail_split_gap:.0%}")
        missing = by_split.table == 0
        for cls in by_split.table.index[missing.any(axis=1)]:
            absent = [s for s in by_split.table.columns if missing.loc[cls, s]]
            add("class present in every split", str(cls), "fail", 0,
                f"no {unit} of {cls} in {', '.join(absent)}: its metrics there are undefined")
        if not missing.any().any():
            add("class present in every split", "all", "pass", 0, "every class in every split")
    else:
        add("per-class counts per split", "all", "warn", 0,
            "no split column yet: split the data (notebook 02) and count each split")
    unlabelled = unlabelled_images(catalog)
    if len(unlabelled) and catalog.task == "classification":
        add("every image has a class", "all", "warn", len(unlabelled),
            f"{len(unlabelled)} images have no label (e.g. {some(unlabelled, n=3)}): they "
            "count in no class; label them or drop them")
    elif len(unlabelled):
        what = "box" if catalog.task == "detection" else "labelled pixel"
        add("images with no object (negatives)", "all", "pass", len(unlabelled),
            f"{len(unlabelled)} images hold no {what} (e.g. {some(unlabelled, n=3)}): "
            "background examples, kept; they teach the model what is not an object")
    for (problem, action), found in catalog.problems.groupby(["problem", "action"], sort=False):
        add("what the loader found", problem, "warn", len(found),
            f"{len(found)} {problem}: {action} (catalog.problems lists each)")
    for cls, n in total.items():
        status = "pass" if n >= min_ok else "warn" if n >= min_warn else "fail"
        add("minimum examples per class", str(cls), status, int(n),
            f"{n} {unit}; ok from {min_ok}, warn from {min_warn}")
    for cls in critical:
        n = int(total[cls])
        add("critical class at target", cls, "pass" if n >= target else "fail", n,
            f"{n} {unit} of critical class {cls}; target {target}"
            + ("" if n >= target else f": collect {target - n} more"))
    if hidden is not None and not isinstance(hidden, Missing):
        flagged = hidden.flagged()
        significant = hidden.p_value < 0.05
        if len(flagged) and significant:
            (cls, value), row = flagged.index[0], flagged.iloc[0]
            add(f"classes spread over {hidden.condition}", f"{cls} @ {value}", "warn",
                int(row["count"]), f"{int(row['count'])} {hidden.unit} where "
                f"{row['expected']:.1f} were expected (residual {row['residual']:.2f}, "
                f"p = {hidden.p_value:.2g}); {len(flagged)} cells under-represented")
        else:
            add(f"classes spread over {hidden.condition}", "all", "pass", 0,
                f"no class departs from the {hidden.condition} mix beyond chance "
                f"(p = {hidden.p_value:.2g})")
    return Checklist(pd.DataFrame(rows))


# -- the whole diagnosis in one value ------------------------------------------------------


@dataclass(frozen=True)
class Diagnosis:
    """Everything the measure stage says about a dataset, for one set of choices."""

    counts: ClassCounts
    tail: LongTail
    hidden: HiddenImbalance | Missing
    checklist: Checklist
    min_count: int
    critical: tuple[str, ...]

    def below_threshold(self) -> list[str]:
        """Classes with fewer than ``min_count`` examples, rarest first."""
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
    leave it untinted so the picture shows through."""
    if catalog.background is not None:
        return catalog.background
    if not len(catalog.pixels):
        return None
    total = catalog.pixels.groupby("label", observed=False)["count"].sum()
    return str(total.idxmax()) if total.max() > 0.5 * total.sum() else None


def no_condition_reason(catalog: Catalog) -> str:
    """The sentence a section shows when no condition can reveal hidden imbalance."""
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
    dim, low light). Returns ``{"cls", "condition", "value", "count", "expected",
    "residual"}`` for the most negative flagged residual, or None.
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


def rarest_class(catalog: Catalog, *, unit: str = "images") -> str:
    """The class with the fewest (but some) examples."""
    total = class_counts(catalog, unit=unit).total
    return str(total[total > 0].idxmin())


