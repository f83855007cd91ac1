"""Run the notebooks headless and render them as HTML reports with an index page."""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path

import nbformat
from tqdm.auto import tqdm

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
    """The numbered notebooks of a folder, in order (``01_measure.ipynb``, ...)."""
    return sorted(p for p in Path(folder).glob("[0-9][0-9]_*.ipynb"))


def _ipc_kernel_manager():
    """A kernel manager on local IPC sockets: no TCP ports, no plaintext-over-TCP warning."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self):
            return "ipc"

    return IPCKernelManager


def run_notebook(notebook: Path, executed: Path, *, parameters: dict,
                 timeout: int = CELL_TIMEOUT) -> str | None:
    """Execute ``notebook`` with papermill into ``executed``; the error text, or None.

    The kernel runs in the notebook's own folder with ``parameters`` injected after the
    cell tagged ``parameters``.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    executed.parent.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("FIFTYONE_DO_NOT_TRACK", "true")
    os.environ.setdefault("FIFTYONE_DATABASE_VALIDATION", "false")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    try:
        pm.execute_notebook(
            str(notebook), str(executed), parameters=parameters, kernel_name="python3",
            execution_timeout=timeout, progress_bar=False, cwd=str(Path(notebook).parent),
            log_output=False, kernel_manager_class=_ipc_kernel_manager(),
        )
    except PapermillExecutionError as err:
        return (f"{Path(notebook).name} failed in cell {err.cell_index} (execution count "
                f"{err.exec_count}): {err.ename}: {err.evalue}")
    return None


# nbconvert's lab template, minus the two scripts it fetches from a CDN: require.js (for
# widgets, which headless runs do not build) and MathJax (the reports have no maths).
OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
"""


def render_html(executed: Path, target: Path) -> Path:
    """Render an executed notebook to a self-contained HTML file: figures inline, no
    script or style fetched from the network."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", embed_images=True,
                            extra_loaders=[DictLoader({"offline.html.j2": OFFLINE_TEMPLATE})],
                            template_file="offline.html.j2")
    body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
    target.write_text(body, encoding="utf-8")
    return target


def build_report(dataset: str, out_dir, *, seed: int = 0, selected: list[Path] | None = None,
                 timeout: int = CELL_TIMEOUT) -> list[NotebookRun]:
    """Execute each notebook on ``dataset``, render HTML, and write ``index.html``."""
    from workbench.sources import absolute_spec

    out = Path(out_dir).absolute()
    out.mkdir(parents=True, exist_ok=True)
    parameters = {"dataset": absolute_spec(dataset), "seed": int(seed), "interactive": False}
    runs = []
    bar = tqdm(selected or notebooks(), unit="notebook")
    for notebook in bar:
        bar.set_description(notebook.stem)
        executed = out / "notebooks" / notebook.name
        error = run_notebook(notebook, executed, parameters=parameters, timeout=timeout)
        page = render_html(executed, out / f"{notebook.stem}.html") if executed.exists() else None
        runs.append(NotebookRun(notebook, executed, page, error))
    write_index(runs, out / "index.html", dataset=dataset, seed=seed)
    return runs


def notebook_title(notebook: Path) -> str:
    """The first heading of a notebook's first markdown cell, without the '#'."""
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("# ").strip()
    return Path(notebook).stem


def write_index(runs: list[NotebookRun], target: Path, *, dataset: str, seed: int) -> Path:
    """An index page linking each notebook's report, with its title and status."""
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
