"""Notebooks 03 and 04's prose: what a plan counts, what it does, what rides along,
the repeat factors, the augmentation strengths and the copies written."""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import Markdown

from workbench import measure
from workbench.catalog import Catalog
from workbench.errors import Missing
from workbench.narrative.words import _list, _n, _pct


def keys(catalog: Catalog, keys: pd.Series) -> Markdown:
    """What a plan counts (one key per image), and why it differs from images containing.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    keys : pandas.Series
        Sampling key per image (:func:`workbench.sample.sampling_keys`).

    Returns
    -------
    Markdown
        A paragraph.
    """
    from workbench.sample import NO_OBJECT, key_unit

    containing = measure.class_counts(catalog).total
    containing.index = containing.index.astype(str)
    counted = keys.astype(str).value_counts()
    if "label" in catalog.samples.columns and keys.notna().all() and \
            catalog.samples["label"].notna().all():
        rule = "its image label"
    else:
        rule = (f"the rarest class it contains (rarest by {key_unit(catalog)})"
                + ("" if "label" not in catalog.samples.columns else
                   ", or its label where it has one"))
    lines = [f"A resampling plan draws images, so each image is counted once, under its "
             f"**key**: {rule}."]
    differ = [(c, int(counted.get(c, 0)), int(containing[c])) for c in containing.index
              if int(counted.get(c, 0)) != int(containing[c]) and containing[c] > 0]
    if differ:
        c, k, n = max(differ, key=lambda t: t[2] - t[1])
        lines.append(
            f"That is why a class can have fewer keys than images containing it (notebook "
            f"01): **{c}** is in {_n(n)} images but is the key of {_n(k)}; the other "
            f"{_n(n - k)} are counted under a rarer class they also contain"
            + (" or under their image label" if "label" in catalog.samples.columns else "")
            + ".")
    if NO_OBJECT in counted.index:
        lines.append(f"{_n(counted[NO_OBJECT])} images hold no object; their key is "
                     f"`{NO_OBJECT}`, and the plan draws them like a class (negatives teach "
                     "what is not an object).")
    return Markdown(" ".join(lines))


def plan(plan, *, min_keep: float) -> Markdown:
    """What the plan does to each class, undersampling included.

    Parameters
    ----------
    plan : ResamplingPlan
        The plan.
    min_keep : float
        The floor it was made with, a fraction.

    Returns
    -------
    Markdown
        A paragraph.
    """
    frame = plan.to_frame()
    lines = [f"The plan draws {_n(plan.total)} samples per epoch."]
    capped = frame.index[frame["binding"] == "cap"].tolist()
    if capped:
        lines.append(f"{_list(capped)} {'reaches' if len(capped) == 1 else 'reach'} the "
                     f"{plan.max_oversample:g}x cap: "
                     "without it the rarest images would repeat many times per epoch and be "
                     "memorised.")
    under = frame[frame["effective"] < frame["count"]]
    if len(under):
        c = (under["count"] - under["effective"]).idxmax()
        seen = under.loc[c, "effective"] / under.loc[c, "count"]
        lines.append(
            f"It also **undersamples** {_list(under.index.tolist())}: {c} goes from "
            f"{_n(under.loc[c, 'count'])} images to {_n(under.loc[c, 'effective'])} per epoch, "
            f"so {_pct(1 - seen)} of its images are left out of each epoch (different ones "
            "each epoch)."
            + (f" That follows from `min_keep = {min_keep:g}` with the epoch size fixed; "
               "raise `min_keep` to keep more of each class." if min_keep < seen else ""))
    return Markdown(" ".join(lines))


def instance_mix(mix: pd.DataFrame | Missing) -> Markdown | Missing:
    """What a plan over images does to the per-class instances the loss sees.

    Parameters
    ----------
    mix : pandas.DataFrame or Missing
        From :func:`workbench.sample.plan_instance_mix`.

    Returns
    -------
    Markdown or Missing
        A paragraph; a Missing as it is.
    """
    if isinstance(mix, Missing):
        return mix
    unit = mix.attrs.get("unit", "instances")
    rare = mix["share_before"].where(mix["share_before"] > 0).idxmin()
    row = mix.loc[rare]
    change = row["share_after"] / row["share_before"]
    verdict = ("barely moves" if 0.9 <= change <= 1.1 else
               f"rises {change:.1f}-fold" if change > 1 else "falls")
    lines = [f"Per {unit.rstrip('s')}, the rarest class **{rare}** goes from "
             f"{_pct(row['share_before'])} to {_pct(row['share_after'])} of the {unit} seen "
             f"per epoch: it {verdict}."]
    if not verdict.startswith("rises"):
        lines.append("Images hold several classes, so drawing an image for its rare class "
                     "draws its common ones too. Where that caps what resampling can do, "
                     f"weight the loss per {unit.rstrip('s')} instead (section 4).")
    return Markdown(" ".join(lines))


