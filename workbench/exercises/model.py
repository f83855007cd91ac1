"""What an exercise is, and what checking an answer or asking for a solution gives back."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer; ``details`` lists the problems when there are several."""

    exercise: str
    correct: bool | None  # None: not answered yet, or the exercise does not apply
    message: str
    details: tuple[str, ...] = ()

    def __repr__(self) -> str:
        mark = {True: "correct", False: "not yet", None: "to do"}[self.correct]
        return f"[{self.exercise}: {mark}] {self.message}" + "".join(
            f"\n  - {d}" for d in self.details)

    def _repr_html_(self) -> str:
        import html

        colour = {True: "#2a9d8f", False: "#e76f51", None: "#888"}[self.correct]
        items = "".join(f"<li>{html.escape(d)}</li>" for d in self.details)
        return (f"<div style='border-left:4px solid {colour};padding:4px 8px'>"
                f"<b>{self.exercise}</b>: {html.escape(self.message)}"
                f"{f'<ul>{items}</ul>' if items else ''}</div>")


@dataclass(frozen=True)
class Exercise:
    """One exercise: the question, its hints, and how its answer is worked out and judged.

    - ``code``: the expression that computes the answer, shown only on request
      (:func:`hint`); the feedback escalates through ``concept`` (after a second wrong
      answer) and ``method`` (after a third) and never shows it.
    - ``form``: how to give the answer, shown while it is unanswered (a dict to start
      from, ...).
    - ``decimals``: a number answer is right when it is within half a unit of that decimal
      place of the expected one (the question says "to one decimal"); None: exact.
    - ``params``: the notebook parameters the answer depends on, with their defaults; the
      question names them as ``{seed}``, and ``expected``, ``diagnose`` and ``explain``
      take them as keywords (:func:`check` passes the student's values).

    - ``expected(data)``: the answer, computed from what the exercise is posed on (see
      ``needs``); it raises :class:`~workbench.errors.Lacks` (or returns None) where
      the data cannot pose the exercise.
    - ``problems(answer, expected, data)``: what is wrong with an answer (empty:
      correct), for exercises that accept more than one answer; by default the answer
      must equal the expected one.
    - ``diagnose(answer, expected, data)``: why an unequal answer is wrong, where that
      can be said; else the feedback gives the hint.
    - ``explain(expected, data)``: the worked explanation, for :func:`solution`.
    - ``needs``: what the exercise is computed from: ``"catalog"``, ``"report"`` (a
      classification report) or None (it carries its own numbers).
    - ``confirm(answer)``: the line a correct answer gets (default: ``yes: answer``).
    - ``uses_predictions``: ``expected`` also takes ``predictions=`` (a model's
      predictions; None: it trains the baseline probe).
    """

    question: str
    code: str
    expected: Callable[[object], object]
    problems: Callable[[object, object, object], list[str]] | None = None
    diagnose: Callable[[object, object, object], str | None] | None = None
    explain: Callable[[object, object], str] | None = None
    needs: str | None = "catalog"
    confirm: Callable[[object], str] | None = None
    uses_predictions: bool = False
    form: str = ""
    concept: str = ""
    method: str = ""
    params: Mapping[str, object] = field(default_factory=dict)
    decimals: int | None = None  # a number answer rounds to the expected at this precision


def _n(value) -> str:
    """2000 -> '2,000'; 2166.667 -> '2,166.67'."""
    value = round(float(value), 2)
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0")


@dataclass(frozen=True)
class Feedbacks:
    """Several verdicts, shown as one block."""

    items: tuple[Feedback, ...]

    @property
    def score(self) -> tuple[int, int]:
        """(correct, total)."""
        return sum(f.correct is True for f in self.items), len(self.items)

    def __repr__(self) -> str:
        return "\n".join(map(repr, self.items))

    def _repr_html_(self) -> str:
        done, total = self.score
        return (f"<p><b>{done} of {total} correct</b></p>"
                + "".join(f._repr_html_() for f in self.items))


@dataclass(frozen=True)
class Solution:
    """The expected answer to one exercise and how it is worked out (None where the data
    cannot pose it; ``explanation`` then says why)."""

    exercise: str
    question: str
    answer: object
    explanation: str

    def __repr__(self) -> str:
        answer = repr(self.answer)
        answer = answer if len(answer) <= 80 else answer[:76] + " ..."
        return f"[{self.exercise} solution] {answer}: {self.explanation}"

    def to_markdown(self) -> str:
        """The question, the answer and the explanation, for a solutions report.

        Returns
        -------
        str
            Markdown; the reason in a quote when the data cannot pose the exercise.
        """
        import pprint

        if self.answer is None:
            why = self.explanation[:1].upper() + self.explanation[1:]
            return f"**{self.exercise}.** {self.question}\n\n> {why}\n"
        return (f"**{self.exercise}.** {self.question}\n\n```python\n"
                f"{pprint.pformat(self.answer, sort_dicts=False, width=88)}\n```\n\n"
                f"{self.explanation}\n")

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def _is_number(value) -> bool:
    if isinstance(value, (bool, bytes, bytearray)):
        return False
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False
