"""The mini challenge of the lesson on class imbalance in computer vision: one page, for
one minority class, that says what to collect, how to sample and augment it, which
hard negatives to add, what to measure and when to stop; written from the data.

:func:`one_page_plan` writes it; the learner edits it (``page.to_dict()`` is plain
data); :func:`check_page` says what is incomplete or does not agree with the data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import Lacks

FIELDS = ("class", "now", "target", "days", "capacity_per_day", "collect", "multiplier",
          "augmentations", "hard_negatives", "metrics", "stop_rule")
MAX_OVERSAMPLE = 5.0


@dataclass(frozen=True)
class OnePagePlan:
    """The page. ``collect``: where and how many images; ``multiplier``: the class's
    sampling multiplier in the capped resampling plan; ``augmentations``: three
    transforms of its policy; ``hard_negatives``: two images mistaken for it;
    ``metrics``; ``stop_rule``; ``notes``: what the data could not give."""

    cls: str
    now: int
    target: int
    days: int
    capacity_per_day: int
    collect: str
    multiplier: float
    augmentations: tuple[str, ...]
    hard_negatives: tuple[str, ...]
    metrics: tuple[str, ...]
    stop_rule: str
    unit: str = "instances"
    sampling_note: str = ""
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        """Plain data the learner can edit and hand to the checker.

        Returns
        -------
        dict
            The fields, ``cls`` as "class", tuples as lists.
        """
        data = asdict(self)
        data["class"] = data.pop("cls")
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in data.items()}

    def to_markdown(self) -> str:
        """The page as Markdown (:func:`page_markdown`).

        Returns
        -------
        str
            Markdown.
        """
        return page_markdown(self.to_dict())

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def __repr__(self) -> str:
        return self.to_markdown()


def page_markdown(page: dict) -> str:
    """The page as Markdown (from :meth:`OnePagePlan.to_dict` or an edited copy).

    Parameters
    ----------
    page : dict
        The page's fields.

    Returns
    -------
    str
        Markdown.
    """
    bullets = lambda items: "\n".join(f"- {i}" for i in items) or "- (none)"  # noqa: E731
    lines = [
        f"### One-page plan: {page.get('class')}",
        f"**Now** {page.get('now', 0):,} {page.get('unit', 'instances')}; **target** "
        f"{page.get('target', 0):,} in {page.get('days')} days at "
        f"{page.get('capacity_per_day', 0):,} images labelled a day.",
        f"**Collect:** {page.get('collect')}",
        f"**Sampling:** x{page.get('multiplier', 1):.2g} in the capped resampling plan "
        f"(at most {MAX_OVERSAMPLE:g}x){page.get('sampling_note', '')}.",
        "**Augmentations:**", bullets(page.get("augmentations", [])),
        "**Hard negatives to add:**", bullets(page.get("hard_negatives", [])),
        "**Metrics:**", bullets(page.get("metrics", [])),
        f"**Stop rule:** {page.get('stop_rule')}",
    ]
    if page.get("notes"):
        lines += ["**Not available here:**", bullets(page["notes"])]
    return "\n\n".join(lines)


def _augmentations(catalog: Catalog, cls: str, counts: pd.Series) -> tuple[str, ...]:
    """The leading transform of three families of the class's policy, at its strength."""
    from workbench.augment import DEFAULT_FAMILIES, class_strengths, policy

    strength = float(class_strengths(counts, strength=1.0)[cls])
    strength = max(strength, 0.25)  # a rare class is never left unaugmented
    out = []
    for family in DEFAULT_FAMILIES[:3]:
        transform = policy(strength, families=(family,), task=catalog.task).transforms[0]
        inner = getattr(transform, "transforms", None)
        name = type(transform).__name__ + (
            f"({' | '.join(type(t).__name__ for t in inner)})" if inner else "")
        out.append(f"{family}: {name} (strength {strength:.2f}, p {transform.p:.2f})")
    return tuple(out)


