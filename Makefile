# Two commands on a fresh machine (Python >= 3.10): `make run` starts the app, `make test` runs every test.
# Each makes its own virtual environment in .venv and installs the pinned requirements first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
# make serve: app processes behind HAProxy (one per core by default); PEERS: workers on other machines (host:port ...)
WORKERS ?= $(shell nproc 2>/dev/null || echo 1)
PEERS   ?=
HAPROXY := $(or $(shell command -v haproxy 2>/dev/null),/usr/sbin/haproxy)
REDIS   := $(or $(shell command -v redis-server 2>/dev/null),/usr/bin/redis-server)
# make workers on another machine: the proxy machine's Redis (make serve PEERS=... prints it)
CLASS_STORE ?=
SUDO    := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: run serve workers test bench clean

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

# The proxy from Debian's packages, installed when missing (like the venv for `make run`).
$(HAPROXY):
	$(SUDO) apt-get update -q
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q haproxy

# Redis keeps the classes of every worker (ui/class_store.py), from Debian's packages, installed when missing.
# Debian's package also enables a system service on port 6379; make serve does not use it (its own runs on a free port).
$(REDIS):
	$(SUDO) apt-get update -q
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server

# A class: WORKERS app processes on private loopback ports behind HAProxy on PORT (sticky by cookie), and Redis
# (loopback, a password made at start) for the classes. Ctrl-C stops all.
serve: $(VENV)/.app $(HAPROXY) $(REDIS)
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m serve.supervisor --workers $(WORKERS) --port $(PORT) \
		--haproxy $(HAPROXY) --redis $(REDIS) $(foreach p,$(PEERS),--peer $(p))

# Another machine's share of a class: WORKERS app processes on PORT, PORT+1, ... for the proxy machine's PEERS.
workers: $(VENV)/.app
	OPENBLAS_NUM_THREADS=1 DNNLAB_CLASS_STORE=$(CLASS_STORE) $(BIN)/python -m serve.supervisor --workers-only \
		--workers $(WORKERS) --port $(PORT)

test: $(VENV)/.dev
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest -q

bench: $(VENV)/.dev
	$(BIN)/python bench/bench_engine.py
	$(BIN)/python bench/bench_optim.py

clean:
	rm -rf $(VENV) artifacts .pytest_cache
