"""The playbook's terms: the lesson's numbers, the quantities a rule may measure, the
problems a check reports, and how a learner's values are read."""

from __future__ import annotations

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

    Parameters
    ----------
    text : str
        The metric or quantity in words.

    Returns
    -------
    str or None
        "ap50", "pr_auc", "ap", "f1", ...

    Examples
    --------
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


_VAGUE = {"any", "anywhere", "everywhere", "anytime", "always", "all", "random", "whenever",
          "wherever", "somewhere", "sometime", "tbd", "todo", "n a", "na", "unknown", "various"}
