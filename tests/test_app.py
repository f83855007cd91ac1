"""`make app`: Voila serves the dashboard offline, and a slider recomputes its panel in a real
browser."""

from __future__ import annotations

import time
from pathlib import Path

import shapes
from browser_support import needs_chromium, serve, wait_until

import workbench
from workbench import chromium, dashboard, sample
from workbench.browse import free_port
from workbench.errors import Lacks
from workbench.report import NOTEBOOKS_DIR, notebooks

REPO = Path(__file__).resolve().parents[1]
DASHBOARD = NOTEBOOKS_DIR / "app" / "dashboard.ipynb"
SPEC = "demo:surfaces:120"  # small: the page is up in seconds
LOCAL = ("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:")
TABLE_ROWS = """section => [...section.querySelectorAll('.widget-output table tbody tr')].map(
    row => [row.querySelector('th').textContent.trim(),
            ...[...row.querySelectorAll('td')].map(cell => cell.textContent.trim())])"""


def test_dashboard_is_not_a_report_notebook():
    assert DASHBOARD.is_file()
    assert DASHBOARD not in notebooks()


def test_dashboard_on_data_without_conditions_or_split(tmp_path, monkeypatch):
    spec = shapes.folder(tmp_path / "data")
    monkeypatch.setenv("WORKBENCH_DATASET", spec)
    built = dashboard.build(cache_dir=tmp_path / "cache")
    assert spec in built.children[0].value
    assert [s.title for s in built.sections] == ["1. Measure", "2. Split", "3. Sample",
                                                  "4. Augment", "5. Evaluate", "6. Collect"]
    assert all(s.panel is not None and not s.note for s in built.sections)


def test_a_section_the_data_cannot_feed_says_why():
    def lacking():
        raise Lacks("Tiles need masks, and this dataset has none.")

    section = dashboard._section("3. Sample", "Tiles.", lacking)
    assert section.panel is None
    assert section.note == "Not available here: Tiles need masks, and this dataset has none."
    assert "Tiles need masks" in section.widget().children[1].value


def effective(max_oversample: float) -> dict[str, int]:
    """The per-epoch counts the resampling panel shows at ``max_oversample`` (its other
    controls at their defaults)."""
    keys = sample.sampling_keys(workbench.load(SPEC))
    plan = sample.plan_resampling(keys, total=len(keys), max_oversample=max_oversample,
                                  min_keep=0.0, priority={})
    return {str(c): int(v) for c, v in plan.to_frame()["effective"].items()}


@needs_chromium
def test_make_app_serves_panels_and_a_slider_recomputes(tmp_path, fiftyone_db):
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    # The Makefile's own recipe, without remaking the environment or the full demos.
    command = ["make", "--no-print-directory", "-o", ".venv/.installed", "-o", "data", "app",
               f"APP_PORT={port}", f"DATASET={SPEC}"]
    requests: list[str] = []
    with serve(command, url, log=tmp_path / "voila.log", cwd=REPO), \
            chromium.browser() as context:
        context.on("request", lambda request: requests.append(request.url))
        page = context.new_page()
        page.goto(url, wait_until="commit", timeout=60_000)
        page.wait_for_function(  # six sections, their sliders and figures drawn
            "document.querySelectorAll('.workbench-section').length === 6"
            " && document.querySelectorAll('.workbench-section .widget-output img').length >= 5",
            timeout=75_000)
        assert page.get_by_text(f"{SPEC}: the panels of notebooks 01-06").count() == 1
        titles = page.locator(".workbench-section h2").all_text_contents()
        assert titles == ["1. Measure", "2. Split", "3. Sample", "4. Augment", "5. Evaluate",
                          "6. Collect"]

        section = page.locator(".workbench-section").nth(2)  # 3. Sample: the resampling panel

        def shown() -> dict[str, int]:
            rows = section.evaluate(TABLE_ROWS)
            return {row[0]: int(row[2]) for row in rows}  # class, count, effective, ...

        before, after = effective(5.0), effective(5.5)
        assert before != after  # the cap binds on this data: the move must show
        wait_until(lambda: shown() == before, timeout=20, what="the plan at a cap of 5")

        handle = section.locator(".widget-slider .noUi-handle").first  # max oversample
        handle.focus()
        page.keyboard.press("ArrowRight")  # one step: 5.0 -> 5.5
        wait_until(lambda: shown() == after, timeout=20, what="the plan at a cap of 5.5")
        time.sleep(1)
        assert shown() == after, "the table changed again after showing the new plan"
        assert section.locator(".widget-readout").first.text_content().strip() == "5.50"

    outside = [u for u in requests if not u.startswith(LOCAL)]
    assert requests and not outside, f"requests outside 127.0.0.1: {outside[:5]}"
