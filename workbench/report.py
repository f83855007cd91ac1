"""Run the notebooks headless and render them as HTML reports with an index page."""

from __future__ import annotations

import contextlib
import functools
import html
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat
from tqdm.auto import tqdm

from workbench.kernel import SharedKernel

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
CELL_TIMEOUT = 600  # seconds; headless widget cells can stall (nbclient #312): never None


@dataclass(frozen=True)
class NotebookRun:
    """The outcome of one executed notebook."""

    notebook: Path
    executed: Path
    html: Path | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def notebooks(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The numbered notebooks of a folder, in order (``01_measure.ipynb``, ...), then
    those of its ``exercises`` folder.

    Parameters
    ----------
    folder : Path
        The notebooks' folder.

    Returns
    -------
    list of Path
        The notebooks, in order.
    """
    folder = Path(folder)
    return (sorted(folder.glob("[0-9][0-9]_*.ipynb"))
            + sorted((folder / "exercises").glob("*.ipynb")))


def run_notebook(notebook: Path, executed: Path, *, parameters: dict, kernel: SharedKernel,
                 timeout: int = CELL_TIMEOUT) -> str | None:
    """Execute ``notebook`` with papermill into ``executed``; the error text, or None.

    The notebook runs in ``kernel``, cleared first and moved to the notebook's folder
    (:class:`workbench.kernel.SharedKernel`), with ``parameters`` injected after the cell
    tagged ``parameters``. A failed page, a timeout or a dead kernel is this page's error
    (the kernel is restarted for the next one), never an exception.

    Parameters
    ----------
    notebook : Path
        The notebook to run.
    executed : Path
        Where the executed notebook is written.
    parameters : dict
        Values for the notebook's parameters (those it does not declare are dropped).
    kernel : SharedKernel
        The kernel to run in.
    timeout : int
        Seconds a cell may run.

    Returns
    -------
    str or None
        The error, or None when it ran.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    executed.parent.mkdir(parents=True, exist_ok=True)
    declared = pm.inspect_notebook(str(notebook))  # pass only what the notebook takes
    parameters = {k: v for k, v in parameters.items() if k in declared}
    error = None
    try:
        kernel.fresh(cwd=Path(notebook).parent)
        pm.execute_notebook(  # written at the end (and every 30 s), not after each cell
            str(notebook), str(executed), parameters=parameters, kernel_name="python3",
            execution_timeout=timeout, progress_bar=False, log_output=False, km=kernel.km,
            request_save_on_cell_execute=False)
    except PapermillExecutionError as err:
        error = (f"{Path(notebook).name} failed in cell {err.cell_index} (execution count "
                 f"{err.exec_count}): {err.ename}: {err.evalue}")
    except Exception as err:  # a timeout or a dead kernel: this page fails, the others run
        error = f"{Path(notebook).name} failed: {type(err).__name__}: {err}"
    finally:
        kernel.done(ok=error is None)
    return error


# nbconvert's lab template, minus the two scripts it fetches from a CDN: require.js (for
# widgets, which headless runs do not build) and MathJax (the reports have no maths). A
# code cell's input is the notebook's own code as pygments highlights it (escaped, in div,
# pre and span with classes): the template's bleach pass over it changes nothing and took
# a fifth of each page's time (0.21 s to 0.17 s a page). Outputs and markdown are still cleaned.
OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{% block input %}
<div class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor" data-type="inline">
     <div class="cm-editor cm-s-jupyter">
{{ cell.source | highlight_code(metadata=cell.metadata) }}
     </div>
</div>
{%- endblock input %}
"""


def render_html(executed: Path, target: Path) -> Path:
    """Render an executed notebook to a self-contained HTML file: figures inline, no
    script or style fetched from the network.

    Parameters
    ----------
    executed : Path
        An executed notebook.
    target : Path
        The HTML file to write.

    Returns
    -------
    Path
        ``target``.
    """
    body, _ = _html_exporter().from_notebook_node(nbformat.read(executed, as_version=4))
    target.write_text(body, encoding="utf-8")
    return target


@functools.cache
def _html_exporter():
    """One exporter per process (its templates are loaded once). Figures are outputs, already
    inline; the notebooks' markdown links no image, so nbconvert's ``embed_images`` pass
    (an HTML parse of every page, a third of its time) is not needed."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="lab",
                        extra_loaders=[DictLoader({"offline.html.j2": OFFLINE_TEMPLATE})],
                        template_file="offline.html.j2")


