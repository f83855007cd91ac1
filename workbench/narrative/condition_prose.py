"""Notebook 01's prose on conditions: hidden imbalance across them, the conditions derived
from pixels and boxes, and the mix of object sizes."""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from workbench import measure
from workbench.catalog import Catalog
from workbench.errors import Missing
from workbench.narrative.words import _list, _n, _pct


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
