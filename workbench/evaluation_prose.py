"""Notebook 05's prose, computed from the evaluation in front of it.

Like :mod:`workbench.narrative`: every sentence states this dataset's numbers, and a
number whose interval is wide says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import Markdown

from workbench.errors import Missing, passes_missing
from workbench.narrative.words import _list, _n, _pct


@passes_missing
def source(predictions) -> Markdown:
    """What made the predictions, and, for the baseline probe, what it is not.

    Parameters
    ----------
    predictions : Predictions
        The predictions evaluated.

    Returns
    -------
    Markdown
        A sentence, or the probe's warning.
    """
    if predictions.probe:
        return Markdown(
            f"> **Baseline probe, not your model.** {predictions.source}. With no predictions "
            "given, the workbench trains this small probe on your train split so the "
            "sections below have numbers to show. They say how hard each class is for a "
            "simple model and rank images for hard negatives; they do not say how your "
            "model does. Pass `predictions=\"probs:...\"`, `\"coco-results:...\"`, "
            "`\"yolo-pred:...\"` or `\"masks-pred:...\"` to evaluate your own.")
    return Markdown(f"Evaluating **{predictions.source}**.")


@passes_missing
def paradox(table: pd.DataFrame, report) -> Markdown:
    """The accuracy paradox in this split's numbers, and where a constant answer wins.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`workbench.evaluate.paradox`.
    report : ClassificationReport
        The report it came from.

    Returns
    -------
    Markdown
        A paragraph.
    """
    always, model = table.columns
    answer = always.removeprefix("always ").strip(chr(39))
    n = len(report.truth.sample_ids)
    text = (f"On the {report.split or 'whole'} split ({_n(n)} images), a model that answers "
            f"*{answer}* for every image scores accuracy {_pct(table.loc['accuracy', always])}, "
            f"balanced accuracy {_pct(table.loc['balanced_accuracy', always])} and worst-class "
            f"recall {table.loc['worst_class_recall', always]:.2f}. This model: accuracy "
            f"{_pct(table.loc['accuracy', model])}, balanced accuracy "
            f"{_pct(table.loc['balanced_accuracy', model])}, macro F1 "
            f"{table.loc['macro_f1', model]:.2f}, worst-class recall "
            f"{table.loc['worst_class_recall', model]:.2f}.")
    wins = [m.replace("_", " ") for m in table.index if table.loc[m, always] > table.loc[m, model]]
    if not report.truth.single_label:
        text += (" Images here hold several classes, so each class is a yes/no question and "
                 "balanced accuracy is, per class, the mean of recall and specificity.")
    if wins:
        text += (f" The constant answer beats this model on {_list(wins)}: on this split those "
                 "numbers reward saying the common answer (or yes to a class in most images). "
                 "Read precision and specificity beside recall below.")
    else:
        text += " Accuracy rewards the majority; read the per-class numbers below."
    return Markdown(text)


@passes_missing
def per_class(report, *, halfwidth: float = 0.1) -> Markdown:
    """The rarest class's recall with its interval, and what would make it mean more.

    Parameters
    ----------
    report : ClassificationReport
        The report.
    halfwidth : float
        Recall intervals wider than +- this (a fraction) mean little.

    Returns
    -------
    Markdown
        A paragraph.
    """
    table = report.to_frame()
    absent = list(table.index[table["support"] == 0])
    table = table[table["support"] > 0]
    rare = table.index[0]
    row = table.loc[rare]
    uncertain = list(report.uncertain(halfwidth=halfwidth).intersection(table.index))
    text = (f"The rarest class here, **{rare}**, has {_n(row['support'])} test images: recall "
            f"{row['recall']:.2f} ({report.confidence:.0%} interval {row['recall_low']:.2f} to "
            f"{row['recall_high']:.2f}), F1 {row['f1']:.2f} ({row['f1_low']:.2f} to "
            f"{row['f1_high']:.2f}).")
    if rare in uncertain:
        text += (f" An interval that wide means little: about {_n(row['recall_more_10'])} "
                 f"more test images of {rare} would narrow it to +-0.10 "
                 f"({_n(row['recall_more_05'])} to +-0.05).")
    if uncertain:
        verb = "has" if len(uncertain) == 1 else "have"
        text += (f" {len(uncertain)} of {len(table)} classes {verb} a recall interval wider than "
                 f"+-{halfwidth:g}: {_list(uncertain)}. Compare models on them only when "
                 "their intervals do not overlap.")
    else:
        text += f" Every class's recall interval is within +-{halfwidth:g}."
    if absent:
        text += (f" No evaluated image holds {_list(absent)}: there is no number for "
                 f"{'it' if len(absent) == 1 else 'them'} at all.")
    return Markdown(text)


@passes_missing
def detection(report) -> Markdown | Missing:
    """Macro AP and the rarest class's AP50 with its interval.

    Parameters
    ----------
    report : DetectionReport or Missing
        The report.

    Returns
    -------
    Markdown or Missing
        A paragraph; a Missing as it is.
    """
    if isinstance(report, Missing):
        return report
    macro = report.macro
    rare = report.rarest
    return Markdown(
        f"Over the classes with boxes in this split: AP (IoU 0.5 to 0.95) {macro['ap']:.3f}, AP50 "
        f"{macro['ap50']:.3f}, AR {macro['ar']:.3f} (pycocotools' matching). The rarest "
        f"class by boxes, {rare['text']}.")


@passes_missing
def segmentation(report) -> Markdown | Missing:
    """Mean IoU, frequency-weighted IoU, pixel accuracy and the worst class.

    Parameters
    ----------
    report : SegmentationReport or Missing
        The report.

    Returns
    -------
    Markdown or Missing
        A paragraph; a Missing as it is.
    """
    if isinstance(report, Missing):
        return report
    table = report.to_frame().dropna(subset=["iou"])
    s = report.summary
    worst = table["iou"].idxmin()
    return Markdown(
        f"Mean IoU over classes {s['mean_iou']:.3f}, frequency-weighted IoU "
        f"{s['fw_iou']:.3f}, pixel accuracy {_pct(s['pixel_accuracy'])}: the pixel accuracy "
        f"and the frequency-weighted IoU are carried by the common classes. The worst class, "
        f"**{worst}**, has IoU {table.loc[worst, 'iou']:.3f} ({table.loc[worst, 'iou_low']:.3f}"
        f" to {table.loc[worst, 'iou_high']:.3f}).")


@passes_missing
def slices(table: pd.DataFrame | Missing, by: str) -> Markdown | Missing:
    """Which slices are worse than the rest, in numbers.

    Parameters
    ----------
    table : pandas.DataFrame or Missing
        From :func:`workbench.evaluate.slice_metrics`.
    by : str
        The condition sliced by.

    Returns
    -------
    Markdown or Missing
        A paragraph; a Missing as it is.
    """
    if isinstance(table, Missing):
        return table
    worse = table[table["worse"]]
    if not len(worse):
        shown = table.dropna(subset=["value"])
        widest = shown.assign(width=shown["high"] - shown["low"]).sort_values("width").iloc[-1]
        return Markdown(
            f"No class is measurably worse in one value of `{by}` than in the others: every "
            "slice's interval reaches the rest's value. The widest is "
            f"{widest['class']} at {widest['slice']} ({widest['low']:.2f} to "
            f"{widest['high']:.2f}, {_n(widest['n_images'])} images): too few to tell.")
    items = [f"{r['class']} at {r['slice']}: {r['value']:.2f} ({r['low']:.2f} to "
             f"{r['high']:.2f}) against {r['rest']:.2f} elsewhere"
             for _, r in worse.iterrows()]
    return Markdown(f"Worse than the rest, with the whole interval below: {_list(items)}. "
                    "That is where to collect more images, or to augment (notebook 04).")


@passes_missing
def thresholds(before, after, tuned: pd.DataFrame) -> Markdown:
    """What per-class thresholds chosen on the validation split changed on the test split.

    Parameters
    ----------
    before, after : ClassificationReport
        The test split's reports without and with the tuned thresholds.
    tuned : pandas.DataFrame
        From :func:`workbench.evaluate.tune_thresholds`.

    Returns
    -------
    Markdown
        A paragraph.
    """
    b, a = before.summary["value"], after.summary["value"]
    rare = before.to_frame().index[before.to_frame()["support"] > 0][0]
    rb, ra = before.to_frame().loc[rare, "recall"], after.to_frame().loc[rare, "recall"]
    text = (f"Thresholds chosen for the best F1 on the validation split, then applied to the "
            f"test split: macro F1 {b['macro_f1']:.3f} -> {a['macro_f1']:.3f}, balanced "
            f"accuracy {b['balanced_accuracy']:.3f} -> {a['balanced_accuracy']:.3f}; {rare} "
            f"recall {rb:.2f} -> {ra:.2f}. No retraining, and no test image was used to choose "
            "them.")
    yes = [c for c, share in zip(after.truth.classes, after.decisions.mean(axis=0), strict=True)
           if share > 0.95 and after.to_frame().loc[c, "support"] > 0]
    if yes and not after.truth.single_label:
        text += (f" But at its threshold {_list(yes)} is called present in nearly every image: "
                 "F1 rewards that for a class in most images. Choose such a class's threshold "
                 "for a target precision instead (the table's `threshold_at_precision`).")
    unreachable = list(tuned.index[tuned.get("threshold_at_precision", pd.Series(dtype=float))
                                   .isna()]) if "threshold_at_precision" in tuned else []
    if unreachable:
        text += (f" No threshold reaches the target precision for {_list(unreachable)} on the "
                 "validation split (NaN in the table).")
    return Markdown(text)


@passes_missing
def logit(table: pd.DataFrame) -> Markdown:
    """What logit adjustment did, and when it cannot help.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`workbench.evaluate.logit_comparison`.

    Returns
    -------
    Markdown
        A paragraph.
    """
    before, after = table.columns
    b, a = table.loc["macro_f1", before], table.loc["macro_f1", after]
    text = (f"Logit adjustment changes macro F1 from {b:.3f} to {a:.3f} and balanced accuracy "
            f"from {table.loc['balanced_accuracy', before]:.3f} to "
            f"{table.loc['balanced_accuracy', after]:.3f}.")
    if a < b:
        text += (" Here it hurts: it assumes the scores are the softmax of a model trained on "
                 "the imbalanced mix, so that subtracting the log priors undoes the mix. Scores "
                 "that are already balanced (class weights, resampling) or not softmax "
                 "outputs (pooled pixel scores, a probe) are over-corrected.")
    return Markdown(text)


@passes_missing
def hard(hard, catalog) -> Markdown:
    """What the hard negatives are.

    Parameters
    ----------
    hard : HardNegatives
        The hard negatives.
    catalog : Catalog
        The dataset (not used).

    Returns
    -------
    Markdown
        A paragraph.
    """
    table = hard.to_frame()
    if not len(table):
        return Markdown(f"The model raises no false alarm of {hard.cls} on this split.")
    if hard.level == "boxes":
        mistaken = table["overlaps_most"].value_counts()
        misplaced = int(mistaken.get(hard.cls, 0))
        others = mistaken.drop(hard.cls, errors="ignore")
        text = (f"The {len(table)} most confident false {hard.cls} boxes (on "
                f"{len(hard.sample_ids)} images; scores {table['score'].min():.2f} to "
                f"{table['score'].max():.2f}):")
        if misplaced:
            text += (f" {misplaced} overlap a true {hard.cls} by less than IoU 0.5: the "
                     f"{hard.cls} was found but boxed badly (a localisation error, not a "
                     "confusion);")
        if len(others):
            text += (f" {_list([f'{v} on {k}' for k, v in others.items()])}: what the model "
                     f"mistakes for {hard.cls}.")
        return Markdown(text.rstrip(";") + ("" if text.endswith(".") else "."))
    truths = table["truth"].value_counts()
    return Markdown(
        f"The {len(table)} images without {hard.cls} that the model scores highest for it "
        f"(scores {table['score'].min():.2f} to {table['score'].max():.2f}) are "
        f"{_list([f'{k} ({v})' for k, v in truths.items()])}. Look at them before boosting "
        f"them: a confident false alarm is sometimes a {hard.cls} the annotators missed, "
        "and then the fix is the label, not the model.")


@passes_missing
def strategies(comparison) -> Markdown | Missing:
    """Which strategy wins on macro F1, and whether the seeds' spread lets us tell.

    Parameters
    ----------
    comparison : StrategyComparison or Missing
        From :func:`workbench.evaluate.compare_strategies`.

    Returns
    -------
    Markdown or Missing
        A paragraph; a Missing as it is.
    """
    if isinstance(comparison, Missing):
        return comparison
    table = comparison.to_frame()
    mean = table[("macro_f1", "mean")] if isinstance(table.columns, pd.MultiIndex) else (
        table["macro_f1_mean"])
    std = table[("macro_f1", "std")] if isinstance(table.columns, pd.MultiIndex) else (
        table["macro_f1_std"])
    best, worst = mean.idxmax(), mean.idxmin()
    gap = mean[best] - mean.drop(best).max()
    if std.isna().all():
        verdict = ("but with one seed there is no spread to weigh it against: run several "
                   "(strategy_seeds) before trusting the order")
    else:
        spread = float(np.nanmax(std.to_numpy()))
        verdict = ("larger than the spread across seeds, so the ranking is likely to hold"
                   if gap > 2 * spread else "within the spread across seeds: more seeds or a "
                   "larger test split before trusting the order")
    return Markdown(
        f"**{best}** has the best mean macro F1 ({mean[best]:.3f}) and **{worst}** the worst "
        f"({mean[worst]:.3f}); the lead over the runner-up is {gap:.3f}, {verdict}. How they "
        f"were trained: {comparison.design}. Each run is shorter than the model evaluated "
        "above, so compare the strategies with each other, not with it; and each decides by "
        "the argmax of its scores, so a strategy that raises rare-class recall pays in false "
        "alarms on the common class (its accuracy) until thresholds are tuned (section 7).")


@passes_missing
def calibration(tables: dict | Missing) -> Markdown | Missing:
    """Each model's expected calibration error and which way it leans: over-confident
    (accuracy below confidence) or under-confident.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame, or Missing
        Reliability tables by model.

    Returns
    -------
    Markdown or Missing
        A paragraph; a Missing as it is.
    """
    from workbench.evaluate import expected_calibration_error

    parts = []
    for name, t in tables.items():
        used = t[t["n"] > 0]
        lean = float(((used["accuracy"] - used["confidence"]) * used["n"]).sum()
                     / used["n"].sum())
        way = ("under-confident: right more often than it claims" if lean > 0.01 else
               "over-confident: right less often than it claims" if lean < -0.01 else
               "about as often right as it claims")
        parts.append(f"{name}: ECE {expected_calibration_error(t):.3f}, {way}")
    text = ("Expected calibration error (the mean gap between top-1 confidence and accuracy, "
            f"weighted by images): {'; '.join(parts)}.")
    if len(tables) > 1:
        text += (" Training against the imbalance moves the probabilities: recalibrate on the "
                 "validation split (e.g. temperature scaling) before reading a score as a "
                 "probability or comparing thresholds across models.")
    return Markdown(text)
