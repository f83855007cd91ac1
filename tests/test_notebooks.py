"""Every notebook executes on a small demo; notebooks are committed without outputs."""

import json
import re

import pytest

from workbench.report import NOTEBOOKS_DIR, build_report, notebooks

ALL = sorted(NOTEBOOKS_DIR.rglob("*.ipynb"))


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


@pytest.mark.notebook
def test_every_notebook_runs_and_renders(tmp_path, fiftyone_db):
    runs = build_report("demo:surfaces:200", tmp_path, timeout=300)
    assert [r.notebook for r in runs] == notebooks()
    failed = [r.error for r in runs if not r.ok]
    assert not failed, failed
    index = (tmp_path / "index.html").read_text()
    assert "01 · Measure: how imbalanced is this dataset, and where?" in index
    for run in runs:
        assert f"href='{run.html.name}'" in index
        page = run.html.read_text()
        assert "data:image/png;base64" in page  # figures are inline: readable offline
        assert not re.search(r"(src|href)=\"https?://", page), "the report fetches from the web"
        assert "Traceback" not in page
