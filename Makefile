# Two commands on a fresh machine (Python >= 3.10): `make run` starts the app, `make test` runs every test.
# Each makes its own virtual environment in .venv and installs the pinned requirements first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501

.PHONY: run test bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python >= 3.10 is required"'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.app: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.app
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# OPENBLAS_NUM_THREADS=1: sessions already run in parallel threads; threaded BLAS on small matrices only oversubscribes.
run: $(VENV)/.app
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m ui.launch --server.port $(PORT)

test: $(VENV)/.dev
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest -q

bench: $(VENV)/.dev
	$(BIN)/python bench/bench_engine.py
	$(BIN)/python bench/bench_optim.py

clean:
	rm -rf $(VENV) artifacts .pytest_cache
