"""Every notebook in a real browser: JupyterLab 4 on copies of the notebooks, Debian's
chromium driven by Playwright.

Each test opens its notebook, runs it all, waits for every prompt to show an execution
count and the kernel to be idle, and checks that no cell wrote an error or to stderr. Then
it moves the notebook's panel the way a person does (slider handles by keyboard, dropdowns
and multi-selects by ``select_option``, number boxes by fill and Enter) and checks that the
panel's table and figure show what the package computes for the new choice: it waits for
that value (bounded), then checks it holds. The notebooks run on a small classification
set with conditions and groups (``shapes.manifest``), at the notebook tests' fast sizes.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import secrets
import sys
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
import shapes
from browser_support import needs_chromium, serve, wait_until
from PIL import Image
from test_notebooks import FAST

import workbench
from workbench import chromium
from workbench.browse import free_port
from workbench.report import notebooks

# One worker runs every JupyterLab test (make test runs three): one JupyterLab at a time.
pytestmark = [needs_chromium, pytest.mark.notebook, pytest.mark.fiftyone,
              pytest.mark.xdist_group("browser")]

RUN_TIMEOUT = 240      # seconds for one notebook's Run All
REDRAW_TIMEOUT = 30    # seconds for a panel to show a change
HOLD = 1.0             # seconds a shown value must stay
DEBOUNCE = 1.0         # the panels' debounce in these tests' kernels (WORKBENCH_DEBOUNCE)
APP_LINE = re.compile(r"This notebook's FiftyOne App: (http://127\.0\.0\.1:(\d+)/)")
SETTINGS = {  # every cell in the DOM (off-screen ones too); no news or update checks offline
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}


# -- the server, the browser and the notebooks ----------------------------------------


def _copy(notebook: Path, into: Path, overrides: dict) -> Path:
    """``notebook`` with ``overrides`` appended to its parameters cell (those it has)."""
    nb = json.loads(notebook.read_text())
    cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
    source = "".join(cell["source"])
    names = set(re.findall(r"^(\w+)\s*=", source, flags=re.M))
    lines = [f"{k} = {v!r}" for k, v in overrides.items() if k in names]
    cell["source"] = source.rstrip("\n") + "\n" + "\n".join(lines) + "\n"
    target = into / notebook.name
    target.write_text(json.dumps(nb, indent=1))
    return target


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on copies of the notebooks; yields (base url, token, folder, spec)."""
    root = tmp_path_factory.mktemp("lab")
    spec = shapes.manifest(root / "data")
    overrides = {**FAST, "dataset": spec, "output_dir": str(root / "outputs"),
                 "interactive": True, "solutions": True}
    for notebook in notebooks():
        _copy(notebook, root, overrides)
    settings = root / "settings"
    for name, values in SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    token, port = secrets.token_hex(16), free_port()
    env = {"JUPYTER_RUNTIME_DIR": str(root / "runtime"),
           "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces"),
           "JUPYTERLAB_SETTINGS_DIR": str(settings),
           "MPLBACKEND": "module://matplotlib_inline.backend_inline",
           # three workers on two cores: a burst's moves reach the kernel one round trip
           # apart, which can exceed the default 0.3 s and split one burst into recomputes
           "WORKBENCH_DEBOUNCE": str(DEBOUNCE)}
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
               "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}"]
    base = f"http://127.0.0.1:{port}"
    with serve(command, f"{base}/api/status", log=root / "jupyterlab.log", env=env,
               cwd=root):
        yield base, token, root, spec


@pytest.fixture(scope="module")
def browser():
    with chromium.browser() as context:
        yield context


@pytest.fixture
def page(browser):
    page = browser.new_page()
    yield page
    page.close()


def _kernel_idle(page) -> bool:
    return "Idle" in (page.locator(".jp-StatusBar-TextItem", has_text="|").first
                      .text_content() or "")


def _errors(page) -> list[str]:
    outputs = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter'
                           '.stderr"], .jp-OutputArea-output[data-mime-type="application/'
                           'vnd.jupyter.error"]')
    return [t[:800] for t in outputs.all_text_contents()]


def _all_ran(page) -> bool:
    prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_text_contents()
    return bool(prompts) and all(re.search(r"\[\d+\]", p) for p in prompts)


