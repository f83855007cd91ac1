"""Debian's chromium, driven by Playwright: the App pictures in the reports and the browser
tests.

Playwright is pointed at ``/usr/bin/chromium`` (``make`` installs Debian's package); we never
run ``playwright install``, which downloads a browser and fails offline. The flags are the
ones this platform needs headless as root: without the background-networking ones chromium
keeps trying hosts the closed network refuses.
"""

from __future__ import annotations

import contextlib
import importlib.util
import tempfile
from pathlib import Path

EXECUTABLE = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage"]
VIEWPORT = {"width": 1400, "height": 1000}


def missing() -> str | None:
    """Why a browser cannot be driven here (one sentence), or None when it can.

    Returns
    -------
    str or None
        The sentence.
    """
    if not EXECUTABLE.exists():
        return (f"Debian's chromium is not installed ({EXECUTABLE} is missing): "
                "`make test` or `make report` installs it (apt, as root).")
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed: `pip install -e '.[dev]'` adds it."
    return None


@contextlib.contextmanager
def browser(viewport: dict | None = None):
    """A fresh headless chromium context (its own empty profile), closed on exit.

    Parameters
    ----------
    viewport : dict, optional
        Window size in pixels; default :data:`VIEWPORT`.

    Yields
    ------
    playwright.sync_api.BrowserContext
        The context.
    """
    from playwright.sync_api import sync_playwright

    reason = missing()
    if reason:
        raise RuntimeError(reason)
    with tempfile.TemporaryDirectory(prefix="workbench-chromium-") as profile, \
            sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(EXECUTABLE), args=ARGS, headless=True,
            viewport=viewport or VIEWPORT)
        try:
            yield context
        finally:
            context.close()
