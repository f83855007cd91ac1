"""Exercise 2 of the lesson on class imbalance in computer vision: the annotation and
collection playbook.

Wheelchair has 800 of the 120,000 instances of a street-scene detection dataset. Write a
two-week playbook that collects and labels more of it: where and when to collect, how
many images and instances a day, which unlabelled images active learning picks, what is
measured on the validation split, and when to stop or change course.

The playbook is a plain dict, filled in a notebook cell from :func:`playbook_template`;
:func:`check_playbook` lists what it lacks or gets wrong, with the numbers, and
:func:`playbook_summary` says in one line what a sound one achieves.

>>> playbook = playbook_template()
>>> sorted(playbook)[:3]
['adjust_rules', 'capacity_per_day', 'metrics']
>>> [p.code for p in check_playbook(playbook)][:3]
['missing', 'missing', 'missing']
"""

from __future__ import annotations

import difflib
import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass

from workbench.collect.select import STRATEGIES

RARE_CLASS = "Wheelchair"
CURRENT = 800  # Wheelchair instances labelled today
TOTAL = 120_000  # instances of every class in the dataset
DAYS = 14

# the selection strategies of collect.select, but random: a baseline, not a selection rule
SCORES = tuple(s for s in STRATEGIES if s != "random")
OPS = (">=", ">", "<=", "<", "==")
MAX_PER_IMAGE = 3.0  # Wheelchair instances per street-scene image beyond which a rate is
#                      implausible (a hospital entrance rarely shows more than three)

QUANTITIES = {  # what a rule can measure, and how to name it in a rule
    "instances": "Wheelchair instances",  # labelled so far, of any class
    "images": "images labelled",  # so far, or per day
    "day": "day",  # of the plan, 1 to 14
    "yield": "Wheelchair per image",  # observed in the images labelled
    "ap50": "AP@0.5 Wheelchair",  # on the validation split
    "ap": "AP Wheelchair",  # at other IoU thresholds (COCO AP@[.5:.95])
    "pr_auc": "PR AUC Wheelchair",
    "recall": "recall Wheelchair",
    "precision": "precision Wheelchair",
    "f1": "F1 Wheelchair",
    "halfwidth": "recall half-width Wheelchair",  # of the recall interval
    "agreement": "annotator agreement",  # box IoU or kappa between two annotators
}
_FRACTIONS = {"ap50", "ap", "pr_auc", "recall", "precision", "f1", "halfwidth",
              "agreement"}

PROBLEM_KINDS = {
    "not_a_dict": "the playbook is not a dict",
    "missing": "a key is absent, None or empty",
    "unknown_key": "a key the playbook does not have (a misspelling?)",
    "wrong_type": "a value of the wrong type (text for a number, a dict for a list, ...)",
    "target": "the target is not above today's count, above the whole dataset, or needs an "
              "implausible rate",
    "per_image": "the expected Wheelchair per image is not positive or is implausible",
    "over_capacity": "the images a day (sources plus active-learning picks) exceed the "
                     "capacity",
    "quota_unsupported": "the Wheelchair quota is more than the images a day can yield",
    "short": "the daily Wheelchair yield does not reach the target within the days",
    "sourcing": "a source lacks where, when or images a day",
    "score": "the selection rule names no known score",
    "selection": "the selection rule's n_per_day or classes are not usable",
    "metrics": "the metrics lack Wheelchair's AP@0.5 or its PR AUC",
    "accuracy_only": "accuracy is the only metric",
    "unmeasurable": "a stop or adjust rule refers to no measurable quantity",
    "rule": "a rule lacks a comparison, a numeric threshold or an action, or its threshold "
            "is out of range",
}


@dataclass(frozen=True)
class Problem:
    """One thing a playbook lacks or gets wrong: ``code`` (one of :data:`PROBLEM_KINDS`),
    ``key`` (where: ``'target'``, ``'sourcing[1]'``, ``'stop_rules[0]'``) and
    ``message`` (what is wrong, with the numbers)."""

    code: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


