"""Resampling plans, class weights and epoch samplers.

- :func:`plan_resampling`: how many times each class is seen per epoch, as balanced
  as an oversampling cap and a keep floor allow (classification);
- :func:`repeat_factors`: LVIS repeat-factor sampling for detection, with its side
  effect on the classes that ride along with rare ones;
- :func:`tile_plan`: tiles of segmentation masks weighted so rare-class pixels are
  drawn more often;
- :func:`class_weights`: loss weights (balanced, inverse, sqrt, effective number);
- :func:`epoch_indices` / :func:`epoch_from_factors`: the sample indices of one epoch,
  exactly as planned, deterministic for (seed, epoch), vectorised.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.apportion import round_to_total, water_level
from workbench.catalog import Catalog, rows_of
from workbench.errors import DataError, Lacks, check_option, some
from workbench.measure import class_order, image_class_pairs
from workbench.tally import per_class

METHODS = ("balanced", "inverse", "sqrt", "effective")


NO_OBJECT = "(no object)"  # the key of a detection or segmentation image with no class


# -- what a plan counts: one key per image ----------------------------------------------------


def key_unit(catalog: Catalog) -> str:
    """The unit rarity is measured in: instances, else pixels, else images."""
    return ("instances" if len(catalog.objects) else "pixels" if len(catalog.pixels)
            else "images")


def rarity_rank(catalog: Catalog) -> np.ndarray:
    """Each class's rank from rarest (0) in :func:`key_unit`; classes with none (and the
    background) rank last."""
    from workbench.measure import class_counts

    total = class_counts(catalog, unit=key_unit(catalog)).total
    total.index = total.index.astype(str)
    counts = total.reindex(list(catalog.classes)).to_numpy(float, copy=True)
    counts[~(counts > 0)] = np.inf
    if catalog.background is not None:
        counts[list(catalog.classes).index(catalog.background)] = np.inf
    return np.argsort(np.argsort(counts, kind="stable"), kind="stable")


def sampling_keys(catalog: Catalog) -> pd.Series:
    """One key per image, the class a resampling plan counts it under.

    An image's key is its image ``label`` when it has one; otherwise (detection and
    segmentation) the rarest class it contains, rarest in the task's own unit: fewest
    instances for detection, fewest pixels for segmentation (so an image with a platelet
    and ten red cells is drawn as a platelet image). Images with no class at all are
    negatives, keyed ``"(no object)"`` (a detection image without boxes);
    classification images without a label are left out.

    Why a class has fewer keys than images containing it: an image holding two classes
    counts for both in :func:`workbench.measure.class_counts` but is keyed once, by the
    rarer one. When every image holds the common class, resampling images cannot
    change the instance mix much: :func:`plan_instance_mix` says by how much it does.

    Examples
    --------
    >>> s = pd.DataFrame({"filepath": list("abc"), "width": 4, "height": 4}, index=list("abc"))
    >>> o = pd.DataFrame({"sample_id": ["a", "a", "b"], "label": ["rbc", "platelet", "rbc"],
    ...                   "x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2})
    >>> sampling_keys(Catalog(s, classes=["rbc", "platelet"], task="detection",
    ...                       objects=o)).tolist()
    ['platelet', 'rbc', '(no object)']
    """
    n = len(catalog)
    names = [*catalog.classes, NO_OBJECT]
    key = np.full(n, len(catalog.classes), dtype=np.int64)  # NO_OBJECT until a class is found
    rows, codes = image_class_pairs(catalog)
    if len(rows):
        rank = rarity_rank(catalog)
        best = np.full(n, np.iinfo(np.int64).max)
        np.minimum.at(best, rows, rank[codes])
        by_rank = np.argsort(rank)
        found = best < len(catalog.classes)
        key[found] = by_rank[best[found]]
    labelled = np.zeros(n, dtype=bool)
    if "label" in catalog.samples.columns:
        label = catalog.samples["label"].cat.codes.to_numpy()
        labelled = label >= 0
        key[labelled] = label[labelled]
    keys = pd.Series(pd.Categorical.from_codes(key, categories=names), index=catalog.samples.index,
                     name="key")
    if catalog.task == "classification":
        keys = keys[labelled]
    used = [c for c in names if c in set(keys)]
    return keys.cat.set_categories(used)


# -- the resampling plan --------------------------------------------------------------------


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

    @property
    def multiplier(self) -> pd.Series:
        return (self.effective / self.count).rename("multiplier")

    @property
    def total(self) -> int:
        return int(self.effective.sum())

    def to_frame(self) -> pd.DataFrame:
        """Per class, largest first: ``count``, ``effective``, ``multiplier``, ``binding``
        (and priority)."""
        frame = pd.DataFrame({"count": self.count, "effective": self.effective,
                              "multiplier": self.multiplier, "binding": self.binding,
                              "priority": self.priority})
        frame.index.name = "class"
        return frame.sort_values("count", ascending=False, kind="stable")

    def to_json(self, path=None) -> str:
        """The plan as JSON (written to ``path`` when given)."""
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
        """The plan written by :meth:`to_json` (the JSON text)."""
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
        """The plan from a file written by ``to_json(path)``."""
        return cls.from_json(Path(path).read_text())


def feasible_totals(counts: pd.Series, *, max_oversample: float, min_keep: float
                    ) -> tuple[int, int]:
    """The smallest and largest epoch sizes the limits allow."""
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
    if not isinstance(total, (int, np.integer)) or total <= 0:
        raise ValueError(f"The 'total' parameter of plan_resampling must be a positive integer."
                         f" Got {total!r} instead.")
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


# -- class weights -------------------------------------------------------------------------------


def class_weights(counts, *, method: str = "balanced", beta: float = 0.999) -> pd.Series:
    """Loss weights per class from its number of samples.

    - "balanced": ``n_samples / (n_classes * count)``, scikit-learn's
      ``compute_class_weight('balanced')``;
    - "inverse", "sqrt": proportional to ``1 / count`` and ``1 / sqrt(count)``;
    - "effective": proportional to ``(1 - beta) / (1 - beta ** count)`` (Cui et al.,
      2019: the inverse effective number of samples).

    The last three are normalised to sum to the number of classes.

    Examples
    --------
    >>> class_weights({"a": 5000, "b": 500, "c": 50, "d": 5}, method="effective").round(4).tolist()
    [0.0179, 0.0453, 0.3652, 3.5715]
    """
    check_option("method", method, METHODS, func="class_weights")
    if not 0 <= beta < 1:
        raise ValueError(f"The 'beta' parameter of class_weights must be in [0, 1). "
                         f"Got {beta!r} instead.")
    counts = per_class(counts, func="class_weights", empty="error")
    n = counts.to_numpy()
    if method == "balanced":
        weights = n.sum() / (len(n) * n)
    else:
        raw = {"inverse": 1 / n, "sqrt": 1 / np.sqrt(n),
               "effective": (1 - beta) / (1 - beta ** n) if beta > 0 else np.ones_like(n)}[method]
        weights = raw / raw.sum() * len(n)
    return pd.Series(weights, index=counts.index, name=f"weight ({method})")


# -- repeat factors (detection) -------------------------------------------------------------------


@dataclass(frozen=True)
class RepeatFactors:
    """LVIS repeat-factor sampling: per image, how often it is repeated per epoch."""

    image_factors: pd.Series      # per sample
    class_table: pd.DataFrame     # per class: image_fraction, class_factor, instances before/after
    threshold: float
    max_repeat: float | None

    def to_frame(self) -> pd.DataFrame:
        return self.class_table

    @property
    def epoch_size(self) -> float:
        """Expected images per epoch (sum of the factors)."""
        return float(self.image_factors.sum())


def default_repeat_threshold(catalog: Catalog) -> float:
    """The repeat-factor threshold that fits this dataset: the median class's image fraction.

    LVIS's 0.001 is about the median class's fraction of LVIS's 100k images; on a few
    hundred images it repeats nothing. The median of this dataset's classes (those in at
    least one image, background left out) repeats the rarer half and leaves the rest.
    """
    rows, codes = image_class_pairs(catalog)
    if catalog.background is not None:
        codes = codes[np.asarray(catalog.classes, dtype=object)[codes] != catalog.background]
    per_class = np.bincount(codes, minlength=len(catalog.classes)) / max(len(catalog), 1)
    present = per_class[per_class > 0]
    return float(np.median(present)) if len(present) else 0.001


def repeat_factors(catalog: Catalog, *, threshold: float | str = "auto",
                   max_repeat: float | None = None) -> RepeatFactors:
    """Repeat factors as in LVIS (Gupta et al., 2019) and detectron2.

    ``f(c)`` is the fraction of images containing class ``c``; ``r(c) = max(1,
    sqrt(threshold / f(c)))``; an image is repeated ``max`` over its classes of ``r(c)``
    (optionally capped at ``max_repeat``). ``threshold="auto"`` takes
    :func:`default_repeat_threshold` (the median class's fraction). The class table also
    gives the expected instances per class per epoch after repeats: majority classes
    that share images with rare ones are repeated too, which no per-class count shows.
    """
    if threshold == "auto":
        threshold = default_repeat_threshold(catalog)
    if not (isinstance(threshold, (int, float, np.number)) and threshold > 0):
        raise ValueError(f"The 'threshold' parameter of repeat_factors must be > 0. "
                         f"Got {threshold!r} instead.")
    if max_repeat is not None and not max_repeat >= 1:
        raise ValueError(f"The 'max_repeat' parameter must be >= 1 or None. Got {max_repeat!r}.")
    rows, codes = image_class_pairs(catalog)
    if catalog.background is not None:  # background is what every image has: not a reason
        keep = np.asarray(catalog.classes, dtype=object)[codes] != catalog.background
        rows, codes = rows[keep], codes[keep]
    n_images, n_classes = len(catalog), len(catalog.classes)
    fraction = np.bincount(codes, minlength=n_classes) / n_images
    with np.errstate(divide="ignore"):
        factor = np.where(fraction > 0, np.maximum(1.0, np.sqrt(threshold / fraction)), 1.0)
    image = np.ones(n_images)
    np.maximum.at(image, rows, factor[codes])
    if max_repeat is not None:
        image = np.minimum(image, max_repeat)
    seen = units_per_epoch(catalog, image)
    table = pd.DataFrame({
        "image_fraction": fraction, "class_factor": factor,
        "instances_before": seen["before"], "instances_after": seen["after"],
        "gain": seen["gain"],
    }, index=pd.Index(catalog.classes, name="class"))
    if catalog.background is not None and len(catalog.objects):
        table = table.drop(index=catalog.background)
    table = table.reindex([c for c in class_order(catalog) if c in table.index])
    return RepeatFactors(image_factors=pd.Series(image, index=catalog.samples.index,
                                                 name="repeat_factor"),
                         class_table=table, threshold=threshold, max_repeat=max_repeat)


def units_per_epoch(catalog: Catalog, image_factors: np.ndarray) -> pd.DataFrame:
    """Per class, the instances (else pixels, else images) one epoch shows when each
    image is drawn ``image_factors`` times, against once each.

    Every class in a repeated image is repeated with it: this is where a plan over
    images meets the instance mix a detector's loss sees.
    """
    unit = key_unit(catalog)
    table = catalog.objects if unit == "instances" else catalog.pixels
    n_classes = len(catalog.classes)
    if unit == "images":
        rows, codes = image_class_pairs(catalog)
        weights = np.ones(len(rows))
    else:
        rows, codes = rows_of(table), table["label"].cat.codes.to_numpy()
        weights = table["count"].to_numpy(float) if unit == "pixels" else np.ones(len(rows))
    before = np.bincount(codes, weights=weights, minlength=n_classes)
    after = np.bincount(codes, weights=weights * np.asarray(image_factors)[rows],
                        minlength=n_classes)
    frame = pd.DataFrame({"before": before, "after": after},
                         index=pd.Index(catalog.classes, name="class"))
    frame["share_before"] = frame["before"] / max(before.sum(), 1)
    frame["share_after"] = frame["after"] / max(after.sum(), 1)
    frame["gain"] = frame["after"] / frame["before"].where(frame["before"] > 0)
    frame = frame.sort_values("before", ascending=False, kind="stable")
    frame.attrs["unit"] = unit
    return frame


def plan_instance_mix(catalog: Catalog, plan: ResamplingPlan,
                      keys: pd.Series | None = None) -> pd.DataFrame:
    """What a plan over image keys does to the per-class instances (pixels) per epoch.

    Each image is drawn ``effective / count`` times of its key's class on average;
    :func:`units_per_epoch` then counts what rides along. On a dataset where every
    image holds the common class, the share of the rare one barely moves: the remedy
    there is a loss weight, not resampling.
    """
    if key_unit(catalog) == "images":
        raise Lacks("Each image holds one class here (no boxes or masks), so the plan's "
                    "per-class counts are already what the model sees: nothing rides along.")
    keys = sampling_keys(catalog) if keys is None else keys
    per_key = plan.multiplier.to_dict()
    factor = pd.Series(0.0, index=catalog.samples.index)
    factor.loc[keys.index] = keys.astype(str).map(per_key).fillna(0.0).to_numpy()
    mix = units_per_epoch(catalog, factor.to_numpy())
    if catalog.background is not None and mix.attrs["unit"] == "instances":
        mix = mix.drop(index=catalog.background)
    return mix


def lvis_factor(fraction: float, threshold: float = 0.001) -> float:
    """``max(1, sqrt(threshold / fraction))`` for one class (the LVIS formula).

    >>> round(lvis_factor(1e-4), 6), lvis_factor(0.00025)
    (3.162278, 2.0)
    """
    return max(1.0, float(np.sqrt(threshold / fraction)))


# -- tiles (segmentation) ---------------------------------------------------------------------


@dataclass(frozen=True)
class TilePlan:
    """Tiles of the images, their pixels per class, and a sampling weight per tile."""

    tiles: pd.DataFrame        # sample_id, row, col, x0, y0, weight
    pixels: np.ndarray         # tiles x classes
    classes: tuple[str, ...]
    tile_size: int

    def shares(self) -> pd.DataFrame:
        """Each class's share of the pixels drawn, uniform tiles vs weighted tiles."""
        before = self.pixels.sum(axis=0)
        after = (self.pixels * self.tiles["weight"].to_numpy()[:, None]).sum(axis=0)
        return pd.DataFrame({"share_before": before / before.sum(),
                             "share_after": after / after.sum()},
                            index=pd.Index(self.classes, name="class"))

    def to_frame(self) -> pd.DataFrame:
        return self.tiles


def tile_plan(catalog: Catalog, *, tile_size: int = 32, threshold: float = 0.1,
              max_weight: float = 10.0) -> TilePlan:
    """Cut each image into a grid of ``tile_size`` tiles and weight the tiles.

    Pixels per class per tile come from the masks (one bincount per mask). A class's
    tile factor follows the repeat-factor rule on tiles, ``max(1, sqrt(threshold /
    f(c)))`` with ``f(c)`` the fraction of tiles containing it, and a tile's weight is
    the largest factor of its classes, capped at ``max_weight``. Edge pixels that do not
    fill a whole tile are left out.
    """
    if not catalog.has_masks:
        raise Lacks(
            "This dataset has no class-index masks, so there are no pixels to tile: tiles "
            "need one mask per image (masks:IMAGES:MASKS, or a mask_path column). A COCO "
            "panoptic PNG stores segment ids, not classes."
        )
    if not (isinstance(tile_size, (int, np.integer)) and tile_size >= 1):
        raise ValueError(f"The 'tile_size' parameter must be a positive integer. Got "
                         f"{tile_size!r}.")
    if not threshold > 0 or not max_weight >= 1:
        raise ValueError("threshold must be > 0 and max_weight >= 1.")
    from workbench.sources.pixels import read_mask

    k = len(catalog.classes)
    records, counts = [], []
    for sample_id, path in catalog.samples["mask_path"].dropna().items():  # one file each
        mask = catalog.mask_codes(read_mask(path))
        n_rows, n_cols = mask.shape[0] // tile_size, mask.shape[1] // tile_size
        if not n_rows or not n_cols:
            continue
        cropped = mask[:n_rows * tile_size, :n_cols * tile_size]
        tile_id = (np.arange(n_rows * tile_size) // tile_size)[:, None] * n_cols + (
            np.arange(n_cols * tile_size) // tile_size)[None, :]
        valid = cropped >= 0
        flat = np.bincount(tile_id[valid] * k + cropped[valid], minlength=n_rows * n_cols * k)
        counts.append(flat.reshape(n_rows * n_cols, k))
        r, c = np.divmod(np.arange(n_rows * n_cols), n_cols)
        records.append(pd.DataFrame({"sample_id": sample_id, "row": r, "col": c,
                                     "x0": c * tile_size, "y0": r * tile_size}))
    if not records:
        raise DataError(f"No mask is at least {tile_size}x{tile_size}; use smaller tiles.")
    pixels = np.concatenate(counts)
    tiles = pd.concat(records, ignore_index=True)
    present = pixels > 0
    fraction = present.mean(axis=0)
    with np.errstate(divide="ignore"):
        factor = np.where(fraction > 0, np.maximum(1.0, np.sqrt(threshold / fraction)), 1.0)
    weight = np.where(present, factor[None, :], 1.0).max(axis=1)
    tiles["weight"] = np.minimum(weight, max_weight)
    return TilePlan(tiles=tiles, pixels=pixels, classes=tuple(catalog.classes),
                    tile_size=tile_size)


# -- epoch samplers -----------------------------------------------------------------------------


def _epoch_rng(seed: int, epoch: int) -> np.random.Generator:
    for name, value in (("seed", seed), ("epoch", epoch)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"The {name!r} parameter must be a non-negative integer (the same "
                             f"seed and epoch give the same indices). Got {value!r} instead.")
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(epoch)]))


