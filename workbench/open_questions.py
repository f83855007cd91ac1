"""The open questions the notebooks ask, each with a short model answer and what a good
answer mentions: for the teacher's solutions report, never the students' report."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OpenQuestion:
    """One open question, as its notebook asks it, with its model answer."""

    notebook: str
    question: str
    model_answer: str
    mentions: tuple[str, ...]

    def to_markdown(self) -> str:
        """The question, its model answer and what a good answer mentions.

        Returns
        -------
        str
            Markdown.
        """
        points = "\n".join(f"- {m}" for m in self.mentions)
        return (f"**{self.notebook}.** *{self.question}*\n\n{self.model_answer}\n\n"
                f"A good answer mentions:\n\n{points}\n")


OPEN_QUESTIONS = (
    OpenQuestion(
        "01", "Set `critical` to the class your project cares about most. How many more "
              "examples does the checklist say you need?",
        "Read the checklist's row for that class: it gives how far its count is below the "
        "threshold the checklist uses, in the unit the task counts. Then look at the class "
        "under each condition value: a total above the threshold can hide a condition "
        "with almost none.",
        ("the number, read from this dataset's checklist, and its unit (images, instances "
         "or pixels)", "the class's count under each condition value, not only the total",
         "that the threshold is a floor for a usable validation metric, not a target")),
    OpenQuestion(
        "02", "Set `fractions = [0.8, 0.1, 0.1]`. Which strata get merged, and why?",
        "With 10% val and test a stratum needs more images to put at least one in every "
        "split; the (class, condition) strata too small for that are merged into their "
        "class, so the class stays stratified even where its condition cannot be. The "
        "merged strata are listed under the stratified split.",
        ("the strata named in this dataset's note, read after changing the fractions",
         "that the smallest fraction sets how large a stratum must be",
         "that merging keeps the class in every split, at the cost of the condition")),
    OpenQuestion(
        "02", "A split that keeps large groups whole cannot hit its fractions exactly: its ED "
              "grows. When would you accept a larger ED, and when not?",
        "Accept it when it buys the absence of leakage: near-duplicates or frames of one "
        "video kept on one side make val and test honest, and an ED of a few images is "
        "small next to splits of hundreds. Not when the smallest split becomes too small "
        "for the rare classes' metrics to mean anything; then collect more groups or use "
        "grouped cross-validation.",
        ("ED measured against the size of the smallest split", "leakage inflates every "
         "metric, a size error of a few images does not", "the rare classes' intervals "
         "in the smallest split")),
    OpenQuestion(
        "03", "Raise `repeat_threshold` to 0.3. Which class gains most instances without "
              "being rare, and why?",
        "A common class that often shares images with rare ones: repeat factors repeat "
        "whole images, so every object in an image repeated for its rare class is "
        "repeated too. Raising the threshold makes more classes count as rare, and more "
        "images (with their common objects) are repeated.",
        ("the class read from the instances_after column at the new threshold",
         "that the factor is per image, so co-occurring classes ride along",
         "that the side effect grows with the threshold")),
    OpenQuestion(
        "03", "Section 3 shows how much of the data undersampling to the smallest class "
              "leaves out. Why would that cost macro F1 (notebook 05, section 9, measures "
              "it)?",
        "It throws away most images of every other class, so the model learns them from "
        "far fewer examples and their precision and recall fall; the rare class gains "
        "nothing new. Macro F1 averages every class, so the common classes' loss pulls it "
        "down. Class weights keep all the data and still give the rare class its say.",
        ("how many images undersampling discards here", "that macro F1 gives every class "
         "the same weight", "weights or a capped plan as the alternative (Hvilshøj 2022; the "
         "answers to \"class weights or undersample to the smallest class?\")")),
    OpenQuestion(
        "04", "Which family would you *not* use for lane markings, and why?",
        "Flips and rotations: which lane is left and which right, the direction of an "
        "arrow and the road's perspective carry the label's meaning, and a camera on a car "
        "never sees a rotated road. Use photometric changes (brightness, blur, noise, low "
        "light) instead.",
        ("that the label's meaning depends on orientation", "that augmentation must stay "
         "faithful to deployment", "a family that is safe instead")),
    OpenQuestion(
        "04", "Look at the low-light previews: at which strength do the objects stop being "
              "visible to you? Should the model be asked to find them there?",
        "No: where a person cannot see the object, the pixels no longer support the label, "
        "and the model learns to guess from context. Cap the low-light strength below that "
        "point (a per-class override), and collect real night images for the class.",
        ("the strength observed in this dataset's previews", "that labels must stay true to "
         "the pixels", "a cap or override, and collecting real examples")),
    OpenQuestion(
        "05", "Two strategies differ by 0.02 in mean macro F1, and the seeds spread by 0.03. "
              "What would you tell the team, and what would you run next?",
        "That they are tied at this size: the difference is smaller than the spread between "
        "seeds. Run more seeds on the same splits and compare them paired, evaluate on more "
        "test images of the rare classes, and report the intervals, before choosing.",
        ("the difference compared with the spread", "paired runs and more seeds or more test "
         "images", "not choosing on noise")),
    OpenQuestion(
        "05", "The thresholds of section 7 were tuned on the validation split. What would go "
              "wrong if you tuned them on the test split and reported the test numbers?",
        "The test numbers would be too good: the thresholds would fit the test split's "
        "noise, most of all for rare classes with few images, and the test split would no "
        "longer estimate performance on new data. Tune on validation, report test once.",
        ("optimistic bias from fitting to the test split", "that the bias is largest for "
         "the rare classes", "tune on validation, report on test")),
)


def model_answers(*, enabled: bool = True):
    """Every open question with its model answer, as Markdown; with ``enabled=False`` the
    sentence saying they are hidden.

    Parameters
    ----------
    enabled : bool
        Show the answers.

    Returns
    -------
    Markdown
        The answers, or the sentence saying they are hidden.
    """
    from IPython.display import Markdown

    if not enabled:
        return Markdown("The model answers to the open questions are hidden: run this "
                        "notebook with `solutions = True` to show them (`make solutions`).")
    return Markdown("\n\n".join(q.to_markdown() for q in OPEN_QUESTIONS))
