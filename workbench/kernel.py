"""One Jupyter kernel for all the notebooks of a report, each started on an empty namespace.

A fresh kernel per notebook spends about 5 s importing the same libraries (FiftyOne,
torch through Albumentations, scikit-learn); a report of seven notebooks on a small
dataset spent more time importing than computing. :class:`SharedKernel` starts one
kernel, and before each notebook clears what the previous one left: its names
(``%reset -f``), its working folder, its warning filters and the record of warnings
already shown (so the loader's notes show again in every notebook), and the cell count
(each page numbers its cells from 1, in a new history session). Open figures need no
clearing: the inline backend closes them after each cell. Libraries stay imported; that
is the point.

A notebook that fails or times out may leave the kernel busy or broken, so the kernel is
restarted after any failure: the next notebook never inherits one.
"""

from __future__ import annotations

import os
from pathlib import Path

from jupyter_core.utils import run_sync

# What the kernel inherits besides this process's environment: figures inline (whatever
# backend the caller uses), FiftyOne without tracking or database validation.
KERNEL_ENV = {"MPLBACKEND": "module://matplotlib_inline.backend_inline",
              "FIFTYONE_DO_NOT_TRACK": "true", "FIFTYONE_DATABASE_VALIDATION": "false"}

# Run in the kernel before each notebook. The warning filters are put back as they were
# when the kernel started (kept in builtins, which %reset spares); changing the filters
# also forgets which warnings were shown. ``reset(new_session=True)`` is ``%reset -f`` that
# also numbers the next cell 1 in a new history session.
_FRESH = """\
get_ipython().reset(new_session=True)
import builtins as _b, os as _os, warnings as _w
if not hasattr(_b, "_workbench_filters"):
    _b._workbench_filters = list(_w.filters)
_w.resetwarnings()
_w.filters.extend(_b._workbench_filters)
_os.chdir({cwd!r})
del _b, _os, _w
"""


def ipc_kernel_manager(folder: Path):
    """A kernel manager class on local IPC sockets: no TCP ports, no plaintext-over-TCP
    warning. The sockets are files named ``folder/kernel-ipc-N``, so a report keeps them
    inside its output. It keeps the clients made
    for it (nbclient makes one per notebook and leaves it open when it does not own the
    kernel) so that :meth:`close_clients` can close them.

    Parameters
    ----------
    folder : Path
        Where the sockets go.

    Returns
    -------
    type
        An ``AsyncKernelManager`` subclass.
    """
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self):
            return "ipc"

        @default("ip")
        def _default_ip(self):
            return str(folder / "kernel-ipc")

        def client(self, **kwargs):
            made = super().client(**kwargs)
            self.__dict__.setdefault("_clients", []).append(made)
            return made

        def close_clients(self):
            for made in self.__dict__.pop("_clients", []):
                made.stop_channels()

    return IPCKernelManager


class SharedKernel:
    """A python3 kernel reused by every notebook run through it; a context manager.

    Use::

        with SharedKernel(runtime) as kernel:
            for notebook in notebooks:
                kernel.fresh(cwd=notebook.parent)
                papermill.execute_notebook(..., km=kernel.km)  # and catch its errors
                kernel.done(ok=...)
    """

    def __init__(self, runtime: Path, *, startup_timeout: int = 60):
        """``runtime``: the folder for the kernel's sockets and connection file, created if
        missing (removed by the caller; nothing is written elsewhere)."""
        Path(runtime).mkdir(parents=True, exist_ok=True)
        self.km = ipc_kernel_manager(runtime)(
            kernel_name="python3", connection_file=str(Path(runtime) / "kernel.json"))
        self.startup_timeout = startup_timeout

    def __enter__(self) -> SharedKernel:
        run_sync(self.km.start_kernel)(env={**os.environ, **KERNEL_ENV})
        return self

    def __exit__(self, *exc) -> None:
        self.km.close_clients()
        if self.km.has_kernel:
            run_sync(self.km.shutdown_kernel)(now=True)

    def fresh(self, cwd: Path) -> None:
        """Clear what the last notebook left and move to ``cwd``.

        Parameters
        ----------
        cwd : Path
            The next notebook's folder.
        """
        client = self.km.client()
        try:
            client.start_channels()
            run_sync(client.wait_for_ready)(timeout=self.startup_timeout)
            reply = run_sync(client.execute_interactive)(
                _FRESH.format(cwd=str(cwd)), store_history=False, silent=False,
                output_hook=lambda msg: None, timeout=self.startup_timeout)
        finally:
            self.km.close_clients()
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the shared kernel could not be cleared: {reply['content']}")

    def done(self, *, ok: bool) -> None:
        """Close the notebook's clients; restart the kernel after a failure.

        Parameters
        ----------
        ok : bool
            Whether the notebook ran.
        """
        self.km.close_clients()
        if not ok or not run_sync(self.km.is_alive)():
            run_sync(self.km.restart_kernel)(now=True)
