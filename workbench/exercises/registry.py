"""Every exercise: its question, how its answer is computed, and its hints (an idea,
then the method) after a second and a third wrong answer."""

from __future__ import annotations

from dataclasses import replace

from workbench.exercises.ex01_measure import (
    _effective_ratio,
    _effective_ratio_diagnosis,
    _effective_ratio_explained,
    _most_over,
    _most_over_diagnosis,
    _most_over_explained,
    _most_pixels_per_image,
    _pixels_per_image_diagnosis,
    _pixels_per_image_explained,
)
from workbench.exercises.ex02_split import (
    FRACTIONS,
    _leak_share,
    _leak_share_diagnosis,
    _leak_share_explained,
    _naive_fewest_rare,
    _naive_fewest_rare_diagnosis,
    _naive_fewest_rare_explained,
)
from workbench.exercises.ex03_sample import (
    _exercise_1_plan,
    _explain_plan,
    _plan_problems,
    _worked_example_diagnosis,
    _worked_example_plan,
)
from workbench.exercises.ex04_augment import (
    _copies_at_double_cap,
    _copies_diagnosis,
    _copies_explained,
    _count_at_half,
    _count_at_half_diagnosis,
    _count_at_half_explained,
)
from workbench.exercises.ex05_evaluate import (
    _uncertain_f1,
    _uncertain_f1_diagnosis,
    _uncertain_f1_explained,
    _widest_precision,
    _widest_precision_diagnosis,
    _widest_precision_explained,
)
from workbench.exercises.ex06_collect import (
    _model_playbook,
    _one_page,
    _page_explained,
    _page_problems,
    _playbook_confirm,
    _playbook_explained,
    _playbook_problems,
)
from workbench.exercises.model import Exercise

