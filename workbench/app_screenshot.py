"""A PNG of a running FiftyOne App, taken with headless chromium once its grid has drawn.

Run as a subprocess, ``python -m workbench.app_screenshot URL OUT.png [--timeout S]``:
Playwright's sync API cannot run inside a Jupyter kernel's asyncio loop.
:func:`workbench.browse.app_picture` starts the App on a view and calls it. Exit status 0
and the PNG written, or 1 with one sentence on stderr saying what went wrong.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from workbench import chromium

# Every sample tile of the App's grid (a "looker") draws its image on a canvas and then
# marks the canvas ``canvas-loaded="true"``; a tile whose image cannot be read shows an error
# (``data-cy=looker-error-info``) instead. ``[data-cy=looker]`` and ``canvas-loaded`` are
# what FiftyOne's own end-to-end tests wait on. The grid adds its tiles a row batch at a
# time, so it is drawn when every tile has done one or the other and the tiles either
# reach the bottom of the window or number all the samples.
GRID_DRAWN = """(samples) => {
    const tiles = [...document.querySelectorAll('[data-cy=looker]')];
    if (!tiles.length) return false;
    const drawn = tiles.every(tile => tile.querySelector(
        'canvas[canvas-loaded=true], [data-cy=looker-error-info]'));
    const bottom = Math.max(...tiles.map(tile => tile.getBoundingClientRect().bottom));
    return drawn && (tiles.length >= samples || bottom >= window.innerHeight);
}"""
# The App skips its "Explore Enterprise" popup, query-performance toasts and analytics when
# it is driven by Playwright (the switch FiftyOne's own tests set).
QUIET_APP = "window.IS_PLAYWRIGHT = true;"


def screenshot(url: str, out, *, samples: int = 1, timeout: float = 90.0,
               viewport: dict | None = None) -> Path:
    """Open the App at ``url``, wait (at most ``timeout`` seconds) until its sample grid
    has drawn the images in sight (``samples``: how many the view holds), dismiss any
    popup, and save a PNG of the page to ``out``. Raises TimeoutError when the grid does
    not finish in time.

    Parameters
    ----------
    url : str
        The App's address.
    out : str or Path
        The PNG to write.
    samples : int
        Images the view holds.
    timeout : float
        Seconds to wait.
    viewport : dict, optional
        Browser window size (``{"width": ..., "height": ...}`` in pixels).

    Returns
    -------
    Path
        ``out``.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    out = Path(out)
    deadline = time.monotonic() + timeout

    def left_ms() -> float:
        return max(1.0, deadline - time.monotonic()) * 1000

    with chromium.browser(viewport) as context:
        context.add_init_script(QUIET_APP)
        page = context.new_page()
        try:
            page.goto(url, timeout=left_ms())
            page.wait_for_function(GRID_DRAWN, arg=int(samples), timeout=left_ms(),
                                   polling=250)
        except PlaywrightTimeout:
            raise TimeoutError(f"the App's sample grid at {url} had not drawn its images "
                               f"after {timeout:g} s") from None
        for button in page.get_by_role("button", name="Dismiss").all():
            if button.is_visible():  # should a popup show anyway
                button.click(timeout=5000)
                button.wait_for(state="hidden", timeout=5000)
                page.mouse.move(0, 0)  # no hover highlight on the tile under the button
        page.screenshot(path=str(out))
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m workbench.app_screenshot URL OUT [--samples N] [--timeout S]``.

    Parameters
    ----------
    argv : list of str, optional
        The arguments; default ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: 0, or 1 with one line on stderr.
    """
    parser = argparse.ArgumentParser(prog="python -m workbench.app_screenshot",
                                     description=screenshot.__doc__.split("\n")[0])
    parser.add_argument("url")
    parser.add_argument("out", type=Path)
    parser.add_argument("--samples", type=int, default=1, help="images in the view")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds")
    args = parser.parse_args(argv)
    try:
        screenshot(args.url, args.out, samples=args.samples, timeout=args.timeout)
    except Exception as err:  # one sentence for the notebook, not a traceback
        first = str(err).strip().splitlines()[0] if str(err).strip() else ""
        print(first if isinstance(err, TimeoutError) else f"{type(err).__name__}: {first}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
