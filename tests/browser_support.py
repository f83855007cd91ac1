"""What the real-browser tests share: a server started and stopped by its id, and waits on
conditions with bounded timeouts (never a sleep as an assertion)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from workbench import chromium

needs_chromium = pytest.mark.skipif(chromium.missing() is not None,
                                    reason=chromium.missing() or "")


def wait_until(condition, *, timeout: float, what: str, every: float = 0.2):
    """``condition()``'s first truthy value within ``timeout`` seconds, else fail saying
    ``what`` was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # it answers, even if with 403 (no token): it is up
    except OSError:
        return False


@contextlib.contextmanager
def serve(command: list[str], url: str, *, log: Path, env: dict | None = None,
          cwd: Path | None = None, timeout: float = 90):
    """Run ``command`` in a process group of its own until ``url`` answers; on exit stop
    that group by its id (TERM, then KILL) so nothing it started outlives the test."""
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                   env={**os.environ, **(env or {})}, cwd=cwd,
                                   start_new_session=True)
        try:
            wait_until(lambda: process.poll() is not None or _answers(url), timeout=timeout,
                       what=f"{url} to answer")
            if process.poll() is not None:
                raise AssertionError(f"{command[0]} exited ({process.returncode}):\n"
                                     + log.read_text()[-3000:])
            yield process
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