def one_page_plan(catalog: Catalog, cls: str | None = None, *, predictions=None,
                  days: int = 14, capacity_per_day: int | None = None,
                  multiplier: float = 2.0) -> OnePagePlan:
    """The page for ``cls`` (default: the rarest class, counted in instances when the
    data has boxes, else in images) from the data.

    - now and target: the class's count (instances with boxes, else images) and
      ``multiplier`` times it;
    - collect: the condition value that yields it most (:func:`where_to_collect`) and
      the images it takes, or the whole pool's rate when there is no condition;
    - capacity: by default the images a day that meet the target in ``days``;
    - sampling: the class's multiplier in ``plan_resampling`` capped at 5x;
    - augmentations: three transforms of its policy (``augment.class_strengths``);
    - hard negatives: the two images the model most confidently mistakes for it
      (``evaluate.hard_negatives``; needs ``predictions``);
    - metrics and the stop rule.

    Parameters
    ----------
    catalog : Catalog
        Any task.
    cls : str, optional
        The class to plan for.
    predictions : Predictions, optional
        For the hard negatives.
    days : int
        Days to reach the target.
    capacity_per_day : int, optional
        Images labelled a day.
    multiplier : float
        Target as a multiple of the count now.

    Returns
    -------
    OnePagePlan
        The page.
    """
    from workbench.collect.quotas import plan_quotas, yields_from
    from workbench.collect.where import rare_classes, where_to_collect
    from workbench.evaluate import hard_negatives
    from workbench.measure import class_counts
    from workbench.sample import plan_resampling, sampling_keys

    unit = "instances" if len(catalog.objects) else "images"
    counts = class_counts(catalog, unit=unit).total.rename(index=str)
    cls = cls or rare_classes(counts, background=catalog.background)[0]
    if cls not in counts.index or counts[cls] == 0:
        raise Lacks(f"{cls!r} has no {unit} in this dataset, so there is nothing to plan from; "
                    "pick a class it has.")
    now = int(counts[cls])
    target = int(np.ceil(now * multiplier))
    notes = []
    try:
        where = where_to_collect(catalog, classes=[cls], targets={cls: target}, unit=unit)
        best = where.best().loc[cls]
        by, source = where.condition, str(best["value"])
        collect = (f"{by} = {source!r}, where it is {best['rate']:.3f} per image "
                   f"({best['rate_low']:.3f}-{best['rate_high']:.3f}): about "
                   f"{best['images_needed']:,.0f} images ({best['needed_low']:,.0f}-"
                   f"{best['needed_high']:,.0f})")
        gaps = where.gaps
        if len(gaps):
            collect += (f"; and on purpose where it is under-represented: {by} = "
                        f"{gaps['value'].iloc[0]!r} ({gaps['count'].iloc[0]:,} of "
                        f"{gaps['expected'].iloc[0]:,.0f} expected)")
        yields = yields_from(catalog, by=by, unit=unit)
    except Lacks as lack:
        notes.append(f"Where to collect: {lack}")
        yields = yields_from(catalog, unit=unit)
        collect = (f"the pool as it comes, {yields.loc['pool', cls]:.3f} per image "
                   f"(no condition to route by)")
    quota = plan_quotas(counts, targets={cls: target}, days=days, yields=yields,
                        capacity_per_day="auto" if capacity_per_day is None
                        else capacity_per_day)
    capacity_per_day = quota.capacity_per_day
    met = quota.met_on[cls]
    keys = sampling_keys(catalog)
    plan = plan_resampling(keys, max_oversample=MAX_OVERSAMPLE)
    factor = float(plan.effective.get(cls, 0) / plan.count[cls]) if cls in plan.count.index \
        and plan.count[cls] else 1.0
    keyed = int(plan.count.get(cls, 0))
    sampling_note = ("" if "label" in catalog.samples.columns and catalog.samples["label"]
                     .notna().all() else
                     f"; images are keyed by the rarest class they hold: {keyed:,} are keyed "
                     f"{cls}" + ((", the most of any key" if keyed == int(plan.count.max())
                                  else "") + ", so the plan draws them less"
                                 if factor < 1 else ""))
    hard: tuple[str, ...] = ()
    if predictions is None:
        notes.append("Hard negatives: no predictions given (notebook 05 makes them).")
    else:
        try:
            from workbench.catalog import indicator

            level = "images" if predictions.scores is not None else "boxes"
            mined = hard_negatives(catalog, predictions, cls=cls, split=None, n=50, level=level)
            # an image label can name another class while a box or mask holds this one
            holds = indicator(catalog)[cls]
            table = mined.table[~holds.reindex(mined.table["sample_id"]).to_numpy()]
            hard = tuple(f"{r.sample_id} (score {r.score:.2f})"
                         for r in table.drop_duplicates("sample_id").head(2).itertuples())
            if len(hard) < 2:
                notes.append(f"Hard negatives: fewer than two images without {cls} score "
                             "high for it.")
        except Lacks as lack:
            notes.append(f"Hard negatives: {lack}")
    boxes = len(catalog.objects) > 0
    metrics = ((f"AP@0.5 of {cls} (with its bootstrap interval)", f"PR AUC of {cls}",
                f"recall of {cls} at the tuned threshold", "macro F1 over classes")
               if boxes else
               (f"PR AUC (average precision) of {cls}", f"recall of {cls} (Wilson interval)",
                "macro F1 over classes", "balanced accuracy"))
    stop_rule = (f"stop when {cls} reaches {target:,} {unit} (expected on day "
                 + (f"{met:.0f}" if np.isfinite(met) else f"> {days}")
                 + f"); re-route a source whose yield of {cls} stays under 50% of plan for "
                 f"3 days; escalate when the 3-day rate projects the target past day {days}")
    return OnePagePlan(cls=cls, now=now, target=target, days=days,
                       capacity_per_day=int(capacity_per_day), collect=collect,
                       multiplier=round(factor, 2),
                       augmentations=_augmentations(catalog, cls, counts), hard_negatives=hard,
                       metrics=metrics, stop_rule=stop_rule, unit=unit,
                       sampling_note=sampling_note, notes=tuple(notes))


