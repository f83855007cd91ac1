"""Notebook 02's prose: the split the data came with, and the verdict on which split
to keep."""

from __future__ import annotations

from IPython.display import Markdown

from workbench.errors import Missing
from workbench.narrative.words import _count, _list, _n, _pct


def given_split(comparison) -> Markdown | Missing:
    """The split the data came with, as its report sees it.

    Parameters
    ----------
    comparison : SplitComparison
        From :func:`workbench.split.compare_splits`.

    Returns
    -------
    Markdown or Missing
        A paragraph, or a Missing (not echoed) when the data came without a split.
    """
    report = comparison.given
    if isinstance(report, Missing):  # the report cell that follows says it, once
        return Missing(report.reason, echo=False)
    sizes = ", ".join(f"{k} {_n(v)}" for k, v in report.sizes.items())
    lines = [f"**Your split**: {sizes} images."]
    if report.unassigned:
        lines.append(f"{_n(report.unassigned)} images are in no split and are left out here.")
    gap = report.max_share_gap
    lines.append(f"Its largest share gap is {_pct(gap.max())} ({gap.idxmax()}); on average a "
                 f"class's share of a split is {report.mean_share_gap * 100:.2f} points from "
                 "its share of all images.")
    if report.missing:
        lines.append(f"Classes missing from a split: "
                     f"{_list([f'{c} (no {s})' for c, s in report.missing])}: their metrics "
                     "there do not exist.")
    if report.leaking_groups:
        lines.append(f"{_count(len(report.leaking_groups), 'group')} "
                     f"{'straddles' if len(report.leaking_groups) == 1 else 'straddle'} "
                     "splits (leakage).")
    return Markdown(" ".join(lines))


def split_verdict(comparison, *, resplit: bool = False) -> Markdown:
    """Which split goes forward, and the numbers that justify it.

    Parameters
    ----------
    comparison : SplitComparison
        From :func:`workbench.split.compare_splits`.
    resplit : bool
        Pass over the data's own split.

    Returns
    -------
    Markdown
        A paragraph.
    """
    name, _ = comparison.chosen(resplit=resplit)
    gaps = {k: r.mean_share_gap * 100 for k, r in comparison.reports.items()}
    ranked = ", ".join(f"{k} {v:.2f}" for k, v in gaps.items())
    lines = [f"Mean share gap in points (lower is better): {ranked}."]
    if "yours" in comparison.reports:
        best = min((k for k in gaps if k != "yours"), key=gaps.get)
        if name == "yours":
            lines.append(
                f"**Your split is kept** (`resplit = False`): it is the one your results are "
                f"comparable with. The best alternative here, *{best}*, has a mean gap of "
                f"{gaps[best]:.2f} points against your {gaps['yours']:.2f}; set "
                "`resplit = True` to use it instead.")
        else:
            lines.append(f"`resplit = True`: **{name}** replaces your split.")
    else:
        lines.append(f"**{name}** goes forward: it is the strongest split this data supports.")
    report = comparison.reports[name]
    if report.leaking_groups is not None:
        who = "Your split" if name == "yours" else f"The {name} split"
        lines.append(f"{who} puts {_count(len(report.leaking_groups), 'group')} in two "
                     "splits.")
    if report.missing:
        lines.append(f"{len(report.missing)} (class, split) pairs are empty: "
                     f"{_list([f'{c} in {s}' for c, s in report.missing])}.")
    return Markdown(" ".join(lines))
