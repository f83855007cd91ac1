"""A label hierarchy for sparse classes: merge them into a parent, split back later.

The lesson on class imbalance in computer vision: "merge into a parent class; split
later when data grows". :func:`merge_sparse` merges the classes under ``min_count``
into their parent (from a child -> parent mapping or a YAML file) or into one "small
classes" bucket; :func:`split_back` restores the fine labels on the merged Catalog (or
on a Catalog made from it: a subset, a split), so the merge is a value that
round-trips.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import DataError, check_integer, some

BUCKET = "small classes"


@dataclass(frozen=True)
class MergedLabels:
    """The merged ``catalog``, the ``mapping`` (merged child -> parent), the counts
    ``before`` and ``after`` (in ``unit``), and what :func:`split_back` needs: the fine
    labels of the images, boxes and pixel counts, by sample id and row."""

    catalog: Catalog
    mapping: dict[str, str]
    before: pd.Series
    after: pd.Series
    unit: str
    fine: Catalog = field(repr=False)
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One row per original class: its count, the class it is in now and that
        class's count.

        Returns
        -------
        pandas.DataFrame
            Indexed by original class: ``count``, ``now_in``, ``count_after`` (in the unit).
        """
        into = pd.Series({c: self.mapping.get(c, c) for c in self.before.index}, name="now_in")
        return pd.DataFrame({"count": self.before, "now_in": into,
                             "count_after": self.after.reindex(into.to_numpy()).to_numpy()})

    def __repr__(self) -> str:
        if not self.mapping:
            return f"MergedLabels(nothing merged: every class has enough {self.unit})"
        parents: dict[str, list[str]] = {}
        for child, parent in self.mapping.items():
            parents.setdefault(parent, []).append(child)
        parts = [f"{', '.join(children)} -> {parent!r} ({self.after[parent]:,} {self.unit})"
                 for parent, children in parents.items()]
        return (f"MergedLabels({len(self.before)} classes -> {len(self.after)}: "
                + "; ".join(parts) + ")")


def read_hierarchy(hierarchy) -> dict[str, str]:
    """A child -> parent mapping from a mapping or a YAML file holding either
    ``child: parent`` pairs or ``parent: [children]`` lists.

    Parameters
    ----------
    hierarchy : mapping, str or Path, optional
        The mapping or the YAML file; None gives ``{}``.

    Returns
    -------
    dict of str to str
        Child -> parent.

    Examples
    --------
    >>> read_hierarchy({"vehicle": ["car", "bus"], "tram": "vehicle"})
    {'car': 'vehicle', 'bus': 'vehicle', 'tram': 'vehicle'}
    """
    if hierarchy is None:
        return {}
    if isinstance(hierarchy, (str, Path)):
        import yaml

        path = Path(hierarchy)
        if not path.is_file():
            raise FileNotFoundError(f"No hierarchy file at {path}; give a YAML file of "
                                    "'child: parent' pairs or a mapping.")
        hierarchy = yaml.safe_load(path.read_text()) or {}
    if not isinstance(hierarchy, Mapping):
        raise ValueError("A hierarchy is a mapping child -> parent (or parent -> [children]); "
                         f"got {type(hierarchy).__name__}.")
    mapping = {}
    for key, value in hierarchy.items():
        if isinstance(value, (list, tuple)):
            mapping.update({str(child): str(key) for child in value})
        else:
            mapping[str(key)] = str(value)
    return mapping