EXERCISES: dict[str, Exercise] = {
    "01.pixels_per_image": Exercise(
        "Leaving out the background class (catalog.background), which class covers the most "
        "pixels per image it appears in (its pixels divided by the images that contain it)?",
        "(measure.class_counts(catalog, unit='pixels').total / "
        "measure.class_counts(catalog).total).drop(catalog.background).idxmax()",
        _most_pixels_per_image, diagnose=_pixels_per_image_diagnosis,
        explain=_pixels_per_image_explained),
    "01.effective_ratio": Exercise(
        "By their effective numbers of samples (beta = 0.999), how many times does the "
        "largest class outnumber the smallest? Answer to one decimal.",
        "e = measure.long_tail(measure.class_counts(catalog)).effective_numbers; "
        "e.max() / e.min()",
        _effective_ratio, diagnose=_effective_ratio_diagnosis,
        explain=_effective_ratio_explained, decimals=1),
    "01.most_over": Exercise(
        "Notebook 01's heatmap (section 4) shows the condition that hides the most imbalance. "
        "Take the condition measure.condition_overview(catalog) ranks second: which (class, "
        "condition value) has the most images above what independence predicts there, the "
        "largest positive adjusted residual? Answer a tuple (class, condition value).",
        "measure.hidden_imbalance(catalog, condition).residuals.stack().idxmax(), condition "
        "the second of measure.condition_overview(catalog)",
        _most_over, diagnose=_most_over_diagnosis, explain=_most_over_explained),
    "02.leak_share": Exercise(
        "With seed {seed}, what share of the groups (from 0 to 1, to two decimals) does the "
        "naive random split put in two or more splits?",
        "len(split.split_report(split.random_split(catalog, fractions=fractions, "
        "seed=seed)).leaking_groups) / catalog.samples['group'].nunique()",
        _leak_share, diagnose=_leak_share_diagnosis, explain=_leak_share_explained,
        decimals=2, params={"seed": 0, "fractions": FRACTIONS}),
    "02.naive_fewest_rare": Exercise(
        "Split naively with each seed from 0 to 9 (this notebook's fractions). What is the "
        "fewest images of the rarest class that val or test gets in any of the ten?",
        "min over s in range(10) of the rarest class's row of measure.class_counts("
        "split.random_split(catalog, fractions=fractions, seed=s), by='split').table, "
        "val and test columns",
        _naive_fewest_rare, diagnose=_naive_fewest_rare_diagnosis,
        explain=_naive_fewest_rare_explained, params={"seed": 0, "fractions": FRACTIONS}),
    "03.exercise_1": Exercise(
        "Car 6,000, Pedestrian 2,500, Bicycle 1,200, Wheelchair 300; 8,000 samples per epoch, "
        "at most 5x oversampling. How many of each per epoch, as equal as the cap allows and "
        "exactly 8,000 in all?",
        "the cap binds for Wheelchair (300 x 5); the others share the rest equally",
        lambda _: _exercise_1_plan().effective.to_dict(),
        problems=lambda a, e, d: _plan_problems(a, _exercise_1_plan()),
        explain=lambda e, d: _explain_plan(_exercise_1_plan()), needs=None),
    "03.worked_example": Exercise(
        "Background 50,000, Crack 1,500; max 5x, keep at least half of each class, 32,500 per "
        "epoch. How many Crack samples per epoch?",
        "sample.plan_resampling({...}, total=32500, max_oversample=5, min_keep=0.5)",
        lambda _: int(_worked_example_plan().effective["Crack"]),
        diagnose=_worked_example_diagnosis,
        explain=lambda e, d: _explain_plan(_worked_example_plan()), needs=None),
    "04.copies_at_double_cap": Exercise(
        "Notebook 04's plan (section 4) is capped at {max_oversample:g}x. With the cap "
        "doubled, how many augmented copies of the rarest key would materialize write?",
        "p = sample.plan_resampling(sample.sampling_keys(catalog), max_oversample=2 * "
        "max_oversample); k = p.count.idxmin(); p.effective[k] - p.count[k]",
        _copies_at_double_cap, diagnose=_copies_diagnosis, explain=_copies_explained,
        params={"max_oversample": 3.0}),
    "04.count_at_half": Exercise(
        "At global strength 1, a class with how many images would get strength 0.5? Answer "
        "to the nearest image.",
        "c = measure.class_counts(catalog).total; (c.max() * c[c > 0].min()) ** 0.5",
        _count_at_half, diagnose=_count_at_half_diagnosis, explain=_count_at_half_explained,
        decimals=0),
    "05.uncertain_f1": Exercise(
        "How many classes have an F1 interval wider than +-0.15 on this evaluation split "
        "(half of f1_high - f1_low)?",
        "t = report.to_frame(); ((t.f1_high - t.f1_low) / 2 > 0.15).sum()",
        _uncertain_f1, diagnose=_uncertain_f1_diagnosis, explain=_uncertain_f1_explained,
        needs="report"),
    "05.widest_precision": Exercise(
        "Which class has the widest precision interval (precision_high - precision_low)? "
        "(Then ask yourself: is it the rarest, and why?)",
        "t = report.to_frame(); (t.precision_high - t.precision_low).idxmax()",
        _widest_precision, diagnose=_widest_precision_diagnosis,
        explain=_widest_precision_explained, needs="report"),
    "06.exercise_2": Exercise(
        "Exercise 2 of the lesson on class imbalance in computer vision: Wheelchair has 800 of "
        "the 120,000 instances of a street-scene detection dataset. Write a two-week "
        "collection and annotation playbook: where and when to collect, quotas per class per "
        "day, an active-learning selection rule, validation metrics, and stop and adjust "
        "rules.",
        "start from workbench.collect.playbook.playbook_template(); the images a day (sources "
        "plus picks) must fit the capacity, 800 + 14 x the Wheelchair a day must reach the "
        "target, the metrics must include Wheelchair's AP@0.5 and PR AUC, and every rule "
        "compares a measurable quantity with a number",
        _model_playbook, problems=_playbook_problems, explain=_playbook_explained, needs=None,
        confirm=_playbook_confirm),
    "06.mini_challenge": Exercise(
        "The mini challenge of the lesson on class imbalance in computer vision: one page for "
        "one minority class (now and the two-week target, where to collect, the sampling "
        "multiplier, three augmentations, two hard negatives, the metrics, the stop rule). "
        "Answer the page (one_page.to_dict(), edited).",
        "start from collect.one_page_plan(catalog, predictions=preds).to_dict(); 'now' must be "
        "the data's count, the hard negatives images without the class, the metrics its AP "
        "or PR AUC, the stop rule a number",
        _one_page, problems=_page_problems, explain=_page_explained,
        confirm=lambda page: f"yes: the page for {page['class']!r} is complete and agrees "
                             "with the data.", uses_predictions=True),
}


