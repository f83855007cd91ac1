"""Notebook 01's prose on the counts: the dataset's overview, what the loader skipped, its
units, the checklist's thresholds and its long tail. Conditions are in
:mod:`.condition_prose`, label checks in :mod:`.quality_prose`."""

from __future__ import annotations

import numpy as np
from IPython.display import Markdown

from workbench import measure
from workbench.catalog import Catalog
from workbench.narrative.words import TASK_WORDS, _classes, _list, _n, _pct


def overview(catalog: Catalog) -> Markdown:
    """What the dataset is, what it has and lacks, and its headline imbalance.

    Parameters
    ----------
    catalog : Catalog
        Any task.

    Returns
    -------
    Markdown
        A paragraph.
    """
    has = [f"{_n(len(catalog))} images", f"{len(catalog.classes)} classes"]
    if len(catalog.objects):
        has.append(f"{_n(len(catalog.objects))} boxes")
    if catalog.has_masks:
        has.append("class-index masks")
    elif len(catalog.pixels):
        has.append("pixel counts (no class-index mask files)")
    if "label" in catalog.samples.columns:
        has.append("an image label")
    extras = [("split", "a split"), ("group", "groups")]
    has += [text for column, text in extras if column in catalog.samples.columns]
    if catalog.conditions:
        has.append("the condition" + ("s " if len(catalog.conditions) > 1 else " ")
                   + _list(catalog.conditions))
    lacks = [text for column, text in [("label", "image label"), ("split", "split"),
                                       ("group", "groups")]
             if column not in catalog.samples.columns]
    if not catalog.conditions:
        lacks.append("conditions")
    unit = measure.default_unit(catalog)
    counts = measure.class_counts(catalog, unit=unit).total
    present = counts[counts > 0].sort_values(ascending=False)
    lines = [f"**This dataset** is a {catalog.task} set ({TASK_WORDS[catalog.task]}): "
             f"{_list(has, n=8)}."]
    if lacks:
        absent = _list([f"no {x}" for x in lacks], n=8)
        lines.append(f"It has {absent}; the sections that need "
                     f"{'it' if len(lacks) == 1 else 'them'} say so.")
    if len(present) >= 2:
        big, small = present.index[0], present.index[-1]
        # a box has one class, but an image can hold several: by images, the share is of the
        # images, not of the (class, image) pairs the counts add up to
        share = present.iloc[0] / (len(catalog) if unit == "images" else counts.sum())
        who = {"images": "a classifier that always answers",
               "instances": "a box classifier that always answers"}[unit]
        if unit == "images" and catalog.task != "classification":
            who = "an image classifier that always answers"
        lines.append(
            f"By {unit}, the largest class, **{big}** ({_n(present.iloc[0])}), outnumbers the "
            f"smallest, **{small}** ({_n(present.iloc[-1])}), "
            f"{present.iloc[0] / present.iloc[-1]:,.1f} to 1: {who} *{big}* is right "
            f"{_pct(share)} of the time and never finds a *{small}*.")
    empty = counts.index[counts == 0].astype(str).tolist()
    if empty and catalog.background not in empty:
        lines.append(f"{len(empty)} classes have no {unit} at all: {_list(empty)}.")
    return Markdown(" ".join(lines))


def loader_findings(catalog: Catalog) -> Markdown:
    """What the loader skipped, clipped or merged, by kind.

    Parameters
    ----------
    catalog : Catalog
        As loaded, with ``problems``.

    Returns
    -------
    Markdown
        A sentence and one item per kind.
    """
    problems = catalog.problems
    if not len(problems):
        return Markdown("The loader found nothing to skip, clip or merge: every image and "
                        "annotation was read as it is.")
    kinds = problems.groupby(["problem", "action"], sort=False).size()
    rows = "\n".join(f"- {n} {problem}: **{action}**" for (problem, action), n in kinds.items())
    return Markdown(f"The loader found {len(problems)} things to report, in {len(kinds)} "
                    f"kinds (each is listed by file and item in `catalog.problems`, shown "
                    f"below):\n\n{rows}")


