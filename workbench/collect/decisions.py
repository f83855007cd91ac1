"""Decisions from a labelling log: what to do next when labelling departs from the plan.

:func:`stop_decisions` compares what was labelled, day by day and source by source, with a
:class:`~workbench.collect.quotas.QuotaPlan`: per class, stop (target met), continue or
escalate (at the recent rate it would be met past the horizon); per source, continue or
re-route (it yields well under what was planned). :func:`example_log` writes a log to try
them on, with one source under-yielding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.collect.quotas import QuotaPlan
from workbench.errors import some


@dataclass(frozen=True)
class StopDecisions:
    """One row per targeted class and per source: ``decision`` (continue, re-route,
    stop, escalate) and its ``reason`` in numbers."""

    table: pd.DataFrame
    day: int

    def to_frame(self) -> pd.DataFrame:
        """The decisions.

        Returns
        -------
        pandas.DataFrame
            kind ("class" or "source"), name, decision, reason.
        """
        return self.table

    def __repr__(self) -> str:
        lines = [f"Decisions after day {self.day}:"]
        lines += [f"  {r.kind} {r.name!r}: {r.decision} - {r.reason}"
                  for r in self.table.itertuples()]
        return "\n".join(lines)


def _check_log(log: pd.DataFrame, plan: QuotaPlan) -> pd.DataFrame:
    needed = {"day", "source", "images"}
    missing = sorted(needed - set(log.columns))
    if missing:
        raise ValueError(f"The log needs the columns {sorted(needed)} and one column per class "
                         f"with the count labelled; it lacks {missing}.")
    classes = [c for c in plan.targets.index if c not in log.columns]
    if classes:
        raise ValueError(f"The log has no column for the targeted classes {some(classes)}: "
                         "give each the count labelled that day (0 when none).")
    sources = sorted(set(log["source"].astype(str)) - set(plan.yields.index))
    if sources:
        raise ValueError(f"The log names sources the plan does not know: {some(sources)} "
                         f"(the plan's: {some(plan.yields.index)}).")
    return log.assign(source=log["source"].astype(str))


def stop_decisions(plan: QuotaPlan, log: pd.DataFrame, *, reroute_below: float = 0.5,
                   k_days: int = 3) -> StopDecisions:
    """What to do next, given what was labelled.

    - a class: **stop** once its count reaches the target; **escalate** when, at the
      daily rate of its last ``k_days`` days, it would be met after the horizon (or
      never); else **continue**, with the projected day.
    - a source: **re-route** when, on each of its last ``k_days`` days, it yielded less
      than ``reroute_below`` of what the plan expects of it (over the targeted classes
      it is expected to yield); else **continue**.

    Parameters
    ----------
    plan : QuotaPlan
        The plan being followed.
    log : pandas.DataFrame
        One row per day and source with ``day``, ``source``, ``images`` (labelled that day
        from that source) and one column per targeted class (the count labelled).
    reroute_below : float
        Fraction of the planned yield under which a source is re-routed.
    k_days : int
        Days the rates are measured over.

    Returns
    -------
    StopDecisions
        One decision per targeted class and per source.

    Examples
    --------
    >>> from workbench.collect.quotas import plan_quotas
    >>> y = pd.Series({"crack": 0.1})
    >>> plan = plan_quotas({"crack": 0}, targets={"crack": 30}, capacity_per_day=100,
    ...                    days=5, yields=y)
    >>> log = pd.DataFrame({"day": [1, 2], "source": "pool", "images": 100,
    ...                     "crack": [4, 3]})
    >>> stop_decisions(plan, log, k_days=2).to_frame()["decision"].tolist()
    ['escalate', 're-route']
    """
    log = _check_log(pd.DataFrame(log), plan)
    targeted = list(plan.targets.index)
    last = int(log["day"].max())
    window = log[log["day"] > last - k_days]
    rows = []
    done = plan.expected.loc[0, targeted] + log[targeted].sum()
    rate = window.groupby("day")[targeted].sum().sum() / k_days
    for cls in targeted:
        have, goal, per_day = done[cls], plan.targets[cls], rate[cls]
        if have >= goal:
            decision = "stop"
            reason = f"{have:,.0f} labelled >= the target of {goal:,.0f}"
        else:
            remaining = goal - have
            projected = last + np.ceil(remaining / per_day) if per_day > 0 else np.inf
            decision = "escalate" if projected > plan.days else "continue"
            reason = (f"{have:,.0f} of {goal:,.0f}; at {per_day:.1f} a day (last {k_days} "
                      f"days) the {remaining:,.0f} still needed "
                      + (f"are met on day {projected:.0f}" if np.isfinite(projected)
                         else "are never met")
                      + f" ({'past' if decision == 'escalate' else 'within'} the "
                        f"{plan.days}-day horizon)")
        rows.append({"kind": "class", "name": cls, "decision": decision, "reason": reason})
    for source in plan.yields.index:
        expected = plan.yields.loc[source, targeted]
        mine = window[window["source"] == source]
        if expected.sum() == 0 or mine.empty:
            continue
        per_day = mine.groupby("day")[["images", *targeted]].sum()
        wanted = expected[expected > 0].index
        observed = per_day[wanted].sum(axis=1) / per_day["images"].where(per_day["images"] > 0)
        ratio = observed / expected[wanted].sum()
        low = len(ratio) == k_days and bool((ratio < reroute_below).all())
        reason = (f"yielded {observed.mean():.3g} targeted per image over days "
                  f"{int(per_day.index.min())}-{int(per_day.index.max())}, "
                  f"{ratio.mean():.0%} of the {expected[wanted].sum():.3g} planned"
                  + (f" (below {reroute_below:.0%} on each of {k_days} days)" if low else ""))
        rows.append({"kind": "source", "name": source,
                     "decision": "re-route" if low else "continue", "reason": reason})
    return StopDecisions(pd.DataFrame(rows, columns=["kind", "name", "decision", "reason"]),
                         day=last)


def example_log(plan: QuotaPlan, *, days: int = 5, under: str | None = None,
                fraction: float = 0.3, seed: int = 0) -> pd.DataFrame:
    """A labelling log for the first ``days`` of ``plan``, for trying
    :func:`stop_decisions`: the planned images from each source, with counts drawn from a
    Poisson law at the planned yield, except the source ``under`` (default: the one
    with the most images on day 1), which yields ``fraction`` of what was planned.

    Parameters
    ----------
    plan : QuotaPlan
        The plan.
    days : int
        Days of log, within the plan's.
    under : str, optional
        The source that under-yields.
    fraction : float
        Its yield as a fraction of the planned one.
    seed : int
        Seed of the Poisson draws.

    Returns
    -------
    pandas.DataFrame
        day, source, images, and a count per class.
    """
    if not 1 <= days <= plan.days:
        raise ValueError(f"The 'days' parameter of example_log must be within 1-{plan.days}. "
                         f"Got {days!r} instead.")
    under = under or str(plan.images.loc[1].idxmax())
    rng = np.random.default_rng(seed)
    images = plan.images.loc[1:days].stack().rename("images").reset_index()
    images = images[images["images"] > 0].reset_index(drop=True)
    rates = plan.yields.loc[images["source"]].to_numpy()
    rates = rates * np.where(images["source"].to_numpy() == under, fraction, 1.0)[:, None]
    counts = rng.poisson(images["images"].to_numpy()[:, None] * rates)
    return pd.concat([images, pd.DataFrame(counts, columns=plan.yields.columns)], axis=1)
