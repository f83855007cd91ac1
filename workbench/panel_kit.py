"""What every panel is made of: output areas that redraw without flicker, debounced
controls, figures as PNG, and a note where no kernel runs them."""

from __future__ import annotations

import asyncio
import base64
import functools
import io
import os

import ipywidgets as widgets
import matplotlib.pyplot as plt
import PIL.Image
from IPython.core.formatters import DisplayFormatter
from IPython.core.interactiveshell import InteractiveShell
from IPython.display import HTML, Image, Markdown


# Seconds of quiet after the last control move before a panel recomputes. ipywidgets sends a
# burst's later moves only once the kernel has answered the first, so where that round trip
# is long (a remote kernel, a loaded machine) raise it with WORKBENCH_DEBOUNCE.
def _debounce_setting(default: float = 0.3) -> float:
    value = os.environ.get("WORKBENCH_DEBOUNCE", str(default))
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"WORKBENCH_DEBOUNCE={value!r} is not a number of seconds: unset "
                         "it, or set it to one such as 1.0") from None


DEBOUNCE = _debounce_setting()


DPI = 150       # figures are drawn at this resolution and shown at >= 100 dpi


def _show(out: widgets.Output, *items) -> None:
    """Make ``out`` show exactly ``items`` (nothing when none), in one state change.

    Setting ``outputs`` needs no kernel message context (``with out:`` does), so it
    works from a debounced callback and in a plain Python process alike.
    """
    fmt = _formatter().format
    bundles = []
    for item in items:
        data, metadata = fmt(_figure_html(item) if isinstance(item, plt.Figure) else item)
        bundles.append({"output_type": "display_data", "data": data, "metadata": metadata})
    out.outputs = tuple(bundles)


def _formatter() -> DisplayFormatter:
    """The kernel's display formatter; outside IPython a plain one (never a new global
    shell: that would change how ``display`` behaves for the rest of the process)."""
    if InteractiveShell.initialized():
        return InteractiveShell.instance().display_formatter
    return DisplayFormatter()


def png(figure: plt.Figure, *, dpi: int = DPI) -> Image:
    """A figure as a PNG image on white (then closed).

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The figure.
    dpi : int
        Resolution.

    Returns
    -------
    IPython.display.Image
        The PNG.
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    plt.close(figure)
    return Image(data=buffer.getvalue(), format="png")


def _figure_html(figure: plt.Figure) -> HTML:
    """The figure as an <img> as wide as the panel, and never narrower than at 100 dpi
    (the panel scrolls sideways instead), so its smallest text stays readable."""
    image = png(figure)
    width = round(PIL.Image.open(io.BytesIO(image.data)).width * 100 / DPI)
    data = base64.b64encode(image.data).decode("ascii")
    return HTML(f'<img class="workbench-figure" src="data:image/png;base64,{data}" '
                f'data-min-width="{width}" style="width:100%;min-width:{width}px;'
                f'max-width:none;height:auto" alt="figure">')


def headless_note(factory):
    """Give a panel factory an ``enabled`` flag; when False, return a note, not a widget.

    Parameters
    ----------
    factory : callable
        A panel factory.

    Returns
    -------
    callable
        The factory with an ``enabled`` keyword.
    """
    @functools.wraps(factory)
    def wrapper(*args, enabled: bool = True, **kwargs):
        if enabled:
            return factory(*args, **kwargs)
        return Markdown(f"*Interactive panel `{factory.__name__}`: run this notebook in "
                        "JupyterLab (`make lab`) to use it; the figures around it are its "
                        "static output.*")
    return wrapper


def debounced(update, delay: float = DEBOUNCE):
    """``update`` called once, ``delay`` seconds after the last of a burst of calls.

    In a kernel (a running asyncio loop) each call cancels the pending one; with no
    running loop (a script, a test) it calls ``update`` at once.

    Parameters
    ----------
    update : callable
        Called with no argument.
    delay : float
        Seconds.

    Returns
    -------
    callable
        ``call(change=None)``, for ``observe``.
    """
    pending = None

    def call(_change=None):
        nonlocal pending
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            update()
            return
        if pending is not None:
            pending.cancel()
        pending = loop.call_later(delay, update)

    return call


def _output(**layout) -> widgets.Output:
    """An Output as wide as the panel that scrolls sideways rather than squeeze a figure."""
    return widgets.Output(layout=widgets.Layout(**{"width": "100%", "overflow": "auto"}
                                                | layout))


def _wire(controls: dict, update) -> None:
    """Show each control's whole label, recompute (debounced) on every change, and once
    now."""
    later = debounced(update)
    for control in controls.values():
        control.style.description_width = "initial"  # "max oversample", not "max over..."
        control.observe(later, names="value")
    update()


class Panel(widgets.VBox):
    """A panel: its controls, its output areas, and the value it last computed.

    ``controls`` maps a name to its widget (tests and notebooks move them by name);
    ``table`` and ``figure`` are its output areas (None where it has none); ``result`` is
    the stage's value for the controls as they are, and ``error`` says why there is none.
    What else a panel computes beside its result (a split's report, a plan's repeat
    factors) is a field of the panel's own class.
    """

    def __init__(self, children, *, controls: dict, table=None, figure=None):
        super().__init__(list(children))
        self.controls = controls
        self.table, self.figure = table, figure
        self.result = None
        self.error: str | None = None


class SplitPanel(Panel):
    """A split panel: ``result`` is the split Catalog, ``report`` its split report."""

    report = None


class ResamplingPanel(Panel):
    """A resampling panel: ``result`` is the plan, ``factors`` the LVIS repeat factors of a
    detection dataset (None otherwise)."""

    factors = None
