"""LVIS repeat-factor sampling for detection, and what rides along with the rare classes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.catalog_schema import rows_of
from workbench.errors import Lacks
from workbench.measure import class_order, image_class_pairs
from workbench.sample.keys import key_unit, sampling_keys
from workbench.sample.plan import ResamplingPlan


def lvis_factor(fraction, threshold: float = 0.001):
    """The LVIS repeat factor ``max(1, sqrt(threshold / f))`` (Gupta et al., 2019).

    The one place the formula lives: image repeat factors take it over classes'
    image fractions, tile weights over classes' tile fractions.

    Parameters
    ----------
    fraction : float or array of float
        The fraction of images (tiles) that contain the class; 0 for a class in none,
        which gets 1 (nothing to repeat).
    threshold : float
        Classes in fewer than this fraction of images are repeated.

    Returns
    -------
    float or numpy.ndarray
        Factors >= 1: a float for a float, an array for an array.

    Examples
    --------
    >>> round(lvis_factor(1e-4), 6), lvis_factor(0.00025), lvis_factor(0.5)
    (3.162278, 2.0, 1.0)
    >>> lvis_factor(np.array([0.0, 0.25, 1.0]), threshold=1.0).tolist()
    [1.0, 2.0, 1.0]
    """
    f = np.asarray(fraction, dtype=float)
    with np.errstate(divide="ignore"):
        factor = np.where(f > 0, np.maximum(1.0, np.sqrt(threshold / f)), 1.0)
    return float(factor) if factor.ndim == 0 else factor


@dataclass(frozen=True)
class RepeatFactors:
    """LVIS repeat-factor sampling: per image, how often it is repeated per epoch."""

    image_factors: pd.Series      # per sample
    class_table: pd.DataFrame     # per class: image_fraction, class_factor, instances before/after
    threshold: float
    max_repeat: float | None

    def __repr__(self) -> str:
        return (f"RepeatFactors({len(self.image_factors):,} images -> {self.epoch_size:,.1f} "
                f"per epoch, threshold {self.threshold:.3g}, largest "
                f"{self.image_factors.max():.2f}x)")

    def to_frame(self) -> pd.DataFrame:
        """The class table.

        Returns
        -------
        pandas.DataFrame
            ``class_table``: per class, image fraction, class factor, units before and after
            one epoch, gain.
        """
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

    Parameters
    ----------
    catalog : Catalog
        Any task; the background class is left out.

    Returns
    -------
    float
        A fraction of images; 0.001 (LVIS's) when no class is in any image.
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

    Parameters
    ----------
    catalog : Catalog
        Detection (boxes), segmentation (masks) or classification; the background class
        is left out of the fractions.
    threshold : float or "auto"
        Classes in fewer than this fraction of the images are repeated (> 0).
    max_repeat : float, optional
        A cap on an image's factor (>= 1).

    Returns
    -------
    RepeatFactors
        ``image_factors`` (per image, >= 1) and ``class_table`` (per class: image
        fraction, class factor, units before and after one epoch, gain; the units are
        instances, else pixels, else images (:func:`key_unit`), whatever the column names say).

    Examples
    --------
    Four images: car in a, b and c, bus only in b. With threshold 0.5, f(car) = 0.75
    gives 1 and f(bus) = 0.25 gives sqrt(2); image b takes its rarest class's factor,
    and its car rides along (3 car boxes become 3.41 per epoch).

    >>> s = pd.DataFrame({"filepath": list("abcd"), "width": 10, "height": 10},
    ...                  index=pd.Index(list("abcd"), name="sample_id"))
    >>> o = pd.DataFrame({"sample_id": list("abbc"), "label": ["car", "car", "bus", "car"],
    ...                   "x": 0.1, "y": 0.1, "w": 0.5, "h": 0.3})
    >>> cat = Catalog(s, classes=["car", "bus"], task="detection", objects=o)
    >>> rf = repeat_factors(cat, threshold=0.5)
    >>> rf.image_factors.round(3).tolist()
    [1.0, 1.414, 1.0, 1.0]
    >>> rf.class_table[["class_factor", "instances_before", "instances_after"]].round(3)
           class_factor  instances_before  instances_after
    class
    car           1.000               3.0            3.414
    bus           1.414               1.0            1.414
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
    factor = lvis_factor(fraction, threshold)
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

    Parameters
    ----------
    catalog : Catalog
        Any task; the unit is :func:`key_unit`'s.
    image_factors : numpy.ndarray
        Draws per epoch of each image, in the order of ``catalog.samples``.

    Returns
    -------
    pandas.DataFrame
        Per class (most before first): ``before``, ``after`` (counts in the unit),
        ``share_before``, ``share_after`` (fractions), ``gain`` (after / before);
        ``attrs["unit"]`` names the unit.
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

    Parameters
    ----------
    catalog : Catalog
        Detection or segmentation.
    plan : ResamplingPlan
        A plan over the catalog's sampling keys.
    keys : pandas.Series, optional
        The key per image the plan was made from; default :func:`sampling_keys`. Images
        without a key are not drawn.

    Returns
    -------
    pandas.DataFrame
        As :func:`units_per_epoch`: instances (pixels) per class before and after, without
        the background class when counted in instances.

    Raises
    ------
    Lacks
        When each image holds one class (no boxes or masks).
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