def playbook_template() -> dict:
    """An empty playbook: every key present, nothing filled in.

    The keys (numbers are per day unless said otherwise):

    - ``target``: the Wheelchair instances to have by the end of day 14 (today: 800).
    - ``capacity_per_day``: images your team can label a day.
    - ``wheelchair_per_image``: Wheelchair instances you expect per image of targeted
      collection (measure it on the first day; street scenes rarely hold more than 3).
    - ``sourcing``: where and when to collect, a list of
      ``{"where": "hospital entrances", "when": "weekday daytime", "images_per_day": 100}``.
    - ``quotas``: instances to label a day per class, at least Wheelchair:
      ``{"Wheelchair": 90, "Pedestrian": 400}``.
    - ``selection_rule``: the active-learning pick from the unlabelled pool:
      ``{"score": "entropy", "n_per_day": 60, "classes": ["Wheelchair"]}``; ``score`` is
      one of :data:`SCORES`; add ``"wheelchair_per_image": 0.2`` if you count on the picks
      to bring Wheelchairs (default 0: they are picked to teach, not counted).
    - ``metrics``: what is measured on the validation split, as text:
      ``["AP@0.5 Wheelchair", "PR AUC Wheelchair", ...]``.
    - ``stop_rules`` and ``adjust_rules``: lists of
      ``{"quantity": "Wheelchair instances", "op": ">=", "value": 2000, "action": "stop"}``;
      ``quantity`` is a measurable quantity named in words, as in :data:`QUANTITIES`
      ("Wheelchair instances", "images labelled", "day", "Wheelchair per image",
      "AP@0.5 Wheelchair", "PR AUC Wheelchair", "recall Wheelchair", "F1 Wheelchair",
      "recall half-width Wheelchair", "annotator agreement", ...), ``op`` one of :data:`OPS`,
      ``value`` a number (metrics as fractions: 0.6, not 60%); an adjust rule's
      ``action`` says what changes.

    Images a day are the sources' ``images_per_day`` plus the selection rule's
    ``n_per_day``; they must fit in ``capacity_per_day``. The plan counts on
    ``min(quotas["Wheelchair"], source images x wheelchair_per_image + picks x their
    wheelchair_per_image)`` Wheelchairs a day.

    >>> playbook_template()["sourcing"]
    []
    """
    return {
        "target": None,
        "capacity_per_day": None,
        "wheelchair_per_image": None,
        "sourcing": [],
        "quotas": {},
        "selection_rule": {"score": None, "n_per_day": None, "classes": []},
        "metrics": [],
        "stop_rules": [],
        "adjust_rules": [],
    }


KEYS = tuple(playbook_template())


# -- reading the learner's values ----------------------------------------------------------------