def epoch_indices(plan: ResamplingPlan, labels, *, epoch: int = 0, seed: int = 0) -> np.ndarray:
    """The sample indices (positions in ``labels``) of one epoch under ``plan``.

    Class ``c`` appears exactly ``plan.effective[c]`` times. With multiplier ``m``, every
    image of the class is taken ``floor(m)`` times and the rest is a draw *without*
    replacement, so no image is skipped while another repeats (as i.i.d. draws with
    replacement do). The result is shuffled; the same (seed, epoch) gives the same
    indices. Works past 2**24 samples (torch's WeightedRandomSampler does not).
    """
    labels = pd.Series(labels) if not isinstance(labels, pd.Series) else labels
    classes = list(plan.count.index)
    if isinstance(labels.dtype, pd.CategoricalDtype):  # recode: no string per sample
        labels = labels.cat.rename_categories(lambda c: str(c))
        codes = labels.cat.set_categories(classes).cat.codes.to_numpy()
    else:
        codes = pd.Categorical(labels.astype(str), categories=classes).codes
    if (codes < 0).any():
        raise DataError(f"Labels {some(pd.unique(labels[codes < 0]))} are not in the plan.")
    have = np.bincount(codes, minlength=len(classes))
    if not np.array_equal(have, plan.count.to_numpy()):
        found = dict(zip(classes, have.tolist(), strict=True))
        raise DataError(
            f"The labels do not match the plan: per class {found} vs planned from "
            f"{plan.count.to_dict()}. Make the plan from these labels."
        )
    rng = _epoch_rng(seed, epoch)
    order = np.argsort(codes, kind="stable")  # radix sort for small integer codes
    bounds = np.concatenate([[0], np.cumsum(have)])
    parts = []
    for c, want in enumerate(plan.effective.to_numpy()):  # one step per class
        members = order[bounds[c]:bounds[c + 1]]
        full, extra = divmod(int(want), len(members))
        if full:
            parts.append(np.tile(members, full))
        if extra:  # a draw without replacement, not a permutation of the whole class
            parts.append(members[rng.choice(len(members), extra, replace=False)])
    out = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    return out[rng.permutation(len(out))]