def merge_sparse(catalog: Catalog, *, min_count: int, hierarchy=None, unit: str | None = None,
                 bucket: str = BUCKET) -> MergedLabels:
    """Merge every class with fewer than ``min_count`` (in ``unit``, by default the
    data-health checklist's) into its parent, or into ``bucket`` when it has none.

    The background class is never merged. Parents that are not classes yet are added
    after the kept classes, in the order they first occur.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    min_count : int
        Classes with fewer are merged (>= 1).
    hierarchy : mapping, str or Path, optional
        Child -> parent (:func:`read_hierarchy`).
    unit : {"images", "instances", "pixels"}, optional
        What is counted; default the checklist's (:func:`workbench.measure.default_unit`).
    bucket : str
        The class of sparse classes without a parent.

    Returns
    -------
    MergedLabels
        The merged Catalog, the mapping and the counts before and after.

    Examples
    --------
    >>> s = pd.DataFrame({"filepath": list("abcdef"), "width": 4, "height": 4,
    ...                   "label": ["car"] * 3 + ["bus", "tram", "van"]}, index=list("abcdef"))
    >>> c = Catalog(s, classes=["car", "bus", "tram", "van"])
    >>> m = merge_sparse(c, min_count=2, hierarchy={"tram": "rail"})
    >>> m.catalog.classes, m.after.to_dict()
    (('car', 'small classes', 'rail'), {'car': 3, 'small classes': 2, 'rail': 1})
    """
    from workbench.measure import class_counts, default_unit

    check_integer("min_count", min_count, least=1, func="merge_sparse")
    unit = unit or default_unit(catalog)
    before = class_counts(catalog, unit=unit).total
    before.index = before.index.astype(str)
    parents = read_hierarchy(hierarchy)
    sparse = [c for c in before.index[before < min_count] if c != catalog.background]
    mapping = {c: parents.get(c, bucket) for c in sparse}
    for child in mapping:  # a parent that is sparse itself passes its children on
        seen = {child}
        while mapping[child] in mapping and mapping[child] not in seen:
            seen.add(mapping[child])
            mapping[child] = mapping[mapping[child]]
    if catalog.background is not None and catalog.background in mapping.values():
        into_background = [k for k, v in mapping.items() if v == catalog.background]
        raise DataError(f"The hierarchy merges {some(into_background)} into the background "
                        f"class {catalog.background!r}: a sparse class is not background.")
    kept = [c for c in catalog.classes if c not in mapping]
    classes = tuple(dict.fromkeys([*kept, *mapping.values()]))
    notes = []
    changes = {"classes": classes}
    for name in ("objects", "pixels"):
        table = getattr(catalog, name)
        if len(table):
            changes[name] = table.assign(label=_merged(table["label"], mapping))
    if len(catalog.pixels):
        changes["pixels"] = changes["pixels"].groupby(["sample_id", "label"], observed=True,
                                                      as_index=False)["count"].sum()
    samples = catalog.samples
    if "label" in samples.columns:
        samples = samples.assign(label=_merged(samples["label"], mapping))
    if "mask_path" in samples.columns and mapping:
        samples = samples.drop(columns="mask_path")
        notes.append("The masks keep their fine classes, so the merged Catalog carries no "
                     "mask paths (its pixel counts are merged); split_back restores them.")
        changes["mask_values"] = None
    merged = catalog.replace(samples=samples, **changes)
    after = class_counts(merged, unit=unit).total
    after.index = after.index.astype(str)
    return MergedLabels(catalog=merged, mapping=mapping, before=before, after=after, unit=unit,
                        fine=catalog, notes=tuple(notes))


def _merged(labels: pd.Series, mapping: dict[str, str]) -> pd.Series:
    text = labels.astype(object).where(labels.notna())
    return text.replace(mapping) if mapping else text


def split_back(merged: MergedLabels, catalog: Catalog | None = None) -> Catalog:
    """The fine labels again, on ``catalog`` (default: the merged one) or on any Catalog
    made from it that keeps its sample ids and box rows (a subset, a split): its own
    columns (a new split, say) are kept, the labels, boxes and pixel counts are the fine
    ones of the same images.

    Parameters
    ----------
    merged : MergedLabels
        From :func:`merge_sparse`.
    catalog : Catalog, optional
        The merged Catalog or one made from it.

    Returns
    -------
    Catalog
        With the fine classes.
    """
    catalog = merged.catalog if catalog is None else catalog
    fine = merged.fine
    unknown = catalog.samples.index.difference(fine.samples.index)
    if len(unknown):
        raise DataError(f"split_back: {len(unknown)} images are not in the merged dataset, "
                        f"e.g. {some(unknown, n=3)}; it restores the labels of those it merged.")
    ids = catalog.samples.index
    samples = catalog.samples.copy()
    for column in ("label", "mask_path"):
        if column in fine.samples.columns:
            samples[column] = fine.samples.loc[ids, column]
    subset = fine.subset(ids)
    return catalog.replace(samples=samples, classes=fine.classes, objects=subset.objects,
                           pixels=subset.pixels, mask_values=fine.mask_values)