def run_all(page, lab, name: str):
    """Open ``name`` (``?reset``: no earlier workspace), Run All, wait until every code
    cell has run and the kernel is idle (or an error shows), and fail on any error or
    stderr output."""
    base, token, _, _ = lab
    page.goto(f"{base}/lab/tree/{name}?reset&token={token}")
    wait_until(lambda: page.locator(".jp-Notebook .jp-Cell").count() > 0
               and _kernel_idle(page), timeout=90, what=f"{name} to open with an idle kernel")
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
    wait_until(lambda: _errors(page) or (_all_ran(page) and _kernel_idle(page)),
               timeout=RUN_TIMEOUT, what=f"{name} to run all its cells")
    assert _errors(page) == [], f"{name} wrote errors or stderr:\n" + "\n".join(_errors(page))


def cell_output(page, code: str):
    """The output area of the code cell whose source contains ``code``."""
    cell = page.locator(".jp-CodeCell", has=page.locator(".jp-InputArea", has_text=code))
    assert cell.count() == 1, f"{cell.count()} cells contain {code!r}"
    return cell.locator(".jp-Cell-outputArea")


# -- what a panel shows -------------------------------------------------------------------


class _Rows(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None


def html_rows(html: str) -> list[list[str]]:
    """The text of each table row of ``html``, as a browser shows it."""
    parser = _Rows()
    parser.feed(html)
    return [r for r in parser.rows if r]


def shown_rows(area) -> list[list[str]]:
    return area.locator("table").first.evaluate(
        "t => [...t.querySelectorAll('tr')].map(r => [...r.children].map("
        "c => c.textContent.split(/\\s+/).filter(Boolean).join(' '))).filter(r => r.length)")


def expect_rows(area, expected, what: str):
    """Wait until ``area``'s first table shows ``expected`` (a DataFrame or Styler, as
    the kernel would display it), then check it holds for a moment."""
    html = expected.to_html() if hasattr(expected, "hide") else expected._repr_html_()
    rows = html_rows(html)

    def shows():
        return area.locator("table").count() > 0 and shown_rows(area) == rows

    wait_until(shows, timeout=REDRAW_TIMEOUT, what=what)
    time.sleep(HOLD)
    assert shows(), f"{what}: the table changed again after showing the expected rows"


def figures(area) -> list[str]:
    return area.locator("img").evaluate_all("imgs => imgs.map(i => i.src)")


def assert_drawn(src: str):
    """A figure PNG that is not blank: more than 1% of its pixels are not white."""
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
                        .convert("RGB"))
    assert (pixels.min(axis=2) < 245).mean() > 0.01, "a blank figure was drawn"


def assert_full_width(area):
    """Each figure is as wide as its output area and not shrunk below 100 dpi (8 pt text
    reads as 8 pt)."""
    sizes = area.locator("img.workbench-figure").evaluate_all(
        "imgs => imgs.map(i => [i.getBoundingClientRect().width, Number(i.dataset.minWidth),"
        " i.closest('.widget-output').getBoundingClientRect().width])")
    assert sizes, "no figure shown"
    for shown, at_100dpi, panel in sizes:
        assert shown >= 0.96 * at_100dpi and (shown >= panel - 30 or shown == at_100dpi), \
            f"a figure {shown:.0f} px wide in a {panel:.0f} px panel ({at_100dpi} at 100 dpi)"


def control(area, kind: str, label: str):
    label = area.page.locator(".widget-label", has_text=re.compile(f"^{re.escape(label)}$"))
    return area.locator(f".widget-{kind}").filter(has=label).first


def press(area, label: str, key: str = "ArrowRight", times: int = 1):
    """Move the slider labelled ``label`` by keyboard, ``times`` presses in a burst."""
    handle = control(area, "slider", label).locator(".noUi-handle")
    handle.focus()
    for _ in range(times):
        handle.press(key)


def watch_figure(area):
    """Record each distinct first figure ``area`` shows from now on (a MutationObserver in
    the page); :func:`redraws` tells how many times it changed."""
    area.evaluate("a => { const first = () => (a.querySelector('img') || {}).src;"
                  " a.__srcs = [first()]; new MutationObserver(() => { const s = first();"
                  " if (s && s !== a.__srcs.at(-1)) a.__srcs.push(s); })"
                  ".observe(a, {childList: true, subtree: true, attributes: true}); }")


