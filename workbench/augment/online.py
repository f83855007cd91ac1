"""Online class-aware augmentation for a training loop: each sample augmented at its
rarest class's strength."""

from __future__ import annotations

from collections.abc import Sequence

import albumentations as A
import numpy as np
import pandas as pd

from workbench.augment.policy import DEFAULT_FAMILIES, _check_families, apply, check_sample, policy
from workbench.augment.strength import _level, class_strengths
from workbench.catalog import Catalog
from workbench.errors import DataError, some, warn_data
from workbench.mask_values import mask_lookup
from workbench.measure import class_counts


class ClassAwareAugmenter:
    """Online use: ``augmenter(image, boxes=..., labels=..., mask=..., label=...)``.

    The strength is that of the image's rarest class (from ``labels`` of the boxes, the
    mask's class ids and the image ``label``). Policies are built once per strength
    level (1/20 steps) and reused. The same ``seed`` gives the same sequence. A label
    that is not a class gets a warning (once per label), not a silent strength of 0.
    """

    def __init__(self, strengths: pd.Series, classes: Sequence[str], *,
                 families: Sequence[str] = DEFAULT_FAMILIES, task: str = "detection",
                 seed: int = 0, min_visibility: float = 0.3,
                 mask_values: Sequence[int] | None = None, ignore_index: int | None = 255):
        self.classes = list(classes)
        unknown = [c for c in strengths.index if str(c) not in set(map(str, self.classes))]
        if unknown:
            raise DataError(f"Strengths for {some(unknown)}, which are not classes "
                            f"({some(self.classes, n=20)}).")
        self.strengths = strengths.reindex(self.classes).fillna(0.0)
        self._by_name = {str(k): float(v) for k, v in self.strengths.items()}  # hot path
        mask_values = range(len(self.classes)) if mask_values is None else mask_values
        lookup = mask_lookup(list(mask_values), ignore_index, 255)
        # codes -1 (ignored) and -2 (no class) get 0; indexing with them would wrap round,
        # or fail with a single class
        self._by_value = np.where(lookup >= 0,
                                  self.strengths.to_numpy(float)[lookup.clip(min=0)], 0.0)
        self.families, self.task, self.min_visibility = _check_families(families), task, \
            min_visibility
        self.fill_mask = ignore_index if ignore_index is not None else 0
        self._rng = np.random.default_rng(seed)
        self._policies: dict[float, A.Compose] = {}
        self._warned: set[str] = set()

    @classmethod
    def from_catalog(cls, catalog: Catalog, *, strength: float = 1.0, unit: str = "images",
                     overrides=None, **kwargs) -> ClassAwareAugmenter:
        """An augmenter with each class's strength from its count in ``catalog``.

        Parameters
        ----------
        catalog : Catalog
            Gives the counts, classes, task and mask values.
        strength : float
            The rarest class's strength, in [0, 1].
        unit : {"images", "instances", "pixels"}
            What the counts count.
        overrides : mapping of str to float, optional
            Strengths set by hand, in [0, 1].
        **kwargs
            Passed to the constructor (``families``, ``seed``, ``min_visibility``).

        Returns
        -------
        ClassAwareAugmenter
            Ready to call on samples.
        """
        strengths = class_strengths(class_counts(catalog, unit=unit), strength=strength,
                                    overrides=overrides)
        return cls(strengths, catalog.classes, task=catalog.task,
                   mask_values=catalog.mask_values, ignore_index=catalog.ignore_index, **kwargs)

    def policy_for(self, strength: float) -> A.Compose:
        """The policy at ``strength``, rounded to a 1/20 level, built once per level.

        Parameters
        ----------
        strength : float
            In [0, 1].

        Returns
        -------
        albumentations.Compose
            The policy of that level.
        """
        level = _level(strength)
        if level not in self._policies:
            self._policies[level] = policy(level, families=self.families, task=self.task,
                                           min_visibility=self.min_visibility,
                                           seed=int(self._rng.integers(2**31)),
                                           fill_mask=self.fill_mask)
        return self._policies[level]

    def strength_of(self, labels=(), mask=None, label=None) -> float:
        """The strength of the rarest class among box labels, image label and mask ids.

        Parameters
        ----------
        labels : sequence of str
            Box labels.
        mask : numpy.ndarray, optional
            The stored mask values.
        label : str, optional
            The image label.

        Returns
        -------
        float
            In [0, 1]; 0 with no known class.
        """
        by_name = self._by_name
        names = [str(x) for x in labels] + ([str(label)] if label is not None else [])
        found = [by_name.get(x) for x in names]
        if None in found:
            self._warn_unknown({x for x, v in zip(names, found, strict=True) if v is None})
        best = max((v for v in found if v is not None), default=0.0)
        if mask is not None:
            values = np.flatnonzero(np.bincount(np.asarray(mask).ravel()))
            values = values[values < len(self._by_value)]
            best = max(best, float(self._by_value[values].max(initial=0.0)))
        return best

    def _warn_unknown(self, names: set[str]) -> None:
        new = sorted(names - self._warned)
        if new:
            self._warned |= set(new)
            warn_data(f"Labels {some(new)} are not classes of this augmenter "
                      f"({some(self.classes, n=20)}): they add no strength. Check the label "
                      "names, or build the augmenter from the same Catalog.")

    def __call__(self, image: np.ndarray, *, boxes=None, labels=(), mask=None, label=None):
        """Augment one sample; returns Albumentations' result dict (image, bboxes, labels,
        mask, applied_transforms)."""
        sample = check_sample(image, boxes=boxes, labels=labels, mask=mask)
        compose = self.policy_for(self.strength_of(sample["labels"], sample["mask"], label))
        return apply(compose, sample)