# The hints after a second and a third wrong answer (an idea, then the method), and how to
# give the answers that are dicts. The code itself stays behind hint(name).
_LADDER = {
    "01.pixels_per_image": (
        "a class can be in few images and fill most of each (a large stain), or in many and "
        "fill little of each (a thin crack): what a segmentation loss sees is area",
        "per class, its pixels divided by the images that contain it; leave out the "
        "background and take the largest"),
    "01.effective_ratio": (
        "each new image of a class adds a little less than the one before, so large classes "
        "count for less than their size",
        "effective number = (1 - 0.999^n) / (1 - 0.999) for each class of n images; divide "
        "the largest effective number by the smallest"),
    "01.most_over": (
        "an adjusted residual is positive where a cell has more images than the margins "
        "predict, negative where it has fewer",
        "take the condition second in the overview; in its class x value table, expected = "
        "row total x column total / grand total, and the cell with the largest "
        "(observed - expected) / sqrt(expected x (1 - row share) x (1 - column share))"),
    "02.leak_share": (
        "a random split deals out images, not groups: near-duplicates of one scene can land "
        "in different splits",
        "split at random with the seed asked; for each group count the distinct splits its "
        "images land in; divide the groups with two or more by all the groups"),
    "02.naive_fewest_rare": (
        "a random split gives a rare class its fraction only on average: with a few dozen "
        "images, one seed can leave val or test a handful",
        "for each of the ten seeds, split at random and count the rarest class's images in "
        "val and in test; take the smallest of those twenty numbers"),
    "03.exercise_1": (
        "the objective is as equal as the cap allows, with the total exact: an equal share "
        "is 2,000 each, but no class may be drawn more than 5 times its count",
        "give a class whose cap is below the equal share its cap, share what is left "
        "equally among the others, and round so that the sum stays 8,000"),
    "03.worked_example": (
        "two limits hold at once: Crack at most 5x its count, Background at least half of "
        "its count",
        "give Crack as much as its cap allows and check that what is left for Background "
        "stays at or above its floor"),
    "04.copies_at_double_cap": (
        "materialize writes a copy for each draw beyond the images a key already has, and "
        "a plan keeps the epoch's total: a higher cap binds only where the equal share is "
        "above it",
        "plan over the sampling keys at twice the cap; for the key with the fewest images, "
        "its draws minus its images"),
    "04.count_at_half": (
        "strength follows rarity on a log scale: equal ratios of counts are equal steps of "
        "strength",
        "solve log(max / n) / log(max / min) = 0.5 for n, with max and min the largest and "
        "smallest image counts"),
    "05.uncertain_f1": (
        "an interval is wide when a class has few evaluation images; F1 combines precision "
        "and recall, so it carries the uncertainty of both",
        "half-width = (f1_high - f1_low) / 2 for each class of report.to_frame(); count the "
        "classes above 0.15"),
    "05.widest_precision": (
        "precision is a share of the images the model called a class; recall a share of the "
        "images that are that class",
        "precision_high - precision_low for each class of report.to_frame(); the class with "
        "the largest"),
    "06.exercise_2": (
        "every part of the playbook is a number someone can check: images a day, a quota, a "
        "metric with its threshold",
        "start from the template and fill each field with a number; check the capacity sum "
        "and that 800 + 14 x the Wheelchair a day reaches the target"),
    "06.mini_challenge": (
        "the page is this dataset's: its counts, its images, its metrics",
        "start from the one-page plan of this dataset and edit only what you would change"),
}


_FORMS = {
    "03.exercise_1": "a dict {class: samples per epoch}",
    "06.exercise_2": "a dict: start from collect.playbook_template() and fill it in",
    "06.mini_challenge": "a dict: start from collect.one_page_plan(catalog, "
                         "predictions=preds).to_dict() and edit it",
}


EXERCISES.update({name: replace(spec, concept=_LADDER[name][0], method=_LADDER[name][1],
                                form=_FORMS.get(name, ""))
                  for name, spec in EXERCISES.items()})
