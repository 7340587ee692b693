# Two entry points, as the README says: `make run` (set up and run the app), `make test` (set up and run every test).
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test test-fast venv dev browser bench lint fuzz

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.app: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.app
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.app
dev: $(VENV)/.dev

# Debian's chromium for the end-to-end tests, CJK and colour emoji fonts so that Chinese pages and the page icons
# render in screenshots, and nginx for the loopback balancer test (tests/deploy).
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto sans cjk" \
		|| ! fc-list 2>/dev/null | grep -qi "noto color emoji" || [ ! -x /usr/sbin/nginx ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-noto-cjk fonts-noto-color-emoji \
			nginx >/dev/null; \
	fi

run: venv
	$(PY) -m streamlit run app.py --server.port $(PORT)

test: dev browser
	$(PY) -m pytest -q -p no:cacheprovider

# Everything but the browser tests, with no apt step: the loop to run while working.
test-fast: dev
	$(PY) -m pytest -q -p no:cacheprovider -m "not e2e"

# The long profile of tests/test_fuzz.py (make test runs a few cases of it).
fuzz: dev
	LOSSLAB_FUZZ_EXAMPLES=$${LOSSLAB_FUZZ_EXAMPLES:-300} $(PY) -m pytest -q -p no:cacheprovider tests/test_fuzz.py

lint: dev
	$(VENV)/bin/ruff check .

bench: dev browser
	$(PY) bench/landscape.py
	$(PY) bench/pages.py
	$(PY) bench/train_page.py
	$(PY) bench/train.py
	$(PY) bench/load.py --learners 1,10,30,60 --think 3,0 --edits 5
	$(PY) bench/limits.py