def epoch_from_factors(factors, *, epoch: int = 0, seed: int = 0) -> np.ndarray:
    """The indices of one epoch from per-sample repeat factors (or weights as factors).

    Each sample appears ``floor(r)`` times plus once more for a subset drawn without
    replacement with probability proportional to the fractional parts, of size
    ``round(sum of fractional parts)``; so the epoch has ``round(sum(r))`` samples.
    """
    r = np.asarray(factors, dtype=float)
    if (r < 0).any() or not np.isfinite(r).all():
        raise ValueError("Repeat factors must be finite and non-negative.")
    rng = _epoch_rng(seed, epoch)
    whole = np.floor(r).astype(np.int64)
    frac = r - whole
    n_extra = int(round(frac.sum()))
    out = np.repeat(np.arange(len(r)), whole)
    if n_extra:
        keys = np.log(rng.random(len(r))) / np.where(frac > 0, frac, np.nan)  # Efraimidis-Spirakis
        keys = np.nan_to_num(keys, nan=-np.inf)
        extra = np.argpartition(-keys, n_extra - 1)[:n_extra]
        out = np.concatenate([out, extra])
    return out[rng.permutation(len(out))]


def save_epoch(indices: np.ndarray, path) -> Path:
    """Write one epoch's indices for a training script: ``.npy`` or ``.csv`` (one a line)."""
    path = Path(path)
    check_option("suffix", path.suffix, [".npy", ".csv"], func="save_epoch")
    if path.suffix == ".npy":
        np.save(path, np.asarray(indices, dtype=np.int64))
    else:
        np.savetxt(path, np.asarray(indices, dtype=np.int64), fmt="%d")
    return path


