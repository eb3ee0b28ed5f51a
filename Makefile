# Everything a fresh machine with only Python 3.11 needs: `make demo`, `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint-code bench clean

# The HTML report is tested in a real headless browser: Debian's chromium and its driver.
BROWSER := /usr/bin/chromedriver

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,grids,bench]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/crr-harness lint specs/
	$(BIN)/crr-harness certify

$(BROWSER):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver

test: $(STAMP) $(BROWSER)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint-code: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build *.egg-info