def repeat(factors, catalog: Catalog) -> Markdown:
    """The repeat-factor threshold in use, and who rides along.

    Parameters
    ----------
    factors : RepeatFactors
        From :func:`workbench.sample.repeat_factors`.
    catalog : Catalog
        The dataset.

    Returns
    -------
    Markdown
        A paragraph.
    """
    from workbench.sample import default_repeat_threshold

    table = factors.class_table
    repeated = (factors.image_factors > 1).mean()
    auto = np.isclose(factors.threshold, default_repeat_threshold(catalog))
    lines = [f"Threshold `t = {factors.threshold:.3g}`"
             + (" (`\"auto\"`: the median class's image fraction here, so the classes in "
                "fewer images than the median are repeated; LVIS's 0.001 fits its 100k images "
                f"and would repeat nothing on {_n(len(catalog))})" if auto else "")
             + f". {_pct(repeated)} of the images get a repeat factor above 1."]
    ride = table[(table["class_factor"] <= 1) & (table["gain"] > 1.05)]
    if len(ride):
        c = ride["gain"].idxmax()
        lines.append(f"**{c}** is not rare, yet it gains {ride.loc[c, 'gain']:.2f}x: it "
                     "rides along in images repeated for a rarer class.")
    if catalog.task == "classification":
        lines.append("Each image holds one class here, so nothing rides along: the factors "
                     "are per-class multipliers, like the plan above without its cap.")
    return Markdown(" ".join(lines))


def strengths(strengths: pd.Series) -> Markdown:
    """The weakest and strongest class strengths, and how many classes are augmented.

    Parameters
    ----------
    strengths : pandas.Series
        Per class, in [0, 1].

    Returns
    -------
    Markdown
        One sentence.
    """
    s = strengths.sort_values()
    return Markdown(
        f"**{s.index[0]}** gets {s.iloc[0]:.2f} and **{s.index[-1]}** {s.iloc[-1]:.2f}; "
        f"{int((s > 0).sum())} of {len(s)} classes are augmented at all.")


def low_light(gap: dict | None, preview_class: str) -> Markdown:
    """Why the low-light family is shown, from notebook 01's finding or its absence.

    Parameters
    ----------
    gap : dict or None
        From :func:`workbench.measure.low_light_gap`.
    preview_class : str
        The class the night family is shown on.

    Returns
    -------
    Markdown
        A paragraph.
    """
    if gap is None:
        return Markdown(
            f"No condition of this dataset marks low light (a value such as *night* or "
            f"*dark* where a class is under-represented), so the `night` family is shown on "
            f"**{preview_class}** as an option, not as a remedy this data asks for.")
    return Markdown(
        f"Notebook 01 found **{gap['cls']}** under-represented at **{gap['value']}** "
        f"({gap['condition']}): {gap['count']} images where {gap['expected']:.1f} were "
        f"expected. The `night` family darkens, flattens and adds sensor noise, the way a "
        f"low-light camera does: {gap['cls']} images from the other conditions become "
        f"plausible {gap['value']} ones.")


def copies(plan, copies: Catalog) -> Markdown:
    """How many augmented copies were written per key, against what the plan asked.

    Parameters
    ----------
    plan : ResamplingPlan
        The plan.
    copies : Catalog
        From :func:`workbench.augment.materialize`.

    Returns
    -------
    Markdown
        One sentence.
    """
    written = copies.samples["key"].astype(str).value_counts() if "key" in \
        copies.samples.columns else pd.Series(dtype=int)
    parts = [f"{c}: {_n(n)}" for c, n in written.items()]
    return Markdown(f"{_n(len(copies))} augmented copies written ({_list(parts, n=6)}), "
                    f"each linked to its source image; the plan asked for exactly "
                    f"{_n(int((plan.effective - plan.count).clip(lower=0).sum()))}.")
