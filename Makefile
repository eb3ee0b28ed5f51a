# Everything a fresh machine with only Python 3.11 needs: `make demo`, `make test`.
# Dependencies come from requirements.lock (exact versions with hashes);
# pyproject.toml keeps the open ranges for those who install the library
# into an environment of their own.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock
EXTRAS := test grids bench

.PHONY: demo test test-latest lint-code lock wheel-check bench clean

# The HTML report is tested in a real headless browser: Debian's chromium and its driver.
BROWSER := /usr/bin/chromedriver

$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/crr-harness lint specs/
	$(BIN)/crr-harness certify

$(BROWSER):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver

test: $(STAMP) $(BROWSER)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# The newest releases pyproject.toml's ranges allow, without the lock: what a
# maintainer runs to see what the next `make lock` will bring.
test-latest: $(BROWSER)
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install -q --upgrade pip
	.venv-latest/bin/python -m pip install -q -e '.[test,grids,bench]'
	.venv-latest/bin/python -m pip freeze > .venv-latest/versions.txt
	.venv-latest/bin/python -m pytest

# Refresh requirements.lock from pyproject.toml's ranges (newest releases, with hashes).
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q uv
	$(BIN)/python -m uv pip compile -q --upgrade --generate-hashes --universal \
	    --python-version 3.11 $(addprefix --extra ,$(EXTRAS)) \
	    pyproject.toml requirements-build.in -o $(LOCK)

# The installed wheel, as a user meets it: built, installed into a new venv
# outside the checkout from the lock, and run from an empty directory.
wheel-check: $(STAMP)
	bash .ci/wheel-check

lint-code: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(ARGS)

clean:
	rm -rf $(VENV) .venv-latest build *.egg-info