def redraws(area) -> int:
    return area.evaluate("a => a.__srcs.length - 1")


def one_redraw(area) -> int:
    """How many times the figure changed, once it has changed and held for a moment: the
    figure's Output may lag the table's on a loaded machine (make test runs three workers)."""
    wait_until(lambda: redraws(area) >= 1, timeout=REDRAW_TIMEOUT, what="a redrawn figure")
    time.sleep(HOLD)
    return redraws(area)


def app_address(area) -> tuple[str, int]:
    """The App address the cell shows; it connected at once (no "Could not connect")."""
    text = area.text_content()
    match = APP_LINE.search(text)
    assert match, "the notebook does not show its App's address"
    assert "Could not connect" not in text, "the App session retried its connection"
    return match.group(1), int(match.group(2))


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


# -- the notebooks ------------------------------------------------------------------------


def test_01_measure(page, lab):
    from workbench import measure

    _, _, _, spec = lab
    run_all(page, lab, "01_measure.ipynb")
    area = cell_output(page, "widgets.measure_panel(")
    catalog = workbench.load(spec)
    unit, condition = measure.default_unit(catalog), catalog.conditions[0]
    expect_rows(area, _checklist(catalog, unit, condition, 100), "the first checklist")
    before = figures(area)
    assert_full_width(area)
    watch_figure(area)
    press(area, "min count", times=3)  # a burst: one recompute, for 103
    expect_rows(area, _checklist(catalog, unit, condition, 103), "the checklist at 103")
    assert one_redraw(area) == 1, f"three presses redrew {redraws(area)} times"
    assert figures(area) != before
    for src in figures(area):
        assert_drawn(src)
    other = [c for c in catalog.conditions if c != condition][0]
    control(area, "dropdown", "condition").locator("select").select_option(other)
    expect_rows(area, _checklist(catalog, unit, other, 103), f"the checklist by {other}")
    shoot(area, "01_measure")
    url, port = app_address(cell_output(page, "browse.launch_app(minority"))
    assert answers(url)
    APPS["01_measure.ipynb"] = url


def _checklist(catalog, unit, condition, min_count):
    from workbench import measure, plots

    return plots.styled_checklist(measure.diagnose(catalog, unit=unit, condition=condition,
                                                   min_count=min_count).checklist)


APPS = {}  # notebook -> the address of its App, as the notebook shows it


def shut_down(lab, name: str):
    """Shut ``name``'s kernel down through the server's REST API, as closing it does."""
    base, token, _, _ = lab
    with urllib.request.urlopen(f"{base}/api/sessions?token={token}") as response:
        sessions = json.load(response)
    kernel = next(s["kernel"]["id"] for s in sessions if s["path"].endswith(name))
    request = urllib.request.Request(f"{base}/api/kernels/{kernel}?token={token}",
                                     method="DELETE")
    urllib.request.urlopen(request).close()


