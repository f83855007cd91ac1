import os

from workbench import report_cache


def _notebook(tmp_path):
    path = tmp_path / "01_measure.ipynb"
    path.write_text('{"cells": []}')
    return path


def test_fingerprint_follows_every_input_and_nothing_else(tmp_path):
    notebook = _notebook(tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.xml").write_text("<a/>")
    params = {"dataset": f"voc:{data}", "seed": 0, "output_dir": str(tmp_path / "out")}
    key = report_cache.fingerprint(notebook, params)
    assert key == report_cache.fingerprint(notebook, params)
    assert key == report_cache.fingerprint(notebook, {**params, "output_dir": "/elsewhere"})
    assert key != report_cache.fingerprint(notebook, {**params, "seed": 1})
    (data / "b.xml").write_text("<b/>")  # a file added to the dataset
    added = report_cache.fingerprint(notebook, params)
    assert added != key
    stat = (data / "a.xml").stat()  # a file touched
    os.utime(data / "a.xml", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert report_cache.fingerprint(notebook, params) != added
    notebook.write_text('{"cells": [], "x": 1}')  # the notebook edited
    assert report_cache.fingerprint(notebook, params) != added
    assert report_cache.fingerprint(notebook, {**params, "dataset": "fiftyone:mine"}) is None


def test_a_page_is_reused_only_after_a_successful_run_with_the_same_key(tmp_path):
    folder, page = tmp_path / "notebooks", tmp_path / "01_measure.html"
    assert not report_cache.reusable(folder, "01.ipynb", "k1", page)
    report_cache.record(folder, "01.ipynb", "k1")
    assert not report_cache.reusable(folder, "01.ipynb", "k1", page)  # no page yet
    page.write_text("<html/>")
    assert report_cache.reusable(folder, "01.ipynb", "k1", page)
    assert not report_cache.reusable(folder, "01.ipynb", "k2", page)
    assert not report_cache.reusable(folder, "01.ipynb", None, page)  # --fresh
    report_cache.record(folder, "01.ipynb", None)  # a failed run forgets the key
    assert not report_cache.reusable(folder, "01.ipynb", "k1", page)
