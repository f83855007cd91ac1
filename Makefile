# Every target builds what it needs first: a fresh clone needs only `make report` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DATASET ?= demo:surfaces
PREDICTIONS ?= auto
SEED ?= 0
APP_PORT ?= 8866
LOCAL_WHEELS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels)
export FIFTYONE_DO_NOT_TRACK := true
export FIFTYONE_DATABASE_VALIDATION := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: report solutions test mutants lab app bench data env browser lock clean

report: $(STAMP) browser data
	$(PY) -m workbench report --dataset $(DATASET) --predictions $(PREDICTIONS) --seed $(SEED) --out reports $(if $(FRESH),--fresh)

# The teacher's report: every solution worked out, in solutions/, never in the students'
# reports/ folder.
solutions: $(STAMP) browser data
	$(PY) -m workbench report --dataset $(DATASET) --predictions $(PREDICTIONS) --seed $(SEED) --out solutions --solutions $(if $(FRESH),--fresh)

test: $(STAMP) browser
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -n 3 --dist loadgroup --durations=15

lab: $(STAMP) data
	$(VENV)/bin/jupyter lab --no-browser --allow-root --ip=127.0.0.1 --notebook-dir=notebooks

# The panels of every notebook without the code, served by Voila at http://127.0.0.1:$(APP_PORT)/
# with its own widget manager, offline: the template in notebooks/app/voila drops the lab
# template's CDN stylesheets. Voila keeps stderr and tracebacks off the page; the cell
# timeout (none by default: a stalled cell would hang the page) leaves room for a slow
# first build (probe features, caches).
app: $(STAMP) data
	WORKBENCH_DATASET='$(DATASET)' WORKBENCH_PREDICTIONS='$(PREDICTIONS)' \
	JUPYTER_PATH=$(CURDIR)/notebooks/app \
	  $(VENV)/bin/voila notebooks/app/dashboard.ipynb --template=offline --no-browser \
	  --Voila.ip=127.0.0.1 --port=$(APP_PORT) --Voila.port_retries=0 --VoilaExecutor.timeout=900

# Mutation testing of the numeric core (tests/mutants.py, configured in pyproject.toml): a
# kill rate per module and the surviving mutants per function. Not part of make test: it
# runs the unit tests once per mutant, hours on two cores. Results stay in mutants/
# (git-ignored); run again, it re-tests only the functions that changed; SURVIVORS=1
# re-tests only the last run's survivors (after writing tests against them).
mutants: $(STAMP)
	$(PY) tests/mutants.py $(if $(SURVIVORS),--survivors)

bench: $(STAMP)
	$(PY) benchmarks/run.py

data: $(STAMP)
	$(PY) -m workbench demo --all

env: $(STAMP)

# Debian's chromium, for the real-browser tests and the App pictures in the reports (driven
# by playwright at /usr/bin/chromium, never `playwright install`, which downloads a browser).
# Installed by apt when missing and we are root (as in CI); otherwise those tests skip and the
# reports say why.
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing and apt needs root: the browser tests will skip"; fi; }

# The environment: a virtualenv built from requirements.lock (every transitive package pinned
# with its hashes: the same install in a year), the package installed editable on top (so
# every kernel can import workbench), then a check that FiftyOne's mongod runs.
#
# uv installs the lock in about 25 s where pip takes 1.5 min, the same 224 packages, bytecode
# compiled as pip does (measured on fresh venvs); pip installs uv first, checked against the
# lock's hashes. torch's CPU build
# is a local file on these machines (pip finds it through its config, uv through --find-links).
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r <(sed -n '/^uv==/,/# via/p' requirements.lock)
	$(VENV)/bin/uv pip sync --quiet --python $(PY) --require-hashes --compile-bytecode $(LOCAL_WHEELS) \
	  requirements.lock
	$(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps --no-build-isolation -e .
	$(PY) -m workbench doctor
	touch $(STAMP)

# Regenerate requirements.lock from pyproject.toml's direct pins (after changing one).
lock: $(STAMP)
	$(VENV)/bin/pip-compile --quiet --extra dev --extra torch --generate-hashes --allow-unsafe \
	  --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) reports/*.html reports/notebooks reports/outputs notebooks/outputs data/demo solutions
