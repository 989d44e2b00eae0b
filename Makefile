# The two commands of the README. Both create .venv and install on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/profilex run raw/ --out extracted/

test: $(STAMP)
	$(BIN)/python -m pytest -q

.PHONY: bench
bench: $(STAMP)
	$(BIN)/python -m pipeline.bench

clean:
	rm -rf $(VENV) extracted/*.jsonl
