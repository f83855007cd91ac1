"""Every notebook executes on every dataset shape; notebooks are committed without outputs."""

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
import shapes

from workbench.report import NOTEBOOKS_DIR, build_report, notebooks

ALL = sorted(NOTEBOOKS_DIR.rglob("*.ipynb"))

# Per shape: phrases its reports must say (each lack in one sentence: no section vanishes)
# and phrases they must not (a lack claimed that the data does not have, a demo sentence).
NEVER = ["33:1", "97% accurate", "cracks at night are the hidden gap"]
PROBE = "Baseline probe, not your model"
NO_BOXES = "This dataset has no boxes"
NO_PRED_BOXES = "The predictions have no boxes"
NO_MASKS = "This dataset has no masks"
# The slowest shapes first: a worker that starts one of them last finishes long after
# the others (make test runs three).
SHAPES = {
    "demo:surfaces:120": (["lighting", "groups whole", "came without a split",
                           "demo CNN (seed 0", "Mean IoU over classes",
                           "Expected calibration error"],
                          ["no class-index masks", "no condition column", PROBE, NO_BOXES,
                           NO_MASKS]),
    "demo:digits": (["scanner", "no class-index masks", "came without a split",
                     "logistic regression on 16x16", NO_BOXES, NO_MASKS],
                    ["no condition column", PROBE]),
    "folder": (["no condition column", "came without a split", "no class-index masks",
                "Each image holds one class here", PROBE, NO_BOXES, NO_MASKS],
               ["Your split", NO_PRED_BOXES]),
    "yolo": (["no condition column", "no class-index masks", "images hold no object",
              "rarest by instances", "Your split", "(per instance)", PROBE, NO_PRED_BOXES],
             ["came without a split", NO_BOXES]),
    "coco": (["no condition column", "no class-index masks", "Your split", PROBE,
              NO_PRED_BOXES], ["came without a split", NO_BOXES]),
    "voc": (["no condition column", "no class-index masks", "boxes with no width or height",
             "Your split", PROBE, NO_PRED_BOXES], ["came without a split", NO_BOXES]),
    "masks": (["no condition column", "rarest by pixels", "(per pixel)", "Your split",
               "near-identical images", PROBE, "The predictions have no masks"],
              ["no class-index masks", "came without a split", NO_MASKS]),
    "manifest": (["came without a split", "no class-index masks", "groups whole", "weather",
                  PROBE], ["no condition column"]),
    "panoptic": (["no condition column", "no class-index masks", "(per instance)", PROBE], []),
}
# Notebook 05's strategy comparison and bootstrap, notebook 06's active-learning simulation,
# at a test size (the report runs them full).
# No App screenshots (5 to 13 s each) but in 01 on one shape, where the test looks at it.
FAST = {"strategy_seeds": [0], "strategy_images": 120, "n_boot": 100, "al_seeds": [0],
        "al_rounds": 2, "solutions": True, "app_picture": False}
PICTURED = "demo:surfaces:120"


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(NOTEBOOKS_DIR)))
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    dirty = [i for i, c in enumerate(nb["cells"])
             if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, f"{path.name}: cells {dirty} have outputs; clear them before committing"


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(NOTEBOOKS_DIR)))
def test_has_a_parameters_cell(path):
    nb = json.loads(path.read_text())
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name} needs exactly one cell tagged 'parameters'"


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(NOTEBOOKS_DIR)))
def test_points_only_to_notebooks_that_exist(path):
    text = path.read_text()
    numbers = {p.name[:2] for p in ALL}
    cited = set(re.findall(r"[Nn]otebooks? (\d\d)", text))
    assert cited <= numbers, f"{path.name} cites notebooks {sorted(cited - numbers)}"


def snapshot(folder: Path) -> dict:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def outputs_of(executed: Path):
    for cell in json.loads(executed.read_text())["cells"]:
        yield from cell.get("outputs", [])


@pytest.fixture(scope="module")
def kernel(fiftyone_db):
    """One kernel for every shape a worker runs, as a report has one for its notebooks:
    the libraries are imported once (about 6 s a shape). Each notebook is cleared first."""
    from workbench.kernel import SharedKernel

    runtime = Path(tempfile.mkdtemp(prefix="wb-kernel-"))
    with SharedKernel(runtime) as shared:
        yield shared
    shutil.rmtree(runtime, ignore_errors=True)


