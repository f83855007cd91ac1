"""Notebook 01's prose on what the label checks found: label issues per class and groups of
near-duplicate images."""

from __future__ import annotations

from IPython.display import Markdown

from workbench.catalog import Catalog
from workbench.errors import Missing
from workbench.narrative.words import _count, _list, _n


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