def check_page(page, catalog: Catalog) -> list[str]:
    """What is incomplete in ``page`` (a dict or an :class:`OnePagePlan`) or does not
    agree with ``catalog``: one sentence each; an empty list is a complete page.

    Parameters
    ----------
    page : dict or OnePagePlan
        The page.
    catalog : Catalog
        The data it should agree with.

    Returns
    -------
    list of str
        One sentence per problem.
    """
    from workbench.measure import class_counts

    if isinstance(page, OnePagePlan):
        page = page.to_dict()
    if not isinstance(page, dict):
        return [f"A page is a dict (page.to_dict()), got {type(page).__name__}."]
    problems = [f"'{key}' is missing." for key in FIELDS if page.get(key) in (None, "", [], ())]
    if problems:
        return problems
    cls, unit = str(page["class"]), page.get("unit", "instances")
    counts = class_counts(catalog, unit=unit).total.rename(index=str)
    if cls not in counts.index:
        return [f"{cls!r} is not a class of this dataset ({', '.join(counts.index)})."]
    if int(page["now"]) != int(counts[cls]):
        problems.append(f"'now' says {page['now']:,} but the data has {counts[cls]:,} {unit} "
                        f"of {cls!r}.")
    if page["target"] <= page["now"]:
        problems.append(f"The target ({page['target']:,}) is not above now ({page['now']:,}).")
    if not 0 < float(page["multiplier"]) <= MAX_OVERSAMPLE:
        problems.append(f"The sampling multiplier {page['multiplier']} is outside 0-"
                        f"{MAX_OVERSAMPLE:g}x: more than {MAX_OVERSAMPLE:g}x repeats of the same "
                        "images invite overfitting.")
    if len(page["augmentations"]) < 3:
        problems.append(f"Three augmentations are asked for; the page names "
                        f"{len(page['augmentations'])}.")
    named = [str(h).split(" ")[0] for h in page["hard_negatives"]]
    unknown = [h for h in named if h not in catalog.samples.index]
    if unknown:
        problems.append(f"Hard negatives {unknown} are not images of this dataset.")
    elif len(named) < 2:
        problems.append("Two hard negatives are asked for.")
    else:
        from workbench.catalog import indicator

        holds = indicator(catalog).loc[named, cls]
        if holds.any():
            problems.append(f"{list(holds[holds].index)} contain {cls}: a hard negative is an "
                            "image without it that the model mistakes for it")
    text = " ".join(map(str, page["metrics"])).lower()
    if cls.lower() not in text or not any(w in text for w in ("ap", "pr auc", "precision")):
        problems.append(f"The metrics name no ranking metric of {cls} (its AP or PR AUC).")
    if all(w in ("accuracy",) for w in text.replace(",", " ").split() if w.isalpha()):
        problems.append("Accuracy alone hides a rare class (the accuracy paradox).")
    rule = str(page["stop_rule"]).lower()
    if not any(ch.isdigit() for ch in rule) or cls.lower() not in rule:
        problems.append(f"The stop rule names no measurable quantity of {cls} with a number "
                        f"(e.g. 'stop when {cls} reaches {page['target']:,} {unit}').")
    return problems
