# Two entry points for a newcomer: `make run` and `make test`.
# Both create .venv from the lock files when it is missing or older than them:
#   requirements.lock      what mirkb needs to run (`make run`, `make install`)
#   requirements-dev.lock  the same pins plus the test tools and optional drivers (`make test`)
# Both carry hashes and name no index or path of one machine; pip's own configuration says
# where packages come from. pip's output goes to .venv/install.log and is shown only on failure.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOG := $(VENV)/install.log
PIP := $(BIN)/python -m pip --disable-pip-version-check
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# Quiet on success, the whole log on failure.
LOGGED = >>$(LOG) 2>&1 || { cat $(LOG); echo "install failed: see $(LOG)" >&2; exit 1; }

COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links

MAKEFLAGS += --no-print-directory
.PHONY: run test install install-dev lock lock-upgrade clean bench model

$(BIN)/python:
	@echo "creating $(VENV) (pip output: $(LOG))"
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) install --upgrade "pip>=24" $(LOGGED)

$(STAMP): requirements.lock pyproject.toml | $(BIN)/python
	@echo "installing requirements.lock into $(VENV)"
	@$(PIP) install --require-hashes -r requirements.lock $(LOGGED)
	@$(PIP) install --no-deps -e . $(LOGGED)
	@touch $@

$(DEV_STAMP): requirements-dev.lock requirements.lock pyproject.toml | $(BIN)/python
	@echo "installing requirements-dev.lock into $(VENV)"
	@$(PIP) install --require-hashes -r requirements-dev.lock $(LOGGED)
	@$(PIP) install --no-deps -e . $(LOGGED)
	@touch $@ $(STAMP)

install: $(STAMP)

install-dev: $(DEV_STAMP)

run: $(STAMP)
	@$(BIN)/mirkb run

test: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python bench/run.py

# Retrain the bundled tagger + parser (extractors/data/genia_parser) from the GENIA treebank:
# prepare the splits, spacy convert, spacy train (models/genia_parser/config.cfg, fixed seed),
# then score it on the held-out test split (build/genia_test_scores.json). Not part of run/test.
GENIA ?= ../shared/treebanks/genia_ud
PARSER_DIR := extractors/data/genia_parser
model: $(STAMP)
	$(BIN)/python scripts/genia_prepare.py $(GENIA) build/genia
	for split in train dev test; do $(BIN)/python -m spacy convert -n 1 -c conllu build/genia/$$split.conllu build/genia || exit 1; done
	rm -rf build/genia_model
	nice -n 10 $(BIN)/python -m spacy train models/genia_parser/config.cfg --code scripts/spacy_code.py \
		--paths.train build/genia/train.spacy --paths.dev build/genia/dev.spacy --output build/genia_model
	rm -rf $(PARSER_DIR) && cp -r build/genia_model/model-best $(PARSER_DIR)
	$(BIN)/python scripts/genia_prepare.py --attribute $(PARSER_DIR)
	$(BIN)/python -m spacy evaluate $(PARSER_DIR) build/genia/test.spacy --code scripts/spacy_code.py \
		--output build/genia_test_scores.json
	du -sh $(PARSER_DIR)

# Re-pin after editing dependencies in pyproject.toml (needs PyPI): commit both lock files.
# Runtime dependencies go in [project] dependencies; test tools in the `dev` extra; optional drivers
# in their own extra, added to the dev lock below so the tests run them. Existing pins are kept
# (pip-compile reads the current lock); `make lock-upgrade` moves everything to the newest allowed.
lock: | $(BIN)/python
	@test -x $(BIN)/pip-compile || $(PIP) install --quiet pip-tools
	$(COMPILE) $(UPGRADE) --output-file requirements.lock pyproject.toml
	$(COMPILE) $(UPGRADE) --extra dev --extra postgres --constraint requirements.lock \
		--output-file requirements-dev.lock pyproject.toml

lock-upgrade:
	$(MAKE) lock UPGRADE=--upgrade

clean:
	rm -rf $(VENV) build *.egg-info
