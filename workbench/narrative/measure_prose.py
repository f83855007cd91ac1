"""Notebook 01's prose: the dataset's overview, its units, its long tail, hidden
imbalance, derived conditions and what the label checks found."""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import Markdown

from workbench import measure
from workbench.catalog import Catalog
from workbench.errors import Missing
from workbench.narrative.words import TASK_WORDS, _classes, _count, _list, _n, _pct


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


def _ranked(overview: pd.DataFrame) -> str:
    return "; ".join(f"{r.condition} (p = {r.p_value:.2g})" for r in overview.itertuples())


def hidden(diagnosis: measure.Diagnosis, catalog: Catalog) -> Markdown | Missing:
    """Where imbalance hides, in numbers; or why it cannot be tested.

    Parameters
    ----------
    diagnosis : Diagnosis
        From :func:`workbench.measure.diagnose`.
    catalog : Catalog
        The dataset.

    Returns
    -------
    Markdown or Missing
        A paragraph, or the Missing that says why there is no test.
    """
    result = diagnosis.hidden
    if isinstance(result, Missing):
        return result
    overview_table = measure.condition_overview(catalog, unit=result.unit)
    flagged = result.flagged()
    lines = []
    own = overview_table[~overview_table["derived"]]
    derived = overview_table[overview_table["derived"]]
    if len(own):
        if len(own) > 1:
            lines.append(f"Of the data's own conditions, **{result.condition}** hides the "
                         f"most imbalance ({_ranked(own)}).")
        if len(derived):
            top = derived.iloc[0]
            lines.append(f"Of those derived from the pixels, {top.condition} departs most "
                         f"(p = {top.p_value:.2g}, {top.most_under_represented}); pixel "
                         "statistics follow what is in the image (a defect adds edges), so "
                         "the data's own conditions come first.")
    elif len(derived):
        lines.append(f"The data has no condition of its own; of those derived from the "
                     f"pixels, **{result.condition}** hides the most imbalance "
                     f"({_ranked(derived)}). Pixel statistics follow what is in the image, "
                     "so read a gap there as a lead for where to look and collect, not as "
                     "proof.")
    if len(flagged) and result.p_value > 0.05:
        lines.append(
            f"Overall, the classes do not depart from the {result.condition} mix more than "
            f"chance would (chi-square p = {result.p_value:.2g}); the single largest gap is "
            "below, to be read with that in mind.")
    if len(flagged):
        (cls, value), row = flagged.index[0], flagged.iloc[0]
        lines.append(
            f"The largest gap: **{cls} at {value}**, {_n(row['count'])} {result.unit} where "
            f"{row['expected']:.1f} were expected if {cls} followed the overall "
            f"{result.condition} mix (adjusted residual {row['residual']:.2f}); "
            f"{_pct(row['class_mix'])} of {cls} is at {value} against "
            f"{_pct(row['overall_mix'])} of everything. A model validated mostly on the "
            f"other values can look fine and still miss {cls} at {value}.")
        if len(flagged) > 1:
            others = [f"{c} at {v}" for c, v in flagged.index[1:]]
            lines.append(f"Also under-represented: {_list(others)}.")
    else:
        lines.append(f"No class departs from the {result.condition} mix by more than "
                     f"{result.threshold} (chi-square p = {result.p_value:.2g}).")
    lines += list(result.notes)
    return Markdown(" ".join(lines))


def derived(before: Catalog, after: Catalog, ranges: pd.DataFrame) -> Markdown:
    """Which conditions were derived from the pixels and boxes, and what their levels mean.

    Parameters
    ----------
    before : Catalog
        Without the derived conditions.
    after : Catalog
        With them.
    ranges : pandas.DataFrame
        Each derived level's range (a ``property`` column).

    Returns
    -------
    Markdown
        A paragraph.
    """
    added = [c for c in after.conditions if c not in before.conditions]
    own = list(before.conditions)
    lines = []
    if own:
        lines.append(f"The data's own conditions: {_list(own)}.")
    if added:
        lines.append(f"Derived from the pixels and the headers: {_list(added)}, each binned "
                     "into levels (the table gives each level's range and how it was cut). "
                     "Pixel statistics partly follow what is in the image (a defect adds "
                     "edges and contrast), so they stand in where the data has no condition "
                     "and come after its own conditions.")
    dropped = sorted(set(ranges["property"]) - {c.removeprefix("derived_") for c in added})
    if dropped:
        lines.append(f"Left out because every image falls in one level: {_list(dropped)}.")
    if "size" in after.objects.columns:
        sizes = after.objects["size"].value_counts()
        lines.append("Each box also has its COCO size class: "
                     + ", ".join(f"{k} {_n(v)}" for k, v in sizes.items()) + ".")
    return Markdown(" ".join(lines))