def build_report(dataset: str, out_dir, *, seed: int = 0, selected: list[Path] | None = None,
                 timeout: int = CELL_TIMEOUT, private_database: bool = True,
                 parameters: dict | None = None, fresh: bool = False,
                 kernel: SharedKernel | None = None,
                 per_notebook: dict[str, dict] | None = None) -> list[NotebookRun]:
    """Execute each notebook on ``dataset``, render HTML, and write ``index.html``.

    The dataset spec is checked once, before any notebook runs: a bad spec is one
    :class:`workbench.DataError`, not one failed notebook each. Everything the run writes
    stays in ``out_dir``: the rendered pages, the executed notebooks, the notebooks'
    exports (``out_dir/outputs``) and, with ``private_database``, FiftyOne's database for
    the run (removed at the end). ``parameters`` overrides notebook parameters by name
    (each notebook takes those it declares), e.g. ``{"strategy_images": 200}``;
    ``per_notebook`` overrides them for one notebook, by name:
    ``{"01_measure": {"app_picture": True}}``.

    A page whose inputs are unchanged since its last successful run is reused
    (:mod:`workbench.report_cache`), unless ``fresh``. The notebooks run one after the
    other in one kernel (:class:`workbench.kernel.SharedKernel`), this ``kernel`` when
    given (it must have been started with this database: the tests run many reports in
    one), else one started for the run.

    Parameters
    ----------
    dataset : str
        A dataset spec.
    out_dir : str or Path
        Where everything goes.
    seed : int
        The notebooks' seed.
    selected : list of Path, optional
        The notebooks to run; default all (:func:`notebooks`).
    timeout : int
        Seconds a cell may run.
    private_database : bool
        Run FiftyOne on a database of the run's own.
    parameters : dict, optional
        Notebook parameters by name.
    fresh : bool
        Run every notebook, even unchanged ones.
    kernel : SharedKernel, optional
        The kernel to run in.
    per_notebook : dict of str to dict, optional
        Parameters for one notebook, by its name.

    Returns
    -------
    list of NotebookRun
        One per notebook: paths and error.
    """
    from workbench import report_cache
    from workbench.environment import private_database as database
    from workbench.sources import absolute_spec, load

    out = output_folder(out_dir)
    spec = absolute_spec(dataset)
    with warnings.catch_warnings():  # each notebook shows the loader's findings itself
        warnings.simplefilter("ignore")
        load(spec)
    parameters = {"dataset": spec, "seed": int(seed), "interactive": False,
                  "output_dir": str(out / "outputs"), **(parameters or {})}
    names = {n.stem for n in selected or notebooks()}
    unknown = sorted(set(per_notebook or {}) - names)
    if unknown:
        raise ValueError(f"per_notebook names {unknown}, which are not notebooks; the "
                         f"notebooks: {sorted(names)}.")
    runs = []
    with contextlib.ExitStack() as stack:
        runtime = out / ".runtime"  # kernel sockets and connection files, removed at the end
        if len(str(runtime / "kernel-ipc-00")) > 100:  # a socket path has 107 bytes at most
            runtime = Path(tempfile.mkdtemp(prefix="wb-runtime-"))
        runtime.mkdir(exist_ok=True)
        stack.callback(shutil.rmtree, runtime, True)
        if private_database:
            folder = out / ".fiftyone-db"
            stack.callback(shutil.rmtree, folder, True)
            stack.enter_context(database(folder))
        bar = tqdm(selected or notebooks(), unit="notebook")
        for notebook in bar:
            bar.set_description(notebook.stem)
            executed, page = out / "notebooks" / notebook.name, out / f"{notebook.stem}.html"
            these = {**parameters, **(per_notebook or {}).get(notebook.stem, {})}
            key = None if fresh else report_cache.fingerprint(notebook, these)
            if report_cache.reusable(executed.parent, notebook.name, key, page):
                bar.set_description(f"{notebook.stem} (unchanged)")
                runs.append(NotebookRun(notebook, executed, page, None))
                continue
            if kernel is None:
                kernel = stack.enter_context(SharedKernel(runtime))
            error = run_notebook(notebook, executed, parameters=these, kernel=kernel,
                                 timeout=timeout)
            page = render_html(executed, page) if executed.exists() else None
            report_cache.record(executed.parent, notebook.name,
                                report_cache.fingerprint(notebook, these)
                                if error is None else None)
            runs.append(NotebookRun(notebook, executed, page, error))
    write_index(runs, out / "index.html", dataset=dataset, seed=seed)
    return runs


def output_folder(out_dir) -> Path:
    """``out_dir`` as an absolute folder, created; a clear error when it is a file.

    Parameters
    ----------
    out_dir : str or Path
        The folder.

    Returns
    -------
    Path
        Absolute, created.
    """
    from workbench.errors import DataError

    out = Path(out_dir).expanduser().absolute()
    if out.exists() and not out.is_dir():
        raise DataError(f"--out {str(out_dir)!r} is a file; give a folder for the report "
                        "(it is created if missing).")
    out.mkdir(parents=True, exist_ok=True)
    return out


def notebook_title(notebook: Path) -> str:
    """The first heading of a notebook's first markdown cell, without the '#'.

    Parameters
    ----------
    notebook : Path
        The notebook.

    Returns
    -------
    str
        The title; the file's stem without a heading.
    """
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("# ").strip()
    return Path(notebook).stem


def write_index(runs: list[NotebookRun], target: Path, *, dataset: str, seed: int) -> Path:
    """An index page linking each notebook's report, with its title and status.

    Parameters
    ----------
    runs : list of NotebookRun
        The runs.
    target : Path
        The HTML file to write.
    dataset : str
        The dataset spec, shown.
    seed : int
        The seed, shown.

    Returns
    -------
    Path
        ``target``.
    """
    rows = "\n".join(
        f"<tr><td class='{'ok' if r.ok else 'failed'}'>{'ok' if r.ok else 'FAILED'}</td><td>"
        + (f"<a href='{html.escape(r.html.name)}'>{html.escape(notebook_title(r.notebook))}</a>"
           if r.html else html.escape(notebook_title(r.notebook)))
        + f"</td><td>{html.escape(r.error or '')}</td></tr>"
        for r in runs
    )
    target.write_text(f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Imbalance workbench report</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}
td{{padding:.3em 1em;border-bottom:1px solid #ddd}} .ok{{color:#2a9d8f}}
.failed{{color:#e76f51;font-weight:bold}}</style></head>
<body><h1>Imbalance workbench report</h1>
<p>Dataset <code>{html.escape(dataset)}</code>, seed {int(seed)}.</p>
<p>Each report is a notebook executed on this dataset; open the notebook in JupyterLab
(<code>make lab</code>) to change its parameters and use its interactive panel.</p>
<table><tr><th>status</th><th>notebook</th><th>error</th></tr>
{rows}
</table></body></html>
""", encoding="utf-8")
    return target
