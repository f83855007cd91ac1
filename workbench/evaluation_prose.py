"""Notebook 05's prose, computed from the evaluation in front of it.

Like :mod:`workbench.narrative`: every sentence states this dataset's numbers, and a
number whose interval is wide says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import Markdown

from workbench.errors import Missing, passes_missing
from workbench.narrative import _list, _n, _pct


@passes_missing
def source(predictions) -> Markdown:
    """What made the predictions, and, for the baseline probe, what it is not."""
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
    """The accuracy paradox in this split's numbers."""
    always, model = table.columns
    acc, bal = table.loc["accuracy", always], table.loc["balanced_accuracy", always]
    n = len(report.truth.sample_ids)
    return Markdown(
        f"On the {report.split or 'whole'} split ({_n(n)} images), a model that answers "
        f"*{always.removeprefix('always ').strip(chr(39))}* for every image is right "
        f"{_pct(acc)} of the time, yet its balanced accuracy is {_pct(bal)} and its "
        f"worst-class recall {table.loc['worst_class_recall', always]:.2f}. This model: "
        f"accuracy {_pct(table.loc['accuracy', model])}, balanced accuracy "
        f"{_pct(table.loc['balanced_accuracy', model])}, macro F1 "
        f"{table.loc['macro_f1', model]:.2f}, worst-class recall "
        f"{table.loc['worst_class_recall', model]:.2f}. Accuracy rewards the majority; read "
        "the per-class numbers below.")


@passes_missing
def per_class(report, *, halfwidth: float = 0.1) -> Markdown:
    """The rarest class's recall with its interval, and what would make it mean more."""
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
    """Macro AP and the rarest class's AP@0.5 with its interval."""
    if isinstance(report, Missing):
        return report
    macro = report.macro
    rare = report.rarest
    return Markdown(
        f"Over the classes with boxes in this split: AP@[.5:.95] {macro['ap']:.3f}, AP@0.5 "
        f"{macro['ap50']:.3f}, AR {macro['ar']:.3f} (pycocotools' matching). The rarest "
        f"class by boxes, {rare['text']}.")


@passes_missing
def segmentation(report) -> Markdown | Missing:
    """Mean IoU, frequency-weighted IoU, pixel accuracy and the worst class."""
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
    """Which slices are worse than the rest, in numbers."""
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
    """What per-class thresholds chosen on the validation split changed on the test split."""
    b, a = before.summary["value"], after.summary["value"]
    rare = before.to_frame().index[before.to_frame()["support"] > 0][0]
    rb, ra = before.to_frame().loc[rare, "recall"], after.to_frame().loc[rare, "recall"]
    return Markdown(
        f"Thresholds chosen for the best F1 on the validation split, then applied to the test "
        f"split: macro F1 {b['macro_f1']:.3f} -> {a['macro_f1']:.3f}, balanced accuracy "
        f"{b['balanced_accuracy']:.3f} -> {a['balanced_accuracy']:.3f}; {rare} recall "
        f"{rb:.2f} -> {ra:.2f}. No retraining, and no test image was used to choose them.")


@passes_missing
def hard(hard, catalog) -> Markdown:
    """What the hard negatives are."""
    table = hard.to_frame()
    if not len(table):
        return Markdown(f"The model raises no false alarm of {hard.cls} on this split.")
    if hard.level == "boxes":
        mistaken = table["overlaps_most"].value_counts()
        return Markdown(
            f"The {len(table)} most confident false {hard.cls} boxes (scores "
            f"{table['score'].min():.2f} to {table['score'].max():.2f}) sit on "
            f"{_list([f'{k} ({v})' for k, v in mistaken.items()])}: what the model mistakes "
            f"for {hard.cls}.")
    truths = table["truth"].value_counts()
    return Markdown(
        f"The {len(table)} images without {hard.cls} that the model scores highest for it "
        f"(scores {table['score'].min():.2f} to {table['score'].max():.2f}) are "
        f"{_list([f'{k} ({v})' for k, v in truths.items()])}. Look at them before boosting "
        f"them: a confident false alarm is sometimes a {hard.cls} the annotators missed, "
        "and then the fix is the label, not the model.")


@passes_missing
def strategies(comparison) -> Markdown | Missing:
    """Which strategy wins on macro F1, and whether the seeds' spread lets us tell."""
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
        f"({mean[worst]:.3f}); the lead over the runner-up is {gap:.3f}, {verdict}.")


@passes_missing
def calibration(tables: dict | Missing) -> Markdown | Missing:
    """The expected calibration error of each model, and which way the rebalanced one
    leans."""
    if isinstance(tables, Missing):
        return tables
    from workbench.evaluate import expected_calibration_error

    parts = [f"{name}: ECE {expected_calibration_error(t):.3f}" for name, t in tables.items()]
    text = (f"Expected calibration error (the mean gap between confidence and accuracy, "
            f"weighted by images): {_list(parts)}.")
    if len(tables) > 1:
        text += (" A model trained against the imbalance sees the rare classes more often than "
                 "they occur, so its probabilities for them run high: recalibrate (or adjust "
                 "the logits by the priors) before reading them as probabilities.")
    return Markdown(text)
