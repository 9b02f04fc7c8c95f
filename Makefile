# carebot: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3.10 || command -v python3)
# The tested lock is for Python 3.11; 3.10 has its own (the same environment, stepped down
# where a release needs 3.11, plus 3.10's backports).
PY_MINOR := $(shell $(PYTHON) -c 'import sys; print(sys.version_info[1])' 2>/dev/null)
LOCK := $(if $(filter 10,$(PY_MINOR)),requirements/lock-py310.txt,requirements/lock.txt)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
STAMP := $(VENV)/.carebot-installed
# pip's index configuration here lists optional local mirrors that may not exist; hide that noise.
QUIET_PIP := 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)

.PHONY: setup train run check test test-postgres lint eval-nlu eval-answers eval-safety bench soak clean

setup: $(STAMP)

# Rasa 3.6 declares Python <3.11; the pinned lock is installed without resolution,
# then rasa itself with --ignore-requires-python (../shared/RASA_ON_PY311.md). Every file is
# checked against the sha256 in the lock (--require-hashes; scripts/hash-locks.sh writes them);
# carebot itself is built with the virtualenv's own setuptools, so nothing unhashed is fetched.
$(STAMP): requirements/lock.txt requirements/lock-py310.txt requirements/rasa.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] in {(3, 10), (3, 11)} else 1)' || \
		{ echo "carebot needs Python 3.11 or 3.10 (the locks are pinned for them); found: $$($(PYTHON) --version). Run make PYTHON=/path/to/python3.11"; exit 1; }
	@echo "Setting up $(VENV) with $(PYTHON) (first time takes a few minutes)..."
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(PIP) install --require-hashes --no-deps -r $(LOCK) $(QUIET_PIP)
	@$(PIP) install --require-hashes --no-deps --ignore-requires-python -r requirements/rasa.txt $(QUIET_PIP)
	@$(PIP) install --no-deps --no-build-isolation -e . $(QUIET_PIP)
	@touch $(STAMP)
	@echo "Setup done."

train: setup
	$(BIN)/carebot train

# Demo mode: generates a local data key (and says so) and seeds demo staff and children.
run: setup
	CAREBOT_DEMO=1 $(BIN)/carebot train
	CAREBOT_DEMO=1 $(BIN)/carebot seed-demo
	CAREBOT_DEMO=1 $(BIN)/carebot serve --host 127.0.0.1 --port 8000

# The fast lane (under 2 minutes on 2 cores): ruff, the import layers, and every test that runs
# in this process without the trained model: the unit tests and the in-process integration,
# security and page tests. Left to `make test`: tests marked `model` (tests/conftest.py marks
# them from the fixtures they use), `slow` (they start a carebot or rasa process) and `soak`.
check: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest tests -m "not model and not slow and not soak" -q $(PYTEST_ARGS)

test: setup
	scripts/ensure-test-tools.sh
	$(BIN)/carebot train
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/carebot content report
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The database and end-to-end tests again, against a throwaway PostgreSQL server
# (scripts/with-postgres.sh starts it on a free loopback port and deletes it afterwards).
# The soak (10,000 messages, CPU-bound) and the Chromium page tests (what a page shows and
# does, whatever the database) run once, on SQLite, in `make test`.
POSTGRES_TESTS ?= tests/integration tests/e2e
test-postgres: setup
	scripts/ensure-test-tools.sh
	$(BIN)/carebot train
	scripts/with-postgres.sh $(BIN)/python -m pytest $(POSTGRES_TESTS) -m "not soak and not browser" $(PYTEST_ARGS)

# ruff, and the import layers (pyproject.toml [tool.importlinter]; docs/architecture.md)
lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) var rasa_project/models

# Benchmarks (not tests): NLU quality on the held-out set against a TF-IDF baseline.
eval-nlu: setup
	$(BIN)/carebot train
	$(BIN)/python -m bench.nlu_eval

# Latency and throughput at 1/10/50 conversations against bare Rasa on the same model,
# start-up, peak memory and training time (about 5 minutes); writes bench/results/<date>.json.
# The full soak: 10,000 hostile messages over REST (make test sends 2,000).
soak: setup
	$(BIN)/carebot train
	CAREBOT_SOAK_MESSAGES=10000 $(BIN)/python -m pytest tests/integration/test_soak.py -s $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m bench.load

# Benchmark (not a test): the real-question set (bench/data/real_questions/) sent to a real
# `carebot serve`, one fresh conversation each; scores first replies per audience and half.
# Another set: make eval-answers EVAL_ARGS="--questions bench/data/tuning_questions/*.yml".
eval-answers: setup
	$(BIN)/carebot train
	$(BIN)/python -m bench.eval_answers $(EVAL_ARGS)

# Benchmark (not a test): the safety screen per layer and combined on the real-text sets
# (bench/data/safety/ and the real questions), development and held-out halves.
eval-safety: setup
	$(BIN)/carebot train
	$(BIN)/python -m bench.eval_safety $(EVAL_ARGS)