# -- imbalanced-learn bridge ----------------------------------------------------------------------


def imblearn_strategies(plan: ResamplingPlan) -> tuple[dict, dict]:
    """The plan as ``(over, under)`` ``sampling_strategy`` dicts for imbalanced-learn.

    Apply RandomUnderSampler(sampling_strategy=under) then RandomOverSampler (or SMOTE)
    with ``over``; together they give the plan's effective counts.
    """
    over = {c: int(e) for c, e, n in zip(plan.count.index, plan.effective, plan.count,
                                         strict=True) if e > n}
    under = {c: int(e) for c, e, n in zip(plan.count.index, plan.effective, plan.count,
                                          strict=True) if e < n}
    return over, under


def resample_features(X, y, plan: ResamplingPlan, *, method: str = "random",
                      random_state: int = 0, k_neighbors: int = 5):
    """Resample a feature array to the plan with imbalanced-learn (random or SMOTE).

    Exactly imbalanced-learn's rows for the plan's two strategies
    (:func:`imblearn_strategies`) and ``random_state``: ``RandomUnderSampler(under)``, then
    ``RandomOverSampler(over)`` or ``SMOTE(over, k_neighbors=k_neighbors)``. Classes the plan
    keeps as they are are not handed to a sampler, so they use up no random draws.
    """
    from imblearn.over_sampling import SMOTE, RandomOverSampler
    from imblearn.under_sampling import RandomUnderSampler

    check_option("method", method, ["random", "smote"], func="resample_features")
    y = np.asarray(y).astype(str)
    over, under = imblearn_strategies(plan)
    if method == "smote":
        _check_smote_neighbours(y, over, k_neighbors)
    if under:
        X, y = RandomUnderSampler(sampling_strategy=under, random_state=random_state
                                  ).fit_resample(X, y)
    if over:
        sampler = (SMOTE(sampling_strategy=over, k_neighbors=k_neighbors,
                         random_state=random_state) if method == "smote"
                   else RandomOverSampler(sampling_strategy=over, random_state=random_state))
        X, y = sampler.fit_resample(X, y)
    return X, y