def _number(value) -> float | None:
    """A finite real number (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _fmt(value: float) -> str:
    """2000 -> '2,000'; 0.4 -> '0.4'; 2166.666 -> '2,166.67'."""
    value = round(float(value), 2)
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0")


def _empty(value) -> bool:
    return value is None or (isinstance(value, (str, list, tuple, dict)) and len(value) == 0)


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _words(text: str) -> str:
    """Lower case, with 'average precision', 'precision-recall', 'area under the curve'
    and their run-together spellings replaced by ap, pr, auc; words and numbers split."""
    text = str(text).lower()
    text = re.sub(r"average[\s_-]*precision", " ap ", text)
    text = re.sub(r"precision[\s_/\-–—]*recall", " pr ", text)
    text = re.sub(r"area[\s_-]*under[\s_-]*(?:the[\s_-]*)?(pr[\s_-]*)?curve", r" \1 auc ", text)
    text = re.sub(r"\bau[\s_-]*prc\b|\bauc[\s_-]*pr\b|\bprauc\b|\bauprc\b", " pr auc ", text)
    text = re.sub(r"half[\s_-]*width", " halfwidth ", text)
    return " ".join(re.findall(r"[a-z]+|\d+(?:\.\d+)?|\.\d+", text))


def _mentions(text: str, cls: str) -> bool:
    squeeze = re.sub(r"[^a-z0-9]", "", str(text).lower())
    return re.sub(r"[^a-z0-9]", "", cls.lower()) in squeeze


def _is_ap50(words: list[str]) -> bool:
    if not ({"ap", "map"} & set(words)):
        return False
    values = {float(w) for w in words if w[0].isdigit() or w[0] == "."}
    return bool(values & {0.5, 50.0}) and not values & {0.95, 95.0}


def _is_pr_auc(words: list[str]) -> bool:
    return "pr" in words and "auc" in words


def metric_kind(text: str) -> str | None:
    """What a metric or a rule's quantity measures: a key of :data:`QUANTITIES`, or None.

    >>> [metric_kind(t) for t in ("Wheelchair AP50", "PR-AUC (Wheelchair)",
    ...  "average precision at IoU 0.5 for wheelchair", "AP@[.5:.95]", "when the team feels done")]
    ['ap50', 'pr_auc', 'ap50', 'ap', None]
    """
    words = _words(text).split()
    if _is_ap50(words):
        return "ap50"
    if _is_pr_auc(words):
        return "pr_auc"
    checks = [
        ("ap", bool({"ap", "map"} & set(words))),
        ("f1", "f" in words and "1" in words),
        ("halfwidth", "halfwidth" in words or ("width" in words and {"interval", "ci"}
                                               & set(words))),
        ("yield", "yield" in words or ("per" in words and {"image", "img"} & set(words))),
        ("recall", "recall" in words),
        ("precision", "precision" in words),
        ("agreement", bool({"agreement", "kappa"} & set(words))),
        ("instances", bool({"instances", "instance", "boxes", "count", "objects"}
                           & set(words))),
        ("images", bool({"images", "image", "labelled", "labeled", "annotated"}
                        & set(words))),
        ("day", bool({"day", "days"} & set(words))),
    ]
    return next((kind for kind, hit in checks if hit), None)


# -- the checker -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Numbers:
    """What a playbook adds up to, where its values allow it (None: cannot tell)."""

    capacity: float | None
    per_image: float | None
    source_images: float | None
    picks: float
    pick_yield: float
    quota: float | None

    @property
    def images(self) -> float | None:
        return None if self.source_images is None else self.source_images + self.picks

    @property
    def image_yield(self) -> float | None:
        """Wheelchairs a day the images give."""
        if self.source_images is None or self.per_image is None:
            return None
        return self.source_images * self.per_image + self.picks * self.pick_yield

    @property
    def daily(self) -> float | None:
        """Wheelchairs a day the plan counts on: its quota, if the images give it."""
        found = [v for v in (self.quota, self.image_yield) if v is not None]
        return round(min(found), 9) if found else None


def _numbers(playbook: Mapping) -> _Numbers:
    sources = playbook.get("sourcing")
    source_images = None
    if isinstance(sources, (list, tuple)) and sources:
        daily = [_number(s.get("images_per_day")) if isinstance(s, Mapping) else None
                 for s in sources]
        if all(d is not None and d > 0 for d in daily):
            source_images = float(sum(daily))
    rule = playbook.get("selection_rule")
    rule = rule if isinstance(rule, Mapping) else {}
    picks = _number(rule.get("n_per_day")) or 0.0
    pick_yield = _number(rule.get("wheelchair_per_image")) or 0.0
    quotas = playbook.get("quotas")
    quota = _number(_rare_quota(quotas)[1]) if isinstance(quotas, Mapping) else None
    capacity = _number(playbook.get("capacity_per_day"))
    per_image = _number(playbook.get("wheelchair_per_image"))
    return _Numbers(capacity=capacity if capacity and capacity > 0 else None,
                    per_image=per_image if per_image and per_image > 0 else None,
                    source_images=source_images, picks=max(picks, 0.0),
                    pick_yield=max(pick_yield, 0.0),
                    quota=quota if quota is not None and quota >= 0 else None)


def _rare_quota(quotas: Mapping) -> tuple[str | None, object]:
    """The key and value of the Wheelchair quota, matched without case or spaces."""
    for key, value in quotas.items():
        if re.sub(r"[^a-z0-9]", "", str(key).lower()) == RARE_CLASS.lower():
            return str(key), value
    return None, None


def check_playbook(playbook, *, current: int = CURRENT, total: int = TOTAL,
                   days: int = DAYS) -> list[Problem]:
    """Everything the playbook lacks or gets wrong (empty: it holds together).

    Each :class:`Problem` names the key and says what is wrong with numbers: images a
    day over the capacity, a target not reached in ``days`` (by how much, and the day it
    would be), a target not above ``current`` or above ``total``, a source without where
    or when, a selection rule with no known score, metrics without Wheelchair's AP@0.5
    or PR AUC, a rule on no measurable quantity. Missing keys and values of the wrong
    type are problems too, never an exception.

    >>> bad = playbook_template() | {"target": 700, "capacity_per_day": 300}
    >>> [str(p) for p in check_playbook(bad) if p.code == "target"]
    ['target: 700 is not above the 800 Wheelchair instances there are today']
    """
    if not isinstance(playbook, Mapping):
        return [Problem("not_a_dict", "playbook", (
            f"answer a dict, not a {type(playbook).__name__}: "
            "workbench.collect.playbook.playbook_template() gives one with every key"))]
    problems: list[Problem] = []
    for key in playbook:
        if key not in KEYS:
            close = difflib.get_close_matches(str(key), KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(Problem("unknown_key", str(key), (
                f"not a playbook key{hint}; the keys are {', '.join(KEYS)}")))
    totals = _numbers(playbook)
    problems += _check_target(playbook.get("target"), totals, current=current, total=total,
                              days=days)
    problems += _check_capacity(playbook.get("capacity_per_day"))
    problems += _check_per_image(playbook.get("wheelchair_per_image"))
    problems += _check_sourcing(playbook.get("sourcing"))
    problems += _check_quotas(playbook.get("quotas"))
    problems += _check_selection(playbook.get("selection_rule"))
    problems += _check_budget(totals, playbook.get("target"), current=current, days=days)
    problems += _check_metrics(playbook.get("metrics"), current=current, total=total)
    problems += _check_rules(playbook.get("stop_rules"), "stop_rules", days=days)
    problems += _check_rules(playbook.get("adjust_rules"), "adjust_rules", days=days)
    return problems


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


_VAGUE = {"any", "anywhere", "everywhere", "anytime", "always", "all", "random", "whenever",
          "wherever", "somewhere", "sometime", "tbd", "todo", "n a", "na", "unknown", "various"}


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


def playbook_summary(playbook, *, current: int = CURRENT, days: int = DAYS) -> str:
    """What a playbook achieves, in one line: the day it reaches its target and the
    images a day it uses.

    >>> playbook_summary({"target": 2000, "capacity_per_day": 300, "wheelchair_per_image": 0.4,
    ...                   "sourcing": [{"where": "a", "when": "b", "images_per_day": 300}],
    ...                   "quotas": {"Wheelchair": 120}})
    'reaches 2,000 Wheelchair on day 10 of 14 (120 a day) using 300 of 300 images a day'
    """
    if not isinstance(playbook, Mapping):
        return "not a playbook"
    n = _numbers(playbook)
    target = _number(playbook.get("target"))
    if target is None or not n.daily or n.images is None:
        return "cannot tell what it reaches: the target, sources or yields are missing"
    day = max(1, math.ceil((target - current) / n.daily - 1e-9))
    reach = (f"reaches {_fmt(target)} {RARE_CLASS} on day {day} of {days}" if day <= days
             else f"reaches {_fmt(current + days * n.daily)} of {_fmt(target)} {RARE_CLASS} "
                  f"by day {days}")
    capacity = f" of {_fmt(n.capacity)}" if n.capacity else ""
    return f"{reach} ({_fmt(n.daily)} a day) using {_fmt(n.images)}{capacity} images a day"
