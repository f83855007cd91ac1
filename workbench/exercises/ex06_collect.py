"""Notebook 06's exercises (collect): the two-week collection playbook and the
one-page plan of the mini challenge."""

from __future__ import annotations

import math

from workbench.catalog import Catalog
from workbench.exercises.model import _n


def _model_playbook(_data=None) -> dict:
    """A playbook that passes the checker: the teacher's answer to exercise 2."""
    return {
        "target": 2000,
        "capacity_per_day": 300,
        "wheelchair_per_image": 0.4,
        "sourcing": [
            {"where": "hospital and rehabilitation-centre entrances",
             "when": "weekday daytime", "images_per_day": 100},
            {"where": "transit stations with ramps and lifts", "when": "weekday rush hours",
             "images_per_day": 80},
            {"where": "accessible parks and shopping streets", "when": "weekends, daytime",
             "images_per_day": 60},
        ],
        "quotas": {"Wheelchair": 96, "Pedestrian": 300},
        "selection_rule": {"score": "predicted_minority", "n_per_day": 60,
                           "classes": ["Wheelchair"]},
        "metrics": ["AP@0.5 Wheelchair", "PR AUC Wheelchair",
                    "recall Wheelchair with its interval", "mAP@0.5 over all classes"],
        "stop_rules": [
            {"quantity": "Wheelchair instances", "op": ">=", "value": 2000,
             "action": "stop collecting; finish labelling the backlog"},
            {"quantity": "recall half-width Wheelchair", "op": "<=", "value": 0.05,
             "action": "stop adding Wheelchair to the validation split"},
        ],
        "adjust_rules": [
            {"quantity": "Wheelchair per image", "op": "<", "value": 0.25,
             "action": "from day 3, move that source's images to the best-yielding source"},
            {"quantity": "annotator agreement", "op": "<", "value": 0.8,
             "action": "pause, re-brief the annotators on 20 reviewed Wheelchair boxes"},
            {"quantity": "AP@0.5 Wheelchair", "op": "<", "value": 0.5,
             "action": "on day 7, pick by entropy to find the confusions (strollers, walkers)"},
        ],
    }


def _playbook_problems(answer, _expected, _data) -> list[str]:
    from workbench.collect.playbook import check_playbook

    return [str(p) for p in check_playbook(answer)]


def _playbook_confirm(answer) -> str:
    from workbench.collect.playbook import playbook_summary

    return f"yes: it {playbook_summary(answer)}."


def _playbook_explained(playbook, _data) -> str:
    from workbench.collect.playbook import playbook_summary
    from workbench.collect.playbook_terms import CURRENT, DAYS, RARE_CLASS, TOTAL

    target, capacity = playbook["target"], playbook["capacity_per_day"]
    per_image = playbook["wheelchair_per_image"]
    sources = playbook["sourcing"]
    images = sum(s["images_per_day"] for s in sources)
    picks = playbook["selection_rule"]["n_per_day"]
    daily = min(playbook["quotas"][RARE_CLASS], images * per_image)
    where = "; ".join(f"{s['where']}, {s['when']} ({s['images_per_day']})" for s in sources)
    need = math.ceil((target - CURRENT) / DAYS)
    return (
        f"Aim for {target:,} {RARE_CLASS} ({target / CURRENT:.1f}x today's {CURRENT:,}): "
        f"{target - CURRENT:,} more in {DAYS} days, {need} a day. The team labels {capacity:,} "
        f"images a day: {images:,} from targeted collection where and when wheelchairs are "
        f"common ({where}) at {_n(per_image)} {RARE_CLASS} per image = {_n(daily)} a day, "
        f"plus {picks} active-learning picks ({playbook['selection_rule']['score']} among "
        f"the unlabelled fleet images, counted at 0). {CURRENT:,} + {DAYS} x {_n(daily)} = "
        f"{_n(CURRENT + DAYS * daily)}: the plan {playbook_summary(playbook)}. Validate on "
        f"{RARE_CLASS}'s own AP@0.5 and PR AUC, and its recall with an interval: accuracy "
        f"would read {1 - CURRENT / TOTAL:.1%} with no {RARE_CLASS} found. Stop when "
        f"{_rules(playbook['stop_rules'])}; change course when "
        f"{_rules(playbook['adjust_rules'])}.")


def _rules(rules) -> str:
    return "; ".join(f"{r['quantity']} {r['op']} {_n(r['value'])} ({r['action']})"
                     for r in rules)


def _one_page(catalog: Catalog, predictions=None) -> dict:
    """The page :func:`workbench.collect.one_page_plan` writes for the rarest class, its
    hard negatives from ``predictions``, by default from the baseline probe (trained on
    the chosen split)."""
    from workbench.collect import one_page_plan
    from workbench.evaluate import predictions_for
    from workbench.split import chosen_split

    split = catalog if "split" in catalog.samples.columns else chosen_split(catalog)
    if predictions is None:
        predictions = predictions_for(split)
    return one_page_plan(split, predictions=predictions).to_dict()


def _page_problems(answer, _expected, catalog) -> list[str]:
    from workbench.collect import check_page

    return check_page(answer, catalog)


def _page_explained(page, _catalog) -> str:
    return (f"The page for {page['class']!r}: {page['now']:,} {page['unit']} now, "
            f"{page['target']:,} in {page['days']} days at {page['capacity_per_day']:,} images "
            f"a day; collect at {page['collect']}; x{page['multiplier']:g} in the capped plan; "
            "its augmentations, two hard negatives (images without it that the model scores "
            "highest for it), its AP or PR AUC beside macro F1, and a stop rule in numbers. "
            "collect.one_page_plan(catalog, predictions=preds) writes it from the data.")