def _check_smote_neighbours(y: np.ndarray, over: dict, k_neighbors: int) -> None:
    """SMOTE interpolates towards one of a sample's ``k_neighbors`` nearest same-class
    neighbours: each class it oversamples needs more samples than that."""
    counts = pd.Series(y).value_counts()
    short = {c: int(counts.get(c, 0)) for c in over if counts.get(c, 0) <= k_neighbors}
    if short:
        listed = ", ".join(f"{c!r} has {n}" for c, n in short.items())
        k = min(short.values()) - 1
        fix = (f"pass k_neighbors={k} (the smallest count minus one)" if k >= 1
               else "use method='random'")
        raise DataError(f"SMOTE with k_neighbors={k_neighbors} needs more than {k_neighbors} "
                        f"samples of each class it oversamples: {listed}. {fix[0].upper()}"
                        f"{fix[1:]}, or collect more.")


# -- teaching helpers: why accuracy lies, and what each strategy costs -----------------------


def accuracy_paradox(labels_or_counts, *, unit: str | None = None) -> pd.DataFrame:
    """What a model that always answers the majority class scores (scikit-learn metrics).

    ``labels_or_counts``: labels, counts per class, or a
    :class:`workbench.measure.ClassCounts` (then the answer is per ``unit``: per image,
    per box for a box classifier, per pixel for a segmenter). High accuracy, and a
    recall of 0 on every other class: the reason to read per-class and macro metrics
    on imbalanced data.

    >>> accuracy_paradox({"intact": 90, "crack": 10})["value"].round(3).tolist()
    [0.9, 0.5, 0.474, 0.0]
    """
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, recall_score

    unit = unit or getattr(labels_or_counts, "unit", None) or "images"
    counts = per_class(labels_or_counts, func="accuracy_paradox", empty="drop")
    classes = counts.index.to_numpy(dtype=object)
    majority = str(counts.idxmax())
    pred = np.full(len(classes), majority, dtype=object)
    weight = counts.to_numpy(float)  # one row per class, weighted by its count
    recall = recall_score(classes, pred, labels=classes, average=None, sample_weight=weight,
                          zero_division=0)
    return pd.DataFrame({
        "value": [accuracy_score(classes, pred, sample_weight=weight),
                  balanced_accuracy_score(classes, pred, sample_weight=weight),
                  f1_score(classes, pred, labels=classes, average="macro", sample_weight=weight,
                           zero_division=0),
                  float(recall.min())],
    }, index=pd.Index(["accuracy", "balanced accuracy", "macro F1", "worst-class recall"],
                      name=f"always '{majority}' (per {unit.rstrip('s')})"))