@pytest.mark.notebook
@pytest.mark.parametrize("shape", SHAPES)
def test_every_notebook_runs_on_every_shape(shape, tmp_path, kernel):
    if shape.startswith("demo:"):
        spec, data = shape, None
    else:
        spec = shapes.SHAPES[shape](tmp_path / "data")
        data = snapshot(tmp_path / "data")
    temp_before = set(os.listdir(tempfile.gettempdir()))
    pictured = {"01_measure": {"app_picture": True}} if shape == PICTURED else None
    runs = build_report(spec, tmp_path / "report", timeout=300, private_database=False,
                        parameters=FAST, per_notebook=pictured, kernel=kernel)
    assert [r.notebook for r in runs] == notebooks()
    assert not [r.error for r in runs if not r.ok]
    for run in runs:
        bad = [o for o in outputs_of(run.executed)
               if o["output_type"] == "error" or o.get("name") == "stderr"]
        assert not bad, f"{run.notebook.name} on {shape}: {bad[0]}"
    pages = "".join(r.html.read_text() for r in runs)
    measure_page = runs[0].html.read_text()
    # conditions come from the pixels when the data has none: hidden imbalance always runs
    assert "hidden imbalance cannot be tested" not in measure_page
    assert any(phrase in measure_page for phrase in (
        "hides the most imbalance", "The largest gap", "No class departs", "do not depart"))
    must, must_not = SHAPES[shape]
    for phrase in must:
        assert phrase in pages, f"{shape}: the report never says {phrase!r}"
    for phrase in must_not + NEVER:
        assert phrase not in pages, f"{shape}: the report says {phrase!r}"
    assert "Traceback" not in pages
    # notebook 06 plans on every shape: the page for the rarest class, stop decisions
    assert "One-page plan" in pages and "After day" in pages
    assert "A good answer mentions:" in pages  # FAST runs them as the teacher's report
    assert not re.search(r"(src|href)=\"https?://", pages), "the report fetches from the web"
    assert pages.count("data:image/png;base64") >= 10  # figures are inline
    index = (tmp_path / "report" / "index.html").read_text()
    assert all(f"href='{r.html.name}'" in index for r in runs)
    if shape == PICTURED:
        assert_app_picture(runs[0].executed, "01-40", "minority images")
        # the picture was asked of 01 only: 02's App cell is the same and shows none
        assert "The FiftyOne App on the" not in "".join(r.html.read_text() for r in runs[1:])
    else:
        assert "The FiftyOne App on the" not in pages
    if data is not None:
        assert snapshot(tmp_path / "data") == data, "a notebook wrote into the dataset"
    litter = {n for n in set(os.listdir(tempfile.gettempdir())) - temp_before
              if n.startswith(("workbench", "wb-"))}
    assert not litter, f"left in the temp folder: {litter}"


def assert_app_picture(executed: Path, cell_id: str, what: str):
    """The cell shows a screenshot of the App at chromium's window size, captioned, or
    (no chromium here) the sentence saying why."""
    import base64
    import io

    import numpy as np
    from PIL import Image

    from workbench import chromium

    cell = next(c for c in json.loads(executed.read_text())["cells"] if c.get("id") == cell_id)
    markdown = "".join("".join(o["data"].get("text/markdown", ""))
                       for o in cell["outputs"] if "data" in o)
    pngs = [o["data"]["image/png"] for o in cell["outputs"] if "image/png" in o.get("data", {})]
    if chromium.missing():
        assert "No picture of the FiftyOne App on the" in markdown and what in markdown
        assert chromium.missing().rstrip(".") in markdown and not pngs
        return
    assert re.search(rf"The FiftyOne App on the \d+ {what} \(screenshot\)", markdown), markdown
    assert len(pngs) == 1
    with Image.open(io.BytesIO(base64.b64decode(pngs[0]))) as image:
        assert image.size == (chromium.VIEWPORT["width"], chromium.VIEWPORT["height"])
        assert np.asarray(image.convert("L"), dtype=float).std() > 10  # not blank