def test_02_split(page, lab):
    from workbench import quality, split

    _, _, root, spec = lab
    run_all(page, lab, "02_split.ipynb")
    area = cell_output(page, "widgets.split_panel(")
    raw = workbench.load(spec)
    catalog = split.keep_together(raw, quality.near_duplicates(raw, cache_dir=root / "cache"))

    def summary(val, by="class", condition=None, seed=0):
        fractions = (round(1 - val - 0.15, 6), val, 0.15)
        result = split.stratified_split(catalog, fractions=fractions, seed=seed, by=by,
                                        condition=condition, groups=True)
        import pandas as pd

        return pd.Series(split.split_report(result, fractions=fractions).summary()
                         ).to_frame("value")

    expect_rows(area, summary(0.15), "the first split summary")
    assert control(area, "dropdown", "condition").locator("select").is_disabled()
    watch_figure(area)
    press(area, "val")
    expect_rows(area, summary(0.2), "the summary at val 0.2")
    time.sleep(HOLD)  # at most one redraw; none when both splits' share deviations are equal
    assert redraws(area) <= 1  # (the same picture: nothing to redraw). 01 checks exactly one.
    assert_full_width(area)
    by = [o for o in split.BY if o != "class"][0]
    control(area, "dropdown", "strata").locator("select").select_option(by)
    wait_until(lambda: not control(area, "dropdown", "condition").locator("select")
               .is_disabled(), timeout=REDRAW_TIMEOUT, what="the condition to be enabled")
    condition = catalog.conditions[0]
    expect_rows(area, summary(0.2, by, condition), f"the summary by {by}")
    seed = control(area, "text", "seed").locator("input")
    seed.fill("3")
    seed.press("Enter")
    expect_rows(area, summary(0.2, by, condition, seed=3), "the summary with seed 3")
    for src in figures(area):
        assert_drawn(src)
    shoot(area, "02_split")
    url, _ = app_address(cell_output(page, "browse.launch_app(views"))
    assert answers(url)
    if "01_measure.ipynb" in APPS:  # one App per notebook: 01's kernel ending leaves 02's
        assert APPS["01_measure.ipynb"] != url
        shut_down(lab, "01_measure.ipynb")
        wait_until(lambda: not answers(APPS["01_measure.ipynb"]), timeout=60,
                   what="01's App to close with its kernel")
        assert answers(url), "closing notebook 01 took notebook 02's App away"


def test_03_sample(page, lab):
    from workbench import sample

    _, _, _, spec = lab
    run_all(page, lab, "03_sample.ipynb")
    area = cell_output(page, "widgets.resampling_panel(")
    keys = sample.sampling_keys(workbench.load(spec))

    def plan(cap):
        return sample.plan_resampling(keys, total=len(keys), max_oversample=cap).to_frame()

    expect_rows(area, plan(5.0), "the first plan")
    watch_figure(area)
    press(area, "max oversample", times=3)
    expect_rows(area, plan(6.5), "the plan at a cap of 6.5")
    assert one_redraw(area) == 1
    assert_full_width(area)
    for src in figures(area):
        assert_drawn(src)
    total = control(area, "text", "per epoch").locator("input")
    total.fill(str(10 ** 7))
    total.press("Enter")
    wait_until(lambda: "feasible totals" in area.text_content(), timeout=REDRAW_TIMEOUT,
               what="the infeasible message")
    time.sleep(HOLD)
    assert area.locator("table").count() == 0 and figures(area) == [], \
        "an infeasible choice left the earlier plan on show"
    total.fill(str(len(keys)))
    total.press("Enter")
    expect_rows(area, plan(6.5), "the plan back at the image count")
    assert "feasible totals" not in area.text_content()
    shoot(area, "03_sample")


def test_04_augment(page, lab):
    from workbench import augment, measure, plots

    _, _, _, spec = lab
    run_all(page, lab, "04_augment.ipynb")
    area = cell_output(page, "widgets.augment_panel(")
    strength = control(area, "slider", "strength")
    families = control(area, "select-multiple", "families").locator("select")
    wait_until(lambda: figures(area), timeout=REDRAW_TIMEOUT, what="the first preview")
    assert_full_width(area)
    first = figures(area)
    assert strength.locator(".noUi-target[disabled]").count() == 0
    families.select_option([])
    wait_until(lambda: "identity" in area.text_content(), timeout=REDRAW_TIMEOUT,
               what="the identity note")
    assert strength.locator(".noUi-target[disabled]").count() == 1, "strength stays enabled"
    families.select_option(["lighting"])
    wait_until(lambda: "identity" not in area.text_content(), timeout=REDRAW_TIMEOUT,
               what="the note to go")
    watch_figure(area)
    press(area, "strength", "ArrowLeft", times=3)
    wait_until(lambda: redraws(area) >= 1, timeout=REDRAW_TIMEOUT, what="a new preview")
    time.sleep(HOLD + DEBOUNCE)
    assert redraws(area) == 1 and figures(area) != first
    catalog = workbench.load(spec)
    cls = measure.rarest_class(catalog)
    strength = augment.class_strengths(measure.class_counts(catalog).total, strength=0.85)[cls]
    preview = augment.preview(catalog, cls, n=4, strength=float(strength), seed=0,
                              families=("lighting",))
    assert_same_picture(figures(area)[0], plots.preview_grid(preview).figure)
    shoot(area, "04_augment")