def size_mix(result) -> Markdown | Missing:
    """Which classes are made of small (or large) objects.

    Parameters
    ----------
    result : HiddenImbalance or Missing
        Classes against the boxes' COCO size class.

    Returns
    -------
    Markdown or Missing
        A paragraph; a Missing as it is.
    """
    if isinstance(result, Missing):
        return result
    share = result.observed.div(result.observed.sum(axis=1), axis=0)
    lines = []
    for cls, row in share.iterrows():
        top = row.idxmax()
        if row[top] >= 0.6:
            lines.append(f"{_pct(row[top])} of **{cls}** boxes are {top}")
    text = ("; ".join(lines) + ".") if lines else "No class is mostly of one size."
    small = share["small"] if "small" in share.columns else None
    if small is not None and small.max() > 0:
        text += (f" The class whose boxes are most often small is **{small.idxmax()}** "
                 f"({_pct(small.max())}): small objects are the hardest to detect, so read "
                 "its recall per size (COCO's AP_small) rather than overall.")
    return Markdown(text)


def label_findings(issues, duplicates, catalog: Catalog) -> Markdown | Missing:
    """What the label checks found, in numbers.

    Parameters
    ----------
    issues : LabelIssues or Missing
        What the box checks found.
    duplicates : NearDuplicates
        The near-identical images.
    catalog : Catalog
        The dataset.

    Returns
    -------
    Markdown
        A paragraph.
    """
    lines = []
    if duplicates.n_groups:
        inflation = duplicates.inflation(catalog)
        worst = inflation["inflation"].idxmax()
        lines.append(
            f"**{_count(duplicates.n_groups, 'group')} of near-identical images** "
            f"({_n((duplicates.group >= 0).sum())} images, dHash within "
            f"{duplicates.max_distance} bits); they inflate **{worst}** most: "
            f"{_n(inflation.loc[worst, 'images'])} images but "
            f"{_n(inflation.loc[worst, 'distinct'])} distinct ones.")
        straddle = duplicates.straddling(catalog)
        if straddle is not None and len(straddle):
            lines.append(f"{_count(len(straddle), 'group')} of them "
                         f"{'lies' if len(straddle) == 1 else 'lie'} in more than one split "
                         f"({_list(straddle['splits'].tolist())}): the model is evaluated on "
                         "near-copies of its training images. Notebook 02 keeps each group "
                         "in one split.")
    else:
        lines.append(f"No near-identical images (dHash within {duplicates.max_distance} "
                     "bits).")
    if isinstance(issues, Missing):
        return Markdown(" ".join(lines) + " " + issues.reason)
    counts = issues.table["finding"].value_counts()
    boxes = counts.drop("near-duplicate image", errors="ignore")
    if len(boxes):
        lines.append("Box findings: " + ", ".join(f"{v} {k}" for k, v in boxes.items())
                     + ". Each is a place to look, not a verdict: a box nested in another "
                     "class's box can be a real overlap, an outlier a real odd object.")
    elif len(catalog.objects):
        lines.append("No duplicate, nested, degenerate or outlier box.")
    return Markdown(" ".join(lines))


def near_duplicate_groups(duplicates, catalog: Catalog) -> Markdown:
    """Whether near-identical images were put into groups for the splits.

    Parameters
    ----------
    duplicates : NearDuplicates
        The near-identical images.
    catalog : Catalog
        The dataset, with its split.

    Returns
    -------
    Markdown
        A paragraph.
    """
    if not duplicates.n_groups:
        return Markdown(f"No near-identical images (dHash within {duplicates.max_distance} "
                        "bits): nothing to keep together beyond the data's own groups.")
    straddle = duplicates.straddling(catalog)
    text = (f"{_count(duplicates.n_groups, 'group')} of near-identical images "
            f"({_n((duplicates.group >= 0).sum())} images) now share a group each, so the "
            "splits below keep every copy with its original.")
    if straddle is not None and len(straddle):
        text += (f" In your split, {_count(len(straddle), 'group')} "
                 f"{'lies' if len(straddle) == 1 else 'lie'} in more than one split: that is "
                 "counted as leakage below.")
    return Markdown(text)
