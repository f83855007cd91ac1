"""The checks of a playbook's parts: target, capacity, sourcing, quotas, selection rule,
budget, metrics, and the stop and adjust rules."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from workbench.collect.playbook_terms import (
    _FRACTIONS,
    _VAGUE,
    MAX_PER_IMAGE,
    OPS,
    QUANTITIES,
    RARE_CLASS,
    SCORES,
    Problem,
    _empty,
    _fmt,
    _is_ap50,
    _is_pr_auc,
    _mentions,
    _number,
    _Numbers,
    _rare_quota,
    _text,
    _words,
    metric_kind,
)


def _missing(key: str, what: str) -> Problem:
    return Problem("missing", key, f"missing: {what}")


def _wrong(key: str, value, what: str) -> Problem:
    return Problem("wrong_type", key, f"should be {what}, not {value!r}")


def _check_target(value, totals: _Numbers, *, current, total, days) -> list[Problem]:
    if _empty(value):
        return [_missing("target", f"the {RARE_CLASS} instances to have by day {days} "
                                   f"(today {current:,})")]
    target = _number(value)
    if target is None:
        return [_wrong("target", value, f"a number of {RARE_CLASS} instances")]
    if target <= current:
        return [Problem("target", "target", (
            f"{_fmt(target)} is not above the {current:,} {RARE_CLASS} instances there are "
            "today"))]
    if target > total:
        return [Problem("target", "target", (
            f"{_fmt(target)} is more than the {total:,} instances of every class in the "
            "dataset together"))]
    if totals.capacity:
        need = (target - current) / days
        per_image = need / totals.capacity
        if per_image > MAX_PER_IMAGE:
            return [Problem("target", "target", (
                f"reaching {_fmt(target)} from {current:,} in {days} days needs "
                f"{_fmt(math.ceil(need))} {RARE_CLASS} a day, {_fmt(per_image)} in each of "
                f"the {_fmt(totals.capacity)} images labelled a day; street scenes rarely "
                f"hold more than {_fmt(MAX_PER_IMAGE)}: lower the target"))]
    return []


def _check_capacity(value) -> list[Problem]:
    if _empty(value):
        return [_missing("capacity_per_day", "the images your team can label a day")]
    capacity = _number(value)
    if capacity is None:
        return [_wrong("capacity_per_day", value, "a number of images a day")]
    if capacity <= 0:
        return [Problem("wrong_type", "capacity_per_day",
                        f"should be a positive number of images a day, not {_fmt(capacity)}")]
    return []


def _check_per_image(value) -> list[Problem]:
    key = "wheelchair_per_image"
    if _empty(value):
        return [_missing(key, f"the {RARE_CLASS} instances you expect per image of targeted "
                              "collection")]
    per_image = _number(value)
    if per_image is None:
        return [_wrong(key, value, "a number of instances per image, e.g. 0.4")]
    if per_image <= 0:
        return [Problem("per_image", key, f"{_fmt(per_image)} would bring no {RARE_CLASS}: "
                                          "targeted collection should yield more than 0")]
    if per_image > MAX_PER_IMAGE:
        return [Problem("per_image", key, (
            f"{_fmt(per_image)} {RARE_CLASS} per image is implausible for street scenes "
            f"(rarely more than {_fmt(MAX_PER_IMAGE)}); measure it on the first day's images"))]
    return []


def _check_sourcing(sources) -> list[Problem]:
    example = {"where": "hospital entrances", "when": "weekday daytime", "images_per_day": 100}
    if _empty(sources):
        return [_missing("sourcing", f"where and when to collect, a list like [{example!r}]")]
    if not isinstance(sources, (list, tuple)):
        wrap = " (wrap the one source in [ ])" if isinstance(sources, Mapping) else ""
        return [_wrong("sourcing", sources, f"a list of sources like [{example!r}]{wrap}")]
    problems = []
    for i, source in enumerate(sources):
        key = f"sourcing[{i}]"
        if not isinstance(source, Mapping):
            problems.append(_wrong(key, source, f"a dict like {example!r}"))
            continue
        for field, what, eg in (
                ("where", "places", "'near hospitals', 'ramps', 'transit stations'"),
                ("when", "times", "'weekday daytime', 'weekends'")):
            text = _text(source.get(field))
            if not text:
                problems.append(Problem("sourcing", key, f"lacks {field} (e.g. {eg})"))
            elif _words(text) in _VAGUE:
                problems.append(Problem("sourcing", key, (
                    f"{field} {text!r} says nothing; name {what} {field} {RARE_CLASS} is "
                    f"more likely than elsewhere (e.g. {eg})")))
        n = _number(source.get("images_per_day"))
        if n is None or n <= 0:
            got = source.get("images_per_day")
            problems.append(Problem("sourcing", key, (
                "lacks images_per_day (a positive number)" if got is None else
                f"images_per_day should be a positive number, not {got!r}")))
    return problems


def _check_quotas(quotas) -> list[Problem]:
    if _empty(quotas):
        return [_missing("quotas", f"instances to label a day per class, e.g. "
                                   f"{{{RARE_CLASS!r}: 90, 'Pedestrian': 400}}")]
    if not isinstance(quotas, Mapping):
        return [_wrong("quotas", quotas, f"a dict of instances a day per class, e.g. "
                                         f"{{{RARE_CLASS!r}: 90}}")]
    problems = []
    key, _ = _rare_quota(quotas)
    if key is None:
        problems.append(_missing("quotas", f"{RARE_CLASS} (instances a day); the quotas name "
                                           f"{', '.join(map(str, quotas))}"))
    for cls, value in quotas.items():
        n = _number(value)
        if n is None or n < 0:
            problems.append(_wrong(f"quotas[{cls!r}]", value, "a number of instances a day"))
    return problems


def _score(value) -> str | None:
    name = re.sub(r"[^a-z]+", "_", str(value).lower()).strip("_")
    name = re.sub(r"_sampling$", "", name)
    return name if name in SCORES else None


def _check_selection(rule) -> list[Problem]:
    example = {"score": "entropy", "n_per_day": 60, "classes": [RARE_CLASS]}
    if rule is None or (isinstance(rule, Mapping) and all(_empty(v) for v in rule.values())):
        return [_missing("selection_rule", f"the active-learning pick, e.g. {example!r}")]
    if not isinstance(rule, Mapping):
        return [_wrong("selection_rule", rule, f"a dict like {example!r}")]
    problems = []
    score = rule.get("score")
    if _empty(score) or _score(score) is None:
        got = "no score" if _empty(score) else f"{score!r}"
        problems.append(Problem("score", "selection_rule", (
            f"names no known score ({got}); use one of {', '.join(SCORES)}")))
    n = rule.get("n_per_day")
    if n is None:
        problems.append(Problem("selection", "selection_rule", (
            "lacks n_per_day: how many images a day active learning picks (0 for none)")))
    elif _number(n) is None or _number(n) < 0:
        problems.append(Problem("selection", "selection_rule", (
            f"n_per_day should be a number of images a day, not {n!r}")))
    classes = rule.get("classes") or []
    if not (isinstance(classes, (list, tuple))
                                    and all(isinstance(c, str) for c in classes)):
        problems.append(Problem("selection", "selection_rule", (
            f"classes should be a list of class names, e.g. [{RARE_CLASS!r}], not "
            f"{classes!r}")))
    elif not classes and _score(score) in {"predicted_minority", "class_balanced"}:
        problems.append(Problem("selection", "selection_rule", (
            f"{_score(score)} favours some classes: name them, e.g. classes=[{RARE_CLASS!r}]")))
    return problems


def _check_budget(totals: _Numbers, target, *, current, days) -> list[Problem]:
    """Images a day against the capacity; the Wheelchair a day against the target."""
    problems = []
    n = totals
    if n.images is not None and n.capacity is not None and n.images > n.capacity + 1e-9:
        parts = f"{_fmt(n.source_images)} from sourcing"
        if n.picks:
            parts += f" + {_fmt(n.picks)} active-learning picks"
        problems.append(Problem("over_capacity", "capacity_per_day", (
            f"the plan labels {_fmt(n.images)} images a day ({parts}) but the team labels "
            f"{_fmt(n.capacity)} a day: {_fmt(n.images - n.capacity)} over; cut a source or "
            "the picks, or state the capacity you really have")))
    if n.quota is not None and n.image_yield is not None and n.quota > n.image_yield + 1e-9:
        problems.append(Problem("quota_unsupported", "quotas", (
            f"the {RARE_CLASS} quota of {_fmt(n.quota)} a day is more than the images give: "
            f"{_yield_sum(n)} = {_fmt(n.image_yield)} a day")))
    target = _number(target)
    if target is None or target <= current or n.daily is None:
        return problems
    reached = current + days * n.daily
    if reached + 1e-9 < target:
        short = math.ceil(target - reached - 1e-9)
        need = math.ceil((target - current) / days - 1e-9)
        when = (f"at this rate it reaches {_fmt(target)} on day "
                f"{math.ceil((target - current) / n.daily - 1e-9)}" if n.daily > 0
                else "at this rate it never does")
        problems.append(Problem("short", "quotas", (
            f"at {_fmt(n.daily)} {RARE_CLASS} a day{_limited_by(n)} the plan reaches "
            f"{current:,} + {days} x {_fmt(n.daily)} = {_fmt(math.floor(reached + 1e-9))} by "
            f"day {days}: {short:,} short of {_fmt(target)}; {when}. It needs {need:,} a day")))
    return problems


def _yield_sum(n: _Numbers) -> str:
    text = f"{_fmt(n.source_images)} images x {_fmt(n.per_image)}"
    if n.picks and n.pick_yield:
        text += f" + {_fmt(n.picks)} picks x {_fmt(n.pick_yield)}"
    return text


def _limited_by(n: _Numbers) -> str:
    if n.quota is not None and n.image_yield is not None and n.image_yield < n.quota:
        return f" (the images give {_fmt(n.image_yield)}, below the quota of {_fmt(n.quota)})"
    if n.quota is None:
        return f" ({_yield_sum(n)})"
    return ""


def _check_metrics(metrics, *, current, total) -> list[Problem]:
    example = f"['AP@0.5 {RARE_CLASS}', 'PR AUC {RARE_CLASS}']"
    if _empty(metrics):
        return [_missing("metrics", f"what is measured on the validation split, e.g. {example}")]
    if isinstance(metrics, str):
        metrics = [metrics]
    if not isinstance(metrics, (list, tuple)) or not all(isinstance(m, str) for m in metrics):
        return [_wrong("metrics", metrics, f"a list of metric names, e.g. {example}")]
    problems = []
    words = [_words(m).split() for m in metrics]
    if all("accuracy" in w and "balanced" not in w for w in words):
        problems.append(Problem("accuracy_only", "metrics", (
            f"accuracy alone hides {RARE_CLASS}: with {current:,} of {total:,} instances, "
            f"never finding one still scores {1 - current / total:.1%}")))
    about_rare = [w for m, w in zip(metrics, words, strict=True) if _mentions(m, RARE_CLASS)]
    lacking = [name for name, found in (
        (f"AP@0.5 of {RARE_CLASS}", any(_is_ap50(w) for w in about_rare)),
        (f"PR AUC of {RARE_CLASS}", any(_is_pr_auc(w) for w in about_rare))) if not found]
    if lacking:
        overall = any(_is_ap50(w) or _is_pr_auc(w) for w in words)
        note = (f"; a metric that does not name {RARE_CLASS} averages it away among the "
                "common classes" if overall else "")
        problems.append(Problem("metrics", "metrics", (
            f"lack {' and '.join(lacking)} (e.g. {example}){note}")))
    return problems


def _check_rules(rules, key: str, *, days: int) -> list[Problem]:
    stop = key == "stop_rules"
    example = ({"quantity": f"{RARE_CLASS} instances", "op": ">=", "value": 2000,
                "action": "stop"} if stop else
               {"quantity": f"{RARE_CLASS} per image", "op": "<", "value": 0.2,
                "action": "move ramp images to transit stations"})
    if _empty(rules):
        return [_missing(key, f"when to {'stop' if stop else 'change course'}, a list like "
                              f"[{example!r}]")]
    if not isinstance(rules, (list, tuple)):
        wrap = " (wrap the one rule in [ ])" if isinstance(rules, Mapping) else ""
        return [_wrong(key, rules, f"a list of rules like [{example!r}]{wrap}")]
    problems = []
    known = ", ".join(map(repr, QUANTITIES.values()))
    for i, rule in enumerate(rules):
        where = f"{key}[{i}]"
        if isinstance(rule, str):
            if metric_kind(rule) is None:
                problems.append(Problem("unmeasurable", where, (
                    f"{rule!r} refers to nothing measurable; name a quantity ({known}) with "
                    f"a number, as a dict like {example!r}")))
            else:
                problems.append(Problem("rule", where, (
                    f"{rule!r} is text; write it as a dict like {example!r} so it can be "
                    "checked every day")))
            continue
        if not isinstance(rule, Mapping):
            problems.append(_wrong(where, rule, f"a dict like {example!r}"))
            continue
        quantity = rule.get("quantity")
        kind = metric_kind(quantity) if isinstance(quantity, str) and quantity.strip() else None
        if kind is None:
            got = "no quantity" if _empty(quantity) else repr(quantity)
            problems.append(Problem("unmeasurable", where, (
                f"{got} is not a measurable quantity; use one of {known}")))
        op = rule.get("op")
        if op not in OPS:
            problems.append(Problem("rule", where, (
                f"op should be one of {', '.join(OPS)}, not {op!r}")))
        value = _number(rule.get("value"))
        if value is None:
            problems.append(Problem("rule", where, (
                f"value should be a number to compare the quantity with, not "
                f"{rule.get('value')!r}")))
        elif kind in _FRACTIONS and not 0 <= value <= 1:
            problems.append(Problem("rule", where, (
                f"{quantity} is a fraction between 0 and 1: write {_fmt(value / 100)}, not "
                f"{_fmt(value)}" if 1 < value <= 100 else
                f"{quantity} is a fraction between 0 and 1, not {_fmt(value)}")))
        elif kind == "day" and not 1 <= value <= days:
            problems.append(Problem("rule", where, (
                f"day {_fmt(value)} is outside the {days} days of the plan")))
        elif kind in {"instances", "images", "yield"} and value < 0:
            problems.append(Problem("rule", where, f"{quantity} is never below 0"))
        if not stop and not _text(rule.get("action")):
            problems.append(Problem("rule", where, (
                "lacks an action: what changes when the rule fires (a source, a quota, the "
                "selection score)")))
    return problems
