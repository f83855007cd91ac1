"""The notebooks read as a course: each opens with its objectives, prerequisites and time,
marks optional sections, ends with a recap and the next step, and the lab plans in
notebooks/README.md name sections that exist."""

import re

import nbformat
import pytest

from workbench.report import NOTEBOOKS_DIR

NUMBERED = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
README = (NOTEBOOKS_DIR / "README.md").read_text()


def markdown(path):
    return [c.source for c in nbformat.read(path, as_version=4).cells
            if c.cell_type == "markdown"]


def headings(path) -> list[str]:
    return [line[3:] for cell in markdown(path) for line in cell.splitlines()
            if line.startswith("## ")]


@pytest.mark.parametrize("path", NUMBERED, ids=lambda p: p.stem)
def test_each_notebook_opens_with_objectives_prerequisites_and_time(path):
    plan = markdown(path)[1]
    assert plan.startswith("**You will learn to**")
    assert "**You need**" in plan and "Refresher:" in plan
    assert re.search(r"\*\*Time\.\*\* About \d+ minutes for the core sections", plan)


@pytest.mark.parametrize("path", NUMBERED, ids=lambda p: p.stem)
def test_each_notebook_marks_optional_sections_and_ends_with_a_recap_and_the_next_step(path):
    assert any(h.endswith("*(optional)*") for h in headings(path))
    tail = "\n".join(markdown(path)[-2:])
    assert "## Recap" in tail and "**Next.**" in tail


@pytest.mark.parametrize("path", NUMBERED, ids=lambda p: p.stem)
def test_the_time_table_agrees_with_each_notebook(path):
    core = re.search(r"About (\d+) minutes for the core sections, (\d+) more", markdown(path)[1])
    number = path.stem[:2]
    row = re.search(rf"\| {number} · \w+ \| (\d+) min \| (\d+) min \|", README)
    assert row and row.groups() == core.groups()


def test_the_lab_plan_skips_only_sections_that_exist():
    table = README.split("## A 90-minute lab")[1].split("## Two sessions")[0]
    for line in table.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) < 5 or not re.match(r"\d\d · ", cells[2]):
            continue
        path = next(p for p in NUMBERED if p.stem.startswith(cells[2][:2]))
        for skipped in cells[4].split("; "):
            assert any(h.startswith(skipped) for h in headings(path)), \
                f"the lab plan skips {skipped!r}, which {path.stem} does not have"


# Each term, and the formula or definition that must stand where the course first uses it
# (the title, plan and recap cells only name what is coming or what was done).
TERMS = {
    "Gini coefficient": "Σ (2i − n − 1) x_i / (n Σ x)",
    "evenness": "H / ln n",
    "effective number": "(1 − β^n) / (1 − β)",
    "LD": "|S_c / (S − S_c) − D_c / (D − D_c)|",
    "ED": "mean absolute difference between each split's size",
    "balanced accuracy": "mean over classes of each class's recall",
    "macro F1": "2 P_c R_c / (P_c + R_c)",
    "worst-class recall": "the smallest recall of any class",
    "repeat factor": "max(1, √(t / f(c)))",
    "AP": "area under a class's precision-recall",
    "IoU": "TP / (TP + FP + FN)",
}


def body_cells():
    for path in NUMBERED:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown" and not cell.get("id", "").endswith(
                    ("-00", "-plan", "-recap")):
                yield path.stem, cell.source


@pytest.mark.parametrize("term", TERMS)
def test_each_term_is_defined_where_it_is_first_used(term):
    pattern = re.compile(rf"\b{re.escape(term)}\b", 0 if term.isupper() else re.IGNORECASE)
    stem, text = next((s, t) for s, t in body_cells() if pattern.search(t))
    assert TERMS[term] in " ".join(text.split()), \
        f"{term!r} is first used in {stem} without its definition: {text[:200]!r}"


def open_questions_asked():
    for path in NUMBERED:
        for text in markdown(path):
            for match in re.finditer(r"\d\. \*\(open\)\* (.+?)(?=\n\d\. |\Z)", text, re.S):
                yield path.stem[:2], " ".join(match.group(1).split())


def test_every_open_question_has_a_model_answer_and_every_answer_a_question():
    from workbench.open_questions import OPEN_QUESTIONS

    asked = sorted(open_questions_asked())
    answered = sorted((q.notebook, q.question) for q in OPEN_QUESTIONS)
    assert len(asked) == len(answered) == 9
    for (notebook, question), (where, text) in zip(answered, asked, strict=True):
        assert (notebook, question) == (where, text)


def test_model_answers_show_only_in_the_solutions():
    from workbench.open_questions import OPEN_QUESTIONS, model_answers

    shown = model_answers().data
    assert all(q.model_answer in shown for q in OPEN_QUESTIONS)
    assert shown.count("A good answer mentions:") == len(OPEN_QUESTIONS)
    hidden = model_answers(enabled=False).data
    assert "hidden" in hidden and OPEN_QUESTIONS[0].model_answer not in hidden


@pytest.mark.parametrize("path", NUMBERED, ids=lambda p: p.stem)
def test_each_notebook_shows_its_solutions_only_in_the_teachers_report(path):
    cells = nbformat.read(path, as_version=4).cells
    params = next(c for c in cells if "parameters" in c.metadata.get("tags", []))
    assert re.search(r"^solutions = False\b", params.source, re.M)
    number = path.stem[:2]
    shown = [c.source for c in cells if c.cell_type == "code" and "solutions_report(" in c.source]
    assert len(shown) == 1
    assert f'notebook="{number}"' in shown[0] and "enabled=solutions" in shown[0]


def test_a_notebooks_solutions_are_its_exercises_and_its_open_questions():
    from workbench.exercises import solutions_report
    from workbench.open_questions import OPEN_QUESTIONS

    page = solutions_report(notebook="03").data
    assert "**03.exercise_1.**" in page and "**03.worked_example.**" in page
    assert "**01." not in page and "**05." not in page
    own = [q for q in OPEN_QUESTIONS if q.notebook == "03"]
    assert len(own) == 2 and all(q.model_answer in page for q in own)
    assert "2 of the 2 exercises are posed here" in page