def strategy_costs(counts, *, max_oversample: float = 5.0) -> pd.DataFrame:
    """Per strategy: samples per epoch, share of the data used, rarest class's exposure.

    Compares training on everything with balanced class weights, undersampling every
    class to the smallest, and a capped resampling plan with the original epoch size.
    """
    counts = per_class(counts, func="strategy_costs", empty="error")
    n, k, smallest = counts.sum(), len(counts), counts.min()
    weights = class_weights(counts, method="balanced")
    plan = plan_resampling(counts.to_dict(), max_oversample=max_oversample)
    rare, common = counts.idxmin(), counts.idxmax()
    rows = {
        "all data, balanced class weights": {
            "samples_per_epoch": n, "share_of_data_used": 1.0,
            "majority_images_per_epoch": counts[common],
            "rare_class_weight_share": float(weights[rare] * counts[rare] /
                                             (weights * counts).sum())},
        "undersample to the smallest class": {
            "samples_per_epoch": smallest * k, "share_of_data_used": smallest * k / n,
            "majority_images_per_epoch": smallest, "rare_class_weight_share": 1 / k},
        f"capped plan (max {max_oversample:g}x)": {
            "samples_per_epoch": plan.total,
            "share_of_data_used": float(np.minimum(plan.effective, counts).sum() / n),
            "majority_images_per_epoch": int(min(plan.effective[common], counts[common])),
            "rare_class_weight_share": float(plan.effective[rare] / plan.total)},
    }
    return pd.DataFrame(rows).T