def units(catalog: Catalog) -> Markdown:
    """How to read the counts table: images containing vs instances vs pixels.

    Parameters
    ----------
    catalog : Catalog
        Any task.

    Returns
    -------
    Markdown
        A paragraph.
    """
    table = measure.counts_by_unit(catalog)
    lines = []
    summed = table["share of images"].sum()
    others = [f"`share of {u}`" for u in ("instances", "pixels") if u in table.columns]
    if summed > 1.0001:
        lines.append(
            f"`share of images` is the fraction of all images that contain the class; the "
            f"column sums to {summed:.2f}, not 1, because an image can hold several classes."
            + (f" {' and '.join(others)} {'do' if len(others) > 1 else 'does'} sum to 1."
               if others else ""))
    else:
        lines.append("Each image holds one class here, so `share of images` sums to 1.")
    for unit in ("instances", "pixels"):
        if unit in table.columns:
            ratio = table[f"share of {unit}"] / table["share of images"].where(
                table["share of images"] > 0) * table["share of images"].sum()
            ratio = ratio.replace([np.inf, -np.inf], np.nan).dropna()
            ratio = ratio[table.loc[ratio.index, "images"] >= 10]  # not a class of 2 images
            if len(ratio) and (ratio.max() > 1.5 or ratio.min() < 1 / 1.5):
                low, high = ratio.idxmin(), ratio.idxmax()
                lines.append(
                    f"By {unit}, **{low}** is rarer than its images suggest "
                    f"({_pct(table.loc[low, f'share of {unit}'])} of the {unit}, in "
                    f"{_pct(table.loc[low, 'share of images'])} of the images) and "
                    f"**{high}** more common ({_pct(table.loc[high, f'share of {unit}'])} of "
                    f"the {unit}, in {_pct(table.loc[high, 'share of images'])} of the images).")
    return Markdown(" ".join(lines))


def thresholds(diagnosis: measure.Diagnosis) -> Markdown:
    """Which classes fall under the minimum count, and what the threshold means.

    Parameters
    ----------
    diagnosis : Diagnosis
        From :func:`workbench.measure.diagnose`.

    Returns
    -------
    Markdown
        A paragraph.
    """
    below = diagnosis.below_threshold()
    n, k = diagnosis.min_count, len(diagnosis.counts.total)
    if not below:
        return Markdown(f"Every class reaches `min_count = {n}` {diagnosis.counts.unit}.")
    total = diagnosis.counts.total
    return Markdown(
        f"{len(below)} of {k} classes have fewer than `min_count = {n}` "
        f"{diagnosis.counts.unit}: {_list([f'{c} ({_n(total[c])})' for c in below], n=6)}. "
        "The threshold is absolute on purpose: a class needs enough examples for its "
        "validation and test metrics to mean something (a class with 40 examples has 6 in a "
        "15% validation split, so its recall there moves in steps of 17 points), however "
        "small the whole dataset is.")


def long_tail(tail: measure.LongTail, catalog: Catalog) -> Markdown:
    """The long tail in the dataset's numbers, in its unit.

    Parameters
    ----------
    tail : LongTail
        The long-tail statistics.
    catalog : Catalog
        The dataset they were measured on.

    Returns
    -------
    Markdown
        A paragraph.
    """
    s = tail.summary()
    counted = f"{_n(s['total'])} {tail.unit}"
    if tail.unit == "images" and s["total"] > len(catalog):
        counted = (f"{_n(s['total'])} (class, image) pairs in {_n(len(catalog))} images (an "
                   "image holding several classes counts for each)")
    return Markdown(
        f"Counted in {tail.unit}: the {s['classes']} classes hold {counted}; the largest holds "
        f"{_pct(s['head_share'])}; {_classes(s['n_classes_50'])} half and "
        f"{_classes(s['n_classes_80'])} 80%. Gini {s['gini']:.2f} (0 is equal; "
        f"{(s['classes'] - 1) / s['classes']:.2f}, its most with {s['classes']} classes, when one "
        f"holds everything), evenness {s['evenness']:.2f} (1 is equal).")
