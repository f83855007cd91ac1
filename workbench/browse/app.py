"""The FiftyOne App: one session per kernel on 127.0.0.1, and pictures of it for the
static reports."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

import fiftyone as fo

_SESSION = None  # this kernel's App session: one per notebook, never shared


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on now (the OS picks it).

    Parameters
    ----------
    host : str
        The address to bind.

    Returns
    -------
    int
        The port.
    """
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def launch_app(view, *, enabled: bool = True, port: int | None = None,
               picture: bool = False, what: str = "images"):
    """Open the FiftyOne App on ``view``, bound to 127.0.0.1, and print its address.

    Each kernel (each notebook) gets an App of its own, on a free port unless ``port`` is
    given, and later calls in the same kernel show their view in it: closing another
    notebook cannot take this one's App away. The App closes when the kernel ends.

    Parameters
    ----------
    view : fiftyone.core.view.DatasetView or None
        What to show.
    enabled : bool
        False in headless reports: no App.
    port : int, optional
        The App's port; default a free one.
    picture : bool
        When not ``enabled``, show :func:`app_picture` of the view instead (nothing for a
        view that is None or Missing: its section already says why).
    what : str
        Names the images in the picture's caption.

    Returns
    -------
    fiftyone.core.session.Session or None
        The session; None when not ``enabled``.
    """
    global _SESSION
    if not enabled:
        from workbench.errors import Missing

        if picture and view is not None and not isinstance(view, Missing):
            from IPython.display import display

            display(app_picture(view, what=what))
        return None
    if _SESSION is not None and (port is None or port == _SESSION.server_port):
        _SESSION.view = view
    else:
        import atexit

        if _SESSION is not None:
            _SESSION.close()
        port = port or free_port()
        _start_app_server(port)  # before the session's client: no 10 s "Could not connect"
        _SESSION = fo.launch_app(view, address="127.0.0.1", port=port, auto=False)
        atexit.register(_SESSION.close)
    print(f"This notebook's FiftyOne App: http://127.0.0.1:{_SESSION.server_port}/")
    return _SESSION


@dataclass(frozen=True)
class AppPicture:
    """A screenshot of the FiftyOne App on a view, or the sentence saying why there is
    none. In a notebook it shows its caption and the PNG (or the sentence)."""

    caption: str
    png: bytes | None = None
    reason: str | None = None
    seconds: float = 0.0

    @property
    def size(self) -> tuple[int, int] | None:
        """(width, height) of the PNG in pixels, or None without one."""
        if self.png is None:
            return None
        from PIL import Image

        with Image.open(io.BytesIO(self.png)) as image:
            return image.size

    def __repr__(self) -> str:
        if self.png is None:
            return f"AppPicture(none: {self.reason})"
        width, height = self.size
        return f"AppPicture({self.caption}, {width}x{height} PNG, {self.seconds:.0f} s)"

    def _ipython_display_(self) -> None:
        from IPython.display import Image, Markdown, display

        if self.png is None:
            display(Markdown(f"*{self.reason}*"))
        else:
            display(Markdown(f"*{self.caption}:*"), Image(data=self.png, format="png"))


_PICTURE_SESSION = None  # the App session the pictures of this process are taken on


