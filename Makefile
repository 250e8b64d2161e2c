# The two commands a newcomer needs: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install vectors run test check format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test,dev]'
	touch $(STAMP)

install: $(STAMP) vectors

# botocore's protocol test vectors for the installed botocore, from its sdist on PyPI, once,
# into .cache/ (the protocol tests read them; without them they skip, saying why).
vectors: $(STAMP)
	@$(BIN)/python -m tests.protocol.fetch_vectors $(VECTORS_FLAGS)

run: install
	$(BIN)/lamina serve

# Tests in two processes (pytest-xdist); TEST_WORKERS=0 runs them in this one.
TEST_WORKERS ?= 2

test: install
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) $(PYTEST_ARGS)

check: install
	$(BIN)/ruff format --check lamina tests bench
	$(BIN)/ruff check lamina tests bench
	$(BIN)/mypy

format: install
	$(BIN)/ruff format lamina tests bench
	$(BIN)/ruff check --fix lamina tests bench

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .lamina .cache build *.egg-info