def assert_same_picture(src: str, figure):
    """The shown PNG is the figure the package draws for the same choices."""
    from workbench.panel_kit import _figure_html

    expected = re.search(r'src="([^"]+)"', _figure_html(figure).data).group(1)
    shown, drawn = (np.asarray(Image.open(io.BytesIO(base64.b64decode(s.split(",", 1)[1])))
                               .convert("RGB"), int) for s in (src, expected))
    assert shown.shape == drawn.shape and np.abs(shown - drawn).mean() < 1.0, \
        "the panel shows another picture than the package draws for its choices"


def shoot(area, name: str):
    """With WORKBENCH_BROWSER_SHOTS=DIR, keep a picture of the panel to look at."""
    folder = os.environ.get("WORKBENCH_BROWSER_SHOTS")
    if folder:
        area.screenshot(path=str(Path(folder) / f"{name}.png"))


def handed_on(root: Path, spec: str):
    """The Catalog notebooks 05 and 06 start from (their first code cell's two lines)."""
    from workbench import measure, split

    cache = root / "outputs" / "cache"
    catalog = split.chosen_split(workbench.load(spec), fractions=[0.7, 0.15, 0.15], seed=0,
                                 cache_dir=cache)
    return measure.derived_conditions(catalog, cache_dir=cache)


def test_05_evaluate(page, lab):
    from workbench import evaluate

    _, _, root, spec = lab
    run_all(page, lab, "05_evaluate.ipynb")
    area = cell_output(page, "widgets.threshold_panel(")
    catalog = handed_on(root, spec)
    preds = evaluate.predictions_for(catalog, "auto", dataset=spec, seed=0)
    report = evaluate.classification_report(catalog, preds,
                                            split=evaluate.held_out_split(catalog),
                                            n_boot=FAST["n_boot"], seed=0)
    classes = list(report.to_frame().index[report.to_frame()["support"] > 0])

    def table(cls, t):
        result, _ = evaluate.at_threshold(report, cls, t)
        return result.round(3).astype(object).where(result.notna(), "–")

    expect_rows(area, table(classes[0], 0.5), "the first threshold table")
    press(area, "score threshold", times=3)
    expect_rows(area, table(classes[0], 0.53), "the table at 0.53")
    control(area, "dropdown", "class").locator("select").select_option(classes[-1])
    expect_rows(area, table(classes[-1], 0.53), f"the table for {classes[-1]}")
    shoot(area, "05_evaluate")
    url, _ = app_address(cell_output(page, "browse.launch_app(view"))
    assert answers(url)


def test_06_collect(page, lab):
    from workbench import collect, measure

    _, _, root, spec = lab
    run_all(page, lab, "06_collect.ipynb")
    area = cell_output(page, "widgets.quota_panel(")
    catalog = handed_on(root, spec)
    unit = collect.collection_unit(catalog)
    counts = measure.class_counts(catalog, unit=unit).total.rename(index=str)
    targets = collect.default_targets(
        counts, collect.rare_classes(counts, background=catalog.background),
        multiplier=2.0).to_dict()
    plan = collect.plan_quotas(catalog, targets=targets, capacity_per_day="auto", days=14,
                               by="auto", unit=unit)
    now = plan.expected.loc[0].to_dict()

    def quotas(capacity):
        return collect.plan_quotas(now, targets=plan.targets.to_dict(),
                                   capacity_per_day=capacity, days=14, yields=plan.yields,
                                   unit=plan.unit)

    expect_rows(area, quotas(plan.capacity_per_day).to_frame(), "the first quota table")
    watch_figure(area)
    press(area, "images a day", times=3)
    moved = quotas(plan.capacity_per_day + 3)
    expect_rows(area, moved.to_frame(), "the quota table 3 images a day higher")
    assert moved.summary() in " ".join(area.text_content().split())
    assert one_redraw(area) == 1
    assert_full_width(area)
    for src in figures(area):
        assert_drawn(src)
    shoot(area, "06_collect")
    url, _ = app_address(cell_output(page, "browse.launch_app(view"))
    assert answers(url)


def test_exercises(page, lab):
    run_all(page, lab, "exercises.ipynb")
    assert "Traceback" not in page.locator(".jp-Notebook").text_content()