def app_picture(view, *, what: str = "images", timeout: float = 120.0) -> AppPicture:
    """A PNG of the FiftyOne App showing ``view``, for reports whose App cannot run.

    Shows the view in an App session kept for pictures (started on a free port on
    127.0.0.1 by the first picture, reused by the next ones: starting the App's server
    takes about 5 s and stopping it another 4.5 s, against 5 s for the picture itself),
    opens it in headless chromium (:mod:`workbench.app_screenshot`, a subprocess), waits
    at most ``timeout`` seconds until the sample grid has drawn its images, and takes the
    picture. The App closes when the process ends, or with :func:`close_picture_app`;
    after a failed picture it is closed at once, and the next picture starts a new one.
    Nothing is written to the dataset; the PNG goes through a temporary folder, removed
    afterwards. When chromium is missing, or the picture fails or takes too long, the
    result carries the sentence saying why instead of a PNG, and the notebook carries on.

    Parameters
    ----------
    view : fiftyone.core.view.DatasetView
        What to show.
    what : str
        Names the images in the caption: "The FiftyOne App on the 37 minority images
        (screenshot)".
    timeout : float
        Seconds to wait for the grid to draw.

    Returns
    -------
    AppPicture
        The PNG and caption, or the sentence saying why there is none.
    """
    import signal
    import subprocess
    import sys
    import tempfile
    import time

    from workbench import chromium

    n = len(view)
    caption = f"The FiftyOne App on the {n} {what} (screenshot)"

    def without(reason: str) -> AppPicture:
        return AppPicture(caption, reason=f"No picture of the FiftyOne App on the {n} {what} "
                                          f"here: {reason.rstrip('.')}.")

    reason = chromium.missing()
    if reason:
        return without(reason)
    if n == 0:
        return without("the view holds no images")
    start = time.monotonic()
    try:
        session = _picture_session(view)
    except Exception as err:  # a report without the picture, not a failed notebook
        return without(f"the App did not start ({type(err).__name__}: {err})")
    ok = False
    try:
        with tempfile.TemporaryDirectory(prefix="workbench-app-") as folder:
            out = Path(folder) / "app.png"
            command = [sys.executable, "-m", "workbench.app_screenshot",
                       f"http://127.0.0.1:{session.server_port}/", str(out),
                       "--samples", str(n), "--timeout", str(timeout)]
            # chromium's profile and files go into the temporary folder (TMPDIR), and the
            # browser runs in a process group of its own, stopped whole if it overstays
            with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True, env={**os.environ, "TMPDIR": folder},
                                  start_new_session=True) as process:
                try:
                    _, errors = process.communicate(timeout=timeout + 60)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.communicate()
                    return without(f"chromium had not finished after {timeout + 60:.0f} s")
            if process.returncode != 0 or not out.exists():
                lines = errors.strip().splitlines()
                return without(lines[-1] if lines else
                               f"the screenshot failed (exit status {process.returncode})")
            ok = True
            return AppPicture(caption, png=out.read_bytes(),
                              seconds=time.monotonic() - start)
    finally:
        if not ok:
            close_picture_app()


def _picture_session(view):
    """The pictures' App session, showing ``view``: started on the first call."""
    global _PICTURE_SESSION
    import atexit

    import fiftyone.core.context as focx

    if _PICTURE_SESSION is not None:
        _PICTURE_SESSION.view = view
        return _PICTURE_SESSION
    port = free_port()
    try:
        _start_app_server(port)
        session = fo.Session(view, address="127.0.0.1", port=port, auto=False,
                             remote=not focx.is_notebook_context())  # remote: no browser tab
    except Exception:
        _stop_app_server(port)
        raise
    session._disable_wait_warning = True  # closed on purpose: no "call wait()" hint
    _PICTURE_SESSION = session
    atexit.unregister(close_picture_app)  # registered once
    atexit.register(close_picture_app)
    return session


def close_picture_app() -> None:
    """Close the App session :func:`app_picture` keeps, and stop its server."""
    global _PICTURE_SESSION
    session, _PICTURE_SESSION = _PICTURE_SESSION, None
    if session is not None:
        session.close()


def _start_app_server(port: int) -> None:
    """Start the App's server on ``port`` before a session uses it, registered where
    FiftyOne keeps its servers (so closing the session stops it). A session starts its
    client before its server; a client that finds no server prints "Could not connect
    session, trying again in 10 seconds" and waits that long."""
    import fiftyone.core.service as fos
    import fiftyone.core.session.session as fo_session

    services = getattr(fo_session, "_server_services", None)
    if isinstance(services, dict) and port not in services:
        services[port] = fos.ServerService(port, address="127.0.0.1",
                                           do_not_track=fo.config.do_not_track)


def _stop_app_server(port: int) -> None:
    """Stop a server :func:`_start_app_server` started, if no session took it over."""
    import fiftyone.core.session.session as fo_session

    service = getattr(fo_session, "_server_services", {}).pop(port, None)
    if service is not None:
        service.stop()