def thumbnail_features(catalog: Catalog, *, size: int = 16) -> np.ndarray:
    """Grey ``size`` x ``size`` thumbnails, flattened and scaled to [0, 1]: small features
    for quick baselines (one image read each)."""
    from PIL import Image

    out = np.empty((len(catalog), size * size), dtype=np.float32)
    for i, path in enumerate(catalog.samples["filepath"]):
        with Image.open(path) as im:
            out[i] = np.asarray(im.convert("L").resize((size, size)), np.float32).ravel() / 255
    return out


def plan_sweep(labels_or_counts, *, caps=(1, 2, 5, 10), total: int | None = None,
               min_keep: float = 0.0) -> pd.DataFrame:
    """Effective count per class (rows) for each oversampling cap (columns)."""
    return pd.DataFrame({f"{c:g}x": plan_resampling(labels_or_counts, total=total,
                                                     max_oversample=c, min_keep=min_keep
                                                     ).effective for c in caps})


def weights_table(counts, *, beta: float = 0.999) -> pd.DataFrame:
    """The four class-weight methods side by side, for the classes with examples (a class
    with none, such as a "stuff" class counted in instances, has no finite weight)."""
    counts = per_class(counts, func="weights_table", empty="drop")
    counts = counts.sort_values(ascending=False, kind="stable")
    return pd.DataFrame({m: class_weights(counts, method=m, beta=beta) for m in METHODS})
