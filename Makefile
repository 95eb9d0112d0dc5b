# fcm-recon: `make demo` and `make test` do all set-up on a fresh machine with python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed
# Debian packages the PDF statements need (WeasyPrint's Pango and HarfBuzz) and the test that renders one (poppler)
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test bench lock clean system-packages

# installs the Debian packages only when one is missing (dpkg-query), so a prepared machine runs no apt at all
system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# the packages' bytecode is compiled at install: with PYTHONDONTWRITEBYTECODE set (as on our machines) every process
# would compile Airflow and Great Expectations from source again (import great_expectations: 23 s without, 7.5 s with)
$(STAMP): requirements.lock pyproject.toml | system-packages
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/fcm-recon demo --out build/demo

test: $(STAMP)
	@start=$$(date +%s); \
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not slow" $(PYTEST_ARGS); rc=$$?; \
	echo "make test: $$(( $$(date +%s) - start )) s"; exit $$rc

bench: $(STAMP)
	$(BIN)/python -m pytest -m slow -s -p no:xdist tests/bench

lock:
	$(BIN)/uv pip compile --quiet --python-version 3.11 --no-annotate requirements.in -o requirements.lock

clean:
	rm -rf $(VENV) build .pytest_cache
