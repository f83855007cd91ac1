"""The sentences of notebook 06, from the numbers of the collect stage (never the
demo's): each takes a result and returns Markdown; a Missing passes through."""

from __future__ import annotations

from IPython.display import Markdown

from workbench.errors import passes_missing


@passes_missing
def counts(total, rare: list[str], unit: str) -> Markdown:
    """Markdown: the rare classes' counts and how far each is below the largest class.

    Parameters
    ----------
    total : pandas.Series
        Count per class.
    rare : list of str
        The rare classes.
    unit : str
        What the counts count.

    Returns
    -------
    Markdown
        One sentence.
    """
    largest = total.drop(index=rare, errors="ignore").max()
    parts = [f"**{c}** {total[c]:,} ({largest / max(total[c], 1):,.1f}x fewer than the "
             "largest class)" for c in rare]
    return Markdown(f"Counted in {unit}, the rare classes are " + ", ".join(parts) + ".")


@passes_missing
def where(result) -> Markdown:
    """Markdown: :meth:`WhereToCollect.summary` as a list.

    Parameters
    ----------
    result : WhereToCollect
        From :func:`workbench.collect.where_to_collect`.

    Returns
    -------
    Markdown
        One item per line of the summary.
    """
    return Markdown("\n".join(f"- {line}" for line in result.summary().splitlines()))


@passes_missing
def quotas(plan) -> Markdown:
    """Markdown: :meth:`QuotaPlan.summary`.

    Parameters
    ----------
    plan : QuotaPlan
        From :func:`workbench.collect.plan_quotas`.

    Returns
    -------
    Markdown
        The summary.
    """
    return Markdown(plan.summary())


@passes_missing
def decisions(result) -> Markdown:
    """Markdown: each stop decision with its reason.

    Parameters
    ----------
    result : StopDecisions
        From :func:`workbench.collect.stop_decisions`.

    Returns
    -------
    Markdown
        One item per class and source.
    """
    lines = [f"- **{r.decision}** {r.kind} *{r.name}*: {r.reason}."
             for r in result.to_frame().itertuples()]
    return Markdown(f"After day {result.day}:\n\n" + "\n".join(lines))


@passes_missing
def merged(result) -> Markdown:
    """Markdown: which classes merge into which, and the classes left.

    Parameters
    ----------
    result : MergedLabels
        From :func:`workbench.collect.merge_sparse`.

    Returns
    -------
    Markdown
        The merges in numbers.
    """
    if not result.mapping:
        return Markdown(f"No class is below the threshold: every class keeps its own label "
                        f"({result.before.min():,} {result.unit} at least).")
    lines = [f"{child} ({result.before[child]:,} {result.unit}) -> {parent}"
             for child, parent in result.mapping.items()]
    text = (f"{len(result.mapping)} classes merge: " + "; ".join(lines) + f". The model then "
            f"learns {len(result.after)} classes instead of {len(result.before)}.")
    return Markdown(" ".join([text, *result.notes]))


@passes_missing
def small_model(result) -> Markdown:
    """Markdown: macro F1 and the rarest class's recall of the two models, and a verdict.

    Parameters
    ----------
    result : SmallClassComparison
        From :func:`workbench.collect.small_class_model`.

    Returns
    -------
    Markdown
        The comparison in numbers.
    """
    table = result.to_frame()
    flat, two = table.iloc[0], table.iloc[1]
    overlap = not (two["macro_f1_low"] > flat["macro_f1_high"]
                   or flat["macro_f1_low"] > two["macro_f1_high"])
    verdict = ("the intervals overlap: on this data the second model is not shown to help"
               if overlap else
               f"the {'second model' if two['macro_f1'] > flat['macro_f1'] else 'flat model'} "
               "is better beyond the intervals")
    return Markdown(
        f"Macro F1: flat {flat['macro_f1']:.3f} ({flat['macro_f1_low']:.3f}-"
        f"{flat['macro_f1_high']:.3f}), bucket + small-class model {two['macro_f1']:.3f} "
        f"({two['macro_f1_low']:.3f}-{two['macro_f1_high']:.3f}); {verdict}. Recall of the "
        f"rarest class, {result.rarest!r}: {flat['rarest_recall']:.2f} against "
        f"{two['rarest_recall']:.2f}.")


@passes_missing
def table(result, *, n: int | None = None):
    """A result's table, rounded (its first ``n`` rows).

    Parameters
    ----------
    result : object
        Anything with ``to_frame()``.
    n : int, optional
        Rows shown.

    Returns
    -------
    pandas.DataFrame
        Rounded to 3 decimals.
    """
    frame = result.to_frame()
    return (frame if n is None else frame.head(n)).round(3)


@passes_missing
def in_app(view, picks) -> Markdown:
    """Markdown: what the FiftyOne view holds (the picks, then the hard negatives).

    Parameters
    ----------
    view : fiftyone.core.view.DatasetView
        The view.
    picks : Picks
        The picks it shows first.

    Returns
    -------
    Markdown
        One sentence.
    """
    extra = len(view) - len(picks.sample_ids)
    return Markdown(f"{len(view)} images in the FiftyOne view: the {len(picks.sample_ids)} picks "
                    f"in pick order, then {extra} hard negative{'' if extra == 1 else 's'} not "
                    "picked already.")


@passes_missing
def active_learning(run) -> Markdown:
    """Markdown: each strategy's macro F1 against random's after the last round.

    Parameters
    ----------
    run : ActiveLearningRun
        From :func:`workbench.collect.simulate_active_learning`.

    Returns
    -------
    Markdown
        The design and one item per strategy.
    """
    summary = run.to_frame()
    last = summary[summary["round"] == summary["round"].max()].set_index("strategy")
    if "random" not in last.index:
        return Markdown(repr(run))
    base = last.loc["random"]
    lines = []
    for name, row in last.drop(index="random").iterrows():
        beyond = row["macro_f1_low"] > base["macro_f1_high"]
        below = row["macro_f1_high"] < base["macro_f1_low"]
        verdict = ("above random beyond the intervals" if beyond else
                   "below random beyond the intervals" if below else
                   "its interval overlaps random's")
        lines.append(f"- **{name}**: macro F1 {row['macro_f1']:.3f} ({row['macro_f1_low']:.3f}-"
                     f"{row['macro_f1_high']:.3f}), {verdict}; {row['rare_acquired']:.1f} images "
                     f"of {run.rare_class!r} labelled against random's "
                     f"{base['rare_acquired']:.1f}.")
    return Markdown(f"After {int(base['labelled']):,} labelled images, random reaches macro F1 "
                    f"{base['macro_f1']:.3f} ({base['macro_f1_low']:.3f}-"
                    f"{base['macro_f1_high']:.3f}). {run.design}\n\n" + "\n".join(lines))
